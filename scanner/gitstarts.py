"""The first git commands of a scan of a directory and of a staged scan, and their head starts.

A scan's first git commands depend only on the directory scanned, so `ccpolicy scan` starts them
from its raw command line (scanner.cli.scan_cmd.begin_early), before argparse and the scan's
modules are imported, and the code that reads them later takes them from the registries here.
In a repository of 100,000 files git's walk for untracked files takes ~0.12 s, longer than
everything else a scan does: begun ~20 ms sooner, it ends ~20 ms sooner.

Like scanner.gitspawn and scanner.headstart, this module imports nothing else when it loads.
"""

from __future__ import annotations

import os

from scanner.gitspawn import GitError, StartedGit
from scanner.headstart import HeadStarts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from pathlib import Path

TOPLEVEL = ("rev-parse", "--show-toplevel")
SHOW_PREFIX = ("rev-parse", "--show-prefix")
# Both in one process: "<top>\n<prefix>\n" (failing, as TOPLEVEL does, outside a work tree).
TOP_AND_PREFIX = ("rev-parse", "--show-toplevel", "--show-prefix")
# The index, with modes, blob ids and stages; -t tags each entry, as entries_to_examine expects.
INDEX_LISTING = ("ls-files", "-z", "-s", "-t", "--cached")
# Its paths alone, which is all a scan of the work tree needs: half the output, half git's time.
INDEX_PATHS = ("ls-files", "-z", "-t", "--cached")
# Without -s, which would list the cached entries a second time.
UNTRACKED_WALK = ("ls-files", "-z", "-t", "--others", "--exclude-standard")


def prefix_from(output: bytes | Exception) -> str:
    """The root's path in its work tree ("app/") from what SHOW_PREFIX gave: its output, or the
    error it failed with ("": the top, or unknown)."""
    return "" if isinstance(output, Exception) else output.decode("utf-8", "replace").strip()


def top_and_prefix(output: bytes | GitError) -> tuple[bytes | GitError, bytes | GitError]:
    """What TOPLEVEL and SHOW_PREFIX would have given, from what TOP_AND_PREFIX gave."""
    if isinstance(output, GitError):
        return output, output
    top, _, prefix = output.partition(b"\n")
    return top + b"\n", prefix


def listing_commands(tracked_only: bool) -> tuple[tuple[str, ...], ...]:
    """The git commands list_candidates reads: the index, the root's place in its repository,
    then (unless tracked_only) the walk for untracked files.

    The walk reads every directory and grows with the tree (~0.12 s of 100,000 files); as a
    git process of its own it overlaps the index read instead of following it."""
    first = (INDEX_PATHS, SHOW_PREFIX)
    return first if tracked_only else (*first, UNTRACKED_WALK)


# Where each of listing_commands is, for the StartedGit that runs them.
LISTED_INDEX, LISTED_PREFIX, LISTED_WALK = 0, 1, 2


def listing_key(root: Path | str, tracked_only: bool) -> tuple[str, bool]:
    return (os.path.realpath(root), tracked_only)


# Listings started before they are needed, by listing_key: see listing_started_early.
listings: HeadStarts[StartedGit] = HeadStarts()


def listing_started_early(root: Path | str, *, tracked_only: bool) -> AbstractContextManager[None]:
    """Start the git commands list_candidates(root) will read, so that git lists the tree while
    the scan loads its policy and imports its modules. list_candidates inside the block uses
    them; on leaving, whatever was not used is stopped. Without git, or outside a repository,
    nothing changes: the scan finds out as it always does."""
    return listings.begin(
        listing_key(root, tracked_only),
        lambda: StartedGit(root, *listing_commands(tracked_only)),
        StartedGit.stop,
        failing=(GitError,),
    )


def start_staged(scan_root: Path | str) -> StartedGit:
    """The first commands of a staged scan, at once rather than one after another: the work
    tree's top and the scan root's place in it (TOP_AND_PREFIX), and the index (when which index
    does not depend on the top: an inherited GIT_INDEX_FILE that is relative is read once the
    top is known)."""
    inherited = os.environ.get("GIT_INDEX_FILE")
    early_index = not inherited or os.path.isabs(inherited)
    commands = (TOP_AND_PREFIX, INDEX_LISTING) if early_index else (TOP_AND_PREFIX,)
    return StartedGit(scan_root, *commands, index_file=inherited if inherited and early_index else None)


def staged_key(scan_root: Path | str) -> tuple[str, str | None]:
    return (os.path.realpath(scan_root), os.environ.get("GIT_INDEX_FILE"))


# The first commands of staged scans, started before they are needed: see staged_started_early.
staged: HeadStarts[StartedGit] = HeadStarts()


def staged_started_early(scan_root: Path | str) -> AbstractContextManager[None]:
    """Begin what read_staged_inputs(scan_root) does first, so that it overlaps the scan loading
    its policy and importing its modules: where a process can be forked, all of the reading and
    parsing, in a child (scanner.forkedread); elsewhere, the git commands it begins with.
    read_staged_inputs inside the block uses it; on leaving, whatever was not used is stopped.
    When neither can begin, nothing changes: read_staged_inputs meets what stopped them."""
    from scanner import forkedread

    key = staged_key(scan_root)
    if forkedread.can_fork():
        return forkedread.read_forked_early(os.path.realpath(scan_root), key)
    return staged.begin(key, lambda: start_staged(scan_root), StartedGit.stop, failing=(GitError,))
