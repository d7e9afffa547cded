from __future__ import annotations

import pytest

from scanner.catalogue.load import load_builtin_rules
from scanner.checks.declarative import COMPARISONS, CONDITION_KEYS
from scanner.policy.checkspec import CONDITION_FIELDS, check_problems
from scanner.policy.crossref import current_catalogue

VOCAB = current_catalogue().vocab
BUILTIN = load_builtin_rules()


@pytest.mark.parametrize("rid", sorted(BUILTIN))
def test_every_builtin_check_passes_the_organisation_rule_validator(rid: str) -> None:
    # Built-in and organisation rules share one format: what the built-ins say, an organisation may say.
    assert check_problems(BUILTIN[rid].check, VOCAB) == []


def test_the_validator_knows_every_condition_and_comparison_of_the_engine() -> None:
    known = {k for fields in CONDITION_FIELDS.values() for k in fields}
    assert set(CONDITION_KEYS) <= known
    assert set(COMPARISONS) <= CONDITION_FIELDS["setting"]


def test_a_good_check_of_every_kind() -> None:
    check = {
        "contexts": ["project", "ci"],
        "when": [
            {"control": "telemetry", "state": "disabled"},
            {
                "env": "HTTPS_PROXY",
                "state": "set",
                "value_matches": "^http://",
                "url_scheme_not": "https",
                "url_host_not_in": ["proxy.example.com"],
            },
            {"setting": "cleanupPeriodDays", "greater_than": "param:max_retention_days", "default": 30},
            {"setting": "model", "not_in": ["sonnet"], "set_in": "not-managed"},
            {"provider_in": ["bedrock", "vertex"]},
            {"provider_not_in": "param:approved_providers"},
        ],
        "message": "{context}: {detail} {{literal}}",
        "messages": {"project": "p {detail}"},
    }
    assert check_problems(check, VOCAB) == []


def test_problems_carry_their_key_paths() -> None:
    check = {
        "when": [
            "telemetry",
            {"provider_in": ["azure"], "provider_not_in": []},
            {"provider_in": ["azure"]},
            {"setting": "x", "in": "sonnet", "less_than": True, "set_in": "everywhere", "state": "on"},
            {"env": "", "url_host_not_in": "hosts", "url_scheme_not": "HTTPS"},
        ],
        "contexts": "project",
        "messages": ["x"],
    }
    assert check_problems(check, VOCAB) == [
        (("when", 0), 'a condition must be a table, e.g. { control = "telemetry", state = "enabled" }'),
        (("when", 1), "use provider_in or provider_not_in, not both"),
        (
            ("when", 2, "provider_in", 0),
            "unknown value 'azure' (expected one of: anthropic-aws, bedrock, "
            "first-party, foundry, mantle, vertex)",
        ),
        (("when", 3, "state"), "expected one of: set, unset"),
        (("when", 3, "less_than"), 'expected a number or "param:NAME"'),
        (("when", 3, "in"), 'expected an array or "param:NAME"'),
        (("when", 3, "set_in"), "expected one of: managed, not-managed"),
        (("when", 4, "env"), "expected a non-empty string"),
        (("when", 4, "url_host_not_in"), 'expected an array of host names or "param:NAME"'),
        (("when", 4, "url_scheme_not"), 'expected a lower-case URL scheme such as "https"'),
        (("contexts",), "expected an array of strings"),
        (("messages",), "expected a table of context kind = message"),
    ]


def test_an_empty_when_list() -> None:
    assert check_problems({"when": []}, VOCAB) == [(("when",), "expected a non-empty array of conditions")]
