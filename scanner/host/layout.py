"""Where each operating system keeps Claude Code's configuration, as data (reference 1.1).

Paths are *machine paths*: absolute, POSIX separators, as they are on the audited machine
(`/etc/claude-code/managed-settings.json`, `C:/Program Files/ClaudeCode/managed-settings.json`).
scanner.host.fs maps them onto a mounted root when the scan runs with `--root`.
"""

from __future__ import annotations

from scanner.records import NamedTuple

LINUX = "linux"
MACOS = "macos"
WINDOWS = "windows"
OS_NAMES = (LINUX, MACOS, WINDOWS)

MANAGED_SETTINGS = "managed-settings.json"
MANAGED_DROPIN_DIR = "managed-settings.d"
MANAGED_MCP = "managed-mcp.json"
PLIST_NAME = "com.anthropic.claudecode.plist"

# Where a team puts `reg export` output so that a --root scan of a Windows image can read the
# registry policy (README "Host scans": how to export). Every *.reg in these folders is read.
REGISTRY_EXPORT_DIRS = ("C:/ccpolicy-registry", "C:/Windows/ccpolicy-exports")
REGISTRY_POLICY_KEY = "SOFTWARE\\Policies\\ClaudeCode"
REGISTRY_POLICY_VALUE = "Settings"


class OsLayout(NamedTuple):
    name: str
    managed_dir: str  # managed-settings.json, managed-settings.d/, managed-mcp.json
    # Managed files Claude Code no longer reads but that still hold a policy someone believes in.
    legacy_managed_files: tuple[str, ...] = ()
    legacy_dropin_dirs: tuple[str, ...] = ()
    # Device-wide managed-preferences plist and the per-user copy ({user} is replaced).
    # [UNCONFIRMED] paths: the docs name only the domain (reference 1.1, 7).
    plist_device: str | None = None
    plist_user: str | None = None
    home_parents: tuple[str, ...] = ()  # every directory in these is a home
    # Directories in home_parents that are not anyone's home.
    not_homes: frozenset[str] = frozenset()
    root_home: str | None = None  # the superuser's home, outside home_parents
    default_shell: str = "bash"
    # WSL: the Windows managed directory as mounted in the Linux filesystem (reference 1.1).
    wsl_windows_managed_dir: str | None = None


LAYOUTS: dict[str, OsLayout] = {
    LINUX: OsLayout(
        name=LINUX,
        managed_dir="/etc/claude-code",
        home_parents=("/home",),
        not_homes=frozenset({"lost+found"}),
        root_home="/root",
        default_shell="bash",
        wsl_windows_managed_dir="/mnt/c/Program Files/ClaudeCode",
    ),
    MACOS: OsLayout(
        name=MACOS,
        managed_dir="/Library/Application Support/ClaudeCode",
        plist_device=f"/Library/Managed Preferences/{PLIST_NAME}",
        plist_user=f"/Library/Managed Preferences/{{user}}/{PLIST_NAME}",
        home_parents=("/Users",),
        not_homes=frozenset({"Shared", "Guest", ".localized"}),
        root_home="/var/root",
        default_shell="zsh",
    ),
    WINDOWS: OsLayout(
        name=WINDOWS,
        managed_dir="C:/Program Files/ClaudeCode",
        # Removed in 2.1.75 (reference 1.1): discovered so that the stale policy is reported.
        legacy_managed_files=("C:/ProgramData/ClaudeCode/managed-settings.json",),
        legacy_dropin_dirs=("C:/ProgramData/ClaudeCode/managed-settings.d",),
        home_parents=("C:/Users",),
        not_homes=frozenset({"Public", "Default", "Default User", "All Users", "WDAGUtilityAccount"}),
        default_shell="powershell",
    ),
}


def layout_for(os_name: str) -> OsLayout:
    return LAYOUTS[os_name]
