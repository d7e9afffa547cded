"""`ccpolicy rules`: the catalogue (ID, name, severity, presets)."""

from __future__ import annotations

import argparse
import json
import sys

from scanner.catalogue.load import load_builtin_rules, load_presets, preset_rule_ids


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    rules = load_builtin_rules()
    presets = load_presets()
    membership: dict[str, list[str]] = {rid: [] for rid in rules}
    for name in sorted(presets):
        for rid in preset_rule_ids(name, presets, frozenset(rules)):
            if rid in membership:
                membership[rid].append(name)
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
