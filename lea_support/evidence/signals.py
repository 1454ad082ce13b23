"""Risk signals: rules kept as data (`signal_rules`), each a kind of test with its parameters, run
over the whole register at once, and the tier-review prompts they raise.

`recompute_signals` runs after every import: ONE set-based query per rule (never one per school)
finds every school the rule flags and the values behind it; the result is compared with the
`school_signals` kept, and only the differences are written. A new or changed signal on a school
whose tier is below the rule's `min_tier` raises a tier-review prompt for SIAs, unless a prompt for
the same evidence was already raised (and perhaps dismissed). Nothing changes a tier by itself.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Text, and_, cast, delete, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from ..core.audit import to_json_ready
from ..core.errors import DomainError
from ..core.models import AuditEntry, utcnow
from ..core.terms import format_date
from ..extensions import db
from ..schools.models import School, SupportTier
from ..tasks.kept_counts import records_changed
from .models import RULE_KINDS, Comparator, Measure, MeasureValue, SchoolSignal, SignalRule, TierReviewPrompt

CHUNK = 2000

KIND_LABELS = {
    "below_england": "A measure below England's by a number of points, years running",
    "threshold": "A measure below or above a threshold in its latest year",
    "judgement_in": "An Ofsted grade or judgement among given values (the latest inspection)",
    "no_inspection": "No inspection for a number of years",
    "gias_status": "A GIAS status among given values",
    "gias_change": "A GIAS field changed lately (e.g. a new head)",
}
# Which parameters each kind reads (the admin form shows them all, and says which are used).
KIND_PARAMS: dict[str, tuple[str, ...]] = {
    "below_england": ("measures", "points", "years", "group"),
    "threshold": ("measures", "direction", "value"),
    "judgement_in": ("measures", "values"),
    "no_inspection": ("years",),
    "gias_status": ("values",),
    "gias_change": ("values", "days"),
}

_RC = ("OFSTED_RC_SAFEGUARDING", "OFSTED_RC_INCLUSION", "OFSTED_RC_CURRICULUM", "OFSTED_RC_ACHIEVEMENT",
       "OFSTED_RC_ATTENDANCE", "OFSTED_RC_PERSONAL", "OFSTED_RC_EARLY_YEARS", "OFSTED_RC_POST16",
       "OFSTED_RC_LEADERSHIP")
INSPECTION_DATES = ("OFSTED_INSPECTION_DATE", "OFSTED_OEIF_DATE", "OFSTED_UNGRADED_DATE")


@dataclass(frozen=True)
class DefaultRule:
    code: str
    label: str
    kind: str
    params: dict[str, Any]
    min_tier: str = ""


# The rules shipped (issue 15, item 4); migration 0024_signals seeds the same rows.
DEFAULT_RULES: tuple[DefaultRule, ...] = (
    DefaultRule("CATEGORY_OF_CONCERN", "Ofsted category of concern", "judgement_in",
                {"measures": ["OFSTED_CATEGORY", "OFSTED_OEIF_CATEGORY"], "values": []}, "significant"),
    DefaultRule("URGENT_IMPROVEMENT", "Ofsted: \"Urgent improvement\" in any area", "judgement_in",
                {"measures": list(_RC), "values": ["Urgent improvement"]}, "significant"),
    DefaultRule("NEEDS_ATTENTION", "Ofsted: \"Needs attention\" in leadership or achievement", "judgement_in",
                {"measures": ["OFSTED_RC_LEADERSHIP", "OFSTED_RC_ACHIEVEMENT"], "values": ["Needs attention"]},
                "enhanced"),
    DefaultRule("OFSTED_GRADE_3_4", "Ofsted overall grade 3 or 4 (graded inspection)", "judgement_in",
                {"measures": ["OFSTED_OE"], "values": ["3", "4"]}, "enhanced"),
    DefaultRule("KS2_RWM_BELOW_ENGLAND", "KS2 reading, writing and maths below England by 10 points or more, "
                "two years running", "below_england",
                {"measures": ["PTRWM_EXP"], "points": 10, "years": 2, "group": "state-funded"}, "enhanced"),
    DefaultRule("P8_BELOW", "Progress 8 below -0.5", "threshold",
                {"measures": ["P8MEA"], "direction": "below", "value": -0.5}, "enhanced"),
    DefaultRule("PERSISTENT_ABSENCE", "Persistent absence above 25%", "threshold",
                {"measures": ["PPERSABS10"], "direction": "above", "value": 25}, "enhanced"),
    DefaultRule("NO_INSPECTION", "No Ofsted inspection for 6 years", "no_inspection", {"years": 6}),
    DefaultRule("GIAS_NEW_HEAD", "GIAS: a new head in the last year", "gias_change",
                {"values": ["head_name"], "days": 365}),
    DefaultRule("GIAS_CLOSURE_PROPOSED", "GIAS: closure proposed", "gias_status",
                {"values": ["Open, but proposed to close"]}),
    DefaultRule("GIAS_ACADEMY", "GIAS: joining a trust or changing type (e.g. an academy order carried out) "
                "in the last year", "gias_change", {"values": ["trust_name", "type_name"], "days": 365}),
)


def ensure_rules() -> None:
    """Add the default rules missing from the table (rules edited or switched off there stay)."""
    known = set(db.session.scalars(select(SignalRule.code)))
    missing = [r for r in DEFAULT_RULES if r.code not in known]
    if missing:
        db.session.execute(insert(SignalRule), [
            {"code": r.code, "label": r.label, "kind": r.kind, "params": r.params, "min_tier": r.min_tier,
             "active": True, "sort_order": DEFAULT_RULES.index(r), "edit_version": 1} for r in missing])


# --- what a rule finds ------------------------------------------------------------------------------

Found = dict[int, list[list[str]]]  # school id -> [[label, value shown], ...]


def _measures(codes: Iterable[str]) -> dict[str, Measure]:
    return {m.code: m for m in db.session.scalars(select(Measure).where(Measure.code.in_(list(codes))))}


def _shown(measure: Measure, number: float | None, text: str | None) -> str:
    if number is None:
        return text or ""
    if measure.unit == "percent":
        return f"{round(number, 1):g}%"
    if measure.unit == "progress":
        return f"{number:+g}"
    if measure.unit == "grade":
        return f"grade {int(number)}"
    return f"{number:g}"


def _below_england(params: dict[str, Any], today: date) -> Found:
    measures = _measures(params["measures"])
    points, years_running, group = float(params["points"]), int(params["years"]), params.get("group") or "state-funded"
    found: Found = {}
    for measure in measures.values():
        england = aliased(MeasureValue)
        # The latest `years_running` years England's figure was published for.
        years = list(db.session.scalars(
            select(england.academic_year).join(Comparator, Comparator.id == england.comparator_id)
            .where(england.measure_id == measure.id, Comparator.level == "national",
                   Comparator.school_group == group, england.state == "value")
            .order_by(england.academic_year.desc()).limit(years_running)))
        if len(years) < years_running:
            continue
        rows = db.session.execute(
            select(MeasureValue.school_id, MeasureValue.academic_year, MeasureValue.number, england.number)
            .join(england, and_(england.measure_id == MeasureValue.measure_id,
                                england.academic_year == MeasureValue.academic_year))
            .join(Comparator, Comparator.id == england.comparator_id)
            .where(MeasureValue.measure_id == measure.id, MeasureValue.academic_year.in_(years),
                   MeasureValue.school_id.is_not(None), MeasureValue.state == "value",
                   Comparator.level == "national", Comparator.school_group == group, england.state == "value",
                   MeasureValue.number <= england.number - points)
            .order_by(MeasureValue.school_id, MeasureValue.academic_year))
        by_school: dict[int, list[list[str]]] = {}
        for school_id, year, number, national in rows:
            by_school.setdefault(school_id, []).append(
                [f"{measure.label} {year}", f"{_shown(measure, number, None)} (England {_shown(measure, national, None)})"])
        for school_id, values in by_school.items():
            if len(values) == years_running:
                found.setdefault(school_id, []).extend(values)
    return found


def _threshold(params: dict[str, Any], today: date) -> Found:
    measures = _measures(params["measures"])
    limit, below = float(params["value"]), params.get("direction", "below") == "below"
    found: Found = {}
    for measure in measures.values():
        latest = db.session.scalar(select(func.max(MeasureValue.academic_year)).where(
            MeasureValue.measure_id == measure.id, MeasureValue.school_id.is_not(None)))
        if latest is None:
            continue
        test = MeasureValue.number < limit if below else MeasureValue.number > limit
        for school_id, number in db.session.execute(
                select(MeasureValue.school_id, MeasureValue.number)
                .where(MeasureValue.measure_id == measure.id, MeasureValue.academic_year == latest,
                       MeasureValue.school_id.is_not(None), MeasureValue.state == "value", test)):
            found.setdefault(school_id, []).append([f"{measure.label} {latest}", _shown(measure, number, None)])
    return found


def _judgement_in(params: dict[str, Any], today: date) -> Found:
    measures = _measures(params["measures"])
    if not measures:
        return {}
    by_id = {m.id: m for m in measures.values()}
    wanted = [str(v) for v in params.get("values") or []]
    latest = (select(MeasureValue.school_id, MeasureValue.measure_id,
                     func.max(MeasureValue.academic_year).label("year"))
              .where(MeasureValue.measure_id.in_(by_id), MeasureValue.school_id.is_not(None))
              .group_by(MeasureValue.school_id, MeasureValue.measure_id).subquery())
    query = (select(MeasureValue.school_id, MeasureValue.measure_id, MeasureValue.academic_year,
                    MeasureValue.number, MeasureValue.text)
             .join(latest, and_(latest.c.school_id == MeasureValue.school_id,
                                latest.c.measure_id == MeasureValue.measure_id,
                                latest.c.year == MeasureValue.academic_year))
             .where(MeasureValue.state == "value")
             .order_by(MeasureValue.school_id, MeasureValue.measure_id))
    if wanted:
        numbers = [float(v) for v in wanted if _is_number(v)]
        query = query.where(or_(MeasureValue.text.in_(wanted), MeasureValue.number.in_(numbers)))
    else:  # any value at all (a category of concern)
        query = query.where(or_(MeasureValue.number.is_not(None), func.coalesce(MeasureValue.text, "") != ""))
    found: Found = {}
    for school_id, measure_id, year, number, text in db.session.execute(query):
        measure = by_id[measure_id]
        found.setdefault(school_id, []).append(
            [f"{measure.label} (inspected {year})", _shown(measure, number, text)])
    return found


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _no_inspection(params: dict[str, Any], today: date) -> Found:
    cutoff = today - timedelta(days=round(365.25 * int(params["years"])))
    measures = _measures(INSPECTION_DATES)
    from_data = (select(MeasureValue.school_id.label("school_id"), func.max(MeasureValue.day).label("day"))
                 .where(MeasureValue.measure_id.in_([m.id for m in measures.values()]),
                        MeasureValue.school_id.is_not(None), MeasureValue.day.is_not(None))
                 .group_by(MeasureValue.school_id).subquery())
    rows = db.session.execute(
        select(School.id, School.ofsted_last_inspection, from_data.c.day)
        .outerjoin(from_data, from_data.c.school_id == School.id)
        .where(School.status != "Closed",
               or_(School.ofsted_last_inspection.is_not(None), from_data.c.day.is_not(None))))
    found: Found = {}
    for school_id, gias_day, data_day in rows:
        last = max(d for d in (_as_date(gias_day), _as_date(data_day)) if d is not None)
        if last < cutoff:
            found[school_id] = [["Last inspected", format_date(last)]]
    return found


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _gias_status(params: dict[str, Any], today: date) -> Found:
    statuses = [str(v) for v in params.get("values") or []]
    return {school_id: [["GIAS status", status]] for school_id, status in db.session.execute(
        select(School.id, School.status).where(School.status.in_(statuses)))}


def _gias_change(params: dict[str, Any], today: date) -> Found:
    fields = [str(v) for v in params.get("values") or []]
    since = datetime.combine(today - timedelta(days=int(params["days"])), datetime.min.time(), tzinfo=timezone.utc)
    if not fields:
        return {}
    text = cast(AuditEntry.before, Text)
    found: Found = {}
    for school_id, occurred, before, after in db.session.execute(
            select(AuditEntry.school_id, AuditEntry.occurred_at, AuditEntry.before, AuditEntry.after)
            .where(AuditEntry.action == "school.gias_update", AuditEntry.occurred_at >= since,
                   or_(*(text.like(f'%"{f}"%') for f in fields)))
            .order_by(AuditEntry.school_id, AuditEntry.occurred_at)):
        for name in fields:
            if name in (before or {}):
                found.setdefault(school_id, []).append(
                    [f"GIAS {name.replace('_', ' ')} changed {format_date(_as_date(occurred))}",
                     f"{(before or {}).get(name) or 'blank'} to {(after or {}).get(name) or 'blank'}"])
    return found


FINDERS = {"below_england": _below_england, "threshold": _threshold, "judgement_in": _judgement_in,
           "no_inspection": _no_inspection, "gias_status": _gias_status, "gias_change": _gias_change}


def find(kind: str, params: dict[str, Any], today: date | None = None) -> Found:
    """Every school the test flags, with the values behind it: one query per measure of the rule."""
    return FINDERS[kind](params, today or date.today())


def evidence_key(code: str, values: list[list[str]]) -> str:
    return hashlib.sha256(json.dumps([code, values], sort_keys=True).encode()).hexdigest()[:40]


def cited(label: str, values: list[list[str]]) -> str:
    """The signal as a line of evidence: its label and each value behind it."""
    return f"{label}: " + "; ".join(f"{name}: {shown}" for name, shown in values)


# --- keeping school_signals -------------------------------------------------------------------------

@dataclass
class RecomputeResult:
    rules: int = 0
    flagged: int = 0
    new: int = 0
    changed: int = 0
    cleared: int = 0
    prompts: int = 0


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def recompute_signals(rules: list[SignalRule] | None = None, today: date | None = None) -> RecomputeResult:
    """Run every active rule (or just `rules`) over the whole register and keep `school_signals`
    to what they find: new signals added, changed ones updated (new evidence key), cleared ones
    removed. Raises tier-review prompts for the new and changed ones. Never commits."""
    ensure_rules()
    today = today or date.today()
    all_rules = rules if rules is not None else list(db.session.scalars(select(SignalRule)))
    result = RecomputeResult()
    now = utcnow()
    raised: list[tuple[int, SignalRule, str, list[list[str]]]] = []
    for rule in all_rules:
        kept = {school_id: (signal_id, key) for signal_id, school_id, key in db.session.execute(
            select(SchoolSignal.id, SchoolSignal.school_id, SchoolSignal.evidence_key)
            .where(SchoolSignal.rule_id == rule.id))}
        found = find(rule.kind, rule.params, today) if rule.active else {}
        result.rules += rule.active
        result.flagged += len(found)
        inserts, updates = [], []
        for school_id, values in found.items():
            key = evidence_key(rule.code, values)
            old = kept.get(school_id)
            if old is None:
                inserts.append({"school_id": school_id, "rule_id": rule.id, "values": values, "evidence_key": key,
                                "first_seen": now, "changed_at": now})
            elif old[1] != key:
                updates.append({"id": old[0], "values": values, "evidence_key": key, "changed_at": now})
            else:
                continue
            raised.append((school_id, rule, key, values))
        gone = [signal_id for school_id, (signal_id, _) in kept.items() if school_id not in found]
        for chunk in _chunks(inserts):
            db.session.execute(insert(SchoolSignal), list(chunk))
        for chunk in _chunks(updates):
            db.session.execute(update(SchoolSignal), list(chunk))
        for chunk in _chunks(gone):
            db.session.execute(delete(SchoolSignal).where(SchoolSignal.id.in_(list(chunk))))
        result.new += len(inserts)
        result.changed += len(updates)
        result.cleared += len(gone)
    result.prompts = _raise_prompts([r for r in raised if r[1].min_tier], now)
    return result


def _raise_prompts(raised: list[tuple[int, SignalRule, str, list[list[str]]]], now: datetime) -> int:
    """A prompt for each new or changed signal on a school whose tier is below the rule's
    `min_tier`, unless one was raised for the same evidence already. An open prompt of the same
    school and rule takes the new evidence instead of a second prompt being added."""
    if not raised:
        return 0
    order = {code: n for code, n in db.session.execute(select(SupportTier.code, SupportTier.sort_order))}
    school_ids = sorted({school_id for school_id, *_ in raised})
    tiers: dict[int, str] = {}
    seen: set[tuple[int, int, str]] = set()
    open_prompts: dict[tuple[int, int], int] = {}
    for chunk in _chunks(school_ids):
        tiers.update({school_id: tier for school_id, tier in db.session.execute(
            select(School.id, School.support_tier).where(School.id.in_(list(chunk))))})
        for prompt_id, school_id, rule_id, key, status in db.session.execute(
                select(TierReviewPrompt.id, TierReviewPrompt.school_id, TierReviewPrompt.rule_id,
                       TierReviewPrompt.evidence_key, TierReviewPrompt.status)
                .where(TierReviewPrompt.school_id.in_(list(chunk)))):
            seen.add((school_id, rule_id, key))
            if status == "open":
                open_prompts[(school_id, rule_id)] = prompt_id
    inserts, updates = [], []
    for school_id, rule, key, values in raised:
        tier = tiers.get(school_id, "")
        if rule.min_tier not in order or order.get(tier, 0) >= order[rule.min_tier]:
            continue  # the tier reflects it
        if (school_id, rule.id, key) in seen:
            continue  # raised for this evidence before (and perhaps dismissed)
        evidence = cited(rule.label, values)[:2000]
        if (school_id, rule.id) in open_prompts:
            updates.append({"id": open_prompts[(school_id, rule.id)], "evidence_key": key, "evidence": evidence,
                            "raised_at": now})
        else:
            inserts.append({"school_id": school_id, "rule_id": rule.id, "evidence_key": key, "evidence": evidence,
                            "tier_at_raise": tier, "status": "open", "raised_at": now, "dismiss_reason": ""})
    for chunk in _chunks(inserts):
        db.session.execute(insert(TierReviewPrompt), list(chunk))
    for chunk in _chunks(updates):
        db.session.execute(update(TierReviewPrompt), list(chunk))
    if inserts or updates:
        records_changed()  # bulk statements bypass the flush that watches what kept task counts read
    return len(inserts) + len(updates)


# --- reading and editing ------------------------------------------------------------------------------

def school_signals(school: School) -> list[SchoolSignal]:
    """The school's signals, in the rules' order (one query)."""
    return list(db.session.scalars(
        select(SchoolSignal).join(SignalRule, SignalRule.id == SchoolSignal.rule_id)
        .where(SchoolSignal.school_id == school.id, SignalRule.active.is_(True))
        .order_by(SignalRule.sort_order, SignalRule.id)))


def list_rules() -> list[tuple[SignalRule, int]]:
    """Every rule with how many schools it flags now."""
    ensure_rules()
    counts = (select(SchoolSignal.rule_id, func.count().label("n")).group_by(SchoolSignal.rule_id).subquery())
    return [(rule, n or 0) for rule, n in db.session.execute(
        select(SignalRule, counts.c.n).outerjoin(counts, counts.c.rule_id == SignalRule.id)
        .order_by(SignalRule.sort_order, SignalRule.id))]


@dataclass
class RuleData:
    """A rule as the admin form gives it."""
    label: str
    kind: str
    min_tier: str
    active: bool
    measures: str = ""
    values: str = ""
    points: str = ""
    value: str = ""
    years: str = ""
    days: str = ""
    direction: str = "below"
    group: str = ""
    code: str = ""
    expected_version: int | None = None


def _split(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("\n", ",").split(",") if p.strip()]


def clean_params(data: RuleData) -> dict[str, Any]:
    """The parameters of `data.kind` from the form, checked; DomainError names the field."""
    if data.kind not in RULE_KINDS:
        raise DomainError("Choose the kind of test", field="kind")
    wanted = KIND_PARAMS[data.kind]
    params: dict[str, Any] = {}
    if "measures" in wanted:
        codes = [c.upper() for c in _split(data.measures)]
        if not codes:
            raise DomainError("Enter at least one measure code", field="measures")
        unknown = sorted(set(codes) - _measures(codes).keys())
        if unknown:
            raise DomainError(f"Not a measure of the catalogue: {', '.join(unknown)}", field="measures")
        params["measures"] = codes
    for name, integer in (("points", False), ("value", False), ("years", True), ("days", True)):
        if name not in wanted:
            continue
        raw = (getattr(data, name) or "").strip()
        try:
            number = int(raw) if integer else float(raw)
        except ValueError:
            raise DomainError(f"Enter the {name} as a {'whole ' if integer else ''}number", field=name) from None
        if integer and not 1 <= number <= 100 * (365 if name == "days" else 1):
            raise DomainError(f"Enter the {name} as a whole number from 1", field=name)
        params[name] = number
    if "values" in wanted:
        params["values"] = _split(data.values)
        if data.kind != "judgement_in" and not params["values"]:
            raise DomainError("Enter at least one value", field="values")
    if "direction" in wanted:
        if data.direction not in ("below", "above"):
            raise DomainError("Choose below or above", field="direction")
        params["direction"] = data.direction
    if "group" in wanted:
        params["group"] = (data.group or "").strip() or "state-funded"
    if data.min_tier and db.session.get(SupportTier, data.min_tier) is None:
        raise DomainError("Choose a support tier from the list", field="min_tier")
    if not (data.label or "").strip():
        raise DomainError("Enter the rule's name", field="label")
    return params


@dataclass
class Preview:
    count: int
    schools: list[tuple[School, list[list[str]]]]


def preview_rule(data: RuleData, limit: int = 50) -> Preview:
    """Which schools the rule as given would flag, saving nothing: the count and the first `limit`."""
    found = find(data.kind, clean_params(data))
    ids = sorted(found)[:limit]
    schools = {s.id: s for s in db.session.scalars(select(School).where(School.id.in_(ids)))} if ids else {}
    shown = sorted(((schools[i], found[i]) for i in ids if i in schools), key=lambda p: p[0].name)
    return Preview(len(found), shown)


def save_rule(actor: Any, rule: SignalRule | None, data: RuleData) -> SignalRule:
    """Create or change a rule, then recompute its signals at once (prompts included)."""
    from ..core.audit import record_audit
    from ..core.locking import claim_edit

    params = clean_params(data)
    if rule is None:
        code = (data.code or "").strip().upper()
        if not code or len(code) > 40 or not code.replace("_", "").isalnum():
            raise DomainError("Enter a code of letters, digits and underscores (at most 40)", field="code")
        if db.session.scalar(select(SignalRule.id).where(SignalRule.code == code)) is not None:
            raise DomainError("A rule with this code exists already", field="code")
        rule = SignalRule(code=code, kind=data.kind, sort_order=1000)
        db.session.add(rule)
        before: dict[str, Any] = {}
    else:
        claim_edit(rule, data.expected_version, "signal rule")
        before = {"label": rule.label, "params": rule.params, "min_tier": rule.min_tier, "active": rule.active}
    rule.label, rule.params = data.label.strip()[:200], params
    rule.min_tier, rule.active = data.min_tier or "", data.active
    db.session.flush()
    record_audit(actor, "signal_rule.save", "signal_rule", rule.id, before=to_json_ready(before), after={
        "code": rule.code, "kind": rule.kind, "label": rule.label, "params": params, "min_tier": rule.min_tier,
        "active": rule.active})
    recompute_signals([rule])
    return rule


# --- tier-review prompts ------------------------------------------------------------------------------

def open_prompts_query() -> Any:
    """Open prompts on schools whose tier still does not reflect the rule (a school moved up
    since drops out of the queue without anyone dismissing it)."""
    school_tier, rule_tier = aliased(SupportTier), aliased(SupportTier)
    return (select(TierReviewPrompt.id, School.name, School.urn, TierReviewPrompt.evidence,
                   TierReviewPrompt.raised_at)
            .join(School, School.id == TierReviewPrompt.school_id)
            .join(SignalRule, SignalRule.id == TierReviewPrompt.rule_id)
            .join(school_tier, school_tier.code == School.support_tier)
            .join(rule_tier, rule_tier.code == SignalRule.min_tier)
            .where(TierReviewPrompt.status == "open", school_tier.sort_order < rule_tier.sort_order))


def _resolve(actor: Any, prompt: TierReviewPrompt, status: str, reason: str = "") -> TierReviewPrompt:
    from ..core.audit import record_audit
    from ..core.locking import AlreadyChanged, lock_for_update

    lock_for_update(prompt)
    if prompt.status != "open":
        raise AlreadyChanged(f"This prompt has already been {prompt.status}: reload the page to see it")
    prompt.status, prompt.resolved_at, prompt.resolved_by_id = status, utcnow(), actor.id
    prompt.dismiss_reason = reason
    record_audit(actor, f"tier_review_prompt.{status}", "tier_review_prompt", prompt.id,
                 school_id=prompt.school_id, after={"evidence": prompt.evidence, "reason": reason})
    return prompt


def accept_prompt(actor: Any, prompt: TierReviewPrompt) -> TierReviewPrompt:
    """Mark the prompt taken up; the caller opens the support decision form with its evidence.
    The tier changes only when that form is saved."""
    return _resolve(actor, prompt, "accepted")


def dismiss_prompt(actor: Any, prompt: TierReviewPrompt, reason: str) -> TierReviewPrompt:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter the reason for dismissing the prompt", field="reason")
    return _resolve(actor, prompt, "dismissed", reason[:2000])
