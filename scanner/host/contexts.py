"""Host contexts: one per (user, project) with project settings, plus one per user with no project.

Layers, highest precedence first (built with scanner.contexts.repo.build_context, like every context):
    MANAGED   the managed tier (scanner.host.managed): the source in use, keys and `env` variables read
              from the other admin sources, and what is ignored, each observation with its own file
    LOCAL     <project>/.claude/settings.local.json (and the git root's, v2.1.211+)
    PROJECT   <project>/.claude/settings.json
    USER      ~/.claude/settings.json (or $CLAUDE_CONFIG_DIR/settings.json)
    PROCESS   the scanner's own environment (live scans, --include-process-env): the shell Claude Code
              would inherit, so above the startup files
    SHELL     the login shell's startup files, the last one read first; on Windows the variables
              stored in the registry (HKCU, then HKLM) below the PowerShell profiles
Settings `env` is above every environment layer (reference 1.6); build_context keeps that order.

The server-managed cache (remote-settings.json) is a managed source only when Claude Code would
fetch server-managed settings in that context (reference 1.1): first-party API, no gateway base URL,
no `apiKeyHelper`. That depends on the rest of the context, so it is decided per context.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from scanner.contexts.model import Context, ContextKind, Layer, LayerKind
from scanner.contexts.repo import build_context, settings_layer
from scanner.host.inventory import MachineFiles, ProjectFiles, UserFiles
from scanner.host.layout import WINDOWS
from scanner.host.managed import ManagedSource, ManagedTier, resolve_managed
from scanner.knowledge import KnowledgeBase
from scanner.model import Location, Notification, Observation, ParsedFile

__all__ = ["context_id", "context_label", "host_contexts", "managed_sources"]

_NOT_EXPORTED = frozenset({"command-local", "alias"})
_REGISTRY_SETTINGS_SCOPES = frozenset({"settings", "settings-env"})
LEGACY_WHY = (
    "C:\\ProgramData\\ClaudeCode\\managed-settings.json is no longer read (removed in Claude Code "
    "2.1.75); the policy belongs in C:\\Program Files\\ClaudeCode"
)


def context_id(user: str, project: str | None) -> str:
    return f"host:{user}" if project is None else f"host:{user}:{project}"


def context_label(user: str, project: str | None) -> str:
    return f"user {user}" if project is None else f"user {user}, project {project}"


# -- managed sources ----------------------------------------------------------------------------


def _file_layer(parsed: ParsedFile, label: str | None = None) -> Layer:
    return settings_layer(parsed, LayerKind.MANAGED, label)


def _plist_layer(parsed: ParsedFile) -> Layer:
    valid = parsed.facts.get("valid_plist") is not False
    return Layer(
        LayerKind.MANAGED,
        parsed.path,
        parsed.observations,
        (parsed.path,),
        valid,
        "" if valid else f"{parsed.path} is not a valid property list, so it contributes nothing",
    )


def _registry_layers(files: Sequence[ParsedFile], hive: str) -> tuple[Layer, ...]:
    layers = []
    for parsed in files:
        found = tuple(
            o for o in parsed.observations if o.group[:1] == (hive,) and o.scope in _REGISTRY_SETTINGS_SCOPES
        )
        if found:
            label = f"{hive}\\SOFTWARE\\Policies\\ClaudeCode ({parsed.path})"
            layers.append(Layer(LayerKind.MANAGED, label, found, (parsed.path,)))
    # The last export read wins, as a later `reg import` would.
    return tuple(reversed(layers))


def _files_source(
    name_prefix: str, base: ParsedFile | None, dropins: Sequence[ParsedFile]
) -> ManagedSource | None:
    if base is None and not dropins:
        return None
    layers = [_file_layer(d) for d in reversed(dropins)]  # a later drop-in wins
    if base is not None:
        layers.append(_file_layer(base))
    name = "file + drop-ins" if base is not None and dropins else ("file" if base is not None else "drop-ins")
    return ManagedSource(f"{name_prefix}{name}", tuple(layers))


def _wsl_inherits(machine: MachineFiles) -> bool:
    return any(
        o.name == "wslInheritsWindowsSettings" and o.value is True
        for parsed in (machine.wsl_file, *machine.wsl_dropins)
        if parsed is not None
        for o in parsed.observations
    )


def managed_sources(machine: MachineFiles, user: UserFiles) -> list[ManagedSource]:
    """The user's managed sources in tier order, without the server-managed cache."""
    sources: list[ManagedSource] = []
    plists = [p for p in (user.plist, machine.plist) if p is not None]  # the per-user copy first
    if plists:
        sources.append(ManagedSource("plist", tuple(_plist_layer(p) for p in plists)))
    hklm = _registry_layers(machine.hklm, "HKLM")
    if hklm:
        sources.append(ManagedSource("HKLM", hklm))
    if _wsl_inherits(machine):
        wsl = _files_source("Windows ", machine.wsl_file, machine.wsl_dropins)
        if wsl is not None:
            sources.append(wsl)
    files = _files_source("", machine.managed_file, machine.dropins)
    if files is not None:
        sources.append(files)
    hkcu = _registry_layers(user.hkcu, "HKCU")
    if hkcu:
        sources.append(ManagedSource("HKCU", hkcu, admin=False))
    if machine.legacy:
        sources.append(
            ManagedSource(
                "ProgramData",
                tuple(_file_layer(p) for p in machine.legacy),
                eligible=False,
                why_ineligible=LEGACY_WHY,
            )
        )
    return sources


def _remote_source(remote: ParsedFile, why_not: str) -> ManagedSource:
    layer = settings_layer(remote, LayerKind.MANAGED, f"{remote.path} (server-managed settings)")
    return ManagedSource("remote", (layer,), eligible=not why_not, why_ineligible=why_not)


def remote_ineligible(ctx: Context) -> str:
    """Why Claude Code would not fetch server-managed settings in this context ("" when it would)."""
    provider = ctx.provider
    if provider.third_party and provider.certain:
        where = (
            provider.evidence.winner.location.short()
            if provider.evidence and provider.evidence.winner
            else ""
        )
        return (
            f"the provider is {provider.name}{f' ({where})' if where else ''}, so Claude Code does not fetch "
            "server-managed settings and the cached copy is not applied"
        )
    if provider.base_url is not None and not provider.third_party:
        host = (urlsplit(provider.base_url).hostname or "").lower()
        if host != "anthropic.com" and not host.endswith(".anthropic.com"):
            return (
                "ANTHROPIC_BASE_URL points away from api.anthropic.com, so Claude Code does not fetch "
                "server-managed settings and the cached copy is not applied"
            )
    helper = ctx.setting("apiKeyHelper")
    if helper.is_set:
        return (
            "the API key comes from apiKeyHelper, so Claude Code does not fetch server-managed settings "
            "and the cached copy is not applied"
        )
    return ""


# -- environment layers -------------------------------------------------------------------------


def _env_layer(kind: LayerKind, label: str, observations: Sequence[Observation], path: str) -> Layer:
    return Layer(kind, label, tuple(observations), (path,))


def environment_layers(machine: MachineFiles, user: UserFiles) -> list[Layer]:
    layers: list[Layer] = []
    if user.process:
        layers.append(
            _env_layer(
                LayerKind.PROCESS, "this process's environment", user.process, user.process[0].location.path
            )
        )
    for parsed in reversed(user.profiles):
        exported = [o for o in parsed.observations if o.scope not in _NOT_EXPORTED]
        layers.append(_env_layer(LayerKind.SHELL, parsed.path, exported, parsed.path))
    if machine.os_name == WINDOWS:
        for hive, files in (("HKCU", user.hkcu), ("HKLM", machine.hklm)):
            for parsed in reversed(files):
                stored = [o for o in parsed.observations if o.group == (hive, "Environment")]
                if stored:
                    layers.append(
                        _env_layer(
                            LayerKind.SHELL, f"{hive}\\Environment ({parsed.path})", stored, parsed.path
                        )
                    )
    return layers


# -- contexts -----------------------------------------------------------------------------------


def _anchor(*candidates: ParsedFile | None, fallback: str) -> Location:
    for parsed in candidates:
        if parsed is None:
            continue
        for obs in parsed.observations:
            if obs.name == "env":
                return obs.location
        return Location(parsed.path, 1, 1)
    return Location(fallback, 1, 1)


def _context(
    machine: MachineFiles,
    user: UserFiles,
    project: ProjectFiles | None,
    kb: KnowledgeBase,
) -> tuple[Context, ManagedTier]:
    name = user.user.name
    project_path = project.path if project is not None else None
    rest: list[Layer] = []
    if project is not None:
        rest.extend(settings_layer(p, LayerKind.LOCAL) for p in project.local)
        if project.project is not None:
            rest.append(settings_layer(project.project, LayerKind.PROJECT))
    if user.settings is not None:
        rest.append(settings_layer(user.settings, LayerKind.USER))
    rest.extend(environment_layers(machine, user))
    if project is not None:
        anchor = _anchor(project.project, *project.local, fallback=project.path)
    else:
        anchor = _anchor(user.settings, user.claude_json, fallback=user.user.home)
    sources = managed_sources(machine, user)

    def build(tier: ManagedTier) -> Context:
        attributes = {
            "user": name,
            "project": project_path or "",
            "home": user.user.home,
            "shell": user.user.shell,
            "managed_source": tier.source or "none",
            "claude_json": user.claude_json.path if user.claude_json is not None else "",
        }
        return build_context(
            context_id(name, project_path),
            ContextKind.HOST,
            context_label(name, project_path),
            anchor,
            [*tier.layers, *rest],
            kb,
            attributes,
        )

    tier = resolve_managed(sources, kb)
    ctx = build(tier)
    if user.remote is not None:
        why_not = remote_ineligible(ctx)
        tier = resolve_managed([_remote_source(user.remote, why_not), *sources], kb)
        ctx = build(tier)
    return ctx, tier


def host_contexts(
    machine: MachineFiles, users: Sequence[UserFiles], kb: KnowledgeBase
) -> tuple[list[Context], list[Notification]]:
    contexts: list[Context] = []
    notes: list[Notification] = []
    for user in users:
        if not user.footprint:
            continue
        for project in (None, *user.projects):
            ctx, tier = _context(machine, user, project, kb)
            contexts.append(ctx)
            notes.extend(tier.notes)
    return sorted(contexts, key=lambda c: c.id), notes
