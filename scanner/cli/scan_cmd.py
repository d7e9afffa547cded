"""`ccpolicy scan`: scan repositories (or staged changes, history, a host) and report findings.

The flow is fixed here; each stage lives in its own module:
  ruleset   scanner.policy.select.ruleset_for(args)        (policy file, presets, --no-policy)
  targets   repositories | --staged | --history | --host    (scanner.scan, scanner.staged_scan,
                                                             scanner.history_scan, scanner.host)
  suppress  scanner.policy.suppress.apply(...)              (waivers, inline ignores, --no-ignores)
  baseline  scanner.baseline.apply(...)                     (--baseline FILE)
  emit      reporters                                       (--format, --output, exit code)
"""

from __future__ import annotations

import os
import sys

from scanner.errors import UsageError

# Imported where used: begin_early starts git from this module before argparse, pathlib, typing
# or the scan's records are imported.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import contextlib
    from collections.abc import Sequence
    from pathlib import Path

    from scanner.model import Severity
    from scanner.report.model import ScanResult

FORMATS = ("text", "json", "sarif", "markdown", "annotations", "short")
_EXTENSIONS = {".json": "json", ".sarif": "sarif", ".md": "markdown", ".txt": "text"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from scanner.cli.host_options import add_host_options

    parser.add_argument(
        "paths", nargs="*", default=[], metavar="PATH", help="repositories or directories (default .)"
    )
    out = parser.add_argument_group("output")
    out.add_argument(
        "--format", "-f", choices=FORMATS, default="text", help="format written to stdout (default text)"
    )
    out.add_argument(
        "--output",
        "-o",
        action="append",
        default=[],
        metavar="[FORMAT=]FILE",
        help="also write FORMAT to FILE (repeatable; format inferred from .sarif/.json/.md/.txt)",
    )
    out.add_argument(
        "--fail-on",
        default="high",
        metavar="SEVERITY",
        help="exit 1 when a finding is at or above this severity: critical, high, medium, low, info, "
        "or never (default high)",
    )
    out.add_argument("--quiet", "-q", action="store_true", help="write nothing to stdout")
    pol = parser.add_argument_group("policy")
    pol.add_argument(
        "--policy",
        metavar="FILE",
        help="policy file (default: ccpolicy.toml or [tool.ccpolicy] "
        "in pyproject.toml, found by walking up from the first PATH)",
    )
    pol.add_argument(
        "--no-policy", action="store_true", help="ignore policy files; run the built-in recommended preset"
    )
    pol.add_argument(
        "--no-ignores", action="store_true", help="disregard inline ignores and waivers (central audits)"
    )
    pol.add_argument("--baseline", metavar="FILE", help="report only findings not in this baseline")
    src = parser.add_argument_group("what to scan")
    src.add_argument("--tracked-only", action="store_true", help="in git, scan tracked files only")
    src.add_argument("--staged", action="store_true", help="scan what is staged for commit (the git index)")
    src.add_argument(
        "--history", action="store_true", help="scan every commit's changes to configuration files"
    )
    src.add_argument("--since", metavar="REV", help="with --history: only commits after REV")
    src.add_argument(
        "--all-branches", action="store_true", help="with --history: every branch, not just HEAD"
    )
    src.add_argument(
        "--repos-from", metavar="FILE", help="read repository paths or git URLs from FILE (one per line)"
    )
    src.add_argument(
        "--jobs", "-j", type=int, default=0, metavar="N", help="worker processes for many targets"
    )
    host = parser.add_argument_group("host scans")
    add_host_options(
        host,
        host_help="scan this machine's Claude Code configuration",
        root_help="with --host: audit DIR as if it were / (mounted image, backup)",
    )
    host.add_argument(
        "--include-process-env",
        action="store_true",
        help="with --host: add this process's environment as a layer (values redacted)",
    )


def parse_fail_on(text: str) -> Severity | None:
    from scanner.model import Severity

    if text.strip().lower() == "never":
        return None
    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise UsageError(f"--fail-on: {exc}") from None


def parse_outputs(specs: Sequence[str]) -> list[tuple[str, Path]]:
    from pathlib import Path

    outputs = []
    for spec in specs:
        fmt, sep, file = spec.partition("=")
        if sep and fmt in FORMATS:
            outputs.append((fmt, Path(file)))
            continue
        path = Path(spec)
        inferred = _EXTENSIONS.get(path.suffix.lower())
        if inferred is None:
            raise UsageError(
                f"--output {spec}: cannot tell the format; write FORMAT=FILE (one of {', '.join(FORMATS)})"
            )
        outputs.append((inferred, path))
    return outputs


def write_atomic(path: Path, text: str) -> None:
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        finally:
            raise


def render(fmt: str, results: Sequence[tuple[str, ScanResult]]) -> str:
    if fmt in ("sarif", "annotations", "markdown"):
        from scanner.report.reroot import to_repository_root

        results = [(target, to_repository_root(result)) for target, result in results]
    if fmt == "json":
        from scanner.report.jsonout import render_json

        return render_json(results)
    if fmt == "sarif":
        from scanner.report.sarif_runs import render_sarif_log

        return render_sarif_log(results)
    if fmt == "markdown":
        from scanner.report.markdown import render_markdown

        if len(results) == 1:
            return render_markdown(results[0][1])
        return "\n".join(f"## {target}\n\n{render_markdown(r)}" for target, r in results)
    if fmt == "annotations":
        from scanner.report.annotations import render_annotations

        return "".join(render_annotations(r) for _, r in results)
    if fmt == "short":
        from scanner.report.short import render_short

        return render_short(results)
    from scanner.report.text import render_plain

    return render_plain(results)


def emit(args: argparse.Namespace, results: Sequence[tuple[str, ScanResult]]) -> int:
    for fmt, path in parse_outputs(args.output):
        write_atomic(path, render(fmt, results))
    if not args.quiet:
        if args.format == "text":
            from scanner.report.text import print_text

            print_text(results, sys.stdout)
        else:
            sys.stdout.write(render(args.format, results))
        sys.stdout.flush()
    return 1 if any(r.failing() for _, r in results) else 0


def _check_combinations(args: argparse.Namespace) -> None:
    modes = [name for name in ("staged", "history", "host") if getattr(args, name)]
    if len(modes) > 1:
        raise UsageError(f"--{modes[0]} and --{modes[1]} cannot be combined")
    if (args.since or args.all_branches) and not args.history:
        raise UsageError("--since and --all-branches go with --history")
    if (
        args.root or args.os or args.all_users or args.projects or args.include_process_env
    ) and not args.host:
        raise UsageError("--root, --os, --all-users, --projects and --include-process-env go with --host")
    if args.policy and args.no_policy:
        raise UsageError("--policy and --no-policy cannot be combined")
    if args.jobs < 0:
        raise UsageError("--jobs must be 0 (automatic) or more")


def scan_repositories(args: argparse.Namespace, options: object) -> list[tuple[str, ScanResult]]:
    """Every PATH and --repos-from entry (local directories, git URLs), --jobs workers.

    See scanner.multi: a target that cannot be scanned becomes a failed result, listed on stderr.
    """
    from scanner.multi.outcome import failure_report
    from scanner.multi.pool import scan_targets
    from scanner.multi.targets import resolve_targets
    from scanner.scan import ScanOptions

    assert isinstance(options, ScanOptions)
    targets, duplicates = resolve_targets(args.paths, args.repos_from)
    for name in duplicates:
        sys.stderr.write(f"ccpolicy: note: {name} is listed more than once; scanned once\n")
    results = scan_targets(targets, options, jobs=args.jobs)
    sys.stderr.write(failure_report(results))
    return results


def run(args: argparse.Namespace) -> int:
    _check_combinations(args)
    if args.host or args.repos_from:
        return _run(args)
    with _git_started_early(
        args.paths,
        staged=args.staged,
        history=args.history,
        since=args.since,
        all_branches=args.all_branches,
        tracked_only=args.tracked_only,
    ):
        return _run(args)


# What begin_early recognises: options that take a value, and flags; both leave alone which
# directory is scanned. Anything else (--host, --repos-from, --help, an abbreviation, `--`) waits
# for the parsed command line.
_EARLY_VALUE_OPTIONS = frozenset(
    {"--format", "-f", "--output", "-o", "--fail-on", "--policy", "--baseline", "--jobs", "-j", "--since"}
)
_EARLY_FLAGS = frozenset(
    {
        "--quiet",
        "-q",
        "--no-policy",
        "--no-ignores",
        "--tracked-only",
        "--staged",
        "--history",
        "--all-branches",
    }
)


def begin_early(argv: Sequence[str]) -> contextlib.AbstractContextManager[None]:
    """git's head start (see _git_started_early) from the raw arguments of `scan`, before
    argparse, pathlib and the scan's modules are imported (~20 ms): in a large repository git's
    walk is what a scan waits for longest. Only a plain scan of one directory is recognised. A
    guess the parsed command line contradicts costs a git process, stopped unused when the
    command ends; run() begins nothing twice."""
    from scanner.headstart import NOTHING_BEGUN

    paths: list[str] = []
    flags: set[str] = set()
    since: str | None = None
    words = iter(argv)
    for word in words:
        if not word.startswith("-") or word == "-":
            paths.append(word)
            continue
        name, has_value, value = word.partition("=")
        if name in _EARLY_VALUE_OPTIONS:
            value = value if has_value else next(words, "")
            if name == "--since":
                since = value
        elif word in _EARLY_FLAGS:
            flags.add(word)
        else:
            return NOTHING_BEGUN
    if {"--staged", "--history"} <= flags:
        return NOTHING_BEGUN  # an error argparse reports
    return _git_started_early(
        paths,
        staged="--staged" in flags,
        history="--history" in flags,
        since=since,
        all_branches="--all-branches" in flags,
        tracked_only="--tracked-only" in flags,
    )


def _git_started_early(
    paths: Sequence[str],
    *,
    staged: bool,
    history: bool,
    since: str | None,
    all_branches: bool,
    tracked_only: bool,
) -> contextlib.AbstractContextManager[None]:
    """For a scan of one local directory, git starts listing it (reading its history, or its
    index for --staged) now: git's work then overlaps loading the policy and importing the scan's
    modules instead of following them."""
    from scanner.headstart import NOTHING_BEGUN

    if len(paths) > 1:
        return NOTHING_BEGUN
    path = paths[0] if paths else "."
    # a git URL is no directory (and one named like a URL only makes the head start go unused)
    if not os.path.isdir(path):
        return NOTHING_BEGUN
    if staged:
        from scanner.gitstarts import staged_started_early

        return staged_started_early(os.path.abspath(path))
    if history:
        from pathlib import Path

        from scanner.discovery.history import history_started_early

        return history_started_early(Path(path), since=since, all_branches=all_branches)
    from scanner.gitstarts import listing_started_early

    return listing_started_early(path, tracked_only=tracked_only)


def _run(args: argparse.Namespace) -> int:
    from scanner.policy.select import ruleset_for
    from scanner.scan import ScanOptions

    fail_on = parse_fail_on(args.fail_on)
    parse_outputs(args.output)  # fail early on a bad --output, before scanning
    baseline = None
    if args.baseline:  # read before scanning: a bad baseline file fails fast
        from pathlib import Path

        from scanner.baseline import load as load_baseline

        baseline = load_baseline(Path(args.baseline))
    ruleset = ruleset_for(args)
    # What follows every scan, imported before it: a staged scan would otherwise import it
    # after its reading, which a child does meanwhile (scanner.forkedread).
    import datetime

    from scanner.policy.suppress import apply as apply_policy

    options = ScanOptions(
        rules=ruleset.rules,
        params=ruleset.params,
        severity_overrides=ruleset.severity_overrides,
        fail_on=fail_on,
        tracked_only=args.tracked_only,
        exclude=tuple(ruleset.exclude),
    )
    if args.staged:
        from scanner.staged_scan import scan_staged_targets

        if args.repos_from:
            raise UsageError("--staged reads local git indexes: it does not go with --repos-from")
        results = scan_staged_targets(args.paths, options)
    elif args.host:
        from scanner.host.scan import scan_host_args

        results = scan_host_args(args, options)
    elif args.history:
        from scanner.history_scan import scan_history_targets

        if args.repos_from:
            raise UsageError("--history reads local git repositories: it does not go with --repos-from")
        results = scan_history_targets(args.paths, options, since=args.since, all_branches=args.all_branches)
    else:
        results = scan_repositories(args, options)
    # Stale waivers are judged on whole-repository scans only: a staged or history scan sees a part.
    results = apply_policy(
        results,
        ruleset,
        today=datetime.date.today(),
        use_ignores=not args.no_ignores,
        report_stale=not (args.staged or args.history),
    )
    if getattr(args, "write_baseline", None) is not None:  # `ccpolicy baseline create` runs this flow
        from scanner.cli.baseline_cmd import write_baseline

        return write_baseline(args, results)
    if baseline is not None:
        from scanner.baseline import apply as apply_baseline

        results = apply_baseline(results, baseline)
    status = emit(args, results)
    from scanner.multi.outcome import every_target_failed

    return 2 if every_target_failed(results) else status
