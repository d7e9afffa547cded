"""MCP server configuration: a project's `.mcp.json` and the managed `managed-mcp.json`.

Both are `{"mcpServers": {"<name>": {...}}}`. Claude Code expands `${VAR}` and `${VAR:-default}` in
a server's command, args, env, url and headers, so env and header values are classified with
`values.classify` (a lone reference is a REFERENCE, a reference mixed with text is DYNAMIC).

Observations:
    SETTING "mcpServers" (the whole map) and "mcpServers.<name>" (the server object), scope "mcp";
    SETTING "mcpServers.<name>.headers.<Header>" for each header, scope "mcp";
    ENV for each member of a server's `env`, scope "mcp-server-env";
    everything under a server has group ("mcpServers", "<name>").
Entries that are not objects (`"_comment": "..."` notes) are skipped.

Facts: the strict-JSON facts of `settings.json_file_facts`, plus
    "servers": [{"name", "type", "url", "command", "line", "column"}, ...] where "type" is the
    declared type, else "http" when the server has a url, "stdio" when it has a command, else null.
"""

from __future__ import annotations

from scanner.model import (
    FileKind,
    JSONValue,
    Notification,
    Observation,
    ObservationKind,
    ParsedFile,
    ValueKind,
)
from scanner.sources import values
from scanner.sources.jsonloc import JsonDoc, parse_json
from scanner.sources.settings import json_file_facts, located, parse_error_notification, shape_name

__all__ = ["MCP_KINDS", "parse"]

MCP_KINDS = frozenset({FileKind.MCP, FileKind.MANAGED_MCP})

_SCOPE = "mcp"
_ENV_SCOPE = "mcp-server-env"


def parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    """Read one MCP configuration file tolerantly; never raises."""
    try:
        return _parse(path, text, kind)
    except Exception as exc:  # a bug here must cost one file, not the scan
        note = Notification(
            "error", f"{path}: internal error while reading MCP configuration ({type(exc).__name__})", path
        )
        return ParsedFile(path, kind, notifications=(note,), text=text)


def _parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    doc = parse_json(text)
    facts = json_file_facts(doc)
    notifications: list[Notification] = []
    if doc.error is not None:
        notifications.append(parse_error_notification(path, doc))
    observations: list[Observation] = []
    servers: list[JSONValue] = []
    root = doc.value
    if isinstance(root, dict):
        if "mcpServers" in root:
            observations, servers, shape_note = _servers(doc, path, kind, root["mcpServers"])
            if shape_note is not None:
                notifications.append(shape_note)
    elif doc.error is None:
        notifications.append(
            Notification(
                "error",
                f"{path}: an MCP configuration must be a JSON object, found {shape_name(root)}",
                path,
                doc.locations.get((), (1, 1))[0],
                "invalid-mcp-config",
            )
        )
    facts["servers"] = servers
    return ParsedFile(
        path=path,
        kind=kind,
        observations=tuple(observations),
        notifications=tuple(notifications),
        facts=facts,
        text=text,
    )


def _servers(
    doc: JsonDoc, path: str, kind: FileKind, server_map: JSONValue
) -> tuple[list[Observation], list[JSONValue], Notification | None]:
    where = located(doc, path, ("mcpServers",))
    observations = [Observation(ObservationKind.SETTING, "mcpServers", server_map, where, kind, _SCOPE)]
    if not isinstance(server_map, dict):
        note = Notification(
            "warning",
            f"{path}: mcpServers must be an object, found {shape_name(server_map)}",
            path,
            where.line,
            "invalid-mcp-config",
        )
        return observations, [], note
    servers: list[JSONValue] = []
    for name, server in server_map.items():
        if not isinstance(server, dict):
            continue  # "_comment" notes and other junk: Claude Code has no server here
        group = ("mcpServers", name)
        server_at = located(doc, path, group)
        observations.append(
            Observation(
                ObservationKind.SETTING, f"mcpServers.{name}", server, server_at, kind, _SCOPE, group=group
            )
        )
        observations.extend(_server_env(doc, path, kind, name, server.get("env")))
        observations.extend(_server_headers(doc, path, kind, name, server.get("headers")))
        servers.append(
            {
                "name": name,
                "type": _transport(server),
                "url": _text_or_none(server.get("url")),
                "command": _text_or_none(server.get("command")),
                "line": server_at.line,
                "column": server_at.column,
            }
        )
    return observations, servers, None


def _server_env(doc: JsonDoc, path: str, kind: FileKind, server: str, env: JSONValue) -> list[Observation]:
    if not isinstance(env, dict):
        return []
    group = ("mcpServers", server)
    return [
        Observation(
            ObservationKind.ENV,
            name,
            value,
            located(doc, path, ("mcpServers", server, "env", name)),
            kind,
            _ENV_SCOPE,
            value_kind=_value_kind(value),
            group=group,
            raw=value,
        )
        for name, value in env.items()
    ]


def _server_headers(
    doc: JsonDoc, path: str, kind: FileKind, server: str, headers: JSONValue
) -> list[Observation]:
    if not isinstance(headers, dict):
        return []
    group = ("mcpServers", server)
    return [
        Observation(
            ObservationKind.SETTING,
            f"mcpServers.{server}.headers.{header}",
            value,
            located(doc, path, ("mcpServers", server, "headers", header)),
            kind,
            _SCOPE,
            value_kind=_value_kind(value),
            group=group,
        )
        for header, value in headers.items()
    ]


def _value_kind(value: JSONValue) -> ValueKind:
    if isinstance(value, str):
        return values.classify(value, github=False)
    return ValueKind.NON_STRING


def _transport(server: dict[str, JSONValue]) -> str | None:
    declared = server.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(server.get("url"), str):
        return "http"
    if isinstance(server.get("command"), str):
        return "stdio"
    return None


def _text_or_none(value: JSONValue) -> str | None:
    return value if isinstance(value, str) else None
