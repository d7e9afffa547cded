"""The candidate files of a repository's HEAD commit, read from the object store.

Used for the fleet scan's clones (which have no checkout; a local bare repository is cloned too).
What is read how:
- Paths: `git ls-tree -r -z --full-tree HEAD` (gitsafe.run_git) lists every path with its mode and
  object id in one process, at C speed (100,000 paths: 0.1 s, where GitPython's pure-Python tree
  traversal takes over a second). Without -l it opens no blob, so a blob missing from the store
  does not stop the listing.
- Contents: GitPython's object database (`Repo.odb`), opened through gitsafe.safe_repo so that
  its git processes get run_git's configuration and environment. It answers through two
  persistent processes whatever the number of candidates: `cat-file --batch-check` gives each
  candidate's type and size, so sizes over the limit are skipped before any content is read, and
  `cat-file --batch` streams the rest. cat-file without --filters or --textconv applies no filter
  driver. GitPython ("reading git objects") belongs here: a clone costs far more than its import
  (~55 ms), which happens only when there are blobs to read. GitPython cannot parse SHA-256 object
  headers, so a SHA-256 repository is read with gitsafe.BlobReader (one `cat-file --batch`).
- An object the store cannot give in full (absent from a partial clone, corrupt, not a blob)
  gives a warning for its path and the scan goes on; GitPython's exceptions never escape. After
  such a failure the cat-file processes are restarted, so a dead or half-read process never
  answers for the next object, and when reading ends they are stopped: no git process outlives
  read_head.
Symbolic links and submodules are skipped, as in a staged scan: a link's blob is its target.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.discovery.paths import classify
from scanner.discovery.read import decode_bytes, is_plain_relpath, too_large
from scanner.gitsafe import BlobReader, GitError, run_git, safe_repo
from scanner.gitsafe import TooLarge as _Skipped
from scanner.inputs import Inputs, parse_texts
from scanner.model import FileKind, Notification

if TYPE_CHECKING:
    import git

_REGULAR_MODES = frozenset({"100644", "100755"})
_GIT_TIMEOUT_SECONDS = 300.0
_SHA1_HEX_DIGITS = 40


class TooLarge(Exception):
    """The commit holds more files than the limit; the message says how many."""


@dataclass(frozen=True)
class _Blob:
    path: str
    kind: FileKind
    oid: str


# What the object store gave for an object id: its content, or its size when that is over the limit
# (the content is never read). Ids it could not give are absent.
_Found = bytes | int


def _has_commit(repo: Path) -> bool:
    try:
        run_git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", timeout=_GIT_TIMEOUT_SECONDS)
    except GitError:
        return False
    return True


def _list_blobs(repo: Path, max_files: int) -> tuple[list[_Blob], frozenset[str]]:
    """(candidate blobs, every regular file's path) of HEAD."""
    output = run_git(repo, "ls-tree", "-r", "-z", "--full-tree", "HEAD", timeout=_GIT_TIMEOUT_SECONDS)
    entries = [entry for entry in output.decode("utf-8", "surrogateescape").split("\0") if entry]
    if len(entries) > max_files:
        raise TooLarge(f"the commit has {len(entries)} files, over the limit of {max_files}")
    blobs = []
    regular = []
    for entry in entries:
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) != 3 or fields[0] not in _REGULAR_MODES or not is_plain_relpath(path):
            continue
        regular.append(path)
        kind = classify(path)
        if kind is not None:
            blobs.append(_Blob(path, kind, fields[2]))
    return blobs, frozenset(regular)


def _read_blobs(repo: Path, oids: list[str], max_bytes: int) -> dict[str, _Found]:
    """What the object store gives for each id; ids it cannot give in full are left out."""
    unique = sorted(set(oids))
    if not unique:
        return {}
    if any(len(oid) != _SHA1_HEX_DIGITS for oid in unique):
        return _read_blobs_with_gitsafe(repo, unique, max_bytes)
    import git as gitpython  # costs ~55 ms: imported only when there are blobs to read

    # ValueError: git answered "<id> missing", or the process died (an empty answer).
    failures = (ValueError, OSError, gitpython.exc.GitError, gitpython.exc.ODBError)
    found: dict[str, _Found] = {}
    handle = safe_repo(repo)
    try:
        for oid in unique:
            try:
                result = _read_blob(handle, oid, max_bytes)
            except failures:
                result = None
            if result is None:
                # A failed read may leave cat-file dead, or mid-object, or with a stderr pipe that
                # nobody reads filling up: the next read starts fresh ones. A complete clone never
                # gets here, so this costs nothing in the ordinary case.
                handle.git.clear_cache()
            else:
                found[oid] = result
    finally:
        handle.close()  # stops the persistent cat-file processes and waits for them
    return found


def _read_blob(handle: git.Repo, oid: str, max_bytes: int) -> _Found | None:
    """The blob's content, its size when over `max_bytes`, None when the object is not a blob or
    comes short (cat-file died on a corrupt object). Raises ValueError when git does not have it.

    The content stream is read whole and dropped on return, before any restart: GitPython drains
    an unfinished stream when it is collected, and must not do that from a stopped process.
    """
    binsha = bytes.fromhex(oid)
    info = handle.odb.info(binsha)  # type and size from --batch-check; nothing is left to read
    if info.type != b"blob":
        return None
    size: int = info.size
    if size > max_bytes:
        return size
    stream = handle.odb.stream(binsha)
    data: bytes = stream.read()
    if stream.type != b"blob" or stream.size != size or len(data) != size:
        return None
    return data


def _read_blobs_with_gitsafe(repo: Path, unique: list[str], max_bytes: int) -> dict[str, _Found]:
    """What one gitsafe.BlobReader gives for each id of a SHA-256 repository (64-digit ids)."""
    with BlobReader(repo) as reader:
        answers = reader.read_by_id(unique, max_bytes=max_bytes)
    found: dict[str, _Found] = {}
    for oid, answer in answers.items():
        if isinstance(answer, _Skipped):
            found[oid] = answer.size
        elif answer is not None:
            found[oid] = answer
    return found


def read_head(repo: Path, *, max_files: int, max_bytes: int) -> Inputs:
    """Parsed candidate files of HEAD, every one of them tracked.

    Raises TooLarge past `max_files`, GitError when git cannot read the repository. A
    repository without commits yields no files and a note.
    """
    if not _has_commit(repo):
        empty = Notification("note", "repository has no commits; nothing to scan", descriptor="empty")
        return Inputs(files=(), notifications=(empty,), tracked=frozenset(), is_git=True)
    blobs, tracked = _list_blobs(repo, max_files)
    found = _read_blobs(repo, [blob.oid for blob in blobs], max_bytes)
    notes: list[Notification] = []
    wanted = []
    for blob in blobs:
        size = found.get(blob.oid)
        if isinstance(size, int):
            notes.append(too_large(blob.path, size, max_bytes))
        else:
            wanted.append(blob)
    items: list[tuple[str, FileKind, str]] = []
    for blob in wanted:
        data = found.get(blob.oid)
        if not isinstance(data, bytes):
            missing = "file content is missing from the clone; not scanned"
            notes.append(Notification("warning", missing, path=blob.path, descriptor="unreadable"))
            continue
        text, note = decode_bytes(data, blob.path)
        if note is not None:
            notes.append(note)
        if text is not None:
            items.append((blob.path, blob.kind, text))
    return Inputs(
        files=tuple(parse_texts(items)),
        notifications=tuple(notes),
        tracked=tracked,
        is_git=True,
    )
