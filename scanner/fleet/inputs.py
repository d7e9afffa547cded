"""Read the outputs `merge` and `report` combine, and reject what is not one of ours, clearly.

Each file is either a SARIF 2.1.0 log (`version` and `runs`) or a ccpolicy JSON report
(`schema_version` 1). The format is read from the content, never from the file name. Every
problem raises InputError naming the file and where in it, and the CLI exits 2.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from scanner import regexcache
from scanner.errors import UsageError

SARIF = "sarif"
JSON = "json"
MAX_INPUT_BYTES = 512 * 1024 * 1024
SUPPORTED_SCHEMA_VERSION = 1
_SEVERITIES = frozenset({"critical", "high", "medium", "low", "info"})
_EXTENSIONS = regexcache.compile(r"(\.(sarif|json))+$", re.IGNORECASE)


class InputError(UsageError):
    """An input file `merge` or `report` cannot use; the message starts with the file name."""


@dataclass(frozen=True)
class Document:
    path: str  # as given on the command line
    stem: str  # the file name without .sarif/.json: names the source in merged output
    format: str  # SARIF | JSON
    data: dict[str, Any]


def stem_of(path: str) -> str:
    name = os.path.basename(path.rstrip("/\\")) or path
    return _EXTENSIONS.sub("", name) or name


def _fail(path: str, reason: str) -> InputError:
    return InputError(f"{path}: {reason}")


def _read(path: str) -> Any:
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as error:
        raise _fail(path, f"cannot read: {error.strerror or type(error).__name__}") from None
    if len(raw) > MAX_INPUT_BYTES:
        raise _fail(path, f"larger than {MAX_INPUT_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _fail(path, "not UTF-8 text (expected SARIF or ccpolicy JSON)") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise _fail(path, f"not valid JSON ({where}: {error.msg})") from None
    except RecursionError:
        raise _fail(path, "JSON nested too deeply") from None


def _list_of_objects(path: str, container: dict[str, Any], key: str, where: str, *, required: bool) -> None:
    if key not in container:
        if required:
            raise _fail(path, f"{where}{key}: missing")
        return
    value = container[key]
    if not isinstance(value, list):
        raise _fail(path, f"{where}{key}: expected a list, found {type(value).__name__}")
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise _fail(path, f"{where}{key}[{index}]: expected an object, found {type(item).__name__}")


def _string(path: str, item: dict[str, Any], key: str, where: str) -> None:
    if not isinstance(item.get(key), str):
        raise _fail(path, f"{where}.{key}: expected a string")


def _check_sarif(path: str, data: dict[str, Any]) -> None:
    if data.get("version") != "2.1.0":
        raise _fail(path, f"SARIF version {data.get('version')!r} is not supported (expected '2.1.0')")
    _list_of_objects(path, data, "runs", "", required=True)
    for index, run in enumerate(data["runs"]):
        where = f"runs[{index}]"
        tool = run.get("tool")
        driver = tool.get("driver") if isinstance(tool, dict) else None
        if not isinstance(driver, dict) or not isinstance(driver.get("name"), str):
            raise _fail(path, f"{where}.tool.driver.name: missing")
        _list_of_objects(path, run, "results", f"{where}.", required=False)
        details = run.get("automationDetails")
        if details is not None and not (isinstance(details, dict) and isinstance(details.get("id", ""), str)):
            raise _fail(path, f"{where}.automationDetails.id: expected a string")
        properties = run.get("properties")
        if properties is not None and not isinstance(properties, dict):
            raise _fail(path, f"{where}.properties: expected an object")
        for result_index, result in enumerate(run.get("results", [])):
            rule_id = result.get("ruleId")
            if rule_id is not None and not isinstance(rule_id, str):
                raise _fail(path, f"{where}.results[{result_index}].ruleId: expected a string")


def _check_json(path: str, data: dict[str, Any]) -> None:
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail(path, f"schema_version {version!r} is not a number")
    if version != SUPPORTED_SCHEMA_VERSION:
        supported = SUPPORTED_SCHEMA_VERSION
        raise _fail(path, f"schema_version {version} is not supported (this ccpolicy reads {supported})")
    for key in ("targets", "findings"):
        _list_of_objects(path, data, key, "", required=True)
    for key in ("notifications", "contexts", "rules", "fixed"):
        _list_of_objects(path, data, key, "", required=False)
    for index, target in enumerate(data["targets"]):
        _string(path, target, "target", f"targets[{index}]")
    for index, finding in enumerate(data["findings"]):
        where = f"findings[{index}]"
        for key in ("target", "rule_id", "path", "message"):
            _string(path, finding, key, where)
        if finding.get("severity") not in _SEVERITIES:
            raise _fail(path, f"{where}.severity: {finding.get('severity')!r} is not a severity")
    for index, note in enumerate(data.get("notifications", [])):
        _string(path, note, "message", f"notifications[{index}]")
    stale = data.get("stale_waivers", [])
    if not isinstance(stale, list) or not all(isinstance(item, str) for item in stale):
        raise _fail(path, "stale_waivers: expected a list of strings")


def load_document(path: str) -> Document:
    data = _read(path)
    if isinstance(data, dict) and "schema_version" in data:
        _check_json(path, data)
        return Document(path, stem_of(path), JSON, data)
    if isinstance(data, dict) and "runs" in data and "version" in data:
        _check_sarif(path, data)
        return Document(path, stem_of(path), SARIF, data)
    raise _fail(path, "neither a SARIF log (version, runs) nor a ccpolicy JSON report (schema_version)")


def load_documents(paths: Sequence[str]) -> list[Document]:
    """Every file once (a file named twice is read once), in the order given."""
    seen: set[str] = set()
    documents = []
    for path in paths:
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        documents.append(load_document(path))
    return documents
