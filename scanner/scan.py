"""The repository scan, end to end: discover -> parse -> contexts -> evaluate -> ScanResult."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from scanner.catalogue.model import Rule
from scanner.checks import reads_history
from scanner.checks.base import CheckInput
from scanner.contexts.model import Context
from scanner.contexts.repo import RepoContextBuilder
from scanner.engine import evaluate, load_checks
from scanner.inputs import Inputs, excluded
from scanner.knowledge import load as load_kb
from scanner.model import EMPTY_MAPPING, FileKind, Finding, Notification, ParsedFile, Severity
from scanner.records import NamedTuple
from scanner.report.model import ScanResult
from scanner.sources.registry import parse_file

TYPE_CHECKING = False
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


def read_repository(
    root: Path,
    *,
    tracked_only: bool,
    exclude: Sequence[str] = (),
    cache: ParseCache | None = None,
    while_walking: Callable[[Inputs], object] | None = None,
) -> Inputs:
    """Read and parse the candidate files under `root`; with `cache`, unchanged files' parses are
    reused from the previous run (each file is still read: its text is the key).

    In git, the tracked candidates are read while git still walks the tree for untracked files;
    `while_walking`, if given, is then called with what the inputs would be if the walk found no
    candidate, as long as git is still walking (scan_repository judges them in the meantime).
    """
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

    def read_tracked(found: Sequence[tuple[str, FileKind]], still_walking: Callable[[], bool]) -> None:
        read(found)
        if while_walking is not None and still_walking():
            parsed = (done[candidate][0] for candidate in found if candidate in done)
            files = tuple(file for file in parsed if file is not None)
            while_walking(Inputs(files, (), frozenset(path for path, _ in found), True))

    listing = list_candidates(root, tracked_only=tracked_only, tracked_known=read_tracked)
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
        repo_prefix=listing.repo_prefix,
    )


def repo_prefix(root: Path) -> str:
    """The root's path relative to the top of its git work tree, e.g. "app/" ("" at the top)."""
    from scanner.gitsafe import GitError, run_git
    from scanner.gitstarts import SHOW_PREFIX, prefix_from

    try:
        return prefix_from(run_git(root, *SHOW_PREFIX))
    except (GitError, OSError):
        return ""


class Evaluation(NamedTuple):
    """What the rules made of a target's files: all of a ScanResult but the notes around them."""

    contexts: tuple[Context, ...]
    findings: tuple[Finding, ...]
    notifications: tuple[Notification, ...]


def judge(root: Path, inputs: Inputs, options: ScanOptions) -> ScanResult:
    return result_of(root, inputs, evaluate_inputs(root, inputs, options), options)


def judge_contexts(
    root: Path, inputs: Inputs, contexts: Sequence[Context], options: ScanOptions
) -> ScanResult:
    return result_of(root, inputs, evaluate_inputs(root, inputs, options, contexts), options)


def evaluate_inputs(
    root: Path, inputs: Inputs, options: ScanOptions, contexts: Sequence[Context] | None = None
) -> Evaluation:
    """The rules' findings on `inputs` (its files, which of them git tracks, and whether the
    index is what says so: nothing else of it) in `contexts`, by default the repository's."""
    kb = load_kb()
    if contexts is None:
        contexts = RepoContextBuilder(inputs.files, kb).contexts()
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
    return Evaluation(tuple(contexts), tuple(findings), tuple(rule_notes))


def _same_evaluation_inputs(first: Inputs, second: Inputs) -> bool:
    return (
        first.files == second.files
        and first.tracked == second.tracked
        and first.is_git == second.is_git
        and first.tracked_is_index == second.tracked_is_index
    )


def result_of(root: Path, inputs: Inputs, evaluation: Evaluation, options: ScanOptions) -> ScanResult:
    notes = [*inputs.notifications, *evaluation.notifications]
    for parsed in inputs.files:
        notes.extend(parsed.notifications)
    ordered_notes = tuple(sorted(set(notes), key=lambda n: (n.path or "", n.line or 0, n.message)))
    return ScanResult(
        root=str(root),
        findings=evaluation.findings,
        notifications=ordered_notes,
        rules=tuple(sorted(options.rules, key=lambda r: r.id)),
        contexts=evaluation.contexts,
        files_scanned=len(inputs.files),
        category=options.category,
        fail_on=options.fail_on,
        extra={
            "texts": {f.path: f.text for f in inputs.files if f.text is not None},
            "repo_prefix": inputs.repo_prefix,
        },
    )


def scan_repository(root: Path, options: ScanOptions) -> ScanResult:
    """Scan the directory `root`. In a large repository git's walk for untracked files takes
    longest, and it seldom finds a candidate: the tracked files are judged while git walks, and
    that judgement stands when the walk adds no candidate (judge() is a function of the files)."""
    from scanner.parsecache import ParseCache

    # The checks are imported first: in a large repository git is still listing it (head
    # started by scan_cmd), and they would otherwise be imported after waiting for git.
    load_checks(rule for rule in options.rules if not reads_history(rule))
    early: list[tuple[Inputs, Evaluation]] = []

    def judge_while_walking(tracked: Inputs) -> None:
        try:
            evaluation = evaluate_inputs(root, tracked, options)
        except Exception:  # judged again after the walk, where any error shows as it always did
            return
        early.append((tracked, evaluation))

    inputs = read_repository(
        root,
        tracked_only=options.tracked_only,
        exclude=options.exclude,
        cache=ParseCache(root, "worktree"),
        while_walking=judge_while_walking,
    )
    for tracked, evaluation in early:
        if _same_evaluation_inputs(tracked, inputs):
            return result_of(root, inputs, evaluation, options)
    return judge(root, inputs, options)
