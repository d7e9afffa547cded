"""The rules, parameters and severity overrides a scan runs with.

Without a policy file this is the built-in `recommended` preset with default parameters;
scanner.policy builds a RuleSet from an organisation's policy file.
"""

from __future__ import annotations

from collections.abc import Mapping

from scanner.model import EMPTY_MAPPING, Severity
from scanner.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from scanner.catalogue.model import Rule
    from scanner.policy.spec import Waiver

DEFAULT_PARAMS: dict[str, object] = {
    "approved_providers": None,  # None: every provider is approved
    "approved_gateways": [],
    "approved_otel_collectors": [],
    "approved_org_uuids": [],
    "max_retention_days": 30,
    "require_repo_controls": True,
    "require_zdr": False,
    "approved_mcp_servers": [],
}


class RuleSet(NamedTuple):
    rules: tuple[Rule, ...]
    params: Mapping[str, object] = DEFAULT_PARAMS
    severity_overrides: Mapping[str, Severity] = EMPTY_MAPPING
    source: str = "built-in preset recommended"  # what ran, for people: a policy file or a preset
    presets: tuple[str, ...] = ("recommended",)
    waivers: tuple[Waiver, ...] = ()
    inline_ignores: bool = True  # the policy's allow_inline_ignores
    exclude: tuple[str, ...] = ()  # path globs never scanned
    policy_file: str | None = None  # absolute path of the policy file, None for a built-in preset
    organisation_rules: int = 0


def preset_ruleset(name: str = "recommended") -> RuleSet:
    from scanner.catalogue.load import load_builtin_rules, load_presets, preset_rule_ids

    builtin = load_builtin_rules()
    ids = preset_rule_ids(name, load_presets(), frozenset(builtin))
    rules = tuple(builtin[i] for i in sorted(ids) if i in builtin)
    return RuleSet(rules, dict(DEFAULT_PARAMS), {}, f"built-in preset {name}", presets=(name,))
