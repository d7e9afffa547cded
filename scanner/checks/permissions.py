"""CCP605: permission bypass allowed.

Reported:
- `permissions.defaultMode: "bypassPermissions"` in any settings file, unless the same file also
  sets `permissions.disableBypassPermissionsMode: "disable"` (which wins);
- `skipDangerousModePermissionPrompt: true` in any settings file whose scope honours it (a shared
  project file ignores it: that is CCP505's finding);
- a managed policy (a managed-policy context: the file with its drop-ins) whose effective
  `permissions.disableBypassPermissionsMode` is not "disable". A top-level
  `disableBypassPermissionsMode` does not count (Claude Code reads it only under `permissions`).
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.project_config import PROJECT, settings_scope
from scanner.checks.scoped_keys import SETTINGS_FILE_KINDS
from scanner.contexts.model import Context, ContextKind, LayerKind
from scanner.model import Finding, Location, ObservationKind, ParsedFile
from scanner.redact import shown

DEFAULT_MODE = "permissions.defaultMode"
DISABLE_BYPASS = "permissions.disableBypassPermissionsMode"
SKIP_PROMPT = "skipDangerousModePermissionPrompt"


def _last_setting(parsed: ParsedFile, name: str) -> tuple[object, Location] | None:
    found = None
    for obs in parsed.observations:
        if obs.kind is ObservationKind.SETTING and obs.name == name:
            found = (obs.value, obs.location)
    return found


def _file_findings(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    for parsed in scan.files:
        if parsed.kind not in SETTINGS_FILE_KINDS:
            continue
        disabled = _last_setting(parsed, DISABLE_BYPASS)
        mode = _last_setting(parsed, DEFAULT_MODE)
        locked = disabled is not None and disabled[0] == "disable"
        if mode is not None and mode[0] == "bypassPermissions" and not locked:
            yield finding(
                rule,
                'permissions.defaultMode is "bypassPermissions": sessions start with every permission check '
                "off, so Claude runs commands, edits files and fetches URLs without asking.",
                mode[1],
                key=DEFAULT_MODE,
            )
        skip = _last_setting(parsed, SKIP_PROMPT)
        if skip is not None and skip[0] is True and settings_scope(parsed.path, parsed.kind) != PROJECT:
            yield finding(
                rule,
                "skipDangerousModePermissionPrompt is true: bypass-permissions mode starts without its "
                "confirmation prompt, and in that mode .mcp.json servers are approved without asking.",
                skip[1],
                key=SKIP_PROMPT,
            )


def _managed_location(ctx: Context) -> Location:
    """The main managed file's `permissions` key, else its misplaced top-level key, else its anchor."""
    main = next((layer for layer in reversed(ctx.layers) if layer.kind is LayerKind.MANAGED), None)
    if main is not None:
        for name in ("permissions", "disableBypassPermissionsMode"):
            for obs in main.observations:
                if obs.kind is ObservationKind.SETTING and obs.name == name:
                    return obs.location
    return ctx.anchor


def _managed_findings(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    for ctx in scan.contexts:
        if ctx.kind is not ContextKind.MANAGED_POLICY:
            continue
        eff = ctx.setting(DISABLE_BYPASS)
        if eff.winner is not None and eff.value == "disable":
            continue
        notes = []
        if eff.ignored or (eff.winner is not None and eff.value != "disable"):
            bad = eff.winner or eff.ignored[0]
            notes.append(f"it is set to {shown(DISABLE_BYPASS, bad.value, scan.kb)}, which Claude Code drops")
        misplaced = [
            o
            for layer in ctx.layers
            for o in layer.observations
            if o.kind is ObservationKind.SETTING and o.name == "disableBypassPermissionsMode"
        ]
        if misplaced:
            notes.append(
                'the top-level "disableBypassPermissionsMode" is ignored: it belongs under "permissions"'
            )
        detail = f" ({'; '.join(notes)})" if notes else ""
        yield finding(
            rule,
            f"The managed policy {ctx.label.removeprefix('managed policy ')} does not set "
            f'permissions.disableBypassPermissionsMode to "disable"{detail}: developers can still start '
            "Claude Code with --dangerously-skip-permissions or switch to bypassPermissions mode, where "
            "nothing asks before a command runs.",
            _managed_location(ctx),
            context=ctx.id,
            key=DISABLE_BYPASS,
        )


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    yield from _file_findings(rule, scan)
    yield from _managed_findings(rule, scan)
