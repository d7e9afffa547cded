"""`~/.claude.json`: Claude Code's global config and app state (reference 1.1 and 4.4).

The format is undocumented ("not a public API", [I#361]), so every field is read defensively: an
unexpected shape is a notification and the rest of the file is still read. What is kept:

- the OAuth login (`oauthAccount`): organisation UUID and name, billing type, and the e-mail
  address's *domain* only. Never the address, the account UUID or any token;
- `projects`: each project path, where it is in the file, and whether its trust dialog was accepted;
- MCP servers at user scope (top-level `mcpServers`) and local scope (`projects[p].mcpServers`):
  SETTING "mcpServers.<name>", scope "mcp", group ("mcpServers", name) for user scope and
  ("projects", p, "mcpServers", name) for local scope; their `env` members are ENV, scope
  "mcp-server-env", so literal credentials there are found like anywhere else;
- `customApiKeyResponses`: only how many keys were approved or rejected (the file keeps the end of
  each key; it is never read into the output); `primaryApiKey`: only whether it is present.

Facts:
    "oauth_account": null | {"organization_uuid", "organization_name", "billing_type",
        "email_domain", "line", "column", "uuid_line", "uuid_column"} (values may be null)
    "projects": [{"path", "line", "column", "trusted"}]
    "mcp_servers": [{"name", "scope", "project", "type", "url", "line", "column"}] (url without
        credentials, query or fragment)
    "api_key_responses": null | {"approved": n, "rejected": n}
    "primary_api_key": bool
    plus the strict-JSON facts of scanner.sources.settings.json_file_facts.
The text is not kept (it holds prompt history): no snippets come from this file.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from scanner import regexcache
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
from scanner.sources.jsonloc import JsonDoc, JsonPath, parse_json
from scanner.sources.settings import json_file_facts, located, parse_error_notification, shape_name

__all__ = ["email_domain", "parse", "without_emails"]

_EMAIL = regexcache.compile(r"[^\s@'\"<>(),;:]+@([A-Za-z0-9.\-]+)")


def email_domain(address: str) -> str | None:
    """`alice@example.com` -> `example.com`; None when it is not an address."""
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or not re.fullmatch(r"[A-Za-z0-9.\-]+", domain):
        return None
    return domain.lower()


def without_emails(text: str) -> str:
    """Every e-mail address reduced to its domain (personal organisations are named after one)."""
    return _EMAIL.sub(lambda m: f"…@{m.group(1).lower()}", text)


def parse(path: str, text: str, kind: FileKind = FileKind.CLAUDE_JSON) -> ParsedFile:
    """Read ~/.claude.json; never raises, never keeps the text."""
    try:
        return _Reader(path, kind).read(text)
    except Exception as exc:  # a bug here must cost one file, not the scan
        note = Notification(
            "error",
            f"{path}: internal error while reading Claude Code's state file ({type(exc).__name__})",
            path,
            None,
            "internal-parse-error",
        )
        return ParsedFile(path, kind, notifications=(note,))


class _Reader:
    def __init__(self, path: str, kind: FileKind) -> None:
        self.path = path
        self.kind = kind
        self.notes: list[Notification] = []
        self.observations: list[Observation] = []
        self.servers: list[JSONValue] = []
        self.doc: JsonDoc | None = None

    def shape(self, where: str, value: JSONValue, expected: str, line: int | None = None) -> None:
        self.notes.append(
            Notification(
                "warning",
                f"{self.path}: {where} is {shape_name(value)}, expected {expected} (the format is "
                "undocumented and may have changed); skipped",
                self.path,
                line,
                "unexpected-shape",
            )
        )

    def line_of(self, key_path: JsonPath) -> int:
        assert self.doc is not None
        return located(self.doc, self.path, key_path).line

    def read(self, text: str) -> ParsedFile:
        doc = parse_json(text)
        self.doc = doc
        facts = json_file_facts(doc)
        if doc.error is not None:
            self.notes.append(parse_error_notification(self.path, doc))
        root = doc.value
        facts.update(
            {
                "oauth_account": None,
                "projects": [],
                "mcp_servers": [],
                "api_key_responses": None,
                "primary_api_key": False,
            }
        )
        if not isinstance(root, dict):
            if doc.error is None:
                self.shape("the document", root, "an object", 1)
            return self.result(facts)
        for key, value in root.items():  # document order, so observations come out in line order
            if key == "oauthAccount":
                facts["oauth_account"] = self.oauth(value)
            elif key == "projects":
                facts["projects"] = self.projects(value)
            elif key == "mcpServers":
                self.mcp(value, ("mcpServers",), None)
            elif key == "customApiKeyResponses":
                facts["api_key_responses"] = self.key_responses(value)
        facts["primary_api_key"] = isinstance(root.get("primaryApiKey"), str) and bool(
            root.get("primaryApiKey")
        )
        facts["mcp_servers"] = self.servers
        return self.result(facts)

    def result(self, facts: dict[str, JSONValue]) -> ParsedFile:
        return ParsedFile(self.path, self.kind, tuple(self.observations), tuple(self.notes), facts, text=None)

    def oauth(self, account: JSONValue) -> JSONValue:
        assert self.doc is not None
        where = located(self.doc, self.path, ("oauthAccount",))
        if not isinstance(account, dict):
            self.shape("oauthAccount", account, "an object", where.line)
            return None
        out: dict[str, JSONValue] = {
            "line": where.line,
            "column": where.column,
            "organization_uuid": None,
            "organization_name": None,
            "billing_type": None,
            "email_domain": None,
            "uuid_line": None,
            "uuid_column": None,
        }
        for field, key in (
            ("organizationUuid", "organization_uuid"),
            ("organizationName", "organization_name"),
            ("billingType", "billing_type"),
        ):
            if field not in account:
                continue
            value = account[field]
            if not isinstance(value, str):
                self.shape(f"oauthAccount.{field}", value, "a string", self.line_of(("oauthAccount", field)))
                continue
            out[key] = without_emails(value) if key == "organization_name" else value
        if isinstance(out["organization_uuid"], str):
            at = located(self.doc, self.path, ("oauthAccount", "organizationUuid"))
            out["uuid_line"], out["uuid_column"] = at.line, at.column
        address = account.get("emailAddress")
        if isinstance(address, str):
            out["email_domain"] = email_domain(address)
        elif "emailAddress" in account:
            self.shape(
                "oauthAccount.emailAddress",
                address,
                "a string",
                self.line_of(("oauthAccount", "emailAddress")),
            )
        return out

    def projects(self, projects: JSONValue) -> JSONValue:
        assert self.doc is not None
        if not isinstance(projects, dict):
            self.shape("projects", projects, "an object", self.line_of(("projects",)))
            return []
        found: list[JSONValue] = []
        odd = 0
        for project, state in projects.items():
            at = located(self.doc, self.path, ("projects", project))
            if not isinstance(state, dict):
                odd += 1
                continue
            trusted = state.get("hasTrustDialogAccepted")
            found.append(
                {
                    "path": project,
                    "line": at.line,
                    "column": at.column,
                    "trusted": trusted if isinstance(trusted, bool) else None,
                }
            )
            if "mcpServers" in state:
                self.mcp(state["mcpServers"], ("projects", project, "mcpServers"), project)
        if odd:
            self.notes.append(
                Notification(
                    "warning",
                    f"{self.path}: {odd} entr{'y' if odd == 1 else 'ies'} of projects "
                    f"{'is' if odd == 1 else 'are'} not an object (the format is undocumented); skipped",
                    self.path,
                    None,
                    "unexpected-shape",
                )
            )
        return found

    def mcp(self, servers: JSONValue, key_path: JsonPath, project: str | None) -> None:
        assert self.doc is not None
        label = "mcpServers" if project is None else f"projects[{project!r}].mcpServers"
        if not isinstance(servers, dict):
            self.shape(label, servers, "an object", self.line_of(key_path))
            return
        for name, server in servers.items():
            if not isinstance(server, dict):
                continue  # notes and junk: Claude Code has no server here
            group = ("mcpServers", name) if project is None else ("projects", project, "mcpServers", name)
            at = located(self.doc, self.path, (*key_path, name))
            self.observations.append(
                Observation(
                    ObservationKind.SETTING,
                    f"mcpServers.{name}",
                    _describe(server),
                    at,
                    self.kind,
                    "mcp",
                    group=group,
                )
            )
            env = server.get("env")
            if isinstance(env, dict):
                for var, value in env.items():
                    value_kind = (
                        values.classify(value, github=False)
                        if isinstance(value, str)
                        else (ValueKind.NON_STRING)
                    )
                    self.observations.append(
                        Observation(
                            ObservationKind.ENV,
                            var,
                            value,
                            located(self.doc, self.path, (*key_path, name, "env", var)),
                            self.kind,
                            "mcp-server-env",
                            value_kind=value_kind,
                            group=group,
                            raw=value,
                        )
                    )
            self.servers.append(
                {
                    "name": name,
                    "scope": "user" if project is None else "local",
                    "project": project,
                    "type": _transport(server),
                    "url": _safe_url(server.get("url")),
                    "line": at.line,
                    "column": at.column,
                }
            )

    def key_responses(self, responses: JSONValue) -> JSONValue:
        if not isinstance(responses, dict):
            self.shape(
                "customApiKeyResponses", responses, "an object", self.line_of(("customApiKeyResponses",))
            )
            return None
        counts: dict[str, JSONValue] = {}
        for field in ("approved", "rejected"):
            entries = responses.get(field)
            if entries is None:
                counts[field] = 0
            elif isinstance(entries, list):
                counts[field] = len(entries)
            else:
                self.shape(
                    f"customApiKeyResponses.{field}",
                    entries,
                    "an array",
                    self.line_of(("customApiKeyResponses", field)),
                )
                counts[field] = None
        return counts


def _describe(server: dict[str, JSONValue]) -> JSONValue:
    """The server entry without values that may be secrets (env, headers): names only."""
    out: dict[str, JSONValue] = {}
    for key, value in server.items():
        if key in ("env", "headers") and isinstance(value, dict):
            out[key] = list[JSONValue](sorted(value))
        elif key == "url":
            out[key] = _safe_url(value)
        elif key in ("type", "command"):
            out[key] = value
    return out


def _transport(server: dict[str, JSONValue]) -> str | None:
    declared = server.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(server.get("url"), str):
        return "http"
    if isinstance(server.get("command"), str):
        return "stdio"
    return None


def _safe_url(url: JSONValue) -> str | None:
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return None
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
