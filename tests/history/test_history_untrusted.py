"""`ccpolicy scan --history` on a hostile repository runs nothing and writes nothing.

The traps (fsmonitor, hooks, core.sshCommand and lazy fetches, filter drivers, textconv,
diff.external, aliases, pagers, inherited environment, PATH) are the ones tests/test_gitsafe.py
builds and proves live with plain git; here the whole command runs on them, on a history that
holds a secret and a protection turned off, so that the scan has real work to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from gitrepo import commit, isolate_git_config, snapshot_tree

from scanner.cli import main
from scanner.gitsafe import forget_git_executable
from tests.test_gitsafe import LAZY_FETCH_VECTORS, VECTORS, build, git_honours_no_lazy_fetch

KEY = "sk-ant-api03-e8m72fei7oNM4igrq3MGeVKFk49vrCpbesyqsLqA"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    isolate_git_config(monkeypatch)
    forget_git_executable()
    yield
    forget_git_executable()


@pytest.mark.parametrize("vector", list(VECTORS))
def test_history_scan_runs_nothing_and_changes_nothing(
    vector: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old_git = not git_honours_no_lazy_fetch()  # asked before a trap can hijack `git` itself
    trap = build(tmp_path)
    # Plain git, before any trap is installed: a secret committed then removed, and a protection
    # turned off (in .envrc, so that the partial-clone traps, which drop HEAD:.env, leave it readable).
    commit(trap.repo, {".envrc": f"export DISABLE_TELEMETRY=1\nexport ANTHROPIC_API_KEY={KEY}\n"}, "direnv")
    commit(trap.repo, {".envrc": "export A=1\n"}, "clean up")
    VECTORS[vector](trap, monkeypatch)
    before = snapshot_tree(trap.repo)
    monkeypatch.chdir(trap.repo)
    status = main(["scan", "--history", "--all-branches", "--no-policy", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    after = snapshot_tree(trap.repo)
    assert trap.sprung() == []
    if vector in LAZY_FETCH_VECTORS and old_git:
        # Old git records a partial-clone filter in .git/config before it finds no transport.
        for changed in (".git", ".git/config"):
            before.pop(changed), after.pop(changed)
    assert after == before
    assert not (trap.repo / ".git/index.lock").exists()
    # The trap did not simply make the scan fail: the history was read and judged.
    assert status == 1
    assert report["targets"][0]["kind"] == "history"
    assert [(f["rule_id"], f["path"]) for f in report["findings"]] == [
        ("CCP110", ".envrc"),
        ("CCP403", ".envrc"),
    ]
    unreadable = [n["path"] for n in report["notifications"] if n["descriptor"] == "unreadable"]
    assert unreadable == ([".env"] if vector in LAZY_FETCH_VECTORS else [])
