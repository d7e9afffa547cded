"""Checks that need code (registered by name); everything else is declarative (checks.declarative).

An explicit registry: a rule's `check.registered = "<name>"` must name an entry here.
"""

from __future__ import annotations

from scanner.checks import blanked, credentials, misleading, near_miss, settings_files
from scanner.checks.base import Check

REGISTRY: dict[str, Check] = {
    "misleading-switch-value": misleading.check,
    "near-miss-variable-name": near_miss.check,
    "privacy-variable-blanked": blanked.check,
    "literal-anthropic-credential": credentials.check,
    "settings-file-rejected": settings_files.rejected_file,
    "invalid-setting-value": settings_files.invalid_value,
    "local-settings-committed": settings_files.committed_local,
}
