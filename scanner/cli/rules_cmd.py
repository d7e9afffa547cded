"""`ccpolicy rules`: the catalogue (ID, name, severity, presets)."""

from __future__ import annotations

import argparse
import json
import sys

from scanner.catalogue.load import load_builtin_rules, load_presets, preset_rule_ids
from scanner.catalogue.model import Rule


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--policy",
        metavar="FILE",
        help="include this policy file's organisation rules "
        "(default: the policy file found from the current directory)",
    )


def all_rules(args: argparse.Namespace) -> dict[str, Rule]:
    """The built-in catalogue plus the organisation rules of the policy in force, if any."""
    from scanner.policy.select import load_ruleset, policy_source

    rules: dict[str, Rule] = dict(load_builtin_rules())
    source = policy_source(argparse.Namespace(policy=getattr(args, "policy", None), paths=[], host=False))
    if source is not None:
        _policy, ruleset = load_ruleset(source)
        rules.update({r.id: r for r in ruleset.rules if r.origin != "builtin"})
    return rules


def run(args: argparse.Namespace) -> int:
    rules = all_rules(args)
    presets = load_presets()
    membership: dict[str, list[str]] = {rid: [] for rid in rules}
    for name in sorted(presets):
        for rid in preset_rule_ids(name, presets, frozenset(rules)):
            if rid in membership and rules[rid].origin == "builtin":
                membership[rid].append(name)
    for rid, rule in rules.items():
        if rule.origin != "builtin":
            membership[rid] = ["organisation policy"]
    if args.format == "json":
        rows = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.label,
                "title": r.title,
                "presets": membership[r.id],
                "help_uri": r.help_uri,
            }
            for r in sorted(rules.values(), key=lambda r: r.id)
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    width = max(len(r.name) for r in rules.values())
    for r in sorted(rules.values(), key=lambda r: r.id):
        sys.stdout.write(
            f"{r.id}  {r.name:<{width}}  {r.severity.label:<8}  {', '.join(membership[r.id])}\n    {r.title}\n"
        )
    return 0
