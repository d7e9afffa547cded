"""Which shell startup files put variables into a user's environment, in the order they are read.

Claude Code inherits the environment of the shell it is started from, typically an interactive shell
in a terminal, whose environment also holds what the login session read. For each shell family the
chain below is: the login files (system, then the user's), then the interactive files (system, then
the user's). A later assignment wins, so the chain is in reading order and the context puts its
last file highest. Assumptions, documented in the README:

- bash reads the first of ~/.bash_profile, ~/.bash_login, ~/.profile, and ~/.bashrc after it (the
  usual `.bash_profile` sources `.bashrc`; a terminal's non-login shell reads it directly);
- /etc/environment (pam_env, `KEY=VALUE`) is read before any shell on Linux;
- fish runs conf.d snippets (user's first, one per file name) in name order, then the system and the
  user's config.fish;
- PowerShell 7 (`pwsh`) is used when installed, else Windows PowerShell 5.1; the AllUsers profiles
  come before the CurrentUser ones, `profile.ps1` before the host-specific one.
`source` lines inside these files are not followed.
"""

from __future__ import annotations

import posixpath

from scanner.host.layout import LINUX, MACOS, WINDOWS
from scanner.model import FileKind
from scanner.records import NamedTuple

# Login shell (basename of the passwd entry) -> family.
SHELL_FAMILIES = {
    "bash": "bash",
    "zsh": "zsh",
    "sh": "sh",
    "dash": "sh",
    "ash": "sh",
    "ksh": "ksh",
    "ksh93": "ksh",
    "mksh": "ksh",
    "fish": "fish",
    "csh": "csh",
    "tcsh": "csh",
    "pwsh": "pwsh",
    "powershell": "powershell",
}


class ProfileEntry(NamedTuple):
    """One step of a chain: a file, the first existing of several files, or the files of directories.

    `paths` with `first_of`: only the first that exists is read. With `glob` (a suffix such as ".sh"),
    `paths` are directories whose matching files are read in name order; with `unique_names`, a name
    found in an earlier directory hides the same name in later ones (fish conf.d).
    """

    paths: tuple[str, ...]
    kind: FileKind
    first_of: bool = False
    glob: str | None = None
    unique_names: bool = False


def _file(path: str, kind: FileKind = FileKind.SHELL) -> ProfileEntry:
    return ProfileEntry((path,), kind)


def _first(*paths: str, kind: FileKind = FileKind.SHELL) -> ProfileEntry:
    return ProfileEntry(tuple(paths), kind, first_of=True)


def family_of(shell_path: str | None, os_name: str, default: str) -> str:
    """The shell family of a passwd shell (`/usr/bin/zsh` -> zsh); the OS default when unknown."""
    if shell_path:
        base = posixpath.basename(shell_path.replace("\\", "/")).lower().removesuffix(".exe")
        family = SHELL_FAMILIES.get(base)
        if family is not None and (os_name == WINDOWS) == (family in ("pwsh", "powershell")):
            return family
    return default


def chain(os_name: str, family: str, home: str) -> tuple[ProfileEntry, ...]:
    """The startup files of `family` on `os_name` for the user whose home is `home`, in reading order."""
    h = home.rstrip("/")
    pam = (ProfileEntry(("/etc/environment",), FileKind.DOTENV),) if os_name == LINUX else ()
    if family == "powershell":
        system = "C:/Windows/System32/WindowsPowerShell/v1.0"
        return _powershell(system, h, "WindowsPowerShell")
    if family == "pwsh":
        return _powershell("C:/Program Files/PowerShell/7", h, "PowerShell")
    if family == "zsh":
        return (
            *pam,
            _first("/etc/zshenv", "/etc/zsh/zshenv"),
            _file(f"{h}/.zshenv"),
            _first("/etc/zprofile", "/etc/zsh/zprofile"),
            _file(f"{h}/.zprofile"),
            _first("/etc/zshrc", "/etc/zsh/zshrc"),
            _file(f"{h}/.zshrc"),
            _first("/etc/zlogin", "/etc/zsh/zlogin"),
            _file(f"{h}/.zlogin"),
        )
    if family == "fish":
        return (
            *pam,
            ProfileEntry(
                (f"{h}/.config/fish/conf.d", "/etc/fish/conf.d"),
                FileKind.FISH,
                glob=".fish",
                unique_names=True,
            ),
            _file("/etc/fish/config.fish", FileKind.FISH),
            _file(f"{h}/.config/fish/config.fish", FileKind.FISH),
        )
    if family == "csh":
        return (
            *pam,
            _file("/etc/csh.cshrc", FileKind.CSH),
            _file("/etc/csh.login", FileKind.CSH),
            _first(f"{h}/.tcshrc", f"{h}/.cshrc", kind=FileKind.CSH),
            _file(f"{h}/.login", FileKind.CSH),
        )
    login = (*pam, _file("/etc/profile"), ProfileEntry(("/etc/profile.d",), FileKind.SHELL, glob=".sh"))
    if family in ("sh", "ksh"):
        return (*login, _file(f"{h}/.profile"), *((_file(f"{h}/.kshrc"),) if family == "ksh" else ()))
    # bash, and the fallback for anything else POSIX-like
    interactive_system = (
        _file("/etc/bashrc")
        if os_name == MACOS
        else _first("/etc/bash.bashrc", "/etc/bash/bashrc", "/etc/bashrc")
    )
    return (
        *login,
        _first(f"{h}/.bash_profile", f"{h}/.bash_login", f"{h}/.profile"),
        interactive_system,
        _file(f"{h}/.bashrc"),
    )


def _powershell(system: str, home: str, folder: str) -> tuple[ProfileEntry, ...]:
    kind = FileKind.POWERSHELL
    documents = (f"{home}/Documents/{folder}", f"{home}/OneDrive/Documents/{folder}")
    return (
        _file(f"{system}/profile.ps1", kind),
        _file(f"{system}/Microsoft.PowerShell_profile.ps1", kind),
        _first(*(f"{d}/profile.ps1" for d in documents), kind=kind),
        _first(*(f"{d}/Microsoft.PowerShell_profile.ps1" for d in documents), kind=kind),
    )


def families_for(os_name: str) -> tuple[str, ...]:
    """Every family whose files are worth reading on this OS (those of other shells are scanned as
    files, for credentials and near-misses, without being part of the user's context)."""
    if os_name == WINDOWS:
        return ("pwsh", "powershell")
    return ("bash", "zsh", "sh", "ksh", "fish", "csh")
