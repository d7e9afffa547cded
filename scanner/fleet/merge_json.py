"""ccpolicy JSON reports (schema_version 1) from many hosts and repositories -> one report.

Targets keep the order of the files and of the targets in them. A target name used by more
than one file is qualified with each file's stem (names.py) rather than letting one file win:
outputs of a fleet routinely share names (`.` in every Actions job). A target identical in
every respect to one already kept (the same file collected twice) is kept once, and so is a
finding repeated within a target. The summary is recomputed; `fail_on` is the inputs' common
value, or "mixed" when they differ, and `failed` is true when any input failed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from scanner import __version__
from scanner.fleet.inputs import SUPPORTED_SCHEMA_VERSION, Document
from scanner.fleet.model import Merged
from scanner.fleet.names import distinct

SEVERITY_LABELS = ("critical", "high", "medium", "low", "info")
MIXED = "mixed"
_PER_TARGET = ("findings", "notifications", "contexts", "fixed")


@dataclass
class _Block:
    file_index: int
    name: str
    entry: dict[str, Any]
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def canonical(self) -> str:
        return json.dumps([self.entry, self.items], sort_keys=True, ensure_ascii=False)


def _finding_key(finding: dict[str, Any]) -> str:
    fields = ("rule_id", "path", "line", "column", "context", "fingerprint", "message")
    return json.dumps([finding.get(name) for name in fields], ensure_ascii=False)


def _blocks(document: Document, file_index: int, warnings: list[str]) -> list[_Block]:
    data = document.data
    blocks: dict[str, _Block] = {}
    for entry in data["targets"]:
        blocks.setdefault(entry["target"], _Block(file_index, entry["target"], entry))
    fallback = data["targets"][0]["target"] if len(data["targets"]) == 1 else ""
    for key in _PER_TARGET:
        for item in data.get(key, []):
            name = item.get("target")
            name = name if isinstance(name, str) else fallback
            if name not in blocks:
                entry = {"target": name, "kind": "", "files_scanned": 0, "contexts": 0}
                blocks[name] = _Block(file_index, name, entry)
            blocks[name].items.setdefault(key, []).append(item)
    for block in blocks.values():
        findings = block.items.get("findings", [])
        seen: set[str] = set()
        unique = []
        for finding in findings:
            key = _finding_key(finding)
            if key not in seen:
                seen.add(key)
                unique.append(finding)
        if len(unique) < len(findings):
            dropped = len(findings) - len(unique)
            warnings.append(f"{document.path}: target {block.name}: {dropped} duplicate finding(s) kept once")
            block.items["findings"] = unique
    return list(blocks.values())


def _renamed(item: dict[str, Any], name: str) -> dict[str, Any]:
    return {**item, "target": name} if item.get("target") != name else item


def _summary(
    documents: Sequence[Document], findings: list[dict[str, Any]], notifications: int
) -> dict[str, Any]:
    active = [f for f in findings if not f.get("suppressed")]
    by_severity = dict.fromkeys(SEVERITY_LABELS, 0)
    for finding in active:
        by_severity[finding["severity"]] += 1
    summaries = [d.data.get("summary") for d in documents]
    fail_ons = {
        summary["fail_on"]
        for summary in summaries
        if isinstance(summary, dict) and isinstance(summary.get("fail_on"), str)
    }
    return {
        "findings": len(active),
        "by_severity": by_severity,
        "suppressed": len(findings) - len(active),
        "fail_on": fail_ons.pop() if len(fail_ons) == 1 else MIXED,
        "failed": any(isinstance(s, dict) and s.get("failed") is True for s in summaries),
        "notifications": notifications,
    }


def _common_policy(documents: Sequence[Document]) -> Any:
    """The policy every input was judged by, or None when they differ (or do not say)."""
    policies = [document.data.get("policy") for document in documents]
    first = policies[0] if policies else None
    return first if all(policy == first for policy in policies) else None


def merge_json(documents: Sequence[Document]) -> Merged:
    warnings: list[str] = []
    blocks: list[_Block] = []
    first_seen: dict[str, str] = {}
    for file_index, document in enumerate(documents):
        for block in _blocks(document, file_index, warnings):
            canonical = block.canonical()
            if canonical in first_seen:
                warnings.append(
                    f"{document.path}: target {block.name} is identical to {first_seen[canonical]}; kept once"
                )
                continue
            first_seen[canonical] = f"target {block.name} of {document.path}"
            blocks.append(block)
    names = distinct([(block.file_index, block.name) for block in blocks], [d.stem for d in documents])
    targets = []
    per_target: dict[str, list[dict[str, Any]]] = {key: [] for key in _PER_TARGET}
    for block, name in zip(blocks, names, strict=True):
        targets.append(_renamed(block.entry, name))
        for key in _PER_TARGET:
            per_target[key].extend(_renamed(item, name) for item in block.items.get(key, []))
    rules: dict[str, dict[str, Any]] = {}
    stale: set[str] = set()
    for document in documents:
        for rule in document.data.get("rules", []):
            if isinstance(rule.get("id"), str):
                rules.setdefault(rule["id"], rule)
        stale.update(document.data.get("stale_waivers", []))
    data = {
        "schema_version": SUPPORTED_SCHEMA_VERSION,
        "tool": {"name": "ccpolicy", "version": __version__},
        "policy": _common_policy(documents),
        "summary": _summary(documents, per_target["findings"], len(per_target["notifications"])),
        "targets": targets,
        "findings": per_target["findings"],
        "fixed": per_target["fixed"],
        "stale_waivers": sorted(stale),
        "notifications": per_target["notifications"],
        "contexts": per_target["contexts"],
        "rules": [rules[key] for key in sorted(rules)],
    }
    return Merged(data, tuple(warnings))
