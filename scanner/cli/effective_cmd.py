"""`ccpolicy effective [PATH]`: each context's effective configuration, with where every value came from."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scanner.cli.host_options import add_host_options
from scanner.contexts.model import Context, Effective
from scanner.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", help="repository or directory (default .)")
    parser.add_argument("--context", metavar="ID", help="only the context with this id (see the list)")
    parser.add_argument(
        "--all", action="store_true", help="include variables and keys ccpolicy does not know"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--tracked-only", action="store_true")
    add_host_options(
        parser.add_argument_group("host"),
        host_help="this machine's contexts (every user and project)",
        root_help="with --host: audit DIR as if it were /",
    )


def _value(name: str, eff: Effective) -> str:
    from scanner.redact import shown

    if eff.winner is None:
        return "(unset)"
    suffix = "" if eff.value_kind.value == "literal" else f" ({eff.value_kind.value})"
    return shown(name, eff.value) + suffix


def _entry(name: str, eff: Effective) -> dict[str, Any]:
    return {
        "name": name,
        "value": _value(name, eff),
        "set_by": [o.location.short() for o in eff.chain],
        "ignored": [o.location.short() for o in eff.ignored],
    }


def describe(ctx: Context, show_all: bool) -> dict[str, Any]:
    from scanner.knowledge import load

    kb = load()
    env = [_entry(n, e) for n, e in sorted(ctx.env.items()) if show_all or kb.variable(n) is not None]
    settings = [_entry(k, e) for k, e in sorted(ctx.settings.items()) if show_all or k in kb.settings]
    return {
        "id": ctx.id,
        "kind": ctx.kind.value,
        "label": ctx.label,
        "provider": ctx.provider.name + ("" if ctx.provider.certain else " (uncertain)"),
        "layers": [
            {
                "kind": layer.kind.value,
                "label": layer.label,
                "in_effect": layer.in_effect,
                **({"why_not": layer.why_not_in_effect} if layer.why_not_in_effect else {}),
            }
            for layer in ctx.layers
        ],
        "env": env,
        "settings": settings,
        **({"attributes": dict(ctx.attributes)} if ctx.attributes else {}),
    }


def render_text(items: list[dict[str, Any]]) -> str:
    out: list[str] = []
    for item in items:
        out.append(f"{item['id']}  ({item['label']})")
        out.append(f"  provider: {item['provider']}")
        out.append("  layers, highest precedence first:")
        for layer in item["layers"]:
            state = "" if layer["in_effect"] else f"  [not in effect: {layer.get('why_not', '')}]"
            out.append(f"    {layer['kind']:<14} {layer['label']}{state}")
        for section in ("env", "settings"):
            if not item[section]:
                continue
            out.append(f"  {section}:")
            for entry in item[section]:
                out.append(f"    {entry['name']} = {entry['value']}")
                for i, where in enumerate(entry["set_by"]):
                    out.append(f"      {'set by' if i == 0 else 'overrides'} {where}")
                for where in entry["ignored"]:
                    out.append(f"      ignored {where}")
        out.append("")
    if not items:
        out.append("No place that runs Claude Code was found.")
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    from scanner.contexts.repo import RepoContextBuilder
    from scanner.knowledge import load
    from scanner.scan import read_repository

    if args.host:
        from scanner.host.scan import HostOptions, read_host

        options = HostOptions(
            root=args.root,
            os_name=args.os,
            all_users=bool(args.all_users),
            projects=tuple(args.projects or ()),
            include_process_env=False,
        )
        contexts = list(read_host(options).contexts)
    else:
        if args.root or args.os or args.all_users or args.projects:
            raise UsageError("--root, --os, --all-users and --projects go with --host")
        root = Path(args.path)
        if not root.is_dir():
            raise UsageError(f"{args.path}: not a directory")
        inputs = read_repository(root.resolve(), tracked_only=args.tracked_only)
        contexts = RepoContextBuilder(inputs.files, load()).contexts()
    if args.context:
        contexts = [c for c in contexts if c.id == args.context]
        if not contexts:
            raise UsageError(f"no context {args.context!r}; run without --context to list them")
    items = [describe(c, args.all) for c in contexts]
    if args.format == "json":
        sys.stdout.write(json.dumps({"schema_version": 1, "contexts": items}, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(items))
    return 0
