"""A staged scan's reading, done by a child process forked as the command begins.

`ccpolicy scan --staged` (pre-commit) has two halves that need each other only once the rules
run: loading the policy and the rules (~40 ms, most of it imports), and reading and parsing what
is staged (git, the parse cache, the parsers of the changed files: ~35 ms). One after the other
they take a whole CPU; forked from the raw command line (scanner.cli.scan_cmd.begin_early), a
child reads and parses while the parent loads the policy, and the parent judges what the child
hands it.

The git commands the reading begins with start, and the modules both processes need load, before
the fork. The child then reads and parses the staged files of the whole scan root
(scanner.staged_read; which files the policy excludes is not known yet: the parent drops them),
and hands back what it parsed and the keys of the parses it found in the parse cache, or the
UsageError it met, pickled through a pipe: never through a file, as a parse may hold a credential
(scanner.parsecache writes none to disk). The parent unpacks those cached parses itself while
it waits, from the same cache file (the child's save keeps them in it). The child leaves with
os._exit, so none of the parent's exit handlers runs in it, and writes nothing to the parent's
output (its stdout and stderr are /dev/null). When the child fails in any other way, or the
parent cannot find a parse the child reused (another run rewrote the cache meanwhile), the
parent reads the index itself: the result is the same either way, only later.

A process is forked only where it is safe: where os.fork exists (not Windows) and no other thread
runs (a child gets a copy of the forking thread alone, and a lock another thread held stays held
in it forever).

Like scanner.gitstarts, this module imports nothing else when it loads.
"""

from __future__ import annotations

import os
import sys

from scanner.headstart import HeadStarts

TYPE_CHECKING = False
if TYPE_CHECKING:
    from contextlib import AbstractContextManager
    from typing import NoReturn

    from scanner.gitspawn import GitError
    from scanner.inputs import Inputs

# None where there is none (Windows), or to keep the reading in this process (tests that watch it).
_fork = getattr(os, "fork", None)


class ForkedRead:
    """A child reading the staged content of one scan root; `result` once, or `stop`."""

    def __init__(self, pid: int, pipe: int, scan_root: str) -> None:
        self.pid = pid
        self._pid: int | None = pid  # until reaped
        self._pipe: int | None = pipe  # until read
        self._scan_root = scan_root

    def result(self) -> Inputs | None:
        """What the child read, or None when it failed (read it here, then). Raises the
        UsageError the child met (not a git repository, an unreadable index). The child may
        still be saving its caches: `stop` waits for it."""
        from pathlib import Path

        from scanner.parsecache import ParseCache
        from scanner.staged_read import index_inputs

        if self._pipe is None:
            return None
        # The parses the child found in the cache it leaves packed; they are unpacked here while
        # it reads and parses the rest. Its save keeps them, so they are found even after it.
        cache = ParseCache(Path(self._scan_root))
        cache.unpack()
        pipe, self._pipe = self._pipe, None
        chunks: list[bytes] = []
        try:
            while chunk := os.read(pipe, 1 << 20):
                chunks.append(chunk)
        except OSError:
            chunks = []
        finally:
            os.close(pipe)
        import pickle

        from scanner.errors import UsageError

        try:
            kind, value = pickle.loads(b"".join(chunks))
        except Exception:  # a child that failed writes nothing, or not all of it: read it here
            return None
        if kind == "usage":
            raise UsageError(value)
        return index_inputs(value, cache) if kind == "read" else None

    def stop(self) -> None:
        """Wait for a child whose result was taken; stop one nobody asked (the parsed command
        line asked for something else)."""
        unused = self._pipe is not None
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        if unused:
            import contextlib
            import signal

            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile: waitpid reaps it
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


class CannotFork(Exception):
    """Forking is not available or not safe here: the staged scan reads in this process."""


def can_fork() -> bool:
    if _fork is None:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def fork_read(scan_root: str) -> ForkedRead:
    """A child that reads the staged content under `scan_root` (absolute, resolved).

    The git commands the reading begins with start here, and the modules both processes need
    load here, once: the child then waits for no git (it could not reap the parent's) and
    imports only the parsers of what changed."""
    if _fork is None or not can_fork():
        raise CannotFork
    from scanner import gitstarts
    from scanner.gitspawn import GitError

    try:
        started = gitstarts.start_staged(scan_root)
    except GitError:
        raise CannotFork from None  # read_staged_inputs meets the error
    from scanner import parsecache, staged_read  # noqa: F401  (pickle too: both unpickle)

    if parsecache.cache_file(scan_root) is not None:
        parsecache.code_signature()  # the child's parse cache and the parent's rule set cache

    try:
        first_results = started.results()
    finally:
        started.stop()
    try:
        readable, writable = os.pipe()
    except OSError:  # out of file descriptors: read in this process
        raise CannotFork from None
    try:
        pid = _fork()
    except OSError:
        os.close(readable)
        os.close(writable)
        raise CannotFork from None
    if pid == 0:
        os.close(readable)
        _read_in_child(scan_root, first_results, writable)
    os.close(writable)
    return ForkedRead(pid, readable, scan_root)


def _read_in_child(scan_root: str, first_results: list[bytes | GitError], pipe: int) -> NoReturn:
    status = 1
    try:
        _silence_output()
        import pickle
        from pathlib import Path

        from scanner import regexcache
        from scanner.errors import UsageError
        from scanner.parsecache import ParseCache
        from scanner.staged_read import read_index

        root = Path(scan_root)
        cache = ParseCache(root)
        try:
            read = read_index(root, cache, first_results=first_results, unpack=False)
            payload: tuple[str, object] = ("read", read)
        except UsageError as error:
            payload = ("usage", str(error))
        with open(pipe, "wb") as out:
            out.write(pickle.dumps(payload, pickle.HIGHEST_PROTOCOL))
        # After the parent has what it waits for: a process that leaves by os._exit saves here
        # what a normal exit would.
        cache.save()
        regexcache.save_now()
        status = 0
    except BaseException:  # anything else: the parent reads it again, and meets the error itself
        pass
    finally:
        os._exit(status)


def _silence_output() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    if not os.environ.get("CCPOLICY_DEBUG"):
        os.dup2(devnull, 2)
    os.close(devnull)


# The forked reads of staged scans, by gitstarts.staged_key.
reads: HeadStarts[ForkedRead] = HeadStarts()


def read_forked_early(scan_root: str, key: object) -> AbstractContextManager[None]:
    """Fork the child that reads the staged content under `scan_root`; read_staged_inputs inside
    the block takes what it read, and on leaving, a child nobody asked is stopped."""
    return reads.begin(key, lambda: fork_read(scan_root), ForkedRead.stop, failing=(CannotFork,))
