"""Classify an assigned value: a literal, a reference to something resolved elsewhere, or dynamic.

Shared by every source so that `${{ secrets.X }}`, `${VAR}`, `$VAR` and `$(cmd)` mean the
same thing wherever they appear.
"""

from __future__ import annotations

import re

from scanner import regexcache
from scanner.model import ValueKind

_GHA_EXPR = regexcache.compile(r"\$\{\{(?:(?!\}\}).)*\}\}", re.S)
_SHELL_REF = regexcache.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*")
_PWSH_REF = regexcache.compile(r"\$env:[A-Za-z_][A-Za-z0-9_]*", re.I)
_SUBST = regexcache.compile(r"\$\(|`")


def classify(text: str, *, shell: bool = True, github: bool = True) -> ValueKind:
    """How much a value tells us.

    A value that is exactly one reference is a REFERENCE; a reference mixed with literal
    text, or any command substitution, is DYNAMIC; otherwise LITERAL.
    `shell=False` for formats that do not expand `$VAR` (JSON settings, Dockerfile ENV keeps
    them, but compose and dotenv do expand them, so callers pass what their format does).
    """
    if github and _GHA_EXPR.search(text):
        return ValueKind.REFERENCE if _GHA_EXPR.fullmatch(text.strip()) else ValueKind.DYNAMIC
    if shell:
        if _SUBST.search(text):
            return ValueKind.DYNAMIC
        if _SHELL_REF.fullmatch(text) or _PWSH_REF.fullmatch(text):
            return ValueKind.REFERENCE
        if _SHELL_REF.search(text) or _PWSH_REF.search(text):
            return ValueKind.DYNAMIC
    return ValueKind.LITERAL


def referenced_names(text: str) -> tuple[str, ...]:
    """Names referenced by a value, e.g. ("ANTHROPIC_API_KEY",) for `${ANTHROPIC_API_KEY}`
    or ("secrets.ANTHROPIC_API_KEY",) for `${{ secrets.ANTHROPIC_API_KEY }}`."""
    names: list[str] = []
    for m in _GHA_EXPR.finditer(text):
        names.extend(re.findall(r"[A-Za-z_][A-Za-z0-9_.\-]*", m.group(0)[3:-2]))
    for m in _SHELL_REF.finditer(text):
        names.append(re.sub(r"[${}]", "", m.group(0)).split(":")[0].split("-")[0])
    return tuple(names)
