"""GitHub Actions workflow commands (`::error file=...::message`) for active findings.

GitHub shows only 10 annotations of each kind per step, so errors come first and each kind is
capped; a final notice says how many were left out. Escaping follows the runner's rules
(actions/toolkit `command.ts`): `%`, CR and LF in the message; also `:` and `,` in properties.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.model import Finding, Severity
from scanner.report.model import ScanResult

MAX_PER_LEVEL = 50
LEVELS = ("error", "warning", "notice")

_LEVEL_BY_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation_level(severity: Severity) -> str:
    """critical/high -> error, medium -> warning, low/info -> notice."""
    return _LEVEL_BY_SEVERITY[severity]


def _command(level: str, properties: Iterable[tuple[str, object]], message: str) -> str:
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    head = f"{level} {rendered}" if rendered else level
    return f"::{head}::{escape_data(message)}"


def _annotation(finding: Finding, rule_names: dict[str, str]) -> str:
    location = finding.location
    properties: list[tuple[str, object]] = [("file", location.path)]
    if isinstance(location.line, int) and location.line >= 1:
        properties.append(("line", location.line))
        if isinstance(location.column, int) and location.column >= 1:
            properties.append(("col", location.column))
    name = rule_names.get(finding.rule_id, "")
    properties.append(("title", f"{finding.rule_id} {name}".strip()))
    message = finding.message if finding.message.strip() else finding.rule_id
    return _command(annotation_level(finding.severity), properties, message)


def render_annotations(result: ScanResult) -> str:
    """One workflow command per active finding (at most MAX_PER_LEVEL per level), errors first."""
    rule_names = {rule.id: rule.name for rule in result.rules}
    ordered = sorted(result.active, key=lambda f: (-int(f.severity), *f.sort_key()))
    by_level: dict[str, list[Finding]] = {level: [] for level in LEVELS}
    for finding in ordered:
        by_level[annotation_level(finding.severity)].append(finding)
    lines: list[str] = []
    omitted: dict[str, int] = {}
    for level in LEVELS:
        findings = by_level[level]
        lines.extend(_annotation(finding, rule_names) for finding in findings[:MAX_PER_LEVEL])
        if len(findings) > MAX_PER_LEVEL:
            omitted[level] = len(findings) - MAX_PER_LEVEL
    if omitted:
        total = sum(omitted.values())
        detail = ", ".join(f"{count} {level}{'s' if count != 1 else ''}" for level, count in omitted.items())
        lines.append(
            _command(
                "notice",
                [("title", "ccpolicy")],
                f"{total} more finding{'s' if total != 1 else ''} not shown as annotations ({detail}); "
                "see the SARIF report or the job summary.",
            )
        )
    return "".join(f"{line}\n" for line in lines)
