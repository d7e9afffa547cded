"""CCP604: MCP servers approved wholesale, and remote MCP servers outside the approved list.

Reported:
- `enableAllProjectMcpServers: true` in committed project settings (project_config);
- `enabledMcpjsonServers` in committed project settings naming a remote (http, sse, ws) server of
  the project's `.mcp.json` whose URL is not approved;
- every remote server in a `.mcp.json` whose URL is not approved: `claude -p`, the SDK and cloud
  sessions connect `.mcp.json` servers without asking (reference 1.1, 1.7);
- an `allowedMcpServers` entry in any settings file (managed ones included) whose `serverUrl`
  pattern matches any host (`"*"`, `"https://*"`): the allowlist then approves every remote server.

Approved means a pattern of the `approved_mcp_servers` parameter matches the URL or its host
(fnmatch, case-insensitive). A server named in any `disabledMcpjsonServers` of the context is
rejected and not reported. A URL built from `${VAR}` cannot be approved: ccpolicy cannot see
where it points.
"""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterator, Sequence

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding, param_list
from scanner.checks.command_text import url_host, url_shown
from scanner.checks.project_config import committed_project_layers
from scanner.checks.scoped_keys import SETTINGS_FILE_KINDS
from scanner.contexts.model import Context, ContextKind
from scanner.model import FileKind, Finding, Location, ObservationKind, ParsedFile
from scanner.records import NamedTuple

# Two unrelated URLs: a serverUrl pattern matching both is not restricted to any host.
_PROBE_URLS = ("https://mcp.one.example/mcp", "https://other.test/sse")
REMOTE_TRANSPORTS = frozenset({"http", "sse", "ws", "streamable-http", "streamable_http"})
DATA_NOTE = "it receives the tool calls Claude makes to it and the data in them"


class RemoteServer(NamedTuple):
    name: str
    url: str
    location: Location


def remote_servers(parsed: ParsedFile) -> list[RemoteServer]:
    servers = parsed.facts.get("servers")
    out: list[RemoteServer] = []
    if not isinstance(servers, list):
        return out
    for server in servers:
        if not isinstance(server, dict):
            continue
        name, url, kind = server.get("name"), server.get("url"), server.get("type")
        if not isinstance(name, str) or not isinstance(url, str) or kind not in REMOTE_TRANSPORTS:
            continue
        line, column = server.get("line"), server.get("column")
        where = Location(
            parsed.path, line if isinstance(line, int) else 1, column if isinstance(column, int) else 1
        )
        out.append(RemoteServer(name, url, where))
    return out


def approved(url: str, patterns: Sequence[str]) -> bool:
    if "${" in url or "$" in url.split("://", 1)[-1].split("/", 1)[0]:
        return False
    low = url.strip().lower()
    host = url_host(url)
    return any(
        fnmatch.fnmatchcase(low, p.lower()) or (bool(host) and fnmatch.fnmatchcase(host, p.lower()))
        for p in patterns
    )


def _disabled(ctx: Context | None) -> set[str]:
    if ctx is None:
        return set()
    eff = ctx.setting("disabledMcpjsonServers")
    return {v for v in eff.value if isinstance(v, str)} if isinstance(eff.value, list) else set()


def _project_context(scan: CheckInput, mcp_path: str) -> Context | None:
    directory = posixpath.dirname(mcp_path) or "."
    return next(
        (c for c in scan.contexts if c.kind is ContextKind.PROJECT and c.id == f"project:{directory}"), None
    )


def _mcp_json(scan: CheckInput, directory: str) -> ParsedFile | None:
    path = ".mcp.json" if directory in ("", ".") else posixpath.join(directory, ".mcp.json")
    return next((f for f in scan.files if f.path == path and f.kind is FileKind.MCP), None)


def _settings_findings(rule: Rule, scan: CheckInput, patterns: Sequence[str]) -> Iterator[Finding]:
    for item in committed_project_layers(scan):
        enable_all = item.setting("enableAllProjectMcpServers")
        if enable_all is not None and enable_all.value is True:
            yield finding(
                rule,
                "enableAllProjectMcpServers is true in the committed project settings: every server in "
                ".mcp.json is approved without asking, including remote servers any later commit adds, and "
                "each receives the tool calls Claude makes to it and the data in them.",
                enable_all.location,
                context=item.context.id,
                key="enableAllProjectMcpServers",
            )
        enabled = item.setting("enabledMcpjsonServers")
        if enabled is None or not isinstance(enabled.value, list):
            continue
        mcp = _mcp_json(scan, item.context.attributes.get("directory", "."))
        if mcp is None:
            continue
        disabled = _disabled(item.context)
        by_name = {s.name: s for s in remote_servers(mcp)}
        for name in dict.fromkeys(v for v in enabled.value if isinstance(v, str)):
            server = by_name.get(name)
            if server is None or name in disabled or approved(server.url, patterns):
                continue
            yield finding(
                rule,
                f'enabledMcpjsonServers approves "{name}", a remote MCP server at {url_shown(server.url)} '
                "that is not in approved_mcp_servers: Claude Code connects it without asking, and "
                f"{DATA_NOTE}.",
                enabled.location,
                context=item.context.id,
                key=f"enabledMcpjsonServers:{name}",
            )


def matches_any_host(pattern: str) -> bool:
    return all(fnmatch.fnmatchcase(url, pattern.strip()) for url in _PROBE_URLS)


def _wildcard_allowlists(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    for parsed in scan.files:
        if parsed.kind not in SETTINGS_FILE_KINDS:
            continue
        for obs in parsed.observations:
            if obs.kind is not ObservationKind.SETTING or obs.name != "allowedMcpServers":
                continue
            if not isinstance(obs.value, list):
                continue
            urls = [e.get("serverUrl") for e in obs.value if isinstance(e, dict)]
            wild = next((u for u in urls if isinstance(u, str) and matches_any_host(u)), None)
            if wild is None:
                continue
            yield finding(
                rule,
                f'allowedMcpServers admits {{"serverUrl": "{wild}"}}, which matches every remote MCP server: '
                "the allowlist approves remote servers wholesale, and each receives the tool calls Claude "
                "makes to it and the data in them.",
                obs.location,
                key="allowedMcpServers",
            )


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    patterns = param_list(scan.params, "approved_mcp_servers")
    yield from _settings_findings(rule, scan, patterns)
    yield from _wildcard_allowlists(rule, scan)
    for parsed in scan.files:
        if parsed.kind is not FileKind.MCP:
            continue
        disabled = _disabled(_project_context(scan, parsed.path))
        for server in remote_servers(parsed):
            if server.name in disabled or approved(server.url, patterns):
                continue
            yield finding(
                rule,
                f'.mcp.json adds the remote MCP server "{server.name}" at {url_shown(server.url)}, which is '
                "not in approved_mcp_servers: `claude -p`, SDK and cloud sessions connect it without asking, "
                f"and {DATA_NOTE}.",
                server.location,
                key=f"mcpServers.{server.name}",
            )
