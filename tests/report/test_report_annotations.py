"""GitHub workflow-command annotations."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.catalogue.model import Rule
from scanner.model import Finding, Location, Severity, Suppression
from scanner.report import annotations as annotations_module
from scanner.report.annotations import escape_data, escape_property, render_annotations
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


def _result(*findings: Finding) -> ScanResult:
    return ScanResult(root="/r", findings=findings, notifications=(), rules=(RULE,))


def test_one_command_per_active_finding_with_level_by_severity() -> None:
    text = render_annotations(
        _result(
            _finding(Severity.LOW, "l.env"),
            _finding(Severity.CRITICAL, "c.env"),
            _finding(Severity.MEDIUM, "m.env"),
            _finding(Severity.HIGH, "h.env"),
            _finding(Severity.INFO, "i.env"),
            _finding(Severity.HIGH, "s.env", suppressed=Suppression("inSource", "ok")),
        )
    )
    title = "title=CCP101 telemetry-not-disabled"
    assert text == (
        f"::error file=c.env,line=3,col=5,{title}::Telemetry is on.\n"
        f"::error file=h.env,line=3,col=5,{title}::Telemetry is on.\n"
        f"::warning file=m.env,line=3,col=5,{title}::Telemetry is on.\n"
        f"::notice file=l.env,line=3,col=5,{title}::Telemetry is on.\n"
        f"::notice file=i.env,line=3,col=5,{title}::Telemetry is on.\n"
    )


def test_nothing_to_report_is_empty() -> None:
    assert render_annotations(_result()) == ""


def test_escaping_of_data_and_properties() -> None:
    finding = _finding(
        Severity.HIGH,
        path="dir,with:odd%/file\r\n.env",
        message="100% wrong:\nline two,\r done",
        rule_id="ORG1",
    )
    assert render_annotations(_result(finding)) == (
        "::error file=dir%2Cwith%3Aodd%25/file%0D%0A.env,line=3,col=5,title=ORG1"
        "::100%25 wrong:%0Aline two,%0D done\n"
    )


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("a%b", "a%25b", "a%25b"),
        ("a\rb\nc", "a%0Db%0Ac", "a%0Db%0Ac"),
        ("k:v,w", "k:v,w", "k%3Av%2Cw"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_escape_functions(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_missing_line_omits_line_and_column() -> None:
    finding = _finding(Severity.MEDIUM, location=Location("x.json", 0, 0))
    assert render_annotations(_result(finding)) == (
        "::warning file=x.json,title=CCP101 telemetry-not-disabled::Telemetry is on.\n"
    )


def test_empty_message_falls_back_to_rule_id() -> None:
    assert render_annotations(_result(_finding(Severity.LOW, message=""))).endswith("::CCP101\n")


def test_cap_per_level_with_a_final_notice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(annotations_module, "MAX_PER_LEVEL", 2)
    findings = [_finding(Severity.HIGH, f"e{i}.env") for i in range(5)]
    findings += [_finding(Severity.MEDIUM, f"w{i}.env") for i in range(3)]
    findings += [_finding(Severity.LOW, "n.env")]
    lines = render_annotations(_result(*findings)).splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "::error file=e0.env",
        "::error file=e1.env",
        "::warning file=w0.env",
        "::warning file=w1.env",
        "::notice file=n.env",
        "::notice title=ccpolicy::4 more findings not shown as annotations (3 errors",
    ]
    assert lines[-1] == (
        "::notice title=ccpolicy::4 more findings not shown as annotations (3 errors, 1 warning); "
        "see the SARIF report or the job summary."
    )


def test_default_cap_is_fifty_per_level() -> None:
    findings = [_finding(Severity.HIGH)._replace(location=Location(f"f{i:03d}.env", 1, 1)) for i in range(60)]
    lines = render_annotations(_result(*findings)).splitlines()
    assert len(lines) == 51
    assert lines[-1].startswith(
        "::notice title=ccpolicy::10 more findings not shown as annotations (10 errors)"
    )
