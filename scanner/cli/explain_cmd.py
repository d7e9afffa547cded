"""`ccpolicy explain CCP101`: a rule's full documentation."""

from __future__ import annotations

import argparse
import sys

from scanner.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", metavar="RULE", help="a rule id such as CCP101, or its name")
    parser.add_argument("--format", choices=("text", "markdown"), default="text")


def run(args: argparse.Namespace) -> int:
    from scanner.catalogue.docs import rule_markdown, rule_text
    from scanner.catalogue.load import load_builtin_rules

    rules = load_builtin_rules()
    wanted = args.rule.strip()
    rule = rules.get(wanted.upper()) or next((r for r in rules.values() if r.name == wanted), None)
    if rule is None:
        raise UsageError(f"unknown rule {wanted!r}; `ccpolicy rules` lists them")
    sys.stdout.write(rule_markdown(rule) if args.format == "markdown" else rule_text(rule))
    return 0
