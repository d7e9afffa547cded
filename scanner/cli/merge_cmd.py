"""`ccpolicy merge FILE... [-o OUT] [--format sarif|json]`: one output from a fleet's outputs.

SARIF logs merge into one log (one run per target, distinct categories, duplicates removed);
JSON reports into one schema_version 1 report. SARIF and JSON are never mixed. Notes about
dropped duplicates and GitHub's limits go to stderr; a bad input file exits 2 naming it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="SARIF or JSON outputs of ccpolicy scan")
    parser.add_argument("--output", "-o", metavar="OUT", help="write the result here (default: stdout)")
    parser.add_argument(
        "--format",
        "-f",
        choices=("sarif", "json"),
        help="the format to write; must be the inputs' format (default: the inputs' format)",
    )


def run(args: argparse.Namespace) -> int:
    from scanner.fleet.inputs import load_documents
    from scanner.fleet.merge import merge_documents, render

    merged = merge_documents(load_documents(args.files), args.format)
    for warning in merged.warnings:
        sys.stderr.write(f"ccpolicy: warning: {warning}\n")
    text = render(merged)
    if args.output and args.output != "-":
        from scanner.cli.scan_cmd import write_atomic

        write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0
