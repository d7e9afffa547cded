"""action.yml's shape: inputs, outputs, and a step order that uploads SARIF before failing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from tests.action.fake_runner import load_action

PROJECT = Path(__file__).resolve().parents[2]
WORKFLOW = PROJECT / ".github/workflows/ccpolicy.yml"
INSTALL_SCRIPT = PROJECT / ".github/ccpolicy-action/install.sh"


def steps() -> list[dict[str, Any]]:
    action = load_action()
    assert action["runs"]["using"] == "composite"
    result: list[dict[str, Any]] = action["runs"]["steps"]
    return result


def step(name: str) -> dict[str, Any]:
    (found,) = [s for s in steps() if s.get("name") == name]
    return found


def test_inputs_and_defaults() -> None:
    inputs = load_action()["inputs"]
    assert {name: spec.get("default") for name, spec in inputs.items()} == {
        "paths": ".",
        "policy": "",
        "fail-on": "high",
        "upload": "true",
        "category": "ccpolicy",
        "output": "ccpolicy.sarif",
        "annotations": "true",
        "python-version": "",
    }
    assert all(spec.get("required") is False and spec.get("description") for spec in inputs.values())


def test_outputs_come_from_the_scan_step() -> None:
    outputs = load_action()["outputs"]
    assert list(outputs) == ["sarif-file", "findings", "critical", "high", "medium", "low", "info", "failed"]
    for name, spec in outputs.items():
        assert spec["value"] == f"${{{{ steps.scan.outputs.{name} }}}}"
        assert spec["description"]


def test_step_order() -> None:
    assert [(s["name"], s.get("id"), s.get("uses", "").split("@")[0]) for s in steps()] == [
        ("Set up Python", None, "actions/setup-python"),
        ("Install ccpolicy", "install", ""),
        ("Scan", "scan", ""),
        ("Upload SARIF to code scanning", None, "github/codeql-action/upload-sarif"),
        ("Apply fail-on", None, ""),
    ]


def test_upload_runs_before_the_fail_step_even_after_failures() -> None:
    upload = step("Upload SARIF to code scanning")
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["if"] == "${{ !cancelled() && inputs.upload == 'true' && steps.scan.outcome == 'success' }}"
    assert upload["with"] == {
        "sarif_file": "${{ steps.scan.outputs.sarif-file }}",
        "category": "${{ inputs.category }}",
    }
    names = [s["name"] for s in steps()]
    assert names.index("Upload SARIF to code scanning") < names.index("Apply fail-on") == len(names) - 1
    verdict = step("Apply fail-on")
    assert verdict["if"] == "${{ !cancelled() && steps.scan.outcome == 'success' }}"
    assert verdict["run"] == '"$CCPOLICY_RUNNER_PYTHON" -m scanner.action verdict'


def test_setup_python_only_when_asked() -> None:
    setup = step("Set up Python")
    assert setup["if"] == "${{ inputs.python-version != '' }}"
    assert setup["with"] == {"python-version": "${{ inputs.python-version }}"}


def test_no_expression_is_interpolated_into_shell_text() -> None:
    """Inputs reach scripts through env: `${{ }}` inside `run:` would be a script injection."""
    for s in steps():
        assert "${{" not in s.get("run", ""), s["name"]
        if "run" in s:
            assert s["shell"] == "bash"


def test_scan_step_passes_every_input() -> None:
    env = step("Scan")["env"]
    assert env == {
        "CCPOLICY_RUNNER_PYTHON": "${{ steps.install.outputs.python }}",
        "CCPOLICY_PATHS": "${{ inputs.paths }}",
        "CCPOLICY_POLICY": "${{ inputs.policy }}",
        "CCPOLICY_FAIL_ON": "${{ inputs.fail-on }}",
        "CCPOLICY_OUTPUT": "${{ inputs.output }}",
        "CCPOLICY_ANNOTATIONS": "${{ inputs.annotations }}",
        "CCPOLICY_CATEGORY": "${{ inputs.category }}",
    }


def test_every_referenced_input_and_step_exists() -> None:
    text = (PROJECT / "action.yml").read_text()
    declared = set(load_action()["inputs"])
    referenced = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    assert referenced == declared
    ids = {s.get("id") for s in steps()}
    assert set(re.findall(r"steps\.([A-Za-z0-9_-]+)\.", text)) <= ids


def test_install_script_is_executable_bash() -> None:
    assert INSTALL_SCRIPT.read_text().startswith("#!/usr/bin/env bash\n")
    assert step("Install ccpolicy")["run"] == 'bash "$GITHUB_ACTION_PATH/.github/ccpolicy-action/install.sh"'


def test_self_scan_workflow_uses_the_local_action() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read", "security-events": "write", "actions": "read"}
    uses = [s.get("uses") for s in job["steps"]]
    assert uses[0] == "actions/checkout@v4"
    assert "./" in uses
