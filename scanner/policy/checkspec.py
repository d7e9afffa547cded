"""Validate an organisation rule's `[check]` table without evaluating it.

The declarative engine (scanner.checks.declarative) raises on a malformed check only when it
runs, mid-scan, as a rule-error notification. An organisation deserves to hear about a typo when
its policy file is validated, with the key that is wrong, so this module knows every key the
condition language accepts and checks names against the knowledge base, the parameters and the
registered checks.
"""

from __future__ import annotations

import datetime
import re
import string
from collections.abc import Collection, Mapping

from scanner import regexcache
from scanner.contexts.resolve import PROVIDER_BASE_URLS
from scanner.policy.locate import KeyPath
from scanner.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

Problem = tuple[KeyPath, str]

CONDITION_FIELDS: dict[str, frozenset[str]] = {
    "control": frozenset({"control", "state"}),
    "env": frozenset({"env", "state", "value_matches", "url_host_not_in", "url_scheme_not"}),
    "setting": frozenset(
        {
            "setting",
            "state",
            "equals",
            "not_equals",
            "greater_than",
            "less_than",
            "in",
            "not_in",
            "default",
            "set_in",
        }
    ),
    "provider": frozenset({"provider_in", "provider_not_in"}),
}
STATES: dict[str, tuple[str, ...]] = {
    "control": ("enabled", "disabled"),
    "env": ("on", "off", "set", "unset", "unknown"),
    "setting": ("set", "unset"),
}
DECLARATIVE_KEYS = frozenset({"when", "contexts", "message", "messages"})
PROVIDERS = tuple(PROVIDER_BASE_URLS)


class Vocabulary(NamedTuple):
    """The names a check may refer to."""

    controls: frozenset[str]
    params: frozenset[str]
    registered: frozenset[str]
    context_kinds: frozenset[str]


def _kind_of(cond: Mapping[str, Any]) -> list[str]:
    kinds = []
    for kind in ("control", "env", "setting"):
        if kind in cond:
            kinds.append(kind)
    if "provider_in" in cond or "provider_not_in" in cond:
        kinds.append("provider")
    return kinds


def _json_like(value: Any, path: KeyPath, out: list[Problem]) -> None:
    if isinstance(value, (datetime.date, datetime.time)):
        out.append((path, "dates and times are not allowed in a check"))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _json_like(item, (*path, i), out)
    elif isinstance(value, dict):
        for key, item in value.items():
            _json_like(item, (*path, key), out)


def _template(value: Any, path: KeyPath, out: list[Problem]) -> None:
    if not isinstance(value, str) or not value.strip():
        out.append((path, "expected a non-empty string"))
        return
    try:
        list(string.Formatter().parse(value))
    except ValueError as exc:
        out.append((path, f"not a valid message template ({exc}); write {{{{ and }}}} for literal braces"))


def _param_or(value: Any, path: KeyPath, vocab: Vocabulary, out: list[Problem], expected: str) -> bool:
    """True when `value` is a "param:NAME" reference (checked here), False to check it as a literal."""
    if isinstance(value, str) and value.startswith("param:"):
        if value[6:] not in vocab.params:
            out.append((path, f"unknown parameter {value[6:]!r} (known: {', '.join(sorted(vocab.params))})"))
        return True
    if isinstance(value, str) and expected != "string":
        out.append((path, f'expected {expected} or "param:NAME"'))
        return True
    return False


def _strings(value: Any, path: KeyPath, out: list[Problem], allowed: Collection[str] | None = None) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        out.append((path, "expected an array of strings"))
        return
    if allowed is not None:
        for i, item in enumerate(value):
            if item not in allowed:
                expected = ", ".join(sorted(allowed))
                out.append(((*path, i), f"unknown value {item!r} (expected one of: {expected})"))


def _state(kind: str, cond: Mapping[str, Any], path: KeyPath, out: list[Problem]) -> None:
    if "state" in cond and cond["state"] not in STATES[kind]:
        out.append(((*path, "state"), f"expected one of: {', '.join(STATES[kind])}"))


def _condition(cond: Any, path: KeyPath, vocab: Vocabulary, out: list[Problem]) -> None:
    if not isinstance(cond, dict):
        out.append((path, 'a condition must be a table, e.g. { control = "telemetry", state = "enabled" }'))
        return
    kinds = _kind_of(cond)
    if not kinds:
        out.append((path, "a condition needs one of: control, env, setting, provider_in, provider_not_in"))
        return
    if len(kinds) > 1:
        out.append((path, f"one condition per table: this one combines {' and '.join(kinds)}"))
        return
    kind = kinds[0]
    for key in sorted(set(cond) - CONDITION_FIELDS[kind]):
        allowed = ", ".join(sorted(CONDITION_FIELDS[kind]))
        out.append(((*path, key), f"unknown key in a {kind} condition (expected one of: {allowed})"))
    if kind == "provider":
        _provider(cond, path, vocab, out)
        return
    subject = cond[kind]
    if not isinstance(subject, str) or not subject.strip():
        out.append(((*path, kind), "expected a non-empty string"))
    elif kind == "control" and subject not in vocab.controls:
        known = ", ".join(sorted(vocab.controls))
        out.append(((*path, kind), f"unknown control {subject!r} (known: {known})"))
    _state(kind, cond, path, out)
    if kind == "env":
        _env(cond, path, vocab, out)
    elif kind == "setting":
        _setting(cond, path, vocab, out)


def _provider(cond: Mapping[str, Any], path: KeyPath, vocab: Vocabulary, out: list[Problem]) -> None:
    if "provider_in" in cond and "provider_not_in" in cond:
        out.append((path, "use provider_in or provider_not_in, not both"))
        return
    key = "provider_in" if "provider_in" in cond else "provider_not_in"
    if not _param_or(cond[key], (*path, key), vocab, out, "an array of provider names"):
        _strings(cond[key], (*path, key), out, PROVIDERS)


def _env(cond: Mapping[str, Any], path: KeyPath, vocab: Vocabulary, out: list[Problem]) -> None:
    if "value_matches" in cond:
        pattern = cond["value_matches"]
        if not isinstance(pattern, str):
            out.append(((*path, "value_matches"), "expected a regular expression string"))
        else:
            try:
                regexcache.compile(pattern)
            except re.error as exc:
                out.append(((*path, "value_matches"), f"not a valid regular expression: {exc}"))
    if "url_host_not_in" in cond:
        hosts = cond["url_host_not_in"]
        if not _param_or(hosts, (*path, "url_host_not_in"), vocab, out, "an array of host names"):
            _strings(hosts, (*path, "url_host_not_in"), out)
    if "url_scheme_not" in cond:
        scheme = cond["url_scheme_not"]
        if not isinstance(scheme, str) or not re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme):
            out.append(((*path, "url_scheme_not"), 'expected a lower-case URL scheme such as "https"'))


def _setting(cond: Mapping[str, Any], path: KeyPath, vocab: Vocabulary, out: list[Problem]) -> None:
    for op in ("greater_than", "less_than"):
        if op in cond:
            value = cond[op]
            if not _param_or(value, (*path, op), vocab, out, "a number") and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                out.append(((*path, op), 'expected a number or "param:NAME"'))
    for op in ("in", "not_in"):
        if (
            op in cond
            and not _param_or(cond[op], (*path, op), vocab, out, "an array")
            and not isinstance(cond[op], list)
        ):
            out.append(((*path, op), 'expected an array or "param:NAME"'))
    for op in ("equals", "not_equals"):
        if op in cond:
            _param_or(cond[op], (*path, op), vocab, out, "string")
    if "set_in" in cond and cond["set_in"] not in ("managed", "not-managed"):
        out.append(((*path, "set_in"), "expected one of: managed, not-managed"))


def check_problems(check: Mapping[str, Any], vocab: Vocabulary) -> list[Problem]:
    """Every problem in a `[check]` table, as (key path relative to the check, message)."""
    out: list[Problem] = []
    _json_like(dict(check), (), out)
    if "registered" in check:
        for key in sorted(set(check) - {"registered"}):
            out.append(((key,), "a registered check takes no other keys"))
        name = check["registered"]
        if not isinstance(name, str) or name not in vocab.registered:
            out.append(
                (
                    ("registered",),
                    f"unknown registered check {name!r} (known: {', '.join(sorted(vocab.registered))})",
                )
            )
        return out
    expected = ", ".join(sorted({*DECLARATIVE_KEYS, "registered"}))
    for key in sorted(set(check) - DECLARATIVE_KEYS):
        out.append(((key,), f"unknown key (expected one of: {expected})"))
    when = check.get("when")
    if when is None:
        out.append(
            (
                ("when",),
                "field required: a list of conditions, e.g. "
                'when = [{ env = "ANTHROPIC_BASE_URL", state = "set" }]',
            )
        )
    elif not isinstance(when, list) or not when:
        out.append((("when",), "expected a non-empty array of conditions"))
    else:
        for i, cond in enumerate(when):
            _condition(cond, ("when", i), vocab, out)
    if "contexts" in check:
        _strings(check["contexts"], ("contexts",), out, vocab.context_kinds)
    if "message" in check:
        _template(check["message"], ("message",), out)
    messages = check.get("messages")
    if messages is not None:
        if not isinstance(messages, dict):
            out.append((("messages",), "expected a table of context kind = message"))
        else:
            for kind, text in messages.items():
                if kind not in vocab.context_kinds:
                    out.append(
                        (
                            ("messages", kind),
                            f"unknown context kind (expected one of: "
                            f"{', '.join(sorted(vocab.context_kinds))})",
                        )
                    )
                _template(text, ("messages", kind), out)
    return out
