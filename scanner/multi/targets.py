"""What a scan of many repositories covers: paths and git URLs from the command line and a list.

A list file (`--repos-from FILE`, `-` for stdin) holds one target a line. Blank lines and
comments (`#` at the start of a line or after whitespace) are ignored. Relative paths are
relative to the list file's directory, so a list checked in beside the repositories works from
any working directory. Git URLs are recognised by their form (`scheme://...` or scp-like
`user@host:path`); everything else is a local path.

A target's `name` is what every output shows. A URL's credentials never reach it: https/http
user information is replaced by a marker, and a password in any URL is too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from scanner import regexcache
from scanner.errors import UsageError
from scanner.records import NamedTuple
from scanner.redact import MARKER

STDIN = "-"
MAX_LIST_BYTES = 8 * 1024 * 1024

_SCHEME = regexcache.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://")
# git's own rule for scp-like syntax: no slash before the first colon. A user part is required
# here, so that `C:\repo` and relative paths with a colon stay paths.
_SCP_LIKE = regexcache.compile(r"^[A-Za-z0-9._~\-]+@[A-Za-z0-9.\-]+:(?!//)")
_USERINFO = regexcache.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<info>[^/@\s]*)@")
_COMMENT = regexcache.compile(r"(?:^|\s)#.*$")
# A user name alone is not a secret over ssh (it is usually "git"); over http it often is a token.
_KEEPS_USER = frozenset({"ssh", "git+ssh", "ssh+git"})


class Target(NamedTuple):
    """One repository to scan: a local directory or a git URL (exactly one is set)."""

    name: str
    path: Path | None = None
    # May carry credentials: kept out of repr so a traceback or log line cannot show it.
    url: str | None = None
    from_command_line: bool = True

    def __repr__(self) -> str:
        url = "<set>" if self.url is not None else None
        return f"Target(name={self.name!r}, path={self.path!r}, url={url}, from_command_line={self.from_command_line!r})"

    @property
    def is_url(self) -> bool:
        return self.url is not None


def is_git_url(text: str) -> bool:
    return bool(_SCHEME.match(text) or _SCP_LIKE.match(text))


def url_scheme(url: str) -> str:
    """`https`, `ssh`, `file`, ...; scp-like URLs are `ssh`."""
    match = _SCHEME.match(url)
    return match.group("scheme").lower() if match else "ssh"


def display_url(url: str) -> str:
    """The URL as outputs may show it: no password, no http user information."""
    match = _USERINFO.match(url)
    if match is None:
        return url
    scheme = match.group("scheme")[:-3].lower()
    user, has_password, _ = match.group("info").partition(":")
    if scheme in _KEEPS_USER and not has_password:
        return url
    shown = f"{user}:{MARKER}" if scheme in _KEEPS_USER else MARKER
    return f"{match.group('scheme')}{shown}@{url[match.end() :]}"


def _target(text: str, name: str, base: Path | None, *, from_command_line: bool) -> Target:
    if is_git_url(text):
        return Target(name=display_url(text), url=text, from_command_line=from_command_line)
    path = Path(text)
    if base is not None and not path.is_absolute():
        path = base / path
    return Target(name=name, path=path, from_command_line=from_command_line)


def _entries(text: str) -> list[tuple[int, str]]:
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        entry = _COMMENT.sub("", raw).strip()
        if entry:
            entries.append((number, entry))
    return entries


def _read_list(spec: str) -> str:
    where = "standard input" if spec == STDIN else spec
    try:
        if spec == STDIN:
            data = sys.stdin.buffer.read(MAX_LIST_BYTES + 1)
        else:
            with open(spec, "rb") as handle:
                data = handle.read(MAX_LIST_BYTES + 1)
    except OSError as error:
        raise UsageError(f"--repos-from {where}: {error.strerror or type(error).__name__}") from None
    if len(data) > MAX_LIST_BYTES:
        raise UsageError(f"--repos-from {where}: larger than {MAX_LIST_BYTES} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UsageError(f"--repos-from {where}: line {line}: not valid UTF-8") from None


def targets_from_list(spec: str) -> list[Target]:
    """The targets listed in `spec` (a file name, or `-` for standard input), in order.

    Raises UsageError when the list cannot be read, is not UTF-8, holds a NUL byte or lists
    nothing: an empty fleet is a mistake, not a clean result.
    """
    where = "standard input" if spec == STDIN else spec
    text = _read_list(spec)
    base_text = "" if spec == STDIN else os.path.dirname(spec)
    base = Path(base_text) if base_text else None
    targets = []
    for number, entry in _entries(text):
        if "\0" in entry:
            raise UsageError(f"--repos-from {where}: line {number}: contains a NUL byte")
        name = entry if os.path.isabs(entry) else os.path.normpath(os.path.join(base_text, entry))
        targets.append(_target(entry, name, base, from_command_line=False))
    if not targets:
        raise UsageError(f"--repos-from {where}: lists no repositories")
    return targets


def _identity(target: Target) -> tuple[str, str]:
    if target.url is not None:
        return ("url", target.url.rstrip("/"))
    assert target.path is not None
    return ("path", os.path.realpath(target.path))


def _check_single_local(targets: Sequence[Target]) -> None:
    """One local path typed on the command line keeps the plain scan's behaviour: a typo is a
    usage error (exit 2), not a report about a failed target."""
    if len(targets) != 1:
        return
    only = targets[0]
    if only.path is None or not only.from_command_line:
        return
    if not only.path.exists():
        raise UsageError(f"{only.name}: no such file or directory")
    if not only.path.is_dir():
        raise UsageError(f"{only.name}: not a directory")


def resolve_targets(paths: Sequence[str], repos_from: str | None) -> tuple[list[Target], list[str]]:
    """(targets in order, names of dropped duplicates) for `scan PATH... [--repos-from FILE]`.

    Command-line paths come first, then the list's entries; with neither, `.`. A target named
    twice (the same URL, or paths to the same directory) is scanned once, where it first
    appears, so that output holds one run per repository.
    """
    given = [_target(raw, raw, None, from_command_line=True) for raw in paths]
    if repos_from is not None:
        given.extend(targets_from_list(repos_from))
    if not given:
        given = [_target(".", ".", None, from_command_line=True)]
    seen: set[tuple[str, str]] = set()
    targets: list[Target] = []
    duplicates: list[str] = []
    for target in given:
        identity = _identity(target)
        if identity in seen:
            duplicates.append(target.name)
            continue
        seen.add(identity)
        targets.append(target)
    _check_single_local(targets)
    return targets, duplicates
