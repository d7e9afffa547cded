"""The `policy init` template and the `policy schema` JSON Schema."""

from __future__ import annotations

import datetime
import json
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from scanner.contexts.resolve import PROVIDER_BASE_URLS
from scanner.policy.crossref import current_catalogue
from scanner.policy.discover import PolicySource
from scanner.policy.load import validate
from scanner.policy.model import PolicyFile, json_schema, json_schema_text
from scanner.policy.template import render
from scanner.ruleset import DEFAULT_PARAMS

SOURCE = PolicySource(Path("/repo/ccpolicy.toml"), "ccpolicy", "ccpolicy.toml")


def test_the_template_validates_and_changes_nothing() -> None:
    text = render()
    policy = validate(text.encode(), SOURCE, current_catalogue())
    assert policy.extends == ("recommended",)
    assert policy.parameters == {}
    assert policy.rules == ()
    assert policy.waivers == ()


def test_every_example_in_the_template_validates_when_uncommented() -> None:
    policy = validate(render(examples_active=True).encode(), SOURCE, current_catalogue())
    assert [r["id"] for r in policy.rules] == ["ACME-gateway-only"]
    assert [(w.rule, w.path, w.context, w.expires) for w in policy.waivers] == [
        ("CCP101", "legacy/**", "project:legacy*", datetime.date(2026, 12, 31)),
    ]
    assert set(policy.parameters) == set(DEFAULT_PARAMS)


def _fields(model: Any) -> set[str]:
    out = set()
    for name, field in model.model_fields.items():
        out.add(name)
        for sub in _models(field.annotation):
            out |= _fields(sub)
    return out


def _models(annotation: Any) -> list[Any]:
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models(arg)]


def test_the_template_shows_every_option() -> None:
    text = render()
    assigned = set(re.findall(r"^#? ?([a-z_]+) =", text, flags=re.MULTILINE))
    assigned |= set(re.findall(r"^#? ?\[\[?(?:[a-z_]+\.)*([a-z_]+)\]", text, flags=re.MULTILINE))
    assert _fields(PolicyFile) - assigned == set()
    # and the condition language of organisation rules
    for word in (
        "when",
        "contexts",
        "message",
        "messages",
        "control",
        "env",
        "setting",
        "provider_in",
        "provider_not_in",
        "value_matches",
        "url_host_not_in",
        "url_scheme_not",
        "set_in",
        "default",
    ):
        assert word in render(), word


def test_schema_defaults_match_the_scanner_defaults() -> None:
    params = json_schema()["$defs"]["Parameters"]["properties"]
    for name, value in DEFAULT_PARAMS.items():
        assert params[name]["default"] == value, name


def test_provider_names_match_the_resolver() -> None:
    enum = json_schema()["$defs"]["Parameters"]["properties"]["approved_providers"]["anyOf"][0]["items"][
        "enum"
    ]
    assert enum == list(PROVIDER_BASE_URLS)


def test_the_schema_is_valid_draft_2020_12_and_deterministic() -> None:
    schema = json.loads(json_schema_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json_schema_text() == json_schema_text()
    assert schema["additionalProperties"] is False
    assert schema["properties"]["waivers"]["description"].startswith("An accountable exception")


def _as_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def test_the_schema_accepts_the_template_and_rejects_mistakes() -> None:
    validator = jsonschema.Draft202012Validator(json_schema(), format_checker=jsonschema.FormatChecker())
    document = _as_json(tomllib.loads(render(examples_active=True)))
    assert list(validator.iter_errors(document)) == []
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**document, "extendz": []})
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"parameters": {"max_retention_days": 0}})
