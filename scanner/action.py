"""The GitHub Action's steps (action.yml), as commands a test can run with a fake runner.

    python -m scanner.action scan      # scan, write SARIF, summary, annotations and outputs
    python -m scanner.action verdict   # the last step: fail the job according to fail-on

Inputs arrive as CCPOLICY_* environment variables set by action.yml (never interpolated into
shell text, so a path or policy name cannot inject commands). The runner's files are
GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP; the scan runs in GITHUB_WORKSPACE.

`scan` never fails the job because of findings: the SARIF must be uploaded first. It runs the
scan with the real fail-on (so the summary's verdict and the exit status agree with the job's)
and turns exit status 1 into the `failed` output; only `verdict`, the last step, exits 1.
Exit 2 (usage or policy error) or 3 (internal error) fails the `scan` step at once.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from scanner.model import Severity

DEFAULT_CATEGORY = "ccpolicy"
TOOL_PREFIX = "ccpolicy/"
COUNTED = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
_TRUE = "true"
_FALSE = "false"


class InputError(Exception):
    """An input of the Action is invalid; the message names it."""


@dataclass(frozen=True)
class Inputs:
    paths: tuple[str, ...]
    policy: str
    fail_on: str  # a severity label or "never"
    output: str
    annotations: bool
    category: str


def _boolean(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in (_TRUE, _FALSE):
        return lowered == _TRUE
    raise InputError(f"input {name} must be true or false, not {value.strip()!r}")


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """The Action's inputs from CCPOLICY_* variables, validated (InputError names the bad one)."""
    try:
        paths = tuple(shlex.split(env.get("CCPOLICY_PATHS", "")))
    except ValueError as error:
        raise InputError(f"input paths: {error}") from None
    fail_on = env.get("CCPOLICY_FAIL_ON", "").strip().lower() or Severity.HIGH.label
    if fail_on != "never":
        try:
            fail_on = Severity.parse(fail_on).label
        except ValueError as error:
            raise InputError(f"input fail-on: {error}, or never") from None
    output = env.get("CCPOLICY_OUTPUT", "").strip() or "ccpolicy.sarif"
    category = env.get("CCPOLICY_CATEGORY", "").strip() or DEFAULT_CATEGORY
    return Inputs(
        paths=paths or (".",),
        policy=env.get("CCPOLICY_POLICY", "").strip(),
        fail_on=fail_on,
        output=output,
        annotations=_boolean("annotations", env.get("CCPOLICY_ANNOTATIONS", "") or _TRUE),
        category=category.strip("/"),
    )


def scan_arguments(inputs: Inputs, json_file: Path, markdown_file: Path, text_file: Path) -> list[str]:
    argv = ["scan", *inputs.paths, "--fail-on", inputs.fail_on]
    for fmt, path in (
        ("sarif", inputs.output),
        ("json", json_file),
        ("markdown", markdown_file),
        ("text", text_file),
    ):
        argv += ["--output", f"{fmt}={path}"]
    if inputs.policy:
        argv += ["--policy", inputs.policy]
    argv += ["--format", "annotations"] if inputs.annotations else ["--quiet"]
    return argv


def apply_category(sarif_text: str, category: str) -> str:
    """Put the Action's category in front of each run's automationDetails.id.

    upload-sarif uses its own `category` input only for runs without an id, and ccpolicy always
    writes one (`ccpolicy/repository/`), so the input takes effect here: `frontend` gives
    `frontend/repository/`. The default category leaves the file unchanged.
    """
    if category == DEFAULT_CATEGORY:
        return sarif_text
    log = json.loads(sarif_text)
    for run in log.get("runs", []):
        details = run.setdefault("automationDetails", {})
        run_id = str(details.get("id", TOOL_PREFIX))
        rest = run_id[len(TOOL_PREFIX) :] if run_id.startswith(TOOL_PREFIX) else run_id
        details["id"] = f"{category}/{rest}"
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8", newline="\n") as handle:
            handle.write(text)


def output_lines(outputs: Sequence[tuple[str, str]]) -> str:
    """GITHUB_OUTPUT text: `name=value`, or the heredoc form for a value with a line break."""
    lines = []
    for name, value in outputs:
        if "\n" not in value and "\r" not in value:
            lines.append(f"{name}={value}\n")
            continue
        delimiter = "ccpolicy_EOF"
        while delimiter in value:
            delimiter += "_"
        lines.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(lines)


def scan_outputs(inputs: Inputs, report: Mapping[str, object], failed: bool) -> list[tuple[str, str]]:
    summary = report.get("summary")
    summary = summary if isinstance(summary, dict) else {}
    by_severity = summary.get("by_severity")
    by_severity = by_severity if isinstance(by_severity, dict) else {}
    outputs = [("sarif-file", inputs.output), ("findings", str(summary.get("findings", 0)))]
    outputs += [(severity.label, str(by_severity.get(severity.label, 0))) for severity in COUNTED]
    outputs.append(("failed", _TRUE if failed else _FALSE))
    return outputs


def _error(message: str) -> None:
    # Workflow commands need %, CR and LF escaped (actions/toolkit command.ts).
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    sys.stdout.write(f"::error title=ccpolicy::{escaped}\n")


def scan(env: Mapping[str, str]) -> int:
    from scanner.cli import main as ccpolicy

    try:
        inputs = read_inputs(env)
    except InputError as error:
        _error(str(error))
        return 2
    workspace = env.get("GITHUB_WORKSPACE") or os.getcwd()
    os.chdir(workspace)
    scratch = Path(tempfile.mkdtemp(prefix="ccpolicy-", dir=env.get("RUNNER_TEMP") or None))
    json_file, markdown_file, text_file = (
        scratch / "report.json",
        scratch / "summary.md",
        scratch / "report.txt",
    )
    sys.stdout.flush()
    status = ccpolicy(scan_arguments(inputs, json_file, markdown_file, text_file))
    sys.stdout.flush()
    if status not in (0, 1) or not json_file.is_file():
        _error(f"the scan could not run (exit status {status}); see the messages above")
        return status or 3
    sarif = Path(inputs.output)
    sarif.write_text(apply_category(sarif.read_text(encoding="utf-8"), inputs.category), encoding="utf-8")
    _append(env.get("GITHUB_STEP_SUMMARY"), markdown_file.read_text(encoding="utf-8"))
    report = json.loads(json_file.read_text(encoding="utf-8"))
    _append(env.get("GITHUB_OUTPUT"), output_lines(scan_outputs(inputs, report, failed=status == 1)))
    sys.stdout.write(text_file.read_text(encoding="utf-8"))
    return 0


def verdict_message(env: Mapping[str, str]) -> tuple[int, str]:
    """(exit status, message) of the final step, from the scan step's outputs."""
    fail_on = env.get("CCPOLICY_FAIL_ON", "").strip().lower() or Severity.HIGH.label
    if env.get("CCPOLICY_FAILED", "").strip().lower() != _TRUE:
        threshold = "fail-on is never" if fail_on == "never" else f"none at or above {fail_on}"
        return 0, f"ccpolicy: passed ({threshold})."
    threshold_severity = Severity.parse(fail_on)
    counts = []
    for severity in COUNTED:
        count = env.get(f"CCPOLICY_{severity.name}", "0").strip() or "0"
        if severity >= threshold_severity and count != "0":
            counts.append(f"{count} {severity.label}")
    found = ", ".join(counts) if counts else "findings"
    sarif = env.get("CCPOLICY_SARIF", "").strip()
    where = "the job summary" + (f" and {sarif}" if sarif else "")
    return (
        1,
        f"ccpolicy found {found} at or above fail-on ({fail_on}): failing the job. Details are in {where}.",
    )


def verdict(env: Mapping[str, str]) -> int:
    try:
        status, message = verdict_message(env)
    except ValueError as error:
        _error(f"input fail-on: {error}")
        return 2
    if status:
        _error(message)
    else:
        sys.stdout.write(message + "\n")
    return status


COMMANDS = {"scan": scan, "verdict": verdict}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] not in COMMANDS:
        sys.stderr.write(f"usage: python -m scanner.action {{{','.join(COMMANDS)}}}\n")
        return 2
    return COMMANDS[args[0]](os.environ)


if __name__ == "__main__":
    sys.exit(main())
