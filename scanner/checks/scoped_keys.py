"""CCP505: a settings key set in a file whose scope Claude Code ignores it in (reference 3.2).

- scope "managed" in user, project or local settings;
- scope "user-or-managed" in project or local settings;
- scope "user-local-managed" in the shared project settings;
- scope "global-config" (keys of `~/.claude.json`) in any settings.json, managed ones included.

The login keys (`forceLoginOrgUUID`, `forceLoginMethod`, `forceLoginGatewayUrl`) are CCP304's.
Inert copies take the scope of the file they copy (project_config.settings_scope); when that
cannot be told, only the global-config keys are judged. A nested key is not reported again when
its parent already is.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.project_config import LOCAL, MANAGED, PROJECT, USER, settings_scope
from scanner.model import FileKind, Finding, ObservationKind

LOGIN_KEYS = frozenset({"forceLoginOrgUUID", "forceLoginMethod", "forceLoginGatewayUrl"})
SETTINGS_FILE_KINDS = frozenset(
    {
        FileKind.SETTINGS_USER,
        FileKind.SETTINGS_PROJECT,
        FileKind.SETTINGS_LOCAL,
        FileKind.SETTINGS_MANAGED,
        FileKind.SETTINGS_MANAGED_DROPIN,
        FileKind.SETTINGS_REMOTE,
        FileKind.SETTINGS_INERT,
    }
)
# Which file scopes ignore a key of each KB scope, and how to say where it is honoured.
IGNORED_IN = {
    "managed": (frozenset({USER, PROJECT, LOCAL}), "only from managed settings"),
    "user-or-managed": (frozenset({PROJECT, LOCAL}), "only from user or managed settings"),
    "user-local-managed": (frozenset({PROJECT}), "only from user, local or managed settings"),
}
_FILE_LABEL = {
    USER: "user settings",
    PROJECT: "the shared project settings",
    LOCAL: "local project settings",
    MANAGED: "managed settings",
}


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    kb = scan.kb
    for parsed in scan.files:
        if parsed.kind not in SETTINGS_FILE_KINDS:
            continue
        scope = settings_scope(parsed.path, parsed.kind)
        flagged: list[str] = []
        for obs in parsed.observations:
            if obs.kind is not ObservationKind.SETTING or obs.name in LOGIN_KEYS:
                continue
            spec = kb.settings.get(obs.name)
            if spec is None or any(obs.name.startswith(parent + ".") for parent in flagged):
                continue
            message = ""
            if spec.scope == "global-config":
                message = (
                    f"{obs.name} is a global-config key: Claude Code reads it only from ~/.claude.json and "
                    "ignores it in every settings.json, so it has no effect here."
                )
            elif spec.scope in IGNORED_IN and scope is not None:
                ignored_in, honoured = IGNORED_IN[spec.scope]
                if scope in ignored_in:
                    message = (
                        f"{obs.name} is honoured {honoured}; Claude Code ignores it in {_FILE_LABEL[scope]}, "
                        "so what it sets is not in force."
                    )
            if message:
                flagged.append(obs.name)
                yield finding(rule, message, obs.location, key=obs.name)
