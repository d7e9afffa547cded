"""Which rules and parameters a scan runs with, from the command line and the policy file."""

from __future__ import annotations

import argparse

from scanner.ruleset import RuleSet, preset_ruleset


def ruleset_for(args: argparse.Namespace) -> RuleSet:
    return preset_ruleset("recommended")
