"""Claude Code settings files: user, project, local, managed (file and drop-ins), the server-managed
cache, and inert copies (examples, templates) that Claude Code never reads.

Every object key at every depth (not inside arrays) becomes a SETTING observation named by its dotted
path; the top-level `env` object's members become ENV observations instead (the `env` key itself is
still a SETTING so rules can point at it). Settings `env` values are never expanded by Claude Code,
so `"$VAR"` there is a LITERAL; non-string JSON values are NON_STRING.

Facts (plain data, see `json_file_facts`):
    "strict_errors": [{"kind", "line", "column", "message"}, ...] - what a strict JSON parser
        objects to (comments, trailing commas, duplicate keys, syntax, depth). Duplicate keys do
        not make `JSON.parse` fail; every other kind does, which is why Claude Code rejects a
        user/project/local file that has one.
    "valid_json": True when `JSON.parse` would accept the text (duplicate keys allowed).
    "parse_failed": True when even the tolerant parse stopped (partial observations only).

Comments, trailing commas and duplicate keys give no notification: the file is read tolerantly and
the rules judge `strict_errors`. A tolerant-parse failure gives a "parse-error" notification plus
whatever observations were complete before the error; a non-object document gives an
"invalid-settings" notification and no observations.
"""

from __future__ import annotations

from scanner.model import (
    FileKind,
    JSONValue,
    Location,
    Notification,
    Observation,
    ObservationKind,
    ParsedFile,
    ValueKind,
)
from scanner.sources.jsonloc import JsonDoc, JsonPath, parse_json

__all__ = [
    "SETTINGS_KINDS",
    "json_file_facts",
    "located",
    "parse",
    "parse_error_notification",
    "settings_observations",
    "shape_name",
]

SETTINGS_KINDS = frozenset(
    {
        FileKind.SETTINGS_USER,
        FileKind.SETTINGS_PROJECT,
        FileKind.SETTINGS_LOCAL,
        FileKind.SETTINGS_MANAGED,
        FileKind.SETTINGS_MANAGED_DROPIN,
        FileKind.SETTINGS_REMOTE,
        FileKind.SETTINGS_INERT,
    }
)


def parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    """Read one settings file tolerantly; never raises."""
    in_effect = kind != FileKind.SETTINGS_INERT
    try:
        return _parse(path, text, kind, in_effect)
    except Exception as exc:  # a bug here must cost one file, not the scan
        note = Notification(
            "error", f"{path}: internal error while reading settings ({type(exc).__name__})", path
        )
        return ParsedFile(path, kind, notifications=(note,), in_effect=in_effect, text=text)


def _parse(path: str, text: str, kind: FileKind, in_effect: bool) -> ParsedFile:
    doc = parse_json(text)
    notifications: list[Notification] = []
    if doc.error is not None:
        notifications.append(parse_error_notification(path, doc))
    observations: list[Observation] = []
    if isinstance(doc.value, dict):
        observations = settings_observations(doc, path, kind)
    elif doc.error is None:
        line = doc.locations.get((), (1, 1))[0]
        notifications.append(
            Notification(
                "error",
                f"{path}: a settings file must be a JSON object, found {shape_name(doc.value)}",
                path,
                line,
                "invalid-settings",
            )
        )
    return ParsedFile(
        path=path,
        kind=kind,
        observations=tuple(observations),
        notifications=tuple(notifications),
        facts=json_file_facts(doc),
        in_effect=in_effect,
        text=text,
    )


def settings_observations(
    doc: JsonDoc,
    path: str,
    kind: FileKind,
    *,
    scope: str = "settings",
    env_scope: str = "settings-env",
    line_offset: int = 0,
    column_offset: int = 0,
    group: tuple[str, ...] = (),
) -> list[Observation]:
    """Observations for a settings document, in document order.

    For settings embedded in another file (a YAML block scalar in a workflow), `line_offset` is
    added to every line and `column_offset` to every column: a block scalar is uniformly indented,
    so each line of the JSON sits `column_offset` columns to the right of where `doc` saw it.
    Returns [] when the document is not an object.
    """
    root = doc.value
    if not isinstance(root, dict):
        return []
    observations: list[Observation] = []
    # Explicit stack (reversed pushes keep document order): nesting depth is bounded by the parser,
    # but this must not depend on Python's recursion limit.
    pending: list[tuple[JsonPath, str, JSONValue]] = [
        ((key,), key, value) for key, value in reversed(root.items())
    ]
    while pending:
        key_path, name, value = pending.pop()
        where = located(doc, path, key_path, line_offset, column_offset)
        observations.append(
            Observation(ObservationKind.SETTING, name, value, where, kind, scope, group=group)
        )
        if key_path == ("env",):
            if isinstance(value, dict):
                observations.extend(
                    _env_observations(
                        doc,
                        path,
                        kind,
                        value,
                        env_scope=env_scope,
                        line_offset=line_offset,
                        column_offset=column_offset,
                        group=group,
                    )
                )
            continue
        if isinstance(value, dict):
            pending.extend(
                ((*key_path, child), f"{name}.{child}", child_value)
                for child, child_value in reversed(value.items())
            )
    return observations


def _env_observations(
    doc: JsonDoc,
    path: str,
    kind: FileKind,
    env: dict[str, JSONValue],
    *,
    env_scope: str,
    line_offset: int,
    column_offset: int,
    group: tuple[str, ...],
) -> list[Observation]:
    observations = []
    for name, value in env.items():
        where = located(doc, path, ("env", name), line_offset, column_offset)
        # Claude Code copies settings `env` values into its environment verbatim: no expansion.
        value_kind = ValueKind.LITERAL if isinstance(value, str) else ValueKind.NON_STRING
        observations.append(
            Observation(
                ObservationKind.ENV,
                name,
                value,
                where,
                kind,
                env_scope,
                value_kind=value_kind,
                group=group,
                raw=value,
            )
        )
    return observations


def located(
    doc: JsonDoc, path: str, key_path: JsonPath, line_offset: int = 0, column_offset: int = 0
) -> Location:
    """The Location of a key (from its opening quote to the end of its value)."""
    line, column = doc.locations.get(key_path, doc.locations.get((), (1, 1)))
    end = doc.value_ends.get(key_path)
    if end is None:
        return Location(path, line + line_offset, column + column_offset)
    return Location(
        path,
        line + line_offset,
        column + column_offset,
        end[0] + line_offset,
        end[1] + column_offset,
    )


def json_file_facts(doc: JsonDoc) -> dict[str, JSONValue]:
    """The facts every strict-JSON file source reports (see the module docstring)."""
    problems = [*doc.issues, doc.error] if doc.error is not None else list(doc.issues)
    strict_errors: list[JSONValue] = [
        {"kind": issue.kind, "line": issue.line, "column": issue.column, "message": issue.message}
        for issue in problems
    ]
    valid_json = doc.error is None and all(issue.kind == "duplicate-key" for issue in doc.issues)
    return {
        "strict_errors": strict_errors,
        "valid_json": valid_json,
        "parse_failed": doc.error is not None,
    }


def parse_error_notification(path: str, doc: JsonDoc) -> Notification:
    """The notification for a document even the tolerant parser could not read to the end."""
    error = doc.error
    if error is None:
        raise ValueError("parse_error_notification needs a document with an error")
    where = f"at line {error.line} column {error.column}"
    if error.kind == "depth":
        message = f"{path} is nested too deeply to read: {error.message} {where}"
    else:
        message = f"{path} is not valid JSON: {error.message} {where}"
    return Notification("error", message, path, error.line, "parse-error")


def shape_name(value: JSONValue | None) -> str:
    """What a JSON value is, for messages that must not quote the value itself."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "null"
