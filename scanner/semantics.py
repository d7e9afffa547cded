"""How Claude Code reads a variable's value (reference/claude-code.md 2.1).

- Presence-only switches are on for any non-empty value, including "0" and "false".
- Standard booleans are on for 1/true and off for 0/false, in any casing.
- `yes`/`on`/`no`/`off` come only from a third-party reconstruction of the parser
  [UNCONFIRMED]; anything else is not recognised.
- "" counts as unset.

Where the reading is unconfirmed, `reading()` returns a state marked `certain=False`, and
callers choose the reading that cannot hide a leak (see `assume_on`).
"""

from __future__ import annotations

import enum

from scanner.knowledge import BOOLEAN, EXPOSES, NUMBER, PRESENCE, PROTECTS, Variable
from scanner.model import JSONValue, ValueKind
from scanner.records import NamedTuple

DOCUMENTED_TRUE = frozenset({"1", "true"})
DOCUMENTED_FALSE = frozenset({"0", "false"})
UNCONFIRMED_TRUE = frozenset({"yes", "on"})
UNCONFIRMED_FALSE = frozenset({"no", "off"})
FALSE_LOOKING = DOCUMENTED_FALSE | UNCONFIRMED_FALSE


class Switch(enum.Enum):
    ON = "on"
    OFF = "off"
    UNSET = "unset"
    UNKNOWN = "unknown"  # a reference, a dynamic value, or a value the parser may not recognise


class Reading(NamedTuple):
    state: Switch
    certain: bool
    note: str = ""  # why, in words a user can act on


def as_env_string(value: JSONValue, value_kind: ValueKind) -> str | None:
    """The string Claude Code puts in its environment, where the scanner can know it.

    JSON booleans and numbers in a settings `env` are [UNCONFIRMED] at runtime; the
    reconstructed parser stringifies them, so `1` reads like "1" and `true` like "true".
    """
    if value_kind in (ValueKind.REFERENCE, ValueKind.DYNAMIC):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    return None


def reading(var: Variable | None, value: JSONValue, value_kind: ValueKind, is_set: bool) -> Reading:
    """What a variable's value means to Claude Code."""
    if not is_set:
        return Reading(Switch.UNSET, True)
    text = as_env_string(value, value_kind)
    if text is None:
        what = (
            "a reference resolved at run time"
            if value_kind is ValueKind.REFERENCE
            else "computed at run time"
        )
        return Reading(Switch.UNKNOWN, False, f"the value is {what}")
    if text == "":
        return Reading(Switch.UNSET, True, '"" counts as unset')
    if value_kind is ValueKind.NON_STRING:
        # Settings `env` values must be strings; how Claude Code treats a JSON number or boolean
        # is [UNCONFIRMED] (reference 2.1), so no reading of it is certain.
        inner = reading(var, text, ValueKind.LITERAL, True)
        note = (
            f"a JSON {type(value).__name__} where Claude Code expects a string; its handling is unconfirmed"
        )
        return Reading(inner.state, False, note)
    value_class = var.value_class if var is not None else BOOLEAN
    if value_class == PRESENCE:
        note = ""
        if text.strip().lower() in FALSE_LOOKING:
            note = f'any non-empty value turns it on, including "{text}"'
        return Reading(Switch.ON, True, note)
    if value_class == BOOLEAN:
        low = text.strip().lower()
        if low in DOCUMENTED_TRUE:
            return Reading(Switch.ON, True)
        if low in DOCUMENTED_FALSE:
            return Reading(Switch.OFF, True)
        if low in UNCONFIRMED_TRUE:
            return Reading(
                Switch.ON, False, f'"{text}" is not a documented value (only 1/true and 0/false are)'
            )
        if low in UNCONFIRMED_FALSE:
            return Reading(
                Switch.OFF, False, f'"{text}" is not a documented value (only 1/true and 0/false are)'
            )
        return Reading(Switch.UNKNOWN, False, f'"{text}" is neither 1/true nor 0/false')
    if value_class == NUMBER:
        try:
            return Reading(Switch.OFF if float(text) == 0 else Switch.ON, True)
        except ValueError:
            return Reading(Switch.UNKNOWN, False, f'"{text}" is not a number')
    # string, URL, path...: any non-empty value is "set"
    return Reading(Switch.ON, True)


def assume_on(var: Variable | None, r: Reading) -> bool:
    """The leak-safe answer to "is this switch on?".

    For a protecting switch (DISABLE_*), an uncertain reading counts as off: we never assume
    a protection we cannot prove. For an exposing switch (OTEL_LOG_*), an uncertain reading
    counts as on: we never assume a leak is closed when it may be open.
    """
    if r.certain or r.state is Switch.UNSET:
        return r.state is Switch.ON
    effect = var.effect if var is not None else PROTECTS
    if effect == EXPOSES:
        return True
    if effect == PROTECTS:
        return False
    return r.state is Switch.ON
