"""Bandit finds nothing of medium severity or more (at medium confidence or more) in the package or
the scripts. A false positive is marked on its line with the test it silences and why:
`# nosec B704  # only numbers, constants and escaped text go in` (bandit reads up to the second #)."""
from __future__ import annotations

import json
import re
import subprocess  # nosec B404  # runs bandit, a fixed command
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("lea_support", "scripts")
EXPLAINED = re.compile(r"#\s*nosec\s+B\d{3}(,\s*B\d{3})*\s+#\s*\S")


def test_bandit_finds_nothing_at_medium_severity_and_confidence():
    result = subprocess.run(  # nosec B603  # a fixed command: no shell, no outside input
        [sys.executable, "-m", "bandit", "-r", *SCANNED, "-ll", "-ii", "-q", "-f", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    assert not report["errors"], report["errors"]
    findings = [f"{r['filename']}:{r['line_number']}: {r['test_id']} {r['issue_text']} "
                f"({r['issue_severity']}/{r['issue_confidence']})" for r in report["results"]]
    assert not findings, "\n".join(findings)
    assert result.returncode == 0, result.stderr
    assert "Test in comment" not in result.stderr, result.stderr  # a reason bandit took for test names


def test_every_nosec_names_its_test_and_says_why():
    unexplained = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
                   for folder in SCANNED for path in sorted((ROOT / folder).rglob("*.py"))
                   for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                   if re.search(r"#\s*nosec\b", line) and not EXPLAINED.search(line)]
    assert not unexplained, "\n".join(unexplained)
