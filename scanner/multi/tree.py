"""The candidate files of a repository's HEAD commit, read from the object store.

Used for clones (which have no checkout) and for local bare repositories. Two git processes
whatever the size of the repository: `ls-tree -r -l` lists every blob with its size, and one
`cat-file --batch` reads the candidates. cat-file without --filters applies no filter driver.
Symbolic links and submodules are skipped, as in a staged scan: a link's blob is its target.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scanner.discovery.paths import classify
from scanner.discovery.read import decode_bytes, is_plain_relpath, too_large
from scanner.gitsafe import GitError, run_git
from scanner.model import FileKind, Notification
from scanner.scan import Inputs, parse_texts

_REGULAR_MODES = frozenset({"100644", "100755"})
_GIT_TIMEOUT_SECONDS = 300.0


class TooLarge(Exception):
    """The commit holds more files than the limit; the message says how many."""


@dataclass(frozen=True)
class _Blob:
    path: str
    kind: FileKind
    oid: str
    size: int


def _has_commit(repo: Path) -> bool:
    try:
        run_git(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", timeout=_GIT_TIMEOUT_SECONDS)
    except GitError:
        return False
    return True


def _list_blobs(repo: Path, max_files: int) -> tuple[list[_Blob], frozenset[str]]:
    """(candidate blobs, every regular file's path) of HEAD."""
    output = run_git(repo, "ls-tree", "-r", "-z", "-l", "--full-tree", "HEAD", timeout=_GIT_TIMEOUT_SECONDS)
    entries = [entry for entry in output.decode("utf-8", "surrogateescape").split("\0") if entry]
    if len(entries) > max_files:
        raise TooLarge(f"the commit has {len(entries)} files, over the limit of {max_files}")
    blobs = []
    regular = []
    for entry in entries:
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) != 4 or fields[0] not in _REGULAR_MODES or not is_plain_relpath(path):
            continue
        regular.append(path)
        kind = classify(path)
        if kind is not None and fields[3].isdigit():
            blobs.append(_Blob(path, kind, fields[2], int(fields[3])))
    return blobs, frozenset(regular)


def _read_blobs(repo: Path, oids: list[str]) -> dict[str, bytes]:
    """Contents by object id from one `cat-file --batch`; ids git does not have are left out."""
    unique = sorted(set(oids))
    if not unique:
        return {}
    request = "".join(f"{oid}\n" for oid in unique).encode()
    output = run_git(repo, "cat-file", "--batch", input=request, timeout=_GIT_TIMEOUT_SECONDS)
    contents: dict[str, bytes] = {}
    position = 0
    for oid in unique:
        end = output.find(b"\n", position)
        if end < 0:
            break
        header = output[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] == b"blob" and header[2].isdigit():
            size = int(header[2])
            contents[oid] = output[position : position + size]
            position += size + 1  # the content is followed by a newline
    return contents


def read_head(repo: Path, *, max_files: int, max_bytes: int) -> Inputs:
    """Parsed candidate files of HEAD, every one of them tracked.

    Raises TooLarge past `max_files`, GitError when git cannot read the repository. A
    repository without commits yields no files and a note.
    """
    if not _has_commit(repo):
        empty = Notification("note", "repository has no commits; nothing to scan", descriptor="empty")
        return Inputs(files=(), notifications=(empty,), tracked=frozenset(), is_git=True)
    blobs, tracked = _list_blobs(repo, max_files)
    notes: list[Notification] = []
    wanted = []
    for blob in blobs:
        if blob.size > max_bytes:
            notes.append(too_large(blob.path, blob.size, max_bytes))
        else:
            wanted.append(blob)
    contents = _read_blobs(repo, [blob.oid for blob in wanted])
    items: list[tuple[str, FileKind, str]] = []
    for blob in wanted:
        data = contents.get(blob.oid)
        if data is None:
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
