"""Checks that depend on the rule catalogue: rule ids, preset names, organisation rules.

These run on the raw TOML table (guarding every type), next to the pydantic schema check, so
that one validation lists every error in the file at once.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence

from scanner.catalogue.load import ORG_RULE_ID, RuleError, rule_from_table
from scanner.digest import sha256
from scanner.policy.checkspec import Problem, Vocabulary, check_problems
from scanner.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


class Catalogue(NamedTuple):
    builtin_ids: frozenset[str]
    presets: tuple[str, ...]
    vocab: Vocabulary

    def signature(self) -> str:
        """Changes whenever a validation verdict could: part of the policy cache key."""
        data = [
            sorted(self.builtin_ids),
            list(self.presets),
            sorted(self.vocab.controls),
            sorted(self.vocab.params),
            sorted(self.vocab.registered),
            sorted(self.vocab.context_kinds),
        ]
        return sha256(json.dumps(data).encode()).hexdigest()


def current_catalogue(
    builtin_ids: Collection[str] | None = None, presets: Collection[str] | None = None
) -> Catalogue:
    """The catalogue a policy is checked against; pass what the caller already loaded."""
    from scanner.catalogue.load import load_builtin_rules, load_presets
    from scanner.checks import REGISTRY
    from scanner.contexts.model import ContextKind
    from scanner.knowledge import load as load_kb
    from scanner.ruleset import DEFAULT_PARAMS

    vocab = Vocabulary(
        controls=frozenset(load_kb().controls),
        params=frozenset(DEFAULT_PARAMS),
        registered=frozenset(REGISTRY),
        context_kinds=frozenset(k.value for k in ContextKind),
    )
    ids = frozenset(load_builtin_rules() if builtin_ids is None else builtin_ids)
    names = tuple(sorted(load_presets() if presets is None else presets))
    return Catalogue(ids, names, vocab)


# Letters typed for look-alike digits in rule ids: CCP1O1 means CCP101, CCP5l2 means CCP512.
_LOOKALIKE_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})


def _suggest(word: str, known: Collection[str]) -> str:
    import difflib

    if word[:3].upper() == "CCP":
        digits = word[:3] + word[3:].translate(_LOOKALIKE_DIGITS)
        if digits in known:
            return f" (did you mean {digits}?)"
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]}?)" if close else ""


def _unknown_rule(rid: str, known: Collection[str]) -> str:
    return f"unknown rule id {rid!r}{_suggest(rid, known)}"


def _list(table: Mapping[str, Any], key: str) -> list[Any]:
    value = table.get(key, [])
    return value if isinstance(value, list) else []


def organisation_rule_ids(table: Mapping[str, Any]) -> list[tuple[int, str]]:
    return [
        (i, raw["id"])
        for i, raw in enumerate(_list(table, "rules"))
        if isinstance(raw, dict) and isinstance(raw.get("id"), str) and ORG_RULE_ID.match(raw["id"])
    ]


def _rules(table: Mapping[str, Any], catalogue: Catalogue, skip: Collection[int], out: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for i, rid in organisation_rule_ids(table):
        if rid in seen:
            out.append((("rules", i, "id"), f"duplicate rule id {rid!r} (also rules[{seen[rid]}])"))
        seen.setdefault(rid, i)
    for i, raw in enumerate(_list(table, "rules")):
        if not isinstance(raw, dict):
            continue
        if i not in skip:
            try:
                rule_from_table(raw, "policy", builtin=False)
            except RuleError as exc:
                # "policy: KEY: WHY" — the schema catches nearly all of these first.
                _, _, rest = str(exc).partition(": ")
                key, _, why = rest.partition(": ")
                out.append((("rules", i, *key.split(".")), why or rest))
                continue
        check = raw.get("check")
        if isinstance(check, dict):
            problems = check_problems(check, catalogue.vocab)
            out.extend((("rules", i, "check", *path), why) for path, why in problems)


def _rule_refs(table: Mapping[str, Any], known: Collection[str], out: list[Problem]) -> None:
    for key in ("enable", "disable"):
        for i, rid in enumerate(_list(table, key)):
            if isinstance(rid, str) and rid not in known:
                out.append(((key, i), _unknown_rule(rid, known)))
    enabled = {rid for rid in _list(table, "enable") if isinstance(rid, str)}
    for i, rid in enumerate(_list(table, "disable")):
        if isinstance(rid, str) and rid in enabled:
            out.append((("disable", i), f"{rid} is both enabled and disabled"))
    severity = table.get("severity")
    if isinstance(severity, dict):
        for rid in severity:
            if rid not in known:
                out.append((("severity", rid), _unknown_rule(rid, known)))


def _presets(table: Mapping[str, Any], presets: Sequence[str], out: list[Problem]) -> None:
    for i, name in enumerate(_list(table, "extends")):
        if isinstance(name, str) and name not in presets:
            out.append(
                (
                    ("extends", i),
                    f"unknown preset {name!r}{_suggest(name, presets)} (known: {', '.join(presets)})",
                )
            )


def _waivers(table: Mapping[str, Any], known: Collection[str], out: list[Problem]) -> None:
    for i, raw in enumerate(_list(table, "waivers")):
        if not isinstance(raw, dict):
            continue
        rid = raw.get("rule")
        if isinstance(rid, str) and rid.strip() and rid not in known:
            out.append((("waivers", i, "rule"), _unknown_rule(rid, known)))
        if "path" not in raw and "context" not in raw:
            out.append(
                (
                    ("waivers", i),
                    "a waiver needs path, context or both (a waiver for a whole rule is `disable`)",
                )
            )


def reference_problems(
    table: Mapping[str, Any], catalogue: Catalogue, *, skip_rules: Collection[int] = ()
) -> list[Problem]:
    """Problems with what the file refers to.

    `skip_rules`: organisation rules the schema rejected; their checks are still examined.
    """
    out: list[Problem] = []
    known = catalogue.builtin_ids | {rid for _, rid in organisation_rule_ids(table)}
    _presets(table, catalogue.presets, out)
    _rule_refs(table, known, out)
    _waivers(table, known, out)
    _rules(table, catalogue, skip_rules, out)
    return out
