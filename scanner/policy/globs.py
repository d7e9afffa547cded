"""Path globs for `exclude` and waiver `path`: POSIX paths relative to the scanned directory.

That is the repository root when a repository is scanned (the usual case, where the policy file
sits). Scanning a subdirectory explicitly scans it: patterns then apply below it, the way the
same central policy applies to every repository of a `--repos-from` run.

`*` and `?` stay inside one path segment, `**` spans segments (`fixtures/**`, `**/legacy/*.sh`),
`[abc]` is a character class. A pattern that matches a directory matches everything below it,
so `vendor`, `vendor/` and `vendor/**` all mean the whole `vendor` tree. Matching is
case-sensitive, like git.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from scanner import regexcache


def problem(pattern: str) -> str | None:
    """Why a pattern can never match a scanned path, or None when it is usable."""
    if not pattern.strip():
        return "must not be empty"
    if "\\" in pattern:
        return "use / to separate directories, not \\"
    if pattern.startswith("/"):
        return "must be relative to the repository root (no leading /)"
    if ".." in pattern.split("/"):
        return "must not contain .. (paths are relative to the repository root)"
    if pattern.count("[") != pattern.count("]"):
        return "has an unbalanced [ ] character class"
    try:
        compile_glob(pattern)
    except re.error:
        return "is not a valid glob"
    return None


def _segment(segment: str) -> str:
    out = []
    i = 0
    while i < len(segment):
        ch = segment[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = segment.find("]", i + 1)
            if end < 0:
                out.append(re.escape(ch))
            else:
                body = segment[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    stripped = pattern.removeprefix("./").strip("/")
    parts = [p for p in stripped.split("/") if p]
    regex = ""
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            regex += ".*" if last else "(?:[^/]+/)*"
        else:
            regex += _segment(part) + ("" if last else "/")
    # Anything below a matching directory matches too.
    return regexcache.compile(f"(?:{regex})(?:/.*)?" if regex else ".*")


def matches(path: str, pattern: str) -> bool:
    try:
        return compile_glob(pattern).fullmatch(path) is not None
    except re.error:
        return False


def matches_any(path: str, patterns: Iterable[str]) -> bool:
    return any(matches(path, p) for p in patterns)
