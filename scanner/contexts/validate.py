"""Is a settings value one Claude Code accepts, and is the key honoured in this scope?

Driven entirely by the knowledge base (scanner/knowledge/settings.toml).
"""

from __future__ import annotations

from scanner.contexts.model import LayerKind
from scanner.knowledge import KnowledgeBase
from scanner.model import JSONValue

_NON_MANAGED = frozenset({LayerKind.CLI, LayerKind.LOCAL, LayerKind.PROJECT, LayerKind.USER})


def scope_ignores(kb: KnowledgeBase, key: str, layer: LayerKind) -> bool:
    """True when Claude Code ignores `key` in a layer of this kind (reference 3.2)."""
    spec = kb.settings.get(key)
    if spec is None:
        return False
    if spec.scope == "managed":
        return layer in _NON_MANAGED
    if spec.scope == "user-or-managed":
        return layer in (LayerKind.PROJECT, LayerKind.LOCAL, LayerKind.CLI)
    if spec.scope == "user-local-managed":
        return layer is LayerKind.PROJECT
    return spec.scope == "global-config"


def _type_name(value: JSONValue) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def describe_type(value: JSONValue) -> str:
    return _type_name(value)


def validate_setting(kb: KnowledgeBase, key: str, value: JSONValue) -> str | None:
    """Why Claude Code would skip this value, or None when it is acceptable or unknown."""
    spec = kb.settings.get(key)
    if spec is None:
        return None
    t = spec.type
    got = _type_name(value)
    if t == "boolean" and not isinstance(value, bool):
        return f"{key} must be true or false, not {got}"
    if t in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{key} must be a number, not {got}"
        if t == "integer" and isinstance(value, float) and not value.is_integer():
            return f"{key} must be a whole number"
        if spec.minimum is not None and value < spec.minimum:
            return f"{key} must be at least {spec.minimum:g}"
        if spec.maximum is not None and value > spec.maximum:
            return f"{key} must be at most {spec.maximum:g}"
    if t in ("string", "command") and not isinstance(value, str):
        return f"{key} must be a string, not {got}"
    if t == "enum" and (not isinstance(value, str) or (spec.enum and value not in spec.enum)):
        allowed = ", ".join(f'"{v}"' for v in spec.enum)
        shown = f'"{value}"' if isinstance(value, str) else got
        return f"{key} must be one of {allowed}, not {shown}"
    if t == "string-or-array":
        ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        if not ok:
            return f"{key} must be a string or an array of strings, not {got}"
    if t == "array" and not isinstance(value, list):
        return f"{key} must be an array, not {got}"
    if t == "object" and not isinstance(value, dict):
        return f"{key} must be an object, not {got}"
    return None
