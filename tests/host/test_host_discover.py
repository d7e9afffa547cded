"""Discovery, profiles, users, CLAUDE_CONFIG_DIR, projects, the process environment and WSL."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hostcheck import HOST_FIXTURES, env, setting

from scanner.contexts.model import LayerKind
from scanner.errors import UsageError
from scanner.host import discover as disc
from scanner.host.fs import HostFS
from scanner.host.profiles import chain, family_of
from scanner.host.scan import (
    PROCESS_PATH,
    HostOptions,
    config_dir_for,
    expand_home,
    host_filesystem,
    process_observations,
    read_host,
)
from scanner.knowledge import load
from scanner.model import FileKind, Location, Observation, ObservationKind, ParsedFile


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_detect_os(tmp_path: Path) -> None:
    assert disc.detect_os(HOST_FIXTURES / "linux-conflicts") == "linux"
    assert disc.detect_os(HOST_FIXTURES / "macos-conflicts") == "macos"
    assert disc.detect_os(HOST_FIXTURES / "windows-conflicts") == "windows"
    assert disc.detect_os(_write(tmp_path / "w", {"Users/ann/AppData/x": ""})) == "windows"
    assert disc.detect_os(_write(tmp_path / "m", {"Library/x": "", "etc/y": ""})) == "macos"
    assert disc.detect_os(tmp_path / "m" / "Library") is None
    with pytest.raises(UsageError, match="pass --os linux"):
        host_filesystem(HostOptions(root=str(tmp_path / "m" / "Library")))
    assert (
        host_filesystem(HostOptions(root=str(tmp_path / "m" / "Library"), os_name="linux")).os_name == "linux"
    )
    with pytest.raises(UsageError, match="--os must be one of"):
        host_filesystem(HostOptions(root=str(tmp_path), os_name="beos"))
    with pytest.raises(UsageError, match="use it with --root"):
        host_filesystem(HostOptions(os_name="windows" if sys.platform != "win32" else "linux"))


def test_small_path_helpers() -> None:
    assert disc.registry_owner("C:/r/HKCU-alice.reg", ["alice", "al"]) == "alice"
    assert disc.registry_owner("C:/r/HKCU-mary-ann-env.reg", ["mary", "mary-ann"]) == "mary-ann"
    assert disc.registry_owner("C:/r/hkcu-Bob.reg", ["bob"]) == "bob"
    assert disc.registry_owner("C:/r/HKLM.reg", ["bob"]) is None
    assert disc.registry_owner("C:/r/HKCU-zed.reg", ["bob"]) is None
    assert disc.normalize_project("C:\\Users\\a\\src\\..\\app", "windows") == "C:/Users/a/app"
    assert disc.normalize_project("c:/", "windows") == "C:/"
    assert disc.normalize_project("relative/x", "linux") is None
    assert disc.normalize_project("/home/a/./x/", "linux") == "/home/a/x"
    assert disc.parent_dir("C:/Users") == "C:/"
    assert disc.parent_dir("C:/") == "C:/"
    assert disc.parent_dir("/home") == "/"
    assert disc.parent_dir("/") == "/"


def test_profile_chains() -> None:
    assert family_of("/usr/bin/zsh", "linux", "bash") == "zsh"
    assert family_of("/usr/sbin/nologin", "linux", "bash") == "bash"
    assert family_of("/usr/bin/pwsh", "linux", "bash") == "bash"
    assert family_of(None, "macos", "zsh") == "zsh"
    assert [(e.paths, e.first_of, e.glob) for e in chain("linux", "bash", "/home/a")] == [
        (("/etc/environment",), False, None),
        (("/etc/profile",), False, None),
        (("/etc/profile.d",), False, ".sh"),
        (("/home/a/.bash_profile", "/home/a/.bash_login", "/home/a/.profile"), True, None),
        (("/etc/bash.bashrc", "/etc/bash/bashrc", "/etc/bashrc"), True, None),
        (("/home/a/.bashrc",), False, None),
    ]
    assert [e.paths[0] for e in chain("macos", "zsh", "/Users/a")] == [
        "/etc/zshenv",
        "/Users/a/.zshenv",
        "/etc/zprofile",
        "/Users/a/.zprofile",
        "/etc/zshrc",
        "/Users/a/.zshrc",
        "/etc/zlogin",
        "/Users/a/.zlogin",
    ]
    assert [(e.paths[0], e.kind) for e in chain("windows", "powershell", "C:/Users/a")] == [
        ("C:/Windows/System32/WindowsPowerShell/v1.0/profile.ps1", FileKind.POWERSHELL),
        ("C:/Windows/System32/WindowsPowerShell/v1.0/Microsoft.PowerShell_profile.ps1", FileKind.POWERSHELL),
        ("C:/Users/a/Documents/WindowsPowerShell/profile.ps1", FileKind.POWERSHELL),
        ("C:/Users/a/Documents/WindowsPowerShell/Microsoft.PowerShell_profile.ps1", FileKind.POWERSHELL),
    ]


def test_fish_conf_d_user_snippet_hides_the_system_one(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "etc/fish/conf.d/10-a.fish": "set -gx A system\n",
            "etc/fish/conf.d/20-b.fish": "set -gx B system\n",
            "home/f/.config/fish/conf.d/10-a.fish": "set -gx A user\n",
            "home/f/.config/fish/config.fish": "set -gx C user\n",
            "etc/fish/config.fish": "set -gx C system\n",
        },
    )
    fs = HostFS(str(root), "linux")
    found, notes = disc.resolve_entries(fs, chain("linux", "fish", "/home/f"))
    assert notes == []
    assert [c.path for c in found] == [
        "/home/f/.config/fish/conf.d/10-a.fish",
        "/etc/fish/conf.d/20-b.fish",
        "/etc/fish/config.fish",
        "/home/f/.config/fish/config.fish",
    ]


def test_claude_config_dir_resolution(tmp_path: Path) -> None:
    root = _write(tmp_path, {"home/u/cfg/settings.json": "{}"})
    fs = HostFS(str(root), "linux")
    user = disc.HostUser("u", "/home/u", "bash")

    def profile(value: str, kind: ObservationKind = ObservationKind.ENV) -> ParsedFile:
        obs = Observation(
            kind, "CLAUDE_CONFIG_DIR", value, Location("/home/u/.bashrc", 3, 8), FileKind.SHELL, "export"
        )
        return ParsedFile("/home/u/.bashrc", FileKind.SHELL, (obs,))

    assert expand_home("~/cfg", "/home/u") == "/home/u/cfg"
    assert expand_home("${HOME}/cfg", "/home/u") == "/home/u/cfg"
    assert expand_home("%USERPROFILE%\\cfg", "C:/Users/u") == "C:/Users/u/cfg"
    assert expand_home("$XDG_CONFIG_HOME/claude", "/home/u") is None
    assert config_dir_for(user, [], [], fs) == ("/home/u/.claude", None)
    assert config_dir_for(user, [profile("$HOME/cfg")], [], fs) == ("/home/u/cfg", None)
    assert config_dir_for(user, [profile("")], [], fs) == ("/home/u/.claude", None)
    assert config_dir_for(user, [profile("/x", ObservationKind.UNSET)], [], fs) == ("/home/u/.claude", None)
    where, note = config_dir_for(user, [profile("$XDG_CONFIG_HOME/claude")], [], fs)
    assert where == "/home/u/.claude"
    assert note is not None and note.message == (
        "CLAUDE_CONFIG_DIR in /home/u/.bashrc:3:8 is not a path ccpolicy can resolve; /home/u/.claude is "
        "assumed"
    )
    where, note = config_dir_for(user, [profile("/opt/claude")], [], fs)
    assert where == "/opt/claude"
    assert note is not None and note.message == (
        "CLAUDE_CONFIG_DIR in /home/u/.bashrc:3:8 names /opt/claude, which does not exist on this machine"
    )
    process = [
        Observation(
            ObservationKind.ENV,
            "CLAUDE_CONFIG_DIR",
            "/home/u/cfg",
            Location(PROCESS_PATH, 1, 1),
            FileKind.PROCESS_ENV,
            "process-env",
        )
    ]
    assert config_dir_for(user, [profile("/opt/claude")], process, fs) == ("/home/u/cfg", None)


def test_process_environment_keeps_only_what_matters() -> None:
    environ = {
        "DISABLE_TELEMETRY": "1",
        "PATH": "/usr/bin",
        "ANTHROPIC_API_KEY": "sk-ant-x",
        "HOME": "/root",
        "CLAUDE_CODE_SOMETHING_NEW": "1",
        "AWS_PROFILE": "dev",
        "DO_NOT_TRACK": "1",
        "SECRET_TOKEN": "t",
    }
    found = process_observations(environ, load())
    assert [(o.name, o.value, o.location.short(), o.file_kind, o.scope) for o in found] == [
        ("ANTHROPIC_API_KEY", "sk-ant-x", f"{PROCESS_PATH}:1:1", FileKind.PROCESS_ENV, "process-env"),
        ("AWS_PROFILE", "dev", f"{PROCESS_PATH}:2:1", FileKind.PROCESS_ENV, "process-env"),
        ("CLAUDE_CODE_SOMETHING_NEW", "1", f"{PROCESS_PATH}:3:1", FileKind.PROCESS_ENV, "process-env"),
        ("DISABLE_TELEMETRY", "1", f"{PROCESS_PATH}:4:1", FileKind.PROCESS_ENV, "process-env"),
        ("DO_NOT_TRACK", "1", f"{PROCESS_PATH}:5:1", FileKind.PROCESS_ENV, "process-env"),
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="live POSIX layout")
def test_live_scan_of_this_machine_completes() -> None:
    read = read_host(HostOptions(include_process_env=True, environ={"DISABLE_TELEMETRY": "1", "PATH": "/x"}))
    assert read.fs.live is True
    assert len(read.users) == 1 and read.users[0].user.current
    assert [(o.name, o.value) for o in read.users[0].process] == [("DISABLE_TELEMETRY", "1")]
    for ctx in read.contexts:
        assert [layer.kind for layer in ctx.layers if layer.kind is LayerKind.PROCESS] == [LayerKind.PROCESS]
        assert f"{PROCESS_PATH}:1:1" in env(ctx, "DISABLE_TELEMETRY")[1]


def test_process_layer_sits_above_the_profiles(tmp_path: Path) -> None:
    from scanner.host.contexts import environment_layers
    from scanner.host.inventory import MachineFiles, UserFiles

    process = process_observations({"DO_NOT_TRACK": "1"}, load())
    shell = ParsedFile(
        "/home/u/.bashrc",
        FileKind.SHELL,
        (
            Observation(
                ObservationKind.ENV,
                "DO_NOT_TRACK",
                "0",
                Location("/home/u/.bashrc", 1, 8),
                FileKind.SHELL,
                "export",
            ),
        ),
    )
    user = UserFiles(
        disc.HostUser("u", "/home/u", "bash"), "/home/u/.claude", profiles=(shell,), process=process
    )
    layers = environment_layers(MachineFiles("linux"), user)
    assert [(layer.kind, layer.label) for layer in layers] == [
        (LayerKind.PROCESS, "this process's environment"),
        (LayerKind.SHELL, "/home/u/.bashrc"),
    ]


def test_git_root_local_settings_and_projects_walk(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "etc/hostname": "h",
            "home/ann/.claude.json": '{"projects": {"/home/ann/repo/sub": {}}}',
            "home/ann/repo/.git/HEAD": "ref: x",
            "home/ann/repo/.claude/settings.local.json": '{"model": "root-local"}',
            "home/ann/repo/sub/.claude/settings.json": '{"model": "project"}',
            "srv/shared/tool/.claude/settings.json": '{"env": {"A": "1"}}',
            "home/ben/.claude/settings.json": "{}",
        },
    )
    read = read_host(HostOptions(root=str(root), projects=("/srv/shared",)))
    ids = [c.id for c in read.contexts]
    assert ids == [
        "host:ann",
        "host:ann:/home/ann/repo/sub",
        "host:ann:/srv/shared/tool",
        "host:ben",
        "host:ben:/srv/shared/tool",
    ]
    sub = read.contexts[1]
    assert setting(sub, "model") == (
        "root-local",
        ["/home/ann/repo/.claude/settings.local.json:1:2", "/home/ann/repo/sub/.claude/settings.json:1:2"],
        [],
    )
    with pytest.raises(UsageError, match="under --root, give the directory as a path on the audited machine"):
        read_host(HostOptions(root=str(root), projects=("relative/dir",)))
    as_mounted = read_host(HostOptions(root=str(root), projects=(str(root / "srv" / "shared"),)))
    assert [c.id for c in as_mounted.contexts] == ids


def test_wsl_reads_the_windows_chain_first_when_told_to(tmp_path: Path) -> None:
    files = {
        "etc/claude-code/managed-settings.json": '{"cleanupPeriodDays": 20, "env": {"A": "linux"}}',
        "mnt/c/Program Files/ClaudeCode/managed-settings.json": (
            '{"cleanupPeriodDays": 5, "env": {"B": "win"}}'
        ),
        "home/w/.claude/settings.json": "{}",
    }
    root = _write(tmp_path / "off", files)
    ctx = read_host(HostOptions(root=str(root), os_name="linux")).contexts[0]
    assert ctx.attributes["managed_source"] == "file"
    assert setting(ctx, "cleanupPeriodDays")[0] == 20
    files["mnt/c/Program Files/ClaudeCode/managed-settings.d/wsl.json"] = (
        '{"wslInheritsWindowsSettings": true}'
    )
    root = _write(tmp_path / "on", files)
    ctx = read_host(HostOptions(root=str(root), os_name="linux")).contexts[0]
    assert ctx.attributes["managed_source"] == "Windows file + drop-ins"
    assert setting(ctx, "cleanupPeriodDays") == (
        5,
        ["/mnt/c/Program Files/ClaudeCode/managed-settings.json:1:2"],
        ["/etc/claude-code/managed-settings.json:1:2"],
    )
    assert env(ctx, "A") == ("linux", ["/etc/claude-code/managed-settings.json:1:35"], [])
    assert env(ctx, "B") == ("win", ["/mnt/c/Program Files/ClaudeCode/managed-settings.json:1:34"], [])
