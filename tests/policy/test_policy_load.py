"""Validation: every class of error names the file, the line and the key, exactly."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from scanner.errors import ConfigError
from scanner.policy.crossref import Catalogue, current_catalogue
from scanner.policy.discover import PolicySource
from scanner.policy.load import validate
from scanner.policy.spec import Policy, Waiver


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return current_catalogue()


def _source(name: str = "ccpolicy.toml") -> PolicySource:
    return PolicySource(Path("/repo") / name, "pyproject" if name == "pyproject.toml" else "ccpolicy", name)


def errors(text: str | bytes, catalogue: Catalogue, name: str = "ccpolicy.toml") -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(ConfigError) as caught:
        validate(data, _source(name), catalogue)
    return str(caught.value).splitlines()


def load(text: str, catalogue: Catalogue, name: str = "ccpolicy.toml") -> Policy:
    return validate(text.encode("utf-8"), _source(name), catalogue)


def test_a_full_valid_policy_becomes_plain_data(catalogue: Catalogue) -> None:
    policy = load(
        'extends = ["no-telemetry", "commercial-zdr"]\n'
        'enable = ["CCP503"]\n'
        'disable = ["CCP108"]\n'
        'exclude = ["fixtures/**"]\n'
        "allow_inline_ignores = false\n"
        "[severity]\n"
        'CCP104 = "high"\n'
        "[parameters]\n"
        'approved_gateways = ["llm-gateway.example.com", "*.corp.example.com"]\n'
        "max_retention_days = 7\n"
        "\n"
        "[[waivers]]\n"
        'rule = "CCP101"\n'
        'path = "legacy/**"\n'
        'owner = "alice@example.com"\n'
        'reason = "legacy tooling"\n'
        "expires = 2026-12-31\n"
        "[[waivers]]\n"
        'rule = "CCP104"\n'
        'context = "ci:*"\n'
        'owner = "bob"\n'
        'reason = "runners are offline"\n'
        "expires = 2027-01-31\n",
        catalogue,
    )
    assert policy == Policy(
        path="ccpolicy.toml",
        kind="ccpolicy",
        extends=("no-telemetry", "commercial-zdr"),
        enable=("CCP503",),
        disable=("CCP108",),
        exclude=("fixtures/**",),
        severity={"CCP104": "high"},
        parameters={
            "approved_gateways": ["llm-gateway.example.com", "*.corp.example.com"],
            "max_retention_days": 7,
        },
        rules=(),
        waivers=(
            Waiver(
                "CCP101",
                "alice@example.com",
                "legacy tooling",
                datetime.date(2026, 12, 31),
                path="legacy/**",
                line=12,
                position=0,
            ),
            Waiver(
                "CCP104",
                "bob",
                "runners are offline",
                datetime.date(2027, 1, 31),
                context="ci:*",
                line=18,
                position=1,
            ),
        ),
        inline_ignores=False,
    )


def test_an_empty_file_is_the_recommended_preset(catalogue: Catalogue) -> None:
    policy = load("# nothing yet\n", catalogue)
    assert policy.extends == ("recommended",)
    assert policy.parameters == {}
    assert policy.inline_ignores is True


def test_unknown_keys_suggest_the_closest_or_list_them_all(catalogue: Catalogue) -> None:
    assert errors('extend = ["baseline"]\nfoo = 1\n', catalogue) == [
        "ccpolicy.toml:1: extend: unknown key (did you mean extends?)",
        "ccpolicy.toml:2: foo: unknown key (expected one of: allow_inline_ignores, disable, enable, exclude, "
        "extends, parameters, rules, severity, waivers)",
    ]


def test_a_parameter_at_the_top_level_says_where_it_belongs(catalogue: Catalogue) -> None:
    assert errors('approved_gateways = ["gw.example.com"]\n', catalogue) == [
        "ccpolicy.toml:1: approved_gateways: unknown key: approved_gateways is a parameter; put it under "
        "[parameters]",
    ]


def test_unknown_parameter(catalogue: Catalogue) -> None:
    assert errors("[parameters]\nmax_retention = 7\napproved_providers = []\n", catalogue) == [
        "ccpolicy.toml:2: parameters.max_retention: unknown parameter (did you mean max_retention_days?)",
    ]


def test_wrong_types_name_what_was_expected_and_what_was_found(catalogue: Catalogue) -> None:
    assert errors(
        'extends = "baseline"\n'
        "enable = [101]\n"
        "severity = 3\n"
        "[parameters]\n"
        'max_retention_days = "7"\n'
        "require_zdr = 1\n"
        "require_repo_controls = 'no'\n"
        "approved_otel_collectors = [1.5]\n",
        catalogue,
    ) == [
        "ccpolicy.toml:1: extends: expected an array, got a string",
        "ccpolicy.toml:2: enable[0]: expected a string, got an integer",
        "ccpolicy.toml:3: severity: expected a table, got an integer",
        "ccpolicy.toml:5: parameters.max_retention_days: expected an integer, got a string",
        "ccpolicy.toml:6: parameters.require_zdr: expected true or false, got an integer",
        "ccpolicy.toml:7: parameters.require_repo_controls: expected true or false, got a string",
        "ccpolicy.toml:8: parameters.approved_otel_collectors[0]: expected a string, got a float",
    ]


def test_values_out_of_range_or_of_the_wrong_form(catalogue: Catalogue) -> None:
    assert errors(
        "[parameters]\n"
        "max_retention_days = 0\n"
        'approved_providers = ["bedrock", "azure"]\n'
        'approved_gateways = ["https://gw.example.com", "gw.example.com:8443", "bad host"]\n'
        'approved_org_uuids = ["not-a-uuid"]\n',
        catalogue,
    ) == [
        "ccpolicy.toml:2: parameters.max_retention_days: must be at least 1, got 0",
        "ccpolicy.toml:3: parameters.approved_providers[1]: 'azure' is not one of: 'first-party', 'bedrock', "
        "'vertex', 'foundry', 'anthropic-aws', 'mantle'",
        "ccpolicy.toml:4: parameters.approved_gateways[0]: 'https://gw.example.com' is a URL; write the "
        "host name "
        "only, e.g. llm-gateway.example.com",
        "ccpolicy.toml:4: parameters.approved_gateways[1]: 'gw.example.com:8443': write the host name "
        "without a "
        "port (ports are not compared)",
        "ccpolicy.toml:4: parameters.approved_gateways[2]: 'bad host' is not a host name or a *.domain "
        "pattern",
        "ccpolicy.toml:5: parameters.approved_org_uuids[0]: 'not-a-uuid' is not an organisation UUID "
        "(8-4-4-4-12 "
        "hexadecimal digits)",
    ]


def test_unknown_rule_ids_and_presets(catalogue: Catalogue) -> None:
    assert errors(
        'extends = ["no-telemetry", "comercial-zdr"]\n'
        "enable = [\n"
        '  "CCP503",\n'
        '  "CCP999",\n'
        "]\n"
        'disable = ["CCP1O1", "CCP503"]\n'
        "[severity]\n"
        'CCP104 = "hgh"\n'
        'CCP777 = "high"\n',
        catalogue,
    ) == [
        "ccpolicy.toml:1: extends[1]: unknown preset 'comercial-zdr' (did you mean commercial-zdr?) (known: "
        "baseline, commercial-zdr, hardened, no-telemetry, recommended, strict)",
        "ccpolicy.toml:4: enable[1]: unknown rule id 'CCP999'",
        "ccpolicy.toml:6: disable[0]: unknown rule id 'CCP1O1' (did you mean CCP101?)",
        "ccpolicy.toml:6: disable[1]: CCP503 is both enabled and disabled",
        "ccpolicy.toml:8: severity.CCP104: 'hgh' is not one of: 'critical', 'high', 'medium', 'low', 'info'",
        "ccpolicy.toml:9: severity.CCP777: unknown rule id 'CCP777'",
    ]


def test_waivers_need_owner_reason_expiry_and_a_scope(catalogue: Catalogue) -> None:
    assert errors(
        'exclude = ["/abs"]\n'
        "[[waivers]]\n"
        'rule = "CCP101"\n'
        "\n"
        "[[waivers]]\n"
        'rule = "CCP102"\n'
        'path = "../x"\n'
        'context = "job:build"\n'
        'owner = ""\n'
        'reason = "   "\n'
        'expires = "2026-12-31"\n'
        "[[waivers]]\n"
        'rule = "CCP999"\n'
        'context = "ci:*"\n'
        'owner = "alice"\n'
        'reason = "ok"\n'
        "expires = 2026-12-31T10:00:00\n"
        "unknown = 1\n",
        catalogue,
    ) == [
        "ccpolicy.toml:1: exclude[0]: '/abs' must be relative to the repository root (no leading /)",
        "ccpolicy.toml:2: waivers[0]: a waiver needs path, context or both (a waiver for a whole rule is "
        "`disable`)",
        "ccpolicy.toml:2: waivers[0].expires: field required",
        "ccpolicy.toml:2: waivers[0].owner: field required",
        "ccpolicy.toml:2: waivers[0].reason: field required",
        "ccpolicy.toml:7: waivers[1].path: '../x' must not contain .. (paths are relative to the "
        "repository root)",
        "ccpolicy.toml:8: waivers[1].context: 'job:build': unknown context kind 'job' (context ids start "
        "with ci, "
        "compose-service, container, devcontainer, host, managed-policy, project, script)",
        "ccpolicy.toml:9: waivers[1].owner: must not be empty",
        "ccpolicy.toml:10: waivers[1].reason: must not be empty",
        "ccpolicy.toml:11: waivers[1].expires: expected a date such as 2026-12-31 (a TOML date, without "
        "quotes), "
        "got a string",
        "ccpolicy.toml:13: waivers[2].rule: unknown rule id 'CCP999'",
        "ccpolicy.toml:17: waivers[2].expires: expected a date such as 2026-12-31 (a TOML date, without "
        "quotes), "
        "got a date-time",
        "ccpolicy.toml:18: waivers[2].unknown: unknown key (expected one of: context, expires, owner, path, "
        "reason, rule)",
    ]


ORG_RULES = """\
[[rules]]
id = "ACME-gateway-only"
name = "gateway-only"
severity = "high"
title = "Use the gateway"
[rules.check]
when = [{ env = "ANTHROPIC_BASE_URL", state = "set", url_host_not_in = "param:approved_gateways" }]

[[rules]]
id = "CCP900"
name = "Bad_Name"
severity = "severe"
[rules.check]
when = [
  { control = "telemetryx" },
  { env = "X", state = "sett", value_matches = "(" },
  { setting = "model", env = "Y" },
  { nothing = 1 },
  { provider_not_in = "param:approved_provider" },
  { setting = "cleanupPeriodDays", greater_than = "seven", on = 2026-01-01 },
]
contexts = ["project", "pipeline"]
message = "bad {"
colour = "red"
[rules.check.messages]
job = "x"

[[rules]]
id = "ACME-gateway-only"
name = "again"
severity = "low"
title = "Duplicate"
check = { registered = "no-such-check", when = [] }

[[rules]]
id = "ACME-empty"
name = "empty"
severity = "low"
title = "No conditions"
extra = true
check = {}
"""


def test_organisation_rules_are_checked_down_to_each_condition(catalogue: Catalogue) -> None:
    controls = ", ".join(sorted(catalogue.vocab.controls))
    params = ", ".join(sorted(catalogue.vocab.params))
    registered = ", ".join(sorted(catalogue.vocab.registered))
    kinds = "ci, compose-service, container, devcontainer, host, managed-policy, project, script"
    assert errors(ORG_RULES, catalogue) == [
        "ccpolicy.toml:9: rules[1].title: field required",
        "ccpolicy.toml:10: rules[1].id: 'CCP900' is not an organisation rule id: a prefix, a dash and a "
        "name, "
        "e.g. ACME-no-proxy",
        "ccpolicy.toml:11: rules[1].name: 'Bad_Name' is not a kebab-case name such as gateway-only",
        "ccpolicy.toml:12: rules[1].severity: 'severe' is not one of: 'critical', 'high', 'medium', 'low', "
        "'info'",
        f"ccpolicy.toml:15: rules[1].check.when[0].control: unknown control 'telemetryx' (known: {controls})",
        "ccpolicy.toml:16: rules[1].check.when[1].state: expected one of: on, off, set, unset, unknown",
        "ccpolicy.toml:16: rules[1].check.when[1].value_matches: not a valid regular expression: missing ), "
        "unterminated subpattern at position 0",
        "ccpolicy.toml:17: rules[1].check.when[2]: one condition per table: this one combines env and "
        "setting",
        "ccpolicy.toml:18: rules[1].check.when[3]: a condition needs one of: control, env, setting, "
        "provider_in, "
        "provider_not_in",
        f"ccpolicy.toml:19: rules[1].check.when[4].provider_not_in: unknown parameter 'approved_provider' "
        f"(known: {params})",
        'ccpolicy.toml:20: rules[1].check.when[5].greater_than: expected a number or "param:NAME"',
        "ccpolicy.toml:20: rules[1].check.when[5].on: dates and times are not allowed in a check",
        "ccpolicy.toml:20: rules[1].check.when[5].on: unknown key in a setting condition (expected one of: "
        "default, equals, greater_than, in, less_than, not_equals, not_in, set_in, setting, state)",
        f"ccpolicy.toml:22: rules[1].check.contexts[1]: unknown value 'pipeline' (expected one of: {kinds})",
        "ccpolicy.toml:23: rules[1].check.message: not a valid message template (Single '{' encountered in "
        "format string); write {{ and }} for literal braces",
        "ccpolicy.toml:24: rules[1].check.colour: unknown key (expected one of: contexts, message, messages, "
        "registered, when)",
        f"ccpolicy.toml:26: rules[1].check.messages.job: unknown context kind (expected one of: {kinds})",
        "ccpolicy.toml:29: rules[2].id: duplicate rule id 'ACME-gateway-only' (also rules[0])",
        f"ccpolicy.toml:33: rules[2].check.registered: unknown registered check 'no-such-check' "
        f"(known: {registered})",
        "ccpolicy.toml:33: rules[2].check.when: a registered check takes no other keys",
        "ccpolicy.toml:40: rules[3].extra: unknown key (expected one of: check, docs, id, name, precision, "
        "references, severity, tags, title)",
        "ccpolicy.toml:41: rules[3].check.when: field required: a list of conditions, e.g. when = "
        '[{ env = "ANTHROPIC_BASE_URL", state = "set" }]',
    ]


def test_organisation_rule_ids_count_as_known_everywhere(catalogue: Catalogue) -> None:
    policy = load(
        'enable = ["ACME-x"]\n'
        "[severity]\n"
        'ACME-x = "critical"\n'
        "[[waivers]]\n"
        'rule = "ACME-x"\n'
        'path = "a"\n'
        'owner = "o"\n'
        'reason = "r"\n'
        "expires = 2030-01-01\n"
        "[[rules]]\n"
        'id = "ACME-x"\n'
        'name = "x"\n'
        'severity = "low"\n'
        'title = "X"\n'
        'check = { when = [{ setting = "model", state = "set" }] }\n',
        catalogue,
    )
    assert policy.rules == (
        {
            "id": "ACME-x",
            "name": "x",
            "severity": "low",
            "title": "X",
            "check": {"when": [{"setting": "model", "state": "set"}]},
        },
    )
    assert policy.severity == {"ACME-x": "critical"}


def test_bad_toml_syntax_gives_the_line_from_tomllib(catalogue: Catalogue) -> None:
    assert errors('extends = ["a",\nenable = 1\n', catalogue) == [
        "ccpolicy.toml:2: invalid TOML: invalid value (column 1)",
    ]
    assert errors("a = 1\na = 2\n", catalogue) == [
        "ccpolicy.toml:2: invalid TOML: cannot overwrite a value (column 6)",
    ]
    assert errors('a = "open', catalogue) == [
        "ccpolicy.toml:1: invalid TOML: unterminated string (at the end of the file)"
    ]


def test_non_utf8_and_bom(catalogue: Catalogue) -> None:
    assert errors(b'a = 1\nb = "\xff"\n', catalogue) == [
        "ccpolicy.toml:2: not UTF-8 text (TOML files must be UTF-8)",
    ]
    assert load('\ufeffextends = ["baseline"]\n', catalogue).extends == ("baseline",)


def test_deep_nesting_is_an_error_not_a_crash(catalogue: Catalogue) -> None:
    lines = errors("a = " + "[" * 100_000 + "]" * 100_000 + "\n", catalogue)
    assert len(lines) == 1
    assert lines[0].startswith("ccpolicy.toml:1: ")


def test_pyproject_table_paths_carry_the_tool_prefix(catalogue: Catalogue) -> None:
    text = (
        '[project]\nname = "x"\n\n'
        "[tool.ccpolicy]\n"
        'extends = ["baseline"]\n'
        "\n"
        "[[tool.ccpolicy.waivers]]\n"
        'rule = "CCP101"\n'
        'path = "a"\n'
        'owner = "o"\n'
        'reason = "r"\n'
    )
    assert errors(text, catalogue, "pyproject.toml") == [
        "pyproject.toml:7: tool.ccpolicy.waivers[0].expires: field required",
    ]
    policy = load(text + "expires = 2030-01-01\n", catalogue, "pyproject.toml")
    assert policy.kind == "pyproject"
    assert policy.extends == ("baseline",)
    assert policy.waivers[0].line == 7


def test_pyproject_without_the_table(catalogue: Catalogue) -> None:
    assert errors('[project]\nname = "x"\n', catalogue, "pyproject.toml") == [
        "pyproject.toml: no [tool.ccpolicy] table"
    ]
    assert errors('[tool]\nccpolicy = "on"\n', catalogue, "pyproject.toml") == [
        "pyproject.toml: tool.ccpolicy: expected a table, got a string"
    ]
