"""Write git repositories through one `git fast-import`: fast, and byte-for-byte reproducible.

Every commit has a fixed author, committer and date, so the same generator input gives the same
commit ids on every machine (a test checks this). Git runs with no user or system configuration,
so nothing on the machine changes what is written.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

AUTHOR = "Bench Author <bench@example.com>"
EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z


def git_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        {
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_AUTHOR_NAME": "Bench Author",
            "GIT_AUTHOR_EMAIL": "bench@example.com",
            "GIT_COMMITTER_NAME": "Bench Author",
            "GIT_COMMITTER_EMAIL": "bench@example.com",
            "GIT_AUTHOR_DATE": f"{EPOCH} +0000",
            "GIT_COMMITTER_DATE": f"{EPOCH} +0000",
            "LC_ALL": "C",
        }
    )
    return env


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=repo, env=git_env(), input=stdin, capture_output=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {completed.stderr.decode(errors='replace')[:500]}")
    return completed.stdout.decode("utf-8", "replace")


@dataclass
class Commit:
    """One commit: files written (path -> text) and paths deleted, against its parent."""

    message: str
    writes: Mapping[str, str] = field(default_factory=dict)
    deletes: Iterable[str] = ()


def _data(out: IO[bytes], payload: bytes) -> None:
    out.write(b"data %d\n" % len(payload))
    out.write(payload)
    out.write(b"\n")


def import_commits(repo: Path, commits: Iterable[Commit], *, branch: str = "main") -> None:
    """Append `commits` to a new repository at `repo` (created) and check out the last one."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", branch)
    process = subprocess.Popen(
        ["git", "fast-import", "--quiet", "--done"],
        cwd=repo,
        env=git_env(),
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    out = process.stdin
    try:
        for number, commit in enumerate(commits):
            stamp = EPOCH + number * 60
            out.write(f"commit refs/heads/{branch}\n".encode())
            out.write(f"author {AUTHOR} {stamp} +0000\n".encode())
            out.write(f"committer {AUTHOR} {stamp} +0000\n".encode())
            _data(out, commit.message.encode())
            for path in commit.deletes:
                out.write(f"D {path}\n".encode())
            for path, text in commit.writes.items():
                out.write(f"M 100644 inline {path}\n".encode())
                _data(out, text.encode())
        out.write(b"done\n")
        out.close()
    finally:
        stderr = process.stderr.read() if process.stderr is not None else b""
        code = process.wait()
    if code != 0:
        raise RuntimeError(f"git fast-import failed: {stderr.decode(errors='replace')[:500]}")
    git(repo, "reset", "-q", "--hard", branch)
