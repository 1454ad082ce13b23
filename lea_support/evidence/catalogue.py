"""The catalogue of national data: the kinds of file the service imports, how each is recognised
and read, and the measures taken from them (code, label, unit, whether higher is better, and the
source column in each release).

These are the defaults. `ensure_catalogue` copies them into the `evidence_measures` and
`evidence_measure_sources` tables, where the importer reads them, so that a column renamed in a
new release is a row added there, not a code change.
"""
from __future__ import annotations

from dataclasses import dataclass

# --- kinds of file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    # The kind is recognised when every column of one of these sets is in the header.
    signatures: tuple[tuple[str, ...], ...]


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("ofsted", "Ofsted management information (latest inspections)",
         (("URN", "Inspection start date"), ("URN", "Latest OEIF overall effectiveness"),
          ("URN", "Overall effectiveness"))),
    Kind("ks2", "Key stage 2 performance tables", (("RECTYPE", "PTRWM_EXP"), ("RECTYPE", "READPROG"))),
    Kind("ks4", "Key stage 4 performance tables", (("RECTYPE", "ATT8SCR"), ("RECTYPE", "P8MEA"))),
    Kind("census", "School census: pupil characteristics", (("URN", "NOR", "PNUMFSMEVER"), ("URN", "NOR", "PSENELK"))),
    Kind("absence", "Pupil absence by school", (("URN", "PERCTOT"), ("URN", "PPERSABS10"), ("URN", "PPERSABS15"))),
)}

# Performance tables: what each record type is. Schools are 1 and 2; the rest are the totals a
# school is compared with. (The two key stages number their totals differently.)
RECORD_TYPES: dict[str, dict[str, tuple[str, str] | None]] = {
    "ks2": {"1": None, "2": None, "3": ("la", "state-funded"), "4": ("national", "all schools"),
            "5": ("national", "state-funded")},
    "ks4": {"1": None, "2": None, "4": ("la", "state-funded"), "5": ("national", "all schools"),
            "7": ("national", "state-funded")},
}

# Census and absence totals are by phase.
PHASE_GROUPS = {"PRI": "primary", "SEC": "secondary", "SPE": "special", "TOT": "all schools"}


# --- codes that stand in for a value ---------------------------------------------------------------

# code (upper case) -> (state, what it means). None of them is a zero.
CODES: dict[str, tuple[str, str]] = {
    "SUPP": ("suppressed", "suppressed: too few pupils to publish"),
    "C": ("suppressed", "confidential"),
    "NE": ("not_available", "no pupils entered"),
    "NP": ("not_available", "not published"),
    "NA": ("not_applicable", "not applicable"),
    "LOWCOV": ("not_available", "too few pupils covered to publish"),
    "X": ("not_available", "not available"),
    "Z": ("not_applicable", "not applicable"),
    "NULL": ("not_available", "not recorded"),
    "": ("not_available", "blank"),
}
# Only in Ofsted's old 1-4 grades: 9 is "not applicable".
GRADE_CODES: dict[str, tuple[str, str]] = {
    "9": ("not_applicable", "not applicable"),
    "NOT JUDGED": ("not_applicable", "not judged (inspections from September 2024 give sub-judgements only)"),
}
JUDGEMENT_CODES: dict[str, tuple[str, str]] = {"NOT APPLICABLE": ("not_applicable", "not applicable")}
STATE_LABELS = {"suppressed": "Suppressed", "not_available": "Not available", "not_applicable": "Not applicable"}


# --- measures --------------------------------------------------------------------------------------

# Units: percent (stored 0-100), score, progress, count, grade (Ofsted's 1-4), judgement (report card
# words), met (Met / Not met), yesno, text, date.
GRADE_LABELS = {1: "Outstanding", 2: "Good", 3: "Requires improvement", 4: "Inadequate"}
JUDGEMENTS = ("Exceptional", "Strong standard", "Expected standard", "Needs attention", "Urgent improvement")


@dataclass(frozen=True)
class Source:
    kind: str
    column: str
    # Ofsted: the column whose date says which inspection (and academic year) the value belongs to.
    date_column: str = ""
    first_year: str = ""
    last_year: str = ""


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    area: str
    unit: str
    higher_is_better: bool | None
    sources: tuple[Source, ...]
    note: str = ""
    # Drawn as a chart on the school profile.
    charted: bool = True


def _one(kind: str, column: str, **kw: str) -> tuple[Source, ...]:
    return (Source(kind, column, **kw),)


_RC = "Inspection start date"
_OEIF = "Inspection start date of latest OEIF graded inspection"
_UNGRADED = "Date of latest ungraded inspection"


def _report_card(code: str, label: str, column: str, date_column: str, unit: str = "judgement") -> Measure:
    return Measure(code, label, "Ofsted report card (from November 2025)", unit, None,
                   _one("ofsted", column, date_column=date_column), charted=False)


def _oeif(code: str, label: str, column: str) -> Measure:
    return Measure(code, label, "Ofsted graded inspection (to November 2025)", "grade", False,
                   _one("ofsted", column, date_column=_OEIF),
                   note="Grades 1-4 before September 2024; from September 2024 to November 2025 "
                        "sub-judgements only, the overall grade \"Not judged\"", charted=False)


MEASURES: tuple[Measure, ...] = (
    # Key stage 2
    Measure("PTRWM_EXP", "Reading, writing and maths: expected standard", "Key stage 2", "percent", True,
            _one("ks2", "PTRWM_EXP")),
    Measure("PTRWM_HIGH", "Reading, writing and maths: higher standard", "Key stage 2", "percent", True,
            _one("ks2", "PTRWM_HIGH")),
    Measure("READPROG", "Reading progress", "Key stage 2", "progress", True, _one("ks2", "READPROG"),
            note="Not published from 2019/20"),
    Measure("WRITPROG", "Writing progress", "Key stage 2", "progress", True, _one("ks2", "WRITPROG"),
            note="Not published from 2019/20"),
    Measure("MATPROG", "Maths progress", "Key stage 2", "progress", True, _one("ks2", "MATPROG"),
            note="Not published from 2019/20"),
    # Key stage 4
    Measure("ATT8SCR", "Attainment 8", "Key stage 4", "score", True, _one("ks4", "ATT8SCR")),
    Measure("P8MEA", "Progress 8", "Key stage 4", "progress", True, _one("ks4", "P8MEA")),
    Measure("PTL2BASICS_94", "English and maths: grade 4 or above", "Key stage 4", "percent", True,
            _one("ks4", "PTL2BASICS_94")),
    # Attendance
    Measure("PERCTOT", "Overall absence", "Attendance", "percent", False, _one("absence", "PERCTOT")),
    Measure("PPERSABS10", "Persistent absence (missing 10% or more of sessions)", "Attendance", "percent", False,
            _one("absence", "PPERSABS10")),
    Measure("PPERSABS15", "Persistent absence, older threshold (missing 15% or more of sessions)", "Attendance",
            "percent", False, _one("absence", "PPERSABS15"),
            note="The threshold before 2015/16; not comparable with the 10% threshold"),
    # Context
    Measure("NOR", "Pupils on roll", "Context", "count", None, _one("census", "NOR")),
    Measure("PNUMFSMEVER", "Free school meals at any time in the last 6 years (FSM ever 6)", "Context", "percent",
            None, _one("census", "PNUMFSMEVER")),
    Measure("PSENELK", "SEN support", "Context", "percent", None, _one("census", "PSENELK")),
    Measure("PSENELSE", "Education, health and care plan", "Context", "percent", None, _one("census", "PSENELSE")),
    Measure("PNUMEAL", "English as an additional language", "Context", "percent", None, _one("census", "PNUMEAL")),
    # Ofsted report cards (from November 2025)
    Measure("OFSTED_INSPECTION_DATE", "Inspection date", "Ofsted report card (from November 2025)", "date", None,
            _one("ofsted", _RC, date_column=_RC), charted=False),
    Measure("OFSTED_PUBLICATION_DATE", "Report published", "Ofsted report card (from November 2025)", "date", None,
            _one("ofsted", "Publication date", date_column=_RC), charted=False),
    Measure("OFSTED_CATEGORY", "Category of concern", "Ofsted report card (from November 2025)", "text", None,
            _one("ofsted", "Category of concern", date_column=_RC), charted=False),
    _report_card("OFSTED_RC_SAFEGUARDING", "Safeguarding standards", "Safeguarding standards",
                 "Safeguarding standards - date of grade", unit="met"),
    _report_card("OFSTED_RC_INCLUSION", "Inclusion", "Inclusion", "Inclusion - date of grade"),
    _report_card("OFSTED_RC_CURRICULUM", "Curriculum and teaching", "Curriculum and teaching",
                 "Curriculum and teaching - date of grade"),
    _report_card("OFSTED_RC_ACHIEVEMENT", "Achievement", "Achievement", "Achievement - date of grade"),
    _report_card("OFSTED_RC_ATTENDANCE", "Attendance and behaviour", "Attendance and behaviour",
                 "Attendance and behaviour - date of grade"),
    _report_card("OFSTED_RC_PERSONAL", "Personal development and wellbeing", "Personal development and wellbeing",
                 "Personal development and wellbeing - date of grade"),
    _report_card("OFSTED_RC_EARLY_YEARS", "Early years", "Early years (where applicable)",
                 "Early years - date of grade"),
    _report_card("OFSTED_RC_POST16", "Post-16 provision", "Post-16 provision (where applicable)",
                 "Post-16 provision - date of grade"),
    _report_card("OFSTED_RC_LEADERSHIP", "Leadership and governance", "Leadership and governance",
                 "Leadership and governance - date of grade"),
    # Ofsted graded inspections (the old framework, and September 2024 - November 2025)
    Measure("OFSTED_OEIF_DATE", "Inspection date", "Ofsted graded inspection (to November 2025)", "date", None,
            _one("ofsted", _OEIF, date_column=_OEIF), charted=False),
    Measure("OFSTED_OEIF_PUBLICATION_DATE", "Report published", "Ofsted graded inspection (to November 2025)", "date",
            None, _one("ofsted", "Publication date of latest OEIF graded inspection", date_column=_OEIF),
            charted=False),
    Measure("OFSTED_OEIF_CATEGORY", "Category of concern", "Ofsted graded inspection (to November 2025)", "text",
            None, _one("ofsted", "Latest OEIF category of concern", date_column=_OEIF), charted=False),
    _oeif("OFSTED_OE", "Overall effectiveness", "Latest OEIF overall effectiveness"),
    _oeif("OFSTED_QE", "Quality of education", "Latest OEIF quality of education"),
    _oeif("OFSTED_BA", "Behaviour and attitudes", "Latest OEIF behaviour and attitudes"),
    _oeif("OFSTED_PD", "Personal development", "Latest OEIF personal development"),
    _oeif("OFSTED_LM", "Leadership and management", "Latest OEIF effectiveness of leadership and management"),
    _oeif("OFSTED_EY", "Early years provision", "Latest OEIF early years provision (where applicable)"),
    _oeif("OFSTED_SIXTH", "Sixth form provision", "Latest OEIF sixth form provision (where applicable)"),
    Measure("OFSTED_SAFEGUARDING_EFFECTIVE", "Safeguarding is effective", "Ofsted graded inspection (to November 2025)",
            "yesno", None, _one("ofsted", "Latest OEIF safeguarding is effective?", date_column=_OEIF), charted=False),
    # Ofsted ungraded inspections
    Measure("OFSTED_UNGRADED_DATE", "Ungraded inspection date", "Ofsted ungraded inspection", "date", None,
            _one("ofsted", _UNGRADED, date_column=_UNGRADED), charted=False),
    Measure("OFSTED_UNGRADED_OUTCOME", "Ungraded inspection outcome", "Ofsted ungraded inspection", "text", None,
            _one("ofsted", "Ungraded inspection overall outcome", date_column=_UNGRADED), charted=False),
)
MEASURES_BY_CODE = {m.code: m for m in MEASURES}

# Context measures shown together at the top of the profile.
CONTEXT_MEASURES = ("NOR", "PNUMFSMEVER", "PSENELK", "PSENELSE", "PNUMEAL")
