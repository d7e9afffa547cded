"""Start git so that nothing from the scanned repository executes, with nothing but `os`.

A scanned repository is untrusted input, and so is its `.git/config` (a repository copied from an
archive, a CI cache or another user's home carries its own config, hooks and attributes). Git can
run programs named there: the fsmonitor hook, hooks, the pager, external diff and textconv
drivers, clean/smudge filters, credential helpers, askpass, ssh, gpg, remote helpers (a
lazy fetch in a partial clone reaches the network from an innocent `cat-file`). Every git
process ccpolicy starts gets command-line configuration, which outranks every config file, and
an environment that switch each of those off (git_argv, git_env), and callers only use plumbing
and read-only commands that apply no filters. Aliases never run because no alias name is ever
called.

This module holds those settings and StartedGit, and imports nothing but `os` when it
loads: a scan starts its first git commands from here before argparse and its own modules are
imported (scanner.gitstarts), because in a large repository git's walk of the working tree is
what the scan waits for longest. scanner.gitsafe adds the commands read as streams or through
pipes, and GitPython.
"""

from __future__ import annotations

import os

# Not `from typing import ...`: typing (and re behind it) would delay git's start by ~3 ms.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from pathlib import Path
    from typing import IO

# Values that make each execution vector inert. "false" is looked up on the sanitised PATH
# (never the repository), so it can only be the system's /usr/bin/false.
SAFE_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.useBuiltinFSMonitor", "false"),  # Git for Windows' older spelling
    ("core.hooksPath", "/dev/null"),  # every hook lookup misses: /dev/null is not a directory
    ("core.sshCommand", "false"),  # GIT_SSH_COMMAND below outranks it anyway
    ("core.pager", "cat"),
    ("core.askPass", ""),
    ("core.editor", "false"),
    ("sequence.editor", "false"),
    # An empty external diff makes a diff that forgot --no-ext-diff fail instead of running the
    # repository's program. Per-attribute `diff.<driver>.command` needs --no-ext-diff: callers
    # always pass it (and --no-textconv) to diff-family porcelain.
    ("diff.external", ""),
    ("credential.helper", ""),  # an empty value clears every helper configured before it
    # Per-protocol settings outrank protocol.allow, so the dangerous ones are pinned too;
    # GIT_ALLOW_PROTOCOL in the environment outranks all of them.
    ("protocol.allow", "never"),
    ("protocol.ext.allow", "never"),
    ("protocol.file.allow", "never"),
    ("protocol.ssh.allow", "never"),
    ("protocol.git.allow", "never"),
    ("protocol.http.allow", "never"),
    ("protocol.https.allow", "never"),
    ("submodule.recurse", "false"),
    ("log.showSignature", "false"),  # signature checks run gpg.program
    ("gpg.program", "false"),
    ("gpg.openpgp.program", "false"),
    ("gpg.x509.program", "false"),
    ("gpg.ssh.program", "false"),
    ("gc.auto", "0"),
    ("maintenance.auto", "false"),
    # Scanning repositories owned by another user (CI containers, root scanning home
    # directories) needs this. The ownership check exists because a foreign repository's config
    # can run programs; every such program is disabled above, so reading it is safe.
    ("safe.directory", "*"),
)

# Global options placed before the subcommand. --no-replace-objects: refs/replace could hide
# a commit (and the secret in it) from a history scan.
GLOBAL_OPTIONS: tuple[str, ...] = ("--no-pager", "--no-replace-objects")

# Inherited GIT_* variables that only say which trusted (system/user) config to read or where
# repository discovery stops. Every other GIT_* variable is dropped: GIT_DIR, GIT_INDEX_FILE or
# GIT_CONFIG_PARAMETERS left by a calling hook would point git at something else.
KEPT_GIT_VARIABLES: frozenset[str] = frozenset(
    {
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_CONFIG_NOSYSTEM",
        "GIT_CEILING_DIRECTORIES",
        "GIT_DISCOVERY_ACROSS_FILESYSTEM",
    }
)

SAFE_ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("GIT_OPTIONAL_LOCKS", "0"),  # no index refresh, no index.lock
    ("GIT_TERMINAL_PROMPT", "0"),
    ("GIT_ASKPASS", ""),  # set-but-empty: git neither runs core.askPass nor SSH_ASKPASS
    ("GIT_SSH_COMMAND", "false"),
    ("GIT_PAGER", "cat"),
    ("GIT_EDITOR", "false"),
    ("GIT_ALLOW_PROTOCOL", ""),  # an allow-list naming no protocol: no transport at all
    # Never fetch the missing objects of a partial clone (git 2.45, and 2.39.4+ maintenance
    # releases). Older git still cannot reach a transport, but records a filter in .git/config.
    ("GIT_NO_LAZY_FETCH", "1"),
    ("GIT_NO_REPLACE_OBJECTS", "1"),
    ("GIT_PROTOCOL_FROM_USER", "0"),
    ("LC_ALL", "C"),  # stable, English messages to parse
    ("LANGUAGE", "C"),
)

_STDERR_SUMMARY_LIMIT = 200


class GitError(Exception):
    """A git command failed; the message names the subcommand and a short, redacted reason."""

    def __init__(self, message: str, *, returncode: int | None = None, stderr_summary: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr_summary = stderr_summary

    @property
    def not_a_repository(self) -> bool:
        return "not a git repository" in self.stderr_summary.lower()


def summarise_stderr(stderr: bytes) -> str:
    """git's reason for failing (its first fatal/error line, else its first line that is not a
    hint), with URL credentials removed and the length capped."""
    from scanner import regexcache

    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line and not line.startswith("hint:")]
    reasons = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
    if not reasons:
        return ""
    url_userinfo = regexcache.compile(r"(?<=://)[^/@\s]+@")
    return url_userinfo.sub("***@", reasons[0])[:_STDERR_SUMMARY_LIMIT]


def subcommand(args: tuple[str, ...]) -> str:
    return args[0] if args else "git"


def failure(args: tuple[str, ...], returncode: int, stderr: bytes) -> GitError:
    summary = summarise_stderr(stderr)
    message = f"git {subcommand(args)} failed (exit {returncode})"
    if summary:
        message += f": {summary}"
    return GitError(message, returncode=returncode, stderr_summary=summary)


def _sanitised_path(path: str) -> str:
    """PATH without empty or relative entries: git runs in the scanned tree, and `.` on PATH
    would let the repository supply `false`, `cat` or `git` itself."""
    return os.pathsep.join(entry for entry in path.split(os.pathsep) if entry and os.path.isabs(entry))


class _Found:
    """git's absolute path, once found (functools would be one more import before git starts)."""

    executable: str | None = None


def git_executable() -> str:
    """Absolute path of git, found on the sanitised PATH (never in the current directory)."""
    if _Found.executable is None:
        found = _which("git", _sanitised_path(os.environ.get("PATH", os.defpath)))
        if found is None:
            raise GitError("git executable not found on PATH")
        _Found.executable = os.path.abspath(found)
    return _Found.executable


def forget_git_executable() -> None:
    """Look git up on PATH again next time (PATH changed)."""
    _Found.executable = None


def _which(name: str, path: str) -> str | None:
    """shutil.which(name, path=path), without importing shutil (and the compression modules it
    brings, ~2 ms) on POSIX, where it is a walk along PATH for an executable file."""
    if os.name == "nt":  # PATHEXT and the current directory's rules: shutil knows them
        import shutil

        return shutil.which(name, path=path)
    for directory in path.split(os.pathsep):
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.X_OK) and not os.path.isdir(candidate):
            return candidate
    return None


def git_argv(*args: str) -> list[str]:
    """The full command line for `git <args>` with every execution vector disabled."""
    argv = [git_executable(), *GLOBAL_OPTIONS]
    for key, value in SAFE_CONFIG:
        argv += ["-c", f"{key}={value}"]
    argv += args
    return argv


def git_env(*, index_file: Path | str | None = None) -> dict[str, str]:
    """The inherited environment minus every GIT_* variable not in KEPT_GIT_VARIABLES, plus
    SAFE_ENVIRONMENT. `index_file` selects an alternative index (pre-commit under `commit -a`)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GIT_") or key in KEPT_GIT_VARIABLES
    }
    env.pop("SSH_ASKPASS", None)
    env["PATH"] = _sanitised_path(env.get("PATH", os.defpath))
    env.update(SAFE_ENVIRONMENT)
    if index_file is not None:
        env["GIT_INDEX_FILE"] = os.fspath(index_file)
    return env


def output_file() -> IO[bytes]:
    """An anonymous file for a command's output, gone once closed."""
    if hasattr(os, "memfd_create"):  # Linux: in memory, and no tempfile import (~3 ms)
        try:
            return open(os.memfd_create("ccpolicy-git"), "w+b")
        except OSError:
            pass
    import tempfile

    return tempfile.TemporaryFile()


def start_of(stderr: IO[bytes]) -> bytes:
    """The first 64 KB a command wrote to `stderr` (a file): enough for the error it reports."""
    stderr.seek(0)
    return stderr.read(64 * 1024)


# None where there is none (Windows): then GitProcess uses subprocess.
_posix_spawn = getattr(os, "posix_spawn", None)


class GitProcess:
    """One git command, with the part of subprocess.Popen's interface used here (args,
    returncode, poll, wait, kill). Its standard streams are the file descriptors given (stdin
    None: /dev/null); they stay the caller's to close. `default_signals` are reset to their
    default action in git (Python ignores SIGPIPE, and git writing into a pipe should not).

    Started with os.posix_spawn where there is one: subprocess would cost ~2 ms of imports
    (~5 ms before anything else is loaded). posix_spawn cannot change directory, so git is given
    `-C repo`, which it applies before reading anything. Elsewhere (Windows), subprocess.Popen.
    """

    def __init__(
        self,
        repo: Path | str,
        args: tuple[str, ...],
        env: dict[str, str],
        *,
        stdout: int,
        stderr: int,
        stdin: int | None = None,
        default_signals: tuple[int, ...] = (),
    ) -> None:
        self.args = git_argv("-C", os.fspath(repo), *args)
        self.returncode: int | None = None
        self._popen: subprocess.Popen[bytes] | None = None
        if not os.path.isdir(repo):  # as subprocess fails to change into it, rather than git later
            reason = "Not a directory" if os.path.exists(repo) else "No such file or directory"
            raise GitError(f"git {subcommand(args)} could not start: {reason}")
        devnull = os.open(os.devnull, os.O_RDONLY) if stdin is None else None
        try:
            if _posix_spawn is not None:
                actions = [
                    (os.POSIX_SPAWN_DUP2, stdin if devnull is None else devnull, 0),
                    (os.POSIX_SPAWN_DUP2, stdout, 1),
                    (os.POSIX_SPAWN_DUP2, stderr, 2),
                ]
                self.pid = _posix_spawn(
                    self.args[0], self.args, env, file_actions=actions, setsigdef=default_signals
                )
            else:
                import subprocess

                self._popen = subprocess.Popen(
                    self.args,
                    env=env,
                    stdin=stdin if devnull is None else devnull,
                    stdout=stdout,
                    stderr=stderr,
                )
                self.pid = self._popen.pid
        except OSError as error:
            raise GitError(f"git {subcommand(args)} could not start: {error.strerror}") from None
        finally:
            if devnull is not None:
                os.close(devnull)

    def poll(self) -> int | None:
        """The exit status once git has ended, else None."""
        if self.returncode is None:
            if self._popen is not None:
                self.returncode = self._popen.poll()
            else:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for git to end; TimeoutError after `timeout` seconds, if given."""
        if self.returncode is not None:
            return self.returncode
        if self._popen is not None:
            import subprocess

            try:
                self.returncode = self._popen.wait(timeout)
            except subprocess.TimeoutExpired:
                raise TimeoutError(f"git still runs after {timeout} s") from None
        elif timeout is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        else:
            import time

            deadline = time.monotonic() + timeout
            pause = 0.00005  # git that was just told to end (cat-file's stdin closed) ends in microseconds
            while (returncode := self.poll()) is None:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"git still runs after {timeout} s")
                time.sleep(pause)
                pause = min(pause * 2, 0.005)
            return returncode
        return self.returncode

    def kill(self) -> None:
        if self.poll() is not None:
            return
        if self._popen is not None:
            self._popen.kill()
            return
        import contextlib
        import signal

        with contextlib.suppress(ProcessLookupError):  # it ended meanwhile: wait() reaps it
            os.kill(self.pid, signal.SIGKILL)


class StartedGit:
    """Read-only git commands started at once in `repo`, their output read later.

    For commands that do unrelated work (reading the index, walking the working tree), so that
    they overlap each other, and whatever Python does meanwhile, on a machine with more than one
    CPU. Each command writes to a file of its own rather than a pipe, so git runs at its own
    pace and never waits for Python to read (the output of `ls-files` over 100,000 files is
    ~9 MB; a pipe holds 64 KB). Raises GitError when a command cannot start (the others are
    stopped).
    """

    def __init__(
        self, repo: Path | str, *commands: tuple[str, ...], index_file: Path | str | None = None
    ) -> None:
        self._commands = commands
        self._processes: list[GitProcess] = []
        self._files: list[tuple[IO[bytes], IO[bytes]]] = []
        env = git_env(index_file=index_file)
        try:
            for args in commands:
                stdout, stderr = output_file(), output_file()
                self._files.append((stdout, stderr))
                self._processes.append(
                    GitProcess(repo, args, env, stdout=stdout.fileno(), stderr=stderr.fileno())
                )
        except GitError:
            self.stop()
            raise

    def result(self, position: int) -> bytes | GitError:
        """The stdout of command `position`, or the GitError it failed with, once git is done;
        the others go on meanwhile, so a caller can work on one output while git produces the
        next. Once each."""
        args, process = self._commands[position], self._processes[position]
        stdout, stderr = self._files[position]
        returncode = process.wait()
        if returncode != 0:
            return failure(args, returncode, start_of(stderr))
        stdout.seek(0)
        return stdout.read()

    def running(self, position: int) -> bool:
        """Whether the command at `position` is still at work."""
        return self._processes[position].poll() is None

    def output(self, position: int) -> bytes:
        """The stdout of command `position`; GitError if it failed. Once each."""
        result = self.result(position)
        if isinstance(result, GitError):
            raise result
        return result

    def results(self) -> list[bytes | GitError]:
        """Each command's stdout, or the GitError it failed with, in order. Call once."""
        return [self.result(position) for position in range(len(self._commands))]

    def stop(self) -> None:
        """Stop the commands still running, reap them all and drop their output (after reading
        it, or instead)."""
        for process in self._processes:
            process.kill()
            process.wait()
        for files in self._files:
            for file in files:
                file.close()
