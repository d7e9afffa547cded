"""Lines added to candidate files over a repository's history, oldest commit first.

ONE streaming `git log -p -U0 --reverse` over candidate pathspecs, parsed as it arrives: git
skips every other file, and no process is started per commit. Hunks are parsed by their line
counts, so an added line that happens to read `+++ b/x` or `diff --git` is never taken for a
header. Renames are switched off: a renamed file shows as added in full at its new path, so a
secret that moves is reported where it went.
"""

from __future__ import annotations

import re
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

from scanner.discovery import DiscoveryError
from scanner.discovery.paths import HISTORY_PATHSPECS, classify
from scanner.gitsafe import GitError, run_git, stream_git
from scanner.model import FileKind

# A NUL cannot start a patch line, so a line starting with one is always our commit header.
_COMMIT_FORMAT = "%x00%H%x00%an%x00%ae%x00%aI"
_HUNK = re.compile(rb"@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_DIFF_HEADER = b"diff --git "
_C_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("t"): 9,
    ord("n"): 10,
    ord("v"): 11,
    ord("f"): 12,
    ord("r"): 13,
    ord('"'): 34,
    ord("\\"): 92,
}


@dataclass(frozen=True)
class HistoryChange:
    """The lines one commit added to one candidate file."""

    commit: str
    author_name: str
    author_email: str
    author_date: str  # strict ISO 8601, with the author's offset
    path: str  # POSIX, relative to the top of the work tree
    kind: FileKind
    added_lines: tuple[tuple[int, str], ...]  # (1-based line in the new file, text without EOL)
    binary: bool = False  # git saw a binary file (UTF-16 text included): no lines


@dataclass(frozen=True)
class _Commit:
    sha: str
    author_name: str
    author_email: str
    author_date: str


def _unquote(token: bytes) -> tuple[bytes, bytes]:
    """(path, rest) for a C-quoted token `"..."` at the start of `token`, as git writes them."""
    out = bytearray()
    index = 1
    while index < len(token):
        byte = token[index]
        if byte == ord('"'):
            return bytes(out), token[index + 1 :]
        if byte == ord("\\") and index + 1 < len(token):
            following = token[index + 1]
            if ord("0") <= following <= ord("7"):
                out.append(int(token[index + 1 : index + 4], 8) & 0xFF)
                index += 4
                continue
            out.append(_C_ESCAPES.get(following, following))
            index += 2
            continue
        out.append(byte)
        index += 1
    return bytes(out), b""


def _header_path(line: bytes) -> str | None:
    """The path of a `diff --git a/P b/P` header. Without renames both sides are the same P."""
    rest = line[len(_DIFF_HEADER) :].rstrip(b"\n")
    if rest.startswith(b'"'):
        first, _ = _unquote(rest)
        raw = first[2:] if first.startswith(b"a/") else None
    elif rest.startswith(b"a/") and (len(rest) - 5) % 2 == 0:
        size = (len(rest) - 5) // 2
        raw = rest[2 : 2 + size] if rest[2 + size : 2 + size + 3] == b" b/" else None
    else:
        raw = None
    return None if raw is None else raw.decode("utf-8", "surrogateescape")


def _decode_line(raw: bytes) -> str:
    return raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8", "replace")


class _Parser:
    """Turns `git log -p -U0` lines into HistoryChange records, one commit at a time."""

    def __init__(self) -> None:
        self.commit: _Commit | None = None
        self.path: str | None = None
        self.kind: FileKind | None = None
        self.binary = False
        self.lines: list[tuple[int, str]] = []
        self.done: list[HistoryChange] = []  # of the current commit
        self.old_left = 0
        self.new_left = 0
        self.new_line = 0

    def _close_file(self) -> None:
        commit, path, kind = self.commit, self.path, self.kind
        if commit is not None and path is not None and kind is not None and (self.lines or self.binary):
            self.done.append(
                HistoryChange(
                    commit=commit.sha,
                    author_name=commit.author_name,
                    author_email=commit.author_email,
                    author_date=commit.author_date,
                    path=path,
                    kind=kind,
                    added_lines=tuple(self.lines),
                    binary=self.binary,
                )
            )
        self.path = self.kind = None
        self.binary = False
        self.lines = []
        self.old_left = self.new_left = 0

    def finish_commit(self) -> list[HistoryChange]:
        """The changes of the commit read so far, by path (diff.orderFile cannot reorder them)."""
        self._close_file()
        changes = sorted(self.done, key=lambda change: change.path)
        self.done = []
        return changes

    def feed(self, line: bytes) -> list[HistoryChange]:
        if self.old_left > 0 or self.new_left > 0:
            if self._hunk_line(line):
                return []
            self.old_left = self.new_left = 0  # malformed hunk: resynchronise on headers
        if line.startswith(b"\0"):
            changes = self.finish_commit()
            fields = line.rstrip(b"\n").split(b"\0")
            texts = [field.decode("utf-8", "replace") for field in fields[1:]]
            if len(texts) >= 4:
                self.commit = _Commit(texts[0], texts[1], texts[2], texts[-1])
            else:
                self.commit = None
            return changes
        if line.startswith(_DIFF_HEADER):
            self._close_file()
            self.path = _header_path(line)
            self.kind = classify(self.path) if self.path is not None else None
        elif line.startswith(b"@@ "):
            match = _HUNK.match(line)
            if match is not None:
                old_count, new_start, new_count = match.groups()
                self.old_left = 1 if old_count is None else int(old_count)
                self.new_left = 1 if new_count is None else int(new_count)
                self.new_line = int(new_start)
        elif line.startswith(b"Binary files ") or line.startswith(b"GIT binary patch"):
            self.binary = True
        return []

    def _hunk_line(self, line: bytes) -> bool:
        first = line[:1]
        if first == b"+" and self.new_left > 0:
            if self.kind is not None:
                self.lines.append((self.new_line, _decode_line(line[1:])))
            self.new_line += 1
            self.new_left -= 1
        elif first == b"-" and self.old_left > 0:
            self.old_left -= 1
        elif first in (b" ", b"\n") and self.old_left > 0 and self.new_left > 0:
            # Context between fused hunks; diff.suppressBlankEmpty writes it as an empty line.
            self.old_left -= 1
            self.new_left -= 1
            self.new_line += 1
        elif first == b"\\":
            pass  # "\ No newline at end of file"
        else:
            return False
        return True


def _resolve_commit(repo_root: Path, revision: str) -> str | None:
    if revision.startswith("-"):
        return None  # never let a revision be read as an option
    try:
        out = run_git(repo_root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except GitError:
        return None
    return out.decode("ascii", "replace").strip() or None


def _log_args(revisions: list[str]) -> list[str]:
    return [
        "log",
        "-p",
        "--no-ext-diff",
        "--no-textconv",
        "--no-color",
        "--no-renames",
        "--no-show-signature",
        "--root",  # log.showRoot=false must not hide the first commit's files
        "--reverse",
        "-U0",
        "--inter-hunk-context=0",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--encoding=UTF-8",
        f"--format={_COMMIT_FORMAT}",
        *revisions,
        "--",
        *HISTORY_PATHSPECS,
    ]


def iter_history(
    repo_root: Path, *, since: str | None = None, all_branches: bool = False
) -> Generator[HistoryChange, None, None]:
    """Every commit's added lines in candidate files, oldest first (git's --reverse order).

    `since` is a revision (commit, tag, branch): only commits not reachable from it are read
    (`since..HEAD`). `all_branches` reads every ref instead of HEAD. A repository without
    commits yields nothing. In a shallow clone the oldest available commit shows its files as
    added. Merge commits show no diff (what they bring is read on the branch that made it).
    Raises DiscoveryError when `repo_root` is not a repository or `since` is not a commit.
    """
    repo_root = Path(repo_root)
    try:
        run_git(repo_root, "rev-parse", "--git-dir")
    except GitError as error:
        raise DiscoveryError(f"history needs a git repository: {error}") from None
    revisions: list[str] = ["--all"] if all_branches else []
    if not all_branches:
        head = _resolve_commit(repo_root, "HEAD")
        if head is None:
            return  # no commits yet
        revisions.append(head)
    if since is not None:
        base = _resolve_commit(repo_root, since)
        if base is None:
            raise DiscoveryError(f"--since {since!r} is not a commit in this repository")
        revisions.append(f"^{base}")
    parser = _Parser()
    try:
        for line in stream_git(repo_root, *_log_args(revisions)):
            yield from parser.feed(line)
    except GitError as error:
        raise DiscoveryError(f"cannot read the history: {error}") from None
    yield from parser.finish_commit()
