"""The commented policy file `ccpolicy policy init` writes: every option, explained, with an example.

Only `extends = ["recommended"]` is live, so a fresh file behaves exactly like no policy file;
every other option is an example to uncomment. In the source below, example lines start with
"#| ": `render()` turns them into ordinary comments, `render(examples_active=True)` into live
TOML (the tests validate both, so no example can drift out of date).
"""

from __future__ import annotations

_SOURCE = """\
# ccpolicy policy file. Validate it with `ccpolicy policy validate`; editors can use the JSON Schema
# printed by `ccpolicy policy schema`. The same settings can live in pyproject.toml under [tool.ccpolicy].
# ccpolicy finds this file by walking up from the scanned directory to the top of the git repository.

# Presets to start from (rules/presets.toml): baseline (configuration integrity, credentials,
# misleading values), no-telemetry, commercial-zdr, hardened (committed project configuration),
# strict (every rule), recommended (what runs without a policy file). Several combine; [] starts
# from no rules at all.
extends = ["recommended"]

# Rules to run in addition to the presets, and rules never to run (ids from `ccpolicy rules`).
#| enable = ["CCP503"]
#| disable = ["CCP108"]

# Paths never scanned: globs relative to the scanned directory (normally the repository root).
# `*` stays inside a directory, `**` spans directories, and a directory pattern covers everything
# below it.
#| exclude = ["fixtures/**", "vendor"]

# Whether `ccpolicy: ignore[RULE] reason` comments in scanned files (shell, YAML, TOML, dotenv,
# Dockerfile, devcontainer.json) suppress findings. false: only the waivers below count.
#| allow_inline_ignores = true

# Severity overrides: rule id = "critical", "high", "medium", "low" or "info".
#| [severity]
#| CCP104 = "high"

# Values the rules compare against (uncomment under this line). Each shows an example; the default
# is in brackets.
[parameters]
# API providers Claude Code may use: first-party, bedrock, vertex, foundry, anthropic-aws, mantle
# [unset: every provider is approved; [] approves none].
#| approved_providers = ["bedrock", "first-party"]
# Hosts allowed in ANTHROPIC_BASE_URL and the provider base URLs: host names or *.domain, no scheme
# and no port [[]].
#| approved_gateways = ["llm-gateway.example.com", "*.corp.example.com"]
# OpenTelemetry collector hosts telemetry may be exported to [[]].
#| approved_otel_collectors = ["otel.example.com"]
# Claude organisation UUIDs logins may be pinned to (forceLoginOrgUUID), e.g. your ZDR organisation [[]].
#| approved_org_uuids = ["00000000-0000-4000-8000-000000000000"]
# Longest local transcript retention allowed, in days (cleanupPeriodDays unset means 30) [30].
#| max_retention_days = 7
# Must a repository's own project settings switch the privacy controls off? false when managed
# settings on every machine do: project contexts are then not judged by the control rules
# (CI jobs, containers, scripts and hosts still are) [true].
#| require_repo_controls = true
# Must every login go through the approved (zero-data-retention) organisation? Then credentials that
# bypass the organisation pin (API keys, auth tokens, apiKeyHelper) are findings [false].
#| require_zdr = true
# Remote MCP server URLs allowed: shell-style patterns [[]].
#| approved_mcp_servers = ["https://mcp.example.com/*"]

# Your own rules, in the format of the built-in rules/CCPnnn.toml files. id: your prefix, a dash
# and a name (CCPnnn ids are reserved); name: kebab-case; severity; title: one line. Optional:
# tags, precision (very-high, high, medium, low), references, and [rules.docs] (what, why,
# example, use_instead, fix, unconfirmed) for `ccpolicy explain`.
# [rules.check] is the declarative check: `when` lists conditions that must all hold:
#   { control = "telemetry", state = "enabled" }         a privacy control left on (or "disabled")
#   { env = "NAME", state = "set" }                      state: on, off, set, unset, unknown;
#       plus value_matches = "regex", url_host_not_in = [...] or "param:NAME", url_scheme_not = "https"
#   { setting = "key", equals = ... }                    or not_equals, greater_than, less_than, in,
#       not_in, state = "set"/"unset"; default = value when unset; set_in = "managed"/"not-managed"
#   { provider_in = [...] } or { provider_not_in = "param:approved_providers" }
# `contexts` limits it to context kinds (project, ci, container, devcontainer, compose-service,
# host, managed-policy, script); `message` is the finding's text ({context}, {detail}, {value},
# {where}, {var}, {setting}, {provider}); [rules.check.messages] sets a message per context kind.
#| [[rules]]
#| id = "ACME-gateway-only"
#| name = "gateway-only"
#| severity = "high"
#| title = "Claude Code must use the ACME LLM gateway"
#| tags = ["egress"]
#| precision = "high"
#| references = ["https://wiki.example.com/llm-gateway"]
#| [rules.docs]
#| what = "Reports a context where ANTHROPIC_BASE_URL points anywhere but an approved gateway."
#| why = "Traffic that bypasses the gateway escapes our logging and data-loss prevention."
#| example = "ANTHROPIC_BASE_URL=https://api.other.example"
#| use_instead = "ANTHROPIC_BASE_URL=https://llm-gateway.example.com"
#| fix = "Point ANTHROPIC_BASE_URL at llm-gateway.example.com."
#| unconfirmed = ""
#| [rules.check]
#| contexts = ["project", "ci", "container", "devcontainer", "compose-service", "script", "host"]
#| when = [{ env = "ANTHROPIC_BASE_URL", state = "set", url_host_not_in = "param:approved_gateways" }]
#| message = "Claude Code in {context} sends API traffic past the ACME gateway: {detail}."
#| [rules.check.messages]
#| project = "The repository's configuration for {context} bypasses the ACME gateway: {detail}."

# Waivers: accountable exceptions. rule, and path (a glob as in exclude) and/or context (a pattern
# over the context id shown in the JSON output, e.g. ci:.github/workflows/old.yml#*), owner, reason,
# and expires (a TOML date, no quotes: the last day it applies). A waiver in force suppresses the
# finding (it stays visible as suppressed); after expiry the finding counts again and says so; a
# waiver that matches nothing is reported as stale. `ccpolicy scan --no-ignores` disregards waivers.
#| [[waivers]]
#| rule = "CCP101"
#| path = "legacy/**"
#| context = "project:legacy*"
#| owner = "alice@example.com"
#| reason = "legacy tooling is decommissioned in Q4; tracked in SEC-123"
#| expires = 2026-12-31
"""


def render(*, examples_active: bool = False) -> str:
    replacement = "" if examples_active else "# "
    lines = _SOURCE.splitlines(keepends=True)
    return "".join(replacement + line[3:] if line.startswith("#| ") else line for line in lines)
