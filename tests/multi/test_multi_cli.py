"""`ccpolicy scan A B C`, --repos-from, --jobs through the command line: outputs and exit codes."""

from __future__ import annotations

import importlib.util
import json
import tempfile
from pathlib import Path
from types import ModuleType

import pytest
from gitrepo import isolate_git_config
from multi_repos import bare_copy, repo_with

from scanner.cli import main

REPO = Path(__file__).resolve().parents[2]
FAILED_LINE = (
    "file:///nonexistent: could not be scanned: clone failed: "
    "'/nonexistent' does not appear to be a git repository"
)


def _sarif_validate() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ci_sarif_validate_multi", REPO / ".ci" / "sarif_validate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git_config(monkeypatch)
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))


def test_failed_target_is_reported_and_the_others_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo_with(tmp_path, "good")
    monkeypatch.chdir(tmp_path)
    code = main(
        ["scan", "good", "file:///nonexistent", "--format", "json", "--fail-on", "never", "--jobs", "1"]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert err == f"ccpolicy: 1 of 2 targets could not be scanned:\n  {FAILED_LINE}\n"
    report = json.loads(out)
    assert [(t["target"], t["files_scanned"]) for t in report["targets"]] == [
        ("good", 1),
        ("file:///nonexistent", 0),
    ]
    assert report["notifications"] == [
        {
            "target": "file:///nonexistent",
            "level": "error",
            "message": FAILED_LINE,
            "path": None,
            "line": None,
            "descriptor": "target-failed",
        }
    ]
    assert {f["target"] for f in report["findings"]} == {"good"}
    assert report["findings"]
    assert list((tmp_path / "tmp").iterdir()) == []


def test_findings_still_decide_the_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo_with(tmp_path, "good")
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "good", "file:///nonexistent", "--fail-on", "low", "--jobs", "1", "-q"]) == 1
    assert main(["scan", "good", "file:///nonexistent", "--fail-on", "critical", "--jobs", "1", "-q"]) == 0
    capsys.readouterr()


def test_every_target_failing_exits_2_after_writing_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "file:///nonexistent", "missing-dir", "--format", "json", "-o", "out.txt"])
    out, err = capsys.readouterr()
    assert code == 2
    assert err == (
        "ccpolicy: 2 of 2 targets could not be scanned:\n"
        f"  {FAILED_LINE}\n"
        "  missing-dir: could not be scanned: no such file or directory\n"
    )
    assert [t["target"] for t in json.loads(out)["targets"]] == ["file:///nonexistent", "missing-dir"]
    text = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert (
        f"error: {FAILED_LINE}\nerror: missing-dir: could not be scanned: no such file or directory\n" in text
    )


def test_one_missing_path_is_still_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["scan", "nope"]) == 2
    assert capsys.readouterr() == ("", "ccpolicy: error: nope: no such file or directory\n")


def test_repos_from_with_paths_urls_comments_and_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    checkouts = tmp_path / "checkouts"
    checkouts.mkdir()
    first = repo_with(checkouts, "first")
    server = bare_copy(first, tmp_path, "server.git")
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "fleet.txt").write_text(
        f"# the fleet\n../checkouts/first\n{server.as_uri()}  # the server copy\n\n../checkouts/first/\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code = main(
        ["scan", "--repos-from", "lists/fleet.txt", "--format", "json", "--fail-on", "never", "-j", "1"]
    )
    out, err = capsys.readouterr()
    assert code == 0
    assert err == "ccpolicy: note: checkouts/first is listed more than once; scanned once\n"
    report = json.loads(out)
    assert [t["target"] for t in report["targets"]] == ["checkouts/first", server.as_uri()]
    by_target: dict[str, list[tuple[str, str, int]]] = {}
    for f in report["findings"]:
        by_target.setdefault(f["target"], []).append((f["rule_id"], f["path"], f["line"]))
    assert by_target["checkouts/first"] == by_target[server.as_uri()] != []


def test_repos_from_that_cannot_be_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--repos-from", str(tmp_path / "none.txt")]) == 2
    assert (
        capsys.readouterr().err
        == f"ccpolicy: error: --repos-from {tmp_path / 'none.txt'}: No such file or directory\n"
    )


def test_jobs_two_matches_jobs_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a", "b", "c"):
        repo_with(tmp_path, name)
    monkeypatch.chdir(tmp_path)
    args = ["scan", "a", "file:///nonexistent", "b", "c", "--format", "json", "--fail-on", "never"]
    assert main([*args, "--jobs", "1"]) == 0
    one = capsys.readouterr().out
    assert main([*args, "--jobs", "2"]) == 0
    two = capsys.readouterr().out
    assert one == two
    assert [t["target"] for t in json.loads(two)["targets"]] == ["a", "file:///nonexistent", "b", "c"]


def test_text_output_shows_the_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo_with(tmp_path, "good")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    main(["scan", "good", "file:///nonexistent", "--fail-on", "never", "--jobs", "1"])
    out = capsys.readouterr().out
    assert f"error: {FAILED_LINE}\n" in out


def test_sarif_for_many_targets_has_one_valid_run_per_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("a", "b"):
        repo_with(tmp_path, name)
    monkeypatch.chdir(tmp_path)
    main(["scan", "a", "b", "file:///nonexistent", "--format", "sarif", "--fail-on", "never", "-j", "1"])
    log = json.loads(capsys.readouterr().out)
    ids = [run["automationDetails"]["id"] for run in log["runs"]]
    assert len(ids) == 3
    assert len(set(ids)) == 3
    validate = _sarif_validate()
    assert validate.schema_errors(log) == []


def test_ctrl_c_stops_the_pool_quietly_and_removes_clones(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from gitrepo import isolated_env

    server = bare_copy(repo_with(tmp_path, "src"), tmp_path, "server.git")
    listing = tmp_path / "fleet.txt"
    links = tmp_path / "links"
    links.mkdir()
    for index in range(40):  # 40 distinct URLs of one small repository
        (links / f"s{index}.git").symlink_to(server)
    listing.write_text("".join(f"{(links / f's{i}.git').as_uri()}\n" for i in range(40)), encoding="utf-8")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = isolated_env({"TMPDIR": str(scratch)})
    env.pop("CI", None)
    ccpolicy = Path(sys.executable).parent / "ccpolicy"
    # A handled signal is reset to its default across exec, an ignored one stays ignored: so
    # ccpolicy gets Ctrl-C as an interactive shell leaves it, even when this test run started
    # with SIGINT ignored (as a background job of a non-interactive shell does).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [str(ccpolicy), "scan", "--repos-from", str(listing), "-j", "3", "-q"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, as a terminal gives it
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 60
    while not any(path.is_dir() for path in scratch.glob("ccpolicy-clones-*/*")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does: the whole group gets it
    out, err = process.communicate(timeout=120)
    assert (process.returncode, out, err) == (130, "", "ccpolicy: interrupted\n")
    assert list(scratch.iterdir()) == []
