"""Just enough of the GitHub Actions runner to run action.yml's composite steps in a test.

It reads action.yml, applies input defaults, evaluates `if:` conditions and `${{ }}` templates
(the subset action.yml uses: inputs, steps.<id>.outputs/outcome, github.action_path,
github.workspace, runner.temp, success(), failure(), always(), cancelled(), !, &&, ||, ==, !=,
string literals), runs `run:` steps with bash as the runner does (`bash --noprofile --norc -eo
pipefail`, a fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY file per step, cwd the workspace), and
records `uses:` steps instead of running them. The install step can be faked (the test's own
interpreter, which has ccpolicy installed) or run for real.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.gitrepo import isolated_env

PROJECT = Path(__file__).resolve().parents[2]
ACTION_FILE = PROJECT / "action.yml"

_TEMPLATE = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||==|!=|!|\(|\))|'(?P<string>(?:[^']|'')*)'"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*))"
)
_STATUS_FUNCTIONS = ("success(", "failure(", "always(", "cancelled(")


def load_action() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(ACTION_FILE.read_text(encoding="utf-8"))
    return data


@dataclass
class StepRun:
    name: str
    id: str | None
    status: str  # success | failure | skipped
    output: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    uses: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)  # `with:` of a uses step, evaluated
    returncode: int | None = None


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, str]
    summary: str
    status: str  # the job's status after the action: success | failure

    def step(self, name: str) -> StepRun:
        matches = [step for step in self.steps if step.name == name]
        assert len(matches) == 1, f"no single step named {name!r}"
        return matches[0]


class _Evaluator:
    """GitHub expression subset. Strings compare case-insensitively, as on GitHub."""

    def __init__(self, contexts: Mapping[str, Any], job_status: str) -> None:
        self.contexts = contexts
        self.job_status = job_status
        self.tokens: list[tuple[str, str]] = []
        self.position = 0

    def evaluate(self, expression: str) -> str | bool:
        self.tokens = self._tokenize(expression)
        self.position = 0
        value = self._or()
        if self.position != len(self.tokens):
            raise ValueError(f"cannot parse expression: {expression!r}")
        return value

    @staticmethod
    def _tokenize(expression: str) -> list[tuple[str, str]]:
        tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(expression.rstrip()):
            match = _TOKEN.match(expression, position)
            if match is None or match.end() == position:
                raise ValueError(f"cannot tokenize {expression!r} at {position}")
            position = match.end()
            if match.group("op"):
                tokens.append(("op", match.group("op")))
            elif match.group("string") is not None:
                tokens.append(("string", match.group("string").replace("''", "'")))
            else:
                tokens.append(("name", match.group("name")))
        return tokens

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, value: str) -> bool:
        if self._peek() == ("op", value):
            self.position += 1
            return True
        return False

    def _or(self) -> str | bool:
        value = self._and()
        while self._take("||"):
            right = self._and()
            value = value if _truthy(value) else right
        return value

    def _and(self) -> str | bool:
        value = self._unary()
        while self._take("&&"):
            right = self._unary()
            value = right if _truthy(value) else value
        return value

    def _unary(self) -> str | bool:
        if self._take("!"):
            return not _truthy(self._unary())
        return self._comparison()

    def _comparison(self) -> str | bool:
        left = self._primary()
        for op in ("==", "!="):
            if self._take(op):
                right = self._primary()
                equal = _text(left).lower() == _text(right).lower()
                return equal if op == "==" else not equal
        return left

    def _primary(self) -> str | bool:
        token = self._peek()
        if token is None:
            raise ValueError("unexpected end of expression")
        self.position += 1
        kind, value = token
        if kind == "op" and value == "(":
            inner = self._or()
            if not self._take(")"):
                raise ValueError("missing )")
            return inner
        if kind == "string":
            return value
        if kind == "name" and self._take("("):
            if not self._take(")"):
                raise ValueError(f"{value}() takes no arguments here")
            return self._function(value)
        if kind == "name":
            return self._lookup(value)
        raise ValueError(f"unexpected token {value!r}")

    def _function(self, name: str) -> bool:
        if name == "success":
            return self.job_status == "success"
        if name == "failure":
            return self.job_status == "failure"
        if name == "always":
            return True
        if name == "cancelled":
            return False
        raise ValueError(f"unknown function {name}")

    def _lookup(self, dotted: str) -> str:
        current: Any = self.contexts
        for part in dotted.split("."):
            if not isinstance(current, Mapping) or part not in current:
                return ""  # GitHub gives null, which compares equal to ''
            current = current[part]
        return _text(current)


def _truthy(value: str | bool) -> bool:
    return bool(value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _substitute(text: str, evaluator: _Evaluator) -> str:
    return _TEMPLATE.sub(lambda match: _text(evaluator.evaluate(match.group(1))), text)


def _condition(raw: object, evaluator: _Evaluator) -> bool:
    if raw is None:
        return evaluator.job_status == "success"
    expression = str(raw).strip()
    template = _TEMPLATE.fullmatch(expression)
    if template:
        expression = template.group(1)
    if not any(function in expression for function in _STATUS_FUNCTIONS):
        expression = f"success() && ({expression})"
    return _truthy(evaluator.evaluate(expression))


def parse_output_file(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value_lines = []
            while lines[index] != delimiter:
                value_lines.append(lines[index])
                index += 1
            index += 1
            outputs[name] = "\n".join(value_lines)
        else:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(
    inputs: Mapping[str, str],
    *,
    workspace: Path,
    runner_temp: Path,
    install: str = "fake",
    action_path: Path = PROJECT,
) -> ActionRun:
    """Run action.yml's steps for `inputs` (unknown names are an error, as on GitHub)."""
    action = load_action()
    declared = action["inputs"]
    unknown = set(inputs) - set(declared)
    assert not unknown, f"inputs not declared in action.yml: {sorted(unknown)}"
    values = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    values.update(inputs)
    steps_context: dict[str, dict[str, Any]] = {}
    contexts: dict[str, Any] = {
        "inputs": values,
        "steps": steps_context,
        "github": {"action_path": str(action_path), "workspace": str(workspace)},
        "runner": {"temp": str(runner_temp)},
    }
    job_status = "success"
    summary_parts: list[str] = []
    runs: list[StepRun] = []
    for number, step in enumerate(action["runs"]["steps"]):
        evaluator = _Evaluator(contexts, job_status)
        record = StepRun(name=step.get("name", f"step {number}"), id=step.get("id"), status="skipped")
        runs.append(record)
        if not _condition(step.get("if"), evaluator):
            _publish(steps_context, record)
            continue
        if "uses" in step:
            record.uses = step["uses"]
            record.inputs = {
                key: _substitute(str(value), evaluator) for key, value in step.get("with", {}).items()
            }
            record.status = "success"
            if record.uses.startswith("github/codeql-action/upload-sarif@"):
                sarif = workspace / record.inputs.get("sarif_file", "")
                record.status = "success" if sarif.is_file() else "failure"
        elif record.id == "install" and install == "fake":
            record.status, record.outputs = "success", {"python": sys.executable}
        else:
            _run_shell(
                step,
                record=record,
                evaluator=evaluator,
                workspace=workspace,
                runner_temp=runner_temp,
                action_path=action_path,
                summary_parts=summary_parts,
            )
        if record.status == "failure":
            job_status = "failure"
        _publish(steps_context, record)
    final = _Evaluator(contexts, job_status)
    outputs = {
        name: _substitute(str(spec["value"]), final) for name, spec in action.get("outputs", {}).items()
    }
    return ActionRun(runs, outputs, "".join(summary_parts), job_status)


def _publish(steps_context: dict[str, dict[str, Any]], record: StepRun) -> None:
    if record.id:
        steps_context[record.id] = {
            "outputs": record.outputs,
            "outcome": record.status,
            "conclusion": record.status,
        }


def _run_shell(
    step: Mapping[str, Any],
    *,
    record: StepRun,
    evaluator: _Evaluator,
    workspace: Path,
    runner_temp: Path,
    action_path: Path,
    summary_parts: list[str],
) -> None:
    assert step.get("shell") == "bash", "composite run steps must name their shell"
    scratch = runner_temp / "_runner_files" / f"step-{len(summary_parts)}-{record.id or 'anon'}-{id(record)}"
    scratch.mkdir(parents=True)
    output_file, summary_file, script = scratch / "output", scratch / "summary", scratch / "script.sh"
    output_file.write_text("")
    summary_file.write_text("")
    script.write_text(_substitute(step["run"], evaluator))
    env = isolated_env(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(action_path),
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
        }
    )
    env.update({key: _substitute(str(value), evaluator) for key, value in step.get("env", {}).items()})
    completed = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=900,
        check=False,
    )
    record.returncode = completed.returncode
    record.output = completed.stdout
    record.status = "success" if completed.returncode == 0 else "failure"
    record.outputs = parse_output_file(output_file.read_text(encoding="utf-8"))
    summary_parts.append(summary_file.read_text(encoding="utf-8"))
