"""Read and validate a policy file: TOML, the schema, then the catalogue references.

Every problem becomes one line `FILE:LINE: KEY: MESSAGE`, sorted by line, and all of them are
raised together as one ConfigError (exit 2), so a user fixes the file in one pass. pydantic is
imported here, inside the function, only when a policy has to be validated.
"""

from __future__ import annotations

import datetime
import difflib
import sys
from collections.abc import Mapping
from typing import Any

from scanner import regexcache
from scanner.errors import ConfigError
from scanner.policy.checkspec import Problem
from scanner.policy.crossref import Catalogue, reference_problems
from scanner.policy.discover import PolicySource, read_bytes
from scanner.policy.locate import KeyPath, format_path, key_lines, line_of
from scanner.policy.spec import Policy, Waiver

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_TOML_POSITION = regexcache.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = regexcache.compile(r"\s*\(at end of document\)$")
PYPROJECT_PREFIX: KeyPath = ("tool", "ccpolicy")

_TYPE_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "bool_type": "true or false",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "date_type": "a date such as 2026-12-31 (a TOML date, without quotes)",
}


def _toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime.datetime):
        return "a date-time"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, datetime.time):
        return "a time"
    return type(value).__name__


def parse_toml(data: bytes, shown: str) -> tuple[str, dict[str, Any]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}: not UTF-8 text (TOML files must be UTF-8)") from None
    text = text.removeprefix("\ufeff")
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = text.rstrip().count("\n") + 1  # "at end of document": the last line with content
        position = _TOML_POSITION.search(message)
        if position is not None:
            line = int(position.group(1))
            message = f"{message[: position.start()]} (column {position.group(2)})"
        else:
            message = _TOML_END.sub(" (at the end of the file)", message)
        message = message[:1].lower() + message[1:]
        raise ConfigError(f"{shown}:{line}: invalid TOML: {message}") from None
    except RecursionError:
        raise ConfigError(f"{shown}:1: invalid TOML: nested too deeply") from None


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    from pydantic import BaseModel

    from scanner.policy.model import PolicyFile

    model: type[BaseModel] = PolicyFile
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        found = _model_in(field.annotation)
        if found is None:
            return []
        model = found
    return sorted(model.model_fields)


def _model_in(annotation: Any) -> Any:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _schema_message(error: Mapping[str, Any]) -> str:
    kind = str(error["type"])
    loc = tuple(error["loc"])
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        if len(loc) == 1 and loc[0] in _allowed_keys(("parameters",)):
            return f"unknown key: {loc[0]} is a parameter; put it under [parameters]"
        allowed = _allowed_keys(loc[:-1])
        noun = "parameter" if loc[:1] == ("parameters",) and len(loc) == 2 else "key"
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        if close:
            return f"unknown {noun} (did you mean {close[0]}?)"
        return f"unknown {noun} (expected one of: {', '.join(allowed)})"
    if kind in _TYPE_EXPECTED:
        return f"expected {_TYPE_EXPECTED[kind]}, got {_toml_type(value)}"
    if kind == "literal_error":
        return f"{_short(value)} is not one of: {str(ctx.get('expected', '')).replace(' or ', ', ')}"
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}, got {_short(value)}"
    if kind == "string_pattern_mismatch":
        if loc[-1] == "id":
            return (
                f"{_short(value)} is not an organisation rule id: a prefix, a dash and a name, "
                "e.g. ACME-no-proxy"
            )
        if loc[-1] == "name":
            return f"{_short(value)} is not a kebab-case name such as gateway-only"
    message = str(error["msg"])
    return message[:1].lower() + message[1:]


def schema_problems(table: Mapping[str, Any]) -> tuple[Any, list[Problem]]:
    """(the validated model or None, problems) from the pydantic schema."""
    from pydantic import ValidationError

    from scanner.policy.model import PolicyFile

    try:
        return PolicyFile.model_validate(table), []
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(p for p in error["loc"] if p != "[key]")
            problems.append((loc, _schema_message(error)))
        return None, problems


def _format_problems(problems: list[Problem], text: str, shown: str, prefix: KeyPath) -> str:
    lines = key_lines(text)
    rendered = set()
    for path, message in problems:
        full = (*prefix, *path)
        rendered.add((line_of(lines, full), format_path(full), message))
    return "\n".join(f"{shown}:{line}: {key}: {message}" for line, key, message in sorted(rendered))


def _policy_from(
    model: Any, source: PolicySource, lines: Mapping[KeyPath, int], prefix: KeyPath, table: Mapping[str, Any]
) -> Policy:
    waivers = tuple(
        Waiver(
            rule=w.rule,
            owner=w.owner,
            reason=w.reason,
            expires=w.expires,
            path=w.path,
            context=w.context,
            line=line_of(lines, (*prefix, "waivers", i)),
            position=i,
        )
        for i, w in enumerate(model.waivers)
    )
    raw_rules = table.get("rules", [])
    return Policy(
        path=source.shown,
        kind=source.kind,
        extends=tuple(model.extends),
        enable=tuple(model.enable),
        disable=tuple(model.disable),
        exclude=tuple(model.exclude),
        severity=dict(model.severity),
        parameters=model.parameters.model_dump(exclude_unset=True),
        rules=tuple(dict(r) for r in raw_rules),
        waivers=waivers,
        inline_ignores=model.allow_inline_ignores,
    )


def policy_table(doc: dict[str, Any], source: PolicySource) -> tuple[dict[str, Any], KeyPath]:
    if source.kind != "pyproject":
        return doc, ()
    tool = doc.get("tool")
    table = tool.get("ccpolicy") if isinstance(tool, dict) else None
    if table is None:
        raise ConfigError(f"{source.shown}: no [tool.ccpolicy] table")
    if not isinstance(table, dict):
        raise ConfigError(f"{source.shown}: tool.ccpolicy: expected a table, got {_toml_type(table)}")
    return table, PYPROJECT_PREFIX


def validate(data: bytes, source: PolicySource, catalogue: Catalogue) -> Policy:
    """The policy in `data` (the bytes of `source`), or a ConfigError listing every problem."""
    text, doc = parse_toml(data, source.shown)
    table, prefix = policy_table(doc, source)
    model, problems = schema_problems(table)
    broken_rules = {p[1] for p, _ in problems if len(p) >= 2 and p[0] == "rules" and isinstance(p[1], int)}
    problems += reference_problems(table, catalogue, skip_rules=broken_rules)
    if problems:
        raise ConfigError(_format_problems(problems, text, source.shown, prefix))
    return _policy_from(model, source, key_lines(text), prefix, table)


def load_policy(source: PolicySource, catalogue: Catalogue) -> tuple[bytes, Policy]:
    data = read_bytes(source.path, source.shown)
    return data, validate(data, source, catalogue)
