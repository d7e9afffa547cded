"""`ccpolicy baseline create` and `ccpolicy scan --baseline FILE`, end to end, in-process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gitrepo import commit, isolate_git_config, make_repo, write_files

from scanner.cli import main
from scanner.report.fingerprints import stable_fingerprint

KEY = "sk-ant-api03-e8m72fei7oNM4igrq3MGeVKFk49vrCpbesyqsLqA"
TOKEN = "sk-ant-api03-6jEDCN9RpB2fWeo6NjQrUhAtFfsTcm6FwSWzQiUB"
BEDROCK = "ABSKTlYm/rYqDJsP/HU1EiAVU7tvi8f/v7THOruamUCj9ay6oPSz0rlJSQ0SyUNW6i0dD3c+cynDaVCEgcsb"
ENV = f"APP_PORT=8080\nANTHROPIC_API_KEY={KEY}\n"
ENVRC = f"export AWS_BEARER_TOKEN_BEDROCK={BEDROCK}\n"
KEY_MESSAGE = (
    "ANTHROPIC_API_KEY is assigned a literal value that looks like an Anthropic API key (value redacted): "
    "anyone who can read this file can use it, and it stays in git history after removal. Rotate it and "
    "load it from a secret store instead."
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = make_repo(tmp_path)
    commit(repo, {".env": ENV, ".envrc": ENVRC}, "two credentials")
    monkeypatch.chdir(repo)
    return repo


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def scan_json(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    status, out, _err = run(capsys, "scan", "--no-policy", "--format", "json", *extra)
    return status, json.loads(out)


def states(report: dict[str, Any]) -> list[tuple[str, str, int, str | None]]:
    findings = report["findings"]
    return [(f["rule_id"], f["path"], f["line"], f["baseline_state"]) for f in findings]


def test_create_writes_every_current_finding(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "baseline", "create", "--no-policy")
    assert (status, out, err) == (
        0,
        "",
        "ccpolicy: baseline of 2 findings written to .ccpolicy-baseline.json\n",
    )
    document = json.loads((repo / ".ccpolicy-baseline.json").read_text())
    assert document["schema_version"] == 1
    assert [(e["rule_id"], e["path"], e["context"], e["fingerprint"]) for e in document["entries"]] == [
        ("CCP401", ".env", "", stable_fingerprint("CCP401", "", "ANTHROPIC_API_KEY", ".env")),
        ("CCP402", ".envrc", "", stable_fingerprint("CCP402", "", "AWS_BEARER_TOKEN_BEDROCK", ".envrc")),
    ]
    assert document["entries"][0]["message"] == KEY_MESSAGE
    text = (repo / ".ccpolicy-baseline.json").read_text()
    assert KEY not in text and BEDROCK not in text and BEDROCK[4:] not in text
    # Deterministic: the same findings give a byte-identical file.
    assert run(capsys, "baseline", "create", "--no-policy", "-o", "again.json")[0] == 0
    assert (repo / "again.json").read_text() == text


def test_baseline_survives_moved_lines_then_reports_new_and_fixed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "baseline", "create", "--no-policy", "-o", "ci/baseline.json")[0] == 0
    # Ten lines above the violation and an unrelated edit: still the same findings.
    comments = "".join(f"# note {n}\n" for n in range(10))
    write_files(repo, {".env": comments + ENV.replace("8080", "9090")})
    status, report = scan_json(capsys, "--baseline", "ci/baseline.json")
    assert status == 0
    assert states(report) == [("CCP401", ".env", 12, "unchanged"), ("CCP402", ".envrc", 1, "unchanged")]
    assert report["fixed"] == []
    # A new violation fails the run; the accepted ones still do not.
    write_files(repo, {".env": comments + ENV + f"ANTHROPIC_AUTH_TOKEN={TOKEN}\n"})
    status, report = scan_json(capsys, "--baseline", "ci/baseline.json")
    assert status == 1
    assert states(report) == [
        ("CCP401", ".env", 12, "unchanged"),
        ("CCP401", ".env", 13, "new"),
        ("CCP402", ".envrc", 1, "unchanged"),
    ]
    # A fixed violation is listed as fixed.
    write_files(repo, {".envrc": "export AWS_REGION=us-east-1\n"})
    status, report = scan_json(capsys, "--baseline", "ci/baseline.json")
    assert status == 1
    assert states(report) == [("CCP401", ".env", 12, "unchanged"), ("CCP401", ".env", 13, "new")]
    fingerprint = stable_fingerprint("CCP402", "", "AWS_BEARER_TOKEN_BEDROCK", ".envrc")
    assert [(f["rule_id"], f["path"], f["fingerprint"], f["target"]) for f in report["fixed"]] == [
        ("CCP402", ".envrc", fingerprint, ".")
    ]
    # The text summary says so too.
    status, out, _err = run(capsys, "scan", "--no-policy", "--baseline", "ci/baseline.json")
    assert out.splitlines()[-1] == (
        "2 findings (2 critical) in 2 configuration files, 0 contexts. Baseline: 1 new, 1 unchanged, 1 fixed. "
        "Policy: built-in preset recommended (--no-policy). 1 at or above high: failing."
    )


def test_sarif_baseline_state(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "baseline", "create", "--no-policy")[0] == 0
    write_files(repo, {".env": ENV + f"ANTHROPIC_AUTH_TOKEN={TOKEN}\n"})
    status, out, _err = run(
        capsys, "scan", "--no-policy", "--format", "sarif", "--baseline", ".ccpolicy-baseline.json"
    )
    results = json.loads(out)["runs"][0]["results"]
    assert status == 1
    assert sorted((r["ruleId"], r["baselineState"]) for r in results) == [
        ("CCP401", "new"),
        ("CCP401", "unchanged"),
        ("CCP402", "unchanged"),
    ]


def test_missing_and_invalid_baseline_files_exit_2(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "scan", "--baseline", "nope.json") == (
        2,
        "",
        "ccpolicy: error: baseline nope.json: no such file (create one with `ccpolicy baseline create -o "
        "nope.json`)\n",
    )
    (repo / "bad.json").write_text('{"schema_version": 1, "entries": {}}')
    assert run(capsys, "scan", "--baseline", "bad.json") == (
        2,
        "",
        "ccpolicy: error: baseline bad.json: entries must be a list (create one with `ccpolicy baseline create "
        "-o bad.json`)\n",
    )


def test_history_baseline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path)
    commit(repo, {".env": f"ANTHROPIC_API_KEY={KEY}\n"}, "leak")
    commit(repo, {".env": "A=1\n"}, "rotated and removed")
    monkeypatch.chdir(repo)
    assert run(capsys, "scan", "--history", "--no-policy", "-q")[0] == 1
    status, _out, err = run(capsys, "baseline", "create", "--history", "--no-policy", "-o", "history.json")
    assert (status, err) == (0, "ccpolicy: baseline of 1 finding written to history.json\n")
    status, report = scan_json(capsys, "--history", "--baseline", "history.json")
    assert status == 0
    assert states(report) == [("CCP403", ".env", 1, "unchanged")]
    commit(repo, {".env": f"ANTHROPIC_AUTH_TOKEN={TOKEN}\n"}, "leak again")
    status, report = scan_json(capsys, "--history", "--baseline", "history.json")
    assert status == 1
    assert states(report) == [("CCP403", ".env", 1, "new"), ("CCP403", ".env", 1, "unchanged")]


def test_create_takes_paths_and_a_policy(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('extends = ["baseline"]\ndisable = ["CCP402"]\n')
    status, _out, err = run(capsys, "baseline", "create", str(repo), "--policy", str(policy), "-o", "p.json")
    assert (status, err) == (0, "ccpolicy: baseline of 1 finding written to p.json\n")
    assert [e["rule_id"] for e in json.loads((repo / "p.json").read_text())["entries"]] == ["CCP401"]


def test_create_usage(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = run(capsys, "baseline")
    assert status == 2
    assert err.endswith("ccpolicy: error: the following arguments are required: ACTION\n")
    status, _out, err = run(capsys, "baseline", "create", "--since", "HEAD")
    assert (status, err) == (2, "ccpolicy: error: --since and --all-branches go with --history\n")
    assert not (repo / ".ccpolicy-baseline.json").exists()
