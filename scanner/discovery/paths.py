"""Which files are candidates, and of what kind, decided from the relative path alone.

`classify` runs on every file of a repository (100,000 of them is ordinary), so it looks the
basename up in dictionaries first and reaches a regular expression only after a cheap literal
test has matched (about a microsecond per path). The tables are public so that host discovery
can reuse them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from scanner.model import FileKind

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


@dataclass(frozen=True)
class PatternRule:
    """A basename pattern, tried after the dictionaries, in table order.

    `needle` is a literal the basename must contain before `pattern` (a full match) is tried;
    `parents`, when set, are the names the containing directory must have; `grandparent`, the
    name of the directory above that.
    """

    kind: FileKind
    needle: str
    pattern: re.Pattern[str]
    parents: frozenset[str] | None = None
    grandparent: str | None = None

    def accepts(self, base: str, parent: str, above: str) -> bool:
        """`above` is the part of the path before the parent directory ("" when none)."""
        if self.needle not in base:
            return False
        if self.parents is not None and parent not in self.parents:
            return False
        if self.grandparent is not None and above.rsplit("/", 1)[-1] != self.grandparent:
            return False
        return self.pattern.fullmatch(base) is not None


# `dockerfile.py`, `Dockerfile.md`, `containerfile_test.go`: source and docs about Dockerfiles, not Dockerfiles.
_NOT_SOURCE = (
    r"(?![^/]*\.(?:dockerignore|py|pyc|pyi|md|rst|txt|json|ya?ml|toml|js|ts|go|rs|rb|java|sh|cfg|ini|lock|html)$)"
)

PATTERN_RULES: tuple[PatternRule, ...] = (
    PatternRule(
        FileKind.WORKFLOW,
        ".y",
        re.compile(r"[^/]+\.ya?ml"),
        parents=frozenset({"workflows"}),
        grandparent=".github",
    ),
    # Claude Code reads *.json in the drop-in directory, except hidden files.
    PatternRule(
        FileKind.SETTINGS_MANAGED_DROPIN,
        ".json",
        re.compile(r"[^.][^/]*\.json"),
        parents=frozenset({MANAGED_DROPIN_DIR}),
    ),
    PatternRule(
        FileKind.SETTINGS_INERT,
        ".json",
        re.compile(r"\.[^/]*\.json|[^/]*\.json" + _INERT_SUFFIX),
        parents=frozenset({MANAGED_DROPIN_DIR}),
    ),
    PatternRule(
        FileKind.SETTINGS_INERT,
        "settings",
        re.compile(
            r"(?:(?:private|readonly|encrypted|empty|create)_)*settings[\w.\-]*\.json" + _INERT_SUFFIX
        ),
        parents=frozenset({CLAUDE_DIR, *DOTFILES_CLAUDE_DIRS}),
    ),
    PatternRule(
        FileKind.SETTINGS_INERT,
        "managed-settings",
        re.compile(r"managed-settings[\w.\-]*\.json" + _INERT_SUFFIX),
    ),
    PatternRule(
        FileKind.SETTINGS_INERT,
        "claude",
        re.compile(r"(?:[^/]*[.\-_])?claude[-_]settings(?:[.\-_][\w.\-]*)?\.json" + _INERT_SUFFIX),
    ),
    PatternRule(FileKind.DOTENV, ".env.", re.compile(r"\.env\.[^/]+")),
    PatternRule(
        FileKind.DOCKERFILE,
        "ockerfile",
        re.compile(_NOT_SOURCE + r"[Dd]ockerfile[.\-_][^/]+"),
    ),
    PatternRule(
        FileKind.DOCKERFILE,
        "ontainerfile",
        re.compile(_NOT_SOURCE + r"[Cc]ontainerfile[^/]*"),
    ),
    PatternRule(
        FileKind.COMPOSE,
        "compose",
        re.compile(r"(?:docker-)?compose(?:[.\-_][^/]*)?\.ya?ml"),
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
_ANYWHERE_NEEDLES = re.compile("|".join(sorted({re.escape(rule.needle) for rule in _RULES_ANYWHERE})))


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
