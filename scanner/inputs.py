"""What a scan target yields before rules run, and the parsing that makes it.

Kept apart from scanner.scan, which imports the rules' engine: scanner.forkedread's child builds
Inputs without loading any of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scanner.model import FileKind, Notification, ParsedFile
from scanner.records import NamedTuple
from scanner.sources.registry import parse_file


class Inputs(NamedTuple):
    """What a target yields before rules run: parsed files and the git facts around them."""

    files: tuple[ParsedFile, ...]
    notifications: tuple[Notification, ...]
    tracked: frozenset[str] | None
    is_git: bool
    # The scanned root's path inside its git repository ("app/"), for GitHub-facing outputs.
    repo_prefix: str = ""
    # True when `tracked` is the git index itself (a staged scan), so checks need not re-read it.
    tracked_is_index: bool = False


def parse_texts(items: Iterable[tuple[str, FileKind, str]]) -> list[ParsedFile]:
    return [parse_file(path, text, kind) for path, kind, text in items]


def excluded(path: str, patterns: Sequence[str]) -> bool:
    """Whether policy `exclude` globs (relative to the scanned root) leave `path` out."""
    from scanner.policy.globs import matches_any

    return matches_any(path, patterns)
