"""A validated policy kept as JSON, so the next scan of an unchanged file skips pydantic.

The key covers everything a verdict depends on: the file's bytes, where it is and how it is
named, ccpolicy's version and the catalogue it was checked against. A cache entry that cannot
be read or parsed is ignored (and overwritten); a cache directory that cannot be written is
not an error. CCPOLICY_NO_CACHE=1 turns the cache off.
"""

from __future__ import annotations

import json
from pathlib import Path

from scanner import __version__
from scanner.cachedir import cache_folder, write_atomic
from scanner.policy.discover import PolicySource
from scanner.policy.spec import Policy, from_json, to_json

FORMAT = 1


def cache_dir() -> Path | None:
    return cache_folder("policy")


def cache_key(data: bytes, source: PolicySource, catalogue_signature: str) -> str:
    return source.content_key(data, f"ccpolicy {__version__} format {FORMAT}", catalogue_signature)


def get(key: str) -> Policy | None:
    directory = cache_dir()
    if directory is None:
        return None
    try:
        entry = json.loads((directory / f"{key}.json").read_text(encoding="utf-8"))
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        return from_json(entry["policy"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None


def put(key: str, policy: Policy) -> None:
    directory = cache_dir()
    if directory is None:
        return
    try:
        text = json.dumps({"key": key, "policy": to_json(policy)}, sort_keys=True)
    except (TypeError, ValueError):
        return
    write_atomic(directory, f"{key}.json", text.encode("utf-8"))
