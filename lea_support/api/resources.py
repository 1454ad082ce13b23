"""The API's resources, each declared once: what it reads, who sees which rows (the pages'
predicates), its filters, its schema, and how a row becomes an answer. The routes are made from
this list, and so are the OpenAPI document and the documentation page: one registry, three uses."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Sequence, cast

from pydantic import BaseModel
from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import defer, selectinload

from ..casework.models import NOTE_STATUSES, NoteOfVisit
from ..casework.permissions import can_view_note
from ..core.db import MAX_ID
from ..evidence import models as evidence
from ..extensions import db
from ..rap.models import PLAN_STATUSES, PlanObjective, RaisingAchievementPlan, rag_status
from ..rap.models import PlanAction as PlanActionRow
from ..rap.permissions import can_view_plan, viewable_plans
from ..reviews.models import STAGES, JointReview, JudgementScale, PublishedReviewReport
from ..reviews.permissions import can_read_published_report, can_view_review
from ..schools.models import School, SupportDecision
from . import schemas
from .permissions import (
    can_read_decision,
    can_read_measures,
    can_read_school_record,
    can_read_school_support,
    readable_decisions,
    readable_measure_schools,
    readable_notes,
    readable_reviews,
    readable_schools,
)


class BadFilter(ValueError):
    """A filter's value is not one it takes: the message says what it takes."""


@dataclass(frozen=True)
class Filter:
    name: str
    description: str
    schema: dict[str, Any]
    where: Callable[[Any], ColumnElement[bool]]

    def parse(self, text: str) -> Any:
        kind = self.schema.get("type")
        if kind == "integer":
            if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 1 <= int(text) <= MAX_ID:
                raise BadFilter(f"{self.name} must be a whole number from 1 to {MAX_ID}")
            return int(text)
        if "enum" in self.schema and text not in self.schema["enum"]:
            raise BadFilter(f"{self.name} must be one of: {', '.join(self.schema['enum'])}")
        if (pattern := self.schema.get("pattern")) and not re.fullmatch(pattern, text):
            raise BadFilter(f"{self.name} must look like {self.schema.get('examples', [pattern])[0]}")
        if len(text) > self.schema.get("maxLength", 200):
            raise BadFilter(f"{self.name} must be {self.schema.get('maxLength', 200)} characters or fewer")
        return text


@dataclass(frozen=True)
class Resource:
    name: str  # the path segment, and the endpoints' suffix
    title: str
    scope: str
    schema: type[BaseModel]
    description: str
    key: Any  # the column an item is found by
    key_type: str  # "int" or "string"
    cursor: Any  # the integer column lists are ordered and paged by
    base: Callable[[], Any]  # every row, its loading options set, no permission applied
    visible: Callable[[Any], ColumnElement[bool]]  # the rows a user may see, as SQL
    allowed: Callable[[Any, Any], bool]  # the same for one row, as the pages ask it
    serialise: Callable[[Any, list[Any]], Sequence[BaseModel]]  # a page of rows, in a fixed number of queries
    filters: tuple[Filter, ...] = field(default=())

    @property
    def key_name(self) -> str:
        return str(self.key.key)

    def cursor_of(self, row: Any) -> int:
        return int(getattr(row[0], self.cursor.key))

    def page(self, user: Any, filters: dict[str, Any], after: int | None, limit: int) -> list[Any]:
        """Up to `limit` + 1 rows after the cursor (the extra one says there is a next page)."""
        statement = self.base().where(self.visible(user))
        for flt in self.filters:
            if flt.name in filters:
                statement = statement.where(flt.where(filters[flt.name]))
        if after is not None:
            statement = statement.where(self.cursor > after)
        return list(db.session.execute(statement.order_by(self.cursor).limit(limit + 1)).all())

    def item(self, key: Any) -> Any | None:
        return db.session.execute(self.base().where(self.key == key)).first()


def _school_id(urn: int) -> Any:
    return select(School.id).where(School.urn == urn).scalar_subquery()


def _school_filter(column: Any) -> Filter:
    return Filter("school", "Only this school's, by URN", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                  lambda urn: column == _school_id(urn))


def _enum(name: str, description: str, values: dict[str, str], column: Any) -> Filter:
    return Filter(name, description, {"type": "string", "enum": list(values)}, lambda v: column == v)


def _flags(row: Any) -> schemas.ConcernFlags:
    return schemas.ConcernFlags(cause_for_concern=row.cause_for_concern, vulnerable=bool(row.is_vulnerable),
                                significant_underachievement=bool(row.has_significant_underachievement))


def _person(user: Any) -> schemas.Person | None:
    return schemas.Person(name=user.name) if user is not None else None


# --- schools ----------------------------------------------------------------------------------------

def _schools(user: Any, rows: list[Any]) -> Sequence[BaseModel]:
    out = []
    for (school,) in rows:
        support = None
        if can_read_school_support(user, school):
            support = schemas.SchoolSupport(
                tier=school.support_tier, tier_name=school.tier.name if school.tier else school.support_tier,
                level=school.mcs_level, tier_since=school.support_tier_since, flags=_flags(school),
                link_adviser=_person(school.link_adviser))
        out.append(schemas.School(
            urn=school.urn, name=school.name, laestab=school.laestab, la_code=school.la_code, la_name=school.la_name,
            type=school.type_name, phase=school.phase, status=school.status, number_of_pupils=school.number_of_pupils,
            ofsted_rating=school.ofsted_rating, ofsted_last_inspection=school.ofsted_last_inspection,
            last_visit_on=school.last_visit_on, support=support))
    return out


SCHOOLS = Resource(
    name="schools", title="Schools", scope="schools:read", schema=schemas.School, key=School.urn, key_type="int",
    cursor=School.urn,
    description="The schools you may see: LA staff every school, a school's leaders and governors their own. "
                "Support tier, level, concern flags and link adviser as the school's page shows them.",
    base=lambda: select(School),
    visible=readable_schools, allowed=lambda user, row: can_read_school_record(user, row[0]), serialise=_schools,
    filters=(Filter("tier", "Only schools in this support tier (light_touch, enhanced, significant)",
                    {"type": "string", "maxLength": 20}, lambda v: School.support_tier == v),
             Filter("phase", "Only schools of this phase, as GIAS names it (Primary, Secondary, ...)",
                    {"type": "string", "maxLength": 60}, lambda v: School.phase == v)),
)


# --- support decisions ------------------------------------------------------------------------------

def _decisions(user: Any, rows: list[Any]) -> Sequence[BaseModel]:
    return [schemas.SupportDecision(
        id=d.id, school_urn=school.urn, decided_at=d.decided_at, decided_by=_person(d.decided_by),
        previous_tier=d.previous_tier, previous_level=d.previous_level, tier=d.support_tier, level=d.mcs_level,
        flags=_flags(d), reason=d.reason, evidence=d.evidence) for d, school in rows]


DECISIONS = Resource(
    name="support-decisions", title="Support decisions", scope="schools:read", schema=schemas.SupportDecision,
    key=SupportDecision.id, key_type="int", cursor=SupportDecision.id,
    description="Every decision that set a school's tier, level or concern flags, oldest first: LA staff only, "
                "as the school's support history page.",
    base=lambda: select(SupportDecision, School).join(School, School.id == SupportDecision.school_id),
    visible=readable_decisions, allowed=lambda user, row: can_read_decision(user, row[1]), serialise=_decisions,
    filters=(_school_filter(SupportDecision.school_id),),
)


# --- visit summaries ----------------------------------------------------------------------------------

def _visits(user: Any, rows: list[Any]) -> Sequence[BaseModel]:
    return [schemas.VisitSummary(
        id=n.id, school_urn=n.school.urn, visit_date=n.visit_date, visit_type=n.visit_type.name, status=n.status,
        adviser=schemas.Person(name=n.adviser.name), purpose=n.purpose, support_aspects=n.support_aspect_names,
        strengths=n.strengths, areas_for_development=n.areas_for_development, next_visit_date=n.next_visit_date,
        finalised_at=n.finalised_at,
        actions=[schemas.VisitAction(description=a.description, owner=a.owner, due_on=a.due_on, status=a.status)
                 for a in n.actions]) for (n,) in rows]


VISITS = Resource(
    name="visits", title="Visit summaries", scope="casework:read", schema=schemas.VisitSummary,
    key=NoteOfVisit.id, key_type="int", cursor=NoteOfVisit.id,
    description="Notes of visit in summary, with their agreed actions: LA staff every note; a school's leaders "
                "their school's once sent to them (as the note's page).",
    base=lambda: select(NoteOfVisit).options(selectinload(NoteOfVisit.actions)),
    visible=readable_notes, allowed=lambda user, row: can_view_note(user, row[0]), serialise=_visits,
    filters=(_school_filter(NoteOfVisit.school_id),
             _enum("status", "Only notes at this stage", NOTE_STATUSES, NoteOfVisit.status)),
)


# --- reviews ----------------------------------------------------------------------------------------

def _reviews(user: Any, rows: list[Any]) -> Sequence[BaseModel]:
    reviews = [r for (r,) in rows]
    ids = [r.id for r in reviews]
    latest: dict[int, PublishedReviewReport] = {}
    for published in db.session.scalars(select(PublishedReviewReport).options(defer(PublishedReviewReport.pdf))
                                         .where(PublishedReviewReport.review_id.in_(ids))):
        if published.review_id not in latest or published.version > latest[published.review_id].version:
            latest[published.review_id] = published
    scale_ids = {e.scale_id for r in reviews for e in r.evaluations}
    scales = {s.id: s for s in db.session.scalars(select(JudgementScale).where(JudgementScale.id.in_(scale_ids)))} \
        if scale_ids else {}
    out = []
    for review in reviews:
        report = latest.get(review.id)
        if can_view_review(user, review):  # the working review: its own judgements
            judgements = [schemas.Judgement(
                aspect_code=e.aspect.code, aspect=e.aspect.name, grade=e.agreed_grade,
                label=scales[e.scale_id].label(e.agreed_grade) if e.scale_id in scales else "")
                for e in sorted(review.evaluations, key=lambda e: (e.aspect.sort_order, e.id))]
            overall = schemas.OverallJudgement(grade=review.overall_grade, label=review.scale.label(review.overall_grade))
        else:  # what was published, and nothing since
            content = report.content if report is not None else {}
            judgements = [schemas.Judgement(aspect_code=a["code"], aspect=a["name"], grade=a["grade"],
                                            label=a["label"] or "") for a in content.get("aspects", [])]
            published_overall = content.get("overall") or {}
            overall = schemas.OverallJudgement(grade=published_overall.get("grade"),
                                               label=published_overall.get("label") or "")
        out.append(schemas.Review(
            id=review.id, school_urn=review.school.urn, stage=review.stage, starts_on=review.starts_on,
            ends_on=review.ends_on, lead=schemas.Person(name=review.lead.name),
            framework=f"{review.framework.name} (version {review.framework.version})",
            scale=f"{review.scale.name} (version {review.scale.version})",
            published_version=report.version if report is not None else None, judgements=judgements, overall=overall))
    return out


def _review_allowed(user: Any, row: Any) -> bool:
    return can_view_review(user, row[0]) or can_read_published_report(user, row[0])


REVIEWS = Resource(
    name="reviews", title="Reviews", scope="reviews:read", schema=schemas.Review,
    key=JointReview.id, key_type="int", cursor=JointReview.id,
    description="Joint LEA/School Reviews with their judgements: LA staff and the review team see each review as "
                "it stands; a school's leaders and governors see their school's published reports.",
    base=lambda: select(JointReview).options(selectinload(JointReview.evaluations), selectinload(JointReview.team)),
    visible=readable_reviews, allowed=_review_allowed, serialise=_reviews,
    filters=(_school_filter(JointReview.school_id), _enum("stage", "Only reviews at this stage", STAGES,
                                                          JointReview.stage)),
)


# --- plans ------------------------------------------------------------------------------------------

def _plans(user: Any, rows: list[Any]) -> Sequence[BaseModel]:
    today = date.today()
    out = []
    for (plan,) in rows:
        objectives, rag = [], Counter({"complete": 0, "red": 0, "amber": 0, "green": 0})
        for objective in plan.objectives:
            actions = []
            for a in objective.actions:
                colour = rag_status(a.status, a.starts_on, a.due_on, today)
                if a.status != "dropped":
                    rag[colour] += 1
                actions.append(schemas.PlanAction(id=a.id, what=a.what, owner=a.owner_name, starts_on=a.starts_on,
                                                  due_on=a.due_on, status=a.status, rag=cast(Any, colour)))
            objectives.append(schemas.PlanObjective(
                id=objective.id, text=objective.text, actions=actions,
                success_criteria=[schemas.SuccessCriterion(id=c.id, measure=c.measure, baseline=c.baseline,
                                                           target=c.target, by_when=c.by_when, actual=c.actual,
                                                           met=c.met) for c in objective.criteria]))
        out.append(schemas.Plan(id=plan.id, series_id=plan.series_id, school_urn=plan.school.urn, version=plan.version,
                                status=plan.status, agreed_on=plan.agreed_on,
                                midpoint_review_on=plan.midpoint_review_on, rag=dict(rag), objectives=objectives))
    return out


PLANS = Resource(
    name="plans", title="Raising Achievement Plans", scope="plans:read", schema=schemas.Plan,
    key=RaisingAchievementPlan.id, key_type="int", cursor=RaisingAchievementPlan.id,
    description="Every version of each plan you may see (LA staff every school's, a school's leaders their own), "
                "with objectives, success criteria, and actions with their RAG status today.",
    base=lambda: select(RaisingAchievementPlan).options(
        selectinload(RaisingAchievementPlan.objectives).selectinload(PlanObjective.criteria),
        selectinload(RaisingAchievementPlan.objectives).selectinload(PlanObjective.actions)
        .joinedload(PlanActionRow.owner)),
    visible=viewable_plans, allowed=lambda user, row: can_view_plan(user, row[0]), serialise=_plans,
    filters=(_school_filter(RaisingAchievementPlan.school_id),
             _enum("status", "Only plans (versions) in this status", PLAN_STATUSES, RaisingAchievementPlan.status)),
)


# --- national data ----------------------------------------------------------------------------------

def _measures(user: Any, rows: list[Any]) -> Sequence[BaseModel]:
    return [schemas.Measure(code=m.code, label=m.label, area=m.area, unit=m.unit, higher_is_better=m.higher_is_better,
                            note=m.note) for (m,) in rows]


MEASURES = Resource(
    name="measures", title="Measures", scope="data:read", schema=schemas.Measure,
    key=evidence.Measure.code, key_type="string", cursor=evidence.Measure.id,
    description="The catalogue of national data measures (Ofsted, performance tables, census, absence).",
    base=lambda: select(evidence.Measure), visible=lambda user: true(),
    allowed=lambda user, row: True, serialise=_measures,
    filters=(Filter("area", "Only measures of this area", {"type": "string", "maxLength": 80},
                    lambda v: evidence.Measure.area == v),),
)


def _values(user: Any, rows: list[Any]) -> Sequence[BaseModel]:
    return [schemas.MeasureValue(id=v.id, school_urn=school.urn, measure=measure.code, academic_year=v.academic_year,
                                 state=v.state, code=v.code, number=v.number, text=v.text, day=v.day)
            for v, measure, school in rows]


MEASURE_VALUES = Resource(
    name="measure-values", title="Measure values", scope="data:read", schema=schemas.MeasureValue,
    key=evidence.MeasureValue.id, key_type="int", cursor=evidence.MeasureValue.id,
    description="Schools' values of the national data measures, by academic year: LA staff every school's, a "
                "school's leaders and governors their own (as the school's profile page).",
    base=lambda: select(evidence.MeasureValue, evidence.Measure, School)
    .join(evidence.Measure, evidence.Measure.id == evidence.MeasureValue.measure_id)
    .join(School, School.id == evidence.MeasureValue.school_id),
    visible=readable_measure_schools, allowed=lambda user, row: can_read_measures(user, row[2]), serialise=_values,
    filters=(_school_filter(evidence.MeasureValue.school_id),
             Filter("measure", "Only this measure, by its code", {"type": "string", "maxLength": 40},
                    lambda v: evidence.Measure.code == v),
             Filter("year", "Only this academic year", {"type": "string", "pattern": r"^\d{4}/\d{2}$",
                                                         "examples": ["2024/25"]},
                    lambda v: evidence.MeasureValue.academic_year == v)),
)

RESOURCES: tuple[Resource, ...] = (SCHOOLS, DECISIONS, VISITS, REVIEWS, PLANS, MEASURES, MEASURE_VALUES)
