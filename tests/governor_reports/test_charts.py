"""The project's own SVG charts: well-formed, every piece of text escaped, and a title that says in
words what the picture shows."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from lea_support.governor_reports import charts

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert("x")</script> & Co'


def _title(svg: str) -> str:
    root = ET.fromstring(str(svg))  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}script") is None and root.find(f".//{SVG}foreignObject") is None
    return root.find(f"{SVG}title").text


def test_the_rag_summary_gives_every_count_in_words():
    svg = charts.rag_summary({"complete": 3, "green": 2, "amber": 1, "red": 0})
    assert _title(svg) == "The plan's 6 actions by RAG status: 3 complete, 2 green, 1 amber, 0 red"
    assert charts.rag_summary({"complete": 0}) is None


def test_the_judgement_profile_escapes_the_names_it_is_given():
    rows = charts.judgement_profile([{"name": NASTY, "grade": 2, "label": "Very good & <improving>",
                                      "previous_grade": 5, "previous_label": "Unsatisfactory"}])
    svg = rows[0]["bar"]
    assert _title(svg) == "2 Very good & <improving>, previously 5 Unsatisfactory"
    assert "<improving>" not in svg and "&lt;improving&gt;" in svg
    assert rows[0]["name"] == NASTY  # the template escapes it, as it does all text


def test_the_support_level_over_time_is_a_step_for_each_decision():
    svg = charts.tier_history([
        {"date": "2025-09-01", "date_text": "1 September 2025", "level": 1, "tier_name": "Light <touch>"},
        {"date": "2025-10-01", "date_text": "1 October 2025", "level": 4, "tier_name": "Significant support"},
        {"date": "2026-11-05", "date_text": "5 November 2026", "level": 3, "tier_name": "Significant support"},
    ], start=date(2025, 9, 1), end=date(2026, 12, 18))
    assert _title(svg) == ("Support level over time: from 1 September 2025, level 1 (Light <touch>); from 1 October "
                           "2025, level 4 (Significant support); from 5 November 2026, level 3 (Significant support)")
    path = ET.fromstring(str(svg)).find(f"{SVG}path").get("d")
    assert path.count("V") == 2 and path.startswith("M")
