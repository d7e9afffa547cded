"""Load rules from TOML: the built-in catalogue in `rules/` and an organisation's own rules.

Built-in rules and organisation rules use the same format (see README "Writing your own rules"),
so anything the built-ins can say, an organisation can say.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.model import Severity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

RULE_ID = regexcache.compile(r"^CCP[1-9]\d{2}$")
ORG_RULE_ID = regexcache.compile(r"^[A-Z][A-Z0-9]{1,15}-[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
RULE_NAME = regexcache.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
DOC_SECTIONS = ("what", "why", "example", "use_instead", "fix")
TOP_LEVEL_FIELDS = frozenset(
    {"id", "name", "severity", "title", "tags", "precision", "references", "docs", "check"}
)
DOC_FIELDS = frozenset({*DOC_SECTIONS, "unconfirmed"})


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the key."""


def rules_dir() -> Path:
    """The built-in rules: scanner/builtin_rules when installed, rules/ in a source checkout.

    A path, not importlib.resources: that import costs the pre-commit path ~10 ms, and ccpolicy
    is never run from a zip file.
    """
    package = Path(__file__).resolve().parents[1]
    installed = package / "builtin_rules"
    return installed if installed.is_dir() else package.parent / "rules"


def rule_from_table(table: Mapping[str, Any], origin: str, *, builtin: bool) -> Rule:
    def fail(key: str, why: str) -> RuleError:
        return RuleError(f"{origin}: {key}: {why}")

    unknown = sorted(set(table) - TOP_LEVEL_FIELDS)
    if unknown:
        raise fail(unknown[0], f"unknown key (expected one of {', '.join(sorted(TOP_LEVEL_FIELDS))})")
    rid = table.get("id")
    pattern = RULE_ID if builtin else ORG_RULE_ID
    if not isinstance(rid, str) or not pattern.match(rid):
        expected = "CCPnnn" if builtin else "an organisation prefix and a name, e.g. ACME-no-proxy"
        raise fail("id", f"{rid!r} is not a valid rule id ({expected})")
    name = table.get("name")
    if not isinstance(name, str) or not RULE_NAME.match(name):
        raise fail("name", "must be kebab-case, e.g. telemetry-not-disabled")
    try:
        severity = Severity.parse(str(table.get("severity", "")))
    except ValueError as exc:
        raise fail("severity", str(exc)) from None
    title = table.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail("title", "required")
    docs = table.get("docs", {})
    if not isinstance(docs, dict):
        raise fail("docs", "must be a table")
    unknown_docs = sorted(set(docs) - DOC_FIELDS)
    if unknown_docs:
        raise fail(f"docs.{unknown_docs[0]}", "unknown key")
    for section in DOC_SECTIONS:
        if builtin and not str(docs.get(section, "")).strip():
            raise fail(f"docs.{section}", "required for built-in rules")
    check = table.get("check")
    if not isinstance(check, dict):
        raise fail("check", "required table")
    precision = table.get("precision", "high")
    if precision not in ("very-high", "high", "medium", "low"):
        raise fail("precision", "must be very-high, high, medium or low")
    return Rule(
        id=rid,
        name=name,
        severity=severity,
        title=title.strip(),
        what=str(docs.get("what", title)).strip(),
        why=str(docs.get("why", "")).strip(),
        example=str(docs.get("example", "")).strip("\n"),
        use_instead=str(docs.get("use_instead", "")).strip("\n"),
        fix=str(docs.get("fix", "")).strip(),
        references=tuple(str(r) for r in table.get("references", ())),
        tags=tuple(str(t) for t in table.get("tags", ())),
        precision=precision,
        unconfirmed=str(docs.get("unconfirmed", "")).strip(),
        check=check,
        origin="builtin" if builtin else origin,
    )


def _rule_files() -> Iterator[Path]:
    for entry in rules_dir().iterdir():
        if entry.name.startswith("CCP") and entry.name.endswith(".toml"):
            yield entry


def _text_bytes(entry: Path) -> bytes:
    """The file as text mode reads it (universal newlines), as bytes for the cache's digest."""
    return entry.read_text(encoding="utf-8").encode("utf-8")


def load_builtin_rules() -> dict[str, Rule]:
    # Parsed through scanner.tomlcache: the same tables tomllib gives, read from JSON when cached.
    from scanner import tomlcache

    entries = sorted(_rule_files(), key=lambda e: e.name)
    tables = tomlcache.load([(f"rules/{entry.name}", _text_bytes(entry)) for entry in entries])
    rules: dict[str, Rule] = {}
    for entry, table in zip(entries, tables, strict=True):
        rule = rule_from_table(table, f"rules/{entry.name}", builtin=True)
        if entry.name != f"{rule.id}.toml":
            raise RuleError(f"rules/{entry.name}: id: {rule.id} must live in rules/{rule.id}.toml")
        rules[rule.id] = rule
    return rules


def load_presets() -> dict[str, dict[str, Any]]:
    from scanner import tomlcache

    table = tomlcache.load([("rules/presets.toml", _text_bytes(rules_dir().joinpath("presets.toml")))])[0]
    presets = table.get("presets", {})
    return dict(presets) if isinstance(presets, dict) else {}


def preset_rule_ids(name: str, presets: Mapping[str, Mapping[str, Any]], all_ids: frozenset[str]) -> set[str]:
    """The rule ids a preset enables, following `extends`; "*" means every built-in rule."""
    seen: set[str] = set()

    def walk(preset: str) -> set[str]:
        if preset in seen:
            return set()
        seen.add(preset)
        spec = presets.get(preset)
        if spec is None:
            raise RuleError(f"unknown preset {preset!r} (known: {', '.join(sorted(presets))})")
        ids: set[str] = set()
        for parent in spec.get("extends", ()):
            ids |= walk(str(parent))
        for rid in spec.get("rules", ()):
            ids |= set(all_ids) if rid == "*" else {str(rid)}
        return ids

    return walk(name)
