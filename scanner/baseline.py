"""Baselines: accept today's findings, fail only on new ones, and notice the ones that were fixed.

A baseline file records findings by their stable fingerprint (scanner.report.fingerprints:
rule, context, key and path, never a line number or a value), so it keeps matching after lines
move and unrelated edits. Format (JSON, deterministic: entries sorted, no timestamps):

    {
      "schema_version": 1,
      "tool": {"name": "ccpolicy", "version": "0.1.0"},
      "entries": [
        {"fingerprint": "...", "rule_id": "CCP101", "path": ".claude/settings.json",
         "context": "project:.", "message": "..."}
      ]
    }

Only active findings are recorded: a finding a waiver or an inline ignore suppresses is
governed by that, and counts again when the waiver expires. With `--baseline FILE` each active
finding gets `baseline_state` "unchanged" (recorded: it no longer fails the run) or "new", and
every entry no finding matches any more is reported as fixed, on the first target's result.
Messages never hold secret values (every check redacts them), so neither does a baseline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner import __version__
from scanner.errors import UsageError
from scanner.model import Finding
from scanner.report.model import ScanResult

SCHEMA_VERSION = 1
DEFAULT_FILE = ".ccpolicy-baseline.json"
NEW = "new"
UNCHANGED = "unchanged"
_ENTRY_FIELDS = ("fingerprint", "rule_id", "path", "context", "message")
_MAX_BYTES = 50_000_000

Results = Sequence[tuple[str, ScanResult]]


@dataclass(frozen=True, order=True)
class BaselineEntry:
    # Field order is the sort order: by file, then rule, so that diffs of the file read well.
    path: str
    rule_id: str
    context: str
    fingerprint: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in _ENTRY_FIELDS}


@dataclass(frozen=True)
class Baseline:
    entries: tuple[BaselineEntry, ...]
    tool_version: str = __version__

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(entry.fingerprint for entry in self.entries)


def create(results: Results) -> Baseline:
    """A baseline of every active finding of `results`, one entry per fingerprint."""
    entries: dict[str, BaselineEntry] = {}
    for _target, result in results:
        for f in result.active:
            entries.setdefault(f.fingerprint, _entry(f))
    return Baseline(tuple(sorted(entries.values())))


def _entry(f: Finding) -> BaselineEntry:
    return BaselineEntry(
        path=f.location.path,
        rule_id=f.rule_id,
        context=f.context,
        fingerprint=f.fingerprint,
        message=f.message,
    )


def dumps(baseline: Baseline) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "ccpolicy", "version": baseline.tool_version},
        "entries": [entry.to_dict() for entry in sorted(baseline.entries)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _fail(path: Path, why: str) -> UsageError:
    return UsageError(f"baseline {path}: {why} (create one with `ccpolicy baseline create -o {path}`)")


def loads(text: str, path: Path) -> Baseline:
    """Parse a baseline document; UsageError (exit 2) naming the file and what is wrong."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise _fail(
            path, f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise _fail(path, "not valid JSON: nested too deeply") from None
    if not isinstance(document, dict):
        raise _fail(path, "expected a JSON object with schema_version and entries")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise _fail(
            path, f"schema_version {json.dumps(version)} is not supported (expected {SCHEMA_VERSION})"
        )
    raw_entries = document.get("entries")
    if not isinstance(raw_entries, list):
        raise _fail(path, "entries must be a list")
    entries = [_parse_entry(raw, index, path) for index, raw in enumerate(raw_entries)]
    tool = document.get("tool")
    version_text = tool.get("version") if isinstance(tool, dict) else None
    return Baseline(tuple(entries), version_text if isinstance(version_text, str) else "")


def _parse_entry(raw: object, index: int, path: Path) -> BaselineEntry:
    if not isinstance(raw, dict):
        raise _fail(path, f"entries[{index}] must be an object")
    values: dict[str, str] = {}
    for name in _ENTRY_FIELDS:
        value = raw.get(name, "" if name in ("context", "message") else None)
        if not isinstance(value, str):
            raise _fail(path, f"entries[{index}].{name} must be a string")
        values[name] = value
    if not values["fingerprint"]:
        raise _fail(path, f"entries[{index}].fingerprint must not be empty")
    return BaselineEntry(**values)


def load(path: Path) -> Baseline:
    """Read a baseline file; UsageError (exit 2) when it is missing, unreadable or invalid."""
    try:
        if path.is_dir():
            raise _fail(path, "is a directory")
        if path.stat().st_size > _MAX_BYTES:
            raise _fail(path, f"larger than {_MAX_BYTES} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise _fail(path, "no such file") from None
    except OSError as error:
        raise _fail(path, f"cannot be read ({error.strerror or type(error).__name__})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(path, "not UTF-8 text") from None
    return loads(text, path)


def _fixed(entries: Iterable[BaselineEntry], seen: set[str]) -> tuple[dict[str, str], ...]:
    fixed: dict[str, dict[str, str]] = {}
    for e in sorted(entries):
        if e.fingerprint not in seen:
            fixed.setdefault(
                e.fingerprint,
                {"fingerprint": e.fingerprint, "rule_id": e.rule_id, "path": e.path, "message": e.message},
            )
    return tuple(fixed.values())


def apply(results: Results, baseline: Baseline) -> list[tuple[str, ScanResult]]:
    """Mark every active finding "new" or "unchanged"; list the entries nothing matched as fixed.

    An entry whose finding is now suppressed (waived, ignored inline) is not fixed: the
    finding is still there.
    """
    known = baseline.fingerprints
    seen = {f.fingerprint for _target, result in results for f in result.findings}
    marked: list[tuple[str, ScanResult]] = []
    for index, (target, result) in enumerate(results):
        findings = tuple(
            f
            if f.suppressed is not None
            else f._replace(baseline_state=UNCHANGED if f.fingerprint in known else NEW)
            for f in result.findings
        )
        # Entries carry no target: the fixed ones are reported once, on the first result.
        fixed = _fixed(baseline.entries, seen) if index == 0 else ()
        marked.append((target, result._replace(findings=findings, fixed=fixed)))
    return marked
