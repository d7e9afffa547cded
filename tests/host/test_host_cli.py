"""`ccpolicy scan --host` end to end, in a subprocess, on the fixture roots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from hostcheck import HOST_FIXTURES

# Rules whose findings on linux-conflicts are pinned here; other rules may be added to the default
# preset over time, so their findings are only checked for shape.
PINNED = {"CCP104", "CCP107", "CCP109", "CCP401"}


def _ccpolicy(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_scan_host_root_json() -> None:
    run = _ccpolicy("scan", "--host", "--root", str(HOST_FIXTURES / "linux-conflicts"), "--format", "json")
    assert run.returncode == 1, run.stderr  # a literal API key is critical
    data = json.loads(run.stdout)
    assert data["targets"] == [
        {"target": str(HOST_FIXTURES / "linux-conflicts"), "kind": "host", "files_scanned": 17, "contexts": 3}
    ]
    pinned = [
        (f["rule_id"], f["path"], f["line"], f["column"], f["context"])
        for f in data["findings"]
        if f["rule_id"] in PINNED
    ]
    assert pinned == [
        ("CCP107", "/etc/profile.d/claude.sh", 1, 8, ""),
        ("CCP104", "/home/alice/.claude/remote-settings.json", 9, 5, "host:alice:/home/alice/src/app"),
        ("CCP109", "/home/alice/.claude/settings.json", 5, 5, ""),
        ("CCP401", "/home/alice/.profile", 4, 8, ""),
        ("CCP107", "/home/bob/.zshrc", 1, 8, ""),
        ("CCP401", "/home/carol/.bashrc", 2, 8, ""),
    ]
    for finding in data["findings"]:
        assert finding["path"].startswith("/"), finding  # machine paths, never the mount point
        assert str(HOST_FIXTURES) not in finding["message"]
    assert [c["id"] for c in data["contexts"]] == ["host:alice", "host:alice:/home/alice/src/app", "host:bob"]
    assert data["contexts"][1]["attributes"]["project"] == "/home/alice/src/app"
    assert "sk-ant-api03-Zq7" not in run.stdout
    assert "alice@example.com" not in run.stdout


def test_scan_host_sarif_uses_file_uris() -> None:
    run = _ccpolicy("scan", "--host", "--root", str(HOST_FIXTURES / "linux-conflicts"), "--format", "sarif")
    sarif = json.loads(run.stdout)
    (run_,) = sarif["runs"]
    assert run_["automationDetails"] == {"id": "ccpolicy/host/"}
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]}
    assert "file:///etc/profile.d/claude.sh" in uris
    assert all(uri.startswith("file:///") for uri in uris)


def test_scan_host_windows_root_paths() -> None:
    run = _ccpolicy("scan", "--host", "--root", str(HOST_FIXTURES / "windows-conflicts"), "--format", "json")
    data = json.loads(run.stdout)
    stale = [(f["path"], f["line"]) for f in data["findings"] if f["rule_id"] == "CCP504"]
    assert stale == [("C:/ProgramData/ClaudeCode/managed-settings.json", 1)]


def test_empty_machine_has_no_findings() -> None:
    run = _ccpolicy("scan", "--host", "--root", str(HOST_FIXTURES / "empty-machine"), "--format", "json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["findings"] == []
    assert data["contexts"] == []
    assert [(n["level"], n["message"]) for n in data["notifications"]] == [
        ("note", "no Claude Code configuration for 1 user (bob): not audited")
    ]


def test_usage_errors(tmp_path: Path) -> None:
    unknown = tmp_path / "blank"
    unknown.mkdir()
    run = _ccpolicy("scan", "--host", "--root", str(unknown))
    assert run.returncode == 2
    assert "cannot tell which operating system it holds" in run.stderr
    run = _ccpolicy(
        "scan", "--host", "--root", str(HOST_FIXTURES / "linux-conflicts"), "--include-process-env"
    )
    assert run.returncode == 2
    assert "--include-process-env describes the machine ccpolicy runs on" in run.stderr
    run = _ccpolicy("scan", "--host", "--root", str(tmp_path / "missing"))
    assert run.returncode == 2
    assert "not a directory" in run.stderr
    run = _ccpolicy("scan", "--host", "somepath")
    assert run.returncode == 2
    assert "takes no PATH" in run.stderr


def test_projects_under_root_are_machine_paths() -> None:
    run = _ccpolicy(
        "scan",
        "--host",
        "--root",
        str(HOST_FIXTURES / "linux-conflicts"),
        "--projects",
        "/home/bob/work",
        "--format",
        "json",
    )
    data = json.loads(run.stdout)
    assert "host:bob:/home/bob/work/api" in [c["id"] for c in data["contexts"]]
