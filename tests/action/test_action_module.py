"""scanner.action's pieces: inputs, SARIF category, GITHUB_OUTPUT text, the verdict."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.action import (
    InputError,
    Inputs,
    apply_category,
    main,
    output_lines,
    read_inputs,
    scan_arguments,
    scan_outputs,
    verdict,
    verdict_message,
)
from tests.action.fake_runner import parse_output_file


def test_defaults() -> None:
    assert read_inputs({}) == Inputs(
        paths=(".",),
        policy="",
        fail_on="high",
        output="ccpolicy.sarif",
        annotations=True,
        category="ccpolicy",
    )


def test_inputs_are_parsed() -> None:
    env = {
        "CCPOLICY_PATHS": "services/api\n'docs/my app'  web ",
        "CCPOLICY_POLICY": " policy/ccpolicy.toml ",
        "CCPOLICY_FAIL_ON": " Medium ",
        "CCPOLICY_OUTPUT": "out/x.sarif",
        "CCPOLICY_ANNOTATIONS": "FALSE",
        "CCPOLICY_CATEGORY": "/config/",
    }
    assert read_inputs(env) == Inputs(
        paths=("services/api", "docs/my app", "web"),
        policy="policy/ccpolicy.toml",
        fail_on="medium",
        output="out/x.sarif",
        annotations=False,
        category="config",
    )
    assert read_inputs({"CCPOLICY_FAIL_ON": "never"}).fail_on == "never"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"CCPOLICY_FAIL_ON": "urgent"},
            "input fail-on: unknown severity 'urgent' (expected one of: info, low, medium, high, critical), "
            "or never",
        ),
        ({"CCPOLICY_ANNOTATIONS": "yes"}, "input annotations must be true or false, not 'yes'"),
        ({"CCPOLICY_PATHS": "'unterminated"}, "input paths: No closing quotation"),
    ],
)
def test_invalid_inputs(env: dict[str, str], message: str) -> None:
    with pytest.raises(InputError) as raised:
        read_inputs(env)
    assert str(raised.value) == message


def test_scan_arguments(tmp_path: Path) -> None:
    inputs = Inputs(("a", "b"), "p.toml", "low", "o.sarif", annotations=True, category="c")
    assert scan_arguments(inputs, tmp_path / "r.json", tmp_path / "s.md", tmp_path / "r.txt") == [
        "scan", "a", "b", "--fail-on", "low",
        "--output", "sarif=o.sarif",
        "--output", f"json={tmp_path / 'r.json'}",
        "--output", f"markdown={tmp_path / 's.md'}",
        "--output", f"text={tmp_path / 'r.txt'}",
        "--policy", "p.toml",
        "--format", "annotations",
    ]  # fmt: skip
    quiet = Inputs((".",), "", "high", "o.sarif", annotations=False, category="c")
    assert scan_arguments(quiet, tmp_path / "r.json", tmp_path / "s.md", tmp_path / "r.txt")[-1] == "--quiet"


def test_apply_category() -> None:
    log = {
        "version": "2.1.0",
        "runs": [{"automationDetails": {"id": "ccpolicy/repository/a/"}}, {"results": []}],
    }
    text = json.dumps(log, indent=2) + "\n"
    assert apply_category(text, "ccpolicy") == text
    changed = json.loads(apply_category(text, "frontend"))
    assert [run["automationDetails"]["id"] for run in changed["runs"]] == [
        "frontend/repository/a/",
        "frontend/",
    ]
    foreign = json.dumps({"runs": [{"automationDetails": {"id": "other/x/"}}]})
    assert json.loads(apply_category(foreign, "c"))["runs"][0]["automationDetails"]["id"] == "c/other/x/"


def test_output_lines_round_trip() -> None:
    outputs = [("sarif-file", "a b.sarif"), ("odd", "line1\nccpolicy_EOF\nline3"), ("n", "")]
    text = output_lines(outputs)
    assert text.splitlines()[0] == "sarif-file=a b.sarif"
    assert "odd<<ccpolicy_EOF_\n" in text
    assert parse_output_file(text) == dict(outputs)


def test_scan_outputs_from_the_json_report() -> None:
    inputs = Inputs((".",), "", "high", "x.sarif", annotations=True, category="ccpolicy")
    report = {
        "summary": {
            "findings": 3,
            "by_severity": {"critical": 0, "high": 1, "medium": 2, "low": 0, "info": 0},
        }
    }
    assert scan_outputs(inputs, report, failed=True) == [
        ("sarif-file", "x.sarif"),
        ("findings", "3"),
        ("critical", "0"),
        ("high", "1"),
        ("medium", "2"),
        ("low", "0"),
        ("info", "0"),
        ("failed", "true"),
    ]
    assert scan_outputs(inputs, {"summary": "broken"}, failed=False)[1:3] == [
        ("findings", "0"),
        ("critical", "0"),
    ]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CCPOLICY_FAILED": "false"}, (0, "ccpolicy: passed (none at or above high).")),
        (
            {"CCPOLICY_FAILED": "false", "CCPOLICY_FAIL_ON": "never"},
            (0, "ccpolicy: passed (fail-on is never)."),
        ),
        (
            {"CCPOLICY_FAILED": "true", "CCPOLICY_FAIL_ON": "medium", "CCPOLICY_CRITICAL": "2",
             "CCPOLICY_HIGH": "0", "CCPOLICY_MEDIUM": "5", "CCPOLICY_LOW": "9", "CCPOLICY_SARIF": "c.sarif"},
            (1, "ccpolicy found 2 critical, 5 medium at or above fail-on (medium): failing the job. "
                "Details are in the job summary and c.sarif."),
        ),
        (
            {"CCPOLICY_FAILED": "true"},
            (
                1,
                "ccpolicy found findings at or above fail-on (high): failing the job. "
                "Details are in the job summary.",
            ),
        ),
    ],
)  # fmt: skip
def test_verdict_message(env: dict[str, str], expected: tuple[int, str]) -> None:
    assert verdict_message(env) == expected


def test_verdict_prints_an_error_annotation(capsys: pytest.CaptureFixture[str]) -> None:
    assert verdict({"CCPOLICY_FAILED": "true", "CCPOLICY_HIGH": "1"}) == 1
    assert capsys.readouterr().out == (
        "::error title=ccpolicy::ccpolicy found 1 high at or above fail-on (high): failing the job. "
        "Details are in the job summary.\n"
    )
    assert verdict({"CCPOLICY_FAILED": "true", "CCPOLICY_FAIL_ON": "bogus"}) == 2
    assert capsys.readouterr().out.startswith(
        "::error title=ccpolicy::input fail-on: unknown severity 'bogus'"
    )


def test_main_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["deploy"]) == 2
    assert capsys.readouterr().err == "usage: python -m scanner.action {scan,verdict}\n" * 2
