"""The Action's steps, run from action.yml by a fake runner with a simulated GitHub environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import scanner
from tests.action.fake_runner import ActionRun, run_action
from tests.gitrepo import commit, isolate_git_config, make_repo

KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"
LEAK = f"ANTHROPIC_API_KEY={KEY}\n"
MESSAGE = (
    "ANTHROPIC_API_KEY is assigned a literal value that looks like an Anthropic API key (value redacted): "
    "anyone who can read this file can use it, and it stays in git history after removal. Rotate it and "
    "load it from a secret store instead."
)
ANNOTATION = f"::error file=.env,line=1,col=1,title=CCP401 literal-anthropic-credential::{MESSAGE}"
TEXT_REPORT = [
    ".env",
    f"  1:1  critical CCP401  {MESSAGE}",
    "",
    "1 finding (1 critical) in 1 configuration file, 0 contexts. Policy: built-in preset recommended. "
    "1 at or above high: failing.",
]
FAILED_SUMMARY = (
    "## ccpolicy: ❌ failed\n"
    "\n"
    "1 finding at or above **high**; 1 active finding in 1 file "
    "(critical 1 · high 0 · medium 0 · low 0 · info 0).\n"
    "\n"
    "| Severity | Rule | Location | Message |\n"
    "| --- | --- | --- | --- |\n"
    "| critical | [CCP401 literal-anthropic-credential]"
    "(https://github.com/ccpolicy/ccpolicy/blob/main/docs/rules/CCP401.md) | .env:1 | "
    f"{MESSAGE} |\n"
)
STEP_NAMES = ["Set up Python", "Install ccpolicy", "Scan", "Upload SARIF to code scanning", "Apply fail-on"]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git_config(monkeypatch)


@pytest.fixture
def runner_temp(tmp_path: Path) -> Path:
    path = tmp_path / "runner-temp"
    path.mkdir()
    return path


def workspace(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = make_repo(tmp_path, "workspace")
    commit(repo, {"README.md": "readme\n", **files}, "initial")
    return repo


def statuses(run: ActionRun) -> list[tuple[str, str]]:
    return [(step.name, step.status) for step in run.steps]


def test_findings_fail_the_job_only_after_summary_outputs_and_upload(
    tmp_path: Path, runner_temp: Path
) -> None:
    ws = workspace(tmp_path, {".env": LEAK})
    run = run_action({}, workspace=ws, runner_temp=runner_temp)
    assert statuses(run) == [
        ("Set up Python", "skipped"),
        ("Install ccpolicy", "success"),
        ("Scan", "success"),
        ("Upload SARIF to code scanning", "success"),
        ("Apply fail-on", "failure"),
    ]
    assert run.status == "failure"
    assert run.step("Scan").output.splitlines() == [ANNOTATION, *TEXT_REPORT]
    assert run.summary == FAILED_SUMMARY
    assert run.outputs == {
        "sarif-file": "ccpolicy.sarif",
        "findings": "1",
        "critical": "1",
        "high": "0",
        "medium": "0",
        "low": "0",
        "info": "0",
        "failed": "true",
    }
    upload = run.step("Upload SARIF to code scanning")
    assert upload.uses == "github/codeql-action/upload-sarif@v3"
    assert upload.inputs == {"sarif_file": "ccpolicy.sarif", "category": "ccpolicy"}
    verdict = run.step("Apply fail-on")
    assert (verdict.returncode, verdict.output) == (
        1,
        "::error title=ccpolicy::ccpolicy found 1 critical at or above fail-on (high): failing the job. "
        "Details are in the job summary and ccpolicy.sarif.\n",
    )
    sarif = json.loads((ws / "ccpolicy.sarif").read_text())
    (sarif_run,) = sarif["runs"]
    assert sarif_run["automationDetails"] == {"id": "ccpolicy/repository/"}
    assert [r["ruleId"] for r in sarif_run["results"]] == ["CCP401"]
    location = sarif_run["results"][0]["locations"][0]["physicalLocation"]
    assert (location["artifactLocation"]["uri"], location["region"]["startLine"]) == (".env", 1)
    assert KEY not in (ws / "ccpolicy.sarif").read_text() + run.summary + run.step("Scan").output


def test_clean_repository_passes(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {".env": "FOO=1\n"})
    run = run_action({}, workspace=ws, runner_temp=runner_temp)
    assert run.status == "success"
    assert [status for _, status in statuses(run)] == ["skipped", "success", "success", "success", "success"]
    assert run.outputs["failed"] == "false" and run.outputs["findings"] == "0"
    assert run.step("Scan").output.splitlines() == [
        "0 findings in 1 configuration file, 0 contexts. Policy: built-in preset recommended."
    ]
    assert run.summary.splitlines()[0] == "## ccpolicy: ✅ passed"
    assert run.step("Apply fail-on").output == "ccpolicy: passed (none at or above high).\n"


def test_fail_on_never_reports_without_failing(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {".env": LEAK})
    run = run_action({"fail-on": "never"}, workspace=ws, runner_temp=runner_temp)
    assert run.status == "success"
    assert run.outputs["failed"] == "false" and run.outputs["critical"] == "1"
    assert run.step("Apply fail-on").output == "ccpolicy: passed (fail-on is never).\n"
    assert run.summary.splitlines()[:3] == [
        "## ccpolicy: ✅ passed",
        "",
        "report only, no severity fails the scan; 1 active finding in 1 file "
        "(critical 1 · high 0 · medium 0 · low 0 · info 0).",
    ]


def test_fail_on_critical_and_upper_case_input(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {".env": LEAK})
    run = run_action({"fail-on": "CRITICAL"}, workspace=ws, runner_temp=runner_temp)
    assert run.status == "failure"
    assert run.step("Apply fail-on").output.startswith(
        "::error title=ccpolicy::ccpolicy found 1 critical at or above fail-on (critical)"
    )


def test_upload_false_skips_the_upload_only(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {".env": LEAK})
    run = run_action({"upload": "false"}, workspace=ws, runner_temp=runner_temp)
    assert statuses(run)[3:] == [("Upload SARIF to code scanning", "skipped"), ("Apply fail-on", "failure")]
    assert (ws / "ccpolicy.sarif").is_file()


def test_annotations_false_prints_the_report_only(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {".env": LEAK})
    run = run_action({"annotations": "false"}, workspace=ws, runner_temp=runner_temp)
    assert run.step("Scan").output.splitlines() == TEXT_REPORT


def test_output_path_and_category(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {".env": LEAK})
    run = run_action(
        {"output": "reports/cc policy.sarif", "category": "ccpolicy-config"},
        workspace=ws,
        runner_temp=runner_temp,
    )
    assert run.outputs["sarif-file"] == "reports/cc policy.sarif"
    assert run.step("Upload SARIF to code scanning").inputs == {
        "sarif_file": "reports/cc policy.sarif",
        "category": "ccpolicy-config",
    }
    sarif = json.loads((ws / "reports/cc policy.sarif").read_text())
    assert sarif["runs"][0]["automationDetails"] == {"id": "ccpolicy-config/repository/"}


def test_several_paths_give_several_runs(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {"app/.env": LEAK, "web/.env": "FOO=1\n"})
    run = run_action({"paths": "app\nweb"}, workspace=ws, runner_temp=runner_temp)
    assert run.outputs["findings"] == "1"
    sarif = json.loads((ws / "ccpolicy.sarif").read_text())
    assert [r["automationDetails"]["id"] for r in sarif["runs"]] == [
        "ccpolicy/repository/app/",
        "ccpolicy/repository/web/",
    ]


def test_paths_in_a_subdirectory_are_repository_relative(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {"app/.env": LEAK})
    run = run_action({"paths": "app"}, workspace=ws, runner_temp=runner_temp)
    sarif = json.loads((ws / "ccpolicy.sarif").read_text())
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "app/.env"
    assert run.step("Scan").output.splitlines()[0].startswith("::error file=app/.env,line=1,col=1,")


def test_invalid_input_fails_the_scan_step_and_skips_the_rest(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {".env": LEAK})
    run = run_action({"fail-on": "severe"}, workspace=ws, runner_temp=runner_temp)
    assert statuses(run)[2:] == [
        ("Scan", "failure"),
        ("Upload SARIF to code scanning", "skipped"),
        ("Apply fail-on", "skipped"),
    ]
    assert run.step("Scan").output == (
        "::error title=ccpolicy::input fail-on: unknown severity 'severe' "
        "(expected one of: info, low, medium, high, critical), or never\n"
    )
    assert run.outputs["sarif-file"] == "" and run.outputs["failed"] == ""
    assert not (ws / "ccpolicy.sarif").exists()


def test_scan_error_fails_the_scan_step(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {".env": LEAK})
    run = run_action({"paths": "missing"}, workspace=ws, runner_temp=runner_temp)
    scan = run.step("Scan")
    assert (scan.status, scan.returncode) == ("failure", 2)
    assert scan.output.splitlines()[-1] == (
        "::error title=ccpolicy::the scan could not run (exit status 2); see the messages above"
    )
    assert run.step("Apply fail-on").status == "skipped"


def test_python_version_input_adds_setup_python(tmp_path: Path, runner_temp: Path) -> None:
    ws = workspace(tmp_path, {".env": "FOO=1\n"})
    run = run_action({"python-version": "3.12"}, workspace=ws, runner_temp=runner_temp)
    setup = run.step("Set up Python")
    assert (setup.status, setup.uses, setup.inputs) == (
        "success",
        "actions/setup-python@v5",
        {"python-version": "3.12"},
    )


@pytest.mark.slow
def test_real_install_from_the_action_checkout(tmp_path: Path, runner_temp: Path) -> None:
    """The install step for real: a venv under RUNNER_TEMP, pip install of the Action's directory."""
    ws = workspace(tmp_path, {".env": LEAK})
    run = run_action({}, workspace=ws, runner_temp=runner_temp, install="real")
    install = run.step("Install ccpolicy")
    assert install.status == "success", install.output
    assert install.outputs == {"python": str(runner_temp / "ccpolicy-action/venv/bin/python")}
    assert install.output.splitlines()[-1] == f"ccpolicy {scanner.__version__}"
    assert statuses(run)[2:] == [
        ("Scan", "success"),
        ("Upload SARIF to code scanning", "success"),
        ("Apply fail-on", "failure"),
    ]
    assert run.summary == FAILED_SUMMARY
    assert run.step("Scan").output.splitlines() == [ANNOTATION, *TEXT_REPORT]
