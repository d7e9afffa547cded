"""Which files are candidates, and of what kind, decided from the relative path alone.

`classify` looks the basename up in dictionaries first and reaches a regular expression only
after a cheap literal test has matched (about a microsecond per path). That is still too slow
for every file of a large repository, so `prefilter()` states, from the same tables, literal
clues every candidate path carries; the git listing (listing.py) turns them into one regular
expression over git's whole output and calls `classify` only on the entries it picks out. The
tables are public so that host discovery can reuse them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from scanner import regexcache
from scanner.model import FileKind
from scanner.records import NamedTuple

CLAUDE_DIR = ".claude"
# Directories that hold a copy of ~/.claude in a dotfiles repository (plain, chezmoi): their
# settings files are recognised but Claude Code does not read them from there.
DOTFILES_CLAUDE_DIRS: frozenset[str] = frozenset({"claude", "dot_claude", "private_dot_claude"})
MANAGED_DROPIN_DIR = "managed-settings.d"

# Suffixes people give settings files they do not want read.
INERT_SUFFIXES: tuple[str, ...] = (
    "example",
    "sample",
    "template",
    "tmpl",
    "tpl",
    "dist",
    "bak",
    "orig",
    "default",
    "old",
    "backup",
)
_INERT_SUFFIX = "(?:c|\\.(?:" + "|".join(INERT_SUFFIXES) + "))?"
# What a name matching `\.json` + _INERT_SUFFIX ends with.
_JSON_ENDINGS: tuple[str, ...] = (".json", ".jsonc", *(f".json.{suffix}" for suffix in INERT_SUFFIXES))

SHELL_DOTFILES: frozenset[str] = frozenset(
    {
        ".bashrc",
        ".bash_profile",
        ".bash_login",
        ".bash_aliases",
        ".profile",
        ".zshrc",
        ".zshenv",
        ".zprofile",
        ".zlogin",
        ".kshrc",
        # The same files as kept without the dot in dotfiles repositories.
        "bashrc",
        "bash_profile",
        "bash_login",
        "bash_aliases",
        "zshrc",
        "zshenv",
        "zprofile",
        "zlogin",
        "kshrc",
    }
)
CSH_DOTFILES: frozenset[str] = frozenset({".cshrc", ".tcshrc", ".login", "cshrc", "tcshrc"})

# Candidates wherever they are, by exact basename.
KIND_BY_BASENAME: Mapping[str, FileKind] = {
    "managed-settings.json": FileKind.SETTINGS_MANAGED,
    "managed-mcp.json": FileKind.MANAGED_MCP,
    ".mcp.json": FileKind.MCP,
    ".env": FileKind.DOTENV,
    ".envrc": FileKind.ENVRC,
    "config.fish": FileKind.FISH,
    "Dockerfile": FileKind.DOCKERFILE,
    "dockerfile": FileKind.DOCKERFILE,
    "Containerfile": FileKind.DOCKERFILE,
    "devcontainer.json": FileKind.DEVCONTAINER,
    ".devcontainer.json": FileKind.DEVCONTAINER,
    "claude-settings.json": FileKind.SETTINGS_INERT,
    **dict.fromkeys(SHELL_DOTFILES, FileKind.SHELL),
    **dict.fromkeys(CSH_DOTFILES, FileKind.CSH),
}

# Candidates only directly inside a directory of that name: (directory name, basename).
KIND_BY_PARENT_AND_BASENAME: Mapping[tuple[str, str], FileKind] = {
    (CLAUDE_DIR, "settings.json"): FileKind.SETTINGS_PROJECT,
    (CLAUDE_DIR, "settings.local.json"): FileKind.SETTINGS_LOCAL,
    (CLAUDE_DIR, "remote-settings.json"): FileKind.SETTINGS_REMOTE,
    ("etc", "profile"): FileKind.SHELL,
    ("etc", "environment"): FileKind.SHELL,
}

# By the text after the last dot of the basename, lower-cased (never a leading dot alone).
KIND_BY_EXTENSION: Mapping[str, FileKind] = {
    ".sh": FileKind.SHELL,
    ".bash": FileKind.SHELL,
    ".zsh": FileKind.SHELL,
    ".ksh": FileKind.SHELL,
    ".fish": FileKind.FISH,
    ".csh": FileKind.CSH,
    ".tcsh": FileKind.CSH,
    ".ps1": FileKind.POWERSHELL,
    ".psm1": FileKind.POWERSHELL,
    ".dockerfile": FileKind.DOCKERFILE,
    ".env": FileKind.DOTENV,  # prod.env, app.env: compose env_file and systemd EnvironmentFile
}


class PatternRule(NamedTuple):
    """A basename pattern, tried after the dictionaries, in table order.

    `needle` is a literal the basename must contain before `pattern` (a full match) is tried;
    `parents`, when set, are the names the containing directory must have; `grandparent`, the
    name of the directory above that. `starts` and `ends`, when set, are literals the basename
    must start (end) with one of: what `pattern` implies, stated so that `prefilter()` can use it
    and enforced here so that the prefilter stays right if a pattern is loosened.
    """

    kind: FileKind
    needle: str
    pattern: re.Pattern[str]
    parents: frozenset[str] | None = None
    grandparent: str | None = None
    starts: tuple[str, ...] = ()
    ends: tuple[str, ...] = ()

    def accepts(self, base: str, parent: str, above: str) -> bool:
        """`above` is the part of the path before the parent directory ("" when none)."""
        if self.needle not in base:
            return False
        if self.parents is not None and parent not in self.parents:
            return False
        if self.grandparent is not None and above.rsplit("/", 1)[-1] != self.grandparent:
            return False
        if self.starts and not base.startswith(self.starts):
            return False
        if self.ends and not base.endswith(self.ends):
            return False
        return self.pattern.fullmatch(base) is not None


# `dockerfile.py`, `Dockerfile.md`, `containerfile_test.go`: source and docs about Dockerfiles, not Dockerfiles.
_NOT_SOURCE = r"(?![^/]*\.(?:dockerignore|py|pyc|pyi|md|rst|txt|json|ya?ml|toml|js|ts|go|rs|rb|java|sh|cfg|ini|lock|html)$)"

PATTERN_RULES: tuple[PatternRule, ...] = (
    PatternRule(
        FileKind.WORKFLOW,
        ".y",
        regexcache.compile(r"[^/]+\.ya?ml"),
        parents=frozenset({"workflows"}),
        grandparent=".github",
    ),
    # Claude Code reads *.json in the drop-in directory, except hidden files.
    PatternRule(
        FileKind.SETTINGS_MANAGED_DROPIN,
        ".json",
        regexcache.compile(r"[^.][^/]*\.json"),
        parents=frozenset({MANAGED_DROPIN_DIR}),
    ),
    PatternRule(
        FileKind.SETTINGS_INERT,
        ".json",
        regexcache.compile(r"\.[^/]*\.json|[^/]*\.json" + _INERT_SUFFIX),
        parents=frozenset({MANAGED_DROPIN_DIR}),
    ),
    PatternRule(
        FileKind.SETTINGS_INERT,
        "settings",
        regexcache.compile(
            r"(?:(?:private|readonly|encrypted|empty|create)_)*settings[\w.\-]*\.json" + _INERT_SUFFIX
        ),
        parents=frozenset({CLAUDE_DIR, *DOTFILES_CLAUDE_DIRS}),
    ),
    PatternRule(
        FileKind.SETTINGS_INERT,
        "managed-settings",
        regexcache.compile(r"managed-settings[\w.\-]*\.json" + _INERT_SUFFIX),
        starts=("managed-settings",),
        ends=_JSON_ENDINGS,
    ),
    PatternRule(
        FileKind.SETTINGS_INERT,
        "claude",
        regexcache.compile(r"(?:[^/]*[.\-_])?claude[-_]settings(?:[.\-_][\w.\-]*)?\.json" + _INERT_SUFFIX),
        ends=_JSON_ENDINGS,
    ),
    PatternRule(FileKind.DOTENV, ".env.", regexcache.compile(r"\.env\.[^/]+"), starts=(".env.",)),
    PatternRule(
        FileKind.DOCKERFILE,
        "ockerfile",
        regexcache.compile(_NOT_SOURCE + r"[Dd]ockerfile[.\-_][^/]+"),
        starts=("Dockerfile", "dockerfile"),
    ),
    PatternRule(
        FileKind.DOCKERFILE,
        "ontainerfile",
        regexcache.compile(_NOT_SOURCE + r"[Cc]ontainerfile[^/]*"),
        starts=("Containerfile", "containerfile"),
    ),
    PatternRule(
        FileKind.COMPOSE,
        "compose",
        regexcache.compile(r"(?:docker-)?compose(?:[.\-_][^/]*)?\.ya?ml"),
        starts=("compose", "docker-compose"),
        ends=(".yml", ".yaml"),
    ),
)

# chezmoi source-state names: attribute prefixes, then `dot_` for the leading dot, and an
# optional `.tmpl`. `private_dot_zshrc.tmpl` is the source of `~/.zshrc`.
CHEZMOI_ATTRIBUTES: tuple[str, ...] = (
    "encrypted_",
    "private_",
    "readonly_",
    "empty_",
    "executable_",
    "create_",
)
CHEZMOI_DOT = "dot_"
CHEZMOI_TEMPLATE = ".tmpl"


def _index_rules() -> tuple[dict[str, tuple[PatternRule, ...]], tuple[PatternRule, ...]]:
    by_parent: dict[str, list[PatternRule]] = {}
    anywhere: list[PatternRule] = []
    for rule in PATTERN_RULES:
        if rule.parents is None:
            anywhere.append(rule)
        else:
            for parent in rule.parents:
                by_parent.setdefault(parent, []).append(rule)
    return {parent: tuple(rules) for parent, rules in by_parent.items()}, tuple(anywhere)


# Derived from PATTERN_RULES, keeping its order: rules tied to a directory name are found by a
# dictionary lookup, the rest only run when the basename contains one of their needles.
_RULES_BY_PARENT, _RULES_ANYWHERE = _index_rules()
_KINDS_BY_PARENT: dict[str, dict[str, FileKind]] = {
    parent: {name: kind for (other, name), kind in KIND_BY_PARENT_AND_BASENAME.items() if other == parent}
    for parent, _ in KIND_BY_PARENT_AND_BASENAME
}
_ANYWHERE_NEEDLES = regexcache.compile("|".join(sorted({re.escape(rule.needle) for rule in _RULES_ANYWHERE})))


def _chezmoi_target(base: str) -> str | None:
    """The target basename of a chezmoi source name (`private_dot_zshrc.tmpl` -> `.zshrc`)."""
    name = base.removesuffix(CHEZMOI_TEMPLATE)
    stripped = True
    while stripped:
        stripped = False
        for attribute in CHEZMOI_ATTRIBUTES:
            if name.startswith(attribute):
                name = name[len(attribute) :]
                stripped = True
    if not name.startswith(CHEZMOI_DOT) or len(name) == len(CHEZMOI_DOT):
        return None
    return "." + name[len(CHEZMOI_DOT) :]


def classify(relpath: str) -> FileKind | None:
    """The kind of candidate file `relpath` (POSIX, relative) is, or None if it is not one."""
    parts = relpath.rsplit("/", 2)
    base = parts[-1]
    kind = KIND_BY_BASENAME.get(base)
    if kind is not None:
        return kind
    parent = parts[-2] if len(parts) > 1 else ""
    kinds_here = _KINDS_BY_PARENT.get(parent)
    if kinds_here is not None:
        kind = kinds_here.get(base)
        if kind is not None:
            return kind
    parent_rules = _RULES_BY_PARENT.get(parent)
    if parent_rules is not None:
        above = parts[0] if len(parts) > 2 else ""
        for rule in parent_rules:
            if rule.accepts(base, parent, above):
                return rule.kind
    if _ANYWHERE_NEEDLES.search(base) is not None:
        for rule in _RULES_ANYWHERE:
            if rule.accepts(base, parent, ""):
                return rule.kind
    dot = base.rfind(".")
    if dot > 0:
        kind = KIND_BY_EXTENSION.get(base[dot:].lower())
        if kind is not None:
            return kind
    if CHEZMOI_DOT in base:
        target = _chezmoi_target(base)
        if target is not None:
            kind = KIND_BY_BASENAME.get(target)
            if kind is None and target.startswith(".env."):
                kind = FileKind.DOTENV
            return kind
    return None


# Characters other than A-Z that str.lower() turns into an ASCII letter (Python's Unicode
# database; a test checks every code point). classify lower-cases extensions, so a name ending in
# `.` KELVIN SIGN `sh` is a shell script. U+0130 lower-cases to two characters, one of them not
# ASCII, so it can never complete an extension.
UNICODE_LOWERING_TO_ASCII: Mapping[str, str] = {"\u212a": "k"}


class Prefilter(NamedTuple):
    """Literal clues, at least one of which every path `classify` accepts carries.

    Clues may overmatch (classify has the last word) but never miss: listing.py builds one regular
    expression from them to pick the entries worth classifying out of git's whole listing, and
    tests/discovery/test_discovery_prefilter.py checks that they cover every candidate.
    """

    extensions: frozenset[str]  # the basename ends with one, once lower-cased (".sh")
    basenames: frozenset[str]  # the basename is one
    parents: frozenset[str]  # the file is directly inside a directory of one of these names
    starts: frozenset[str]  # the basename starts with one
    # (a literal the basename contains, endings it ends with one of: () for any ending)
    needles: tuple[tuple[str, tuple[str, ...]], ...]


@functools.cache
def prefilter() -> Prefilter:
    """The clues of every way `classify` accepts a path, derived from the tables above."""
    starts = {*CHEZMOI_ATTRIBUTES, CHEZMOI_DOT}  # a chezmoi source name starts with one (see _chezmoi_target)
    parents: set[str] = set()
    needles: set[tuple[str, tuple[str, ...]]] = set()
    for rule in PATTERN_RULES:
        if rule.parents is not None:
            parents.update(rule.parents)
        elif rule.starts:
            starts.update(rule.starts)
        else:
            needles.add((rule.needle, rule.ends))
    return Prefilter(
        extensions=frozenset(KIND_BY_EXTENSION),
        basenames=frozenset(KIND_BY_BASENAME) | {name for _, name in KIND_BY_PARENT_AND_BASENAME},
        parents=frozenset(parents),
        starts=frozenset(starts),
        needles=tuple(sorted(needles)),
    )
