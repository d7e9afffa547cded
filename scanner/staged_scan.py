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
changes 20 configuration files out of 200 reads and parses 20. Reading and parsing live in
scanner.staged_read; where a process can be forked, a child does them while this process loads
the policy and the rules (scanner.forkedread).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanner import gitstarts
from scanner.checks import reads_history
from scanner.engine import load_checks
from scanner.errors import UsageError
from scanner.gitsafe import GitError, run_git
from scanner.inputs import Inputs, excluded
from scanner.knowledge import load as load_kb
from scanner.report.model import ScanResult
from scanner.scan import ScanOptions, judge
from scanner.staged_read import read_index_inputs, toplevel

STAGED_CATEGORY = "staged"


def repository_root(path: Path) -> Path:
    """The top of the git work tree holding `path`; UsageError when there is none."""
    try:
        out: bytes | GitError = run_git(path, *gitstarts.TOPLEVEL)
    except GitError as error:
        out = error
    return toplevel(path, out)


def read_staged_inputs(scan_root: Path, exclude: Sequence[str] = ()) -> Inputs:
    """Parsed staged candidate files under `scan_root` (absolute), paths relative to it: from
    the child forked as the command began (scanner.forkedread) when there is one, else read here
    (scanner.staged_read)."""
    from scanner import forkedread

    forked = forkedread.reads.take(gitstarts.staged_key(scan_root))
    inputs = forked.result() if forked is not None else None
    if inputs is not None:
        return _without_excluded(inputs, exclude)
    inputs, cache = read_index_inputs(scan_root, exclude)
    cache.save()
    return inputs


def _without_excluded(inputs: Inputs, exclude: Sequence[str]) -> Inputs:
    """The child read everything: which files the policy excludes was not known yet."""
    if not exclude:
        return inputs
    files = tuple(parsed for parsed in inputs.files if not excluded(parsed.path, exclude))
    return inputs._replace(files=files, tracked=frozenset(parsed.path for parsed in files))


def scan_staged(scan_root: Path, options: ScanOptions) -> ScanResult:
    """Judge the staged content under `scan_root` (an absolute directory) with `options`."""
    staged_options = options._replace(category=STAGED_CATEGORY, tracked_only=True)
    # Loaded while the child forked for the reading (scanner.forkedread) still reads: the checks
    # and the knowledge base they judge by (~4 ms).
    load_checks(rule for rule in options.rules if not reads_history(rule))
    load_kb()
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
