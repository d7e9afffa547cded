"""What is staged: the candidate files as they are in the index, not in the working tree.

Two git processes whatever the number of files: `ls-files -s` lists the index with blob ids,
and one `cat-file --batch` (gitsafe.BlobReader) reads every candidate blob in one round trip.
cat-file without --filters returns the raw blob, so the repository's clean/smudge filters
never run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from scanner.discovery import DiscoveryError
from scanner.discovery.listing import entries_to_examine
from scanner.discovery.paths import classify
from scanner.discovery.read import DEFAULT_MAX_BYTES, decode_bytes, too_large
from scanner.gitsafe import BlobReader, GitError, TooLarge, run_git
from scanner.gitstarts import INDEX_LISTING
from scanner.model import EMPTY_MAPPING, FileKind, Notification
from scanner.records import NamedTuple

_MODE_SYMLINK = "120000"
_MODE_GITLINK = "160000"


class StagedFile(NamedTuple):
    path: str  # POSIX, relative to the scan root
    kind: FileKind
    text: str


class StagedSnapshot(NamedTuple):
    files: tuple[StagedFile, ...]  # sorted by path
    notifications: tuple[Notification, ...] = ()
    # The blob id of every file in `files`, by path.
    blob_ids: Mapping[str, str] = EMPTY_MAPPING


def inherited_index_file(repo_root: Path) -> Path | None:
    """The index a calling git hook points at (GIT_INDEX_FILE), made absolute.

    Under `git commit -a` or `git commit <paths>`, the pre-commit hook sees a temporary index
    holding what will be committed; run_git drops inherited GIT_* variables, so a pre-commit
    caller passes this to read_staged explicitly. Relative values are relative to the directory
    git runs hooks in, the top of the work tree.
    """
    value = os.environ.get("GIT_INDEX_FILE")
    if not value:
        return None
    path = Path(value)
    return path if path.is_absolute() else Path(repo_root) / path


def _check_inside(repo_root: Path, scan_root: Path) -> None:
    real_repo, real_scan = os.path.realpath(repo_root), os.path.realpath(scan_root)
    if not os.path.isdir(real_scan):
        raise DiscoveryError(f"scan root is not an existing directory: {scan_root}")
    if real_scan != real_repo and not real_scan.startswith(real_repo.rstrip(os.sep) + os.sep):
        raise DiscoveryError(f"scan root {scan_root} is not inside the repository {repo_root}")


def _index_entries(scan_root: Path, index_file: Path | None, already: bytes | GitError | None) -> bytes:
    try:
        if isinstance(already, GitError):
            raise already
        return already if already is not None else run_git(scan_root, *INDEX_LISTING, index_file=index_file)
    except GitError as error:
        raise DiscoveryError(f"cannot read the git index: {error}") from None


def _read_blobs(
    scan_root: Path, blob_ids: Iterable[str], max_bytes: int, meanwhile: Callable[[], object] | None
) -> dict[str, bytes | TooLarge | None]:
    """Blob contents by id from one `cat-file --batch`; None for a blob git does not have."""
    ids = set(blob_ids)
    if not ids:
        return {}
    with BlobReader(scan_root) as blobs:
        return blobs.read_by_id(ids, max_bytes=max_bytes, meanwhile=meanwhile)


def read_staged(
    repo_root: Path,
    scan_root: Path,
    *,
    index_file: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    have: Callable[[str, FileKind, str], bool] | None = None,
    index_listing: bytes | GitError | None = None,
    while_reading: Callable[[], object] | None = None,
) -> StagedSnapshot:
    """The staged content of every candidate file under `scan_root`.

    Paths are relative to `scan_root`. Files deleted from the index are absent; files deleted
    only from the working tree are still staged and present. Submodules and symlinks are
    skipped (a symlink's blob is its target, not content). Unmerged paths get a notification.
    A candidate for which `have(path, kind, blob id)` is true is left out unread: the caller
    already holds what it needs of that blob (see scanner.parsecache). `index_listing` is what
    INDEX_LISTING gave, for a caller that ran it beside other git commands. `while_reading` runs
    once while git looks up the blobs to read, if there are any.
    Raises DiscoveryError when the index cannot be read (not a repository).
    """
    _check_inside(repo_root, scan_root)
    staged: dict[str, tuple[FileKind, str]] = {}
    unmerged: set[str] = set()
    # Only the entries the listing's prefilter picks out: classify on each of 10,000 index
    # entries cost ~15 ms, a fifth of this function.
    for entry in entries_to_examine(
        _index_entries(scan_root, index_file, index_listing).decode("utf-8", "surrogateescape")
    ):
        meta, _, path = entry.partition("\t")
        fields = meta.split()[1:]  # without the -t tag
        if len(fields) != 3 or fields[0] in (_MODE_SYMLINK, _MODE_GITLINK):
            continue
        kind = classify(path)
        if kind is None:
            continue
        if fields[2] != "0":
            unmerged.add(path)
            continue
        staged[path] = (kind, fields[1])
    notes = [
        Notification(
            level="warning",
            message="file has unresolved merge conflicts in the index; not scanned",
            path=path,
            descriptor="unmerged",
        )
        for path in sorted(unmerged)
    ]
    if have is not None:
        staged = {path: (kind, oid) for path, (kind, oid) in staged.items() if not have(path, kind, oid)}
    blob_ids = {path: oid for path, (_, oid) in staged.items()}
    try:
        blobs = _read_blobs(scan_root, (oid for _, oid in staged.values()), max_bytes, while_reading)
    except GitError as error:
        raise DiscoveryError(f"cannot read staged files: {error}") from None
    files: list[StagedFile] = []
    for path in sorted(staged):
        kind, oid = staged[path]
        data = blobs.get(oid)
        if data is None:
            notes.append(
                Notification(
                    level="warning",
                    message="staged content is not available in the local object store; not scanned",
                    path=path,
                    descriptor="unreadable",
                )
            )
            continue
        if isinstance(data, TooLarge):
            notes.append(too_large(path, data.size, max_bytes))
            continue
        text, note = decode_bytes(data, path)
        if note is not None:
            notes.append(note)
        if text is not None:
            files.append(StagedFile(path, kind, text))
    return StagedSnapshot(files=tuple(files), notifications=tuple(notes), blob_ids=blob_ids)


def changed_staged_paths(
    repo_root: Path, scan_root: Path, *, index_file: Path | None = None
) -> tuple[str, ...]:
    """Paths (relative to `scan_root`, sorted) that the next commit adds or modifies.

    Deletions are left out. Before the first commit, everything staged counts as added.
    """
    _check_inside(repo_root, scan_root)
    try:
        output = run_git(
            scan_root,
            "diff",
            "--cached",
            "--name-only",
            "-z",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            "--diff-filter=d",
            "--relative",
            index_file=index_file,
        )
    except GitError as error:
        raise DiscoveryError(f"cannot list staged changes: {error}") from None
    return tuple(sorted(path for path in output.decode("utf-8", "surrogateescape").split("\0") if path))
