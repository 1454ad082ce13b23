"""What each resource of the API answers with, as pydantic models: the views build their JSON
through them (so an answer cannot drift from its schema), and openapi.py writes them into the
OpenAPI document as JSON Schema (OpenAPI 3.1's own dialect)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(Schema):
    """Someone named on a record (only their name: the API does not hand out addresses)."""

    name: str


class ConcernFlags(Schema):
    cause_for_concern: Literal["la", "ofsted"] | None = Field(
        description="Designated a cause for concern by the LA or by Ofsted; null if neither")
    vulnerable: bool
    significant_underachievement: bool


class SchoolSupport(Schema):
    tier: str = Field(description="Support tier code: light_touch, enhanced or significant")
    tier_name: str
    level: int = Field(ge=1, le=5, description="Level on the 5-level Monitoring, Challenge and Support scale")
    tier_since: date | None
    flags: ConcernFlags
    link_adviser: Person | None


class School(Schema):
    """A school of the register. `support` is null for readers whose pages do not show it (governors)."""

    urn: int
    name: str
    laestab: str
    la_code: str
    la_name: str
    type: str
    phase: str
    status: str
    number_of_pupils: int | None
    ofsted_rating: str
    ofsted_last_inspection: date | None
    last_visit_on: date | None
    support: SchoolSupport | None


class SupportDecision(Schema):
    """A decision that set a school's tier, level or concern flags: who, when, why, on what evidence."""

    id: int
    school_urn: int
    decided_at: datetime
    decided_by: Person | None
    previous_tier: str | None
    previous_level: int | None
    tier: str
    level: int
    flags: ConcernFlags
    reason: str
    evidence: str


class VisitAction(Schema):
    description: str
    owner: str
    due_on: date | None
    status: Literal["open", "done", "dropped"]


class VisitSummary(Schema):
    """A link adviser's note of visit, in summary: what it was for, what was found, what was agreed."""

    id: int
    school_urn: int
    visit_date: date
    visit_type: str
    status: Literal["planned", "draft", "sent", "responded", "finalised"]
    adviser: Person
    purpose: str
    support_aspects: list[str]
    strengths: str
    areas_for_development: str
    next_visit_date: date | None
    finalised_at: datetime | None
    actions: list[VisitAction]


class Judgement(Schema):
    aspect_code: str
    aspect: str
    grade: int | None = Field(description="On the review's scale (1 excellent to 7 very poor on the 7-point scale)")
    label: str


class OverallJudgement(Schema):
    grade: int | None
    label: str


class Review(Schema):
    """A Joint LEA/School Review. Readers who see only published reports get the judgements of the
    latest published report; the review team and LA staff get the review's own."""

    id: int
    school_urn: int
    stage: Literal["planned", "pre_review", "fieldwork", "evaluation", "report_drafted", "published"]
    starts_on: date
    ends_on: date | None
    lead: Person
    framework: str
    scale: str
    published_version: int | None
    judgements: list[Judgement]
    overall: OverallJudgement


class SuccessCriterion(Schema):
    id: int
    measure: str
    baseline: str
    target: str
    by_when: date
    actual: str
    met: bool | None = Field(description="null until measured")


class PlanAction(Schema):
    id: int
    what: str
    owner: str
    starts_on: date
    due_on: date
    status: Literal["not_started", "in_progress", "done", "dropped"]
    rag: Literal["complete", "red", "amber", "green"] = Field(description="Derived from the dates and status, today")


class PlanObjective(Schema):
    id: int
    text: str
    success_criteria: list[SuccessCriterion]
    actions: list[PlanAction]


class Plan(Schema):
    """One version of a school's Raising Achievement Plan."""

    id: int
    series_id: int = Field(description="The first version's id: every version of one plan shares it")
    school_urn: int
    version: int
    status: Literal["draft", "submitted", "agreed", "superseded"]
    agreed_on: date | None
    midpoint_review_on: date | None
    rag: dict[str, int] = Field(description="How many of its actions are complete, red, amber and green")
    objectives: list[PlanObjective]


class Measure(Schema):
    """A measure of the national data catalogue."""

    code: str
    label: str
    area: str
    unit: str
    higher_is_better: bool | None
    note: str


class MeasureValue(Schema):
    """A school's value of a measure for an academic year. A code standing in for a number (SUPP,
    NE, ...) has its own state, never a number."""

    id: int
    school_urn: int
    measure: str
    academic_year: str
    state: Literal["value", "suppressed", "not_available", "not_applicable"]
    code: str
    number: float | None
    text: str | None
    day: date | None


class PageLinks(Schema):
    self: str
    next: str | None = Field(description="The next page, or null on the last")


class Problem(Schema):
    """An error, as RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str
    title: str
    status: int
    detail: str
    instance: str
