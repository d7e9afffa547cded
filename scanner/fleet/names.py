"""Which host or repository each run (SARIF) or target (JSON) is, and distinct names for them.

Outputs collected from a fleet often share names: every job of an Actions matrix scans `.`,
and every host's SARIF run has the category `ccpolicy/host/`. Such a name is qualified with
the stem of the file it came from (the SSH example writes `out/<host>.json`, the Actions example
`<owner>-<repo>.json`), in every file it appears in, so no file is favoured over another and
nothing is dropped. A name that is only `.` always becomes the stem alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from scanner import regexcache

TARGET_PROPERTY = "ccpolicy/target"
TOOL_PREFIX = "ccpolicy"
_UNSAFE_ID_CHARACTERS = regexcache.compile(r"[^A-Za-z0-9._\-]+")
_BARE_NAMES = frozenset({"", ".", "./"})


def automation_id(run: dict[str, Any]) -> str:
    details = run.get("automationDetails")
    value = details.get("id") if isinstance(details, dict) else None
    return value if isinstance(value, str) else ""


def run_kind(run: dict[str, Any]) -> str:
    """`repository`, `host`, ... from a ccpolicy category (`ccpolicy/<kind>/...`), else ""."""
    parts = automation_id(run).strip("/").split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == TOOL_PREFIX else ""


def run_target(run: dict[str, Any], stem: str, index: int, runs_in_file: int) -> str:
    """The run's target: its `ccpolicy/target` property, else the target part of a ccpolicy
    category (`ccpolicy/repository/<target>/`), else the file stem (numbered when the file holds
    several runs)."""
    properties = run.get("properties")
    if isinstance(properties, dict):
        named = properties.get(TARGET_PROPERTY)
        if isinstance(named, str) and named.strip():
            return named
    parts = automation_id(run).strip("/").split("/")
    if len(parts) >= 3 and parts[0] == TOOL_PREFIX:
        return "/".join(parts[2:])
    return stem if runs_in_file == 1 else f"{stem}#{index + 1}"


def qualified(name: str, stem: str) -> str:
    return stem if name in _BARE_NAMES or name == stem else f"{stem}:{name}"


def id_segment(text: str) -> str:
    """Text made safe as one segment of an automationDetails id."""
    return _UNSAFE_ID_CHARACTERS.sub("_", text).strip("_") or "run"


def distinct(keys: Sequence[tuple[int, str]], stems: Sequence[str]) -> list[str]:
    """A distinct display name for each (file index, name), in the same order.

    Names used by more than one file are qualified with their file's stem, and so is `.` (the
    name of every "scan ." and meaningless in a fleet); a clash left after that (two files with
    the same stem) is numbered in input order.
    """
    files_per_name: dict[str, set[int]] = {}
    for file_index, name in keys:
        files_per_name.setdefault(name, set()).add(file_index)
    wanted = [
        qualified(name, stems[file_index]) if len(files_per_name[name]) > 1 or name in _BARE_NAMES else name
        for file_index, name in keys
    ]
    return numbered(wanted)


def numbered(names: Sequence[str]) -> list[str]:
    """`names` with repeats suffixed -2, -3, ... (first one kept), avoiding every name in use."""
    counts = Counter(names)
    used = set(names)
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        if counts[name] == 1 or seen[name] == 1:
            out.append(name)
            continue
        number = seen[name]
        candidate = f"{name}-{number}"
        while candidate in used:
            number += 1
            candidate = f"{name}-{number}"
        used.add(candidate)
        out.append(candidate)
    return out
