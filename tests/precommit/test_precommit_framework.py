"""The hook under the real pre-commit framework, in real git repositories.

pre-commit installs a hook repository by cloning it at a commit and pip-installing it into its
own virtualenv. `try-repo` of the project directory would clone HEAD plus modified tracked
files only (new, uncommitted files are left out), so the hook repository here is a commit of
this working tree as it is now: every file git lists (tracked and untracked, not ignored).

Slow (pip installs ccpolicy and its dependencies): the commit tests share one PRE_COMMIT_HOME,
so that environment is built once per session; `try-repo` always uses a fresh store of its own.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gitrepo import commit, git, isolated_env, make_repo, stage, write_files

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[2]
KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"
LEAK = f"ANTHROPIC_API_KEY={KEY}\n"
CLEAN = "FOO=1\n"
FIXED = "FOO=2\n"
HOOK_LINE = re.compile(
    r"^ccpolicy \(Claude Code policy\)\.+(?P<status>Passed|Failed|\(no files to check\)Skipped)$"
)
FAILED_BLOCK = [
    "- hook id: ccpolicy",
    "- exit code: 1",
    "",
    ".env:1:1: CCP401 [critical] ANTHROPIC_API_KEY is assigned a literal value that looks like an Anthropic "
    "API key (value redacted): anyone who can read this file can use it, and it stays in git history after "
    "removal. Rotate it and load it from a secret store instead.",
    "ccpolicy: 1 finding (1 critical) in 1 configuration file; 1 at or above high: failing. "
    "Details: ccpolicy explain CCP401",
]


def project_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        capture_output=True,
        check=True,
    )
    return [p for p in listed.stdout.decode("utf-8", "surrogateescape").split("\0") if p]


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this working tree in one commit: (path, commit id)."""
    source = tmp_path_factory.mktemp("hook-source") / "ccpolicy"
    source.mkdir()
    for relpath in project_files():
        origin = PROJECT / relpath
        if origin.is_symlink() or not origin.is_file():
            continue  # deleted in the working tree, or a symlink fixture the build does not need
        target = source / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, target)
    git(source, "init", "-q")
    git(source, "add", "-A")
    git(source, "commit", "-q", "--no-verify", "-m", "ccpolicy working tree")
    return source, git(source, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def run(repo: Path, argv: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=repo,
        env=isolated_env({"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        check=False,
    )


def hook_report(output: str) -> tuple[str, list[str]]:
    """The hook's status (Passed, Failed, (no files to check)Skipped) and the lines after it."""
    lines = output.splitlines()
    for index, line in enumerate(lines):
        match = HOOK_LINE.match(line)
        if match:
            return match.group("status"), lines[index + 1 :]
    raise AssertionError(f"no ccpolicy hook line in:\n{output}")


@pytest.fixture
def hooked_repo(tmp_path: Path, hook_source: tuple[Path, str], pre_commit_home: Path) -> Path:
    """A repository using the hook through .pre-commit-config.yaml, with `pre-commit install` done."""
    source, rev = hook_source
    repo = make_repo(tmp_path)
    config = f"repos:\n  - repo: {source}\n    rev: {rev}\n    hooks:\n      - id: ccpolicy\n"
    commit(repo, {".pre-commit-config.yaml": config, "README.md": "readme\n", ".env": CLEAN}, "initial")
    installed = run(repo, [sys.executable, "-m", "pre_commit", "install"], pre_commit_home)
    assert installed.returncode == 0, installed.stdout
    return repo


def git_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    return run(repo, ["git", "commit", "-q", "-m", "change"], home)


def test_commit_adding_a_violation_is_blocked(hooked_repo: Path, pre_commit_home: Path) -> None:
    before = git(hooked_repo, "rev-parse", "HEAD")
    stage(hooked_repo, {".env": LEAK})
    result = git_commit(hooked_repo, pre_commit_home)
    assert result.returncode == 1, result.stdout
    status, after = hook_report(result.stdout)
    assert status == "Failed"
    assert after[: len(FAILED_BLOCK)] == FAILED_BLOCK
    assert git(hooked_repo, "rev-parse", "HEAD") == before


def test_staged_violation_under_an_unstaged_fix_is_blocked(hooked_repo: Path, pre_commit_home: Path) -> None:
    stage(hooked_repo, {".env": LEAK})
    write_files(hooked_repo, {".env": FIXED})
    result = git_commit(hooked_repo, pre_commit_home)
    assert result.returncode == 1, result.stdout
    assert hook_report(result.stdout)[0] == "Failed"
    assert (hooked_repo / ".env").read_text() == FIXED  # pre-commit restored the unstaged edit


def test_clean_commit_passes(hooked_repo: Path, pre_commit_home: Path) -> None:
    before = git(hooked_repo, "rev-parse", "HEAD")
    stage(hooked_repo, {".env": FIXED})
    result = git_commit(hooked_repo, pre_commit_home)
    assert result.returncode == 0, result.stdout
    assert hook_report(result.stdout)[0] == "Passed"
    assert git(hooked_repo, "rev-parse", "HEAD") != before


def test_commit_touching_no_candidate_file_skips_the_scan(hooked_repo: Path, pre_commit_home: Path) -> None:
    stage(hooked_repo, {"README.md": "changed\n"})
    result = git_commit(hooked_repo, pre_commit_home)
    assert result.returncode == 0, result.stdout
    assert hook_report(result.stdout)[0] == "(no files to check)Skipped"


def test_try_repo(hook_source: tuple[Path, str], pre_commit_home: Path, tmp_path: Path) -> None:
    source, _rev = hook_source
    repo = make_repo(tmp_path)
    commit(repo, {"README.md": "readme\n"}, "initial")
    stage(repo, {".env": LEAK})
    result = run(
        repo, [sys.executable, "-m", "pre_commit", "try-repo", str(source), "ccpolicy"], pre_commit_home
    )
    assert result.returncode == 1, result.stdout
    status, after = hook_report(result.stdout)
    assert status == "Failed"
    assert after[: len(FAILED_BLOCK)] == FAILED_BLOCK
