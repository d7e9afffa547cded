"""The repository scan, end to end: discover -> parse -> contexts -> evaluate -> ScanResult."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.catalogue.model import Rule
from scanner.checks import reads_history
from scanner.checks.base import CheckInput
from scanner.contexts.model import Context
from scanner.contexts.repo import RepoContextBuilder
from scanner.engine import evaluate, load_checks
from scanner.knowledge import load as load_kb
from scanner.model import EMPTY_MAPPING, FileKind, Notification, ParsedFile, Severity
from scanner.records import NamedTuple
from scanner.report.model import ScanResult
from scanner.sources.registry import parse_file

if TYPE_CHECKING:
    from scanner.parsecache import ParseCache  # imported when used: host scans never need pickle


class ScanOptions(NamedTuple):
    rules: tuple[Rule, ...]
    params: Mapping[str, object] = EMPTY_MAPPING
    severity_overrides: Mapping[str, Severity] = EMPTY_MAPPING
    fail_on: Severity | None = Severity.HIGH
    tracked_only: bool = False
    category: str = "repository"
    # Policy `exclude` globs, relative to the scanned root: matching files are never read.
    exclude: tuple[str, ...] = ()


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


def read_repository(
    root: Path, *, tracked_only: bool, exclude: Sequence[str] = (), cache: ParseCache | None = None
) -> Inputs:
    """Read and parse the candidate files under `root`; with `cache`, unchanged files' parses are
    reused from the previous run (each file is still read: its text is the key)."""
    from scanner.discovery.listing import list_candidates
    from scanner.discovery.read import RootReader
    from scanner.parsecache import text_id

    reader = RootReader(root)
    done: dict[tuple[str, FileKind], tuple[ParsedFile | None, Notification | None]] = {}

    def parse(path: str, kind: FileKind, text: str) -> ParsedFile:
        if cache is None:
            return parse_file(path, text, kind)
        key = (path, kind, text_id(text))
        parsed = cache.get(key)
        if parsed is None:
            parsed = parse_file(path, text, kind)
            cache.put(key, parsed)
        return parsed

    def read(found: Iterable[tuple[str, FileKind]]) -> None:
        for path, kind in found:
            if (path, kind) in done or (exclude and excluded(path, exclude)):
                continue
            text, note = reader.read_text(path)
            done[path, kind] = (None if text is None else parse(path, kind, text), note)

    # The tracked candidates are read while git still looks for untracked ones.
    listing = list_candidates(root, tracked_only=tracked_only, tracked_known=read)
    read(listing.candidates)
    files: list[ParsedFile] = []
    notes = list(listing.notifications)
    for candidate in listing.candidates:
        parsed, note = done.get(candidate, (None, None))
        if note is not None:
            notes.append(note)
        if parsed is not None:
            files.append(parsed)
    if cache is not None:
        cache.save()
    return Inputs(
        tuple(files),
        tuple(notes),
        listing.tracked if listing.is_git else None,
        listing.is_git,
        repo_prefix=repo_prefix(root) if listing.is_git else "",
    )


def excluded(path: str, patterns: Sequence[str]) -> bool:
    from scanner.policy.globs import matches_any

    return matches_any(path, patterns)


SHOW_PREFIX = ("rev-parse", "--show-prefix")


def repo_prefix(root: Path) -> str:
    """The root's path relative to the top of its git work tree, e.g. "app/" ("" at the top)."""
    from scanner.gitsafe import GitError, run_git

    try:
        return prefix_from(run_git(root, *SHOW_PREFIX))
    except (GitError, OSError):
        return ""


def prefix_from(output: bytes | Exception) -> str:
    """repo_prefix from what SHOW_PREFIX gave: its output, or the error it failed with."""
    return "" if isinstance(output, Exception) else output.decode("utf-8", "replace").strip()


def judge(root: Path, inputs: Inputs, options: ScanOptions) -> ScanResult:
    kb = load_kb()
    contexts = RepoContextBuilder(inputs.files, kb).contexts()
    return judge_contexts(root, inputs, contexts, options)


def judge_contexts(
    root: Path, inputs: Inputs, contexts: Sequence[Context], options: ScanOptions
) -> ScanResult:
    kb = load_kb()
    check_input = CheckInput(
        files=inputs.files,
        contexts=tuple(contexts),
        kb=kb,
        params=options.params,
        tracked=inputs.tracked,
        is_git=inputs.is_git,
        root=str(root),
        tracked_is_index=inputs.tracked_is_index,
    )
    # The history rules find nothing here (scanner.history_scan runs them): not even imported.
    run = [rule for rule in options.rules if not reads_history(rule)]
    findings, rule_notes = evaluate(run, check_input, severity_overrides=options.severity_overrides)
    notes = [*inputs.notifications, *rule_notes]
    for parsed in inputs.files:
        notes.extend(parsed.notifications)
    ordered_notes = tuple(sorted(set(notes), key=lambda n: (n.path or "", n.line or 0, n.message)))
    return ScanResult(
        root=str(root),
        findings=tuple(findings),
        notifications=ordered_notes,
        rules=tuple(sorted(options.rules, key=lambda r: r.id)),
        contexts=tuple(contexts),
        files_scanned=len(inputs.files),
        category=options.category,
        fail_on=options.fail_on,
        extra={
            "texts": {f.path: f.text for f in inputs.files if f.text is not None},
            "repo_prefix": inputs.repo_prefix,
        },
    )


def scan_repository(root: Path, options: ScanOptions) -> ScanResult:
    from scanner.parsecache import ParseCache

    # The checks are imported first: in a large repository git is still listing it (head
    # started by scan_cmd), and they would otherwise be imported after waiting for git.
    load_checks(rule for rule in options.rules if not reads_history(rule))
    inputs = read_repository(
        root,
        tracked_only=options.tracked_only,
        exclude=options.exclude,
        cache=ParseCache(root, "worktree"),
    )
    return judge(root, inputs, options)
