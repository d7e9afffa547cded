"""`ccpolicy report FILE... [--format text|markdown] [--top N]`: the fleet summary.

Reads SARIF logs and JSON reports (mixed is fine) from `ccpolicy scan` or `ccpolicy merge` and
prints, per rule, which targets violate it, and per target its worst findings. Markdown is
meant for a ticket or $GITHUB_STEP_SUMMARY. Exit 0, or 2 for an unusable input file.
"""

from __future__ import annotations

import argparse
import sys

from scanner.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="SARIF or JSON outputs (scan or merge)")
    parser.add_argument(
        "--format", "-f", choices=("text", "markdown"), default="text", help="text (default) or markdown"
    )
    parser.add_argument(
        "--top",
        type=int,
        default=5,
        metavar="N",
        help="worst findings listed per target (default 5; 0 lists all)",
    )


def run(args: argparse.Namespace) -> int:
    from scanner.fleet.collect import collect
    from scanner.fleet.inputs import load_documents
    from scanner.fleet.summary import render_markdown, render_text, summarise

    if args.top < 0:
        raise UsageError("--top must be 0 (all) or more")
    summary = summarise(collect(load_documents(args.files)), top=args.top)
    sys.stdout.write(render_markdown(summary) if args.format == "markdown" else render_text(summary))
    sys.stdout.flush()
    return 0
