"""Scanning many targets: clones, local paths, failures that stay alone, order, cleanup."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from gitrepo import commit, git, isolate_git_config
from multi_repos import SETTINGS, bare_copy, hostile_global_config, options, repo_with

from scanner.model import Notification
from scanner.multi import worker
from scanner.multi.limits import Limits
from scanner.multi.outcome import (
    TARGET_FAILED,
    every_target_failed,
    failed_result,
    failure,
    failure_report,
)
from scanner.multi.pool import _interrupts_held, scan_targets, worker_count
from scanner.multi.targets import Target
from scanner.report.jsonout import render_json
from scanner.report.model import ScanResult
from scanner.scan import scan_repository

UNREACHABLE = (
    "file:///nonexistent: could not be scanned: clone failed: "
    "'/nonexistent' does not appear to be a git repository"
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git_config(monkeypatch)
    # Clones go under tmp_path/tmp, so each test can see that nothing is left behind.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))


def _path(path: Path, name: str | None = None) -> Target:
    return Target(name=name or path.name, path=path)


def _url(url: str, name: str | None = None) -> Target:
    return Target(name=name or url, url=url)


FindingRow = tuple[str, str, int, int, str]


def _summary(results: Sequence[tuple[str, ScanResult]]) -> list[tuple[str, list[FindingRow]]]:
    out = []
    for name, result in results:
        findings = [
            (f.rule_id, f.location.path, f.location.line, f.location.column, f.message)
            for f in result.findings
        ]
        out.append((name, findings))
    return out


def test_worker_count() -> None:
    assert worker_count(0, 1) == 1
    assert worker_count(8, 1) == 1
    assert worker_count(1, 5) == 1
    assert worker_count(3, 5) == 3
    assert worker_count(9, 5) == 5
    assert worker_count(0, 5) == min(os.cpu_count() or 1, 5)


def test_clone_is_judged_like_the_checkout(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path, "src", {".claude/settings.json": SETTINGS, ".claude/settings.local.json": SETTINGS}
    )
    server = bare_copy(repo, tmp_path, "server.git")
    results = scan_targets([_path(repo, "local"), _url(server.as_uri(), "remote")], options(), jobs=1)
    local, remote = _summary(results)
    assert local[0] == "local"
    assert remote[0] == "remote"
    assert remote[1] == local[1]
    # CCP503 (committed settings.local.json) needs git's view of what is tracked: the clone has it.
    assert "CCP503" in {rule for rule, *_ in remote[1]}
    assert results[1][1].root == ""  # no temporary path in any output
    assert results[1][1].files_scanned == 2
    assert os.listdir(tmp_path / "tmp") == []


def test_local_bare_repository_is_scanned_through_a_clone(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, "src")
    server = bare_copy(repo, tmp_path, "server.git")
    before = sorted(p.name for p in server.iterdir())
    results = scan_targets([_path(repo), _path(server)], options(), jobs=1)
    assert _summary(results)[1][1] == _summary(results)[0][1] != []
    assert sorted(p.name for p in server.iterdir()) == before  # nothing written into it (no index)


def test_one_failing_target_does_not_stop_the_others(tmp_path: Path) -> None:
    good = repo_with(tmp_path, "good")
    also = repo_with(tmp_path, "also")
    not_dir = tmp_path / "file.txt"
    not_dir.write_text("x", encoding="utf-8")
    targets = [
        _path(good),
        _url("file:///nonexistent"),
        _path(tmp_path / "missing"),
        _path(not_dir),
        _path(also),
    ]
    results = scan_targets(targets, options(), jobs=1)
    assert [name for name, _ in results] == ["good", "file:///nonexistent", "missing", "file.txt", "also"]
    assert [failure(result) for _, result in results] == [
        None,
        UNREACHABLE,
        "missing: could not be scanned: no such file or directory",
        "file.txt: could not be scanned: not a directory",
        None,
    ]
    failed = results[1][1]
    assert failed.files_scanned == 0
    assert failed.findings == ()
    assert failed.notifications == (
        Notification(
            "error",
            UNREACHABLE,
            descriptor=TARGET_FAILED,
        ),
    )
    assert [r.id for r in failed.rules] == sorted(r.id for r in options().rules)
    assert results[0][1].findings and results[4][1].findings
    assert not every_target_failed(results)
    assert failure_report(results) == (
        "ccpolicy: 3 of 5 targets could not be scanned:\n"
        f"  {UNREACHABLE}\n"
        "  missing: could not be scanned: no such file or directory\n"
        "  file.txt: could not be scanned: not a directory\n"
    )
    assert os.listdir(tmp_path / "tmp") == []


def test_too_large_and_corrupt_remotes_fail_alone(tmp_path: Path) -> None:
    big = bare_copy(repo_with(tmp_path, "big", {"a.env": "A=1\n", "b.env": "B=1\n"}), tmp_path, "big.git")
    broken = bare_copy(repo_with(tmp_path, "broken"), tmp_path, "broken.git")
    for pack in (broken / "objects" / "pack").glob("*.pack"):
        pack.chmod(0o644)
        pack.write_bytes(b"PACK garbage")
    for loose in (broken / "objects").glob("??/*"):
        loose.unlink()
    results = scan_targets(
        [_url(big.as_uri(), "big"), _url(broken.as_uri(), "broken")],
        options(),
        jobs=1,
        limits=Limits(max_files=1),
    )
    assert failure(results[0][1]) == "big: could not be scanned: the commit has 2 files, over the limit of 1"
    message = failure(results[1][1])
    assert message is not None and message.startswith("broken: could not be scanned: clone failed: ")
    assert every_target_failed(results)
    assert os.listdir(tmp_path / "tmp") == []


def test_internal_errors_become_failed_targets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_args: object) -> None:
        raise ZeroDivisionError("secret detail")

    monkeypatch.setattr(worker, "scan_repository", explode)
    results = scan_targets([_path(repo_with(tmp_path, "a"))], options(), jobs=1)
    assert failure(results[0][1]) == "a: could not be scanned: internal error (ZeroDivisionError)"


def test_interrupt_removes_clones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = bare_copy(repo_with(tmp_path, "src"), tmp_path, "server.git")

    def interrupted(*_args: object, **_kwargs: object) -> None:
        assert any((tmp_path / "tmp").iterdir())  # the clone exists at this point
        raise KeyboardInterrupt

    monkeypatch.setattr(worker, "judge", interrupted)
    with pytest.raises(KeyboardInterrupt):
        scan_targets([_url(server.as_uri()), _url(server.as_uri() + "/")], options(), jobs=1)
    assert os.listdir(tmp_path / "tmp") == []


def test_jobs_two_gives_input_order_and_the_same_output_as_jobs_one(tmp_path: Path) -> None:
    repos = []
    for index in range(4):
        repo = repo_with(tmp_path, f"r{index}")
        if index % 2:
            commit(repo, {".env": f"DISABLE_TELEMETRY={index}\n"}, "more")
        repos.append(repo)
    # The slowest target first: a pool finishing out of order must still return input order.
    server = bare_copy(repos[0], tmp_path, "server.git")
    targets = [_url(server.as_uri(), "remote"), *(_path(r) for r in repos), _url("file:///nonexistent")]
    sequential = scan_targets(targets, options(), jobs=1)
    parallel = scan_targets(targets, options(), jobs=2)
    assert [name for name, _ in parallel] == ["remote", "r0", "r1", "r2", "r3", "file:///nonexistent"]
    assert render_json(parallel) == render_json(sequential)
    assert json.loads(render_json(parallel))["targets"][5]["files_scanned"] == 0
    assert os.listdir(tmp_path / "tmp") == []


def test_progress_is_silent_when_not_a_terminal(tmp_path: Path) -> None:
    stream = io.StringIO()
    scan_targets(
        [_path(repo_with(tmp_path, "a")), _path(repo_with(tmp_path, "b"))],
        options(),
        jobs=1,
        progress_stream=stream,
    )
    assert stream.getvalue() == ""


def test_failed_result_and_every_target_failed() -> None:
    opts = options()._replace(category="repository")
    result = failed_result("x", "why", opts)
    assert failure(result) == "x: could not be scanned: why"
    assert result.root == ""
    assert result.fail_on == opts.fail_on
    assert every_target_failed([("x", result)])
    assert not every_target_failed([])
    assert (
        failure_report([("x", result)])
        == "ccpolicy: 1 of 1 target could not be scanned:\n  x: could not be scanned: why\n"
    )


def test_scan_repository_unchanged_for_plain_paths(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, "a")
    direct = scan_repository(repo.resolve(), options())
    [(name, via_pool)] = scan_targets([_path(repo)], options(), jobs=4)
    assert name == "a"
    assert via_pool == direct
    assert git(repo, "status", "--porcelain") == ""


def test_whole_scan_of_a_clone_runs_nothing_from_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = repo_with(
        tmp_path,
        "src",
        {".gitattributes": "* filter=evil\n", ".claude/settings.local.json": SETTINGS},
    )
    server = bare_copy(repo, tmp_path, "server.git")
    config, markers = hostile_global_config(tmp_path)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    [(_, result)] = scan_targets([_url(server.as_uri())], options(), jobs=1)
    assert failure(result) is None
    assert "CCP503" in {f.rule_id for f in result.findings}
    assert os.listdir(markers) == []


def test_options_that_cannot_be_pickled_are_scanned_in_process(tmp_path: Path) -> None:
    repos = [repo_with(tmp_path, name) for name in ("a", "b")]
    unpicklable = options()._replace(params={**options().params, "hook": lambda: None})
    results = scan_targets([_path(r) for r in repos], unpicklable, jobs=2)
    assert [failure(result) for _, result in results] == [None, None]
    assert all(result.findings for _, result in results)


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_a_ctrl_c_while_workers_start_is_delivered_afterwards_not_lost() -> None:
    # Python's own Ctrl-C handler, even when the test run started with SIGINT ignored (as a
    # background job of a non-interactive shell does)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            with _interrupts_held():
                os.kill(os.getpid(), signal.SIGINT)
                # held back: a KeyboardInterrupt here would leave the pool half-submitted
                assert signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])
            pytest.fail("the interrupt was lost")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_a_worker_started_in_the_window_holds_ctrl_c_until_it_ignores_it() -> None:
    probe = "import signal; print(signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))"
    with _interrupts_held():
        held = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert held.stdout == "True\n"
    after = (
        "import signal; from scanner.multi.pool import _leave_interrupts_to_parent as leave; leave(); "
        "print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN, "
        "signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, []))"
    )
    with _interrupts_held():
        worker_side = subprocess.run(
            [sys.executable, "-c", after], capture_output=True, text=True, check=True
        )
    # ignored, and no longer blocked: the git clones it starts can be interrupted
    assert worker_side.stdout == "True False\n"
