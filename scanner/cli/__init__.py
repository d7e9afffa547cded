"""The command line: `main(argv) -> int`, one error handler mapping to exit codes.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage or
configuration error, 3 internal error. Each subcommand lives in its own module and is
registered in COMMANDS; modules are imported only when their command runs.
"""

from __future__ import annotations

import importlib
import sys

from scanner import __version__
from scanner.errors import CcpolicyError

# Not `from typing import TYPE_CHECKING`: importing typing (and re behind it) would be a third
# of what `ccpolicy --version` costs. Type checkers treat any TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import contextlib
    from collections.abc import Sequence
    from typing import Any

# name -> (module, help). Each module defines `add_arguments(parser)` and `run(args) -> int`, and
# may define `begin_early(argv) -> context manager`: work begun from its raw arguments, which lasts
# until the command ends.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("scanner.cli.scan_cmd", "scan repositories (default .) and report findings"),
    "effective": (
        "scanner.cli.effective_cmd",
        "print each context's effective configuration with provenance",
    ),
    "rules": ("scanner.cli.rules_cmd", "list the rule catalogue"),
    "explain": ("scanner.cli.explain_cmd", "print a rule's full documentation"),
    "merge": ("scanner.cli.merge_cmd", "combine SARIF or JSON outputs from many hosts and repositories"),
    "report": (
        "scanner.cli.report_cmd",
        "summarise SARIF or JSON outputs for a security lead (text or Markdown)",
    ),
    "policy": ("scanner.cli.policy_cmd", "validate a policy file, write a template, print its JSON Schema"),
    "install-hook": (
        "scanner.cli.install_hook_cmd",
        "install a git pre-commit hook running `ccpolicy scan --staged`",
    ),
    "baseline": ("scanner.cli.baseline_cmd", "record current findings so that scans fail only on new ones"),
}


def build_parser(selected: str | None) -> argparse.ArgumentParser:
    from scanner import regexcache

    # argparse and gettext compile their expressions with re: taken from ccpolicy's cache.
    with regexcache.precompiled("argparse"):
        return _build_parser(selected)


def _build_parser(selected: str | None) -> argparse.ArgumentParser:
    import argparse

    class _Formatter(argparse.HelpFormatter):
        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24) -> None:
            super().__init__(prog, indent_increment, max_help_position, width=terminal_columns() - 2)

    class _Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", _Formatter)
            super().__init__(*args, **kwargs)

        def error(self, message: str) -> None:  # type: ignore[override]
            self.print_usage(sys.stderr)
            sys.stderr.write(f"ccpolicy: error: {message}\n")
            raise SystemExit(2)

    parser = _Parser(
        prog="ccpolicy",
        description="Compliance audit scanner for Claude Code configuration.",
    )
    parser.add_argument("--version", action="version", version=f"ccpolicy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (module, help_text) in COMMANDS.items():
        if selected is not None and name != selected:
            continue  # a parser per command costs ~0.2 ms; only the one that runs is needed
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            importlib.import_module(module).add_arguments(cmd)
    return parser


def terminal_columns() -> int:
    """shutil.get_terminal_size().columns without importing shutil: argparse asks for it each
    time it makes a help formatter, which it does for every argument added, and shutil brings
    the compression modules with it (~2 ms of every run)."""
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def entry() -> None:
    """The `ccpolicy` command: main(), then an exit that skips tearing the interpreter down.

    Unloading ~190 modules and collecting everything they hold costs a scan ~10 ms after its work
    is done. By the time main() returns, every file it writes is written and every git it started
    is reaped; the output is flushed and the exit handlers run here, as at a normal exit.

    The cycle collector runs every 50,000 allocations rather than every 700: importing the scan's
    modules set it off ~50 times (~5 ms) to find next to nothing, as records hold no cycles.
    """
    import atexit
    import gc
    import os

    gc.set_threshold(50_000, 20, 20)
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # the reader is gone (a broken pipe): nothing more can be said
        pass
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None:  # not CPython: the ordinary exit
        sys.exit(status)
    run_exit_handlers()
    os._exit(status)


def _selected(argv: Sequence[str]) -> str | None:
    """The command argv runs, when argparse will get as far as running it (not before a help)."""
    for arg in argv:
        if arg in COMMANDS:
            return arg
        if not arg.startswith("-") or arg in ("-h", "--help"):
            return None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # answered before argparse is even imported
        sys.stdout.write(f"ccpolicy {__version__}\n")
        return 0
    selected = _selected(args_list)
    # Entered and left by hand: contextlib would be one more import before git starts.
    early = _begin_early(selected, args_list[args_list.index(selected) + 1 :]) if selected else None
    try:
        return _parse_and_run(args_list, selected)
    finally:
        if early is not None:
            early.__exit__(None, None, None)


def _begin_early(command: str, argv: list[str]) -> contextlib.AbstractContextManager[None] | None:
    """Work a command begins from its raw arguments, before argparse is even imported: entered,
    to be left when the command ends."""
    try:
        begin = getattr(importlib.import_module(COMMANDS[command][0]), "begin_early", None)
        if begin is None:
            return None
        early: contextlib.AbstractContextManager[None] = begin(argv)
        early.__enter__()
        return early
    except Exception:  # a head start only saves time: the command runs without it
        return None


def _parse_and_run(args_list: list[str], selected: str | None) -> int:
    parser = build_parser(selected)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not args.command:
        parser.print_help(sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        result: int = module.run(args)
        return result
    except CcpolicyError as exc:
        sys.stderr.write(f"ccpolicy: error: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("ccpolicy: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the one place an unexpected error becomes exit 3
        sys.stderr.write(
            f"ccpolicy: internal error: {type(exc).__name__}. This is a bug; please report it "
            "with the command you ran (set CCPOLICY_DEBUG=1 for a traceback).\n"
        )
        import os

        if os.environ.get("CCPOLICY_DEBUG"):
            import traceback

            traceback.print_exc()
        return 3
