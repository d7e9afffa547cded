"""Checks that need code (registered by name); everything else is declarative (checks.declarative).

An explicit registry: a rule's `check.registered = "<name>"` must name an entry here. Entries are
"module:function" and are imported only when a rule that uses them runs, so a scan pays only for
the checks it needs (the history checks, for example, only in a history scan).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from scanner.catalogue.model import Rule
from scanner.checks.base import Check

_ENTRIES: dict[str, str] = {
    "misleading-switch-value": "misleading:check",
    "near-miss-variable-name": "near_miss:check",
    "privacy-variable-blanked": "blanked:check",
    "literal-anthropic-credential": "credentials:check",
    "settings-file-rejected": "settings_files:rejected_file",
    "invalid-setting-value": "settings_files:invalid_value",
    "local-settings-committed": "settings_files:committed_local",
    "literal-cloud-credential": "cloud_credentials:check",
    "stale-managed-path": "managed_paths:check",
    "managed-only-key-outside-managed": "scoped_keys:check",
    "unknown-settings-key": "unknown_keys:check",
    "project-redirects-api-traffic": "egress:check",
    "project-runs-credential-helper": "helpers:check",
    "hooks-send-data": "hooks:check",
    "mcp-servers-auto-approved": "mcp:check",
    "permission-bypass-allowed": "permissions:check",
    "otel-exports-content": "otel:exports_content",
    "otel-collector-not-approved": "otel:collector_not_approved",
    "local-retention-too-long": "retention:local_retention_too_long",
    "login-not-pinned": "login:login_not_pinned",
    "pinned-org-not-approved": "login:pinned_org_not_approved",
    "ineffective-login-control": "login:ineffective_login_control",
    "credential-bypasses-org-pin": "login:credential_bypasses_org_pin",
    "provider-not-approved": "routing:provider_not_approved",
    "gateway-not-approved": "routing:gateway_not_approved",
    "oauth-login-outside-approved-org": "host_login:check",
    "literal-credential-in-history": "history:literal_credential_in_history",
    "protection-removed-in-history": "history:protection_removed_in_history",
}


# Checks that read a repository's history (scanner.history_scan): other scans skip them unrun.
SECRETS_CHECK = "literal-credential-in-history"
PROTECTIONS_CHECK = "protection-removed-in-history"
HISTORY_CHECKS = frozenset({SECRETS_CHECK, PROTECTIONS_CHECK})


def reads_history(rule: Rule) -> bool:
    return rule.check.get("registered") in HISTORY_CHECKS


class _Registry(Mapping[str, Check]):
    """name -> check function, importing the check's module on first use."""

    def __init__(self, entries: Mapping[str, str]) -> None:
        self._entries = dict(entries)
        self._loaded: dict[str, Check] = {}

    def __getitem__(self, name: str) -> Check:
        check = self._loaded.get(name)
        if check is None:
            module, _, function = self._entries[name].partition(":")
            check = getattr(importlib.import_module(f"scanner.checks.{module}"), function)
            self._loaded[name] = check
        return check

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries


REGISTRY: Mapping[str, Check] = _Registry(_ENTRIES)
