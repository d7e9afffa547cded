"""`ccpolicy scan --staged`: judge what the next commit will contain, read from the git index.

A pre-commit check that reads the working tree judges the wrong thing: a violation that is
staged but fixed in an unstaged edit would pass, and a staged fix with an unstaged violation on
top would fail. Here the files come from the index only (scanner.discovery.staged: two plumbing
git processes through scanner.gitsafe, so nothing configured in the repository runs and nothing
in .git is written). Under `git commit -a` or `git commit <paths>` git hands its hook a
temporary index in GIT_INDEX_FILE; that is the index that will be committed, so it is used.

The policy file is NOT read from the index: it is the policy in force, so scan_cmd finds it in
the working tree as for every scan (a staged edit to ccpolicy.toml takes effect once saved).

GitPython is not imported on this path: the index is read with `git ls-files -s` and one
`git cat-file --batch`, which is all GitPython would run underneath, without its import cost.
Blobs the previous staged run parsed are not read again (scanner.parsecache): a commit that
changes 20 configuration files out of 200 reads and parses 20.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanner import gitstarts
from scanner.discovery import DiscoveryError
from scanner.discovery.staged import inherited_index_file, read_staged
from scanner.errors import UsageError
from scanner.gitsafe import GitError, run_git
from scanner.model import FileKind, ParsedFile
from scanner.report.model import ScanResult
from scanner.scan import Inputs, ScanOptions, excluded, judge, parse_texts

STAGED_CATEGORY = "staged"


def repository_root(path: Path) -> Path:
    """The top of the git work tree holding `path`; UsageError when there is none."""
    try:
        out: bytes | GitError = run_git(path, *gitstarts.TOPLEVEL)
    except GitError as error:
        out = error
    return _toplevel(path, out)


def _toplevel(path: Path, out: bytes | GitError) -> Path:
    if isinstance(out, GitError):
        if out.not_a_repository:
            raise UsageError(f"{path}: not inside a git repository (--staged reads the git index)")
        raise UsageError(f"{path}: cannot read the git repository: {out}")
    top = out.decode("utf-8", "surrogateescape").rstrip("\n")
    if not top:  # a bare repository has no work tree, hence nothing staged
        raise UsageError(f"{path}: not inside a git work tree (--staged reads the git index)")
    return Path(top)


def read_staged_inputs(scan_root: Path, exclude: Sequence[str] = ()) -> Inputs:
    """Parsed staged candidate files under `scan_root` (absolute), paths relative to it.

    Blobs parsed by the previous staged run of `scan_root` are taken from scanner.parsecache
    without being read; only the others are read and parsed.
    """
    from scanner.parsecache import ParseCache

    started = gitstarts.staged.take(gitstarts.staged_key(scan_root))
    if started is None:
        try:
            started = gitstarts.start_staged(scan_root)
        except GitError as error:
            raise UsageError(f"{scan_root}: cannot read the git repository: {error}") from None
    try:
        top, prefix, *listing = started.results()
    finally:
        started.stop()
    repo_root = _toplevel(scan_root, top)
    cache = ParseCache(scan_root)
    reused: dict[str, ParsedFile] = {}

    def have(path: str, kind: FileKind, oid: str) -> bool:
        if exclude and excluded(path, exclude):
            return False  # read and dropped below with the others, as before
        parsed = cache.get((path, kind, oid))
        if parsed is not None:
            reused[path] = parsed
        return parsed is not None

    try:
        snapshot = read_staged(
            repo_root,
            scan_root,
            index_file=inherited_index_file(repo_root),
            have=have,
            index_listing=listing[0] if listing else None,
        )
    except DiscoveryError as error:
        raise UsageError(str(error)) from None
    files = [file for file in snapshot.files if not (exclude and excluded(file.path, exclude))]
    fresh = parse_texts((file.path, file.kind, file.text) for file in files)
    noted = {note.path for note in snapshot.notifications}  # a decoding note is not in the parse
    for file, parsed in zip(files, fresh, strict=True):
        if file.path not in noted:
            cache.put((file.path, file.kind, snapshot.blob_ids[file.path]), parsed)
    cache.save()
    parsed_files = sorted([*fresh, *reused.values()], key=lambda parsed: parsed.path)
    # Everything read comes from the index, so all of it is tracked: a staged
    # .claude/settings.local.json is about to be committed.
    tracked = frozenset(parsed.path for parsed in parsed_files)
    return Inputs(
        tuple(parsed_files),
        snapshot.notifications,
        tracked,
        True,
        repo_prefix=gitstarts.prefix_from(prefix),
        tracked_is_index=True,
    )


def scan_staged(scan_root: Path, options: ScanOptions) -> ScanResult:
    """Judge the staged content under `scan_root` (an absolute directory) with `options`."""
    staged_options = options._replace(category=STAGED_CATEGORY, tracked_only=True)
    return judge(scan_root, read_staged_inputs(scan_root, options.exclude), staged_options)


def scan_staged_targets(paths: Sequence[str], options: ScanOptions) -> list[tuple[str, ScanResult]]:
    """One result per PATH (default `.`), as `ccpolicy scan --staged [PATH...]` reports them."""
    results: list[tuple[str, ScanResult]] = []
    for raw in paths or ["."]:
        root = Path(raw)
        if not root.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if not root.is_dir():
            raise UsageError(f"{raw}: not a directory")
        results.append((raw, scan_staged(root.resolve(), options)))
    return results
