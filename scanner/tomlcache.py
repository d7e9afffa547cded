"""Parsed TOML data files kept as JSON, so a run reads one JSON file instead of parsing ~40 TOML.

The rule catalogue and the knowledge base are TOML (written by people, reviewed as data), and
parsing them with the pure-Python tomllib cost about a sixth of a pre-commit run. The first run
stores the parsed tables as one JSON file named by a digest of every file's name and bytes; later
runs with the same bytes read that instead, without importing tomllib. A change to any file
changes the digest, so a stale entry is never used. Only data that JSON holds exactly (tables,
arrays, strings, numbers, booleans) is stored: a file with a TOML date is simply parsed every
time. An entry that cannot be read is ignored and rewritten; a cache that cannot be written is not
an error. CCPOLICY_NO_CACHE=1 turns it off (as for the validated-policy cache).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from scanner.cachedir import cache_folder, write_atomic
from scanner.digest import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

FORMAT = 1


def cache_dir() -> Path | None:
    return cache_folder("data")


def digest(sources: Sequence[tuple[str, bytes]]) -> str:
    hasher = sha256(f"ccpolicy toml cache {FORMAT}\0".encode())
    for name, data in sources:
        hasher.update(name.encode("utf-8", "surrogateescape") + b"\0")
        hasher.update(str(len(data)).encode() + b"\0")
        hasher.update(data)
    return hasher.hexdigest()


def parse(sources: Sequence[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """Each source's bytes parsed as TOML, in order; raises tomllib.TOMLDecodeError as tomllib does."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    return [tomllib.loads(data.decode("utf-8")) for _, data in sources]


def json_exact(value: object) -> bool:
    """True when JSON gives `value` back equal and of the same types (no dates, no NaN)."""
    if isinstance(value, dict):
        return all(isinstance(key, str) and json_exact(item) for key, item in value.items())
    if isinstance(value, list):
        return all(json_exact(item) for item in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


def _read(path: Path, count: int) -> list[dict[str, Any]] | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(entry, list) or len(entry) != count or not all(isinstance(t, dict) for t in entry):
        return None
    return entry


def _write(directory: Path, path: Path, tables: list[dict[str, Any]]) -> None:
    try:
        data = json.dumps(tables, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError):
        return
    write_atomic(directory, path.name, data)


def load(sources: Sequence[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """The TOML tables of `sources` ((name, bytes), in order), from the cache when it has them."""
    directory = cache_dir()
    if directory is None:
        return parse(sources)
    path = directory / f"{digest(sources)}.json"
    cached = _read(path, len(sources))
    if cached is not None:
        return cached
    tables = parse(sources)
    if json_exact(tables):
        _write(directory, path, tables)
    return tables
