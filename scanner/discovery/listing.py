"""List the files of a scan root: from git when the root is in a work tree, else by walking.

In git, ONE `git ls-files -z -s -t --cached --deleted --others --exclude-standard` gives
everything: tracked entries with their mode (so symlinks and submodules are known without a
stat), the tracked ones missing on disk (tag R), and untracked files that are not ignored.
Python stats only what git left open: untracked entries, tracked symlinks and skip-worktree
entries. A tracked file whose type changed on disk (now a directory or a symlink) is listed as
the index has it: git would only notice by comparing content, which can run filter drivers,
and read.read_text refuses anything that is not a regular file inside the root anyway.

A repository scan needs only the candidates: list_candidates asks git the same without
--deleted and without -s (paths alone: half the output, half git's time), and one regular
expression over git's whole output (the prefilter, below) picks out the few entries Python needs
to look at, so that Python never handles the others one by one. What a tracked candidate is on
disk (deleted, a symlink, a submodule) is then looked up for it alone.

Measured on 10,000 and 100,000-file repositories (2 CPUs, noisy; medians): list_files' git call
takes ~36 and ~350 ms (--deleted is an lstat per tracked file), list_files adds ~15 and ~150 ms,
candidates ~9 and ~90 ms. list_candidates' git call takes ~17 and ~155 ms, nearly all of it the
--others walk, and list_candidates adds ~5 and ~30 ms (it added ~16 and ~140 ms while every
entry went through classify).
"""

from __future__ import annotations

import functools
import itertools
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from scanner import gitstarts, regexcache
from scanner.discovery import DiscoveryError
from scanner.discovery.paths import UNICODE_LOWERING_TO_ASCII, classify, prefilter
from scanner.discovery.read import is_plain_relpath
from scanner.gitsafe import GitError, StartedGit, run_git
from scanner.model import FileKind, Notification
from scanner.records import NamedTuple

# Never descended when walking, and untracked files under them are dropped in git mode:
# dependencies, virtual environments and caches are not the project's configuration. Tracked
# files under them stay: the repository chose to commit them.
SKIPPED_DIRS: frozenset[str] = frozenset(
    {
        ".git",
        "node_modules",
        ".venv",
        "venv",
        "vendor",
        "third_party",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
    }
)
# A directory holding this file is a Python virtual environment, whatever its name (`env`).
VENV_MARKER = "pyvenv.cfg"

_MODE_SYMLINK = "120000"
_MODE_GITLINK = "160000"
_TRACKED_TAGS = frozenset("HMC")  # cached, unmerged, changed (S, skip-worktree, is checked on disk)


class FileListing(NamedTuple):
    """The files under `root` (POSIX paths relative to it, sorted). `tracked` ⊆ `files`."""

    root: Path
    is_git: bool
    files: tuple[str, ...]
    tracked: frozenset[str]
    notifications: tuple[Notification, ...] = ()


def _outside_note(relpath: str) -> Notification:
    return Notification(
        level="warning",
        message="symbolic link points outside the scanned root; not followed",
        path=relpath,
        descriptor="symlink-outside-root",
    )


def _symlink_verdict(real_root: str, relpath: str) -> tuple[bool, Notification | None]:
    """(list it?, note) for a symlink: kept only if it resolves to a regular file in the root."""
    real = os.path.realpath(os.path.join(real_root, relpath))
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        return False, _outside_note(relpath)
    try:
        return stat.S_ISREG(os.stat(real).st_mode), None
    except OSError:
        return False, None  # dangling: nothing to read


def _under_skipped_dir(relpath: str, venv_dirs: frozenset[str]) -> bool:
    parts = relpath.split("/")[:-1]
    if not parts:
        return False
    if not SKIPPED_DIRS.isdisjoint(parts):
        return True
    if venv_dirs:
        prefix = ""
        for part in parts:
            prefix = f"{prefix}/{part}" if prefix else part
            if prefix in venv_dirs:
                return True
    return False


# In the joined output of ls-files, each of these betrays a path with an empty, `.` or `..`
# component, or an absolute one. Absent (the usual case), no path needs checking one by one.
_SUSPICIOUS = (
    "//",
    "/./",
    "/../",
    "/.\0",
    "/..\0",
    "\t/",
    "\t./",
    "\t../",
    "\t.\0",
    "\t..\0",
    "? /",
    "? .\0",
)


class _GitEntries:
    """What `ls-files -z -s -t` said, sorted into what needs no further checking and what does.

    The loop is written for speed: it runs once per file of the repository.
    """

    def __init__(self, output: bytes) -> None:
        text = output.decode("utf-8", "surrogateescape")
        present: dict[str, str] = {}  # path -> mode, in git's (sorted) order; stages collapse
        unsure: dict[str, str] = {}  # skip-worktree: usually absent (sparse checkout), maybe not
        deleted: set[str] = set()
        untracked: list[str] = []
        for entry in text.split("\0"):
            tag = entry[:1]
            if tag == "H":
                present[entry[entry.find("\t", 9) + 1 :]] = entry[2:8]
            elif tag == "?":
                untracked.append(entry[2:])
            elif tag == "R":
                deleted.add(entry[entry.find("\t", 9) + 1 :])
            elif tag == "S":
                unsure[entry[entry.find("\t", 9) + 1 :]] = entry[2:8]
            elif tag in _TRACKED_TAGS:
                present[entry[entry.find("\t", 9) + 1 :]] = entry[2:8]
        self.regular: list[str] = []
        self.symlinks: list[str] = []
        for path, mode in present.items():
            if mode == _MODE_GITLINK or path in deleted:
                continue
            (self.symlinks if mode == _MODE_SYMLINK else self.regular).append(path)
        self.skip_worktree = [path for path, mode in unsure.items() if mode != _MODE_GITLINK]
        self.untracked = untracked
        if any(marker in text for marker in _SUSPICIOUS):
            self.regular = [path for path in self.regular if is_plain_relpath(path)]

    @property
    def any_tracked(self) -> bool:
        return bool(self.regular or self.symlinks or self.skip_worktree)


def _git_listing(root: Path, real_root: str, *, tracked_only: bool) -> FileListing | None:
    """The listing from git, or None when git says the root is not in a work tree."""
    args = ["ls-files", "-z", "-s", "-t", "--cached", "--deleted"]
    if not tracked_only:
        args += ["--others", "--exclude-standard"]
    try:
        output = run_git(root, *args)
    except GitError as error:
        if error.not_a_repository or "work tree" in error.stderr_summary:
            return None
        raise
    entries = _GitEntries(output)
    if not entries.any_tracked and not _is_toplevel(root, real_root):
        # An untracked directory inside someone else's work tree (or a home directory that is a
        # repository ignoring everything): git knows nothing useful about it, so walk it.
        return None
    notes: list[Notification] = []
    # git's order is sorted (byte order of the paths), so the final sort is a cheap merge.
    tracked = entries.regular
    # git gave no mode for symlinks' targets nor presence for skip-worktree entries: look.
    extra = _present_on_disk(real_root, entries.symlinks + entries.skip_worktree, notes)
    untracked = [] if tracked_only else _usable_untracked(real_root, entries.untracked, notes)
    return FileListing(
        root=root,
        is_git=True,
        files=tuple(sorted(tracked + extra + untracked)),
        tracked=frozenset(tracked + extra),
        notifications=tuple(sorted(notes, key=_note_key)),
    )


def _present_on_disk(real_root: str, paths: list[str], notes: list[Notification]) -> list[str]:
    """The paths that are regular files, or symlinks to regular files inside the root."""
    usable: list[str] = []
    for path in paths:
        if not is_plain_relpath(path):
            continue
        try:
            mode = os.lstat(os.path.join(real_root, path)).st_mode
        except OSError:
            continue  # not on disk (deleted, sparse checkout, gone since git looked)
        if stat.S_ISREG(mode):
            usable.append(path)
        elif stat.S_ISLNK(mode):
            keep, note = _symlink_verdict(real_root, path)
            if note is not None:
                notes.append(note)
            if keep:
                usable.append(path)
    return usable


def _usable_untracked(real_root: str, untracked: list[str], notes: list[Notification]) -> list[str]:
    venv_dirs = frozenset(
        path[: -len(VENV_MARKER) - 1] for path in untracked if path.endswith("/" + VENV_MARKER)
    )
    # A trailing slash is a nested repository git did not enter: not ours to list.
    kept = [path for path in untracked if not path.endswith("/") and not _under_skipped_dir(path, venv_dirs)]
    return _present_on_disk(real_root, kept, notes)


def _is_toplevel(root: Path, real_root: str) -> bool:
    try:
        toplevel = run_git(root, "rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape")
    except GitError:
        return False
    return os.path.realpath(toplevel.rstrip("\n")) == real_root


def _note_key(note: Notification) -> tuple[str, str, str]:
    return (note.path or "", note.descriptor, note.message)


def _walk_listing(root: Path, real_root: str) -> FileListing:
    files: list[str] = []
    notes: list[Notification] = []
    pending: list[tuple[str, str]] = [(real_root, "")]  # (absolute dir, relative prefix)
    while pending:
        directory, prefix = pending.pop()
        try:
            with os.scandir(directory) as entries:
                listed = list(entries)
        except OSError as error:
            notes.append(
                Notification(
                    level="warning",
                    message=f"directory could not be listed: {error.strerror or type(error).__name__}",
                    path=prefix.rstrip("/") or ".",
                    descriptor="unreadable",
                )
            )
            continue
        if prefix and any(entry.name == VENV_MARKER for entry in listed):
            continue  # a virtual environment, whatever its name
        for entry in listed:
            relpath = prefix + entry.name
            try:
                if entry.is_symlink():
                    keep, note = _symlink_verdict(real_root, relpath)
                    if note is not None:
                        notes.append(note)
                    if keep:
                        files.append(relpath)
                elif entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIPPED_DIRS:
                        pending.append((entry.path, relpath + "/"))
                elif entry.is_file(follow_symlinks=False):
                    files.append(relpath)
            except OSError:
                continue
    return FileListing(
        root=root,
        is_git=False,
        files=tuple(sorted(files)),
        tracked=frozenset(),
        notifications=tuple(sorted(notes, key=_note_key)),
    )


TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T")


def _checked_root(root: Path) -> tuple[Path, str]:
    root = Path(root)
    if not root.is_dir():
        raise DiscoveryError(f"scan root is not an existing directory: {root}")
    return root, os.path.realpath(root)


def _from_git(attempt: Callable[[], _T | None]) -> tuple[_T | None, list[Notification]]:
    """Git's answer, or None (not a work tree, or git failed: then a note says the tree is walked)."""
    try:
        return attempt(), []
    except GitError as error:
        note = Notification(
            level="warning",
            message=f"git could not list the files ({error}); walked the directory instead",
            path=None,
            descriptor="git-unavailable",
        )
        return None, [note]


def _require_git_for_tracked_only(root: Path, tracked_only: bool) -> None:
    if tracked_only:
        raise DiscoveryError(f"--tracked-only needs a git work tree, and {root} is not in one")


def list_files(root: Path, *, tracked_only: bool = False) -> FileListing:
    """Every file under `root` that a scan should consider (see the module docstring).

    Raises DiscoveryError when `root` is not an existing directory, or when `tracked_only` is
    asked of a root that is not in a git work tree.
    """
    root, real_root = _checked_root(root)
    listing, notes = _from_git(lambda: _git_listing(root, real_root, tracked_only=tracked_only))
    if listing is not None:
        return listing
    _require_git_for_tracked_only(root, tracked_only)
    walked = _walk_listing(root, real_root)
    if notes:
        walked = walked._replace(notifications=tuple(notes) + walked.notifications)
    return walked


def candidates(listing: FileListing) -> tuple[tuple[str, FileKind], ...]:
    """The listed files that are candidates, with their kind, in listing order."""
    found: list[tuple[str, FileKind]] = []
    for path in listing.files:
        kind = classify(path)
        if kind is not None:
            found.append((path, kind))
    return tuple(found)


# ------------------------------------------------------------------------------------------
# Candidates only: what a repository scan reads, at a cost that follows the candidate files.
# ------------------------------------------------------------------------------------------


class CandidateListing(NamedTuple):
    """`candidates(list_files(root))`, and which of them git tracks, with the same notifications."""

    root: Path
    is_git: bool
    candidates: tuple[tuple[str, FileKind], ...]
    tracked: frozenset[str]  # tracked candidates (what checks ask about: tracked ∩ candidates)
    notifications: tuple[Notification, ...] = ()
    # The root's path inside its git work tree ("app/"), for GitHub-facing outputs; "" at the top
    # (and outside git, or when git could not say).
    repo_prefix: str = ""


def _tracked_on_disk(
    root: Path, real_root: str, tracked: dict[str, FileKind]
) -> tuple[list[tuple[str, FileKind]], list[str]]:
    """The tracked candidates to read as regular files, and those that are symlinks in the index.

    The listing has no modes (`ls-files -s` would double git's output: ~25 ms more of git on
    100,000 files), so one lstat per candidate sorts them: gone from the work tree is deleted
    (what `ls-files --deleted` says), and a regular file is what the index has too, or a file
    listed as the index has it. Only symlinks and directories need the index's modes (a symlink,
    a gitlink, or a file whose type changed, which is listed as the index has it): asked of git
    for them alone, which seldom happens."""
    regular: list[tuple[str, FileKind]] = []
    odd: list[str] = []
    for path, kind in tracked.items():
        try:
            mode = os.lstat(os.path.join(real_root, path)).st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError:  # there, but not to be looked at: read_text says why
            regular.append((path, kind))
            continue
        if stat.S_ISLNK(mode) or stat.S_ISDIR(mode):
            odd.append(path)
        else:
            regular.append((path, kind))
    symlinks: list[str] = []
    if odd:
        modes = _index_modes(root, odd)
        for path in odd:
            index_mode = modes.get(path, "")
            if index_mode == _MODE_SYMLINK:
                symlinks.append(path)
            elif index_mode != _MODE_GITLINK:
                regular.append((path, tracked[path]))
        regular.sort(key=lambda item: item[0].encode("utf-8", "surrogateescape"))  # git's order
    return regular, symlinks


def _index_modes(root: Path, paths: list[str]) -> dict[str, str]:
    """The index's mode of each of `paths` (relative to `root`)."""
    out = run_git(root, "ls-files", "-z", "-s", "--", *(f":(literal){path}" for path in paths))
    modes: dict[str, str] = {}
    for entry in out.decode("utf-8", "surrogateescape").split("\0"):
        meta, tab, path = entry.partition("\t")
        if tab:
            modes[path] = meta[:6]
    return modes


def _any_present_tracked(text: str, real_root: str) -> bool:
    """Whether git tracks any file here (`ls-files -z -t` output) that is on disk, gitlinks (a
    directory there) aside, as _GitEntries.any_tracked."""
    for entry in _each_entry(text):
        tag = entry[:1]
        if tag == "S":
            return True
        if tag == "H" or tag in _TRACKED_TAGS:
            try:
                if not stat.S_ISDIR(os.lstat(os.path.join(real_root, entry[2:])).st_mode):
                    return True
            except OSError:
                continue
    return False


def _each_entry(text: str) -> Iterator[str]:
    """The NUL-terminated entries of `text`, one at a time (callers usually stop at the first)."""
    start = 0
    while start < len(text):
        end = text.find("\0", start)
        if end < 0:
            end = len(text)
        yield text[start:end]
        start = end + 1


# The prefilter. Nearly every entry of `ls-files -z -t` is a tracked file ("H <path>", or with -s
# "H 100644 <id> 0\t<path>") whose name classify rejects, and needs nothing.
# One regular expression finds the others. Python's engine is fast only while it hunts for one
# literal character, and what gives a candidate away is mostly the end of its name (extension,
# exact name), so the pattern runs over the REVERSED output: at each NUL, what follows is the
# basename backwards and what precedes is, backwards, the tag of the entry git lists next.
# A handful of comparisons there (~0.2 µs per entry) match when:
#   - the next entry's tag is not H: untracked, skip-worktree, unmerged...; tracked symlinks and
#     gitlinks are entries like the others, their names decide (what a candidate is on disk is
#     looked at afterwards, and the staged read skips them by their mode);
#   - the basename ends with an extension, or is a name of the tables (a trie of literals);
#   - the path has no directory: such entries are few, Python decides (whether the output has
#     modes and blob ids, -s, or not);
#   - the basename starts with one of prefilter().starts (a lookbehind at the `/` before it;
#     the clues are cut to _START_CLUE_LENGTHS, which only adds entries), or its directory is
#     one of prefilter().parents;
#   - the basename contains one of prefilter().needles (with one of its endings, if any).
# A match keeps the entry its NUL ends and the entry after it. prefilter() gives every candidate
# at least one clue; tests/discovery/test_discovery_prefilter.py checks the whole on tens of
# thousands of candidate names.
# What precedes a name (a basename, or a directory's in parents): the `/` of the directory it
# is in, or at the top, the tab before the path (-s) or the space after the tag (without -s).
_BOUNDARY = r"[/\t ]"
_START_CLUE_LENGTHS = (6, 4)  # a start clue is cut to the first it reaches: one lookbehind per length
_SPELLED_OUT = 2  # extension characters spelled out as literals, which the engine rejects fastest

_Trie = dict[str, "_Trie"]


def _trie(words: Iterable[Sequence[str]]) -> str:
    """A regular expression matching any of `words` (non-empty sequences of regular expressions for
    one character each, bar a final assertion), factored so that each branch starts with its own
    character; a word that another word begins with makes the longer one redundant."""
    root: _Trie = {}
    for word in sorted({tuple(word) for word in words}):
        node = root
        for atom in word:
            node = node.setdefault(atom, {})
        node.clear()
        node[""] = {}

    def emit(node: _Trie) -> str:
        if "" in node:
            return ""
        branches = [atom + emit(child) for atom, child in node.items()]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(root)


def _backwards(literal: str) -> list[str]:
    return [re.escape(char) for char in reversed(literal)]


def _spellings(char: str) -> list[str]:
    """The characters that classify's str.lower() turns into `char`, as regular expressions."""
    others = {other for other, lower in UNICODE_LOWERING_TO_ASCII.items() if lower == char}
    return [re.escape(spelling) for spelling in sorted({char, char.upper(), *others})]


def _extension_words(extension: str) -> Iterator[list[str]]:
    """`extension` backwards, in every spelling classify lower-cases to it: the first characters
    spelled out (one word each), the others as character classes."""
    spellings = [_spellings(char) for char in reversed(extension.lower())]
    rest = [
        f"[{''.join(choices)}]" if len(choices) > 1 else choices[0] for choices in spellings[_SPELLED_OUT:]
    ]
    for first in itertools.product(*spellings[:_SPELLED_OUT]):
        yield [*first, *rest]


def _before_ending(needle: str, ending: str) -> bool:
    """Whether a name that ends with `ending` and contains `needle` has it before the ending (so a
    trie may match the ending first, then look for the needle in the rest of the name)."""
    cuts = range(max(1, len(needle) - len(ending)), len(needle))  # where the needle could run into the ending
    return needle not in ending and not any(ending.startswith(needle[cut:]) for cut in cuts)


def _start_lookbehinds(starts: Iterable[str]) -> list[str]:
    """Lookbehinds, placed after the `/` that ends a basename read backwards, matching when the
    basename starts with one of `starts`."""
    by_length: dict[int, set[str]] = {}
    for start in starts:
        length = next((length for length in _START_CLUE_LENGTHS if len(start) >= length), len(start))
        by_length.setdefault(length, set()).add(re.escape(start[:length][::-1]))
    return [f"(?<=(?:{'|'.join(sorted(clues))})/)" for _, clues in sorted(by_length.items())]


@functools.cache
def _prefilter_regex() -> re.Pattern[str]:
    """The prefilter (see above), built from prefilter(): ~3 ms, once per process."""
    clues = prefilter()
    names = [
        *(word for extension in clues.extensions for word in _extension_words(extension)),
        *([*_backwards(name), _BOUNDARY] for name in clues.basenames),
    ]
    needles = []  # those the trie cannot take: with no ending, or one the needle may run into
    for needle, endings in clues.needles:
        search = f"(?=[^/]*{''.join(_backwards(needle))})"
        if endings and all(_before_ending(needle, ending) for ending in endings):
            names += ([*_backwards(ending), search] for ending in endings)
        elif endings:
            needles.append(f"(?={_trie(_backwards(ending) for ending in endings)}){search}")
        else:
            needles.append(search)
    starts = "|".join(_start_lookbehinds(clues.starts))
    parents = _trie([*_backwards(parent), _BOUNDARY] for parent in clues.parents)
    alternatives = [
        r"(?<! H\0)",  # the entry after this NUL in git's order is not a tracked one ("H ")
        _trie(names),
        # no `/` up to the entry's end: a path with no directory (a tag, mode or id has none);
        # a literal after the repeat is what the engine backtracks over fastest
        r"(?=[^/\0]*\0)",
        f"(?=[^/]*/(?:{starts}|{parents}))",
        *needles,
    ]
    return regexcache.compile(r"\0(?:" + "|".join(alternatives) + ")")


def entries_to_examine(text: str) -> list[str]:
    """The entries of `text` (`ls-files -z -t` output, with -s or without) that are more than a
    tracked file whose name classify rejects, in git's order; and a few that are not (the
    prefilter overmatches)."""
    if not text:
        return []
    if not text.endswith("\0"):
        text += "\0"
    last = len(text) - 1
    starts = {0}  # the first entry follows no NUL: always examined
    for match in _prefilter_regex().finditer(text[::-1]):
        end = last - match.start()  # the NUL that ends the entry whose name matched
        starts.add(text.rfind("\0", 0, end) + 1)
        if end < last:
            starts.add(end + 1)  # the entry whose tag or mode matched
    return [text[start : text.index("\0", start)] for start in sorted(starts)]


# Called with the tracked candidates once they are known, while git may still walk the tree,
# and a function that tells whether it still does (so the caller may do more in the meantime).
TrackedKnown = Callable[[Sequence[tuple[str, FileKind]], Callable[[], bool]], object]


def _git_candidates(
    root: Path,
    real_root: str,
    *,
    tracked_only: bool,
    tracked_known: TrackedKnown | None,
) -> CandidateListing | None:
    """The git half of list_candidates; None when git says the root is not in a work tree.

    `git ls-files` without --deleted (an lstat per tracked file: ~0.2 s per 100,000 files),
    and deletion checked for the tracked candidates alone. The index read and the untracked
    walk run as two concurrent git processes, and the index's entries are sorted out while git
    still walks the tree (which takes longest: ~0.14 s of 100,000 files, against ~0.03 s for
    the index). Only the entries entries_to_examine picks out reach Python: on 100,000 files
    (202 candidates, ~700 entries examined), that costs ~0.03-0.07 s, of which ~0.02-0.05 s is
    the prefilter's regular expression (0.2-0.5 µs per entry, machine load decides) and ~3 ms
    reversing the output; 10,000 files cost a tenth, plus ~3 ms once to build the regex.
    """
    try:
        started = gitstarts.listings.take(gitstarts.listing_key(real_root, tracked_only)) or StartedGit(
            root, *gitstarts.listing_commands(tracked_only)
        )
    except GitError as error:
        if _outside_work_tree(error):
            return None
        raise
    try:
        return _read_listing(started, root, real_root, tracked_only=tracked_only, tracked_known=tracked_known)
    except GitError as error:
        if _outside_work_tree(error):
            return None
        raise
    finally:
        started.stop()


def _outside_work_tree(error: GitError) -> bool:
    return error.not_a_repository or "work tree" in error.stderr_summary


class _Entries:
    """The entries of `ls-files -z -t` output (without -s) that need more than a glance, sorted
    by what they are."""

    __slots__ = ("found", "unsure", "untracked")

    def __init__(self) -> None:
        # Tracked candidates, in git's order (stages collapse): regular files, symlinks or
        # gitlinks, which the disk tells apart, and the index's modes where the disk has a
        # symlink or a directory (see _tracked_on_disk).
        self.found: dict[str, FileKind] = {}
        self.unsure: list[str] = []  # skip-worktree
        self.untracked: list[str] = []

    def add(self, output: bytes) -> str:
        """Sort out the entries of `output` the prefilter picks out; the decoded text."""
        text = output.decode("utf-8", "surrogateescape")
        for entry in entries_to_examine(text):
            tag, path = entry[:1], entry[2:]
            if tag == "H" or tag in _TRACKED_TAGS:
                kind = classify(path)
                if kind is not None:
                    self.found[path] = kind
            elif tag == "?":
                self.untracked.append(path)
            elif tag == "S":
                self.unsure.append(path)
        return text


def _read_listing(
    started: StartedGit,
    root: Path,
    real_root: str,
    *,
    tracked_only: bool,
    tracked_known: TrackedKnown | None,
) -> CandidateListing | None:
    entries = _Entries()
    index = entries.add(started.output(gitstarts.LISTED_INDEX))
    regular, live_symlinks = _tracked_on_disk(root, real_root, entries.found)
    # _GitEntries tests the whole output for _SUSPICIOUS markers first (~80 ms on 100,000
    # files); with only the candidates left, testing each of them is cheaper and gives the same.
    regular = [(path, kind) for path, kind in regular if is_plain_relpath(path)]
    skip_worktree = entries.unsure
    any_tracked = bool(regular or live_symlinks or skip_worktree) or _any_present_tracked(index, real_root)
    if not any_tracked and not _is_toplevel(root, real_root):
        return None
    notes: list[Notification] = []
    extra = _present_on_disk(real_root, live_symlinks + skip_worktree, notes)
    found = dict(regular)
    for path in extra:
        kind = classify(path)
        if kind is not None:
            found[path] = kind
    tracked = set(found)
    others: list[str] = []
    if not tracked_only:
        if tracked_known is not None:
            tracked_known(sorted(found.items()), lambda: started.running(gitstarts.LISTED_WALK))
        entries.add(started.output(gitstarts.LISTED_WALK))
        others = _usable_untracked(real_root, entries.untracked, notes)
    for path in others:
        kind = classify(path)
        if kind is not None:
            found[path] = kind
    return CandidateListing(
        root=root,
        is_git=True,
        candidates=tuple(sorted(found.items())),
        tracked=frozenset(tracked),
        notifications=tuple(sorted(notes, key=_note_key)),
        repo_prefix=gitstarts.prefix_from(started.result(gitstarts.LISTED_PREFIX)),
    )


def list_candidates(
    root: Path,
    *,
    tracked_only: bool = False,
    tracked_known: TrackedKnown | None = None,
) -> CandidateListing:
    """The candidate files under `root` with their kinds, as `candidates(list_files(root))` gives
    them, and which of them git tracks. Raises DiscoveryError as list_files does.

    `tracked_known`, if given, is called with the tracked candidates (path, kind), sorted, as
    soon as the index says what they are: git's walk for untracked files, which grows with the
    tree, goes on meanwhile, so the caller can read them in the time; its second argument tells
    whether git is still walking. They are all among the listing's candidates; it is not called
    when nothing can be gained (--tracked-only, no git).
    """
    root, real_root = _checked_root(root)
    found, notes = _from_git(
        lambda: _git_candidates(root, real_root, tracked_only=tracked_only, tracked_known=tracked_known)
    )
    if found is not None:
        return found
    _require_git_for_tracked_only(root, tracked_only)
    walked = _walk_listing(root, real_root)
    return CandidateListing(
        root=root,
        is_git=False,
        candidates=candidates(walked),
        tracked=frozenset(),
        notifications=tuple(notes) + walked.notifications,
    )
