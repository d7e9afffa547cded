"""CCP504: managed settings at the legacy Windows `C:\\ProgramData\\ClaudeCode\\` location.

Claude Code read `ProgramData` first, preferred `Program Files` from v2.0.58, deprecated ProgramData
in v2.1.2 and stopped reading it in v2.1.75 (reference 1.1). A policy file (or drop-in) left there
is a stale policy with no effect. The path is matched at any depth and in any letter case, so a
repository copy (`deploy/ProgramData/ClaudeCode/managed-settings.json`) and a host path
(`C:/ProgramData/...`, a mounted `--root`) are both found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.model import FileKind, Finding, Location, ObservationKind, ParsedFile

LEGACY_MANAGED_PATH = regexcache.compile(
    r"(?:^|/)ProgramData/ClaudeCode/(?P<rest>managed-settings\.json|managed-settings\.d/[^/]+\.json)$",
    re.I,
)
_CURRENT = {
    FileKind.SETTINGS_MANAGED: r"C:\Program Files\ClaudeCode\managed-settings.json",
    FileKind.SETTINGS_MANAGED_DROPIN: r"C:\Program Files\ClaudeCode\managed-settings.d",
}
_SHOWN_KEYS = 6


def legacy_managed_path(path: str) -> bool:
    return LEGACY_MANAGED_PATH.search(path.replace("\\", "/")) is not None


def _top_level_keys(parsed: ParsedFile) -> list[str]:
    return list(
        dict.fromkeys(
            o.name for o in parsed.observations if o.kind is ObservationKind.SETTING and "." not in o.name
        )
    )


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    for parsed in scan.files:
        if parsed.kind not in _CURRENT or not legacy_managed_path(parsed.path):
            continue
        dropin = parsed.kind is FileKind.SETTINGS_MANAGED_DROPIN
        what = "managed settings drop-in" if dropin else "managed settings file"
        keys = _top_level_keys(parsed)
        if keys:
            more = len(keys) - _SHOWN_KEYS
            names = ", ".join(keys[:_SHOWN_KEYS]) + (f" and {more} more" if more > 0 else "")
            lost = f"none of its policy keys ({names}) apply"
        else:
            lost = "nothing in it applies"
        yield finding(
            rule,
            f"This {what} is at the legacy Windows location C:\\ProgramData\\ClaudeCode\\, which Claude "
            f"Code stopped reading in v2.1.75: {lost}. Move it to {_CURRENT[parsed.kind]} and remove the old "
            "copy.",
            Location(parsed.path, 1, 1),
            key="file",
        )
