"""`ccpolicy report`: the security lead's summary, exact text and Markdown (snapshots)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from fleet_data import write_fleet

from scanner.cli import main
from scanner.fleet.collect import TARGET_FAILED, collect
from scanner.fleet.inputs import load_documents
from scanner.fleet.model import FleetFinding, FleetTarget
from scanner.fleet.summary import render_markdown, render_text, summarise
from scanner.model import Severity
from scanner.multi.outcome import TARGET_FAILED as WRITTEN_BY_SCAN

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
ORDER = ("web-01.json", "web-02.json", "web-03.json", "svc-a.sarif", "svc-b.sarif")


def _check_snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, "run with UPDATE_SNAPSHOTS=1 and review the diff"


def _fleet_args(tmp_path: Path) -> list[str]:
    files = write_fleet(tmp_path)
    return [str(files[name]) for name in ORDER]


def test_text_report_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", *_fleet_args(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    _check_snapshot("fleet_report.txt", out)


def test_markdown_report_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", *_fleet_args(tmp_path), "--format", "markdown", "--top", "2"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    _check_snapshot("fleet_report.md", out)


def test_report_of_a_merge_matches_the_report_of_its_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = write_fleet(tmp_path)
    hosts = [str(files[name]) for name in ("web-01.json", "web-02.json", "web-03.json")]
    repos = [str(files[name]) for name in ("svc-a.sarif", "svc-b.sarif")]
    assert main(["merge", *hosts, "-o", str(tmp_path / "hosts.json")]) == 0
    assert main(["merge", *repos, "-o", str(tmp_path / "repos.sarif")]) == 0
    capsys.readouterr()
    assert main(["report", *hosts, *repos]) == 0
    direct = capsys.readouterr().out
    assert main(["report", str(tmp_path / "hosts.json"), str(tmp_path / "repos.sarif")]) == 0
    assert capsys.readouterr().out == direct


def test_top_zero_lists_every_finding_and_negative_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _fleet_args(tmp_path)
    assert main(["report", *args, "--top", "1"]) == 0
    assert "    … and 2 more\n" in capsys.readouterr().out
    assert main(["report", *args, "--top", "0"]) == 0
    assert "more" not in capsys.readouterr().out
    assert main(["report", *args, "--top", "-1"]) == 2
    assert capsys.readouterr().err == "ccpolicy: error: --top must be 0 (all) or more\n"


def test_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.sarif"
    bad.write_text('{"version": "2.1.0"}', encoding="utf-8")
    assert main(["report", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"ccpolicy: error: {bad}: neither a SARIF log (version, runs) "
        "nor a ccpolicy JSON report (schema_version)\n"
    )


def test_failed_descriptor_matches_what_scan_writes() -> None:
    assert TARGET_FAILED == WRITTEN_BY_SCAN


def test_sarif_is_read_with_fallbacks(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    log = json.loads(files["svc-a.sarif"].read_text(encoding="utf-8"))
    run = log["runs"][0]
    result = copy.deepcopy(run["results"][0])
    del result["properties"]  # no ccpolicy/severity: the level decides
    result["level"] = "note"
    result["ruleId"] = None
    result["ruleIndex"] = 0
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "config/caf%C3%A9/.env"
    result["suppressions"] = [{"kind": "external", "status": "rejected"}]
    run["results"] = [result]
    path = tmp_path / "edge.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    fleet = collect(load_documents([str(path)]))
    assert fleet.targets == (FleetTarget("edge", "repository", None, 0),)
    [finding] = fleet.findings
    assert finding == FleetFinding(
        "edge",
        run["tool"]["driver"]["rules"][0]["id"],
        Severity.LOW,
        "config/café/.env",
        finding.line,
        finding.column,
        finding.message,
        False,
    )


def test_secrets_in_inputs_are_scrubbed_and_markdown_is_escaped(tmp_path: Path) -> None:
    files = write_fleet(tmp_path)
    doc = json.loads(files["web-02.json"].read_text(encoding="utf-8"))
    secret = "sk-ant-api03-" + "Q" * 40
    doc["targets"][0]["target"] = "https://user:hunter2@git.example.com/a|b.git"
    for item in (*doc["findings"], *doc["notifications"]):
        item["target"] = doc["targets"][0]["target"]
    doc["findings"][0]["message"] = f"key {secret} in <script>|x"
    path = tmp_path / "leaky.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    summary = summarise(collect(load_documents([str(path)])))
    for text in (render_text(summary), render_markdown(summary)):
        assert secret not in text
        assert "hunter2" not in text
    markdown = render_markdown(summary)
    assert "a\\|b.git" in markdown
    assert "\\<script\\>\\|x" in markdown


def test_sarif_truncation_notes_are_not_counted_as_the_targets_notifications(tmp_path: Path) -> None:
    from scanner.fleet.collect import SARIF_TRUNCATED
    from scanner.report.sarif import TRUNCATED_DESCRIPTOR

    assert SARIF_TRUNCATED == TRUNCATED_DESCRIPTOR
    files = write_fleet(tmp_path)
    log = json.loads(files["svc-a.sarif"].read_text(encoding="utf-8"))
    notes = log["runs"][0]["invocations"][0].setdefault("toolExecutionNotifications", [])
    notes.append({"message": {"text": "results: kept 1 of 2"}, "descriptor": {"id": TRUNCATED_DESCRIPTOR}})
    notes.append({"message": {"text": "file is not valid JSON"}, "descriptor": {"id": "parse-error"}})
    path = tmp_path / "svc-a-noted.sarif"
    path.write_text(json.dumps(log), encoding="utf-8")
    assert [t.notifications for t in collect(load_documents([str(path)])).targets] == [1]
