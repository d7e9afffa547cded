"""Build real git repositories for tests, deterministically.

Plain functions on purpose (no fixtures), so any test can use them:

    repo = make_repo(tmp_path)
    sha = commit(repo, {".env": "A=1\\n", "old.sh": None}, "add env, drop old.sh")
    stage(repo, {".claude/settings.json": "{}"})

Git runs with a fixed author, committer and clock (each commit one minute after the previous
one in the repository) and without the machine's global or system config, so commit ids are
the same on every machine. These helpers use plain git on purpose (they are the test's hands,
not the code under test), so install hostile config only after the last helper call.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pytest

AUTHOR_NAME = "Test Author"
AUTHOR_EMAIL = "author@example.com"
COMMITTER_NAME = "Test Committer"
COMMITTER_EMAIL = "committer@example.com"
EPOCH = 1_700_000_000  # 2023-11-14T22:13:20Z: the first commit's date
DEFAULT_BRANCH = "main"

FileContent = str | bytes | None  # None deletes the file


def isolated_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ without GIT_* variables, with no global/system git config and a fixed identity."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": AUTHOR_NAME,
            "GIT_AUTHOR_EMAIL": AUTHOR_EMAIL,
            "GIT_COMMITTER_NAME": COMMITTER_NAME,
            "GIT_COMMITTER_EMAIL": COMMITTER_EMAIL,
            "LC_ALL": "C",
        }
    )
    if extra:
        env.update(extra)
    return env


def isolate_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the code under test ignore this machine's global and system git config too.

    gitsafe keeps GIT_CONFIG_GLOBAL/GIT_CONFIG_NOSYSTEM from the environment, so setting them
    here reaches every git process the scanner starts.
    """
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


def isolate_staged_reads(monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> None:
    """For reading a repository's index with caching on: git config of the test's own, no index
    inherited from a calling hook (GIT_INDEX_FILE), and caches under `cache_home`."""
    isolate_git_config(monkeypatch)
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)
    monkeypatch.delenv("CCPOLICY_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache_home))


def git(repo: Path, *args: str, input: bytes | None = None, env: Mapping[str, str] | None = None) -> str:
    """Run plain git in `repo`; return stdout without the trailing newline. Fails the test on error."""
    completed = subprocess.run(
        ["git", *args],
        cwd=repo,
        env=isolated_env(env),
        input=input,
        capture_output=True,
        check=False,
    )
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).decode(errors="replace")
        raise AssertionError(f"git {' '.join(args)} failed ({completed.returncode}): {output}")
    return completed.stdout.decode("utf-8", "surrogateescape").rstrip("\n")


def make_repo(tmp_path: Path, name: str = "repo") -> Path:
    """An empty repository (no commits) on branch `main` at tmp_path/name."""
    repo = tmp_path / name
    repo.mkdir(parents=True)
    git(repo, "-c", f"init.defaultBranch={DEFAULT_BRANCH}", "init", "-q")
    return repo


def write_files(repo: Path, files: Mapping[str, FileContent]) -> None:
    """Write (str as UTF-8, bytes as is) or delete (None) files in the working tree."""
    for relpath, content in files.items():
        path = repo / relpath
        if content is None:
            if path.is_symlink() or path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


def stage(repo: Path, files: Mapping[str, FileContent]) -> None:
    """Write or delete the files and stage exactly those paths."""
    write_files(repo, files)
    if files:
        git(repo, "add", "-A", "--", *files)


def _next_date(repo: Path) -> str:
    count = int(git(repo, "rev-list", "--all", "--count") or "0")
    return f"@{EPOCH + 60 * count} +0000"


def commit(repo: Path, files: Mapping[str, FileContent], message: str) -> str:
    """Write/delete `files`, stage those paths, commit with a fixed clock; return the commit id."""
    stage(repo, files)
    date = _next_date(repo)
    git(
        repo,
        "commit",
        "-q",
        "--allow-empty",
        "--no-verify",
        "-m",
        message,
        env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date},
    )
    return git(repo, "rev-parse", "HEAD")


def snapshot_tree(directory: Path) -> dict[str, tuple[str, int, int, bytes]]:
    """Every entry under `directory`: (type, size, mtime_ns, content or link target).

    Compare two snapshots to prove a command changed nothing (no lock file, no index rewrite).
    """
    entries: dict[str, tuple[str, int, int, bytes]] = {}
    for dirpath, dirnames, filenames in os.walk(directory):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            info = path.lstat()
            relpath = path.relative_to(directory).as_posix()
            if path.is_symlink():
                entries[relpath] = ("link", 0, info.st_mtime_ns, os.readlink(path).encode())
            elif path.is_dir():
                entries[relpath] = ("dir", 0, info.st_mtime_ns, b"")
            else:
                entries[relpath] = ("file", info.st_size, info.st_mtime_ns, path.read_bytes())
    return entries


class GitStart(Protocol):
    """A git process ccpolicy started: subprocess.Popen or scanner.gitspawn.GitProcess."""

    args: Any
    returncode: int | None

    def wait(self, timeout: float | None = None) -> int: ...

    def poll(self) -> int | None: ...


def git_subcommand(argv: Sequence[str]) -> str:
    """The git subcommand of a command line ccpolicy built: the first word after git's options
    (`-c key=value`, `-C directory`, `--no-pager`...)."""
    words = iter(argv[1:])
    for word in words:
        if word in ("-c", "-C"):
            next(words)
        elif not word.startswith("-"):
            return word
    return ""


def record_git_processes(
    monkeypatch: pytest.MonkeyPatch, when_started: Callable[[GitStart], object] | None = None
) -> list[GitStart]:
    """Every process started from now on (scanner.gitspawn's, and any through subprocess), real
    and running, in order; `when_started` is called with each as it starts."""
    from scanner import gitsafe, gitspawn

    started: list[GitStart] = []
    real_popen = subprocess.Popen
    real_git_process = gitspawn.GitProcess
    spawning: list[bool] = []  # a GitProcess is being made (it may use Popen: counted once)

    def record(process: GitStart) -> None:
        started.append(process)
        if when_started is not None:
            when_started(process)

    def recording_popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        process: subprocess.Popen[bytes] = real_popen(*args, **kwargs)  # type: ignore[call-overload]
        if not spawning:
            record(process)
        return process

    def recording_git_process(*args: Any, **kwargs: Any) -> gitspawn.GitProcess:
        spawning.append(True)
        try:
            process = real_git_process(*args, **kwargs)
        finally:
            spawning.pop()
        record(process)
        return process

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    monkeypatch.setattr(gitspawn, "GitProcess", recording_git_process)
    monkeypatch.setattr(gitsafe, "GitProcess", recording_git_process)
    return started
