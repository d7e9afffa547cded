"""SARIF logs and JSON reports -> the plain model the fleet report reads (model.Fleet).

Both formats may be mixed here. Target names are made distinct across files as merge does, so
a report over the inputs of a merge names targets as a report over its output does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import unquote

from scanner.fleet.inputs import JSON, Document
from scanner.fleet.model import Fleet, FleetFinding, FleetTarget
from scanner.fleet.names import distinct, run_kind, run_target
from scanner.model import Severity

TARGET_FAILED = "target-failed"  # scanner.multi.outcome writes it; repeated to keep imports light
# The SARIF reporter's own notes about GitHub's limits (report/sarif.py): about the log, not the target.
SARIF_TRUNCATED = "truncated"
_SEVERITY_BY_LEVEL = {
    "error": Severity.HIGH,
    "warning": Severity.MEDIUM,
    "note": Severity.LOW,
    "none": Severity.INFO,
}


@dataclass
class _Target:
    file_index: int
    name: str
    kind: str
    failure: str | None = None
    notifications: int = 0
    findings: list[FleetFinding] = field(default_factory=list)


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("text")
    return value if isinstance(value, str) else ""


def _severity(label: object, fallback: Severity) -> Severity:
    if isinstance(label, str):
        try:
            return Severity.parse(label)
        except ValueError:
            pass
    return fallback


# JSON ----------------------------------------------------------------------------------------


def _json_targets(document: Document, file_index: int, titles: dict[str, str]) -> list[_Target]:
    data = document.data
    targets: dict[str, _Target] = {}
    for entry in data["targets"]:
        kind = entry.get("kind")
        name = entry["target"]
        targets.setdefault(name, _Target(file_index, name, kind if isinstance(kind, str) else ""))

    def target(name: object) -> _Target:
        key = name if isinstance(name, str) else ""
        return targets.setdefault(key, _Target(file_index, key, ""))

    for item in data["findings"]:
        target(item["target"]).findings.append(
            FleetFinding(
                target=item["target"],
                rule_id=item["rule_id"],
                severity=Severity.parse(item["severity"]),
                path=item["path"],
                line=_int(item.get("line")),
                column=_int(item.get("column")),
                message=item["message"],
                suppressed=bool(item.get("suppressed")),
            )
        )
    for note in data.get("notifications", []):
        owner = target(note.get("target"))
        if note.get("descriptor") == TARGET_FAILED:
            owner.failure = owner.failure or note["message"]
        else:
            owner.notifications += 1
    for rule in data.get("rules", []):
        if isinstance(rule.get("id"), str):
            titles.setdefault(rule["id"], _text(rule.get("title")))
    return list(targets.values())


# SARIF ---------------------------------------------------------------------------------------


def _suppressed(result: dict[str, Any]) -> bool:
    suppressions = result.get("suppressions")
    if not isinstance(suppressions, list):
        return False
    return any(isinstance(s, dict) and s.get("status", "accepted") == "accepted" for s in suppressions)


def _location(result: dict[str, Any]) -> tuple[str, int, int]:
    locations = result.get("locations")
    first = locations[0] if isinstance(locations, list) and locations else {}
    physical = first.get("physicalLocation") if isinstance(first, dict) else None
    physical = physical if isinstance(physical, dict) else {}
    artifact = physical.get("artifactLocation")
    uri = artifact.get("uri") if isinstance(artifact, dict) else None
    path = unquote(uri.removeprefix("file://")) if isinstance(uri, str) else ""
    region = physical.get("region")
    region = region if isinstance(region, dict) else {}
    return path, _int(region.get("startLine")), _int(region.get("startColumn"))


def _sarif_result(name: str, result: dict[str, Any], rules: list[Any]) -> FleetFinding:
    index = result.get("ruleIndex")
    rule = rules[index] if isinstance(index, int) and 0 <= index < len(rules) else None
    rule = rule if isinstance(rule, dict) else {}
    rule_id = result.get("ruleId") or rule.get("id") or ""
    default = rule.get("defaultConfiguration")
    level = result.get("level") or (default.get("level") if isinstance(default, dict) else None) or "warning"
    properties = result.get("properties")
    label = properties.get("ccpolicy/severity") if isinstance(properties, dict) else None
    path, line, column = _location(result)
    return FleetFinding(
        target=name,
        rule_id=str(rule_id),
        severity=_severity(label, _SEVERITY_BY_LEVEL.get(str(level), Severity.MEDIUM)),
        path=path,
        line=line,
        column=column,
        message=_text(result.get("message")),
        suppressed=_suppressed(result),
    )


def _sarif_targets(document: Document, file_index: int, titles: dict[str, str]) -> list[_Target]:
    runs = document.data["runs"]
    targets = []
    for run_index, run in enumerate(runs):
        name = run_target(run, document.stem, run_index, len(runs))
        target = _Target(file_index, name, run_kind(run))
        driver = run["tool"]["driver"]
        rules = driver.get("rules") if isinstance(driver.get("rules"), list) else []
        for rule in rules:
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                titles.setdefault(rule["id"], _text(rule.get("shortDescription")))
        target.findings = [_sarif_result(name, result, rules) for result in run.get("results", [])]
        invocations = run.get("invocations")
        for invocation in invocations if isinstance(invocations, list) else []:
            notes = invocation.get("toolExecutionNotifications") if isinstance(invocation, dict) else None
            for note in notes if isinstance(notes, list) else []:
                descriptor = note.get("descriptor") if isinstance(note, dict) else None
                kind = descriptor.get("id") if isinstance(descriptor, dict) else None
                if kind == TARGET_FAILED:
                    target.failure = target.failure or _text(note.get("message"))
                elif kind != SARIF_TRUNCATED:
                    target.notifications += 1
        targets.append(target)
    return targets


def collect(documents: Sequence[Document]) -> Fleet:
    titles: dict[str, str] = {}
    targets: list[_Target] = []
    for file_index, document in enumerate(documents):
        reader = _json_targets if document.format == JSON else _sarif_targets
        targets.extend(reader(document, file_index, titles))
    names = distinct([(t.file_index, t.name) for t in targets], [d.stem for d in documents])
    fleet_targets: list[FleetTarget] = []
    findings: list[FleetFinding] = []
    for target, name in zip(targets, names, strict=True):
        fleet_targets.append(FleetTarget(name, target.kind, target.failure, target.notifications))
        findings.extend(replace(finding, target=name) for finding in target.findings)
    return Fleet(tuple(fleet_targets), tuple(findings), titles)
