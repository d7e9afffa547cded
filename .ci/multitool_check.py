#!/usr/bin/env python3
"""Gate SARIF files on Microsoft's SARIF Multitool with every GitHub rule switched on.

The Multitool (npm @microsoft/sarif-multitool, the same engine as the online SARIF validator)
always exits 0, even when it reports errors (reference/sarif-github.md 3.2), so this runs its
`validate` command, reads the log it writes and exits 1 when that log has any error-level
result. It is called on the binary directly: the npm wrapper spawns through a shell, which
splits the `Sarif;Gh` rule kind at the semicolon.

Caveats: an invalid enum value makes the Multitool report nothing at all, so always run
.ci/sarif_validate.py (the JSON schema) too. GH1006 flags absolute `file:` URIs outside
`invocations[].workingDirectory`, which GitHub itself accepts (it keeps them absolute); host
scans report such files, so `--allow GH1006` exists for their SARIF.

Usage:
  python .ci/multitool_check.py [--multitool PATH] [--config XML] [--allow RULE ...] FILE...
The binary comes from --multitool or $SARIF_MULTITOOL, e.g.
  <npm prefix>/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
Exit codes: 0 no errors, 1 errors found, 2 the Multitool could not be run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = Path(__file__).resolve().with_name("multitool-gh-all-rules.xml")
RULE_KINDS = "Sarif;Gh"
TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class MultitoolError:
    rule_id: str
    message: str

    def __str__(self) -> str:
        return f"error {self.rule_id}: {self.message}"


class MultitoolUnavailable(Exception):
    """The Multitool could not be started or wrote no log."""


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _message_text(item: dict[str, Any], rules: dict[str, dict[str, Any]]) -> str:
    """A result's or notification's message, filling the rule's template when there is no text."""
    message = _dict(item.get("message"))
    if isinstance(message.get("text"), str):
        return str(message["text"])
    arguments = [str(argument) for argument in _list(message.get("arguments"))]
    rule = rules.get(str(item.get("ruleId")), {})
    text = _dict(_dict(rule.get("messageStrings")).get(str(message.get("id")))).get("text")
    if not isinstance(text, str):
        return " ".join(arguments) or "(no message)"
    for index, argument in enumerate(arguments):
        text = text.replace("{" + str(index) + "}", argument)
    return text


def errors_in_log(log: object) -> list[MultitoolError]:
    """Error-level results and notifications in a Multitool output log."""
    found: list[MultitoolError] = []
    for run in map(_dict, _list(_dict(log).get("runs"))):
        driver = _dict(_dict(run.get("tool")).get("driver"))
        rules = {str(r.get("id")): r for r in _list(driver.get("rules")) if isinstance(r, dict)}
        for result in map(_dict, _list(run.get("results"))):
            rule = rules.get(str(result.get("ruleId")), {})
            default = _dict(rule.get("defaultConfiguration")).get("level", "warning")
            if result and result.get("level", default) == "error":
                where = _artifact(result)
                text = _message_text(result, rules)
                found.append(MultitoolError(str(result.get("ruleId")), f"{where}: {text}" if where else text))
        for invocation in _list(run.get("invocations")):
            for note in map(_dict, _list(_dict(invocation).get("toolExecutionNotifications"))):
                if note.get("level") == "error":
                    descriptor = _dict(note.get("descriptor")).get("id", "notification")
                    found.append(MultitoolError(str(descriptor), _message_text(note, {})))
    return found


def _artifact(result: dict[str, Any]) -> str:
    """The file a result is about, when several files are validated in one run."""
    for location in _list(result.get("locations")):
        uri = _dict(_dict(_dict(location).get("physicalLocation")).get("artifactLocation")).get("uri")
        if isinstance(uri, str):
            return uri.rsplit("/", 1)[-1]
    return ""


def run_multitool(binary: str, config: Path, sarif: Path | Sequence[Path]) -> list[MultitoolError]:
    """Validate one or many files in one run (the .NET start-up dominates: one process for all);
    raise MultitoolUnavailable when the tool does not produce a log."""
    files = [sarif] if isinstance(sarif, Path) else list(sarif)
    with tempfile.TemporaryDirectory(prefix="multitool-") as scratch:
        output = Path(scratch) / "validation.sarif"
        command = [
            binary,
            "validate",
            *(str(f) for f in files),
            "--rule-kind",
            RULE_KINDS,
            "--config",
            str(config),
            "-o",
            str(output),
            "--log",
            "ForceOverwrite",
        ]
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise MultitoolUnavailable(f"cannot run {binary}: {error}") from error
        if not output.is_file():
            detail = (completed.stdout + completed.stderr).strip()[-2000:]
            raise MultitoolUnavailable(f"the Multitool wrote no log for {len(files)} file(s): {detail}")
        try:
            log = json.loads(output.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError) as error:
            raise MultitoolUnavailable(f"unreadable Multitool log: {error}") from error
    return errors_in_log(log)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("files", nargs="+", type=Path, help="SARIF files to check")
    parser.add_argument("--multitool", default=os.environ.get("SARIF_MULTITOOL"), help="Sarif.Multitool")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="validation config XML")
    parser.add_argument(
        "--allow", action="append", default=[], metavar="RULE", help="rule id whose errors are ignored"
    )
    args = parser.parse_args(argv)
    if not args.multitool:
        print("multitool_check: give --multitool or set SARIF_MULTITOOL", file=sys.stderr)
        return 2
    allowed = set(args.allow)
    try:
        reported = run_multitool(args.multitool, args.config, args.files)
    except MultitoolUnavailable as problem:
        print(f"multitool_check: {problem}", file=sys.stderr)
        return 2
    errors = [error for error in reported if error.rule_id not in allowed]
    print(f"{len(args.files)} file(s): {len(errors)} error(s)")
    for error in errors:
        print(f"  {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
