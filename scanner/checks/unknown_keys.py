"""CCP506: a settings key Claude Code does not know, with where it belongs or the closest known key.

Judged in every settings file (user, project, local, managed, drop-in, server cache, inert copies):
- a top-level key not in the knowledge base's known keys. When its name is a setting that lives
  inside `permissions` or `sandbox` (`defaultMode`, `autoAllowBashIfSandboxed`), the message says
  where it belongs; otherwise it suggests the closest known key, if one is close;
- a key nested under `permissions` that is not a permissions setting; when it is a top-level key
  (`allowManagedPermissionRulesOnly`), the message says it belongs at the top level.

A legacy top-level key (`allowedTools`, now `permissions.allow`) is named as such.

Not judged: `$schema`, runtime state Claude Code writes itself (`feedbackSurveyState`), and
pseudo-comment keys (`_comment`, `//`, `#note`, `$comment`): no Claude Code key starts that way, so
they cannot be a typo, and the top level accepts unknown keys. A pseudo-comment that is a real key
behind the prefix (`_env`, `//hooks`) is reported, because it reads like a control that is off.

Findings about a misplaced or mistyped control (a key whose knowledge-base category is not
"other") are raised to medium: a policy lock that silently does not apply matters more than a
cosmetic typo.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.near_miss import distance
from scanner.checks.scoped_keys import SETTINGS_FILE_KINDS
from scanner.knowledge import KnowledgeBase
from scanner.model import Finding, Observation, ObservationKind, Severity

IGNORED_KEYS = frozenset({"$schema"})
PSEUDO_COMMENT_PREFIXES = ("//", "_", "#", "$")
# Objects whose members a misplaced top-level key is matched against (the last path segment).
NESTING_PARENTS = ("permissions", "sandbox", "sandbox.network", "sandbox.filesystem")
CLOSED_OBJECTS = ("permissions",)  # every member is in the knowledge base
# Top-level keys of early Claude Code releases, replaced by a key inside an object [3P: seen in dotfiles].
LEGACY_KEYS = {"allowedTools": "permissions.allow"}


def _strip_comment_prefix(key: str) -> str | None:
    for prefix in PSEUDO_COMMENT_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :].lstrip("_/# ")
    return None


def nested_home(kb: KnowledgeBase, key: str) -> str | None:
    """The object a top-level key belongs in (`defaultMode` -> `permissions`), if exactly one."""
    homes = [parent for parent in NESTING_PARENTS if f"{parent}.{key}" in kb.settings]
    return homes[0] if len(homes) == 1 else None


def closest_key(key: str, known: list[str]) -> str | None:
    """The known key a typo most likely meant: an edit or two away, else difflib's best close match."""
    import difflib

    low = key.lower()
    limit = 1 if len(key) <= 8 else 2
    best: tuple[int, str] | None = None
    for cand in known:
        d = distance(low, cand.lower(), limit)
        if d <= limit and (best is None or (d, cand) < best):
            best = (d, cand)
    if best is not None:
        return best[1]
    lowered = {k.lower(): k for k in known}
    matches = difflib.get_close_matches(low, list(lowered), n=1, cutoff=0.8)
    return lowered[matches[0]] if matches else None


def _is_control(kb: KnowledgeBase, key: str) -> bool:
    spec = kb.settings.get(key)
    return spec is not None and spec.category != "other"


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    kb = scan.kb
    known = sorted(k for k in kb.known_top_level_keys if not k.startswith("$"))
    for parsed in scan.files:
        if parsed.kind not in SETTINGS_FILE_KINDS:
            continue
        for obs in parsed.observations:
            if obs.kind is not ObservationKind.SETTING:
                continue
            judged = _judge(kb, known, obs)
            if judged is None:
                continue
            message, intended = judged
            f = finding(rule, message, obs.location, key=obs.name)
            if intended is not None and _is_control(kb, intended) and f.severity < Severity.MEDIUM:
                f = f._replace(severity=Severity.MEDIUM)
            yield f


def _judge(kb: KnowledgeBase, known: list[str], obs: Observation) -> tuple[str, str | None] | None:
    """(message, the key it was meant to be) for an unknown or misplaced key, else None."""
    name = obs.name
    if "." in name:
        parent, _, child = name.rpartition(".")
        if parent not in CLOSED_OBJECTS or name in kb.settings:
            return None
        if child in kb.known_top_level_keys:
            return (
                f'"{child}" is not a {parent} setting, so Claude Code ignores it under "{parent}"; it is a '
                "top-level key and belongs at the top level of the file.",
                child,
            )
        members = sorted(k.rpartition(".")[2] for k in kb.settings if k.startswith(parent + "."))
        suggestion = closest_key(child, members)
        hint = f'; did you mean "{parent}.{suggestion}"?' if suggestion else "."
        return (
            f'"{name}" is not a {parent} setting Claude Code knows, so it has no effect{hint}',
            f"{parent}.{suggestion}" if suggestion else None,
        )
    if name in kb.known_top_level_keys or name in IGNORED_KEYS or name in kb.runtime_state_keys:
        return None
    behind = _strip_comment_prefix(name)
    if behind is not None:
        if behind in kb.known_top_level_keys and behind not in IGNORED_KEYS:
            return (
                f'"{name}" looks like a commented-out "{behind}": Claude Code ignores it, so nothing in it '
                "applies.",
                None,
            )
        return None
    legacy = LEGACY_KEYS.get(name)
    if legacy is not None:
        return (
            f'"{name}" is the legacy name of "{legacy}": Claude Code ignores it at the top level, so nothing '
            "in it applies.",
            legacy,
        )
    home = nested_home(kb, name)
    if home is not None:
        return (
            f'"{name}" is not a top-level setting, so Claude Code ignores it here; it belongs under "{home}" '
            f'("{home}.{name}").',
            f"{home}.{name}",
        )
    suggestion = closest_key(name, known)
    if suggestion is not None:
        return (
            f'"{name}" is not a Claude Code setting, so it has no effect; did you mean "{suggestion}"?',
            suggestion,
        )
    return (f'"{name}" is not a Claude Code setting ccpolicy knows, so Claude Code ignores it.', None)
