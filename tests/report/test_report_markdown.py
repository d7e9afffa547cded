"""Markdown summary for $GITHUB_STEP_SUMMARY and tickets."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.catalogue.model import Rule
from scanner.model import Finding, Location, Notification, Severity, Suppression
from scanner.report import markdown
from scanner.report.markdown import escape_cell, render_markdown
from scanner.report.model import ScanResult

RULE = Rule(
    id="CCP101",
    name="telemetry-not-disabled",
    severity=Severity.HIGH,
    title="Telemetry is not disabled",
    what="",
    why="",
    example="",
    use_instead="",
    fix="",
)
ORG_RULE = Rule(
    id="ORG001",
    name="org-rule",
    severity=Severity.LOW,
    title="Org rule",
    what="",
    why="",
    example="",
    use_instead="",
    fix="",
    origin="ccpolicy.toml",
)
HELP = "https://github.com/ccpolicy/ccpolicy/blob/main/docs/rules/CCP101.md"


def _finding(severity: Severity, path: str = "a/.env", line: int = 3, **overrides: Any) -> Finding:
    fields: dict[str, Any] = {
        "rule_id": "CCP101",
        "severity": severity,
        "message": "Telemetry is on.",
        "location": Location(path, line, 5),
        "context": "project:.",
    }
    fields.update(overrides)
    return Finding(**fields)


def _result(*findings: Finding, **overrides: Any) -> ScanResult:
    fields: dict[str, Any] = {
        "root": "/r",
        "findings": findings,
        "notifications": (),
        "rules": (RULE, ORG_RULE),
        "files_scanned": 4,
    }
    fields.update(overrides)
    return ScanResult(**fields)


def test_full_summary() -> None:
    result = _result(
        _finding(Severity.MEDIUM, "b.env", 9),
        _finding(Severity.CRITICAL, "a.env", 2, baseline_state="new"),
        _finding(Severity.HIGH, "c.env", 1, baseline_state="unchanged"),
        _finding(Severity.LOW, "d.env", 4, rule_id="ORG001", message="Org says no."),
        _finding(Severity.HIGH, "s.env", 1, suppressed=Suppression("external", "accepted")),
        notifications=(Notification("warning", "Could not parse.", "bad.json", 7),),
        fixed=({"fingerprint": "x"},),
        stale_waivers=("CCP999 in old.env",),
    )
    assert render_markdown(result) == (
        "## ccpolicy: ❌ failed\n"
        "\n"
        "1 new finding at or above **high**; 4 active findings in 4 files "
        "(critical 1 · high 1 · medium 1 · low 1 · info 0).\n"
        "\n"
        "| Severity | Rule | Location | Message |\n"
        "| --- | --- | --- | --- |\n"
        f"| critical (new) | [CCP101 telemetry-not-disabled]({HELP}) | a.env:2 | Telemetry is on. |\n"
        f"| high | [CCP101 telemetry-not-disabled]({HELP}) | c.env:1 | Telemetry is on. |\n"
        f"| medium | [CCP101 telemetry-not-disabled]({HELP}) | b.env:9 | Telemetry is on. |\n"
        "| low | ORG001 org-rule | d.env:4 | Org says no. |\n"
        "\n"
        "Baseline: 1 new, 1 unchanged, 1 fixed.\n"
        "\n"
        "1 finding suppressed (inline ignores or waivers).\n"
        "\n"
        "1 waiver matched nothing (stale).\n"
        "\n"
        "### Notifications\n"
        "\n"
        "- **warning** bad.json:7: Could not parse.\n"
    )


def test_clean_scan_passes() -> None:
    assert render_markdown(_result(files_scanned=1)) == (
        "## ccpolicy: ✅ passed\n"
        "\n"
        "no new findings at or above **high**; 0 active findings in 1 file "
        "(critical 0 · high 0 · medium 0 · low 0 · info 0).\n"
        "\n"
        "No active findings.\n"
    )


def test_failing_without_baseline_counts_findings() -> None:
    text = render_markdown(_result(_finding(Severity.HIGH), _finding(Severity.CRITICAL, "b.env")))
    assert text.startswith("## ccpolicy: ❌ failed\n\n2 findings at or above **high**; 2 active findings")


def test_findings_below_the_threshold_pass() -> None:
    text = render_markdown(_result(_finding(Severity.MEDIUM), fail_on=Severity.CRITICAL))
    assert text.startswith(
        "## ccpolicy: ✅ passed\n\nno new findings at or above **critical**; 1 active finding"
    )


def test_report_only_mode_never_fails() -> None:
    text = render_markdown(_result(_finding(Severity.CRITICAL), fail_on=None))
    assert text.startswith(
        "## ccpolicy: ✅ passed\n\nreport only, no severity fails the scan; 1 active finding"
    )


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a | b", "a \\| b"),
        ("back\\slash|pipe", "back\\\\slash\\|pipe"),
        ("line1\nline2\r\nline3", "line1<br>line2<br>line3"),
        ("<script>*bold*_it_`code`[x](y)", "\\<script\\>\\*bold\\*\\_it\\_\\`code\\`\\[x\\](y)"),
        ("DO_NOT_TRACK=0 and _private __init__", "DO_NOT_TRACK=0 and \\_private \\_\\_init\\_\\_"),
    ],
)
def test_escape_cell(raw: str, escaped: str) -> None:
    assert escape_cell(raw) == escaped


def test_long_cells_are_shortened() -> None:
    assert escape_cell("x" * 400) == "x" * 299 + "…"


def test_table_cells_cannot_break_the_row() -> None:
    finding = _finding(Severity.HIGH, "we|ird.env", 1, message="a|b\nc")
    row = render_markdown(_result(finding)).splitlines()[6]
    assert row == f"| high | [CCP101 telemetry-not-disabled]({HELP}) | we\\|ird.env:1 | a\\|b<br>c |"


def test_row_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "MAX_ROWS", 2)
    findings = [_finding(Severity.HIGH, f"f{i}.env") for i in range(5)]
    lines = render_markdown(_result(*findings)).splitlines()
    assert lines[6].startswith("| high | ") and "f0.env:3" in lines[6]
    assert "f1.env:3" in lines[7]
    assert lines[8:] == ["", "… and 3 more."]


def test_notification_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markdown, "MAX_NOTIFICATIONS", 1)
    notes = (Notification("error", "one|x"), Notification("note", "two"), Notification("note", "three"))
    text = render_markdown(_result(notifications=notes))
    assert text.endswith("### Notifications\n\n- **error** one\\|x\n- … and 2 more.\n")
