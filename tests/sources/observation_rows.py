"""Observations as comparable rows, for the source tests: every field a finding's location depends on."""

from __future__ import annotations

from scanner.model import JSONValue, ParsedFile, ValueKind

L = ValueKind.LITERAL
R = ValueKind.REFERENCE
D = ValueKind.DYNAMIC

Row = tuple[str, str, JSONValue, ValueKind, str, tuple[str, ...], int, int, "int | None", "int | None"]


def rows(parsed: ParsedFile) -> list[Row]:
    return [
        (
            o.kind.value,
            o.name,
            o.value,
            o.value_kind,
            o.scope,
            o.group,
            o.location.line,
            o.location.column,
            o.location.end_line,
            o.location.end_column,
        )
        for o in parsed.observations
    ]
