"""Find the policy file for a scan.

From the first scanned path, each directory upwards is searched for `ccpolicy.toml`, then for a
`pyproject.toml` with a `[tool.ccpolicy]` table. The walk stops at the first hit, after the top
of the git repository (a directory holding `.git`), or at the filesystem root: a policy above
the repository (in a home directory, say) never applies to it by accident. Nothing here runs git.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from scanner import regexcache
from scanner.digest import sha256
from scanner.errors import ConfigError
from scanner.records import NamedTuple

POLICY_FILE = "ccpolicy.toml"
PYPROJECT = "pyproject.toml"
MAX_POLICY_BYTES = 1 << 20  # a policy file is a page or two; anything this large is a mistake
_TOOL_TABLE = regexcache.compile(rb"^\s*\[\s*tool\s*\.\s*ccpolicy\b", re.MULTILINE)


class PolicySource(NamedTuple):
    path: Path  # absolute
    kind: str  # "ccpolicy" | "pyproject"
    shown: str  # how messages name it

    def content_key(self, data: bytes, *context: str) -> str:
        """A digest of `context` (what else a cached verdict depends on), this source and its
        bytes `data`: the key of the caches of what a policy file makes."""
        digest = sha256()
        for part in (*context, str(self.path), self.kind, self.shown):
            digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()


def shown_path(path: Path, cwd: Path | None = None) -> str:
    """Relative to the working directory when inside it, else absolute."""
    base = (cwd or Path.cwd()).resolve()
    try:
        return path.resolve().relative_to(base).as_posix()
    except ValueError:
        return str(path.resolve())


def read_bytes(path: Path, shown: str) -> bytes:
    try:
        if path.is_dir():
            raise ConfigError(f"{shown}: is a directory, not a policy file")
        size = path.stat().st_size
        if size > MAX_POLICY_BYTES:
            raise ConfigError(
                f"{shown}: {size} bytes is too large for a policy file (limit {MAX_POLICY_BYTES})"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{shown}: no such policy file") from None
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise ConfigError(f"{shown}: cannot read the policy file ({why})") from None


def _has_tool_table(path: Path) -> bool:
    """Whether a pyproject.toml carries [tool.ccpolicy]; unreadable or unrelated files do not."""
    try:
        data = path.read_bytes()[: MAX_POLICY_BYTES + 1]
    except OSError:
        return False
    if b"ccpolicy" not in data:
        return False
    if sys.version_info >= (3, 11):  # imported here: only a pyproject.toml mentioning ccpolicy pays
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        doc = tomllib.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        # Only an error when the broken file evidently meant to hold the policy.
        return _TOOL_TABLE.search(data) is not None
    tool = doc.get("tool")
    return isinstance(tool, dict) and "ccpolicy" in tool


def _start_dir(start: Path) -> Path | None:
    path = Path(os.path.abspath(start))
    while not path.exists():
        if path.parent == path:
            return None
        path = path.parent
    path = path.resolve()
    return path if path.is_dir() else path.parent


def find_policy(start: Path, cwd: Path | None = None) -> PolicySource | None:
    directory = _start_dir(start)
    while directory is not None:
        own = directory / POLICY_FILE
        pyproject = directory / PYPROJECT
        in_pyproject = pyproject.is_file() and _has_tool_table(pyproject)
        if own.is_file():
            if in_pyproject:
                raise ConfigError(
                    f"{shown_path(own, cwd)}: {shown_path(pyproject, cwd)} also has a [tool.ccpolicy] table; "
                    "keep the policy in one of them"
                )
            return PolicySource(own, "ccpolicy", shown_path(own, cwd))
        if in_pyproject:
            return PolicySource(pyproject, "pyproject", shown_path(pyproject, cwd))
        if (directory / ".git").exists() or directory.parent == directory:
            return None
        directory = directory.parent
    return None


def named_policy(path_text: str) -> PolicySource:
    """`--policy FILE` / `policy validate FILE`: a pyproject.toml means its [tool.ccpolicy] table."""
    path = Path(path_text)
    kind = "pyproject" if path.name == PYPROJECT else "ccpolicy"
    return PolicySource(Path(os.path.abspath(path)), kind, path_text)
