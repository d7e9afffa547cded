"""A small fleet's scan outputs, written by the real reporters (helpers, not tests).

Three hosts (one could not be scanned) as JSON, two repositories as SARIF, the way the SSH
and Actions examples collect them: one file per host or repository, named after it.
"""

from __future__ import annotations

from pathlib import Path

from scanner.catalogue.model import Rule
from scanner.model import Finding, Location, Notification, Severity, Suppression
from scanner.multi.outcome import failed_result
from scanner.report.jsonout import render_json
from scanner.report.model import ScanResult
from scanner.report.sarif import render_sarif
from scanner.scan import ScanOptions


def _rule(rule_id: str, name: str, severity: Severity, title: str) -> Rule:
    return Rule(
        id=rule_id,
        name=name,
        severity=severity,
        title=title,
        what=f"{title}.",
        why="Why.",
        example="",
        use_instead="",
        fix="Fix it.",
    )


RULES = (
    _rule("CCP101", "telemetry-not-disabled", Severity.HIGH, "Telemetry to Anthropic is not disabled"),
    _rule(
        "CCP107",
        "misleading-switch-value",
        Severity.MEDIUM,
        "A switch value does not do what it appears to do",
    ),
    _rule("CCP205", "otel-logs-prompts", Severity.MEDIUM, "OpenTelemetry logs user prompts"),
    _rule("CCP401", "literal-anthropic-key", Severity.CRITICAL, "Literal Anthropic API key in a file"),
)
OPTIONS = ScanOptions(rules=RULES)


def _finding(
    rule_id: str,
    severity: Severity,
    where: tuple[str, int, int],
    message: str,
    *,
    suppressed: Suppression | None = None,
) -> Finding:
    path, line, column = where
    return Finding(
        rule_id=rule_id,
        severity=severity,
        message=message,
        location=Location(path, line, column),
        context="ctx",
        fingerprint=f"{rule_id}-{path}-{line}",
        key=rule_id,
        suppressed=suppressed,
    )


def _result(
    category: str, root: str, findings: tuple[Finding, ...], notifications: tuple[Notification, ...] = ()
) -> ScanResult:
    return ScanResult(
        root=root,
        findings=findings,
        notifications=notifications,
        rules=RULES,
        files_scanned=3,
        category=category,
        fail_on=Severity.HIGH,
    )


KEY_MESSAGE = "ANTHROPIC_API_KEY holds a literal Anthropic API key (sk-ant-api03-…[REDACTED])."
WEB_01 = _result(
    "host",
    "/",
    (
        _finding(
            "CCP101",
            Severity.HIGH,
            ("/etc/claude-code/managed-settings.json", 4, 5),
            "Telemetry is on for dev in /srv/app|api: DISABLE_TELEMETRY is unset.",
        ),
        _finding(
            "CCP205",
            Severity.MEDIUM,
            ("/home/dev/.zshrc", 7, 8),
            "OTEL_LOG_USER_PROMPTS=1 logs prompts.",
            suppressed=Suppression("external", "collector is internal", "secops", "2027-01-01"),
        ),
        _finding("CCP401", Severity.CRITICAL, ("/home/dev/.bashrc", 3, 8), KEY_MESSAGE),
    ),
    (
        Notification(
            "warning", "file is not valid JSON; not scanned", "/home/dev/.claude.json", 1, "parse-error"
        ),
    ),
)
WEB_02 = _result(
    "host",
    "/",
    (
        _finding(
            "CCP101", Severity.HIGH, ("/home/ops/.claude/settings.json", 2, 3), "Telemetry is on for ops."
        ),
    ),
)
SVC_A = _result(
    "repository",
    "/work/svc-a",
    (
        _finding(
            "CCP107",
            Severity.MEDIUM,
            (".claude/settings.json", 3, 5),
            'DISABLE_TELEMETRY="0" switches it ON.',
        ),
        _finding("CCP101", Severity.HIGH, (".claude/settings.json", 3, 5), "Telemetry is on in project ."),
        _finding("CCP401", Severity.CRITICAL, (".env", 1, 1), KEY_MESSAGE),
    ),
)
SVC_B = _result("repository", "/work/svc-b", ())
WEB_03 = failed_result("web-03", "ssh exited with status 255", OPTIONS)._replace(category="host")


def write_fleet(directory: Path) -> dict[str, Path]:
    """web-01.json, web-02.json, web-03.json (failed), svc-a.sarif, svc-b.sarif under `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    outputs = {
        "web-01.json": render_json([("web-01", WEB_01)]),
        "web-02.json": render_json([("web-02", WEB_02)]),
        "web-03.json": render_json([("web-03", WEB_03)]),
        "svc-a.sarif": render_sarif(SVC_A, file_texts={}),
        "svc-b.sarif": render_sarif(SVC_B, file_texts={}),
    }
    paths = {}
    for name, text in outputs.items():
        paths[name] = directory / name
        paths[name].write_text(text, encoding="utf-8")
    return paths


def write_json_repos(directory: Path) -> dict[str, Path]:
    """svc-a.json and svc-b.json as the Actions example writes them: each scanned as `.`."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, result in (("svc-a", SVC_A), ("svc-b", SVC_B)):
        paths[name] = directory / f"{name}.json"
        paths[name].write_text(render_json([(".", result)]), encoding="utf-8")
    return paths
