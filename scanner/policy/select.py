"""Which rules and parameters a scan runs with, from the command line and the policy file.

  --no-policy            the built-in `recommended` preset, whatever files exist
  --policy FILE          that file (a pyproject.toml means its [tool.ccpolicy] table)
  otherwise              the file found by walking up from the first scanned path
                         (scanner.policy.discover), else the `recommended` preset

A policy validated once is cached (scanner.policy.cache), so that a scan with an unchanged
policy file, like a scan without one, never imports pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from scanner.errors import ConfigError
from scanner.model import Severity
from scanner.policy.discover import PolicySource, find_policy, named_policy, read_bytes

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from scanner.catalogue.model import Rule
    from scanner.policy.spec import Policy
    from scanner.ruleset import RuleSet


def policy_source(args: argparse.Namespace) -> PolicySource | None:
    named = getattr(args, "policy", None)
    if named:
        return named_policy(str(named))
    paths = getattr(args, "paths", None) or []
    # A fleet run (--repos-from, a git URL) is judged by the policy where it is run from, never by
    # a policy file inside one of the scanned repositories.
    fleet = bool(getattr(args, "repos_from", None)) or any(_looks_like_url(str(p)) for p in paths)
    first_local = Path(paths[0]) if paths and not fleet else None
    start = first_local if first_local is not None and not getattr(args, "host", False) else Path.cwd()
    return find_policy(start)


def _looks_like_url(text: str) -> bool:
    from scanner.multi.targets import is_git_url

    return is_git_url(text)


def ruleset_for(args: argparse.Namespace) -> RuleSet:
    from scanner.ruleset import preset_ruleset

    if getattr(args, "no_policy", False):
        builtin = preset_ruleset("recommended")
        return builtin._replace(source="built-in preset recommended (--no-policy)")
    source = policy_source(args)
    if source is None:
        return preset_ruleset("recommended")
    from scanner.policy import rulesetcache

    data = read_bytes(source.path, source.shown)
    ruleset = rulesetcache.get(source, data)
    if ruleset is None:
        ruleset = load_ruleset(source, data=data)[1]
        rulesetcache.put(source, data, ruleset)
    return ruleset


def load_ruleset(
    source: PolicySource, *, use_cache: bool = True, data: bytes | None = None
) -> tuple[Policy, RuleSet]:
    """The policy file `source` (whose bytes are `data` when read already), validated, and the
    rule set it makes."""
    from scanner.catalogue.load import load_builtin_rules, load_presets
    from scanner.policy import cache
    from scanner.policy.crossref import current_catalogue

    builtin = load_builtin_rules()
    presets = load_presets()
    catalogue = current_catalogue(builtin, presets)
    if data is None:
        data = read_bytes(source.path, source.shown)
    key = cache.cache_key(data, source, catalogue.signature())
    policy = cache.get(key) if use_cache else None
    if policy is None:
        from scanner.policy.load import validate

        policy = validate(data, source, catalogue)
        cache.put(key, policy)
    return policy, ruleset_from_policy(policy, builtin, presets, str(source.path))


def _organisation_rules(policy: Policy) -> dict[str, Rule]:
    from scanner.catalogue.load import RuleError, rule_from_table

    rules: dict[str, Rule] = {}
    for table in policy.rules:
        try:
            rule = rule_from_table(table, policy.path, builtin=False)
        except RuleError as exc:  # validated already; only a changed catalogue can get here
            raise ConfigError(str(exc)) from None
        rules[rule.id] = rule
    return rules


def ruleset_from_policy(
    policy: Policy,
    builtin: Mapping[str, Rule],
    presets: Mapping[str, Mapping[str, Any]],
    policy_file: str | None = None,
) -> RuleSet:
    from scanner.catalogue.load import RuleError, preset_rule_ids
    from scanner.ruleset import DEFAULT_PARAMS, RuleSet

    organisation = _organisation_rules(policy)
    ids: set[str] = set()
    for name in policy.extends:
        try:
            ids |= preset_rule_ids(name, presets, frozenset(builtin))
        except RuleError as exc:
            raise ConfigError(f"{policy.path}: extends: {exc}") from None
    ids |= set(policy.enable) | set(organisation)
    ids -= set(policy.disable)
    available = {**builtin, **organisation}
    params: dict[str, object] = {**DEFAULT_PARAMS, **policy.parameters}
    rules = tuple(available[i] for i in sorted(ids) if i in available)
    if params.get("require_repo_controls") is False:
        rules = tuple(without_project_contexts(r) for r in rules)
    overrides = {rid: Severity.parse(label) for rid, label in policy.severity.items()}
    return RuleSet(
        rules=rules,
        params=params,
        severity_overrides=overrides,
        source=policy.path,
        presets=policy.extends,
        waivers=policy.waivers,
        inline_ignores=policy.inline_ignores,
        exclude=policy.exclude,
        policy_file=policy_file,
        organisation_rules=len(organisation),
    )


REPO_CONTROL_TAG = "data-to-anthropic"


def requires_control(rule: Rule) -> bool:
    """A declarative rule that asks the configuration to switch data to Anthropic off: tagged
    data-to-anthropic (CCP101-CCP106), or requiring a privacy control to be off."""
    when = rule.check.get("when")
    if "registered" in rule.check or not isinstance(when, list):
        return False
    return REPO_CONTROL_TAG in rule.tags or any(
        isinstance(c, dict) and "control" in c and c.get("state", "enabled") == "enabled" for c in when
    )


def without_project_contexts(rule: Rule) -> Rule:
    """`require_repo_controls = false`: the repository's own project settings need not carry the
    controls (managed settings do), so project contexts are not judged by control rules."""
    if not requires_control(rule):
        return rule
    from scanner.contexts.model import ContextKind

    kinds = rule.check.get("contexts")
    wanted = [str(k) for k in kinds] if isinstance(kinds, list) else [k.value for k in ContextKind]
    check = {**rule.check, "contexts": [k for k in wanted if k != ContextKind.PROJECT.value]}
    return rule._replace(check=check)
