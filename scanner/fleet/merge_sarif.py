"""SARIF logs from many hosts and repositories -> one log GitHub code scanning would accept.

- One run per (tool, automationDetails.id): GitHub rejects an upload with two runs of the same
  category. Runs whose category is shared are given the target's distinct name as the last
  category segment (`ccpolicy/host/` from web-01.sarif -> `ccpolicy/host/web-01/`), and every
  run records its target in the `ccpolicy/target` property.
- A run identical to one already kept (the same file collected twice) is kept once.
- Results repeated within a run (same rule, location and partialFingerprints) are kept once.
- More than 20 runs is more than GitHub accepts in one upload: merged anyway, with a warning.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scanner.fleet.inputs import Document
from scanner.fleet.model import Merged
from scanner.fleet.names import (
    TARGET_PROPERTY,
    TOOL_PREFIX,
    automation_id,
    distinct,
    id_segment,
    run_kind,
    run_target,
)

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
GITHUB_MAX_RUNS = 20


@dataclass
class _Run:
    file_index: int
    target: str
    run: dict[str, Any]


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _result_key(result: dict[str, Any]) -> str:
    locations = result.get("locations")
    primary = locations[0] if isinstance(locations, list) and locations else None
    physical = primary.get("physicalLocation") if isinstance(primary, dict) else None
    fingerprints = result.get("partialFingerprints")
    key: list[object] = [result.get("ruleId"), physical, fingerprints]
    if not fingerprints:
        # Without fingerprints only the message tells two results at one place apart.
        key.append(result.get("message"))
    return _canonical(key)


def unique_results(results: Sequence[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The results with repeats removed (first kept), and how many were removed."""
    seen: set[str] = set()
    kept = []
    for result in results:
        key = _result_key(result)
        if key not in seen:
            seen.add(key)
            kept.append(result)
    return kept, len(results) - len(kept)


def _collect(documents: Sequence[Document], warnings: list[str]) -> list[_Run]:
    runs: list[_Run] = []
    first_seen: dict[str, str] = {}
    for file_index, document in enumerate(documents):
        log_runs = document.data["runs"]
        for run_index, original in enumerate(log_runs):
            where = f"{document.path}: run {run_index + 1}"
            run = dict(original)
            run["results"], dropped = unique_results(original.get("results", []))
            if dropped:
                warnings.append(f"{where}: {dropped} duplicate result(s) kept once")
            canonical = _canonical(run)
            if canonical in first_seen:
                warnings.append(f"{where} is identical to {first_seen[canonical]}; kept once")
                continue
            first_seen[canonical] = where
            target = run_target(run, document.stem, run_index, len(log_runs))
            runs.append(_Run(file_index, target, run))
    return runs


def _renamed_id(run: dict[str, Any], name: str) -> str:
    kind = run_kind(run)
    if kind:
        return f"{TOOL_PREFIX}/{kind}/{id_segment(name)}/"
    base = automation_id(run).rstrip("/")
    return f"{base}/{id_segment(name)}/" if base else f"{id_segment(name)}/"


def _driver_name(run: dict[str, Any]) -> str:
    return str(run["tool"]["driver"]["name"])


def _numbered_id(wanted: str, number: int) -> str:
    return f"{wanted[:-1]}-{number}/" if wanted.endswith("/") else f"{wanted}-{number}"


def _distinct_ids(tools: Sequence[str], ids: Sequence[str]) -> list[str]:
    """`ids` with a repeat (per tool) numbered inside its last category segment: `a/b/` -> `a/b-2/`,
    so the category itself changes (GitHub reads everything before the last `/` as category)."""
    reserved = set(zip(tools, ids, strict=True))
    given: set[tuple[str, str]] = set()
    out = []
    for tool, wanted in zip(tools, ids, strict=True):
        candidate, number = wanted, 1
        while (tool, candidate) in given or (candidate != wanted and (tool, candidate) in reserved):
            number += 1
            candidate = _numbered_id(wanted, number)
        given.add((tool, candidate))
        out.append(candidate)
    return out


def merge_sarif(documents: Sequence[Document]) -> Merged:
    warnings: list[str] = []
    runs = _collect(documents, warnings)
    names = distinct([(run.file_index, run.target) for run in runs], [d.stem for d in documents])
    identities = [(_driver_name(run.run), automation_id(run.run)) for run in runs]
    shared = {identity for identity in identities if identities.count(identity) > 1}
    wanted_ids = [
        _renamed_id(run.run, name) if identity in shared else identity[1]
        for run, name, identity in zip(runs, names, identities, strict=True)
    ]
    final_ids = _distinct_ids([_driver_name(run.run) for run in runs], wanted_ids)
    merged_runs = []
    for run, name, new_id in zip(runs, names, final_ids, strict=True):
        out = dict(run.run)
        if new_id != automation_id(out):
            details = out.get("automationDetails")
            out["automationDetails"] = {**(details if isinstance(details, dict) else {}), "id": new_id}
        properties = out.get("properties")
        out["properties"] = {**(properties if isinstance(properties, dict) else {}), TARGET_PROPERTY: name}
        merged_runs.append(out)
    if len(merged_runs) > GITHUB_MAX_RUNS:
        warnings.append(
            f"the merged log has {len(merged_runs)} runs; GitHub code scanning accepts at most "
            f"{GITHUB_MAX_RUNS} per upload (upload the inputs separately, or use the JSON report)"
        )
    schema = documents[0].data.get("$schema") if documents else None
    data = {
        "$schema": schema if isinstance(schema, str) else SCHEMA_URI,
        "version": "2.1.0",
        "runs": merged_runs,
    }
    return Merged(data, tuple(warnings))
