"""git's head start from the raw arguments of `scan`, before argparse: begun for plain scans of one
directory, begun once, never changing what the scan finds, and stopped when unused."""

from __future__ import annotations

import io
import json
import os
import site
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from gitrepo import GitStart, commit, isolate_git_config, make_repo, record_git_processes

from scanner import forkedread, gitstarts
from scanner.cli import main
from scanner.cli.scan_cmd import begin_early
from scanner.discovery import history


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one commit, read with the user's git configuration and index set aside."""
    isolate_git_config(monkeypatch)
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)
    repo = make_repo(tmp_path)
    commit(repo, {".claude/settings.json": '{"env": {"DISABLE_TELEMETRY": "1"}}\n', ".env": "A=1\n"}, "one")
    return repo


def waiting(repo: Path) -> dict[str, list[object]]:
    """The head starts waiting, by kind: the keys of each registry."""
    return {
        "listing": list(gitstarts.listings._waiting),
        "history": list(history.head_starts._waiting),
        # a child forked to read it all (scanner.forkedread), or where none can be, git
        "staged": [*forkedread.reads._waiting, *gitstarts.staged._waiting],
    }


@pytest.mark.parametrize(
    ("argv", "kind", "key"),
    [
        (["{repo}"], "listing", ("{real}", False)),
        (
            ["--format", "json", "-o", "out.sarif", "--fail-on=low", "{repo}", "-q"],
            "listing",
            ("{real}", False),
        ),
        (["{repo}", "--tracked-only", "--no-policy", "--no-ignores", "-j", "1"], "listing", ("{real}", True)),
        (
            ["--history", "{repo}", "--since", "HEAD~1", "--all-branches"],
            "history",
            ("{real}", "HEAD~1", True),
        ),
        (["--history", "--since=v1", "{repo}"], "history", ("{real}", "v1", False)),
        (["--staged", "{repo}", "--policy", "p.toml", "--baseline", "b.json"], "staged", ("{real}", None)),
    ],
)
def test_a_plain_scan_of_one_directory_is_begun(
    repo: Path, argv: list[str], kind: str, key: tuple[object]
) -> None:
    real = os.path.realpath(repo)
    expected = tuple(real if part == "{real}" else part for part in key)
    with begin_early([arg.replace("{repo}", str(repo)) for arg in argv]):
        assert waiting(repo) == {name: [expected] if name == kind else [] for name in waiting(repo)}
    assert waiting(repo) == {"listing": [], "history": [], "staged": []}  # stopped on leaving


@pytest.mark.parametrize(
    "argv",
    [
        ["--host"],
        ["--repos-from", "list.txt"],
        ["{repo}", "--help"],
        ["--hist", "{repo}"],  # an abbreviation argparse accepts: left to the parsed command line
        ["-fjson", "{repo}"],
        ["{repo}", "{repo}/.claude"],
        ["--", "{repo}"],
        ["--staged", "--history", "{repo}"],
        ["{repo}/.env"],  # not a directory
        ["https://github.com/example/repo"],
    ],
)
def test_anything_else_waits_for_the_parsed_command_line(repo: Path, argv: list[str]) -> None:
    with begin_early([arg.replace("{repo}", str(repo)) for arg in argv]):
        assert waiting(repo) == {"listing": [], "history": [], "staged": []}


def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue()


def _listings(processes: list[GitStart]) -> list[list[str]]:
    commands = [[str(arg) for arg in process.args] for process in processes]
    return [command[command.index("ls-files") :] for command in commands if "ls-files" in command]


def test_a_scan_begun_early_lists_once_and_finds_the_same(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCPOLICY_NO_CACHE", "1")
    monkeypatch.chdir(repo)
    processes = record_git_processes(monkeypatch)
    early = _run("scan", ".", "--format", "json", "--fail-on", "never")
    listed_early = _listings(processes)
    processes.clear()
    late = _run("scan", "-fjson", "--fail-on", "never", ".")  # begun once parsed instead
    assert early == late
    assert early[1].count('"rule_id"') > 0
    assert (
        listed_early
        == _listings(processes)
        == [list(command) for command in gitstarts.listing_commands(False) if command[0] == "ls-files"]
    )
    assert all(process.returncode is not None for process in processes)


def test_a_head_start_the_command_line_contradicts_is_stopped(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    processes = record_git_processes(monkeypatch)
    status, _ = _run("scan", str(repo), "--format", "bogus")
    assert status == 2
    assert len(processes) == 3  # the listing begun early, never read
    assert all(process.returncode is not None for process in processes)
    assert waiting(repo) == {"listing": [], "history": [], "staged": []}


# Run with -S (no site: nothing preloaded) from the checkout: which modules exist when each git
# process starts, and the subcommand it runs.
_MODULES_AT_GIT_START = """
import json, os, sys
sys.path += json.loads(os.environ["SITE_PACKAGES"])  # the dependencies, without running .pth files
from scanner import gitspawn
from scanner.cli import main

real = gitspawn.GitProcess
seen = []

def recording(repo, args, *rest, **options):
    seen.append([args[0], sorted(name for name in ("argparse", "pathlib", "subprocess", "typing") if name in sys.modules)])
    return real(repo, args, *rest, **options)

gitspawn.GitProcess = recording
status = main(sys.argv[1:])
sys.stdout.write("\\n" + json.dumps(seen))
"""


@pytest.mark.parametrize("staged", [False, True])
def test_git_starts_before_argparse_pathlib_and_subprocess_are_imported(repo: Path, staged: bool) -> None:
    root = Path(__file__).resolve().parents[2]
    argv = ["scan", str(repo), "--format", "short", *(["--staged"] if staged else [])]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    completed = subprocess.run(
        [sys.executable, "-S", "-c", _MODULES_AT_GIT_START, *argv],
        cwd=root,
        env={**env, "CCPOLICY_NO_CACHE": "1", "SITE_PACKAGES": json.dumps(site.getsitepackages())},
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.stderr == ""
    started = json.loads(completed.stdout.splitlines()[-1])
    first = ["rev-parse", "ls-files"] if staged else ["ls-files", "rev-parse", "ls-files"]
    assert started[: len(first)] == [[subcommand, []] for subcommand in first]
