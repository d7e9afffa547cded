from __future__ import annotations

import pytest

from scanner.discovery.paths import (
    KIND_BY_BASENAME,
    KIND_BY_EXTENSION,
    KIND_BY_PARENT_AND_BASENAME,
    classify,
)
from scanner.model import FileKind

K = FileKind

CASES: list[tuple[str, FileKind | None]] = [
    # Claude Code settings at every depth.
    (".claude/settings.json", K.SETTINGS_PROJECT),
    ("services/api/.claude/settings.json", K.SETTINGS_PROJECT),
    ("home/.claude/settings.json", K.SETTINGS_PROJECT),
    (".claude/settings.local.json", K.SETTINGS_LOCAL),
    ("a/b/.claude/settings.local.json", K.SETTINGS_LOCAL),
    (".claude/remote-settings.json", K.SETTINGS_REMOTE),
    ("remote-settings.json", None),
    ("managed-settings.json", K.SETTINGS_MANAGED),
    ("etc/claude-code/managed-settings.json", K.SETTINGS_MANAGED),
    ("examples/mdm/managed-settings.json", K.SETTINGS_MANAGED),
    ("managed-settings.d/10-telemetry.json", K.SETTINGS_MANAGED_DROPIN),
    ("etc/claude-code/managed-settings.d/zz.json", K.SETTINGS_MANAGED_DROPIN),
    ("managed-settings.d/.hidden.json", K.SETTINGS_INERT),
    ("managed-settings.d/10-telemetry.json.example", K.SETTINGS_INERT),
    ("managed-settings.d/README.md", None),
    ("managed-settings.d/notes.txt", None),
    ("managed-mcp.json", K.MANAGED_MCP),
    ("etc/claude-code/managed-mcp.json", K.MANAGED_MCP),
    (".mcp.json", K.MCP),
    ("tools/.mcp.json", K.MCP),
    ("mcp.json", None),
    # Settings files Claude Code never reads.
    (".claude/settings.json.example", K.SETTINGS_INERT),
    (".claude/settings.json.sample", K.SETTINGS_INERT),
    (".claude/settings.json.template", K.SETTINGS_INERT),
    (".claude/settings.json.tmpl", K.SETTINGS_INERT),
    ("agent/.claude/settings.json.tpl", K.SETTINGS_INERT),
    (".claude/settings.json.dist", K.SETTINGS_INERT),
    (".claude/settings.json.bak", K.SETTINGS_INERT),
    (".claude/settings.json.orig", K.SETTINGS_INERT),
    (".claude/settings.jsonc", K.SETTINGS_INERT),
    (".claude/settings.local.json.bak", K.SETTINGS_INERT),
    (".claude/settings.example.json", K.SETTINGS_INERT),
    ("claude/settings.json", K.SETTINGS_INERT),
    ("dotfiles/claude/settings.local.json", K.SETTINGS_INERT),
    ("claude/settings.jsonc", K.SETTINGS_INERT),
    ("dot_claude/settings.json", K.SETTINGS_INERT),
    ("dot_claude/settings.json.tmpl", K.SETTINGS_INERT),
    ("private_dot_claude/settings.json", K.SETTINGS_INERT),
    ("private_dot_claude/private_settings.json", K.SETTINGS_INERT),
    ("claude-settings.json", K.SETTINGS_INERT),
    ("images/claude/claude-settings.json", K.SETTINGS_INERT),
    ("config/team.claude-settings.json", K.SETTINGS_INERT),
    ("managed-settings.json.example", K.SETTINGS_INERT),
    ("deploy/managed-settings.example.json", K.SETTINGS_INERT),
    ("settings.json", None),
    ("docs/settings.json", None),
    (".vscode/settings.json", None),
    ("examples/settings/settings-bash-sandbox.json", None),
    ("src/test/claude-code-settings/basic-config.json", None),
    (".claude/agents/reviewer.md", None),
    (".claude/commands/deploy.md", None),
    # dotenv and direnv.
    (".env", K.DOTENV),
    ("backend/.env", K.DOTENV),
    (".env.example", K.DOTENV),
    (".env.local", K.DOTENV),
    (".env.production.local", K.DOTENV),
    ("prod.env", K.DOTENV),
    ("foo.env.txt", None),
    ("env", None),
    ("environment.yml", None),
    (".envrc", K.ENVRC),
    ("sub/.envrc", K.ENVRC),
    # POSIX shells.
    ("scripts/setup.sh", K.SHELL),
    ("run.bash", K.SHELL),
    ("aliases.zsh", K.SHELL),
    ("old.ksh", K.SHELL),
    ("UPPER.SH", K.SHELL),
    (".bashrc", K.SHELL),
    (".bash_profile", K.SHELL),
    (".bash_login", K.SHELL),
    (".bash_aliases", K.SHELL),
    (".profile", K.SHELL),
    (".zshrc", K.SHELL),
    (".zshenv", K.SHELL),
    (".zprofile", K.SHELL),
    (".zlogin", K.SHELL),
    (".kshrc", K.SHELL),
    ("home/user/.zshrc", K.SHELL),
    ("zsh/zshrc", K.SHELL),
    ("etc/profile", K.SHELL),
    ("etc/environment", K.SHELL),
    ("etc/profile.d/claude.sh", K.SHELL),
    ("profile", None),
    ("environment", None),
    ("docs/profile", None),
    ("dot_zshrc", K.SHELL),
    ("dot_bashrc", K.SHELL),
    ("private_dot_zshrc", K.SHELL),
    ("private_dot_zshrc.tmpl", K.SHELL),
    ("home/dot_bash_profile.tmpl", K.SHELL),
    ("readonly_private_dot_profile", K.SHELL),
    ("private_dot_env", K.DOTENV),
    ("dot_envrc", K.ENVRC),
    ("dot_env.local", K.DOTENV),
    ("dot_gitconfig", None),
    ("dot_", None),
    ("my_dot_file.txt", None),
    # fish, csh, PowerShell.
    ("config.fish", K.FISH),
    ("dot_config/fish/conf.d/claude.fish", K.FISH),
    ("csh/login.csh", K.CSH),
    ("x.tcsh", K.CSH),
    (".cshrc", K.CSH),
    (".tcshrc", K.CSH),
    (".login", K.CSH),
    ("etc/profile.d/claude.csh", K.CSH),
    ("setup.ps1", K.POWERSHELL),
    ("Module.psm1", K.POWERSHELL),
    ("Documents/PowerShell/Microsoft.PowerShell_profile.ps1", K.POWERSHELL),
    ("profile.ps1", K.POWERSHELL),
    ("INSTALL.PS1", K.POWERSHELL),
    ("data.psd1", None),
    # GitHub workflows: only directly under .github/workflows.
    (".github/workflows/claude.yml", K.WORKFLOW),
    (".github/workflows/claude.yaml", K.WORKFLOW),
    ("sub/.github/workflows/ci.yml", K.WORKFLOW),
    (".github/workflows/sub/x.yml", None),
    (".github/workflows/README.md", None),
    (".github/workflows/helper.sh", K.SHELL),
    (".github/dependabot.yml", None),
    ("workflows/ci.yml", None),
    ("github/workflows/ci.yml", None),
    # Containers.
    ("Dockerfile", K.DOCKERFILE),
    ("docker/Dockerfile", K.DOCKERFILE),
    ("dockerfile", K.DOCKERFILE),
    ("Dockerfile.dev", K.DOCKERFILE),
    ("Dockerfile-prod", K.DOCKERFILE),
    ("api.Dockerfile", K.DOCKERFILE),
    ("api.dockerfile", K.DOCKERFILE),
    ("Containerfile", K.DOCKERFILE),
    ("Containerfile.fedora", K.DOCKERFILE),
    ("Dockerfile.dockerignore", None),
    (".dockerignore", None),
    ("Dockerfiles", None),
    ("devcontainer.json", K.DEVCONTAINER),
    (".devcontainer.json", K.DEVCONTAINER),
    (".devcontainer/devcontainer.json", K.DEVCONTAINER),
    (".devcontainer/python/devcontainer.json", K.DEVCONTAINER),
    (".devcontainer/docker-compose.yml", K.COMPOSE),
    (".devcontainer/Dockerfile", K.DOCKERFILE),
    ("docker-compose.yml", K.COMPOSE),
    ("docker-compose.yaml", K.COMPOSE),
    ("docker-compose.override.yml", K.COMPOSE),
    ("deploy/docker-compose.prod.yaml", K.COMPOSE),
    ("compose.yml", K.COMPOSE),
    ("compose.yaml", K.COMPOSE),
    ("compose.dev.yaml", K.COMPOSE),
    ("compose-ci.yml", K.COMPOSE),
    ("composer.yml", None),
    ("composer.json", None),
    ("docker-compose.json", None),
    # Ordinary files.
    ("README.md", None),
    ("src/main.py", None),
    ("package.json", None),
    ("", None),
]


@pytest.mark.parametrize(("relpath", "expected"), CASES, ids=[case[0] or "<empty>" for case in CASES])
def test_classify(relpath: str, expected: FileKind | None) -> None:
    assert classify(relpath) is expected


def test_cases_cover_every_kind_a_repository_can_hold() -> None:
    repository_kinds = set(FileKind) - {
        K.SETTINGS_USER,
        K.CLAUDE_JSON,
        K.PLIST,
        K.REGISTRY,
        K.PROCESS_ENV,
    }
    assert {kind for _, kind in CASES if kind is not None} == repository_kinds


def test_tables_are_consistent_with_classify() -> None:
    for name, kind in KIND_BY_BASENAME.items():
        assert classify(f"deep/dir/{name}") is kind, name
    for (parent, name), kind in KIND_BY_PARENT_AND_BASENAME.items():
        assert classify(f"x/{parent}/{name}") is kind, (parent, name)
    for extension, kind in KIND_BY_EXTENSION.items():
        assert classify(f"dir/file{extension}") is kind, extension


def test_classify_is_fast_on_a_large_repository() -> None:
    import time

    paths = [f"pkg{i % 97}/sub{i % 13}/module_{i}.py" for i in range(100_000)]
    started = time.perf_counter()
    found = [path for path in paths if classify(path) is not None]
    elapsed = time.perf_counter() - started
    assert found == []
    # About 1 µs per path on a laptop; the bound only catches an accidental regex-per-file.
    assert elapsed < 1.5, elapsed
