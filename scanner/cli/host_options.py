"""The --host options `scan` and `effective` share: which machine, laid out how, whose homes."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse


def add_host_options(group: argparse._ArgumentGroup, *, host_help: str, root_help: str) -> None:
    group.add_argument("--host", action="store_true", help=host_help)
    group.add_argument("--root", metavar="DIR", help=root_help)
    group.add_argument(
        "--os", choices=("linux", "macos", "windows"), help="with --host --root: the layout of DIR"
    )
    group.add_argument("--all-users", action="store_true", help="with --host: every home directory")
    group.add_argument(
        "--projects",
        action="append",
        default=[],
        metavar="DIR",
        help="with --host: also audit projects under DIR (repeatable)",
    )
