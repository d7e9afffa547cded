"""`ccpolicy baseline create [PATH...] [-o FILE]`: record today's findings as accepted.

The scan is `ccpolicy scan`'s own flow (scan_cmd.run: policy, targets, waivers and inline
ignores), stopped before reporting: scan_cmd.run hands the results to `write_baseline` when
the namespace carries `write_baseline`. The same policy and scan options must be used later
with `ccpolicy scan --baseline FILE` for the fingerprints to match (paths are relative to the
PATH given, as in every scan).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scanner.baseline import DEFAULT_FILE, create, dumps
from scanner.errors import UsageError
from scanner.report.model import ScanResult

ACTIONS = ("create",)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="baseline_action", metavar="ACTION", parser_class=type(parser))
    actions.required = True
    create_parser = actions.add_parser(
        "create",
        help="scan and record every current finding in a baseline file",
        description="Scan as `ccpolicy scan` does and record every current (unsuppressed) finding by its "
        "fingerprint; `ccpolicy scan --baseline FILE` then fails only on new findings.",
    )
    create_parser.add_argument(
        "paths", nargs="*", default=[], metavar="PATH", help="repositories or directories (default .)"
    )
    create_parser.add_argument(
        "--output",
        "-o",
        dest="baseline_file",
        default=DEFAULT_FILE,
        metavar="FILE",
        help=f"baseline file to write (default {DEFAULT_FILE})",
    )
    scan = create_parser.add_argument_group("scan options (as for `ccpolicy scan`)")
    scan.add_argument("--policy", metavar="FILE", help="policy file (default: found from the first PATH)")
    scan.add_argument("--no-policy", action="store_true", help="run the built-in recommended preset")
    scan.add_argument("--no-ignores", action="store_true", help="disregard inline ignores and waivers")
    scan.add_argument("--tracked-only", action="store_true", help="in git, scan tracked files only")
    scan.add_argument("--staged", action="store_true", help="scan what is staged for commit")
    scan.add_argument("--history", action="store_true", help="scan every commit's changes")
    scan.add_argument("--since", metavar="REV", help="with --history: only commits after REV")
    scan.add_argument("--all-branches", action="store_true", help="with --history: every branch")
    scan.add_argument("--repos-from", metavar="FILE", help="read repository paths or git URLs from FILE")
    scan.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="worker processes")


def _scan_namespace(args: argparse.Namespace) -> argparse.Namespace:
    """`ccpolicy scan`'s namespace: its defaults, overridden by what `baseline create` was given."""
    from scanner.cli import scan_cmd

    parser = argparse.ArgumentParser(add_help=False)
    scan_cmd.add_arguments(parser)
    namespace = parser.parse_args([])
    for name, value in vars(args).items():
        if hasattr(namespace, name):
            setattr(namespace, name, value)
    namespace.fail_on = "never"
    namespace.write_baseline = Path(args.baseline_file)
    return namespace


def run(args: argparse.Namespace) -> int:
    if args.baseline_action not in ACTIONS:  # argparse enforces it; a programmatic caller may not
        raise UsageError(f"baseline: unknown action {args.baseline_action!r} (expected create)")
    from scanner.cli import scan_cmd

    return scan_cmd.run(_scan_namespace(args))


def write_baseline(args: argparse.Namespace, results: Sequence[tuple[str, ScanResult]]) -> int:
    """Write the baseline of `results` to args.write_baseline; say what was written on stderr."""
    from scanner.cli.scan_cmd import write_atomic
    from scanner.multi.outcome import failures

    path = Path(args.write_baseline)
    failed = failures(results)
    if failed:
        # An incomplete baseline would hide the unscanned targets' findings later: write none.
        raise UsageError(f"baseline not written: {'; '.join(failed)}")
    baseline = create(results)
    write_atomic(path, dumps(baseline))
    count = len(baseline.entries)
    noun = "finding" if count == 1 else "findings"
    sys.stderr.write(f"ccpolicy: baseline of {count} {noun} written to {path}\n")
    return 0
