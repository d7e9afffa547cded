"""`ccpolicy explain CCP101`: a rule's full documentation (built-in or the organisation's own)."""

from __future__ import annotations

import argparse
import sys

from scanner.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rule", metavar="RULE", help="a rule id such as CCP101 (or ACME-x), or its name")
    parser.add_argument("--format", choices=("text", "markdown"), default="text")
    parser.add_argument(
        "--policy",
        metavar="FILE",
        help="also look in this policy file's organisation rules "
        "(default: the policy file found from the current directory)",
    )


def run(args: argparse.Namespace) -> int:
    from scanner.catalogue.docs import rule_markdown, rule_text
    from scanner.cli.rules_cmd import all_rules

    rules = all_rules(args)
    wanted = args.rule.strip()
    rule = (
        rules.get(wanted)
        or rules.get(wanted.upper())
        or next((r for r in rules.values() if r.name == wanted), None)
    )
    if rule is None:
        raise UsageError(f"unknown rule {wanted!r}; `ccpolicy rules` lists them")
    sys.stdout.write(rule_markdown(rule) if args.format == "markdown" else rule_text(rule))
    return 0
