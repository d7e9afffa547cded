"""The knowledge base encodes reference/claude-code.md exactly: these tests pin its facts."""

from __future__ import annotations

import sys
from importlib import resources
from typing import Any

import pytest

from scanner.knowledge import (
    BOOLEAN,
    COMMAND,
    CREDENTIAL,
    EXPOSES,
    NEUTRAL,
    NUMBER,
    PATH,
    PRESENCE,
    PROTECTS,
    ROUTES,
    STRING,
    URL,
    KnowledgeBase,
    load,
)
from scanner.model import ValueKind
from scanner.semantics import Switch, assume_on, reading

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

VALUE_CLASSES = {PRESENCE, BOOLEAN, STRING, URL, PATH, NUMBER, COMMAND}
EFFECTS = {PROTECTS, EXPOSES, ROUTES, CREDENTIAL, NEUTRAL}
VARIABLE_CATEGORIES = {
    "telemetry",
    "error-reporting",
    "feedback",
    "nonessential",
    "survey",
    "updates",
    "otel",
    "provider",
    "routing",
    "tls",
    "credential",
    "retention",
    "mcp",
    "other",
}
SETTING_TYPES = {
    "boolean",
    "integer",
    "number",
    "string",
    "string-or-array",
    "array",
    "object",
    "enum",
    "command",
    "any",
}
SCOPES = {"any", "managed", "user-or-managed", "user-local-managed", "global-config"}
SETTING_CATEGORIES = {
    "retention",
    "login",
    "provider",
    "credential-helper",
    "telemetry",
    "hooks",
    "mcp",
    "permissions",
    "sandbox",
    "plugins",
    "updates",
    "egress",
    "other",
}
PROVIDERS = {"bedrock", "vertex", "foundry", "mantle", "anthropic-aws"}


def _names(text: str) -> frozenset[str]:
    """Whitespace-separated names, so long key lists read like the reference prints them."""
    return frozenset(text.split())


VARIABLE_FIELDS = {
    "class",
    "effect",
    "category",
    "summary",
    "controls",
    "alias_of",
    "secret",
    "provider",
    "unconfirmed",
    "source",
}
SETTING_FIELDS = {
    "type",
    "scope",
    "category",
    "summary",
    "enum",
    "minimum",
    "maximum",
    "default",
    "fails_closed",
    "unconfirmed",
    "source",
}
CONTROL_FIELDS = {
    "title",
    "disabled_by",
    "off_on_providers",
    "disabled_by_setting",
    "recipient",
    "retention",
    "source",
}

# Reference 5: the SchemaStore schema's 142 top-level keys, $schema included.
SCHEMA_TOP_LEVEL_KEYS = _names(
    """
    $schema apiKeyHelper autoMemoryEnabled autoUpdatesChannel awsCredentialExport awsAuthRefresh
    claudeMdExcludes cleanupPeriodDays env attribution includeGitInstructions includeCoAuthoredBy
    plansDirectory respectGitignore permissions language model availableModels modelOverrides effortLevel
    fastMode fastModePerSessionOptIn feedbackSurveyRate enableAllProjectMcpServers enabledMcpjsonServers
    disabledMcpjsonServers allowedMcpServers deniedMcpServers httpHookAllowedEnvVars hooks disableAllHooks
    allowedChannelPlugins allowedHttpHookUrls allowManagedHooksOnly allowManagedPermissionRulesOnly
    statusLine fileSuggestion enabledPlugins extraKnownMarketplaces strictKnownMarketplaces
    skippedMarketplaces skippedPlugins forceLoginMethod forceLoginOrgUUID otelHeadersHelper outputStyle
    skipWebFetchPreflight sandbox spinnerVerbs spinnerTipsEnabled spinnerTipsOverride
    terminalProgressBarEnabled showTurnDuration skillOverrides prefersReducedMotion prUrlTemplate
    alwaysThinkingEnabled companyAnnouncements teammateMode worktree parentSettingsBehavior
    pluginTrustMessage pluginConfigs allowManagedMcpServersOnly blockedMarketplaces agent
    autoMemoryDirectory autoMode channelsEnabled defaultShell disableDeepLinkRegistration
    disableSkillShellExecution forceRemoteSettingsRefresh minimumVersion showClearContextOnPlanAccept
    showThinkingSummaries skipDangerousModePermissionPrompt strictPluginOnlyCustomization tui viewMode
    useAutoModeDuringPlan voiceEnabled wslInheritsWindowsSettings subagentStatusLine advisorModel
    autoCompactEnabled disableAgentView editorMode enforceAvailableModels fallbackModel
    fileCheckpointingEnabled gcpAuthRefresh managedMcpServers skillListingMaxDescChars
    preferredNotifChannel pluginSuggestionMarketplaces requiredMaximumVersion requiredMinimumVersion
    respondToBashCommands skillListingBudgetFraction sshConfigs sshHostAllowlist theme voice
    wheelScrollAccelerationEnabled disableBundledSkills awaySummaryEnabled autoScrollEnabled
    allowAllClaudeAiMcps agentPushNotifEnabled axScreenReader claudeMd disableArtifact disableAutoMode
    disableClaudeAiConnectors disableRemoteControl disableWorkflows footerLinksRegexes
    inputNeededNotifEnabled policyHelper remoteControlAtStartup syntaxHighlightingDisabled verbose
    workflowKeywordTriggerEnabled askUserQuestionTimeout teammateDefaultModel workflowSizeGuideline
    enableArtifact permissionExplainerEnabled diffTool externalEditorContext autoConnectIde
    autoInstallIdeExtension emojiCompletionEnabled vimInsertModeRemaps processWrapper forceLoginGatewayUrl
    disableSideloadFlags browserExternalPageTools disableBrowserExternalNavigation
    disableMobileSimulatorTools requireCoworkFullVmSandbox
    """
)
# Reference 5: in the docs index but not in the schema.
DOCS_ONLY_TOP_LEVEL_KEYS = _names(
    """
    autoCompactWindow crossSessionInbound dialogExpiry disableCommandPluginSources enableWorkflows
    isolatePeerMachines keybindingFlavor promptSuggestionEnabled skipAutoPermissionPrompt spellcheck
    switchModelsOnFlag syncClaudeAiSkills terminalTitleFromRename ultracode
    """
)
# Reference 3.2: honoured only from managed sources, plus the keys [SS] also marks managed-only.
MANAGED_ONLY_KEYS = _names(
    """
    allowAllClaudeAiMcps allowedChannelPlugins allowManagedHooksOnly allowManagedMcpServersOnly
    allowManagedPermissionRulesOnly blockedMarketplaces browserExternalPageTools channelsEnabled claudeMd
    disableBrowserExternalNavigation disableCommandPluginSources disableMobileSimulatorTools
    disableSideloadFlags forceLoginGatewayUrl forceRemoteSettingsRefresh parentSettingsBehavior
    pluginSuggestionMarketplaces pluginTrustMessage policyHelper policyHelper.path
    policyHelper.refreshIntervalMs policyHelper.timeoutMs requiredMaximumVersion requiredMinimumVersion
    sandbox.bwrapPath sandbox.filesystem.allowManagedReadPathsOnly sandbox.network.allowManagedDomainsOnly
    sandbox.socatPath sshHostAllowlist strictKnownMarketplaces strictPluginOnlyCustomization
    strictPluginOnlyCustomization.agents strictPluginOnlyCustomization.hooks
    strictPluginOnlyCustomization.mcp strictPluginOnlyCustomization.skills wslInheritsWindowsSettings
    managedMcpServers requireCoworkFullVmSandbox sandbox.enabledPlatforms
    """
)
# Reference 3.2 "Ignored in project files", with the scope the docs index gives each.
USER_OR_MANAGED_KEYS = _names(
    """
    askUserQuestionTimeout autoMode autoMode.classifyAllShell dialogExpiry enableArtifact footerLinksRegexes
    pluginConfigs processWrapper sandbox.allowAppleEvents sandbox.credentials.allowPlaintextInject
    sandbox.credentials.awsPairs sandbox.credentials.sigv4 sandbox.filesystem.disabled
    sandbox.network.strictAllowlist sandbox.network.tlsTerminate sandbox.ripgrep skipAutoPermissionPrompt
    spellcheck sshConfigs vimInsertModeRemaps
    """
)
USER_LOCAL_MANAGED_KEYS = frozenset(
    {"skipDangerousModePermissionPrompt", "syncClaudeAiSkills", "useAutoModeDuringPlan"}
)
GLOBAL_CONFIG_KEYS = frozenset(
    {
        "autoConnectIde",
        "autoInstallIdeExtension",
        "diffTool",
        "externalEditorContext",
        "permissionExplainerEnabled",
        "teammateDefaultModel",
    }
)
SECRET_VARIABLES = frozenset(
    {
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "CLAUDE_CODE_OAUTH_TOKEN",
        "CLAUDE_CODE_OAUTH_REFRESH_TOKEN",
        "AWS_BEARER_TOKEN_BEDROCK",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "ANTHROPIC_FOUNDRY_API_KEY",
        "ANTHROPIC_FOUNDRY_AUTH_TOKEN",
        "ANTHROPIC_AWS_API_KEY",
        "CLAUDE_CODE_CLIENT_KEY_PASSPHRASE",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
        "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "ANTHROPIC_CUSTOM_HEADERS",
        "MCP_CLIENT_SECRET",
    }
)
THIRD_PARTY = ("bedrock", "vertex", "foundry", "anthropic-aws", "mantle")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def _raw(name: str) -> dict[str, Any]:
    data = resources.files("scanner.knowledge").joinpath(name).read_bytes()
    parsed: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
    return parsed


# --- loading and shape ---------------------------------------------------------------------------


def test_load_is_cached_and_complete(kb: KnowledgeBase) -> None:
    assert load() is kb
    assert len(kb.variables) == 140
    assert len(kb.settings) == 143
    assert set(kb.controls) == {
        "telemetry",
        "error_reporting",
        "feedback",
        "nonessential",
        "survey",
        "webfetch_preflight",
        "growthbook",
        "auto_updates",
        "marketplace_autoinstall",
    }


@pytest.mark.parametrize(
    ("file", "table", "allowed"),
    [
        ("variables.toml", "variables", VARIABLE_FIELDS),
        ("settings.toml", "settings", SETTING_FIELDS),
        ("controls.toml", "controls", CONTROL_FIELDS),
    ],
)
def test_every_table_uses_only_known_fields(file: str, table: str, allowed: set[str]) -> None:
    entries = _raw(file)[table]
    typos = {f"{name}.{field}" for name, raw in entries.items() for field in raw if field not in allowed}
    assert typos == set()


def test_settings_file_has_only_known_top_level_tables() -> None:
    assert set(_raw("settings.toml")) == {"known_top_level_keys", "runtime_state_keys", "settings"}
    assert set(_raw("variables.toml")) == {"variables"}
    assert set(_raw("controls.toml")) == {"controls"}


def test_disabled_by_setting_entries_have_key_and_value_only() -> None:
    for name, raw in _raw("controls.toml")["controls"].items():
        for item in raw.get("disabled_by_setting", ()):
            assert set(item) == {"key", "value"}, name


# --- variables -------------------------------------------------------------------------------------


def test_presence_only_set_is_exactly_the_documented_six(kb: KnowledgeBase) -> None:
    presence = {name for name, var in kb.variables.items() if var.value_class == PRESENCE}
    assert presence == {
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
        "DISABLE_TELEMETRY",
        "DISABLE_ERROR_REPORTING",
        "CLAUDE_CODE_TMUX_TRUECOLOR",
        "FALLBACK_FOR_ALL_PRIMARY_MODELS",
        "IS_DEMO",
    }


def test_value_classes_that_differ_from_the_obvious(kb: KnowledgeBase) -> None:
    assert kb.variables["DO_NOT_TRACK"].value_class == BOOLEAN
    assert kb.variables["DEBUG"].value_class == BOOLEAN
    assert kb.variables["FORCE_HYPERLINK"].value_class == NUMBER
    assert kb.variables["OTEL_LOG_RAW_API_BODIES"].value_class == STRING
    assert kb.variables["OTEL_LOG_RAW_API_BODIES"].effect == EXPOSES
    assert kb.variables["NODE_TLS_REJECT_UNAUTHORIZED"].value_class == STRING
    assert kb.variables["ANTHROPIC_BASE_URL"].value_class == URL
    assert kb.variables["GOOGLE_APPLICATION_CREDENTIALS"].value_class == PATH
    assert kb.variables["CLAUDE_CODE_API_KEY_HELPER_TTL_MS"].value_class == NUMBER


def test_value_classes_effects_and_categories_are_valid(kb: KnowledgeBase) -> None:
    for name, var in kb.variables.items():
        assert var.value_class in VALUE_CLASSES, name
        assert var.effect in EFFECTS, name
        assert var.category in VARIABLE_CATEGORIES, name


def test_every_variable_has_summary_and_source(kb: KnowledgeBase) -> None:
    for name, var in kb.variables.items():
        assert var.summary.strip().endswith("."), name
        assert "[" in var.source, name
        assert var.name == name


def test_deprecated_alias(kb: KnowledgeBase) -> None:
    alias = kb.variables["DISABLE_BUG_COMMAND"]
    assert alias.alias_of == "DISABLE_FEEDBACK_COMMAND"
    assert kb.canonical("DISABLE_BUG_COMMAND") == "DISABLE_FEEDBACK_COMMAND"
    assert kb.canonical("DISABLE_TELEMETRY") == "DISABLE_TELEMETRY"
    assert kb.canonical("NOT_A_KNOWN_VARIABLE") == "NOT_A_KNOWN_VARIABLE"


def test_alias_targets_exist_and_are_not_aliases(kb: KnowledgeBase) -> None:
    aliases = {name: var.alias_of for name, var in kb.variables.items() if var.alias_of}
    assert aliases == {"DISABLE_BUG_COMMAND": "DISABLE_FEEDBACK_COMMAND"}
    for target in aliases.values():
        assert target in kb.variables
        assert kb.variables[target].alias_of is None
        assert kb.variables[target].value_class == kb.variables["DISABLE_BUG_COMMAND"].value_class


def test_secrets_are_flagged_and_only_secrets(kb: KnowledgeBase) -> None:
    assert {name for name, var in kb.variables.items() if var.secret} == SECRET_VARIABLES
    for name in (
        "AWS_ACCESS_KEY_ID",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "CLAUDE_CODE_CLIENT_KEY",
        "ANTHROPIC_PROFILE",
        "ANTHROPIC_ORGANIZATION_ID",
        "HTTPS_PROXY",
    ):
        assert kb.variables[name].secret is False, name


def test_every_credential_effect_is_secret(kb: KnowledgeBase) -> None:
    for name, var in kb.variables.items():
        if var.effect == CREDENTIAL:
            assert var.secret, name


def test_provider_switches_map_to_providers(kb: KnowledgeBase) -> None:
    providers = {name: var.provider for name, var in kb.variables.items() if var.provider}
    assert providers == {
        "CLAUDE_CODE_USE_BEDROCK": "bedrock",
        "CLAUDE_CODE_USE_VERTEX": "vertex",
        "CLAUDE_CODE_USE_FOUNDRY": "foundry",
        "CLAUDE_CODE_USE_MANTLE": "mantle",
        "CLAUDE_CODE_USE_ANTHROPIC_AWS": "anthropic-aws",
    }
    for name in providers:
        var = kb.variables[name]
        assert (var.value_class, var.effect, var.category) == (BOOLEAN, ROUTES, "provider"), name


def test_routing_variables(kb: KnowledgeBase) -> None:
    routing = _names(
        """
        ANTHROPIC_BASE_URL ANTHROPIC_CUSTOM_HEADERS HTTPS_PROXY https_proxy HTTP_PROXY http_proxy NO_PROXY
        no_proxy NODE_EXTRA_CA_CERTS NODE_TLS_REJECT_UNAUTHORIZED ANTHROPIC_BEDROCK_BASE_URL
        ANTHROPIC_BEDROCK_MANTLE_BASE_URL ANTHROPIC_VERTEX_BASE_URL ANTHROPIC_FOUNDRY_BASE_URL
        ANTHROPIC_AWS_BASE_URL OTEL_EXPORTER_OTLP_ENDPOINT
        """
    )
    for name in routing:
        assert kb.variables[name].effect == ROUTES, name
    for provider in ("BEDROCK", "VERTEX", "FOUNDRY", "MANTLE", "ANTHROPIC_AWS"):
        assert kb.variables[f"CLAUDE_CODE_SKIP_{provider}_AUTH"].value_class == BOOLEAN, provider
    assert kb.variables["CLAUDE_CODE_PROVIDER_MANAGED_BY_HOST"].effect == EXPOSES


def test_every_otel_variable_of_the_reference_is_known(kb: KnowledgeBase) -> None:
    expected = {
        "OTEL_METRICS_EXPORTER",
        "OTEL_LOGS_EXPORTER",
        "OTEL_TRACES_EXPORTER",
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
        "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
        "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "OTEL_LOG_USER_PROMPTS",
        "OTEL_LOG_ASSISTANT_RESPONSES",
        "OTEL_LOG_TOOL_DETAILS",
        "OTEL_LOG_TOOL_CONTENT",
        "OTEL_LOG_RAW_API_BODIES",
        "OTEL_METRICS_INCLUDE_ACCOUNT_UUID",
        "OTEL_METRICS_INCLUDE_SESSION_ID",
        "OTEL_METRICS_INCLUDE_VERSION",
        "OTEL_METRICS_INCLUDE_ENTRYPOINT",
        "OTEL_METRICS_INCLUDE_RESOURCE_ATTRIBUTES",
        "OTEL_RESOURCE_ATTRIBUTES",
    }
    assert expected <= set(kb.variables)
    for name in kb.variables:
        if name.startswith("OTEL_LOG_"):
            assert kb.variables[name].effect == EXPOSES, name
            assert kb.variables[name].category == "otel", name
    assert kb.variables["CLAUDE_CODE_ENABLE_TELEMETRY"].effect == EXPOSES


def test_unconfirmed_facts_are_marked(kb: KnowledgeBase) -> None:
    unconfirmed = kb.variables["DISABLE_NON_ESSENTIAL_MODEL_CALLS"].unconfirmed
    assert unconfirmed is not None and "2026-03-13" in unconfirmed
    assert kb.variables["DISABLE_TELEMETRY"].unconfirmed is None


def test_protecting_variables_name_the_controls_they_switch_off(kb: KnowledgeBase) -> None:
    assert kb.variables["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"].controls == (
        "telemetry",
        "error_reporting",
        "feedback",
        "nonessential",
        "survey",
        "growthbook",
        "auto_updates",
    )
    assert kb.variables["DISABLE_TELEMETRY"].controls == ("telemetry", "survey", "growthbook")
    assert kb.variables["DO_NOT_TRACK"].controls == ("telemetry", "survey")
    assert kb.variables["DISABLE_ERROR_REPORTING"].controls == ("error_reporting",)
    assert kb.variables["DISABLE_GROWTHBOOK"].controls == ("growthbook",)
    for name, var in kb.variables.items():
        if var.controls:
            assert var.effect == PROTECTS, name


# --- controls --------------------------------------------------------------------------------------


def test_control_disabled_by_names_exist_and_agree_with_variables(kb: KnowledgeBase) -> None:
    for cname, control in kb.controls.items():
        for var_name in control.disabled_by:
            assert var_name in kb.variables, (cname, var_name)
            assert cname in kb.variables[var_name].controls, (cname, var_name)
    for vname, var in kb.variables.items():
        for cname in var.controls:
            assert cname in kb.controls, (vname, cname)
            assert vname in kb.controls[cname].disabled_by, (vname, cname)


def test_control_settings_and_providers_are_known(kb: KnowledgeBase) -> None:
    for cname, control in kb.controls.items():
        assert control.title and control.recipient and control.source, cname
        assert set(control.off_on_providers) <= PROVIDERS, cname
        for key, _ in control.disabled_by_setting:
            assert key in kb.settings, (cname, key)


def test_third_party_provider_defaults(kb: KnowledgeBase) -> None:
    for name in ("telemetry", "error_reporting", "feedback"):
        assert kb.controls[name].off_on_providers == THIRD_PARTY, name
    for name in ("survey", "webfetch_preflight", "nonessential", "growthbook"):
        assert kb.controls[name].off_on_providers == (), name


def test_survey_control(kb: KnowledgeBase) -> None:
    survey = kb.controls["survey"]
    assert survey.disabled_by == (
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
        "DISABLE_TELEMETRY",
        "DO_NOT_TRACK",
        "CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY",
    )
    assert survey.disabled_by_setting == (("feedbackSurveyRate", 0),)
    assert "6 months" in survey.retention


def test_webfetch_preflight_is_only_disabled_by_its_setting(kb: KnowledgeBase) -> None:
    preflight = kb.controls["webfetch_preflight"]
    assert preflight.disabled_by == ()
    assert preflight.disabled_by_setting == (("skipWebFetchPreflight", True),)
    assert "webfetch_preflight" not in kb.variables["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"].controls


def test_growthbook_feedback_and_error_reporting_controls(kb: KnowledgeBase) -> None:
    assert kb.controls["growthbook"].disabled_by == (
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
        "DISABLE_TELEMETRY",
        "DISABLE_GROWTHBOOK",
    )
    assert kb.controls["feedback"].disabled_by == (
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
        "DISABLE_FEEDBACK_COMMAND",
        "DISABLE_BUG_COMMAND",
    )
    assert kb.controls["feedback"].retention == "/feedback transcripts are kept 5 years"
    assert kb.controls["error_reporting"].disabled_by == (
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC",
        "DISABLE_ERROR_REPORTING",
    )
    assert "datadoghq.com" in kb.controls["telemetry"].recipient
    assert kb.controls["marketplace_autoinstall"].disabled_by == (
        "CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL",
    )


# --- settings --------------------------------------------------------------------------------------


def test_known_top_level_keys_are_schema_plus_docs_only(kb: KnowledgeBase) -> None:
    assert len(SCHEMA_TOP_LEVEL_KEYS) == 142
    assert len(DOCS_ONLY_TOP_LEVEL_KEYS) == 14
    assert kb.known_top_level_keys == SCHEMA_TOP_LEVEL_KEYS | DOCS_ONLY_TOP_LEVEL_KEYS
    assert len(kb.known_top_level_keys) == 156
    raw_keys = _raw("settings.toml")["known_top_level_keys"]
    assert len(raw_keys) == len(set(raw_keys)) == 156
    for key in ("$schema", "env", "forceLoginOrgUUID", "skipWebFetchPreflight", "ultracode"):
        assert key in kb.known_top_level_keys, key


def test_undocumented_keys_stay_unknown(kb: KnowledgeBase) -> None:
    for key in ("allowedTools", "feedbackSurveyState", "ignorePatterns", "DISABLE_TELEMETRY", "mcpServers"):
        assert key not in kb.known_top_level_keys, key
    assert kb.runtime_state_keys == frozenset({"feedbackSurveyState"})


def test_every_setting_entry_is_rooted_in_a_known_top_level_key() -> None:
    raw = _raw("settings.toml")
    known = set(raw["known_top_level_keys"])
    for key in raw["settings"]:
        assert key.split(".")[0] in known, key


def test_settings_types_scopes_categories_are_valid(kb: KnowledgeBase) -> None:
    for key, spec in kb.settings.items():
        assert spec.key == key
        assert spec.type in SETTING_TYPES, key
        assert spec.scope in SCOPES, key
        assert spec.category in SETTING_CATEGORIES, key
        assert spec.summary.strip().endswith("."), key
        assert "[" in spec.source, key
        assert bool(spec.enum) == (spec.type == "enum"), key
        if spec.minimum is not None and spec.maximum is not None:
            assert spec.minimum <= spec.maximum, key
        if spec.type == "any":
            assert spec.unconfirmed, key


def test_managed_only_keys(kb: KnowledgeBase) -> None:
    for key in MANAGED_ONLY_KEYS:
        assert key in kb.settings, key
        assert kb.settings[key].scope == "managed", key
    assert {k for k, s in kb.settings.items() if s.scope == "managed"} == MANAGED_ONLY_KEYS


def test_keys_ignored_in_project_files(kb: KnowledgeBase) -> None:
    assert {k for k, s in kb.settings.items() if s.scope == "user-or-managed"} == USER_OR_MANAGED_KEYS
    assert {k for k, s in kb.settings.items() if s.scope == "user-local-managed"} == USER_LOCAL_MANAGED_KEYS
    assert {k for k, s in kb.settings.items() if s.scope == "global-config"} == GLOBAL_CONFIG_KEYS


def test_login_settings(kb: KnowledgeBase) -> None:
    method = kb.settings["forceLoginMethod"]
    assert (method.type, method.scope, method.enum) == ("enum", "any", ("claudeai", "console", "gateway"))
    org = kb.settings["forceLoginOrgUUID"]
    assert (org.type, org.scope, org.category, org.fails_closed) == ("string-or-array", "any", "login", True)
    assert "only a managed source enforces it" in org.summary
    assert kb.settings["forceLoginGatewayUrl"].scope == "managed"


def test_permission_settings(kb: KnowledgeBase) -> None:
    assert kb.settings["permissions.defaultMode"].enum == (
        "default",
        "acceptEdits",
        "plan",
        "auto",
        "dontAsk",
        "bypassPermissions",
        "manual",
        "delegate",
    )
    assert kb.settings["permissions.disableBypassPermissionsMode"].enum == ("disable",)
    assert kb.settings["disableAutoMode"].enum == ("disable",)


def test_numeric_limits_and_defaults(kb: KnowledgeBase) -> None:
    cleanup = kb.settings["cleanupPeriodDays"]
    assert (cleanup.type, cleanup.minimum, cleanup.maximum, cleanup.default) == ("integer", 1, None, 30)
    assert cleanup.category == "retention"
    rate = kb.settings["feedbackSurveyRate"]
    assert (rate.type, rate.minimum, rate.maximum) == ("number", 0, 1)
    port = kb.settings["sandbox.network.httpProxyPort"]
    assert (port.minimum, port.maximum) == (1, 65535)


def test_fail_closed_keys(kb: KnowledgeBase) -> None:
    assert {k for k, s in kb.settings.items() if s.fails_closed} == {
        "allowedMcpServers",
        "allowManagedHooksOnly",
        "allowManagedMcpServersOnly",
        "disableCommandPluginSources",
        "availableModels",
        "enforceAvailableModels",
        "forceLoginOrgUUID",
        "sandbox.credentials",
    }
    # Reference 3.4: these fail OPEN (dropped) or only strip bad entries.
    for key in ("requiredMinimumVersion", "requiredMaximumVersion", "deniedMcpServers"):
        assert kb.settings[key].fails_closed is False, key


def test_command_settings(kb: KnowledgeBase) -> None:
    commands = {k for k, s in kb.settings.items() if s.type == "command"}
    assert commands == {
        "apiKeyHelper",
        "awsAuthRefresh",
        "awsCredentialExport",
        "gcpAuthRefresh",
        "otelHeadersHelper",
        "processWrapper",
    }


# --- semantics against the real entries ------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "1", "no"])
def test_presence_only_disable_telemetry_is_on_for_any_value(kb: KnowledgeBase, value: str) -> None:
    var = kb.variables["DISABLE_TELEMETRY"]
    r = reading(var, value, ValueKind.LITERAL, True)
    assert (r.state, r.certain) == (Switch.ON, True)
    assert assume_on(var, r) is True


def test_presence_only_note_explains_false_looking_value(kb: KnowledgeBase) -> None:
    r = reading(kb.variables["DISABLE_TELEMETRY"], "0", ValueKind.LITERAL, True)
    assert r.note == 'any non-empty value turns it on, including "0"'


def test_do_not_track_zero_is_off(kb: KnowledgeBase) -> None:
    var = kb.variables["DO_NOT_TRACK"]
    r = reading(var, "0", ValueKind.LITERAL, True)
    assert (r.state, r.certain) == (Switch.OFF, True)
    assert assume_on(var, r) is False
    assert reading(var, "true", ValueKind.LITERAL, True).state is Switch.ON


@pytest.mark.parametrize(
    "name", ["DISABLE_TELEMETRY", "DO_NOT_TRACK", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"]
)
def test_empty_string_is_unset(kb: KnowledgeBase, name: str) -> None:
    r = reading(kb.variables[name], "", ValueKind.LITERAL, True)
    assert r.state is Switch.UNSET
    assert assume_on(kb.variables[name], r) is False


def test_uncertain_readings_resolve_leak_safe(kb: KnowledgeBase) -> None:
    protect = kb.variables["DO_NOT_TRACK"]
    expose = kb.variables["OTEL_LOG_USER_PROMPTS"]
    for var in (protect, expose):
        r = reading(var, "enabled", ValueKind.LITERAL, True)
        assert (r.state, r.certain) == (Switch.UNKNOWN, False)
    assert assume_on(protect, reading(protect, "yes", ValueKind.LITERAL, True)) is False
    assert assume_on(expose, reading(expose, "off", ValueKind.LITERAL, True)) is True


def test_raw_api_bodies_reads_on_for_file_target(kb: KnowledgeBase) -> None:
    var = kb.variables["OTEL_LOG_RAW_API_BODIES"]
    r = reading(var, "file:/tmp/bodies", ValueKind.LITERAL, True)
    assert (r.state, r.certain) == (Switch.ON, True)
