"""scanner.scan: a repository scan judges the tracked files while git walks for untracked ones,
and that judgement stands only when the walk adds no candidate."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import commit, isolate_git_config, make_repo, write_files

from scanner import scan
from scanner.gitsafe import GitError, StartedGit
from scanner.inputs import Inputs
from scanner.ruleset import preset_ruleset
from scanner.scan import Evaluation, ScanOptions, judge, read_repository, scan_repository

OPTIONS = ScanOptions(rules=preset_ruleset("recommended").rules)
KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)
    monkeypatch.setenv("CCPOLICY_NO_CACHE", "1")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path)
    files = {
        ".claude/settings.json": '{"env": {"DISABLE_TELEMETRY": "1"}}\n',
        "app/.claude/settings.json": '{"env": {"CLAUDE_CODE_USE_BEDROCK": "1"}}\n',
        "run.sh": "export ANTHROPIC_BASE_URL=https://gateway.example.com\n",
    }
    commit(repo, files, "initial")
    return repo.resolve()


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[Inputs]:
    """Make git look busy walking when the tracked files are known (a large tree), and record
    what each evaluation was given."""
    monkeypatch.setattr(StartedGit, "running", lambda self, position: True)
    given: list[Inputs] = []
    real = scan.evaluate_inputs

    def recording(root: Path, inputs: Inputs, options: ScanOptions, contexts: object = None) -> Evaluation:
        given.append(inputs)
        return real(root, inputs, options, contexts)  # type: ignore[arg-type]

    monkeypatch.setattr(scan, "evaluate_inputs", recording)
    return given


def reference(root: Path) -> scan.ScanResult:
    """The scan with nothing judged early."""
    return judge(root, read_repository(root, tracked_only=False), OPTIONS)


def test_the_early_judgement_stands_when_the_walk_adds_nothing(repo: Path, evaluations: list[Inputs]) -> None:
    write_files(repo, {"notes.txt": "not a candidate\n"})  # untracked, but nothing to read
    result = scan_repository(repo, OPTIONS)
    assert len(evaluations) == 1
    assert [file.path for file in evaluations[0].files] == [
        ".claude/settings.json",
        "app/.claude/settings.json",
        "run.sh",
    ]
    assert result == reference(repo)
    assert result.findings  # the comparison is of something


def test_an_untracked_candidate_is_judged_with_the_rest(repo: Path, evaluations: list[Inputs]) -> None:
    write_files(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"})  # untracked, not ignored
    result = scan_repository(repo, OPTIONS)
    assert [len(inputs.files) for inputs in evaluations] == [3, 4]  # early, then again with it
    assert result == reference(repo)
    assert ".env" in {finding.location.path for finding in result.findings}


def test_nothing_is_judged_early_when_git_is_done_walking(
    repo: Path, evaluations: list[Inputs], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(StartedGit, "running", lambda self, position: False)
    result = scan_repository(repo, OPTIONS)
    assert len(evaluations) == 1  # once, with everything
    assert len(evaluations[0].files) == 3
    assert result == reference(repo)


def test_a_subdirectory_scan_keeps_its_prefix(repo: Path, evaluations: list[Inputs]) -> None:
    result = scan_repository(repo / "app", OPTIONS)
    assert result.extra["repo_prefix"] == "app/"
    assert result == reference(repo / "app")


def test_an_error_while_judging_early_is_no_git_failure(
    repo: Path, evaluations: list[Inputs], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Judged inside git's listing, an error must not pass for git failing to list (which walks
    # the directory instead): the judgement is dropped and made again after the walk.
    real = scan.evaluate_inputs  # the fixture's, which records what it is given
    failed: list[Inputs] = []

    def failing_first(
        root: Path, inputs: Inputs, options: ScanOptions, contexts: object = None
    ) -> Evaluation:
        if not failed:
            failed.append(inputs)
            raise GitError("git check-ignore failed")
        return real(root, inputs, options, contexts)  # type: ignore[arg-type]

    monkeypatch.setattr(scan, "evaluate_inputs", failing_first)
    result = scan_repository(repo, OPTIONS)
    assert len(failed[0].files) == 3  # the early judgement failed
    assert len(evaluations) == 1  # and the one after the walk stood
    assert "git-unavailable" not in {note.descriptor for note in result.notifications}
    assert result == reference(repo)
