"""Reading what is staged: the index's candidate files, parsed or taken from the parse cache.

Apart from scanner.staged_scan, which judges them, so that scanner.forkedread's child reads
without importing the rules and their engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanner import gitstarts
from scanner.discovery import DiscoveryError
from scanner.discovery.staged import inherited_index_file, read_staged
from scanner.errors import UsageError
from scanner.gitsafe import GitError
from scanner.inputs import Inputs, excluded, parse_texts
from scanner.model import FileKind, Notification, ParsedFile
from scanner.records import NamedTuple
from scanner.sources.registry import preload

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.parsecache import Key, ParseCache


def toplevel(path: Path, out: bytes | GitError) -> Path:
    """The top of the work tree from what gitstarts.TOPLEVEL gave for `path`: its output, or the
    error it failed with (a UsageError then)."""
    if isinstance(out, GitError):
        if out.not_a_repository:
            raise UsageError(f"{path}: not inside a git repository (--staged reads the git index)")
        raise UsageError(f"{path}: cannot read the git repository: {out}")
    top = out.decode("utf-8", "surrogateescape").rstrip("\n")
    if not top:  # a bare repository has no work tree, hence nothing staged
        raise UsageError(f"{path}: not inside a git work tree (--staged reads the git index)")
    return Path(top)


class IndexRead(NamedTuple):
    """The index's candidate files: those parsed now, and the keys of those the parse cache
    holds (unpacked by index_inputs)."""

    fresh: tuple[ParsedFile, ...]
    reused: tuple[Key, ...]
    notifications: tuple[Notification, ...]
    repo_prefix: str  # the scan root's path inside its repository ("app/")


def read_index(
    scan_root: Path,
    cache: ParseCache,
    exclude: Sequence[str] = (),
    *,
    first_results: list[bytes | GitError] | None = None,
    unpack: bool = True,
) -> IndexRead:
    """The staged candidate files under `scan_root` (absolute), paths relative to it.

    Blobs parsed by the previous staged run of `scan_root` are taken from `cache` without being
    read; only the others are read, parsed and put in `cache`. With `unpack` false, the cache's
    parses stay packed (scanner.forkedread's child leaves that to its parent). `first_results`
    are those of gitstarts.start_staged's commands, when they have run already.
    """
    if first_results is None:
        first_results = _first_results(scan_root)
    where, *listing = first_results
    top, prefix = gitstarts.top_and_prefix(where)
    repo_root = toplevel(scan_root, top)
    reused: list[Key] = []
    to_parse: set[FileKind] = set()
    held = cache.reuse if not unpack else lambda key: cache.get(key) is not None

    def have(path: str, kind: FileKind, oid: str) -> bool:
        if exclude and excluded(path, exclude):
            return False  # read and dropped below with the others, as before
        if held((path, kind, oid)):
            reused.append((path, kind, oid))
            return True
        to_parse.add(kind)
        return False

    try:
        snapshot = read_staged(
            repo_root,
            scan_root,
            index_file=inherited_index_file(repo_root),
            have=have,
            index_listing=listing[0] if listing else None,
            # Their imports take longer than git's reading: ~15 ms with PyYAML's.
            while_reading=lambda: preload(to_parse),
        )
    except DiscoveryError as error:
        raise UsageError(str(error)) from None
    files = [file for file in snapshot.files if not (exclude and excluded(file.path, exclude))]
    fresh = parse_texts((file.path, file.kind, file.text) for file in files)
    noted = {note.path for note in snapshot.notifications}  # a decoding note is not in the parse
    for file, parsed in zip(files, fresh, strict=True):
        if file.path not in noted:
            cache.put((file.path, file.kind, snapshot.blob_ids[file.path]), parsed)
    return IndexRead(tuple(fresh), tuple(reused), snapshot.notifications, gitstarts.prefix_from(prefix))


def index_inputs(read: IndexRead, cache: ParseCache) -> Inputs | None:
    """The Inputs of `read`, its reused parses unpacked from `cache`; None when `cache` lacks one."""
    parsed_files = list(read.fresh)
    for key in read.reused:
        parsed = cache.get(key)
        if parsed is None:
            return None
        parsed_files.append(parsed)
    parsed_files.sort(key=lambda parsed: parsed.path)
    # Everything read comes from the index, so all of it is tracked: a staged
    # .claude/settings.local.json is about to be committed.
    tracked = frozenset(parsed.path for parsed in parsed_files)
    return Inputs(
        tuple(parsed_files),
        read.notifications,
        tracked,
        True,
        repo_prefix=read.repo_prefix,
        tracked_is_index=True,
    )


def read_index_inputs(
    scan_root: Path, exclude: Sequence[str] = (), *, first_results: list[bytes | GitError] | None = None
) -> tuple[Inputs, ParseCache]:
    """read_index and index_inputs in one process: the parsed staged candidate files under
    `scan_root`, and the parse cache to save once they are handed on."""
    from scanner.parsecache import ParseCache

    cache = ParseCache(scan_root)
    inputs = index_inputs(read_index(scan_root, cache, exclude, first_results=first_results), cache)
    assert inputs is not None  # read_index unpacked and checked every parse it reused
    return inputs, cache


def _first_results(scan_root: Path) -> list[bytes | GitError]:
    started = gitstarts.staged.take(gitstarts.staged_key(scan_root))
    if started is None:
        try:
            started = gitstarts.start_staged(scan_root)
        except GitError as error:
            raise UsageError(f"{scan_root}: cannot read the git repository: {error}") from None
    try:
        return started.results()
    finally:
        started.stop()
