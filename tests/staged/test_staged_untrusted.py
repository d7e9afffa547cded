"""`ccpolicy scan --staged` on a hostile repository runs nothing and writes nothing.

The traps (config, hooks, attributes, inherited environment, PATH) are the ones
tests/test_gitsafe.py builds and proves live with plain git; here the whole command runs on them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.cli import main
from scanner.gitsafe import forget_git_executable
from tests.gitrepo import isolate_git_config, snapshot_tree
from tests.test_gitsafe import VECTORS, build


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    isolate_git_config(monkeypatch)
    monkeypatch.delenv("GIT_INDEX_FILE", raising=False)
    forget_git_executable()
    yield
    forget_git_executable()


@pytest.mark.parametrize("vector", list(VECTORS))
def test_staged_scan_runs_nothing_and_changes_nothing(
    vector: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trap = build(tmp_path)
    VECTORS[vector](trap, monkeypatch)
    before = snapshot_tree(trap.repo)
    index_mtime = (trap.repo / ".git/index").stat().st_mtime_ns
    monkeypatch.chdir(trap.repo)
    status = main(["scan", "--staged", "--format", "json", "--fail-on", "never"])
    report = json.loads(capsys.readouterr().out)
    assert trap.sprung() == []
    assert snapshot_tree(trap.repo) == before
    assert not (trap.repo / ".git/index.lock").exists()
    assert (trap.repo / ".git/index").stat().st_mtime_ns == index_mtime
    # The trap did not simply make the scan fail: the three staged candidates were judged
    # (a partial clone's missing blob is reported, not fetched).
    assert status == 0
    assert report["targets"][0]["kind"] == "staged"
    scanned = report["targets"][0]["files_scanned"]
    unreadable = [n["path"] for n in report["notifications"] if n["descriptor"] == "unreadable"]
    assert scanned + len(unreadable) == 3
