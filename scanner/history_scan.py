"""`ccpolicy scan --history`: judge every commit's changes to candidate files.

One pass over the history (scanner.discovery.history.iter_history_versions: one `git log`
stream and one `git cat-file --batch`, through scanner.gitsafe, so nothing configured in the
repository runs and nothing is written), oldest commit first. Two books are kept along the way,
each only for a rule the policy selects:

- secrets (CCP403): each credential is recorded at its first appearance, recognised again in
  later commits and other files by a SHA-256 digest kept in memory only, and followed until a
  commit removes it from every file that held it. At the end the working tree is read (the
  files the secret was seen in) to tell "still here" from "removed in <commit>".
- protections (CCP110): each changed file's previous and new versions are parsed and compared
  (scanner.checks.history.turned_off). A protection removed from one file and switched on in
  another file in the same commit was moved, not turned off (renames show as delete + add).

Files are parsed only when a cheap text test says they may matter, and the parse of a file's
new version is reused as the next commit's old version, so the cost follows the candidate
changes, not the history's length times its files. Parses are also kept between runs, by blob
id (scanner.parsecache), except of versions that may hold a credential. The books hand their
evidence to the registered checks (scanner.checks.history) through the ordinary engine, so
severities, fingerprints, waivers and baselines work as in any scan.

Findings are per secret (CCP403) and per commit x file x protection (CCP110). Merge commits
show nothing of their own (what they bring is read in the commits that made it). Paths are
relative to the PATH given; a subdirectory limits the scan to the files under it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from scanner.catalogue.model import Rule
from scanner.checks import PROTECTIONS_CHECK, SECRETS_CHECK, reads_history
from scanner.checks.base import CheckInput
from scanner.checks.cloud_credentials import AWS_SECRET
from scanner.checks.history import (
    CommitInfo,
    Guard,
    HistoryEvidence,
    Presence,
    ProtectionChange,
    ProtectionEvidence,
    SecretEvidence,
    SecretHit,
    may_hold_protection,
    may_hold_secret,
    protection_projection,
    protections_on,
    same_protections_by_lines,
    secrets_in,
    turned_off,
)
from scanner.discovery import DiscoveryError
from scanner.discovery.history import HistoryVersion, iter_history_versions
from scanner.engine import evaluate
from scanner.errors import UsageError
from scanner.gitsafe import GitError, run_git
from scanner.inputs import excluded
from scanner.knowledge import KnowledgeBase
from scanner.knowledge import load as load_kb
from scanner.model import FileKind, Notification, ParsedFile
from scanner.parsecache import ParseCache
from scanner.report.model import ScanResult
from scanner.scan import ScanOptions, repo_prefix
from scanner.sources.registry import parse_file

HISTORY_CATEGORY = "history"


def history_rules(rules: Iterable[Rule]) -> tuple[Rule, ...]:
    """The rules a history scan runs: those whose check reads the history."""
    return tuple(sorted((r for r in rules if reads_history(r)), key=lambda r: r.id))


# ------------------------------------------------------------------------------------------
# One changed file in one commit, parsed on demand
# ------------------------------------------------------------------------------------------


class _Version:
    """One version of one file, and what was worked out about it so far."""

    __slots__ = (
        "_parsed",
        "_parses",
        "_projected",
        "_projection",
        "_protections",
        "blob",
        "kind",
        "path",
        "text",
    )

    def __init__(self, path: str, kind: FileKind, blob: str, text: str, parses: ParseCache | None) -> None:
        self.path = path
        self.kind = kind
        self.blob = blob
        self.text = text
        self._parses = parses
        self._parsed: ParsedFile | None = None
        self._protections: dict[str, Guard] | None = None
        self._projection: str | None = None
        self._projected = False

    def parsed(self) -> ParsedFile:
        if self._parsed is None:
            key = (self.path, self.kind, self.blob)
            parsed = self._parses.get(key) if self._parses is not None else None
            if parsed is None:
                parsed = parse_file(self.path, self.text, self.kind)
                if self._parses is not None:
                    self._parses.put(key, parsed)
            self._parsed = parsed
        return self._parsed

    def protections(self, kb: KnowledgeBase) -> dict[str, Guard]:
        if self._protections is None:
            self._protections = protections_on(self.parsed(), kb)
        return self._protections

    def projection(self, kb: KnowledgeBase) -> str | None:
        """protection_projection of this version, computed once."""
        if not self._projected:
            self._projected = True
            self._projection = protection_projection(self.kind, self.text, kb)
        return self._projection


class _VersionCache:
    """The last two versions of each path: a commit's old version is the previous commit's new
    one, so each version is parsed (and judged) at most once."""

    _KEEP = 2

    def __init__(self, parses: ParseCache | None = None) -> None:
        self._by_path: dict[str, dict[str, _Version]] = {}
        self._parses = parses  # the versions earlier history scans parsed, by blob id

    def get(self, path: str, kind: FileKind, blob: str, text: str) -> _Version:
        versions = self._by_path.setdefault(path, {})
        version = versions.get(blob)
        if version is None:
            version = _Version(path, kind, blob, text, self._parses)
            versions[blob] = version
            while len(versions) > self._KEEP:
                del versions[next(iter(versions))]
        return version


class _Revision:
    __slots__ = ("_added", "_added_text", "cache", "commit", "path", "version")

    def __init__(self, commit: CommitInfo, path: str, version: HistoryVersion, cache: _VersionCache) -> None:
        self.commit = commit
        self.path = path  # relative to the scan root
        self.version = version
        self.cache = cache
        self._added: frozenset[int] | None = None
        self._added_text = ""

    @property
    def unreadable(self) -> bool:
        """The new version exists but could not be read (binary, too large, missing)."""
        return self.version.new_text is None and not self.version.deleted

    def added(self) -> frozenset[int]:
        """Numbers of the lines this commit added to the file."""
        if self._added is None:
            lines = self.version.added_lines()
            self._added = frozenset(number for number, _ in lines)
            self._added_text = "\n".join(text for _, text in lines)
        return self._added

    def added_text(self) -> str:
        self.added()
        return self._added_text

    def old_version(self) -> _Version | None:
        version = self.version
        if version.old_text is None or version.old_blob is None:
            return None
        return self.cache.get(self.path, version.kind, version.old_blob, version.old_text)

    def new_version(self) -> _Version | None:
        version = self.version
        if version.new_text is None or version.new_blob is None:
            return None
        return self.cache.get(self.path, version.kind, version.new_blob, version.new_text)

    def old(self) -> ParsedFile | None:
        found = self.old_version()
        return None if found is None else found.parsed()

    def new(self) -> ParsedFile | None:
        found = self.new_version()
        return None if found is None else found.parsed()


# ------------------------------------------------------------------------------------------
# CCP403's book: every secret, from its first appearance to its removal
# ------------------------------------------------------------------------------------------


class _Secret:
    __slots__ = ("first", "hit", "holders", "occurrence", "removed_in", "seen_in")

    def __init__(self, hit: SecretHit, first: CommitInfo, occurrence: int) -> None:
        self.hit = hit
        self.first = first
        self.occurrence = occurrence
        self.holders: set[str] = set()  # paths holding it after the last commit read
        self.seen_in: set[str] = set()  # every path it was ever in
        self.removed_in: CommitInfo | None = None


class _SecretBook:
    def __init__(self) -> None:
        self._secrets: dict[bytes, _Secret] = {}  # digest -> secret, in first-appearance order
        self._held: dict[str, set[bytes]] = {}  # path -> digests it holds now
        # path -> the lines those secrets are on (in memory only, like the file's text itself)
        self._lines: dict[str, set[str]] = {}
        self.kinds: dict[str, FileKind] = {}

    def feed(self, rev: _Revision) -> None:
        held = self._held.get(rev.path)
        if held is None and not self._may_add(rev):
            return  # nothing known here, and nothing that could be new
        if rev.unreadable:
            return  # the notification says so; what was known stays as it was
        if held is not None and self._keeps_its_lines(rev) and not self._may_add(rev):
            return  # the lines holding its secrets are all still there, and nothing was added
        parsed = rev.new()
        now: set[bytes] = set()
        occurrence = 0
        hits = secrets_in(parsed) if parsed is not None else []
        for hit in hits:
            secret = self._secrets.get(hit.digest)
            if secret is None:
                if hit.location.line not in rev.added():
                    continue  # there before the first commit read (--since): not this scan's
                occurrence += 1
                secret = _Secret(hit, rev.commit, occurrence)
                self._secrets[hit.digest] = secret
            now.add(hit.digest)
            secret.holders.add(rev.path)
            secret.seen_in.add(rev.path)
            secret.removed_in = None
        for digest in (held or set()) - now:
            secret = self._secrets[digest]
            secret.holders.discard(rev.path)
            if not secret.holders:
                secret.removed_in = rev.commit
        if now:
            self._held[rev.path] = now
            self.kinds[rev.path] = rev.version.kind
            lines = (parsed.text or "").splitlines() if parsed is not None else []
            self._lines[rev.path] = {
                lines[hit.location.line - 1]
                for hit in hits
                if hit.digest in now and 0 < hit.location.line <= len(lines)
            }
        else:
            self._held.pop(rev.path, None)
            self._lines.pop(rev.path, None)

    def _keeps_its_lines(self, rev: _Revision) -> bool:
        text = rev.version.new_text
        if text is None:
            return False
        present = set(text.splitlines())
        return self._lines.get(rev.path, {""}) <= present

    @staticmethod
    def _may_add(rev: _Revision) -> bool:
        """Can this change add a secret? Only through an added line that names a credential or
        has one's format, or (an AWS secret next to an older key id) in a file with a key id."""
        text = rev.version.new_text
        if text is None or not may_hold_secret(text) or not rev.added():
            return False
        added = rev.added_text()
        if may_hold_secret(added):
            return True
        return ("AKIA" in text or "ASIA" in text) and AWS_SECRET.search(added) is not None

    def evidence(self, in_working_tree: Callable[[str], set[bytes]] | None) -> tuple[SecretEvidence, ...]:
        """Every secret; `in_working_tree(path)` gives the digests in that file now (None: no
        working tree)."""
        found: list[SecretEvidence] = []
        for digest, secret in self._secrets.items():
            removed_in = None
            still_in: tuple[str, ...] = ()
            if in_working_tree is not None:
                still_in = tuple(path for path in sorted(secret.seen_in) if digest in in_working_tree(path))
            if in_working_tree is None:
                presence = Presence.UNKNOWN
            elif still_in:
                presence = Presence.IN_WORKING_TREE
            elif secret.removed_in is not None and not secret.holders:
                presence, removed_in = Presence.REMOVED, secret.removed_in
            else:
                presence = Presence.GONE
            found.append(
                SecretEvidence(secret.hit, secret.first, secret.occurrence, presence, removed_in, still_in)
            )
        return tuple(found)


class _WorkingTree:
    """Digests of the secrets in working-tree files, read once each."""

    def __init__(self, root: Path, kinds: dict[str, FileKind]) -> None:
        self.root = root
        self.kinds = kinds
        self._digests: dict[str, set[bytes]] = {}

    def __call__(self, path: str) -> set[bytes]:
        if path not in self._digests:
            from scanner.discovery.read import read_text

            text, _note = read_text(self.root, path)
            kind = self.kinds.get(path)
            digests: set[bytes] = set()
            if text is not None and kind is not None and may_hold_secret(text):
                digests = {hit.digest for hit in secrets_in(parse_file(path, text, kind))}
            self._digests[path] = digests
        return self._digests[path]


# ------------------------------------------------------------------------------------------
# CCP110's book: protections each commit turned off
# ------------------------------------------------------------------------------------------


class _ProtectionBook:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._commit: str | None = None
        self._revisions: list[_Revision] = []  # the current commit's, when they may matter
        self._found: list[ProtectionEvidence] = []

    def feed(self, rev: _Revision) -> None:
        if rev.commit.sha != self._commit:
            self._close_commit()
            self._commit = rev.commit.sha
        old, new = rev.version.old_text, rev.version.new_text
        if any(text is not None and may_hold_protection(text, self.kb) for text in (old, new)):
            self._revisions.append(rev)

    def evidence(self) -> tuple[ProtectionEvidence, ...]:
        self._close_commit()
        return tuple(self._found)

    def _close_commit(self) -> None:
        revisions, self._revisions = self._revisions, []
        lost: list[tuple[_Revision, ProtectionChange]] = []
        for rev in revisions:
            old = rev.old_version()
            if old is None or rev.unreadable or not may_hold_protection(old.text, self.kb):
                continue
            new = rev.new_version()
            if new is not None and self._unchanged(old, new):
                continue  # the same protections, known without parsing either version
            before = old.protections(self.kb)
            if not before:
                continue
            after = new.protections(self.kb) if new is not None else {}
            changes = turned_off(
                old.parsed(), None if new is None else new.parsed(), self.kb, before=before, after=after
            )
            lost.extend((rev, change) for change in changes)
        if not lost:
            return
        gained = self._gained(revisions)
        for rev, change in lost:
            if any(key == change.key and path != rev.path for path, key in gained):
                continue  # moved to another file in the same commit
            self._found.append(ProtectionEvidence(rev.commit, change))

    def _unchanged(self, old: _Version, new: _Version) -> bool:
        projection = old.projection(self.kb)
        if projection is not None:
            return projection == new.projection(self.kb)
        return same_protections_by_lines(old.kind, old.text, new.text, self.kb)

    def _gained(self, revisions: list[_Revision]) -> set[tuple[str, str]]:
        """(path, key) of every protection a file of this commit switched on."""
        gained: set[tuple[str, str]] = set()
        for rev in revisions:
            new = rev.new_version()
            if new is None or not may_hold_protection(new.text, self.kb):
                continue
            old = rev.old_version()
            before = old.protections(self.kb) if old is not None else {}
            gained.update((rev.path, key) for key in new.protections(self.kb).keys() - before.keys())
        return gained


# ------------------------------------------------------------------------------------------
# The scan
# ------------------------------------------------------------------------------------------


def _inside_work_tree(root: Path) -> bool:
    try:
        return run_git(root, "rev-parse", "--is-inside-work-tree").strip() == b"true"
    except GitError:
        return False


class _Stream:
    """What the pass over the history saw, besides the books."""

    __slots__ = ("changes", "commits", "notes", "paths")

    def __init__(self) -> None:
        self.notes: list[Notification] = []
        self.paths: set[str] = set()
        self.commits = 0
        self.changes = 0


def _read_history(
    root: Path,
    prefix: str,
    books: Sequence[_SecretBook | _ProtectionBook],
    *,
    since: str | None,
    all_branches: bool,
    exclude: Sequence[str] = (),
    parses: ParseCache | None = None,
) -> _Stream:
    stream = _Stream()
    cache = _VersionCache(parses)
    commit: CommitInfo | None = None
    try:
        for version in iter_history_versions(root, since=since, all_branches=all_branches):
            if not version.path.startswith(prefix):
                continue
            path = version.path[len(prefix) :]
            if exclude and excluded(path, exclude):
                continue
            if commit is None or commit.sha != version.commit:
                commit = CommitInfo(
                    version.commit, version.author_name, version.author_email, version.author_date
                )
                stream.commits += 1
            stream.paths.add(path)
            stream.changes += 1
            if version.notification is not None:
                stream.notes.append(version.notification._replace(path=path))
            rev = _Revision(commit, path, version, cache)
            for book in books:
                book.feed(rev)
    except DiscoveryError as error:
        raise UsageError(f"{root}: {error}") from None
    return stream


def scan_history(
    root: Path, options: ScanOptions, *, since: str | None = None, all_branches: bool = False
) -> ScanResult:
    """Judge the history of the repository holding `root` (files under `root` only)."""
    kb = load_kb()
    rules = history_rules(options.rules)
    registered = {r.check.get("registered") for r in rules}
    secrets = _SecretBook() if SECRETS_CHECK in registered else None
    protections = _ProtectionBook(kb) if PROTECTIONS_CHECK in registered else None
    books = [book for book in (secrets, protections) if book is not None]
    prefix = repo_prefix(root)
    stream = _Stream()
    # Only when the history is read: an unread history would leave the cache of the last one empty.
    parses = ParseCache(root, "history") if books else None
    if books:
        stream = _read_history(
            root,
            prefix,
            books,
            since=since,
            all_branches=all_branches,
            exclude=options.exclude,
            parses=parses,
        )
    else:
        stream.notes.append(
            Notification(
                "warning",
                "the policy selects no history rule (CCP110, CCP403): the history was not read",
                None,
                None,
                "no-history-rules",
            )
        )
    history = HistoryEvidence(
        secrets=secrets.evidence(_WorkingTree(root, secrets.kinds) if _inside_work_tree(root) else None)
        if secrets is not None
        else (),
        protections=protections.evidence() if protections is not None else (),
    )
    if parses is not None:
        parses.save()  # the books have parsed all they will
    check_input = CheckInput(
        files=(),
        contexts=(),
        kb=kb,
        params=options.params,
        is_git=True,
        root=str(root),
        history=history,
    )
    findings, rule_notes = evaluate(rules, check_input, severity_overrides=options.severity_overrides)
    notes = sorted(set(stream.notes + rule_notes), key=lambda n: (n.path or "", n.line or 0, n.message))
    return ScanResult(
        root=str(root),
        findings=tuple(findings),
        notifications=tuple(notes),
        rules=rules,
        files_scanned=len(stream.paths),
        category=HISTORY_CATEGORY,
        fail_on=options.fail_on,
        extra={
            # No "texts": a finding's line is in an old version of its file, so neither
            # snippets nor inline ignores from today's file apply to it.
            "repo_prefix": prefix,
            "history": {"commits": stream.commits, "changes": stream.changes},
        },
    )


def scan_history_targets(
    paths: Sequence[str], options: ScanOptions, *, since: str | None = None, all_branches: bool = False
) -> list[tuple[str, ScanResult]]:
    """One result per PATH (default `.`), as `ccpolicy scan --history [PATH...]` reports them."""
    results: list[tuple[str, ScanResult]] = []
    for raw in paths or ["."]:
        root = Path(raw)
        if not root.exists():
            raise UsageError(f"{raw}: no such file or directory")
        if not root.is_dir():
            raise UsageError(f"{raw}: not a directory")
        results.append((raw, scan_history(root.resolve(), options, since=since, all_branches=all_branches)))
    return results
