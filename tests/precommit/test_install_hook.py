"""`ccpolicy install-hook`: a plain git pre-commit hook that blocks commits with violations."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.cli.install_hook_cmd import MARKER, ccpolicy_command, hook_script, hooks_directory
from scanner.gitsafe import forget_git_executable
from tests.gitrepo import commit, git, isolate_git_config, isolated_env, make_repo, stage, write_files
from tests.test_gitsafe import VECTORS, build

KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"
LEAK = f"ANTHROPIC_API_KEY={KEY}\n"
CLEAN = "FOO=1\n"
FIXED = "FOO=2\n"  # clean, and different from the committed CLEAN
LEAK_LINE = (
    ".env:1:1: CCP401 [critical] ANTHROPIC_API_KEY is assigned a literal value that looks like an Anthropic "
    "API key (value redacted): anyone who can read this file can use it, and it stays in git history after "
    "removal. Rotate it and load it from a secret store instead."
)
THIS_CCPOLICY = str(Path(sys.executable).parent / "ccpolicy")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    isolate_git_config(monkeypatch)
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)
    forget_git_executable()
    yield
    forget_git_executable()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    commit(repo, {".env": CLEAN, "README.md": "readme\n"}, "initial")
    return repo


def install(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["install-hook", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def git_commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A real `git commit` (hooks enabled), as a developer would type it."""
    return subprocess.run(
        ["git", "commit", "-q", "-m", "change", *args],
        cwd=repo,
        env=isolated_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD")


def test_installs_an_executable_hook(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hook = repo / ".git/hooks/pre-commit"
    assert install(capsys, str(repo)) == (0, f"ccpolicy pre-commit hook installed: {hook}\n", "")
    assert hook.read_text() == (
        "#!/bin/sh\n"
        "# Installed by `ccpolicy install-hook`.\n"
        "# Judges what is being committed (the git index) against the policy in the working tree.\n"
        "# Skip once with `git commit --no-verify`; uninstall by deleting this file.\n"
        f"exec {THIS_CCPOLICY} scan --staged --format short\n"
    )
    assert hook.stat().st_mode & 0o777 == 0o755
    assert install(capsys, str(repo)) == (0, f"ccpolicy pre-commit hook already installed: {hook}\n", "")


def test_commit_with_a_violation_is_blocked_and_a_clean_one_passes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install(capsys, str(repo))[0] == 0
    before = head(repo)
    stage(repo, {".env": LEAK})
    blocked = git_commit(repo)
    assert blocked.returncode == 1
    assert blocked.stderr.splitlines() == [
        LEAK_LINE,
        "ccpolicy: 1 finding (1 critical) in 1 configuration file; 1 at or above high: failing. "
        "Details: ccpolicy explain CCP401",
    ]
    assert head(repo) == before  # nothing was committed
    stage(repo, {".env": FIXED})
    passed = git_commit(repo)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stderr.splitlines() == [
        "ccpolicy: 0 findings in 1 configuration file; none at or above high."
    ]
    assert head(repo) != before


def test_hook_judges_the_index_not_the_working_tree(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    install(capsys, str(repo))
    stage(repo, {".env": LEAK})
    write_files(repo, {".env": FIXED})  # fixed on disk, not staged
    assert git_commit(repo).returncode == 1
    # `git commit -a` stages the fix into the commit's own index: the hook must read that one.
    committed = git_commit(repo, "-a")
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert git(repo, "show", "HEAD:.env") == "FOO=2"


def test_partial_commit_of_a_leak_is_blocked(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    install(capsys, str(repo))
    write_files(repo, {".env": LEAK, "README.md": "changed\n"})
    assert git_commit(repo, "--", ".env").returncode == 1  # `git commit <paths>`: a temporary index
    assert git_commit(repo, "--", "README.md").returncode == 0
    assert git(repo, "show", "HEAD:.env") == "FOO=1"


def test_refuses_to_replace_an_existing_hook(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    assert install(capsys, str(repo)) == (
        2,
        "",
        f"ccpolicy: error: {hook} already exists; not replacing it. Run `ccpolicy install-hook --force` to "
        "replace it (its content is not kept), or call `ccpolicy scan --staged` from that hook yourself.\n",
    )
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"
    assert install(capsys, str(repo), "--force") == (0, f"ccpolicy pre-commit hook replaced: {hook}\n", "")
    assert hook.read_text().splitlines()[1] == MARKER


def test_force_replaces_a_symlinked_hook_without_writing_through_it(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "shared-hook"
    shared.write_text("#!/bin/sh\nexit 0\n")
    hook = repo / ".git/hooks/pre-commit"
    hook.symlink_to(shared)
    assert install(capsys, str(repo))[0] == 2
    assert install(capsys, str(repo), "--force")[0] == 0
    assert not hook.is_symlink()
    assert shared.read_text() == "#!/bin/sh\nexit 0\n"


def test_relative_hooks_path_from_a_subdirectory(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "config", "core.hooksPath", ".githooks")
    (repo / "src").mkdir()
    hook = repo / ".githooks/pre-commit"
    assert install(capsys, str(repo / "src")) == (0, f"ccpolicy pre-commit hook installed: {hook}\n", "")
    stage(repo, {".env": LEAK})
    assert git_commit(repo).returncode == 1  # git found it there


def test_hooks_path_from_the_user_config(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    global_config = tmp_path / "gitconfig"
    global_config.write_text("[core]\n\thooksPath = ~/hooks\n")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(global_config))
    assert hooks_directory(repo) == home / "hooks"
    git(repo, "config", "core.hooksPath", str(tmp_path / "local-hooks"))  # the repository's own wins
    assert hooks_directory(repo) == tmp_path / "local-hooks"


def test_worktrees_share_the_common_hooks_directory(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    worktree = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(worktree))
    hook = repo / ".git/hooks/pre-commit"
    assert install(capsys, str(worktree)) == (0, f"ccpolicy pre-commit hook installed: {hook}\n", "")


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert install(capsys, str(tmp_path)) == (
        2,
        "",
        f"ccpolicy: error: {tmp_path}: not inside a git repository\n",
    )
    assert install(capsys, str(tmp_path / "nope")) == (
        2,
        "",
        f"ccpolicy: error: {tmp_path / 'nope'}: not a directory\n",
    )


def test_command_is_this_installation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ccpolicy_command() == [THIS_CCPOLICY]
    bare = tmp_path / "bin" / "python3"
    bare.parent.mkdir()
    bare.write_text("")
    monkeypatch.setattr(sys, "executable", str(bare))
    assert ccpolicy_command() == [str(bare), "-m", "scanner"]


def test_script_quotes_paths_with_spaces() -> None:
    assert hook_script(["/opt/my tools/python", "-m", "scanner"]).splitlines()[-1] == (
        "exec '/opt/my tools/python' -m scanner scan --staged --format short"
    )


def test_module_fallback_hook_works(repo: Path) -> None:
    hook = repo / ".git/hooks/pre-commit"
    hook.write_text(hook_script([sys.executable, "-m", "scanner"]))
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    stage(repo, {".env": LEAK})
    blocked = git_commit(repo)
    assert (blocked.returncode, blocked.stderr.splitlines()[0]) == (1, LEAK_LINE)


@pytest.mark.parametrize("vector", list(VECTORS))
def test_install_hook_runs_nothing_from_the_repository(
    vector: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trap = build(tmp_path)
    VECTORS[vector](trap, monkeypatch)
    status, _out, _err = install(capsys, str(trap.repo))
    assert status in (0, 2)  # 2: a trap already put a pre-commit hook there
    assert trap.sprung() == []
    assert not (trap.repo / ".git/index.lock").exists()
    assert os.path.exists(trap.repo / ".git/hooks/pre-commit") or status == 2
