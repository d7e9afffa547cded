"""The policy file's schema (pydantic v2, strict): structure, types and value formats.

Only `scanner.policy.load` (validation on a cache miss) and `ccpolicy policy schema` import this
module: pydantic costs a noticeable part of a pre-commit run, so the scan path never does.
What depends on the rule catalogue (rule ids, preset names, organisation rule checks) is checked
by `scanner.policy.crossref`, because it changes with the catalogue, not with this schema.
"""

from __future__ import annotations

import datetime
import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from scanner import regexcache
from scanner.catalogue.load import ORG_RULE_ID, RULE_NAME
from scanner.contexts.model import ContextKind
from scanner.policy import globs

SeverityName = Literal["critical", "high", "medium", "low", "info"]
# scanner.contexts.resolve.PROVIDER_BASE_URLS names the same providers (a test keeps them equal).
ProviderName = Literal["first-party", "bedrock", "vertex", "foundry", "anthropic-aws", "mantle"]

_HOST_PATTERN = regexcache.compile(
    r"^(?:\*\.)?(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)
_UUID = regexcache.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_GLOB_CHARS = frozenset("*?[")


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("policy", message)


def _non_empty(value: str) -> str:
    if not value.strip():
        raise _fail("must not be empty")
    return value


def _host(value: str) -> str:
    if "://" in value or "/" in value:
        raise _fail(f"{value!r} is a URL; write the host name only, e.g. llm-gateway.example.com")
    if ":" in value:
        raise _fail(f"{value!r}: write the host name without a port (ports are not compared)")
    if not _HOST_PATTERN.match(value):
        raise _fail(f"{value!r} is not a host name or a *.domain pattern")
    return value


def _uuid(value: str) -> str:
    if not _UUID.match(value):
        raise _fail(f"{value!r} is not an organisation UUID (8-4-4-4-12 hexadecimal digits)")
    return value


def _glob(value: str) -> str:
    why = globs.problem(value)
    if why is not None:
        raise _fail(f"{value!r} {why}")
    return value


def _context_pattern(value: str) -> str:
    if not value.strip():
        raise _fail("must not be empty")
    kinds = sorted(k.value for k in ContextKind)
    kind, sep, _ = value.partition(":")
    if sep and not (_GLOB_CHARS & set(kind)) and kind not in kinds:
        raise _fail(f"{value!r}: unknown context kind {kind!r} (context ids start with {', '.join(kinds)})")
    if not sep and not (_GLOB_CHARS & set(value)):
        raise _fail(f"{value!r} is not a context id pattern such as ci:.github/workflows/release.yml#*")
    return value


NonEmptyStr = Annotated[str, AfterValidator(_non_empty)]
HostPattern = Annotated[str, AfterValidator(_host)]
OrgUuid = Annotated[str, AfterValidator(_uuid)]
PathGlob = Annotated[str, AfterValidator(_glob)]
ContextPattern = Annotated[str, AfterValidator(_context_pattern)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Parameters(_Strict):
    """Values the rules compare against (rules refer to them as "param:NAME")."""

    approved_providers: list[ProviderName] | None = Field(
        default=None,
        description="API providers Claude Code may use (CCP306). Leave unset to approve every provider; "
        "an empty list approves none.",
    )
    approved_gateways: list[HostPattern] = Field(
        default=[],
        description="Hosts allowed in ANTHROPIC_BASE_URL and the provider base URLs (CCP307): exact host "
        "names or *.domain patterns, no scheme, no port.",
    )
    approved_otel_collectors: list[HostPattern] = Field(
        default=[],
        description="OpenTelemetry collector hosts telemetry may be exported to (CCP202): host names or "
        "*.domain patterns.",
    )
    approved_org_uuids: list[OrgUuid] = Field(
        default=[],
        description="Claude organisation UUIDs logins may be pinned to with forceLoginOrgUUID (CCP303), "
        "for example your zero-data-retention organisation.",
    )
    max_retention_days: int = Field(
        default=30,
        ge=1,
        description="Longest local transcript retention allowed, in days (CCP301; cleanupPeriodDays unset "
        "means 30).",
    )
    require_repo_controls: bool = Field(
        default=True,
        description="Whether a repository's own project settings must switch the privacy controls off "
        "(CCP101-CCP106). Set false when managed settings on every machine do it: project contexts are then "
        "not judged by those rules; CI jobs, containers, scripts and hosts still are.",
    )
    require_zdr: bool = Field(
        default=False,
        description="Whether every login must go through the approved (zero-data-retention) organisation, "
        "so that credentials which bypass the organisation pin are findings (CCP305).",
    )
    approved_mcp_servers: list[NonEmptyStr] = Field(
        default=[],
        description="Remote MCP server URLs allowed (CCP604); shell-style patterns such as "
        "https://mcp.example.com/*.",
    )


class Waiver(_Strict):
    """An accountable exception: one rule, where (path and/or context), who, why, until when."""

    rule: NonEmptyStr = Field(description="The rule id the waiver applies to, e.g. CCP101.")
    path: PathGlob | None = Field(
        default=None,
        description="Glob over the finding's file path, relative to the scanned directory, normally the "
        "repository root ('**' spans "
        "directories). Give path, context or both.",
    )
    context: ContextPattern | None = Field(
        default=None,
        description="Shell-style pattern over the finding's context id, e.g. ci:.github/workflows/old.yml#* "
        "(see the context field of the JSON output).",
    )
    owner: NonEmptyStr = Field(description="Who is accountable for the exception (a person or team).")
    reason: NonEmptyStr = Field(description="Why the exception is acceptable; shown as the justification.")
    expires: datetime.date = Field(
        description="The last day the waiver applies, as a TOML date (2026-12-31, no quotes). After it the "
        "finding counts again and says the waiver expired.",
    )


class RuleDocs(_Strict):
    what: str | None = Field(default=None, description="What the rule checks.")
    why: str | None = Field(default=None, description="Why it matters.")
    example: str | None = Field(default=None, description="A configuration that fires.")
    use_instead: str | None = Field(default=None, description="The fixed configuration.")
    fix: str | None = Field(default=None, description="How to fix it, in words.")
    unconfirmed: str | None = Field(default=None, description="Facts the rule could not confirm.")


class OrganisationRule(_Strict):
    """An organisation's own rule, in the same format as the built-in rules/CCPnnn.toml files."""

    id: str = Field(
        pattern=ORG_RULE_ID.pattern,
        description="Your prefix, a dash and a name, e.g. ACME-no-proxy (CCPnnn ids are reserved).",
    )
    name: str = Field(pattern=RULE_NAME.pattern, description="kebab-case name, e.g. gateway-only.")
    severity: SeverityName = Field(description="Severity of its findings.")
    title: NonEmptyStr = Field(description="One line; shown as the rule's short description.")
    tags: list[str] = Field(default=[], description="Free-form tags.")
    precision: Literal["very-high", "high", "medium", "low"] = Field(
        default="high", description="How sure a finding is."
    )
    references: list[str] = Field(default=[], description="Links shown with the rule.")
    docs: RuleDocs | None = Field(default=None, description="Documentation shown by `ccpolicy explain`.")
    check: dict[str, Any] = Field(
        description="The check, in the declarative language of the built-in rules: `when` (a list of "
        "conditions, all of which must hold: control, env, setting, provider_in, provider_not_in), optional "
        "`contexts` (context kinds), `message` and `messages` (per context kind); or `registered` naming a "
        "built-in registered check.",
    )


class PolicyFile(_Strict):
    """ccpolicy's policy file: ccpolicy.toml, or the [tool.ccpolicy] table of pyproject.toml."""

    model_config = ConfigDict(title="ccpolicy policy file")

    extends: list[str] = Field(
        default=["recommended"],
        description="Presets to start from: baseline, no-telemetry, commercial-zdr, hardened, strict, "
        "recommended (the default; [] starts from no rules).",
    )
    enable: list[str] = Field(default=[], description="Rule ids to run in addition to the presets.")
    disable: list[str] = Field(default=[], description="Rule ids never to run.")
    exclude: list[PathGlob] = Field(
        default=[],
        description="Paths never scanned: globs relative to the scanned directory (normally the repository "
        "root), e.g. fixtures/** or vendor.",
    )
    severity: dict[str, SeverityName] = Field(
        default={}, description="Severity overrides: rule id = critical, high, medium, low or info."
    )
    parameters: Parameters = Field(default_factory=Parameters, description=Parameters.__doc__)
    allow_inline_ignores: bool = Field(
        default=True,
        description="Whether `ccpolicy: ignore[RULE] reason` comments in scanned files suppress findings. "
        "Set false to accept waivers in this file only.",
    )
    rules: list[OrganisationRule] = Field(default=[], description="The organisation's own rules.")
    waivers: list[Waiver] = Field(default=[], description=Waiver.__doc__)


def json_schema() -> dict[str, Any]:
    schema = PolicyFile.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
