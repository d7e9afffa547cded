"""Which configuration files a machine has: managed sources, users, their files, their projects.

Only paths are found here (scanner.host.scan reads and parses them). Everything is a machine path
(scanner.host.layout); a location that cannot be listed is a Notification.

Users: on a live scan without --all-users, the user running ccpolicy; with --all-users (and always
under --root, where there is no "current user"), every home directory in the layout's home folders
plus the superuser's home. A user's name and login shell come from /etc/passwd when it lists the
home, else from the folder name and the OS's default shell.
"""

from __future__ import annotations

import os
import posixpath
import sys
from pathlib import Path

from scanner.host.fs import HostFS
from scanner.host.layout import (
    LINUX,
    MACOS,
    MANAGED_DROPIN_DIR,
    MANAGED_MCP,
    MANAGED_SETTINGS,
    REGISTRY_EXPORT_DIRS,
    WINDOWS,
    OsLayout,
)
from scanner.host.profiles import ProfileEntry, chain, family_of
from scanner.model import FileKind, Notification
from scanner.records import NamedTuple

# What a file is for, beyond its FileKind (kept in ParsedFile.facts["host_role"]).
ROLE_MANAGED_FILE = "managed-file"
ROLE_MANAGED_DROPIN = "managed-dropin"
ROLE_MANAGED_MCP = "managed-mcp"
ROLE_LEGACY_MANAGED = "legacy-managed"
ROLE_WSL_MANAGED_FILE = "wsl-windows-managed-file"
ROLE_WSL_MANAGED_DROPIN = "wsl-windows-managed-dropin"
ROLE_PLIST_DEVICE = "plist-device"
ROLE_PLIST_USER = "plist-user"
ROLE_REGISTRY_EXPORT = "registry-export"
ROLE_USER_SETTINGS = "user-settings"
ROLE_REMOTE_SETTINGS = "remote-settings"
ROLE_CLAUDE_JSON = "claude-json"
ROLE_PROFILE = "profile"
ROLE_PROJECT_SETTINGS = "project-settings"
ROLE_LOCAL_SETTINGS = "local-settings"


class Candidate(NamedTuple):
    path: str  # machine path
    kind: FileKind
    role: str


class HostUser(NamedTuple):
    name: str
    home: str  # machine path
    shell: str  # shell family (scanner.host.profiles)
    current: bool = False  # the user running ccpolicy (live scans)


def detect_os(root: Path) -> str | None:
    """The layout of a mounted root: Windows, macOS or Linux markers, most specific first."""

    def is_dir(*parts: str) -> bool:
        return os.path.isdir(os.path.join(root, *parts))

    if is_dir("Program Files") or is_dir("Windows", "System32"):
        return WINDOWS
    if is_dir("Users"):
        try:
            homes = os.listdir(os.path.join(root, "Users"))
        except OSError:
            homes = []
        if any(is_dir("Users", home, "AppData") for home in homes):
            return WINDOWS
    if is_dir("Library") or is_dir("System", "Library"):
        return MACOS
    if is_dir("etc"):
        return LINUX
    return None


def live_os() -> str | None:
    if sys.platform.startswith("linux"):
        return LINUX
    if sys.platform == "darwin":
        return MACOS
    if sys.platform in ("win32", "cygwin"):
        return WINDOWS
    return None


# -- users ------------------------------------------------------------------------------------


def _passwd(fs: HostFS) -> dict[str, tuple[str, str]]:
    """home -> (user name, login shell) from the machine's /etc/passwd."""
    if fs.os_name == WINDOWS:
        return {}
    text, _ = fs.read_text("/etc/passwd", max_bytes=1_000_000)
    entries: dict[str, tuple[str, str]] = {}
    for line in (text or "").splitlines():
        fields = line.split(":")
        if len(fields) >= 7 and fields[0] and not line.startswith("#"):
            entries.setdefault(fields[5].rstrip("/") or "/", (fields[0], fields[6]))
    return entries


def current_user(os_name: str, layout: OsLayout) -> HostUser | None:
    """The user running ccpolicy on this machine."""
    if os_name == WINDOWS:
        name = os.environ.get("USERNAME", "")
        profile = os.environ.get("USERPROFILE", "")
        if not name or not profile:
            return None
        return HostUser(name, profile.replace("\\", "/"), layout.default_shell, current=True)
    try:
        import pwd

        entry = pwd.getpwuid(os.getuid())
    except (ImportError, KeyError, OSError):
        home = os.path.expanduser("~")
        return HostUser(os.path.basename(home) or "user", home, layout.default_shell, current=True)
    shell = family_of(entry.pw_shell, os_name, layout.default_shell)
    return HostUser(entry.pw_name, entry.pw_dir.rstrip("/") or "/", shell, current=True)


def find_users(fs: HostFS, layout: OsLayout, *, all_users: bool) -> tuple[list[HostUser], list[Notification]]:
    notes: list[Notification] = []
    if fs.live and not all_users:
        user = current_user(fs.os_name, layout)
        if user is None:
            notes.append(
                Notification(
                    "warning",
                    "could not tell who the current user is; no user audited",
                    None,
                    None,
                    "no-user",
                )
            )
            return [], notes
        if fs.os_name == WINDOWS:
            user = HostUser(user.name, user.home, windows_shell(fs, user.home), current=True)
        return [user], notes
    passwd = _passwd(fs)
    homes: list[str] = []
    for parent in layout.home_parents:
        names, note = fs.list_dir(parent)
        if note is not None:
            notes.append(note)
        homes.extend(
            posixpath.join(parent, n) for n in names if n not in layout.not_homes and not n.startswith(".")
        )
    if layout.root_home is not None:
        homes.append(layout.root_home)
    current = current_user(fs.os_name, layout) if fs.live else None
    users: list[HostUser] = []
    for home in homes:
        if not fs.is_dir(home):
            _, note = fs.resolve(home)
            if note is not None:  # a home that cannot be reached is reported, then skipped
                notes.append(note)
            continue
        _, note = fs.list_dir(home)
        if note is not None:
            notes.append(note)
        name, shell = passwd.get(home, (posixpath.basename(home), ""))
        is_current = current is not None and current.home == home
        family = (
            windows_shell(fs, home)
            if fs.os_name == WINDOWS
            else family_of(shell, fs.os_name, layout.default_shell)
        )
        users.append(HostUser(name, home, family, is_current))
    return users, notes


def windows_shell(fs: HostFS, home: str) -> str:
    """PowerShell 7 (`pwsh`) when it is installed or the user has its profile folder, else 5.1."""
    if fs.is_dir("C:/Program Files/PowerShell/7") or fs.is_dir(f"{home}/Documents/PowerShell"):
        return "pwsh"
    return "powershell"


def has_footprint(fs: HostFS, user: HostUser, config_dir: str | None) -> bool:
    """Whether Claude Code has been used by this user (its folder or state file exists)."""
    return (
        fs.exists(f"{user.home}/.claude")
        or fs.exists(f"{user.home}/.claude.json")
        or (config_dir is not None and fs.exists(config_dir))
    )


# -- machine-wide sources -----------------------------------------------------------------------


def _dropins(fs: HostFS, directory: str, role: str, notes: list[Notification]) -> list[Candidate]:
    names, note = fs.list_dir(directory)
    if note is not None:
        notes.append(note)
    # Claude Code reads *.json in name order and skips hidden files (reference 1.3).
    return [
        Candidate(f"{directory}/{name}", FileKind.SETTINGS_MANAGED_DROPIN, role)
        for name in names
        if name.endswith(".json") and not name.startswith(".")
    ]


def managed_candidates(
    fs: HostFS, layout: OsLayout, users: list[HostUser]
) -> tuple[list[Candidate], list[Notification]]:
    notes: list[Notification] = []
    found = [
        Candidate(f"{layout.managed_dir}/{MANAGED_SETTINGS}", FileKind.SETTINGS_MANAGED, ROLE_MANAGED_FILE),
        *_dropins(fs, f"{layout.managed_dir}/{MANAGED_DROPIN_DIR}", ROLE_MANAGED_DROPIN, notes),
        Candidate(f"{layout.managed_dir}/{MANAGED_MCP}", FileKind.MANAGED_MCP, ROLE_MANAGED_MCP),
        *(Candidate(p, FileKind.SETTINGS_MANAGED, ROLE_LEGACY_MANAGED) for p in layout.legacy_managed_files),
    ]
    for directory in layout.legacy_dropin_dirs:
        found.extend(
            Candidate(c.path, c.kind, ROLE_LEGACY_MANAGED) for c in _dropins(fs, directory, "", notes)
        )
    if layout.plist_device is not None:
        found.append(Candidate(layout.plist_device, FileKind.PLIST, ROLE_PLIST_DEVICE))
    if layout.plist_user is not None:
        found.extend(
            Candidate(layout.plist_user.format(user=u.name), FileKind.PLIST, ROLE_PLIST_USER) for u in users
        )
    if layout.name == WINDOWS and not fs.live:
        for directory in REGISTRY_EXPORT_DIRS:
            names, note = fs.list_dir(directory)
            if note is not None:
                notes.append(note)
            found.extend(
                Candidate(f"{directory}/{n}", FileKind.REGISTRY, ROLE_REGISTRY_EXPORT)
                for n in names
                if n.lower().endswith(".reg")
            )
    if layout.wsl_windows_managed_dir is not None and fs.is_dir(layout.wsl_windows_managed_dir):
        wsl = layout.wsl_windows_managed_dir
        found.append(Candidate(f"{wsl}/{MANAGED_SETTINGS}", FileKind.SETTINGS_MANAGED, ROLE_WSL_MANAGED_FILE))
        found.extend(_dropins(fs, f"{wsl}/{MANAGED_DROPIN_DIR}", ROLE_WSL_MANAGED_DROPIN, notes))
    return [c for c in found if fs.exists(c.path)], notes


def registry_owner(path: str, user_names: list[str]) -> str | None:
    """The user a `HKCU-<user>[-anything].reg` export belongs to (the longest matching name)."""
    stem = posixpath.basename(path)[: -len(".reg")]
    if not stem.lower().startswith("hkcu-"):
        return None
    rest = stem[5:].lower()
    best: str | None = None
    for name in user_names:
        low = name.lower()
        if (rest == low or rest.startswith((low + "-", low + "."))) and (
            best is None or len(name) > len(best)
        ):
            best = name
    return best


# -- per-user files -----------------------------------------------------------------------------


def profile_chain(fs: HostFS, user: HostUser) -> tuple[list[Candidate], list[Notification]]:
    """The existing startup files of the user's login shell, in reading order."""
    return resolve_entries(fs, chain(fs.os_name, user.shell, user.home))


def resolve_entries(
    fs: HostFS, entries: tuple[ProfileEntry, ...]
) -> tuple[list[Candidate], list[Notification]]:
    out: list[Candidate] = []
    notes: list[Notification] = []
    for entry in entries:
        if entry.glob is not None:
            chosen: dict[str, str] = {}
            for directory in entry.paths:
                names, note = fs.list_dir(directory)
                if note is not None:
                    notes.append(note)
                for name in names:
                    if name.endswith(entry.glob) and not name.startswith("."):
                        if entry.unique_names:
                            chosen.setdefault(name, f"{directory}/{name}")
                        else:
                            chosen[f"{directory}/{name}"] = f"{directory}/{name}"
            out.extend(
                Candidate(chosen[k], entry.kind, ROLE_PROFILE) for k in sorted(chosen, key=posixpath.basename)
            )
            continue
        for path in entry.paths:
            if fs.exists(path):
                out.append(Candidate(path, entry.kind, ROLE_PROFILE))
                if entry.first_of:
                    break
    return out, notes


def user_candidates(fs: HostFS, user: HostUser, config_dir: str) -> list[Candidate]:
    """Claude Code's own files for a user; `config_dir` is ~/.claude or $CLAUDE_CONFIG_DIR."""
    # With CLAUDE_CONFIG_DIR the state file reportedly moves too [UNCONFIRMED, reference 1.1].
    moved_state = f"{config_dir}/.claude.json"
    state = (
        moved_state
        if config_dir != f"{user.home}/.claude" and fs.exists(moved_state)
        else (f"{user.home}/.claude.json")
    )
    found = [
        Candidate(f"{config_dir}/settings.json", FileKind.SETTINGS_USER, ROLE_USER_SETTINGS),
        Candidate(f"{config_dir}/remote-settings.json", FileKind.SETTINGS_REMOTE, ROLE_REMOTE_SETTINGS),
        Candidate(state, FileKind.CLAUDE_JSON, ROLE_CLAUDE_JSON),
    ]
    return [c for c in found if fs.exists(c.path)]


# -- projects -----------------------------------------------------------------------------------


def normalize_project(path: str, os_name: str) -> str | None:
    """A project key from ~/.claude.json as a machine path, or None when it is not absolute."""
    clean = path.replace("\\", "/") if os_name == WINDOWS else path
    if os_name == WINDOWS:
        if len(clean) < 3 or clean[1] != ":" or clean[2] != "/":
            return None
        clean = clean[0].upper() + clean[1:]
    elif not clean.startswith("/"):
        return None
    normalized = posixpath.normpath(clean)
    return normalized[:2] + "/" if os_name == WINDOWS and normalized.endswith(":") else normalized


def project_candidates(fs: HostFS, project: str) -> list[Candidate]:
    """A project's settings files: its own, plus the git root's local file (v2.1.211+, reference 1.1)."""
    found = [
        Candidate(f"{project}/.claude/settings.local.json", FileKind.SETTINGS_LOCAL, ROLE_LOCAL_SETTINGS),
        Candidate(f"{project}/.claude/settings.json", FileKind.SETTINGS_PROJECT, ROLE_PROJECT_SETTINGS),
    ]
    top = git_root(fs, project)
    if top is not None and top != project:
        found.insert(
            0, Candidate(f"{top}/.claude/settings.local.json", FileKind.SETTINGS_LOCAL, ROLE_LOCAL_SETTINGS)
        )
    return [c for c in found if fs.exists(c.path)]


def parent_dir(path: str) -> str:
    """The parent of a machine path; the root (`/`, `C:/`) is its own parent."""
    if path.rstrip("/").endswith(":"):
        return path.rstrip("/") + "/"
    parent = posixpath.dirname(path.rstrip("/")) or "/"
    return parent + "/" if parent.endswith(":") else parent


def git_root(fs: HostFS, directory: str) -> str | None:
    current = directory
    for _ in range(64):
        if fs.exists(f"{current.rstrip('/')}/.git"):
            return current
        parent = parent_dir(current)
        if parent == current:
            return None
        current = parent
    return None


def walk_projects(fs: HostFS, directory: str) -> tuple[list[str], list[Notification]]:
    """Project directories (with .claude/settings*.json) under a machine directory."""
    from scanner.discovery import DiscoveryError
    from scanner.discovery.listing import candidates, list_files

    real, note = fs.resolve(directory)
    if real is None:
        return [], [
            note or Notification("warning", "--projects directory does not exist", directory, None, "missing")
        ]
    try:
        listing = list_files(real)
    except DiscoveryError as error:
        return [], [
            Notification(
                "warning", f"--projects directory could not be listed: {error}", directory, None, "unreadable"
            )
        ]
    except Exception as error:  # git or the walk failing must cost this directory, not the scan
        return [], [
            Notification(
                "warning",
                f"--projects directory could not be listed ({type(error).__name__})",
                directory,
                None,
                "unreadable",
            )
        ]
    base = directory.rstrip("/")
    notes = [
        Notification(
            n.level, n.message, f"{base}/{n.path}" if n.path and n.path != "." else base, n.line, n.descriptor
        )
        for n in listing.notifications
    ]
    projects: dict[str, None] = {}
    for relpath, kind in candidates(listing):
        if kind not in (FileKind.SETTINGS_PROJECT, FileKind.SETTINGS_LOCAL):
            continue
        parent = posixpath.dirname(posixpath.dirname(relpath))
        projects.setdefault(f"{base}/{parent}" if parent else base, None)
    return list(projects), notes
