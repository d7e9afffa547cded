"""The data that flows between the stages: sources -> observations -> contexts -> findings.

Everything here is an immutable record (a NamedTuple) so that stages cannot mutate each
other's output and so that results are hashable and sortable (deterministic output).
Stdlib only: this module is imported on every path, including the pre-commit one.

Records on the scan paths are NamedTuples rather than frozen dataclasses for start-up time:
defining a frozen dataclass compiles six generated methods (about 0.6 ms each class on
CPython 3.11, and importing `dataclasses` pulls in `inspect`, another 9 ms), where a
NamedTuple costs under 0.1 ms (built by `scanner.records`, which skips typing's annotation
checks). Update records with `_replace`, never `dataclasses.replace`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from scanner.records import NamedTuple

# typing is imported by type checkers only: a staged scan's reading (scanner.forkedread's child)
# never loads it (~2 ms).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# A JSON-like value as read from a settings file, a YAML document or a shell line.
# The default of a record's optional mapping field. Records are immutable, and so is this by
# type (Mapping); a plain dict rather than a MappingProxyType so that records still pickle.
EMPTY_MAPPING: Mapping[Any, Any] = {}

JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]


class Severity(enum.IntEnum):
    """Ordered so that `severity >= Severity.HIGH` reads naturally."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


class FileKind(str, enum.Enum):
    """What a candidate file is, decided from its path alone (see discovery.paths)."""

    SETTINGS_USER = "settings-user"  # ~/.claude/settings.json
    SETTINGS_PROJECT = "settings-project"  # <dir>/.claude/settings.json
    SETTINGS_LOCAL = "settings-local"  # <dir>/.claude/settings.local.json
    SETTINGS_MANAGED = "settings-managed"  # managed-settings.json
    SETTINGS_MANAGED_DROPIN = "settings-managed-dropin"  # managed-settings.d/*.json
    SETTINGS_REMOTE = "settings-remote"  # ~/.claude/remote-settings.json (server-managed cache)
    SETTINGS_INERT = "settings-inert"  # a settings file Claude Code does not read (example, template, jsonc)
    MCP = "mcp"  # .mcp.json
    MANAGED_MCP = "managed-mcp"  # managed-mcp.json
    CLAUDE_JSON = "claude-json"  # ~/.claude.json
    DOTENV = "dotenv"  # .env, .env.*
    ENVRC = "envrc"  # .envrc (direnv, sh syntax)
    SHELL = "shell"  # sh/bash/zsh/ksh scripts and profiles
    FISH = "fish"
    CSH = "csh"
    POWERSHELL = "powershell"
    WORKFLOW = "workflow"  # .github/workflows/*.yml
    DOCKERFILE = "dockerfile"
    DEVCONTAINER = "devcontainer"
    COMPOSE = "compose"
    PLIST = "plist"  # macOS managed preferences
    REGISTRY = "registry"  # exported Windows .reg
    PROCESS_ENV = "process-env"  # the scanner's own environment (host scans, opt-in)


class ValueKind(str, enum.Enum):
    """How much the scanner knows about an assigned value."""

    LITERAL = "literal"  # the exact string Claude Code will see
    REFERENCE = "reference"  # ${{ secrets.X }}, ${VAR}, $VAR: resolved elsewhere, not a literal
    DYNAMIC = "dynamic"  # built from command substitution or a mix: not guessed
    NON_STRING = "non-string"  # a JSON number/bool/null/object in a settings `env` block


class ObservationKind(str, enum.Enum):
    ENV = "env"  # an environment variable assignment
    UNSET = "unset"  # `unset X`, `Remove-Item Env:X`, `set -e X`
    SETTING = "setting"  # a settings key (dotted path) with its JSON value


class Location(NamedTuple):
    """1-based line and column; `end_*` are inclusive-exclusive like SARIF regions."""

    path: str  # POSIX, relative to the scan root (or absolute for host files outside it)
    line: int = 1
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None

    def short(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Observation(NamedTuple):
    """One fact read from one file: a setting or an environment assignment, with where it is.

    `scope` names the mechanism inside the file (`settings-env`, `export`, `command-local`,
    `workflow-env`, `job-env`, `step-env`, `action-input`, `dockerfile-env`, `dockerfile-arg`,
    `container-env`, `remote-env`, `compose-env`, `dotenv`, ...). `group` places it inside the
    file's structure, for example ("jobs", "build", "steps", "2") in a workflow or
    ("services", "app") in a compose file, so that contexts can pick the right layer.
    """

    kind: ObservationKind
    name: str
    value: JSONValue
    location: Location
    file_kind: FileKind
    scope: str
    value_kind: ValueKind = ValueKind.LITERAL
    group: tuple[str, ...] = ()
    # For ENV observations inside settings files: the JSON value before coercion.
    raw: JSONValue = None

    @property
    def text(self) -> str | None:
        """The value as Claude Code would see it in its environment, when a string."""
        return self.value if isinstance(self.value, str) else None


class Notification(NamedTuple):
    """Something the scan could not do (unreadable, malformed, too large); never a crash."""

    level: str  # "error" | "warning" | "note"
    message: str
    path: str | None = None
    line: int | None = None
    descriptor: str = "parse-error"


class ParsedFile(NamedTuple):
    """What one source made of one file."""

    path: str
    kind: FileKind
    observations: tuple[Observation, ...] = ()
    notifications: tuple[Notification, ...] = ()
    # Source-specific facts rules may need; values are plain data (see each source's docs).
    # Settings files: "strict_errors" (why Claude Code would reject it), "valid_json".
    # Workflows: "jobs" -> {job_id: {"line", "column", "runs_claude", "claude_steps": [...]}}.
    # Dockerfiles/devcontainers/compose: "runs_claude" and anchors.
    facts: Mapping[str, JSONValue] = EMPTY_MAPPING
    in_effect: bool = True  # False for settings Claude Code never reads (examples, templates)
    text: str | None = None  # decoded content, kept for inline ignores and fingerprints


class Finding(NamedTuple):
    rule_id: str
    severity: Severity
    message: str
    location: Location
    context: str  # context id, or "" for file-level findings
    fingerprint: str = ""  # set by the engine: stable across line moves
    # Keyed data for the stable fingerprint (setting or variable name, ...), never a secret.
    key: str = ""
    # Every file in the chain that produced the effective value, highest precedence first.
    provenance: tuple[Location, ...] = ()
    suppressed: Suppression | None = None
    baseline_state: str | None = None  # "new" | "unchanged" when a baseline was given

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule_id, self.context, self.message)


class Suppression(NamedTuple):
    kind: str  # "inSource" (inline ignore) | "external" (waiver)
    justification: str
    owner: str | None = None
    expires: str | None = None
