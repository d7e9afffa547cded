"""`ccpolicy scan --staged`: the index is judged, not the working tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scanner import forkedread, gitstarts
from scanner.cli import main
from scanner.errors import UsageError
from scanner.gitstarts import staged_started_early
from scanner.headstart import HeadStarts
from scanner.model import Severity
from scanner.ruleset import preset_ruleset
from scanner.scan import ScanOptions
from scanner.staged_scan import STAGED_CATEGORY, read_staged_inputs, repository_root, scan_staged
from tests.gitrepo import (
    GitStart,
    commit,
    git,
    git_subcommand,
    isolate_git_config,
    isolated_env,
    make_repo,
    record_git_processes,
    stage,
    write_files,
)

KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"
LEAK = f"ANTHROPIC_API_KEY={KEY}\n"
CLEAN = "FOO=1\n"
CCP401_MESSAGE = (
    "ANTHROPIC_API_KEY is assigned a literal value that looks like an Anthropic API key (value redacted): "
    "anyone who can read this file can use it, and it stays in git history after removal. Rotate it and "
    "load it from a secret store instead."
)


def leak_line(path: str) -> str:
    return f"{path}:1:1: CCP401 [critical] {CCP401_MESSAGE}"


def failing_summary(files: int) -> str:
    noun = "file" if files == 1 else "files"
    return (
        f"ccpolicy: 1 finding (1 critical) in {files} configuration {noun}; 1 at or above high: failing. "
        "Details: ccpolicy explain CCP401"
    )


def clean_summary(files: int) -> str:
    noun = "file" if files == 1 else "files"
    return f"ccpolicy: 0 findings in {files} configuration {noun}; none at or above high."


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    commit(repo, {".env": CLEAN, "README.md": "readme\n", "app/build.sh": "echo hi\n"}, "initial")
    return repo


def staged_scan(
    capsys: pytest.CaptureFixture[str], *args: str, cwd: Path | None = None
) -> tuple[int, list[str], str]:
    """Run `ccpolicy scan --staged --format short ARGS` in-process: (status, stdout lines, stderr)."""
    previous = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        status = main(["scan", "--staged", "--format", "short", *args])
    finally:
        os.chdir(previous)
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err


def test_staged_violation_fails_even_when_the_working_tree_is_fixed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stage(repo, {".env": LEAK})
    write_files(repo, {".env": CLEAN})  # the fix is not staged: the commit would still leak
    assert staged_scan(capsys, str(repo)) == (1, [leak_line(".env"), failing_summary(2)], "")


def test_staged_fix_passes_even_when_the_working_tree_leaks(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commit(repo, {".env": LEAK}, "leak")
    stage(repo, {".env": CLEAN})
    write_files(repo, {".env": LEAK})  # not staged: not part of the commit
    assert staged_scan(capsys, str(repo)) == (0, [clean_summary(2)], "")


def test_untracked_files_are_not_judged(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(repo, {"secrets/.env": LEAK})
    assert staged_scan(capsys, str(repo)) == (0, [clean_summary(2)], "")


def test_deleted_in_index_is_not_scanned(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit(repo, {"old/.env": LEAK}, "leak")
    git(repo, "rm", "-q", "--cached", "old/.env")  # the commit removes it; the file stays on disk
    assert staged_scan(capsys, str(repo)) == (0, [clean_summary(2)], "")


def test_deleted_on_disk_only_is_still_committed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage(repo, {"old/.env": LEAK})
    (repo / "old/.env").unlink()  # still in the index, so still in the commit
    assert staged_scan(capsys, str(repo)) == (1, [leak_line("old/.env"), failing_summary(3)], "")


def test_paths_are_relative_to_the_scanned_directory(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage(repo, {"app/.env": LEAK})
    assert staged_scan(capsys, "app", cwd=repo) == (1, [leak_line(".env"), failing_summary(2)], "")
    # From inside the subdirectory, PATH defaults to `.`: the same scan.
    assert staged_scan(capsys, cwd=repo / "app") == (1, [leak_line(".env"), failing_summary(2)], "")
    # From the top, the whole index, paths from the top.
    assert staged_scan(capsys, cwd=repo) == (1, [leak_line("app/.env"), failing_summary(3)], "")


def test_several_paths_are_several_targets(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stage(repo, {"app/.env": LEAK, "web/.env": LEAK})
    status, lines, _ = staged_scan(capsys, "app", "web", cwd=repo)
    assert (status, lines[:2]) == (1, [leak_line("app/.env"), leak_line("web/.env")])
    assert lines[2] == (
        "ccpolicy: 2 findings (2 critical) in 3 configuration files; 2 at or above high: failing. "
        "Details: ccpolicy explain CCP401"
    )


def test_index_of_a_running_commit_is_used(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`git commit -a` hands its hook a temporary index in GIT_INDEX_FILE: that is what is committed."""
    write_files(repo, {".env": LEAK})  # modified, not staged in .git/index
    temporary_index = tmp_path / "next-index"
    git(repo, "read-tree", "HEAD", env={"GIT_INDEX_FILE": str(temporary_index)})
    git(repo, "add", ".env", env={"GIT_INDEX_FILE": str(temporary_index)})
    assert staged_scan(capsys, str(repo)) == (0, [clean_summary(2)], "")
    monkeypatch.setenv("GIT_INDEX_FILE", str(temporary_index))
    assert staged_scan(capsys, str(repo)) == (1, [leak_line(".env"), failing_summary(2)], "")


def test_relative_index_file_is_relative_to_the_top_of_the_work_tree(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    git(repo, "read-tree", "HEAD", env={"GIT_INDEX_FILE": ".git/next-index"})
    write_files(repo, {".env": LEAK})
    git(repo, "add", ".env", env={"GIT_INDEX_FILE": ".git/next-index"})
    monkeypatch.setenv("GIT_INDEX_FILE", ".git/next-index")
    assert staged_scan(capsys, ".", cwd=repo / "app") == (0, [clean_summary(1)], "")
    assert staged_scan(capsys, str(repo)) == (1, [leak_line(".env"), failing_summary(2)], "")


def test_first_commit_of_an_empty_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    assert staged_scan(capsys, str(repo)) == (0, [clean_summary(0)], "")
    stage(repo, {".env": LEAK})
    assert staged_scan(capsys, str(repo)) == (1, [leak_line(".env"), failing_summary(1)], "")


def test_unmerged_file_is_reported_not_scanned(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "A=0\n"}, "base")
    git(repo, "checkout", "-q", "-b", "other")
    commit(repo, {".env": LEAK}, "other")
    git(repo, "checkout", "-q", "main")
    commit(repo, {".env": "A=2\n"}, "main")
    completed = subprocess.run(
        ["git", "merge", "-q", "other"], cwd=repo, env=isolated_env(), capture_output=True, check=False
    )
    assert completed.returncode == 1  # a conflict, as intended
    assert staged_scan(capsys, str(repo)) == (
        0,
        [
            ".env: warning: file has unresolved merge conflicts in the index; not scanned",
            "ccpolicy: 0 findings in 0 configuration files; none at or above high.",
        ],
        "",
    )


def test_not_a_repository_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    status, lines, err = staged_scan(capsys, str(plain))
    assert (status, lines) == (2, [])
    assert err == f"ccpolicy: error: {plain}: not inside a git repository (--staged reads the git index)\n"


def test_a_bare_repository_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    status, lines, err = staged_scan(capsys, str(bare))
    assert (status, lines) == (2, [])
    assert err.startswith(f"ccpolicy: error: {bare}: cannot read the git repository: ")
    assert "work tree" in err


def test_missing_and_file_paths_are_usage_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert staged_scan(capsys, str(repo / "nope")) == (
        2,
        [],
        f"ccpolicy: error: {repo / 'nope'}: no such file or directory\n",
    )
    assert staged_scan(capsys, str(repo / "README.md")) == (
        2,
        [],
        f"ccpolicy: error: {repo / 'README.md'}: not a directory\n",
    )


def test_inside_the_git_directory_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, lines, err = staged_scan(capsys, str(repo / ".git"))
    assert (status, lines) == (2, [])
    assert err.startswith(f"ccpolicy: error: {repo / '.git'}: ")


def test_staged_does_not_go_with_repos_from(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    listing = tmp_path / "repos.txt"
    listing.write_text(f"{repo}\n")
    assert staged_scan(capsys, "--repos-from", str(listing)) == (
        2,
        [],
        "ccpolicy: error: --staged reads local git indexes: it does not go with --repos-from\n",
    )


def test_staged_and_history_are_exclusive(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert staged_scan(capsys, "--history", str(repo)) == (
        2,
        [],
        "ccpolicy: error: --staged and --history cannot be combined\n",
    )


def test_json_and_sarif_say_staged(repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    stage(repo, {".env": LEAK})
    sarif = tmp_path / "out.sarif"
    assert main(["scan", "--staged", str(repo), "--format", "json", "-o", f"sarif={sarif}"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["targets"] == [{"target": str(repo), "kind": "staged", "files_scanned": 2, "contexts": 0}]
    assert [(f["rule_id"], f["path"], f["line"]) for f in report["findings"]] == [("CCP401", ".env", 1)]
    run = json.loads(sarif.read_text())["runs"][0]
    assert run["automationDetails"] == {"id": "ccpolicy/staged/"}
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == ".env"
    assert KEY not in sarif.read_text()


def test_policy_is_read_from_the_working_tree(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The policy in force is the one on disk; a staged but unsaved-over version does not apply."""
    stage(repo, {".env": LEAK, "ccpolicy.toml": 'disable = ["CCP401"]\n'})
    write_files(repo, {"ccpolicy.toml": 'extends = ["recommended"]\n'})
    assert staged_scan(capsys, str(repo)) == (1, [leak_line(".env"), failing_summary(2)], "")
    stage(repo, {"ccpolicy.toml": 'extends = ["recommended"]\n'})
    write_files(repo, {"ccpolicy.toml": 'disable = ["CCP401"]\n'})
    assert staged_scan(capsys, str(repo)) == (0, [clean_summary(2)], "")


def test_committed_local_settings_are_judged_from_the_index(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stage(repo, {".claude/settings.local.json": "{}\n"})
    status, _lines, _err = staged_scan(capsys, str(repo), "--fail-on", "medium")
    assert status == 1
    assert main(["scan", "--staged", str(repo), "--format", "json"]) == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [
        (f["rule_id"], f["path"], f["line"], f["column"]) for f in findings if f["rule_id"] == "CCP503"
    ] == [("CCP503", ".claude/settings.local.json", 1, 1)]


def test_scan_staged_api(repo: Path) -> None:
    stage(repo, {"app/.env": LEAK})
    write_files(repo, {"app/.env": CLEAN})
    options = ScanOptions(rules=preset_ruleset("recommended").rules, fail_on=Severity.CRITICAL)
    result = scan_staged(repo / "app", options)
    assert result.category == STAGED_CATEGORY
    assert result.root == str(repo / "app")
    assert result.files_scanned == 2
    assert [(f.rule_id, f.location.path) for f in result.failing()] == [("CCP401", ".env")]
    assert result.extra["texts"] == {".env": LEAK, "build.sh": "echo hi\n"}
    inputs = read_staged_inputs(repo)
    assert inputs.tracked == frozenset({".env", "app/.env", "app/build.sh"})
    assert inputs.is_git is True
    assert repository_root(repo / "app") == repo


def test_binary_and_undecodable_staged_files_give_notifications(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stage(repo, {"tools/run.sh": b"#!/bin/sh\n\x00\x01\x02"})
    status, lines, _ = staged_scan(capsys, str(repo))
    assert status == 0
    assert lines[-1] == clean_summary(2)
    assert len(lines) == 2 and lines[0].startswith("tools/run.sh: ")


# --------------------------------------------------------------------------------------------
# The pre-commit path stays light: no rich, pydantic, sarif-om or GitPython import.

HEAVY = ("rich", "pydantic", "sarif_om", "git")
# The command as `python -m scanner` runs it; what it imported is reported by an exit handler,
# which the command's exit runs as a normal exit would.
WRAPPER = """
import atexit, runpy, sys
def report():
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY})
    sys.stderr.write("HEAVY=" + repr(heavy) + "\\n")
    sys.stderr.flush()
atexit.register(report)
sys.argv = ["ccpolicy", "scan", "--staged", "--format", FORMAT]
runpy.run_module("scanner", run_name="__main__")
"""


@pytest.mark.parametrize(
    ("fmt", "content", "status"), [("text", CLEAN, 0), ("short", CLEAN, 0), ("short", LEAK, 1)]
)
def test_staged_scan_imports_no_heavy_module(repo: Path, fmt: str, content: str, status: int) -> None:
    stage(repo, {".env": content, ".claude/settings.json": '{"env": {"DISABLE_TELEMETRY": "1"}}\n'})
    code = WRAPPER.replace("FORMAT", repr(fmt)).replace("{HEAVY}", repr(set(HEAVY)))
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=repo,
        env=isolated_env({"PYTHONPATH": str(Path(__file__).resolve().parents[2])}),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.stderr.splitlines()[-1] == "HEAVY=[]"
    assert completed.returncode == status
    assert "\x1b[" not in completed.stdout  # piped: plain text, no colours


@pytest.mark.parametrize(("index_file", "together"), [(None, 2), (".git/next-index", 1)])
def test_the_top_the_prefix_and_the_index_are_read_by_git_at_once(
    repo: Path, monkeypatch: pytest.MonkeyPatch, index_file: str | None, together: int
) -> None:
    """Started together, none reaped before the last starts; a relative GIT_INDEX_FILE needs the
    top first, so the index is read after it."""
    stage(repo, {"app/.env": LEAK})
    if index_file is not None:
        git(repo, "read-tree", "HEAD", env={"GIT_INDEX_FILE": index_file})
        git(repo, "add", "app/.env", env={"GIT_INDEX_FILE": index_file})
        monkeypatch.setenv("GIT_INDEX_FILE", index_file)
    started: list[tuple[str, int]] = []  # (subcommand, processes already reaped when it started)

    def note(process: GitStart) -> None:
        reaped = sum(earlier.returncode is not None for earlier in live[:-1])
        started.append((git_subcommand(process.args), reaped))

    live = record_git_processes(monkeypatch, note)
    inputs = read_staged_inputs((repo / "app").resolve())
    assert [parsed.path for parsed in inputs.files] == [".env", "build.sh"]
    assert inputs.repo_prefix == "app/"
    assert started[:together] == [("rev-parse", 0), ("ls-files", 0)][:together]  # one rev-parse: both
    assert [name for name, _ in started[together:]] == ([] if together == 2 else ["ls-files"]) + ["cat-file"]


@pytest.fixture(params=["forked", "git"])
def head_starts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> HeadStarts[Any]:
    """Where staged_started_early's head start waits: a child forked to read everything
    (scanner.forkedread), or, where no process can be forked, the first git commands."""
    if request.param == "git":
        monkeypatch.setattr(forkedread, "_fork", None)
        return gitstarts.staged
    return forkedread.reads


@pytest.mark.parametrize("index_file", [None, ".git/next-index"])
def test_a_head_start_gives_the_same_inputs_and_is_taken_once(
    repo: Path, monkeypatch: pytest.MonkeyPatch, index_file: str | None, head_starts: HeadStarts[Any]
) -> None:
    stage(repo, {"app/.env": LEAK})
    if index_file is not None:  # relative: the index is read only once the top is known
        git(repo, "read-tree", "HEAD", env={"GIT_INDEX_FILE": index_file})
        git(repo, "add", "app/.env", env={"GIT_INDEX_FILE": index_file})
        monkeypatch.setenv("GIT_INDEX_FILE", index_file)
    app = (repo / "app").resolve()
    without = read_staged_inputs(app)
    with staged_started_early(repo / "app"):
        assert (forkedread.reads.waiting(), gitstarts.staged.waiting()) == (
            (1, 0) if head_starts is forkedread.reads else (0, 1)
        )
        assert read_staged_inputs(app) == without
        assert head_starts.waiting() == 0  # taken by the read, and only by it
    assert [parsed.path for parsed in without.files] == [".env", "build.sh"]


def test_a_head_start_for_another_root_or_index_waits_and_is_stopped(
    repo: Path, monkeypatch: pytest.MonkeyPatch, head_starts: HeadStarts[Any]
) -> None:
    with staged_started_early(repo / "app"):
        read_staged_inputs(repo.resolve())  # another root
        monkeypatch.setenv("GIT_INDEX_FILE", str(repo / ".git" / "index"))
        read_staged_inputs((repo / "app").resolve())  # another index
        assert head_starts.waiting() == 1
        [head_start] = head_starts._waiting.values()
    assert head_starts.waiting() == 0
    if isinstance(head_start, forkedread.ForkedRead):
        with pytest.raises(ChildProcessError):  # stopped and reaped
            os.waitpid(head_start.pid, os.WNOHANG)
    else:
        assert all(process.returncode is not None for process in head_start._processes)


def test_a_head_start_outside_a_repository_changes_nothing(
    tmp_path: Path, head_starts: HeadStarts[Any]
) -> None:
    with staged_started_early(tmp_path), pytest.raises(UsageError, match="not inside a git repository"):
        read_staged_inputs(tmp_path.resolve())
    assert head_starts.waiting() == 0


def test_a_warm_staged_scan_never_imports_typing(repo: Path, tmp_path: Path) -> None:
    """typing costs ~2 ms to import and nothing a staged scan runs needs it at run time (type-only
    imports sit under TYPE_CHECKING): once the caches are warm, neither process loads it."""
    write_files(repo, {".claude/settings.json": '{"env": {"DISABLE_TELEMETRY": "1"}}\n'})
    git(repo, "add", "-A")
    code = (
        "import sys\n"
        "from scanner.cli import main\n"
        f"status = main(['scan', '--staged', '--format', 'short', {str(repo)!r}])\n"
        "print(status, 'typing' in sys.modules)\n"
    )
    env = {**isolated_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CCPOLICY_NO_CACHE", None)
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        for _ in range(2)
    ]
    assert runs[1].stdout.splitlines()[-1] == "0 False"
