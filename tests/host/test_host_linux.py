"""A Linux machine whose managed, user, project and shell layers conflict (fixtures/host/linux-conflicts).

What it proves, with the exact winner and the chain behind it:
- managed-settings.d drop-ins merge over managed-settings.json in name order (later wins), hidden and
  non-.json files are ignored, lists concatenate without duplicates;
- managed beats local > project > user; settings `env` beats the shell; later startup files beat
  earlier ones (/etc/environment < /etc/profile.d < ~/.profile < ~/.bashrc);
- the server-managed cache (remote-settings.json) is the first managed source where Claude Code would
  fetch it (alice, no project), and is not applied where the provider is Bedrock (alice's app):
  first-source-wins flips per context;
- when remote wins, the files still give the keys read from every admin source (a `true`
  allowManagedDomainsOnly wins over remote's `false`) and their env per variable, except the
  OpenTelemetry unit, which comes whole from the highest source that sets any of it;
- CLAUDE_CONFIG_DIR exported in bob's ~/.zshenv moves his user settings; ~/.claude/settings.json is
  then not read.
"""

from __future__ import annotations

from hostcheck import HOST_FIXTURES, env, rules, setting

from scanner.contexts.model import ContextKind, LayerKind
from scanner.host.scan import HostOptions, read_host, scan_host
from scanner.ruleset import DEFAULT_PARAMS
from scanner.scan import ScanOptions

ROOT = str(HOST_FIXTURES / "linux-conflicts")
OPTIONS = HostOptions(root=ROOT, projects=("/home/bob/work",))
FILES = "/etc/claude-code/managed-settings.json"
BASE = "/etc/claude-code/managed-settings.d/10-base.json"
TEAM = "/etc/claude-code/managed-settings.d/20-team.json"
REMOTE = "/home/alice/.claude/remote-settings.json"
ALICE = "/home/alice/.claude/settings.json"
APP = "/home/alice/src/app/.claude/settings.json"
APP_LOCAL = "/home/alice/src/app/.claude/settings.local.json"


def _contexts() -> dict[str, object]:
    return {c.id: c for c in read_host(OPTIONS).contexts}


def test_contexts_users_and_projects() -> None:
    read = read_host(OPTIONS)
    assert [(c.id, c.label, c.kind) for c in read.contexts] == [
        ("host:alice", "user alice", ContextKind.HOST),
        ("host:alice:/home/alice/src/app", "user alice, project /home/alice/src/app", ContextKind.HOST),
        ("host:bob", "user bob", ContextKind.HOST),
        ("host:bob:/home/bob/work/api", "user bob, project /home/bob/work/api", ContextKind.HOST),
    ]
    app = read.contexts[1]
    assert dict(app.attributes) == {
        "user": "alice",
        "project": "/home/alice/src/app",
        "home": "/home/alice",
        "shell": "bash",
        "managed_source": "file + drop-ins",
        "claude_json": "/home/alice/.claude.json",
    }
    assert read.contexts[0].attributes["managed_source"] == "remote"
    assert read.contexts[2].attributes["shell"] == "zsh"


def test_alice_app_drop_ins_and_scope_precedence() -> None:
    ctx = read_host(OPTIONS).contexts[1]
    # drop-ins: 20-team beats 10-base beats the base file; managed beats project and user
    assert setting(ctx, "cleanupPeriodDays") == (
        3,
        [f"{TEAM}:2:3", f"{BASE}:2:3", f"{FILES}:2:3", f"{APP}:3:3", f"{ALICE}:3:3"],
        [f"{REMOTE}:2:3"],
    )
    value, where, _ = setting(ctx, "permissions.deny")
    assert sorted(value) == ["Bash(curl:*)", "Read(./.env)", "WebFetch"]  # concatenated, no duplicate
    assert where == [f"{TEAM}:4:5", f"{BASE}:4:5", f"{FILES}:5:5"]
    # local > project > user
    assert setting(ctx, "model") == ("haiku", [f"{APP_LOCAL}:2:3", f"{APP}:2:3", f"{ALICE}:2:3"], [])
    assert setting(ctx, "forceLoginMethod") == ("claudeai", [f"{FILES}:3:3"], [])
    # env per variable across drop-ins: the later drop-in wins
    assert env(ctx, "OTEL_METRICS_EXPORTER") == ("none", [f"{BASE}:7:5", f"{FILES}:14:5", f"{ALICE}:7:5"], [])
    assert env(ctx, "OTEL_LOGS_EXPORTER") == ("otlp", [f"{TEAM}:7:5"], [])
    # managed env beats the user's "" (which alone would have switched the protection off)
    assert env(ctx, "DISABLE_TELEMETRY") == ("1", [f"{FILES}:13:5", f"{ALICE}:5:5"], [])
    # the hidden drop-in is never read
    assert all(".hidden.json" not in layer.label for layer in ctx.layers)


def test_alice_app_settings_env_beats_shell_and_later_profiles_win() -> None:
    ctx = read_host(OPTIONS).contexts[1]
    assert env(ctx, "HTTPS_PROXY") == (
        "http://settings-proxy.internal:8080",
        [f"{ALICE}:6:5", "/home/alice/.profile:3:8"],
        [],
    )
    assert env(ctx, "DO_NOT_TRACK") == ("1", ["/home/alice/.bashrc:2:8", "/etc/profile.d/claude.sh:1:8"], [])
    assert env(ctx, "ANTHROPIC_MODEL") == (
        "claude-from-profile",
        ["/home/alice/.profile:2:8", "/etc/environment:2:1"],
        [],
    )
    shells = [layer.label for layer in ctx.layers if layer.kind is LayerKind.SHELL]
    assert shells == [
        "/home/alice/.bashrc",
        "/home/alice/.profile",
        "/etc/profile.d/claude.sh",
        "/etc/profile",
        "/etc/environment",
    ]


def test_remote_is_not_applied_when_the_provider_is_bedrock() -> None:
    ctx = read_host(OPTIONS).contexts[1]
    assert ctx.provider.name == "bedrock"
    remote = [layer for layer in ctx.layers if layer.paths == (REMOTE,)]
    assert [(layer.in_effect, layer.why_not_in_effect) for layer in remote] == [
        (
            False,
            "the provider is bedrock (/home/alice/src/app/.claude/settings.json:5:5), so Claude Code does "
            "not "
            "fetch server-managed settings and the cached copy is not applied",
        ),
    ]
    assert env(ctx, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC") == (None, [], [f"{REMOTE}:9:5"])
    assert env(ctx, "OTEL_EXPORTER_OTLP_PROTOCOL") == ("grpc", [f"{FILES}:15:5"], [])


def test_alice_remote_wins_first_source_and_cross_source_keys_still_apply() -> None:
    ctx = read_host(OPTIONS).contexts[0]
    # remote is the source in use: the files' own keys are ignored ...
    assert setting(ctx, "cleanupPeriodDays") == (
        21,
        [f"{REMOTE}:2:3", f"{ALICE}:3:3"],
        [f"{TEAM}:2:3", f"{BASE}:2:3", f"{FILES}:2:3"],
    )
    assert setting(ctx, "forceLoginMethod") == (None, [], [f"{FILES}:3:3"])
    # ... except the keys read from every admin source: a true lock anywhere wins over remote's false
    assert setting(ctx, "sandbox.network.allowManagedDomainsOnly") == (
        True,
        [f"{FILES}:9:7", f"{REMOTE}:5:7"],
        [],
    )
    # env merges per variable across admin sources
    assert env(ctx, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC") == ("1", [f"{REMOTE}:9:5"], [])
    assert env(ctx, "DISABLE_TELEMETRY") == ("1", [f"{FILES}:13:5", f"{ALICE}:5:5"], [])
    assert env(ctx, "OTEL_METRICS_EXPORTER") == ("none", [f"{BASE}:7:5", f"{FILES}:14:5", f"{ALICE}:7:5"], [])
    # the OpenTelemetry unit comes whole from remote, the highest source that sets any of it
    assert env(ctx, "OTEL_EXPORTER_OTLP_ENDPOINT") == (
        "https://collector.example.com",
        [f"{REMOTE}:10:5"],
        [],
    )
    assert env(ctx, "OTEL_EXPORTER_OTLP_PROTOCOL") == (None, [], [f"{FILES}:15:5"])
    assert env(ctx, "OTEL_LOGS_EXPORTER") == (None, [], [f"{TEAM}:7:5"])
    why = {layer.why_not_in_effect for layer in ctx.layers if not layer.in_effect}
    assert why == {
        "the remote managed source is in use, so Claude Code reads only the keys read from every "
        "admin source from file + drop-ins"
    }


def test_claude_config_dir_moves_user_settings() -> None:
    read = read_host(OPTIONS)
    bob = next(u for u in read.users if u.user.name == "bob")
    assert bob.config_dir == "/home/bob/.config/claude"
    assert bob.settings is not None and bob.settings.path == "/home/bob/.config/claude/settings.json"
    ctx = read.contexts[2]
    assert env(ctx, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC") == (
        "1",
        ["/home/bob/.config/claude/settings.json:4:5"],
        [],
    )
    assert env(ctx, "DO_NOT_TRACK") == (None, [], [])  # only ~/.claude/settings.json sets it: not read
    assert "/home/bob/.claude/settings.json" not in {f.path for f in read.inputs.files}
    # zsh on Linux reads /etc/environment, then its own files; bash's /etc/profile.d is not read
    assert [layer.label for layer in ctx.layers if layer.kind is LayerKind.SHELL] == [
        "/home/bob/.zshrc",
        "/home/bob/.zshenv",
        "/etc/environment",
    ]


def test_projects_from_claude_json_and_from_projects_dir() -> None:
    read = read_host(OPTIONS)
    alice = next(u for u in read.users if u.user.name == "alice")
    assert [p.path for p in alice.projects] == ["/home/alice/src/app"]
    bob = next(u for u in read.users if u.user.name == "bob")
    assert [p.path for p in bob.projects] == ["/home/bob/work/api"]
    assert [(n.level, n.message, n.path) for n in read.inputs.notifications] == [
        (
            "note",
            "1 project recorded in /home/alice/.claude.json does not exist on this machine (or outside the "
            "audited root)",
            "/home/alice/.claude.json",
        ),
        ("note", "no Claude Code configuration for 1 user (carol): not audited", None),
    ]


def test_exact_findings_name_user_project_and_chain() -> None:
    params = {**DEFAULT_PARAMS, "max_retention_days": 2}
    result = scan_host(
        OPTIONS, ScanOptions(rules=rules("CCP104", "CCP107", "CCP109", "CCP301", "CCP401"), params=params)
    )
    found = [
        (f.rule_id, f.location.path, f.location.line, f.location.column, f.context) for f in result.findings
    ]
    assert found == [
        ("CCP301", TEAM, 2, 3, "host:alice:/home/alice/src/app"),
        ("CCP301", TEAM, 2, 3, "host:bob"),
        ("CCP301", TEAM, 2, 3, "host:bob:/home/bob/work/api"),
        ("CCP107", "/etc/profile.d/claude.sh", 1, 8, ""),
        ("CCP301", REMOTE, 2, 3, "host:alice"),
        ("CCP104", REMOTE, 9, 5, "host:alice:/home/alice/src/app"),
        ("CCP109", ALICE, 5, 5, ""),
        ("CCP401", "/home/alice/.profile", 4, 8, ""),
        ("CCP107", "/home/bob/.zshrc", 1, 8, ""),
        ("CCP401", "/home/carol/.bashrc", 2, 8, ""),  # files of a user without Claude Code are still scanned
    ]
    by_context = {(f.rule_id, f.context): f for f in result.findings}
    app = by_context[("CCP301", "host:alice:/home/alice/src/app")]
    assert app.message.startswith("In user alice, project /home/alice/src/app,")
    assert [p.short() for p in app.provenance] == [
        f"{BASE}:2:3",
        f"{FILES}:2:3",
        f"{APP}:3:3",
        f"{ALICE}:3:3",
        f"{REMOTE}:2:3",
    ]
    remote = by_context[("CCP104", "host:alice:/home/alice/src/app")]
    assert "user alice, project /home/alice/src/app" in remote.message
    assert "the provider is bedrock (/home/alice/src/app/.claude/settings.json:5:5)" in remote.message
    assert result.category == "host"
    assert result.root == ""
    assert "sk-ant-api03-Zq7" not in repr(result.findings)
