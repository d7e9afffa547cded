"""`ccpolicy scan --host`: read a machine's Claude Code configuration and judge every user and project.

    host_filesystem(options)  which machine: this one, or a mounted root (--root, --os)
    read_host(options)        discover -> read -> parse -> MachineFiles + UserFiles -> contexts
    scan_host(options, scan)  -> ScanResult (category "host"), judged like any other target

Paths in the result are machine paths (`/etc/claude-code/managed-settings.json` even when the root
is mounted elsewhere), so SARIF writes them as absolute `file://` URIs (ScanResult.root is "").
"""

from __future__ import annotations

import argparse
import os
import platform
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path

from scanner.contexts.model import Context
from scanner.errors import UsageError
from scanner.host import discover as disc
from scanner.host.contexts import host_contexts
from scanner.host.fs import HostFS
from scanner.host.inventory import MachineFiles, ProjectFiles, UserFiles
from scanner.host.layout import OS_NAMES, WINDOWS, OsLayout, layout_for
from scanner.host.profiles import chain, families_for
from scanner.inputs import Inputs
from scanner.knowledge import KnowledgeBase
from scanner.knowledge import load as load_kb
from scanner.model import FileKind, Location, Notification, Observation, ObservationKind, ParsedFile
from scanner.records import NamedTuple
from scanner.report.model import ScanResult
from scanner.scan import ScanOptions, judge_contexts

__all__ = [
    "PROCESS_PATH",
    "HostInputs",
    "HostOptions",
    "host_filesystem",
    "read_host",
    "scan_host",
    "scan_host_args",
    "target_name",
]

PROCESS_PATH = "<process environment>"
CLAUDE_JSON_MAX_BYTES = 32_000_000  # the state file grows with history; still a bounded read
_PROCESS_PREFIXES = ("ANTHROPIC_", "CLAUDE_", "OTEL_", "DISABLE_")
_HOME_REFS = ("${HOME}", "$HOME", "$env:USERPROFILE", "${env:USERPROFILE}", "%USERPROFILE%", "$env:HOME")


class HostOptions(NamedTuple):
    root: str | None = None  # audit this directory as if it were the machine's root
    os_name: str | None = None  # linux | macos | windows (inferred from the root when not given)
    all_users: bool = False
    projects: tuple[str, ...] = ()  # --projects DIR (machine paths under --root)
    include_process_env: bool = False
    environ: Mapping[str, str] | None = None  # the process environment (tests); os.environ when None


class HostInputs(NamedTuple):
    fs: HostFS
    inputs: Inputs
    contexts: tuple[Context, ...]
    machine: MachineFiles
    users: tuple[UserFiles, ...]


# -- which machine ------------------------------------------------------------------------------


def host_filesystem(host: HostOptions) -> HostFS:
    if host.os_name is not None and host.os_name not in OS_NAMES:
        raise UsageError(f"--os must be one of {', '.join(OS_NAMES)}")
    if host.root is None:
        live = disc.live_os()
        if live is None:
            raise UsageError(
                "this operating system is not supported by --host; audit a copy with --root DIR --os"
            )
        if host.os_name is not None and host.os_name != live:
            raise UsageError("--os describes a mounted root: use it with --root")
        if live == WINDOWS:
            drive = os.environ.get("SYSTEMDRIVE", "C:")
            return HostFS(drive + "\\", live, live=True, drive=drive)
        return HostFS("/", live, live=True)
    root = Path(host.root)
    if not root.is_dir():
        raise UsageError(f"--root {host.root}: not a directory")
    if host.include_process_env:
        raise UsageError(
            "--include-process-env describes the machine ccpolicy runs on; it cannot be combined with --root"
        )
    os_name = host.os_name or disc.detect_os(root)
    if os_name is None:
        raise UsageError(
            f"--root {host.root}: cannot tell which operating system it holds (no etc/, Library/, "
            "Program Files/ or Users/*/AppData); pass --os linux|macos|windows"
        )
    return HostFS(str(root.resolve()), os_name, live=False)


def target_name(host: HostOptions) -> str:
    return host.root if host.root is not None else f"host:{platform.node() or 'localhost'}"


# -- reading ------------------------------------------------------------------------------------


class _Reader:
    """Reads and parses each machine path once, whatever asks for it."""

    def __init__(self, fs: HostFS) -> None:
        self.fs = fs
        self.files: dict[str, ParsedFile] = {}
        self.missing: set[str] = set()
        self.notes: list[Notification] = []

    def read(self, candidate: disc.Candidate) -> ParsedFile | None:
        path = candidate.path
        if path in self.files:
            return self.files[path]
        if path in self.missing:
            return None
        parsed, note = self._parse(candidate)
        if note is not None:
            self.notes.append(note)
        if parsed is None:
            self.missing.add(path)
            return None
        parsed = parsed._replace(facts={**parsed.facts, "host_role": candidate.role})
        self.files[path] = parsed
        return parsed

    def _parse(self, candidate: disc.Candidate) -> tuple[ParsedFile | None, Notification | None]:
        from scanner.sources.registry import parse_file

        if candidate.kind is FileKind.PLIST:
            from scanner.host.plist import parse_bytes

            data, note = self.fs.read_bytes(candidate.path)
            return (parse_bytes(candidate.path, data) if data is not None else None), note
        limit = CLAUDE_JSON_MAX_BYTES if candidate.kind is FileKind.CLAUDE_JSON else 2_000_000
        text, note = self.fs.read_text(candidate.path, max_bytes=limit)
        if text is None:
            return None, note
        return parse_file(candidate.path, text, candidate.kind), note

    def read_all(self, candidates: Sequence[disc.Candidate]) -> list[ParsedFile]:
        return [p for p in (self.read(c) for c in candidates) if p is not None]

    def add(self, parsed: ParsedFile, role: str) -> ParsedFile:
        parsed = parsed._replace(facts={**parsed.facts, "host_role": role})
        self.files[parsed.path] = parsed
        return parsed


def _machine_files(
    reader: _Reader, layout: OsLayout, users: list[disc.HostUser]
) -> tuple[MachineFiles, list[ParsedFile]]:
    """Machine-wide sources, plus the registry exports (whose HKCU parts belong to users)."""
    fs = reader.fs
    found, notes = disc.managed_candidates(fs, layout, users)
    reader.notes.extend(notes)
    by_role: dict[str, list[ParsedFile]] = {}
    for candidate in found:
        parsed = reader.read(candidate)
        if parsed is not None:
            by_role.setdefault(candidate.role, []).append(parsed)
    exports = by_role.get(disc.ROLE_REGISTRY_EXPORT, [])
    hklm = [p for p in exports if "HKLM" in _hives(p)]
    if fs.live and fs.os_name == WINDOWS:
        from scanner.host.registry import read_live_environment, read_live_policy

        for live in (read_live_policy("HKLM"), read_live_environment("HKLM")):
            if live is not None:
                hklm.append(reader.add(live, disc.ROLE_REGISTRY_EXPORT))

    def one(role: str) -> ParsedFile | None:
        items = by_role.get(role, [])
        return items[0] if items else None

    machine = MachineFiles(
        os_name=fs.os_name,
        managed_file=one(disc.ROLE_MANAGED_FILE),
        dropins=tuple(by_role.get(disc.ROLE_MANAGED_DROPIN, [])),
        managed_mcp=one(disc.ROLE_MANAGED_MCP),
        legacy=tuple(by_role.get(disc.ROLE_LEGACY_MANAGED, [])),
        plist=one(disc.ROLE_PLIST_DEVICE),
        hklm=tuple(hklm),
        wsl_file=one(disc.ROLE_WSL_MANAGED_FILE),
        wsl_dropins=tuple(by_role.get(disc.ROLE_WSL_MANAGED_DROPIN, [])),
    )
    return machine, exports


def _hives(parsed: ParsedFile) -> list[str]:
    hives = parsed.facts.get("hives")
    return [h for h in hives if isinstance(h, str)] if isinstance(hives, list) else []


def process_observations(environ: Mapping[str, str], kb: KnowledgeBase) -> tuple[Observation, ...]:
    """The variables of this process that can matter to Claude Code (the rest is never kept)."""
    names = sorted(
        n
        for n in environ
        if kb.variable(n) is not None or n.startswith(_PROCESS_PREFIXES) or n == "DO_NOT_TRACK"
    )
    return tuple(
        Observation(
            ObservationKind.ENV,
            name,
            environ[name],
            Location(PROCESS_PATH, line, 1),
            FileKind.PROCESS_ENV,
            "process-env",
        )
        for line, name in enumerate(names, start=1)
    )


def expand_home(value: str, home: str) -> str | None:
    """`~/x`, `$HOME/x`, `%USERPROFILE%\\x` -> `<home>/x`; None when anything else is left to expand."""
    text = value.strip().strip('"').replace("\\", "/")
    if text == "~" or text.startswith("~/"):
        text = home + text[1:]
    for ref in _HOME_REFS:
        if text.startswith(ref):
            text = home + text[len(ref) :]
            break
    if "$" in text or "%" in text or "`" in text:
        return None
    return text


def config_dir_for(
    user: disc.HostUser, profiles: Sequence[ParsedFile], process: Sequence[Observation], fs: HostFS
) -> tuple[str, Notification | None]:
    """~/.claude, or CLAUDE_CONFIG_DIR as this user's environment sets it (reference 1.1)."""
    default = f"{user.home}/.claude"
    chosen: Observation | None = next((o for o in process if o.name == "CLAUDE_CONFIG_DIR"), None)
    if chosen is None:
        for parsed in profiles:
            for obs in parsed.observations:
                if obs.name == "CLAUDE_CONFIG_DIR" and obs.scope not in ("command-local", "alias"):
                    chosen = obs
    if (
        chosen is None
        or chosen.kind is ObservationKind.UNSET
        or not isinstance(chosen.value, str)
        or not chosen.value
    ):
        return default, None
    expanded = expand_home(chosen.value, user.home)
    absolute = expanded is not None and (
        expanded.startswith("/") if fs.os_name != WINDOWS else (len(expanded) > 2 and expanded[1:3] == ":/")
    )
    if expanded is None or not absolute:
        at = chosen.location
        return default, Notification(
            "warning",
            f"CLAUDE_CONFIG_DIR in {at.short()} is not a path ccpolicy can resolve; {default} is assumed",
            at.path,
            at.line,
            "config-dir",
        )
    resolved = posixpath.normpath(expanded)
    if not fs.is_dir(resolved):
        at = chosen.location
        return resolved, Notification(
            "note",
            f"CLAUDE_CONFIG_DIR in {at.short()} names {resolved}, which does not exist on this machine",
            at.path,
            at.line,
            "config-dir",
        )
    return resolved, None


def _project_dirs(fs: HostFS, dirs: Sequence[str], reader: _Reader) -> list[str]:
    found: list[str] = []
    for raw in dirs:
        machine = _machine_dir(fs, raw)
        projects, notes = disc.walk_projects(fs, machine)
        reader.notes.extend(notes)
        found.extend(projects)
    return list(dict.fromkeys(found))


def _machine_dir(fs: HostFS, raw: str) -> str:
    """A --projects argument as a machine path (under --root: inside the root, as given or as mounted)."""
    real = Path(raw).resolve()
    if fs.live:
        return str(real).replace("\\", "/")
    # A directory of the mounted root, given as mounted (relative or absolute) ...
    inside = fs.machine_path(real) if real.is_dir() else None
    if inside is not None:
        return inside
    # ... or as it is on the audited machine.
    text = raw.replace("\\", "/")
    if text.startswith("/") or (fs.os_name == WINDOWS and len(text) > 2 and text[1:3] == ":/"):
        return posixpath.normpath(text)
    raise UsageError(
        f"--projects {raw}: under --root, give the directory as a path on the audited machine "
        "(for example /home/alice/src)"
    )


def _owned(project: str, user: disc.HostUser, users: Sequence[disc.HostUser]) -> bool:
    """Whether a --projects directory belongs to this user: inside their home, or inside nobody's."""

    def inside(home: str) -> bool:
        return project == home or project.startswith(home.rstrip("/") + "/")

    owners = [u for u in users if inside(u.home) and u.home not in ("/", "")]
    return not owners or any(u.name == user.name for u in owners)


def _projects_of(
    reader: _Reader,
    user: disc.HostUser,
    claude_json: ParsedFile | None,
    walked: Sequence[str],
    users: Sequence[disc.HostUser],
) -> list[ProjectFiles]:
    fs = reader.fs
    wanted: dict[str, None] = {}
    gone = 0
    recorded = claude_json.facts.get("projects") if claude_json is not None else None
    for entry in recorded if isinstance(recorded, list) else []:
        raw = entry.get("path") if isinstance(entry, dict) else None
        path = disc.normalize_project(raw, fs.os_name) if isinstance(raw, str) else None
        if path is None:
            continue
        if not fs.is_dir(path):
            gone += 1
            continue
        wanted.setdefault(path, None)
    for path in walked:
        if _owned(path, user, users):
            wanted.setdefault(path, None)
    if gone and claude_json is not None:
        reader.notes.append(
            Notification(
                "note",
                f"{gone} project{'s' if gone != 1 else ''} recorded in {claude_json.path} "
                f"{'do' if gone != 1 else 'does'} not exist on this machine"
                f"{'' if fs.live else ' (or outside the audited root)'}",
                claude_json.path,
                None,
                "missing-project",
            )
        )
    projects: list[ProjectFiles] = []
    for path in sorted(wanted):
        if path.rstrip("/") == user.home.rstrip("/"):
            continue  # ~/.claude/settings.json is the user's settings, not a project's
        parsed = [(c, reader.read(c)) for c in disc.project_candidates(fs, path)]
        local = tuple(p for c, p in parsed if p is not None and c.kind is FileKind.SETTINGS_LOCAL)
        project = next((p for c, p in parsed if p is not None and c.kind is FileKind.SETTINGS_PROJECT), None)
        if local or project is not None:
            # Both the git root's local file (v2.1.211+) and an older copy in the start directory are read;
            # which wins is not documented, so the start directory's own file is taken as the higher one.
            projects.append(ProjectFiles(path, tuple(reversed(local)), project))
    return projects


def _user_files(
    reader: _Reader,
    user: disc.HostUser,
    *,
    machine: MachineFiles,
    exports: Sequence[ParsedFile],
    users: Sequence[disc.HostUser],
    walked: Sequence[str],
    process: Sequence[Observation],
) -> UserFiles:
    fs = reader.fs
    chain_candidates, notes = disc.profile_chain(fs, user)
    reader.notes.extend(notes)
    profiles = reader.read_all(chain_candidates)
    for family in families_for(fs.os_name):  # other shells' files: scanned as files, not layered
        if family != user.shell:
            others, other_notes = disc.resolve_entries(fs, chain(fs.os_name, family, user.home))
            reader.notes.extend(other_notes)
            reader.read_all(others)
    config_dir, note = config_dir_for(user, profiles, process, fs)
    if note is not None:
        reader.notes.append(note)
    by_role = {c.role: reader.read(c) for c in disc.user_candidates(fs, user, config_dir)}
    claude_json = by_role.get(disc.ROLE_CLAUDE_JSON)
    plist = None
    if fs.os_name != WINDOWS:
        layout = layout_for(fs.os_name)
        if layout.plist_user is not None:
            plist = reader.files.get(layout.plist_user.format(user=user.name))
    names = [u.name for u in users]
    hkcu = [p for p in exports if "HKCU" in _hives(p) and disc.registry_owner(p.path, names) == user.name]
    if fs.live and fs.os_name == WINDOWS and user.current:
        from scanner.host.registry import read_live_environment, read_live_policy

        for live in (read_live_policy("HKCU"), read_live_environment("HKCU")):
            if live is not None:
                hkcu.append(reader.add(live, disc.ROLE_REGISTRY_EXPORT))
    footprint = disc.has_footprint(fs, user, config_dir) or (user.current and machine.has_managed)
    return UserFiles(
        user=user,
        config_dir=config_dir,
        settings=by_role.get(disc.ROLE_USER_SETTINGS),
        remote=by_role.get(disc.ROLE_REMOTE_SETTINGS),
        claude_json=claude_json,
        plist=plist,
        hkcu=tuple(hkcu),
        profiles=tuple(profiles),
        process=tuple(process),
        projects=tuple(_projects_of(reader, user, claude_json, walked, users)) if footprint else (),
        footprint=footprint,
    )


def read_host(host: HostOptions, kb: KnowledgeBase | None = None) -> HostInputs:
    kb = kb or load_kb()
    fs = host_filesystem(host)
    layout = layout_for(fs.os_name)
    reader = _Reader(fs)
    users, notes = disc.find_users(fs, layout, all_users=host.all_users)
    reader.notes.extend(notes)
    machine, exports = _machine_files(reader, layout, users)
    for export in exports:
        if "HKCU" in _hives(export) and disc.registry_owner(export.path, [u.name for u in users]) is None:
            reader.notes.append(
                Notification(
                    "warning",
                    f"{export.path} holds HKEY_CURRENT_USER entries but its name does not say whose "
                    "(name it HKCU-<user>.reg); they are ignored",
                    export.path,
                    None,
                    "registry-owner",
                )
            )
    walked = _project_dirs(fs, host.projects, reader)
    environ = host.environ if host.environ is not None else os.environ
    user_files: list[UserFiles] = []
    for user in users:
        process = process_observations(environ, kb) if host.include_process_env and user.current else ()
        user_files.append(
            _user_files(
                reader, user, machine=machine, exports=exports, users=users, walked=walked, process=process
            )
        )
    skipped = [u.user.name for u in user_files if not u.footprint]
    if skipped:
        reader.notes.append(
            Notification(
                "note",
                f"no Claude Code configuration for {len(skipped)} user{'s' if len(skipped) != 1 else ''} "
                f"({', '.join(skipped)}): not audited",
                None,
                None,
                "no-claude-code",
            )
        )
    contexts, context_notes = host_contexts(machine, user_files, kb)
    reader.notes.extend(context_notes)
    files = tuple(sorted(reader.files.values(), key=lambda f: f.path))
    inputs = Inputs(files, tuple(reader.notes), None, False)
    return HostInputs(fs, inputs, tuple(contexts), machine, tuple(user_files))


def scan_host(host: HostOptions, options: ScanOptions) -> ScanResult:
    read = read_host(host)
    result = judge_contexts(Path(read.fs.root), read.inputs, read.contexts, options._replace(category="host"))
    # Host paths are absolute machine paths: no root to make them relative to (SARIF file:// URIs).
    return result._replace(root="")


def scan_host_args(args: argparse.Namespace, options: ScanOptions) -> list[tuple[str, ScanResult]]:
    """`ccpolicy scan --host` with --root, --os, --all-users, --projects and --include-process-env."""
    if args.paths or getattr(args, "repos_from", None):
        raise UsageError("--host scans a machine: it takes no PATH or --repos-from")
    host = HostOptions(
        root=args.root,
        os_name=args.os,
        all_users=bool(args.all_users),
        projects=tuple(args.projects or ()),
        include_process_env=bool(args.include_process_env),
    )
    return [(target_name(host), scan_host(host, options))]
