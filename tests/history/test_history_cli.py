"""`ccpolicy scan --history`: exit codes, outputs and option checks, run in-process."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from gitrepo import commit, isolate_git_config, make_repo

from scanner.cli import main

KEY = "sk-ant-api03-e8m72fei7oNM4igrq3MGeVKFk49vrCpbesyqsLqA"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    commit(repo, {".env": "DISABLE_TELEMETRY=1\n"}, "env")
    commit(repo, {".env": f"DISABLE_TELEMETRY=1\nANTHROPIC_API_KEY={KEY}\n"}, "key")
    commit(repo, {".env": "A=1\n"}, "clean up")
    return repo


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_history_fails_on_a_removed_secret(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "scan", "--history", "--no-policy", "--format", "short", str(repo))
    lines = out.splitlines()
    assert status == 1
    assert err == ""
    assert len(lines) == 2
    assert lines[0].startswith(".env:2:1: CCP403 [critical] ANTHROPIC_API_KEY was assigned a literal value")
    assert "it was removed in " in lines[0]
    assert lines[1].startswith("ccpolicy: 2 findings (1 critical, 1 medium) in 1 configuration file; 1 at or")
    assert KEY not in out


def test_fail_on_and_since(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "scan", "--history", "--no-policy", "--fail-on", "never", "-q", str(repo))[0] == 0
    status, out, _err = run(
        capsys, "scan", "--history", "--since", "HEAD~1", "--no-policy", "--format", "json", str(repo)
    )
    report = json.loads(out)
    assert status == 0
    assert [(f["rule_id"], f["line"]) for f in report["findings"]] == [("CCP110", 1)]
    assert report["targets"] == [{"target": str(repo), "kind": "history", "files_scanned": 1, "contexts": 0}]


def test_bad_since_is_a_usage_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "scan", "--history", "--since", "no-such-rev", str(repo))
    assert (status, out) == (2, "")
    assert err == f"ccpolicy: error: {repo}: --since 'no-such-rev' is not a commit in this repository\n"


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(capsys, "scan", "--history", str(tmp_path))
    assert status == 2
    assert err.startswith(
        f"ccpolicy: error: {tmp_path}: history needs a git repository: git rev-parse failed"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--history", "--staged"], "--staged and --history cannot be combined"),
        (["--since", "HEAD"], "--since and --all-branches go with --history"),
        (["--all-branches"], "--since and --all-branches go with --history"),
        (
            ["--history", "--repos-from", "list.txt"],
            "--history reads local git repositories: it does not go with --repos-from",
        ),
    ],
)
def test_option_combinations(
    argv: list[str],
    message: str,
    repo: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(repo)
    assert run(capsys, "scan", "--no-policy", *argv) == (2, "", f"ccpolicy: error: {message}\n")


def test_sarif_category_is_history(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = run(capsys, "scan", "--history", "--no-policy", "--format", "sarif", str(repo))
    (sarif_run,) = json.loads(out)["runs"]
    assert status == 1
    assert sarif_run["automationDetails"] == {"id": "ccpolicy/history/"}
    assert sorted(rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]) == ["CCP110", "CCP403"]
    assert [r["ruleId"] for r in sarif_run["results"]] == ["CCP403", "CCP110"]
    assert KEY not in out
    assert all("snippet" not in r["locations"][0]["physicalLocation"]["region"] for r in sarif_run["results"])


def test_default_path_is_the_current_directory(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    previous = os.getcwd()
    os.chdir(repo)
    try:
        status, out, _err = run(capsys, "scan", "--history", "--no-policy", "--format", "json")
    finally:
        os.chdir(previous)
    assert status == 1
    assert json.loads(out)["targets"][0]["target"] == "."


def test_a_waiver_suppresses_a_history_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ccpolicy.toml").write_text(
        'extends = ["baseline"]\n\n[[waivers]]\nrule = "CCP403"\npath = ".env"\nowner = "sec@example.com"\n'
        'reason = "rotated on 2026-01-02"\nexpires = 2999-01-01\n'
    )
    status, out, _err = run(capsys, "scan", "--history", "--format", "json", str(repo))
    report = json.loads(out)
    assert status == 0
    assert [(f["rule_id"], f["suppressed"]["kind"]) for f in report["findings"]] == [("CCP403", "waiver")]
