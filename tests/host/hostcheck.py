"""Helpers for the host tests: fixture roots, effective values as plain data, rule selection."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from scanner.catalogue.load import load_builtin_rules
from scanner.catalogue.model import Rule
from scanner.contexts.model import Context, Effective

HOST_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "host"


def rules(*ids: str) -> tuple[Rule, ...]:
    catalogue = load_builtin_rules()
    return tuple(catalogue[i] for i in ids)


def chain(eff: Effective) -> list[str]:
    return [o.location.short() for o in eff.chain]


def ignored(eff: Effective) -> list[str]:
    return [o.location.short() for o in eff.ignored]


def env(ctx: Context, name: str) -> tuple[Any, list[str], list[str]]:
    eff = ctx.env_value(name)
    return eff.value, chain(eff), ignored(eff)


def setting(ctx: Context, key: str) -> tuple[Any, list[str], list[str]]:
    eff = ctx.setting(key)
    return eff.value, chain(eff), ignored(eff)


def make_broken_roots(tmp_path: Path) -> Path:
    """fixtures/host/broken-files copied, plus what git cannot hold: link loops, a FIFO."""
    dest = tmp_path / "broken"
    shutil.copytree(HOST_FIXTURES / "broken-files", dest, symlinks=True)
    linux = dest / "linux"
    os.symlink("profile.d", linux / "etc" / "profile.d")  # a directory that is a loop onto itself
    os.symlink("41-loop.json", linux / "etc" / "claude-code" / "managed-settings.d" / "40-loop.json")
    os.symlink("40-loop.json", linux / "etc" / "claude-code" / "managed-settings.d" / "41-loop.json")
    os.mkfifo(linux / "home" / "dave" / ".bashrc")
    os.symlink("erin", linux / "home" / "erin")  # a home that is a loop
    return dest
