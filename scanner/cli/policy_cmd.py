"""`ccpolicy policy`: validate a policy file, write a commented template, print the JSON Schema.

ccpolicy policy validate [FILE]       FILE, or the file a scan of . would use; exit 0 or 2
ccpolicy policy init [--force] [PATH] write the template to PATH (default ./ccpolicy.toml)
ccpolicy policy schema                the JSON Schema of the file, for editors
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
from pathlib import Path

from scanner.errors import ConfigError, UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="policy_command", metavar="SUBCOMMAND", parser_class=type(parser))
    sub.required = True
    validate = sub.add_parser(
        "validate",
        help="check a policy file; print every error with its line",
        description="Check a policy file (default: the one a scan of . would use) and print every error "
        "as FILE:LINE: KEY: MESSAGE.",
    )
    validate.add_argument(
        "file", nargs="?", metavar="FILE", help="ccpolicy.toml, or a pyproject.toml with [tool.ccpolicy]"
    )
    init = sub.add_parser(
        "init",
        help="write a commented policy template",
        description="Write a policy template that explains every option.",
    )
    init.add_argument(
        "path",
        nargs="?",
        default="ccpolicy.toml",
        metavar="PATH",
        help="file or directory to write (default ./ccpolicy.toml)",
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    sub.add_parser(
        "schema",
        help="print the JSON Schema of the policy file",
        description="Print the JSON Schema (draft 2020-12) of the policy file, for editors.",
    )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def validate(args: argparse.Namespace, today: datetime.date) -> int:
    from scanner.policy.discover import find_policy, named_policy
    from scanner.policy.select import load_ruleset

    source = named_policy(args.file) if args.file else find_policy(Path.cwd())
    if source is None:
        raise ConfigError(
            "no policy file found: looked for ccpolicy.toml and [tool.ccpolicy] in pyproject.toml from this "
            "directory up to the top of the git repository (`ccpolicy policy init` writes one)"
        )
    policy, ruleset = load_ruleset(source, use_cache=False)
    details = [_plural(len(ruleset.rules), "rule"), f"presets {', '.join(policy.extends) or '(none)'}"]
    extras = []
    if ruleset.organisation_rules:
        extras.append(_plural(ruleset.organisation_rules, "organisation rule"))
    if policy.waivers:
        extras.append(_plural(len(policy.waivers), "waiver"))
    summary = ", ".join(details) + (f"; {', '.join(extras)}" if extras else "")
    sys.stdout.write(f"{source.shown}: valid ({summary})\n")
    for w in policy.waivers:
        if w.expired(today):
            sys.stderr.write(
                f"{source.shown}:{w.line}: waivers[{w.position}]: the {w.rule} waiver by {w.owner} expired on "
                f"{w.expires.isoformat()}; its findings count again\n"
            )
    return 0


def _write_new(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def init(args: argparse.Namespace) -> int:
    from scanner.policy.discover import POLICY_FILE
    from scanner.policy.template import render

    path = Path(args.path)
    if path.is_dir():
        path = path / POLICY_FILE
    if path.exists() and not args.force:
        raise UsageError(f"{path.as_posix()}: already exists; use --force to overwrite it")
    try:
        _write_new(path, render())
    except OSError as exc:
        raise UsageError(f"{path.as_posix()}: cannot write ({exc.strerror or type(exc).__name__})") from None
    sys.stdout.write(f"wrote {path.as_posix()}; check it with `ccpolicy policy validate {path.as_posix()}`\n")
    return 0


def schema() -> int:
    from scanner.policy.model import json_schema_text

    sys.stdout.write(json_schema_text())
    return 0


def run(args: argparse.Namespace) -> int:
    if args.policy_command == "validate":
        return validate(args, datetime.date.today())
    if args.policy_command == "init":
        return init(args)
    return schema()
