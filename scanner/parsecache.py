"""Parsed configuration files kept between runs, keyed by their content.

A commit usually changes a few configuration files out of the repository's hundreds, yet a scan
judges all of them (a context spans several files). Parsing is a pure function of the file's
path, kind and content, so the previous run's parse of unchanged content is reused and only
changed files are parsed. Three sources, each with its own file per scanned directory:

  index     staged scans (pre-commit); the key names content by its git blob id, so an unchanged
            blob is not even read from git.
  worktree  scans of a directory on disk; every file is still read (and its decoding noted), and
            the key names the decoded text by its SHA-256.
  history   history scans: the versions of files the history rules parsed, by blob id (each
            blob is still read from git: the rules look at its lines too).

A file holds the entries its directory's last run used, so it never grows past the directory's
candidate files, and at most MAX_FILES such files are kept (the least recently written go
first), so scanning many directories does not fill the disk. The cache is tied to the parser
code: a different ccpolicy version, or any change to a module or data file of the installed
package (an editable install being edited), makes every entry stale. Entries are pickled
ParsedFile objects. Pickle runs code when it loads, so a cache file is loaded only when it and
its folder belong to the current user and nobody else can write them; anything unexpected
reads as an empty cache. The keys are kept apart from the pickled parses (see ParseCache).

A parse holds the file's text, so a file that may hold a credential (a literal value for a
variable named like a secret, or a key format in its text) is never written to the cache: a
secret must not outlive its removal from the repository in a copy under ~/.cache. Such files
are read and parsed on every run.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import re
from pathlib import Path

from scanner import __version__, regexcache
from scanner.cachedir import cache_folder, load_pickled, store_pickled
from scanner.digest import sha256
from scanner.model import FileKind, ObservationKind, ParsedFile, ValueKind

FORMAT = 2  # (signature, (keys, the pickled parses by key))
MAX_FILES = 64
# The package's own files: any change to them may change what a parser produces.
_PACKAGE = Path(__file__).resolve().parent
_SOURCE_SUFFIXES = (".py", ".toml")

# (path relative to the scan root, kind, content id: the blob id, or text_id for the work tree)
Key = tuple[str, FileKind, str]
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Literal

    Source = Literal["index", "worktree", "history"]

# Deliberately broad: a false alarm costs one parse, a miss would copy a secret.
_SECRET_NAME = regexcache.compile(
    r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|PRIVATE|SESSION|COOKIE|HEADER", re.IGNORECASE
)
_SECRET_TEXT = regexcache.compile(
    r"sk-ant-|(?:AKIA|ASIA)[0-9A-Z]{12}|PRIVATE KEY|gh[opsu]_[A-Za-z0-9]{20}|Bearer\s|Basic\s"
    r"|://[^/\s:@]+:[^/\s@]+@"  # a URL with a password
)


def may_hold_secret(parsed: ParsedFile) -> bool:
    """True when the file might contain a credential; such a parse is not cached."""
    if parsed.text is not None and _SECRET_TEXT.search(parsed.text):
        return True
    for obs in parsed.observations:
        if obs.kind is ObservationKind.UNSET or obs.value_kind is ValueKind.REFERENCE:
            continue
        if obs.value not in (None, "", True, False) and _SECRET_NAME.search(obs.name):
            return True
    return False


@functools.cache
def code_signature() -> str:
    """ccpolicy's version and the size and modification time of every module and data file
    (the rule files included); worked out once per process (a fleet scan opens a cache per repository)."""
    digest = sha256(f"ccpolicy {__version__} parse cache {FORMAT}\0".encode())
    for folder, names in sorted(_package_files()):
        for name in names:
            try:
                info = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            digest.update(
                f"{folder}/{name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode("utf-8", "surrogateescape")
            )
    return digest.hexdigest()


def _package_files() -> list[tuple[str, list[str]]]:
    from scanner.catalogue.load import rules_dir

    found = []
    rules = rules_dir().resolve()  # in the package when installed, beside it in a checkout
    for top in (_PACKAGE,) if _PACKAGE in rules.parents else (_PACKAGE, rules):
        for folder, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            found.append((folder, sorted(f for f in files if f.endswith(_SOURCE_SUFFIXES))))
    return found


def cache_file(scan_root: Path | str, source: Source = "index") -> Path | None:
    """Where the parses of `source` runs of `scan_root` are kept (None when caching is off)."""
    folder = cache_folder("parsed")
    if folder is None:
        return None
    name = os.fsencode(os.path.realpath(scan_root))
    if source != "index":  # the staged cache keeps the name it always had
        name += f"\0{source}".encode()
    return folder / f"{sha256(name).hexdigest()}.pickle"


def text_id(text: str) -> str:
    """The content id of a work tree file's decoded text."""
    return sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class ParseCache:
    """The parses of one scan root's last run from `source`; `save` keeps exactly the entries used.

    The file holds the keys apart from the pickled parses, so that knowing what is cached costs
    no unpickling of parses: `reuse` marks an entry used without unpacking it (scanner.forkedread's
    child, which leaves the unpacking to the parent), `get` unpacks them all on first use.
    """

    def __init__(self, scan_root: Path, source: Source = "index") -> None:
        self._file = cache_file(scan_root, source)
        self._signature = code_signature() if self._file is not None else ""
        self._keys, self._packed = self._load()
        self._unpacked: dict[Key, ParsedFile] | None = None
        self._reused: dict[Key, None] = {}  # in the order used
        self._fresh: dict[Key, ParsedFile] = {}

    def _load(self) -> tuple[frozenset[Key], bytes]:
        kept = load_pickled(self._file, self._signature) if self._file is not None else None
        if isinstance(kept, tuple) and len(kept) == 2:
            keys, packed = kept
            if isinstance(keys, tuple) and isinstance(packed, bytes):
                try:
                    return frozenset(keys), packed
                except TypeError:  # unhashable: not a file this wrote
                    pass
        return frozenset(), b""  # a missing, truncated or foreign file is an empty cache

    def _entries(self) -> dict[Key, ParsedFile]:
        if self._unpacked is None:
            try:
                entries = pickle.loads(self._packed) if self._packed else {}
            except Exception:
                entries = {}
            self._unpacked = {
                key: parsed
                for key, parsed in (entries.items() if isinstance(entries, dict) else ())
                if key in self._keys
                and isinstance(parsed, ParsedFile)
                and parsed.path == key[0]
                and parsed.kind is key[1]
            }
        return self._unpacked

    def unpack(self) -> None:
        """Unpack the parses now rather than at the first `get` (while waiting for something)."""
        self._entries()

    def reuse(self, key: Key) -> bool:
        """Whether the cache holds `key`: then it is used, and stays packed until `get` or `save`."""
        if key in self._keys:
            self._reused[key] = None
            return True
        return False

    def get(self, key: Key) -> ParsedFile | None:
        parsed = self._entries().get(key) if key in self._keys else None
        if parsed is not None:
            self._reused[key] = None
        return parsed

    def put(self, key: Key, parsed: ParsedFile) -> None:
        if not may_hold_secret(parsed):
            self._fresh[key] = parsed

    def save(self) -> None:
        """Write the entries this run used, when they differ from what was loaded."""
        # The same keys mean the same parses: a key names the content, and the code is the same.
        # (A key parsed afresh had no usable parse in the file: that file is rewritten.)
        if self._file is None or (not self._fresh and self._reused.keys() == self._keys):
            return
        old = self._entries() if self._reused else {}
        used = {key: old[key] for key in self._reused if key in old} | self._fresh
        try:
            packed = pickle.dumps(used, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # an unpicklable fact is a cache miss next time, not an error now
            return
        store_pickled(self._file, self._signature, (tuple(used), packed))
        _prune(self._file.parent, keep=self._file.name)


def _prune(folder: Path, *, keep: str) -> None:
    """Remove the least recently written cache files past MAX_FILES (never `keep`)."""
    try:
        names = [name for name in os.listdir(folder) if name.endswith(".pickle")]
        if len(names) <= MAX_FILES:
            return
        written = sorted(names, key=lambda name: os.stat(folder / name).st_mtime_ns, reverse=True)
    except OSError:  # another run pruned at the same time
        return
    for name in written[MAX_FILES:]:
        if name != keep:
            with contextlib.suppress(OSError):
                os.unlink(folder / name)
