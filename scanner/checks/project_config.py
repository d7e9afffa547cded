"""What counts as committed project configuration (CCP6xx), and which scope a settings file stands for.

Committed project configuration is what a repository hands to everyone who runs Claude Code in it:
`.claude/settings.json` (meant to be committed), a `.claude/settings.local.json` that git tracks
(outside git ccpolicy cannot tell, so it counts: the reading that cannot hide a leak), and inert
copies of either (`settings.json.example`, `.jsonc`), which the engine marks "[not in effect]".
Inert copies of user settings (a dotfiles `dot_claude/`) or of a managed policy are not project
configuration.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from scanner.checks.base import CheckInput
from scanner.contexts.model import Context, ContextKind, Layer, LayerKind
from scanner.discovery.paths import CLAUDE_DIR, DOTFILES_CLAUDE_DIRS
from scanner.model import FileKind, Observation, ObservationKind
from scanner.records import NamedTuple

USER = "user"
PROJECT = "project"
LOCAL = "local"
MANAGED = "managed"

_SCOPE_BY_KIND = {
    FileKind.SETTINGS_USER: USER,
    FileKind.SETTINGS_PROJECT: PROJECT,
    FileKind.SETTINGS_LOCAL: LOCAL,
    FileKind.SETTINGS_MANAGED: MANAGED,
    FileKind.SETTINGS_MANAGED_DROPIN: MANAGED,
    FileKind.SETTINGS_REMOTE: MANAGED,
}


def settings_scope(path: str, kind: FileKind) -> str | None:
    """user | project | local | managed for a settings file, or None when it cannot be told.

    Inert copies take the scope of the file they copy, judged from the path: a managed-settings
    example is managed, a dotfiles `claude/` directory holds user settings, `.claude/` project or
    local settings. Anything else (an image's `claude-settings.json`) is None.
    """
    scope = _SCOPE_BY_KIND.get(kind)
    if scope is not None or kind is not FileKind.SETTINGS_INERT:
        return scope
    base = posixpath.basename(path).lower()
    parent = posixpath.basename(posixpath.dirname(path))
    if "managed-settings" in base or parent == "managed-settings.d":
        return MANAGED
    if parent in DOTFILES_CLAUDE_DIRS:
        return USER
    if parent == CLAUDE_DIR:
        return LOCAL if base.startswith("settings.local") else PROJECT
    return None


def is_committed(scan: CheckInput, path: str) -> bool:
    """True when git tracks `path`, or when the scan is not of a git repository (cannot tell)."""
    if not scan.is_git or scan.tracked is None:
        return True
    return path in scan.tracked


class ProjectLayer(NamedTuple):
    """One committed project settings file inside the project context that reads it."""

    context: Context
    layer: Layer
    path: str
    scope: str  # project | local

    def settings(self) -> Iterator[Observation]:
        for obs in self.layer.observations:
            if obs.kind is ObservationKind.SETTING:
                yield obs

    def env(self) -> Iterator[Observation]:
        for obs in self.layer.observations:
            if obs.kind is ObservationKind.ENV and obs.scope == "settings-env":
                yield obs

    def setting(self, name: str) -> Observation | None:
        found = None
        for obs in self.settings():
            if obs.name == name:
                found = obs  # the last one wins, like JSON.parse with duplicate keys
        return found


def committed_project_layers(scan: CheckInput) -> Iterator[ProjectLayer]:
    """Every committed project (or committed local) settings file, with its project context."""
    kinds = {f.path: f.kind for f in scan.files}
    for ctx in scan.contexts:
        if ctx.kind is not ContextKind.PROJECT:
            continue
        for layer in ctx.layers:
            if layer.kind not in (LayerKind.PROJECT, LayerKind.LOCAL) or not layer.paths:
                continue
            path = layer.paths[0]
            kind = kinds.get(path)
            if kind is None:
                continue
            scope = settings_scope(path, kind)
            if scope not in (PROJECT, LOCAL):
                continue
            if scope == LOCAL and not is_committed(scan, path):
                continue
            yield ProjectLayer(ctx, layer, path, scope)
