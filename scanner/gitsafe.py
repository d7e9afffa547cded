"""The one place that runs git, configured so that nothing from the scanned repository executes.

The settings that make git safe, GitError and StartedGit live in scanner.gitspawn, which
imports nothing but `os` so that a scan can start git before anything else is loaded; they are
re-exported here. This module adds commands whose output is returned (run_git), read as a
stream (StartedStream) or asked through a pipe (BlobReader), and GitPython with the same
settings (safe_repo). Callers only use plumbing and read-only commands that apply no filters.

Stdlib only; GitPython is imported lazily by `safe_repo`, for callers that want its API.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from scanner import regexcache
from scanner.gitspawn import (
    GLOBAL_OPTIONS,
    KEPT_GIT_VARIABLES,
    SAFE_CONFIG,
    SAFE_ENVIRONMENT,
    GitError,
    GitProcess,
    StartedGit,
    failure,
    forget_git_executable,
    git_argv,
    git_env,
    git_executable,
    output_file,
    start_of,
    subcommand,
)
from scanner.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    import threading
    from typing import IO

    import git

# Defined in scanner.gitspawn, and used from here by most callers.
__all__ = [
    "GLOBAL_OPTIONS",
    "KEPT_GIT_VARIABLES",
    "SAFE_CONFIG",
    "SAFE_ENVIRONMENT",
    "BlobReader",
    "GitError",
    "StartedGit",
    "StartedStream",
    "TooLarge",
    "forget_git_executable",
    "git_argv",
    "git_env",
    "git_executable",
    "run_git",
    "safe_repo",
]


def run_git(
    repo: Path,
    *args: str,
    input: bytes | None = None,
    check: bool = True,
    index_file: Path | None = None,
    timeout: float | None = None,
) -> bytes:
    """Run `git <args>` in `repo` and return its stdout.

    Raises GitError when git is missing, cannot start, times out, or (with `check`) exits
    non-zero. The message carries the subcommand and the first line of stderr, redacted.
    """
    import subprocess

    try:
        completed = subprocess.run(
            git_argv(*args),
            cwd=repo,
            env=git_env(index_file=index_file),
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {subcommand(args)} timed out after {timeout} s") from None
    except OSError as error:
        raise GitError(f"git {subcommand(args)} could not start: {error.strerror}") from None
    if check and completed.returncode != 0:
        raise failure(args, completed.returncode, completed.stderr)
    return completed.stdout


def _start(
    repo: Path,
    args: tuple[str, ...],
    *,
    stdin: int,
    stderr: int | IO[bytes],
    stdout: int | IO[bytes] | None = None,
    index_file: Path | None = None,
) -> subprocess.Popen[bytes]:
    """`git <args>` through subprocess, stdout to a pipe unless given."""
    import subprocess

    try:
        return subprocess.Popen(
            git_argv(*args),
            cwd=repo,
            env=git_env(index_file=index_file),
            stdin=stdin,
            stdout=subprocess.PIPE if stdout is None else stdout,
            stderr=stderr,
        )
    except OSError as error:
        raise GitError(f"git {subcommand(args)} could not start: {error.strerror}") from None


def _records(chunks: Iterable[bytes], stdout: IO[bytes], separator: bytes) -> Iterator[bytes]:
    """The records of `chunks` (read ahead) followed by the rest of `stdout`; lines keep their
    b"\n", other records come without their separator (as StartedStream.records says)."""
    lines = separator == b"\n"
    if lines and not chunks:
        yield from stdout
        return
    pending = b""
    for chunk in itertools.chain(chunks, iter(lambda: stdout.read(1 << 16), b"")):
        pending += chunk
        *complete, pending = pending.split(separator)
        yield from ([record + separator for record in complete] if lines else complete)
    if pending:
        yield pending


class StartedStream:
    """`git <args>` started now, for output too large to hold: read as records by records().

    read_ahead() lets git get going before anyone reads (from a thread, while the caller does
    other work), keeping at most a bound in memory; git waits on a full pipe after that.
    """

    def __init__(self, repo: Path, *args: str, index_file: Path | None = None) -> None:
        self._args = args
        # stderr goes to a file: a pipe nobody reads could fill up and block git.
        import subprocess

        self._stderr = output_file()  # closed by stop(), which every path reaches
        try:
            self._process = _start(
                repo, args, stdin=subprocess.DEVNULL, stderr=self._stderr, index_file=index_file
            )
        except GitError:
            self._stderr.close()
            raise
        self._ahead: list[bytes] = []

    def read_ahead(self, limit: int, until: threading.Event | None = None) -> None:
        """Read up to about `limit` bytes of the output into memory now: blocks until then, EOF,
        or `until` is set (checked after each read, so the reader can take over from there)."""
        stdout: IO[bytes] = self._process.stdout  # type: ignore[assignment]  # PIPE was requested
        size = 0
        while size < limit and not (until and until.is_set()) and (chunk := stdout.read1(1 << 16)):  # type: ignore[attr-defined]
            self._ahead.append(chunk)
            size += len(chunk)

    def records(self, separator: bytes = b"\n") -> Generator[bytes, None, None]:
        """Yield the output record by record; call once.

        With the default separator, records are lines that keep their b"\n"; with another (b"\0"
        for -z output), records come without it. Stopping early kills the process. A non-zero exit
        raises GitError after the last record, so a truncated stream never passes for a whole one.
        """
        stdout: IO[bytes] = self._process.stdout  # type: ignore[assignment]  # PIPE was requested
        ahead, self._ahead = self._ahead, []
        finished = False
        try:
            yield from _records(ahead, stdout, separator)
            finished = True
        finally:
            if not finished:
                self.stop()
        returncode = self._process.wait()
        stderr = start_of(self._stderr)
        self.stop()
        if returncode != 0:
            raise failure(self._args, returncode, stderr)

    def stop(self) -> None:
        """Stop git if it still runs, reap it, release its pipes (also when records() was never read)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._stderr.close()


class TooLarge(NamedTuple):
    """An object BlobReader did not keep because it is bigger than asked for."""

    size: int


def _discard(stream: IO[bytes], count: int) -> None:
    while count > 0:
        chunk = stream.read(min(count, 1 << 20))
        if not chunk:
            raise GitError("git cat-file stopped answering")
        count -= len(chunk)


_OBJECT_ID = regexcache.compile(rb"[0-9a-f]{40}(?:[0-9a-f]{24})?")


class BlobReader:
    """One long-running `git cat-file --batch`: read many objects for the price of one process.

    Without --filters or --textconv, cat-file returns raw objects, so no driver runs. Use as a
    context manager; `read` takes hexadecimal object ids only (never a revision expression).
    """

    def __init__(self, repo: Path) -> None:
        import signal

        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        try:
            # Failures show as answers ("<oid> missing") or as a dead process; stderr adds nothing.
            with open(os.devnull, "wb") as devnull:
                self._process = GitProcess(
                    repo,
                    ("cat-file", "--batch"),
                    git_env(),
                    stdin=stdin_read,
                    stdout=stdout_write,
                    stderr=devnull.fileno(),
                    default_signals=(signal.SIGPIPE,),
                )
        except GitError:
            for fd in (stdin_write, stdout_read):
                os.close(fd)
            raise
        finally:  # git's ends
            os.close(stdin_read)
            os.close(stdout_write)
        self._stdin = open(stdin_write, "wb")  # noqa: SIM115 - closed by close()
        self._stdout = open(stdout_read, "rb")  # noqa: SIM115 - closed by close()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # Requests of one batch must fit in the pipe to cat-file (64 KiB on Linux) so that writing
    # them never blocks while cat-file waits for us to read its answers: 1,000 x 65 bytes.
    _BATCH = 1000

    def read(self, object_id: str, *, max_bytes: int | None = None) -> bytes | TooLarge | None:
        """The object's content, or None when the repository does not have it."""
        return self.read_many([object_id], max_bytes=max_bytes)[0]

    def read_many(
        self,
        object_ids: Sequence[str],
        *,
        max_bytes: int | None = None,
        meanwhile: Callable[[], object] | None = None,
    ) -> list[bytes | TooLarge | None]:
        """Contents in the order asked, one round trip per 1,000 ids.

        None: the repository does not have the object. TooLarge: it is over `max_bytes`, and
        its content was read from git and dropped, never held in memory. `meanwhile` runs once,
        after the first ids are sent and before their answers are read: work that would
        otherwise wait while git looks the objects up.
        """
        contents: list[bytes | TooLarge | None] = []
        for start in range(0, len(object_ids), self._BATCH):
            contents += self._round_trip(object_ids[start : start + self._BATCH], max_bytes, meanwhile)
            meanwhile = None
        return contents

    def read_by_id(
        self,
        object_ids: Iterable[str],
        *,
        max_bytes: int | None = None,
        meanwhile: Callable[[], object] | None = None,
    ) -> dict[str, bytes | TooLarge | None]:
        """read_many's answers by object id, each id asked once (in sorted order)."""
        unique = sorted(set(object_ids))
        answers = self.read_many(unique, max_bytes=max_bytes, meanwhile=meanwhile)
        return dict(zip(unique, answers, strict=True))

    def _round_trip(
        self, object_ids: Sequence[str], max_bytes: int | None, meanwhile: Callable[[], object] | None
    ) -> list[bytes | TooLarge | None]:
        request = [oid.encode("ascii", "replace") for oid in object_ids]
        if not all(_OBJECT_ID.fullmatch(oid) for oid in request):
            raise GitError("cat-file: not an object id")
        stdin, stdout = self._stdin, self._stdout
        try:
            stdin.write(b"".join(oid + b"\n" for oid in request))
            stdin.flush()
        except OSError:
            raise GitError("git cat-file stopped answering") from None
        if meanwhile is not None:
            meanwhile()
        contents: list[bytes | TooLarge | None] = []
        for _ in request:
            header = stdout.readline().split()
            if len(header) == 2 and header[1] == b"missing":
                contents.append(None)
                continue
            if len(header) != 3 or not header[2].isdigit():
                raise GitError("git cat-file stopped answering")
            size = int(header[2])
            if max_bytes is not None and size > max_bytes:
                _discard(stdout, size + 1)
                contents.append(TooLarge(size))
                continue
            content = stdout.read(size)
            stdout.read(1)  # the newline after the content
            if len(content) != size:
                raise GitError("git cat-file stopped answering")
            contents.append(content)
        return contents

    def close(self) -> None:
        for stream in (self._stdin, self._stdout):
            with contextlib.suppress(OSError):
                stream.close()
        try:
            self._process.wait(timeout=5)
        except TimeoutError:
            self._process.kill()
            self._process.wait()


def _repository_locations(path: Path) -> dict[str, str]:
    """Where the repository at `path` lives, asked of git with a clean environment."""
    out = run_git(
        path,
        "rev-parse",
        "--absolute-git-dir",
        "--git-common-dir",
        "--git-path",
        "index",
        "--is-bare-repository",
    )
    git_dir, common_dir, index, bare = out.decode("utf-8", "surrogateescape").splitlines()[:4]
    # --git-common-dir and --git-path answer relative to the directory git ran in.
    common_dir = os.path.normpath(os.path.join(path, common_dir))
    locations = {
        "GIT_DIR": git_dir,
        "GIT_COMMON_DIR": common_dir,
        "GIT_INDEX_FILE": os.path.normpath(os.path.join(path, index)),
        "GIT_OBJECT_DIRECTORY": os.path.join(common_dir, "objects"),
    }
    if bare != "true":
        toplevel = run_git(path, "rev-parse", "--show-toplevel")
        locations["GIT_WORK_TREE"] = toplevel.decode("utf-8", "surrogateescape").rstrip("\n")
    return locations


def _neutralising_overrides(locations: Mapping[str, str]) -> dict[str, str]:
    """Values that cancel inherited GIT_* variables GitPython cannot unset (it only layers its
    own variables over os.environ): the right locations, empty config parameters, else ""."""
    overrides: dict[str, str] = {}
    for key in os.environ:
        if not key.startswith("GIT_") or key in KEPT_GIT_VARIABLES:
            continue
        if key in locations:
            overrides[key] = locations[key]
        elif key == "GIT_CONFIG_COUNT":
            overrides[key] = "0"
        else:
            overrides[key] = ""
    if "SSH_ASKPASS" in os.environ:
        overrides["SSH_ASKPASS"] = ""
    return overrides


def _same_path(first: str | os.PathLike[str] | None, second: str | None) -> bool:
    if first is None or second is None:
        return first is None and second is None
    return os.path.realpath(first) == os.path.realpath(second)


def safe_repo(path: Path) -> git.Repo:
    """A GitPython Repo whose git processes get the same options and environment as run_git.

    Safe for reading: log/show/cat-file/ls-files/rev-parse, tree and blob objects, and plumbing
    diffs (diff-tree, diff-index: no external diff, no textconv). Porcelain `diff`/`log -p` must
    still be given --no-ext-diff --no-textconv. Commands that read or write the working tree
    (status, diff against the working tree, add, checkout, stash) can apply the repository's
    filter drivers, which no option disables: do not use them on a scanned repository.
    Raises GitError when `path` is not a repository or inherited GIT_DIR/GIT_WORK_TREE make
    GitPython see a different one than git does.
    """
    import git as gitpython

    locations = _repository_locations(path)
    try:
        repo = gitpython.Repo(os.fspath(path), search_parent_directories=True)
    except (gitpython.InvalidGitRepositoryError, gitpython.NoSuchPathError) as error:
        raise GitError(f"not a git repository: {error}") from None
    expected_tree = locations.get("GIT_WORK_TREE")
    seen_tree = repo.working_tree_dir
    if (
        not _same_path(repo.git_dir, locations["GIT_DIR"])
        or not _same_path(repo.common_dir, locations["GIT_COMMON_DIR"])
        or not _same_path(seen_tree, expected_tree)
    ):
        repo.close()
        raise GitError("GitPython resolved a different repository (inherited GIT_DIR/GIT_WORK_TREE?)")
    repo.git.set_persistent_git_options(
        no_pager=True,
        no_replace_objects=True,
        c=[f"{key}={value}" for key, value in SAFE_CONFIG],
    )
    # GitPython layers its variables over os.environ: neutralise what it cannot unset, then
    # pass what differs from it (SAFE_ENVIRONMENT wins over a neutral value).
    environment = _neutralising_overrides(locations)
    environment.update({key: value for key, value in git_env().items() if os.environ.get(key) != value})
    repo.git.update_environment(**environment)
    return repo
