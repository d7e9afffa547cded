"""Turn a fixture directory into a real git repository with a real commit, for scanning."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CASE_FILE = "case.toml"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Fixture Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Fixture Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    out = subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True)
    return out.stdout


def load_case(case_dir: Path) -> dict[str, object]:
    path = case_dir / CASE_FILE
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def materialise(case_dir: Path, dest: Path) -> Path:
    """Copy the case into `dest`, `git init`, commit everything except `untracked` files."""
    case = load_case(case_dir)
    shutil.copytree(case_dir, dest, symlinks=True, ignore=shutil.ignore_patterns(CASE_FILE))
    git(dest, "init", "-q", "-b", "main")
    untracked = [str(p) for p in case.get("untracked", [])]  # type: ignore[attr-defined]
    git(dest, "add", "-A", "--", ".", *[f":(exclude){p}" for p in untracked])
    git(dest, "commit", "-q", "--allow-empty", "-m", "fixture")
    return dest


def materialise_history(case_dir: Path, dest: Path) -> list[str]:
    """Build the commits a history case lists; return their ids, oldest first.

    case.toml (history = true):
        [[commits]]
        message = "add key"
        files = { ".env" = "ANTHROPIC_API_KEY=...\\n" }   # written (created or replaced)
        delete = [".env"]                                 # optional: removed
        author = "Jane Doe <jane@example.com>"            # optional (default Fixture Author)
    Commit n (1-based) is dated 2026-01-01T00:0n:00Z, so every commit id is reproducible. The
    working tree is left as the last commit made it.
    """
    case = load_case(case_dir)
    dest.mkdir(parents=True)
    git(dest, "init", "-q", "-b", "main")
    shas: list[str] = []
    commits = case.get("commits", [])
    assert isinstance(commits, list), f"{case_dir}/case.toml: commits must be a list of tables"
    for number, spec in enumerate(commits, start=1):
        for relpath, content in dict(spec.get("files", {})).items():
            path = dest / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(str(content).encode("utf-8"))
        for relpath in spec.get("delete", []):
            (dest / relpath).unlink()
        env = {
            "GIT_AUTHOR_DATE": f"2026-01-01T00:{number:02d}:00Z",
            "GIT_COMMITTER_DATE": f"2026-01-01T00:{number:02d}:00Z",
        }
        author = str(spec.get("author", ""))
        if author:
            name, _, email = author.partition(" <")
            env.update({"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email.rstrip(">")})
        subprocess.run(["git", "add", "-A"], cwd=dest, env={**os.environ, **GIT_ENV}, check=True)
        subprocess.run(
            ["git", "commit", "-q", "--allow-empty", "-m", str(spec.get("message", f"commit {number}"))],
            cwd=dest,
            env={**os.environ, **GIT_ENV, **env},
            check=True,
            capture_output=True,
        )
        shas.append(git(dest, "rev-parse", "HEAD").strip())
    return shas
