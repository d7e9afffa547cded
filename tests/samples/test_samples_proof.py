"""Proof on real files (issue 3, item 5): real settings written by others give the findings their notes imply.

Each real managed, project, local and MCP settings file in ../shared/samples (INDEX.tsv kinds `managed`,
`settings`, `settings.local`, `mcp`) is committed alone into a fresh git repository at the path it had in
its own repository, and scanned with the organisation policy below: the `commercial-zdr` and
`no-telemetry` presets, plus `hardened` because several notes imply CCP6xx findings (an `apiKeyHelper`,
`bypassPermissions`), and example parameters. The table lists, per file, every rule ID the scan gives
(exact) and the IDs its INDEX.tsv note implies (the pattern, a subset), plus message fragments that prove
the finding says the right thing.

Three files are not placed at their original path, because there Claude Code would not read them:
simcap's and jakelawllm's repository-root `settings.json` (deployed as `.claude/settings.json`) and
Anthropic's `examples/settings/settings-bash-sandbox.json` (an example of managed settings, deployed as
`managed-settings.json`).

The samples are skipped when ../shared/samples is absent; the minimal copy of each pattern in
fixtures/samples-proof/<name>/ is asserted the same way without them.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixturerepo import git, materialise

from scanner.catalogue.load import load_builtin_rules, load_presets, preset_rule_ids
from scanner.catalogue.model import Rule
from scanner.model import Finding
from scanner.ruleset import DEFAULT_PARAMS
from scanner.scan import ScanOptions, scan_repository

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT.parent / "shared" / "samples"
FIXTURES = ROOT / "fixtures" / "samples-proof"
PRESETS = ("commercial-zdr", "no-telemetry", "hardened")
PARAMS: Mapping[str, object] = {
    **DEFAULT_PARAMS,
    "approved_org_uuids": ["8d2f6a3e-1b4c-4d5e-9f60-7a8b9c0d1e2f"],
    "approved_providers": ["first-party", "bedrock"],
    "approved_gateways": ["llm-gateway.example.com"],
    "approved_otel_collectors": ["otel.example.com"],
    "max_retention_days": 7,
    "require_zdr": True,
}
PROVED_KINDS = frozenset({"managed", "settings", "settings.local", "mcp"})
# Telemetry rules that fire wherever a repository leaves the privacy switches unset.
TELEMETRY = "101 102 103 104 105 106"


def ids(text: str) -> frozenset[str]:
    return frozenset(f"CCP{n}" for n in text.split())


@dataclass(frozen=True)
class Case:
    sample: str  # path under ../shared/samples
    placed_at: str  # where it sits in the scanned repository
    expected: str  # every rule ID the scan gives (numbers only)
    pattern: str  # the IDs the INDEX.tsv note implies
    fixture: str | None = None  # fixtures/samples-proof/<name>: the minimal copy of the pattern
    says: tuple[tuple[str, str], ...] = ()  # (rule ID, a fragment one of its messages contains)


CASES: tuple[Case, ...] = (
    # Managed policies.
    Case(
        "kaihendry__claude-otel-gui/managed-settings.json",
        "managed-settings.json",
        f"{TELEMETRY} 201 202 301 302 605",
        "201 202 605",
        "kaihendry-otel-content",
        (("CCP201", "exports the text of every user prompt"), ("CCP202", "http://localhost:4318")),
    ),
    Case(
        "wwbrannon__claude-sandbox-images/settings/managed-settings.json",
        "settings/managed-settings.json",
        f"{TELEMETRY} 301 302 506 605",
        "506 605",
        "wwbrannon-misplaced-keys",
        (
            ("CCP506", 'it belongs under "permissions" ("permissions.defaultMode")'),
            ("CCP506", 'it belongs under "sandbox" ("sandbox.autoAllowBashIfSandboxed")'),
            ("CCP605", 'the top-level "disableBypassPermissionsMode" is ignored'),
        ),
    ),
    Case(
        "mhshah92__claude-code-hardening/managed-settings.json",
        "managed-settings.json",
        f"{TELEMETRY} 301 302 506",
        "506",
        "mhshah92-nested-managed-key",
        (
            ("CCP506", '"allowManagedPermissionRulesOnly" is not a permissions setting'),
            ("CCP506", "belongs at the top level of the file"),
        ),
    ),
    Case(
        "jakelawllm__claude-settings/managed-settings.json",
        "managed-settings.json",
        "106 202 303",
        "202 303",
        "jakelawllm-placeholder-org",
        (("CCP303", "not a UUID: a placeholder left in the policy?"),),
    ),
    Case(
        "zloether__claude-setup/managed-settings.json",
        "managed-settings.json",
        f"{TELEMETRY} 302 506 605",
        "506 605",
        "zloether-top-level-lock",
        (("CCP506", '"disableBypassPermissionsMode" is not a top-level setting'),),
    ),
    Case(
        "webrix-ai__claude-guard-extension/managed-settings.json",
        "managed-settings.json",
        f"{TELEMETRY} 301 302 604",
        "604",
        "webrix-wildcard-allowlist",
        (("CCP604", 'allowedMcpServers admits {"serverUrl": "*"}'),),
    ),
    Case(
        "anthropics__claude-code/examples/settings/settings-bash-sandbox.json",
        "managed-settings.json",
        f"{TELEMETRY} 301 302 502 605",
        "502",
        "bash-sandbox-example",
        (("CCP502", "sandbox.network.httpProxyPort must be a number, not null"),),
    ),
    Case(
        "anthropics__claude-code/examples/mdm/managed-settings.json",
        "examples/mdm/managed-settings.json",
        f"{TELEMETRY} 301 302",
        "302",
    ),
    Case(
        "Karry__ide-shell/managed-settings.json", "managed-settings.json", f"{TELEMETRY} 301 302 605", "605"
    ),
    Case("stfnwong__clanker-cage/managed-settings.json", "managed-settings.json", "106 301 302", "302"),
    Case(
        "milechin__hpc-app-bundler/managed-settings.json",
        "managed-settings.json",
        f"{TELEMETRY} 301 302 605",
        "605",
    ),
    Case(
        "JennySmith888__claude_docker/managed-settings.json",
        "managed-settings.json",
        f"{TELEMETRY} 301 302 605",
        "605",
    ),
    Case(
        "harshil-1411__ai-sdlc/managed-settings.json", "managed-settings.json", f"{TELEMETRY} 301 302", "302"
    ),
    Case(
        "princejohnnie__claude-cert/managed-settings.json",
        "managed-settings.json",
        f"{TELEMETRY} 301 302 605",
        "302 605",
    ),
    Case(
        "Jarand96__owasp-agentic-security-assessment/managed-settings.json",
        "managed-settings.json",
        f"{TELEMETRY} 301 302 605",
        "302",
    ),
    Case(
        "KilwarCom__kilwar-hooks/managed-settings.json",
        "managed-settings.json",
        f"{TELEMETRY} 301 302 605",
        "605",
    ),
    # Project, local and user settings.
    Case(
        "simcap__claudeconfig/settings.json",
        ".claude/settings.json",
        f"{TELEMETRY} 502",
        "502",
        "simcap-number-env",
        (("CCP502", "env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC is a number where Claude Code expects"),),
    ),
    Case(
        "jakelawllm__claude-settings/settings.json",
        ".claude/settings.json",
        "106",
        "106",
        "jakelawllm-personal-settings",
    ),
    Case(
        "t3ch-club__xmas2025/.claude/settings.json",
        ".claude/settings.json",
        f"{TELEMETRY} 301 305 602",
        "305 602",
        "t3ch-club-api-key-helper",
        (("CCP602", "run apiKeyHelper `./.claude/anthropic_key.sh`"),),
    ),
    Case(
        "EcorRouge__rococo-sample-backend/.claude/settings.json",
        ".claude/settings.json",
        f"{TELEMETRY} 301 305 602",
        "305 602",
    ),
    Case(
        "evanward1__Triangular-Arbitrage/.claude/settings.json",
        ".claude/settings.json",
        f"{TELEMETRY} 301 305 602",
        "305 602",
    ),
    Case(
        "gmcabrita__dotfiles/.claude/settings.json",
        ".claude/settings.json",
        f"{TELEMETRY} 301 501 505 605",
        "501 605",
        "gmcabrita-duplicate-comment-keys",
        (("CCP501", 'duplicate key "//"'), ("CCP605", 'permissions.defaultMode is "bypassPermissions"')),
    ),
    Case(
        "michaelknopf__zshrc/home/.claude/settings.json",
        "home/.claude/settings.json",
        f"{TELEMETRY} 301 505 506 603 605",
        "605",
        "michaelknopf-bypass",
        (
            ("CCP605", 'permissions.defaultMode is "bypassPermissions"'),
            ("CCP506", '"allowedTools" is the legacy name of "permissions.allow"'),
        ),
    ),
    Case(
        "michaelknopf__zshrc/history-445ab45/home/.claude/settings.json",
        "home/.claude/settings.json",
        f"{TELEMETRY} 301 501 506 605",
        "501 605",
    ),
    Case(
        "jianlanglinhei__claude-agent-ui/agent/.claude/settings.json.tpl",
        "agent/.claude/settings.json.tpl",
        f"{TELEMETRY} 301 305 307 502 601 605",
        "307 502 601 605",
        "jianlanglinhei-gateway-template",
        (
            ("CCP601", "goes to api.minimax.io instead of the Anthropic API"),
            ("CCP601", "[not in effect: settings.json.tpl is not a file Claude Code reads]"),
        ),
    ),
    Case(
        "judegiordano__claude-offline/.claude/settings.json",
        ".claude/settings.json",
        f"{TELEMETRY} 301 305 307 601",
        "307 601",
        "judegiordano-local-model",
        (("CCP601", 'ANTHROPIC_BASE_URL="http://localhost:8080"'),),
    ),
    Case(
        "judegiordano__claude-offline/.claude/settings.jsonc",
        ".claude/settings.jsonc",
        f"{TELEMETRY} 301 305 307 601",
        "601",
    ),
    Case(
        "anthropics__claude-code-action/.claude/settings.json",
        ".claude/settings.json",
        f"{TELEMETRY} 301 501",
        "501",
        "action-trailing-comma",
    ),
    Case(
        "visheshd__claude-devcontainer/.claude/settings.json",
        ".claude/settings.json",
        f"{TELEMETRY} 301 501",
        "501",
    ),
    Case("zloether__claude-setup/.claude/settings.json", ".claude/settings.json", f"{TELEMETRY} 301", ""),
    Case(
        "milechin__hpc-app-bundler/.claude/settings.json.example",
        ".claude/settings.json.example",
        f"{TELEMETRY} 301",
        "",
    ),
    Case("rubixibuc__ai/.claude/settings.jsonc", ".claude/settings.jsonc", f"{TELEMETRY} 301", ""),
    Case(
        "alexwaibel__dotfiles-work/dot_claude/settings.json.tmpl",
        "dot_claude/settings.json.tmpl",
        f"{TELEMETRY} 301",
        "",
    ),
    Case(
        "austinlparker__dotfiles/dot_claude/settings.json.tmpl",
        "dot_claude/settings.json.tmpl",
        f"{TELEMETRY} 301 506 605",
        "605",
    ),
    Case("9999years__dotfiles/claude/settings.json", "claude/settings.json", f"{TELEMETRY} 301", ""),
    Case(
        "9999years__dotfiles/history-4242788/claude/settings.json",
        "claude/settings.json",
        f"{TELEMETRY} 301",
        "",
    ),
    Case(
        "wjhrdy__ai-helpers/images/claude/claude-settings.json",
        "images/claude/claude-settings.json",
        f"{TELEMETRY} 301",
        "",
    ),
    Case(
        "DEFRA__bng-metric-harness/.claude/settings.local.json",
        ".claude/settings.local.json",
        f"{TELEMETRY} 301 503",
        "503",
        "defra-committed-local",
    ),
    Case(
        "DFE-Digital__get-into-teaching-api/.claude/settings.local.json",
        ".claude/settings.local.json",
        f"{TELEMETRY} 301 503",
        "503",
    ),
    Case(
        "DG777777__claude-code-mastery/.claude/settings.local.json",
        ".claude/settings.local.json",
        f"{TELEMETRY} 301 503",
        "503",
    ),
    Case(
        "DEBTREXSOLUTIONS__debtrex-internal-system/.claude/settings.local.json",
        ".claude/settings.local.json",
        f"{TELEMETRY} 301 503",
        "503",
    ),
    # MCP configuration.
    Case(
        "0x0190__jobSearchAgent-3/.mcp.json",
        ".mcp.json",
        "604",
        "604",
        "0x0190-remote-mcp",
        (("CCP604", '.mcp.json adds the remote MCP server "Dice" at https://mcp.dice.com/mcp'),),
    ),
    Case("0gnm0-afk__fng-chatbot-mcp-deepseek/.mcp.json", ".mcp.json", "", ""),
    Case("giggsoinc__raven/managed-mcp.json", "managed-mcp.json", "", ""),
)

# The minimal copies: every rule ID each gives (they keep the pattern, not every line of the sample).
FIXTURE_EXPECTED: Mapping[str, str] = {
    "kaihendry-otel-content": f"{TELEMETRY} 201 202 301 302 605",
    "wwbrannon-misplaced-keys": f"{TELEMETRY} 301 302 506 605",
    "mhshah92-nested-managed-key": f"{TELEMETRY} 301 302 506",
    "jakelawllm-placeholder-org": "106 202 303",
    "zloether-top-level-lock": f"{TELEMETRY} 302 506 605",
    "webrix-wildcard-allowlist": f"{TELEMETRY} 301 302 604",
    "bash-sandbox-example": f"{TELEMETRY} 301 302 502 605",
    "simcap-number-env": f"{TELEMETRY} 502",
    "jakelawllm-personal-settings": "106",
    "t3ch-club-api-key-helper": f"{TELEMETRY} 301 305 602",
    "gmcabrita-duplicate-comment-keys": f"{TELEMETRY} 301 501 505 605",
    "michaelknopf-bypass": f"{TELEMETRY} 301 505 506 603 605",
    "jianlanglinhei-gateway-template": f"{TELEMETRY} 301 305 307 502 601 605",
    "judegiordano-local-model": f"{TELEMETRY} 301 305 307 601",
    "action-trailing-comma": f"{TELEMETRY} 301 501",
    "defra-committed-local": f"{TELEMETRY} 301 503",
    "0x0190-remote-mcp": "604",
}


def _ruleset() -> tuple[Rule, ...]:
    rules = load_builtin_rules()
    presets = load_presets()
    wanted: set[str] = set()
    for name in PRESETS:
        wanted |= preset_rule_ids(name, presets, frozenset(rules))
    return tuple(rules[i] for i in sorted(wanted) if i in rules)


def _scan(repo: Path) -> list[Finding]:
    options = ScanOptions(rules=_ruleset(), params=PARAMS)
    return list(scan_repository(repo, options).findings)


def _check(case: Case, findings: list[Finding], expected: str) -> None:
    found = frozenset(f.rule_id for f in findings)
    assert ids(case.pattern) <= ids(expected), "the table contradicts itself"
    assert sorted(found) == sorted(ids(expected))
    for rule_id, fragment in case.says:
        messages = [f.message for f in findings if f.rule_id == rule_id]
        assert any(fragment in m for m in messages), (rule_id, fragment, messages)


needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not present")


@needs_samples
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.sample)
def test_real_sample(case: Case, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    target = repo / case.placed_at
    target.parent.mkdir(parents=True)
    shutil.copyfile(SAMPLES / case.sample, target)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "sample")
    _check(case, _scan(repo), case.expected)


@needs_samples
def test_every_settings_sample_is_in_the_table() -> None:
    with (SAMPLES / "INDEX.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    listed = {row["local_path"] for row in rows if row["kind"] in PROVED_KINDS}
    assert listed == {c.sample for c in CASES}


FIXTURE_CASES = tuple(c for c in CASES if c.fixture is not None)


@pytest.mark.parametrize("case", FIXTURE_CASES, ids=lambda c: str(c.fixture))
def test_minimal_copy_of_the_pattern(case: Case, tmp_path: Path) -> None:
    assert case.fixture is not None
    repo = materialise(FIXTURES / case.fixture, tmp_path / "repo")
    _check(case, _scan(repo), FIXTURE_EXPECTED[case.fixture])


def test_every_fixture_is_in_the_table() -> None:
    on_disk = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert on_disk == {c.fixture for c in FIXTURE_CASES} == set(FIXTURE_EXPECTED)
