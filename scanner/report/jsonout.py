"""JSON output, schema_version 1 (public API: fields may be added, never renamed or removed).

See README "JSON output" for the documented schema.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from scanner import __version__
from scanner.model import Finding, Location, Severity
from scanner.report.model import ScanResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

SCHEMA_VERSION = 1


def _loc(loc: Location) -> dict[str, Any]:
    return {"path": loc.path, "line": loc.line, "column": loc.column}


def finding_dict(f: Finding, result: ScanResult, target: str) -> dict[str, Any]:
    rule = next((r for r in result.rules if r.id == f.rule_id), None)
    out: dict[str, Any] = {
        "rule_id": f.rule_id,
        "rule_name": rule.name if rule else "",
        "severity": f.severity.label,
        "title": rule.title if rule else "",
        "target": target,
        "path": f.location.path,
        "line": f.location.line,
        "column": f.location.column,
        "end_line": f.location.end_line,
        "end_column": f.location.end_column,
        "message": f.message,
        "context": f.context,
        "fingerprint": f.fingerprint,
        "provenance": [_loc(p) for p in f.provenance],
        "suppressed": None,
        "baseline_state": f.baseline_state,
        "help_uri": rule.help_uri if rule else "",
    }
    if f.suppressed is not None:
        out["suppressed"] = {
            "kind": "inline" if f.suppressed.kind == "inSource" else "waiver",
            "reason": f.suppressed.justification,
            "owner": f.suppressed.owner,
            "expires": f.suppressed.expires,
        }
    return out


def severity_counts(findings: Sequence[Finding]) -> dict[str, int]:
    counts = {s.label: 0 for s in sorted(Severity, reverse=True)}
    for f in findings:
        counts[f.severity.label] += 1
    return counts


def to_dict(results: Sequence[tuple[str, ScanResult]]) -> dict[str, Any]:
    findings: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    contexts: list[dict[str, Any]] = []
    targets: list[dict[str, Any]] = []
    rules: dict[str, dict[str, Any]] = {}
    active: list[Finding] = []
    failing = 0
    suppressed = 0
    fixed: list[dict[str, str]] = []
    stale: list[str] = []
    fail_on = results[0][1].fail_on if results else Severity.HIGH
    for target, result in results:
        targets.append(
            {
                "target": target,
                "kind": result.category,
                "files_scanned": result.files_scanned,
                "contexts": len(result.contexts),
            }
        )
        for f in result.findings:
            findings.append(finding_dict(f, result, target))
        active.extend(result.active)
        failing += len(result.failing())
        suppressed += len(result.findings) - len(result.active)
        for n in result.notifications:
            notifications.append(
                {
                    "target": target,
                    "level": n.level,
                    "message": n.message,
                    "path": n.path,
                    "line": n.line,
                    "descriptor": n.descriptor,
                }
            )
        for c in result.contexts:
            contexts.append(
                {
                    "target": target,
                    "id": c.id,
                    "kind": c.kind.value,
                    "label": c.label,
                    "path": c.anchor.path,
                    "line": c.anchor.line,
                    "provider": c.provider.name,
                    "files": list(c.files),
                    **({"attributes": dict(c.attributes)} if c.attributes else {}),
                }
            )
        for r in result.rules:
            rules.setdefault(
                r.id,
                {
                    "id": r.id,
                    "name": r.name,
                    "severity": r.severity.label,
                    "title": r.title,
                    "help_uri": r.help_uri,
                },
            )
        fixed.extend({"target": target, **item} for item in result.fixed)
        stale.extend(result.stale_waivers)
    policy = results[0][1].extra.get("policy") if results else None
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "ccpolicy", "version": __version__},
        "policy": _policy_summary(policy),
        "summary": {
            "findings": len(active),
            "by_severity": severity_counts(active),
            "suppressed": suppressed,
            "fail_on": fail_on.label if fail_on is not None else "never",
            "failed": failing > 0,
            "notifications": len(notifications),
        },
        "targets": targets,
        "findings": findings,
        "fixed": fixed,
        "stale_waivers": sorted(set(stale)),
        "notifications": notifications,
        "contexts": contexts,
        "rules": [rules[k] for k in sorted(rules)],
    }


def render_json(results: Sequence[tuple[str, ScanResult]]) -> str:
    return json.dumps(to_dict(results), indent=2, ensure_ascii=False) + "\n"


def _policy_summary(policy: object) -> dict[str, Any] | None:
    """Which policy judged the scan: its file (or the built-in preset) and presets."""
    if not isinstance(policy, dict):
        return None
    keys = ("source", "file", "presets", "rules", "organisation_rules", "waivers")
    out = {k: policy[k] for k in keys if k in policy}
    for key in ("source", "file"):
        if isinstance(out.get(key), str):
            out[key] = display_path(out[key])
    return out


def display_path(path: str) -> str:
    """A path relative to the working directory when it is under it (stable across checkouts)."""
    import os

    if not os.path.isabs(path):
        return path
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel.replace(os.sep, "/")
