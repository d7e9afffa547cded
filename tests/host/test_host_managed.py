"""The managed tier (scanner.host.managed) on synthetic sources: one rule of reference 1.2 per test."""

from __future__ import annotations

from typing import Any

from scanner.contexts.model import Context, ContextKind, LayerKind
from scanner.contexts.repo import build_context, settings_layer
from scanner.host.managed import ManagedSource, ManagedTier, delivers, resolve_managed
from scanner.knowledge import load
from scanner.model import FileKind, Location
from scanner.sources.settings import parse

KB = load()


def _source(
    name: str, text: str, *, admin: bool = True, eligible: bool = True, why: str = ""
) -> ManagedSource:
    parsed = parse(f"/{name}.json", text, FileKind.SETTINGS_MANAGED)
    return ManagedSource(name, (settings_layer(parsed, LayerKind.MANAGED),), admin, eligible, why)


def _context(tier: ManagedTier) -> Context:
    return build_context("c", ContextKind.HOST, "c", Location("/x", 1, 1), list(tier.layers), KB)


def _value(ctx: Context, key: str) -> tuple[Any, list[str], list[str]]:
    eff = ctx.env[key] if key in ctx.env else ctx.setting(key)
    return eff.value, [o.location.path for o in eff.chain], [o.location.path for o in eff.ignored]


def test_first_source_that_delivers_wins() -> None:
    wsl_only = _source("plist", '{"wslInheritsWindowsSettings": true}')
    files = _source("file", '{"cleanupPeriodDays": 7, "model": "opus"}')
    hkcu = _source("HKCU", '{"cleanupPeriodDays": 99, "theme": "dark"}', admin=False)
    assert [delivers(s) for s in (wsl_only, files, hkcu)] == [False, True, True]
    tier = resolve_managed([wsl_only, files, hkcu], KB)
    assert tier.source == "file"
    ctx = _context(tier)
    assert _value(ctx, "cleanupPeriodDays") == (7, ["/file.json"], ["/HKCU.json"])
    assert _value(ctx, "theme") == (None, [], ["/HKCU.json"])
    assert _value(ctx, "wslInheritsWindowsSettings") == (True, ["/plist.json"], [])
    why = [layer.why_not_in_effect for layer in tier.layers if not layer.in_effect]
    assert why == ["HKCU is read only when no other managed source delivers a policy key, and file does"]


def test_hkcu_only_when_nothing_else_delivers() -> None:
    tier = resolve_managed(
        [_source("file", "{}"), _source("HKCU", '{"cleanupPeriodDays": 99}', admin=False)], KB
    )
    assert tier.source == "HKCU"
    assert _value(_context(tier), "cleanupPeriodDays") == (99, ["/HKCU.json"], [])


def test_nothing_delivers() -> None:
    tier = resolve_managed([_source("file", '{"$schema": "x"}')], KB)
    assert tier.source is None
    assert [layer.in_effect for layer in tier.layers] == [True]


def test_env_merges_per_variable_across_admin_sources_but_not_hkcu() -> None:
    plist = _source("plist", '{"env": {"A": "plist", "B": ""}}')
    files = _source("file", '{"env": {"B": "file", "C": "file"}, "model": "x"}')
    hkcu = _source("HKCU", '{"env": {"D": "hkcu"}}', admin=False)
    ctx = _context(resolve_managed([plist, files, hkcu], KB))
    assert _value(ctx, "A") == ("plist", ["/plist.json"], [])
    assert _value(ctx, "B") == ("", ["/plist.json", "/file.json"], [])
    assert _value(ctx, "C") == ("file", ["/file.json"], [])
    assert _value(ctx, "D") == (None, [], ["/HKCU.json"])
    assert _value(ctx, "model") == (None, [], ["/file.json"])


def test_telemetry_unit_comes_whole_from_the_highest_source_setting_any_of_it() -> None:
    plist = _source("plist", '{"env": {"OTEL_LOG_USER_PROMPTS": "1"}}')
    files = _source(
        "file",
        '{"env": {"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c", "OTEL_LOGS_EXPORTER": "otlp",'
        ' "CLAUDE_CODE_ENABLE_TELEMETRY": "1"}}',
    )
    ctx = _context(resolve_managed([plist, files], KB))
    assert _value(ctx, "OTEL_LOG_USER_PROMPTS") == ("1", ["/plist.json"], [])
    assert _value(ctx, "OTEL_EXPORTER_OTLP_ENDPOINT") == (None, [], ["/file.json"])
    assert _value(ctx, "OTEL_LOGS_EXPORTER") == (None, [], ["/file.json"])
    # not part of the unit: merged per variable
    assert _value(ctx, "CLAUDE_CODE_ENABLE_TELEMETRY") == ("1", ["/file.json"], [])
    # when the source in use sets none of the unit, it comes from the next one, whole
    ctx = _context(resolve_managed([_source("plist", '{"model": "m"}'), files], KB))
    assert _value(ctx, "OTEL_EXPORTER_OTLP_ENDPOINT") == ("https://c", ["/file.json"], [])


def test_routing_paired_with_a_credential_helper_applies_only_from_the_source_in_use() -> None:
    plist = _source("plist", '{"model": "m"}')
    helper = _source(
        "file",
        '{"apiKeyHelper": "/bin/key", "env": {"ANTHROPIC_BASE_URL": "https://gw", "DISABLE_TELEMETRY": "1"}}',
    )
    ctx = _context(resolve_managed([plist, helper], KB))
    assert _value(ctx, "ANTHROPIC_BASE_URL") == (None, [], ["/file.json"])
    assert _value(ctx, "DISABLE_TELEMETRY") == ("1", ["/file.json"], [])
    assert _value(ctx, "apiKeyHelper") == (None, [], ["/file.json"])
    plain = _source("file", '{"env": {"ANTHROPIC_BASE_URL": "https://gw"}}')
    assert _value(_context(resolve_managed([plist, plain], KB)), "ANTHROPIC_BASE_URL") == (
        "https://gw",
        ["/file.json"],
        [],
    )
    otel = _source(
        "file",
        '{"otelHeadersHelper": "/bin/h", "env": {"OTEL_EXPORTER_OTLP_ENDPOINT": "https://c",'
        ' "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}}',
    )
    ctx = _context(resolve_managed([plist, otel], KB))
    assert _value(ctx, "OTEL_EXPORTER_OTLP_ENDPOINT") == (None, [], ["/file.json"])
    assert _value(ctx, "OTEL_EXPORTER_OTLP_PROTOCOL") == ("grpc", ["/file.json"], [])


def test_keys_read_from_every_admin_source() -> None:
    plist = _source(
        "plist",
        '{"useAutoModeDuringPlan": true, "syncClaudeAiSkills": true,'
        ' "sandbox": {"network": {"allowManagedDomainsOnly": false, "allowedDomains": ["a.com"]},'
        ' "filesystem": {"allowRead": ["/p"]}}}',
    )
    files = _source(
        "file",
        '{"useAutoModeDuringPlan": false, "allowAllClaudeAiMcps": true, "syncClaudeAiSkills": true,'
        ' "sandbox": {"network": {"allowManagedDomainsOnly": true, "allowedDomains": ["b.com"]},'
        ' "filesystem": {"allowRead": ["/q"]}}, "model": "ignored"}',
    )
    tier = resolve_managed([plist, files], KB)
    ctx = _context(tier)
    assert tier.layers[0].label == "values that win from any admin source"
    assert _value(ctx, "useAutoModeDuringPlan") == (False, ["/file.json", "/plist.json"], [])
    assert _value(ctx, "syncClaudeAiSkills") == (True, ["/plist.json", "/file.json"], [])
    assert _value(ctx, "sandbox.network.allowManagedDomainsOnly") == (True, ["/file.json", "/plist.json"], [])
    value, chain, _ = _value(ctx, "sandbox.network.allowedDomains")
    assert sorted(value) == ["a.com", "b.com"] and chain == ["/plist.json", "/file.json"]  # locked: unioned
    assert _value(ctx, "sandbox.filesystem.allowRead") == (
        ["/p"],
        ["/plist.json"],
        ["/file.json"],
    )  # not locked
    assert _value(ctx, "allowAllClaudeAiMcps") == (True, ["/file.json"], [])
    assert _value(ctx, "model") == (None, [], ["/file.json"])


def test_ineligible_source_and_policy_helper_note() -> None:
    remote = _source("remote", '{"cleanupPeriodDays": 1}', eligible=False, why="not fetched here")
    files = _source("file", '{"cleanupPeriodDays": 7, "policyHelper": {"path": "/usr/local/bin/policy"}}')
    tier = resolve_managed([remote, files], KB)
    assert tier.source == "file"
    assert _value(_context(tier), "cleanupPeriodDays") == (7, ["/file.json"], ["/remote.json"])
    assert [(layer.in_effect, layer.why_not_in_effect) for layer in tier.layers] == [
        (True, ""),
        (False, "not fetched here"),
    ]
    assert [(n.descriptor, n.path, n.line, n.message) for n in tier.notes] == [
        (
            "policy-helper",
            "/file.json",
            1,
            "/file.json:1:26: policyHelper is set, so Claude Code runs that program "
            "and uses its output as the only managed source; ccpolicy never runs it, and the managed "
            "configuration "
            "shown is what the files on disk say",
        ),
    ]
