"""CCP603: committed project hooks and status-line commands that can send session data away.

Reported, in committed project settings (project_config):
- hooks of type "http": Claude Code POSTs the hook input to the URL, unless the context's own
  `allowedHttpHookUrls` leaves the URL out (then Claude Code blocks it);
- hooks of type "command" that reach outside the repository (command_text.outside_repository):
  a network client, a URL, a program at an absolute path or in the home directory;
- `statusLine`, `subagentStatusLine` and `fileSuggestion` commands, which receive session data at
  every refresh or query.
Nothing is reported when the context's `disableAllHooks` is true. Hooks that ask a model
("prompt", "agent") or call an MCP tool ("mcp_tool", CCP604's area) are not this rule's.

Locations: a hook points at its event key (`"PreToolUse"`), since the source keeps locations for
object keys only; the message names the command or URL.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.command_text import outside_repository, shown_command, url_shown
from scanner.checks.project_config import ProjectLayer, committed_project_layers
from scanner.model import Finding, JSONValue, Observation

HOOK_INPUT = (
    "the hook input (session id, transcript path and the event's data, such as tool input and output or "
    "the prompt)"
)
TRUST_NOTE = "committed project hooks run even before workspace trust in `claude -p`, SDK and CI runs"
COMMAND_SETTINGS = {
    "statusLine": (
        "at every status-line refresh, with session data (model, workspace, cost, transcript path) on stdin"
    ),
    "subagentStatusLine": "at every subagent status-line refresh, with session data on stdin",
    "fileSuggestion": "for every @ file suggestion, with what is being typed",
}


def _hooks_disabled(item: ProjectLayer) -> bool:
    return item.context.setting("disableAllHooks").value is True


def _http_allowed(item: ProjectLayer, url: str) -> bool:
    """False when the context's allowedHttpHookUrls is set and no pattern matches the URL."""
    allowed = item.context.setting("allowedHttpHookUrls")
    if allowed.winner is None or not isinstance(allowed.value, list):
        return True
    return any(isinstance(p, str) and fnmatch.fnmatchcase(url, p) for p in allowed.value)


def _hook_entries(event_value: JSONValue) -> Iterator[tuple[int, int, dict[str, JSONValue]]]:
    if not isinstance(event_value, list):
        return
    for i, matcher in enumerate(event_value):
        if not isinstance(matcher, dict) or not isinstance(matcher.get("hooks"), list):
            continue
        hooks = matcher["hooks"]
        assert isinstance(hooks, list)
        for j, hook in enumerate(hooks):
            if isinstance(hook, dict):
                yield i, j, hook


def _hook_findings(rule: Rule, item: ProjectLayer, obs: Observation) -> Iterator[Finding]:
    event = obs.name.split(".", 1)[1]
    for i, j, hook in _hook_entries(obs.value):
        kind = hook.get("type")
        message = ""
        if kind == "http" and isinstance(hook.get("url"), str):
            url = str(hook["url"])
            if not _http_allowed(item, url):
                continue
            message = f'{event} hook of type "http" posts {HOOK_INPUT} to {url_shown(url)}; {TRUST_NOTE}.'
        elif kind == "command" and isinstance(hook.get("command"), str):
            command = str(hook["command"])
            reason = outside_repository(command)
            if reason is None:
                continue
            message = (
                f"{event} hook runs `{shown_command(command)}`, {reason}, and passes it {HOOK_INPUT} on "
                f"stdin; {TRUST_NOTE}."
            )
        if message:
            yield finding(rule, message, obs.location, context=item.context.id, key=f"{obs.name}[{i}][{j}]")


def _command_setting_finding(rule: Rule, item: ProjectLayer, obs: Observation) -> Finding | None:
    value = obs.value
    if not isinstance(value, dict) or not isinstance(value.get("command"), str):
        return None
    command = str(value["command"])
    if not command.strip():
        return None
    reason = outside_repository(command)
    where = f", {reason}," if reason else ""
    return finding(
        rule,
        f"{obs.name} runs `{shown_command(command)}`{where} {COMMAND_SETTINGS[obs.name]}, for everyone who "
        "opens this project once the folder is trusted.",
        obs.location,
        context=item.context.id,
        key=obs.name,
    )


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    for item in committed_project_layers(scan):
        if _hooks_disabled(item):
            continue
        for obs in item.settings():
            if obs.name.startswith("hooks.") and obs.name.count(".") == 1:
                yield from _hook_findings(rule, item, obs)
            elif obs.name in COMMAND_SETTINGS:
                f = _command_setting_finding(rule, item, obs)
                if f is not None:
                    yield f
