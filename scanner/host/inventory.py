"""What a host scan read, grouped the way contexts need it (machine-wide, per user, per project)."""

from __future__ import annotations

from scanner.host.discover import HostUser
from scanner.model import Observation, ParsedFile
from scanner.records import NamedTuple


class ProjectFiles(NamedTuple):
    path: str  # machine path of the directory Claude Code is started in
    local: tuple[ParsedFile, ...] = ()  # settings.local.json files, highest precedence first
    project: ParsedFile | None = None  # .claude/settings.json


class UserFiles(NamedTuple):
    user: HostUser
    config_dir: str  # ~/.claude, or $CLAUDE_CONFIG_DIR as the user's profile sets it
    settings: ParsedFile | None = None
    remote: ParsedFile | None = None  # ~/.claude/remote-settings.json (server-managed cache)
    claude_json: ParsedFile | None = None
    plist: ParsedFile | None = None  # /Library/Managed Preferences/<user>/com.anthropic.claudecode.plist
    hkcu: tuple[ParsedFile, ...] = ()  # registry sources holding this user's HKCU policy or environment
    profiles: tuple[ParsedFile, ...] = ()  # the login shell's startup files, in reading order
    process: tuple[Observation, ...] = ()  # the scanner's own environment (current user, opt-in)
    projects: tuple[ProjectFiles, ...] = ()
    footprint: bool = False  # Claude Code has been used by this user (or a managed policy exists)


class MachineFiles(NamedTuple):
    os_name: str
    managed_file: ParsedFile | None = None
    dropins: tuple[ParsedFile, ...] = ()  # in name order
    managed_mcp: ParsedFile | None = None
    legacy: tuple[ParsedFile, ...] = ()  # managed files Claude Code no longer reads
    plist: ParsedFile | None = None  # device-wide managed preferences
    hklm: tuple[ParsedFile, ...] = ()  # registry sources holding the HKLM policy or machine environment
    wsl_file: ParsedFile | None = None  # WSL: C:\Program Files\ClaudeCode\managed-settings.json
    wsl_dropins: tuple[ParsedFile, ...] = ()

    @property
    def has_managed(self) -> bool:
        return any(
            (
                self.managed_file,
                self.dropins,
                self.managed_mcp,
                self.plist,
                self.hklm,
                self.wsl_file,
                self.wsl_dropins,
            )
        )
