"""`--format short`: one line per blocking finding, then a summary, for commit hook logs."""

from __future__ import annotations

from typing import Any

from scanner.model import Finding, Location, Notification, Severity, Suppression
from scanner.report.model import ScanResult
from scanner.report.short import finding_line, render_short, summary_line


def finding(rule_id: str, severity: Severity, path: str, line: int, column: int = 1, **extra: Any) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=severity,
        message=extra.pop("message", f"{rule_id} message."),
        location=Location(path, line, column),
        context="project:.",
        **extra,
    )


def result(
    *findings: Finding, fail_on: Severity | None = Severity.HIGH, files: int = 2, **extra: Any
) -> ScanResult:
    return ScanResult(root="/r", findings=findings, notifications=extra.pop("notifications", ()), rules=(),
                      files_scanned=files, fail_on=fail_on, **extra)  # fmt: skip


def test_only_blocking_findings_are_listed_most_severe_first() -> None:
    scan = result(
        finding("CCP101", Severity.MEDIUM, ".claude/settings.json", 2, 3),
        finding("CCP402", Severity.HIGH, "b/.env", 1),
        finding("CCP401", Severity.CRITICAL, "z/.env", 4, 7),
        finding("CCP403", Severity.HIGH, "a/.env", 9, 2),
    )
    assert render_short([(".", scan)]).splitlines() == [
        "z/.env:4:7: CCP401 [critical] CCP401 message.",
        "a/.env:9:2: CCP403 [high] CCP403 message.",
        "b/.env:1:1: CCP402 [high] CCP402 message.",
        "ccpolicy: 4 findings (1 critical, 2 high, 1 medium) in 2 configuration files; 3 at or above high: "
        "failing (1 below high not listed: run `ccpolicy scan`). Details: ccpolicy explain CCP401",
    ]


def test_nothing_blocking_gives_one_summary_line() -> None:
    scan = result(finding("CCP101", Severity.MEDIUM, ".env", 1), files=1)
    assert render_short([(".", scan)]) == (
        "ccpolicy: 1 finding (1 medium) in 1 configuration file; none at or above high.\n"
    )
    assert (
        render_short([(".", result(files=0))])
        == "ccpolicy: 0 findings in 0 configuration files; none at or above high.\n"
    )


def test_without_a_threshold_every_finding_is_listed() -> None:
    scan = result(finding("CCP104", Severity.LOW, "x.sh", 3), finding("CCP101", Severity.MEDIUM, "x.sh", 5),
                  fail_on=None)  # fmt: skip
    assert render_short([(".", scan)]).splitlines() == [
        "x.sh:5:1: CCP101 [medium] CCP101 message.",
        "x.sh:3:1: CCP104 [low] CCP104 message.",
        "ccpolicy: 2 findings (1 medium, 1 low) in 2 configuration files.",
    ]


def test_suppressed_and_baseline_unchanged_findings_do_not_block() -> None:
    scan = result(
        finding("CCP401", Severity.CRITICAL, ".env", 1, suppressed=Suppression("inSource", "test key")),
        finding("CCP402", Severity.HIGH, ".env", 2, baseline_state="unchanged"),
        finding("CCP403", Severity.HIGH, ".env", 3, baseline_state="new"),
    )
    assert render_short([(".", scan)]).splitlines() == [
        ".env:3:1: CCP403 [high] CCP403 message.",
        "ccpolicy: 2 findings (2 high) in 2 configuration files; 1 at or above high: failing "
        "(1 below high not listed: run `ccpolicy scan`). Details: ccpolicy explain CCP403",
    ]


def test_several_targets_prefix_their_paths_and_notifications() -> None:
    app = result(
        finding("CCP401", Severity.CRITICAL, ".env", 1),
        notifications=(Notification("warning", "file is binary; not scanned", "bin.sh", None, "binary"),),
    )
    web = result(
        finding("CCP401", Severity.CRITICAL, "/etc/environment", 2),
        notifications=(Notification("error", "bad\nthing", "x.json", 7), Notification("note", "no path")),
    )
    assert render_short([("app", app), ("web/", web)]).splitlines() == [
        "/etc/environment:2:1: CCP401 [critical] CCP401 message.",
        "app/.env:1:1: CCP401 [critical] CCP401 message.",
        "app/bin.sh: warning: file is binary; not scanned",
        "web/x.json:7: error: bad thing",
        "ccpolicy: note: no path",
        "ccpolicy: 2 findings (2 critical) in 4 configuration files; 2 at or above high: failing. "
        "Details: ccpolicy explain CCP401",
    ]


def test_messages_stay_on_one_line() -> None:
    odd = finding("CCP108", Severity.HIGH, "a.sh", 1, message="first\r\n  second\nthird ")
    assert finding_line(odd, "a.sh") == "a.sh:1:1: CCP108 [high] first second third"
    empty = finding("CCP108", Severity.HIGH, "a.sh", 1, message="  ")
    assert finding_line(empty, "a.sh") == "a.sh:1:1: CCP108 [high] CCP108"


def test_summary_of_no_results() -> None:
    assert summary_line([]) == "ccpolicy: 0 findings in 0 configuration files; none at or above high."
