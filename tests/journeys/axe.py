"""Accessibility checks with axe-core (the npm devDependency, installed by `make install`): every
page a journey visits is checked against WCAG 2.2 A and AA as axe can test them automatically.

The script is evaluated through the DevTools protocol rather than added as a <script> element:
the app's Content-Security-Policy rightly refuses inline scripts, and the journeys keep it on."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN = """options => axe.run(document, options).then(results => results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary || ''}))})))"""


@cache
def _axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make install` (npm ci installs axe-core)")
    return AXE_JS.read_text(encoding="utf-8")


# GOV.UK Frontend's one documented exception (alphagov/govuk-frontend#979, listed in #1280): a radio
# that reveals conditional content carries aria-expanded, which ARIA does not yet allow on a radio but
# screen readers announce, by the Design System's research. Only that attribute on such a radio is
# excused; any other attribute, element or rule still fails.
GOVUK_CONDITIONAL_RADIO = """target => { const el = document.querySelector(target);
    return !!el && el.matches('input.govuk-radios__input[type=radio][aria-controls]'); }"""


def _known_govuk_exception(page: Any, rule: str, node: dict[str, Any]) -> bool:
    attributes = set(re.findall(r"(aria-[a-z]+)=", node["summary"]))
    return (rule == "aria-allowed-attr" and attributes == {"aria-expanded"}
            and bool(page.evaluate(GOVUK_CONDITIONAL_RADIO, node["target"])))


def violations(page: Any) -> list[dict[str, Any]]:
    """axe's WCAG 2.x A/AA violations on the page as it is now (less GOV.UK Frontend's one known
    exception above)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    found = page.evaluate(RUN, {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    kept = []
    for v in found:
        v["nodes"] = [n for n in v["nodes"] if not _known_govuk_exception(page, v["id"], n)]
        if v["nodes"]:
            kept.append(v)
    return kept


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    found = violations(page)
    assert not found, f"axe found accessibility problems on {page.url}:\n{describe(found)}"
