"""The rule set a policy file makes, kept between runs: an unchanged policy file is one read.

The validated policy is cached already (scanner.policy.cache: no pydantic), but making rules of it
still loads the built-in catalogue, checks the policy's references against it and builds the
rule set: ~7 ms of every scan, and ~10 ms more of imports, on the pre-commit path. The rule set
depends on nothing but the policy file (its bytes, its place and how it is named) and ccpolicy
itself (its version, code and rule files: scanner.parsecache.code_signature), so an entry is
keyed by all of them. Each policy file has one entry, replaced when any of them changes.

Entries are pickled RuleSets. Pickle runs code when it loads, so an entry is loaded only when
it and its folder belong to the current user and nobody else can write them; anything
unexpected reads as a miss. CCPOLICY_NO_CACHE=1 turns it off, as every cache.
"""

from __future__ import annotations

from pathlib import Path

from scanner import __version__
from scanner.cachedir import cache_folder, load_pickled, store_pickled
from scanner.parsecache import code_signature
from scanner.policy.discover import PolicySource
from scanner.ruleset import RuleSet

FORMAT = 1


def get(source: PolicySource, data: bytes) -> RuleSet | None:
    """The rule set kept for the policy file `source` when its bytes were `data`."""
    file = _entry_file(source)
    ruleset = load_pickled(file, _key(source, data)) if file is not None else None
    return ruleset if isinstance(ruleset, RuleSet) else None


def put(source: PolicySource, data: bytes, ruleset: RuleSet) -> None:
    file = _entry_file(source)
    if file is not None:
        store_pickled(file, _key(source, data), ruleset)


def _entry_file(source: PolicySource) -> Path | None:
    folder = cache_folder("rulesets")
    if folder is None:
        return None
    return folder / f"{source.content_key(b'')}.pickle"  # one file per policy file, whatever it holds


def _key(source: PolicySource, data: bytes) -> str:
    return source.content_key(data, f"ccpolicy {__version__} ruleset {FORMAT}", code_signature())
