"""GitHub Actions workflows: `env` at workflow, job and step level, and the inputs of
`anthropics/claude-code-action` / `claude-code-base-action` steps.

Observations:
- `env:` maps -> ENV, scope "workflow-env" (group ("workflow",)), "job-env" (("jobs", id)) or
  "step-env" (("jobs", id, "steps", "<index>"), index from 0). Values are the strings GitHub
  passes (YAML `true` -> "true", `1` -> "1", null -> ""); GitHub does not expand `$VAR` in
  env values, so only `${{ }}` expressions make a value a REFERENCE (whole) or DYNAMIC (mixed).
- every `with:` input of a Claude action step -> SETTING "action.<input>" (lower-cased, as
  GitHub matches input names), scope "action-input"; inputs the action turns into Claude
  Code's environment (ACTION_INPUT_ENV) also give an ENV observation at the same place.
- `claude_env` (v0.x "KEY: value" lines) -> ENV, scope "action-claude-env";
  inline `settings` JSON -> scope "action-settings" / "action-settings-env".

Facts:
    "valid_yaml": bool
    "events": [event names from `on:`]
    "workflow_call_inputs": {name: {"default": str | None, "line", "column"}}
    "jobs": {job_id: {"line", "column", "name", "runs_on", "uses_reusable", "with",
        "runs_claude", "claude_steps": [{"index", "line", "column", "uses", "kind", ...}],
        "settings_errors": [{"step", "kind", "line", "column", "message"}]}}
    "dynamic_env": [{"scope", "group", "line", "column"}] - env blocks or claude_env inputs that
        are one expression, so their variables cannot be known from the file.
"""

from __future__ import annotations

import re

from scanner import regexcache
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
from scanner.sources.values import classify
from scanner.sources.yamlloc import Path, ScalarInfo, YamlDoc, load_yaml, scalar_text

# registry.preload calls `prepare`: PyYAML's loader, built ahead of the first document.
from scanner.sources.yamlloc import prepare_loader as prepare

__all__ = [
    "ACTION_INPUT_ENV",
    "ACTION_SWITCH_INPUTS",
    "action_switch_value",
    "claude_action_ref",
    "parse",
    "prepare",
    "script_runs_claude",
]

# Inputs of anthropics/claude-code-action and claude-code-base-action that the action copies
# into Claude Code's environment, from the `env:` of the step in the actions' action.yml that
# runs Claude (`ANTHROPIC_API_KEY: ${{ inputs.anthropic_api_key }}` and so on), plus the
# Workload Identity Federation inputs that src/workload-identity.ts reads back from the
# environment under these names. `model`/`anthropic_model` are v0.x inputs (ANTHROPIC_MODEL:
# ${{ inputs.model || inputs.anthropic_model }}); v1 ignores them. There is no
# `anthropic_auth_token` input in any version, so ANTHROPIC_AUTH_TOKEN is not mapped.
ACTION_INPUT_ENV: dict[str, str] = {
    "use_bedrock": "CLAUDE_CODE_USE_BEDROCK",
    "use_vertex": "CLAUDE_CODE_USE_VERTEX",
    "use_foundry": "CLAUDE_CODE_USE_FOUNDRY",
    "anthropic_api_key": "ANTHROPIC_API_KEY",
    "claude_code_oauth_token": "CLAUDE_CODE_OAUTH_TOKEN",
    "anthropic_federation_rule_id": "ANTHROPIC_FEDERATION_RULE_ID",
    "anthropic_organization_id": "ANTHROPIC_ORGANIZATION_ID",
    "anthropic_service_account_id": "ANTHROPIC_SERVICE_ACCOUNT_ID",
    "anthropic_workspace_id": "ANTHROPIC_WORKSPACE_ID",
    "model": "ANTHROPIC_MODEL",
    "anthropic_model": "ANTHROPIC_MODEL",
}

# Provider switches: the action sets `CLAUDE_CODE_USE_X: ${{ inputs.use_x == 'true' && '1' || '' }}`.
ACTION_SWITCH_INPUTS = frozenset({"use_bedrock", "use_vertex", "use_foundry"})

# Inputs only a Claude action takes: a local action (`uses: ./base-action`) given one of them
# is taken to be a copy of the Claude action (the action's own repository tests itself that way).
_CLAUDE_ONLY_INPUTS = frozenset(
    {
        "anthropic_api_key",
        "claude_code_oauth_token",
        "use_bedrock",
        "use_vertex",
        "use_foundry",
        "claude_args",
        "claude_env",
        "anthropic_model",
        "anthropic_federation_rule_id",
    }
)

_CLAUDE_ACTION = regexcache.compile(
    r"^(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>claude-code-(?:base-)?action)(?:/[^@]*)?@(?P<ref>\S+)$",
    re.IGNORECASE,
)


def parse(path: str, text: str, kind: FileKind = FileKind.WORKFLOW) -> ParsedFile:
    """Read one workflow file; never raises."""
    try:
        return _WorkflowReader(path, text, kind).read()
    except Exception as exc:  # a bug here must cost one file, not the scan
        note = Notification(
            "error", f"{path}: internal error while reading workflow ({type(exc).__name__})", path
        )
        return ParsedFile(path, kind, notifications=(note,), facts=_empty_facts(False), text=text)


def action_switch_value(text: str) -> str:
    """What the action puts in CLAUDE_CODE_USE_* for a provider switch input's text.

    GitHub's `==` compares strings ignoring case, and anything but "true" gives "".
    """
    return "1" if text.lower() == "true" else ""


def claude_action_ref(uses: str) -> tuple[str, str] | None:
    """(owner/repo, ref) when `uses` names claude-code-action or claude-code-base-action
    (any owner, so forks count; callers check the owner), else None."""
    match = _CLAUDE_ACTION.match(uses.strip())
    if match is None:
        return None
    return f"{match['owner']}/{match['repo']}", match["ref"]


def _empty_facts(valid_yaml: bool) -> dict[str, JSONValue]:
    return {"valid_yaml": valid_yaml, "events": [], "workflow_call_inputs": {}, "jobs": {}, "dynamic_env": []}


class _WorkflowReader:
    def __init__(self, path: str, text: str, kind: FileKind) -> None:
        self.path = path
        self.text = text
        self.kind = kind
        self.lines = text.splitlines()
        self.doc: YamlDoc = load_yaml(text)
        self.observations: list[Observation] = []
        self.notifications: list[Notification] = [
            notice._replace(path=path, message=f"{path}: {notice.message}") for notice in self.doc.notices
        ]
        self.dynamic_env: list[JSONValue] = []

    def read(self) -> ParsedFile:
        if self.doc.error is not None:
            error = self.doc.error._replace(path=self.path, message=f"{self.path}: {self.doc.error.message}")
            return ParsedFile(
                self.path, self.kind, notifications=(error,), facts=_empty_facts(False), text=self.text
            )
        facts = _empty_facts(True)
        root = self.doc.value
        if not isinstance(root, dict):
            if root is not None:
                self._warn("a workflow must be a YAML mapping; nothing read", 1, "invalid-workflow")
            return self._result(facts)
        facts["events"], facts["workflow_call_inputs"] = self._triggers(root.get("on"))
        self._env_block(root, ("env",), "workflow-env", ("workflow",))
        jobs = root.get("jobs")
        job_facts: dict[str, JSONValue] = {}
        if isinstance(jobs, dict):
            for job_id, job in jobs.items():
                info = self._job(job_id, job)
                if info is not None:
                    job_facts[job_id] = info
        elif jobs is not None:
            self._warn("`jobs` is not a mapping; no job read", self._line(("jobs",)), "invalid-workflow")
        facts["jobs"] = job_facts
        facts["dynamic_env"] = self.dynamic_env
        return self._result(facts)

    def _result(self, facts: dict[str, JSONValue]) -> ParsedFile:
        return ParsedFile(
            self.path,
            self.kind,
            observations=tuple(self.observations),
            notifications=tuple(self.notifications),
            facts=facts,
            text=self.text,
        )

    # -- triggers ----------------------------------------------------------------------------

    def _triggers(self, on: JSONValue) -> tuple[JSONValue, JSONValue]:
        events: list[JSONValue] = []
        if isinstance(on, str):
            events = [on]
        elif isinstance(on, list):
            events = [item for item in on if isinstance(item, str)]
        elif isinstance(on, dict):
            events = list(on)
        inputs: dict[str, JSONValue] = {}
        call = on.get("workflow_call") if isinstance(on, dict) else None
        declared = call.get("inputs") if isinstance(call, dict) else None
        if isinstance(declared, dict):
            for name, spec in declared.items():
                default = spec.get("default") if isinstance(spec, dict) else None
                has_default = isinstance(spec, dict) and "default" in spec
                line, column = self.doc.locations.get(("on", "workflow_call", "inputs", name), (1, 1))
                inputs[name] = {
                    "default": scalar_text(default) if has_default else None,
                    "line": line,
                    "column": column,
                }
        return events, inputs

    # -- env ---------------------------------------------------------------------------------

    def _env_block(
        self, parent: dict[str, JSONValue], env_path: Path, scope: str, group: tuple[str, ...]
    ) -> None:
        env = parent.get("env")
        if env is None:
            return
        if isinstance(env, str):
            # `env: ${{ fromJSON(...) }}`: the names exist only at run time.
            self._dynamic(env_path, scope, group, "`env` is an expression")
            return
        if not isinstance(env, dict):
            self._warn("`env` is not a mapping; ignored", self._line(env_path), "invalid-workflow")
            return
        for name, value in env.items():
            self._env(name, value, (*env_path, name), scope, group)

    def _env(self, name: str, value: JSONValue, value_path: Path, scope: str, group: tuple[str, ...]) -> None:
        text = scalar_text(value)
        if text is None:
            self._warn(
                f"value of {name} is not a scalar; GitHub rejects it",
                self._line(value_path),
                "invalid-workflow",
            )
            return
        self.observations.append(
            Observation(
                ObservationKind.ENV,
                name,
                text,
                self._location(value_path),
                self.kind,
                scope,
                classify(text, shell=False),
                group,
                raw=value,
            )
        )

    def _dynamic(self, at: Path, scope: str, group: tuple[str, ...], what: str) -> None:
        line, column = self.doc.locations.get(at, (1, 1))
        self.dynamic_env.append({"scope": scope, "group": list(group), "line": line, "column": column})
        self.notifications.append(
            Notification(
                "note",
                f"{self.path}:{line}: {what}; its variables are known only when the workflow runs",
                self.path,
                line,
                "dynamic-env",
            )
        )

    # -- jobs and steps ----------------------------------------------------------------------

    def _job(self, job_id: str, job: JSONValue) -> dict[str, JSONValue] | None:
        job_path: Path = ("jobs", job_id)
        if not isinstance(job, dict):
            self._warn(f"job {job_id!r} is not a mapping; ignored", self._line(job_path), "invalid-workflow")
            return None
        line, column = self.doc.locations.get(job_path, (1, 1))
        name = job.get("name")
        uses = job.get("uses")
        with_inputs = job.get("with")
        info: dict[str, JSONValue] = {
            "line": line,
            "column": column,
            "name": name if isinstance(name, str) else None,
            "runs_on": job.get("runs-on"),
            "uses_reusable": uses if isinstance(uses, str) else None,
            "with": (
                {key: scalar_text(value) for key, value in with_inputs.items()}
                if isinstance(uses, str) and isinstance(with_inputs, dict)
                else {}
            ),
            "runs_claude": False,
            "claude_steps": [],
            "settings_errors": [],
        }
        self._env_block(job, (*job_path, "env"), "job-env", ("jobs", job_id))
        steps = job.get("steps")
        claude_steps: list[JSONValue] = []
        settings_errors: list[JSONValue] = []
        if isinstance(steps, list):
            for index, step in enumerate(steps):
                found = self._step(job_id, index, step, settings_errors)
                if found is not None:
                    claude_steps.append(found)
        elif steps is not None:
            self._warn(
                f"steps of job {job_id!r} are not a list; ignored",
                self._line((*job_path, "steps")),
                "invalid-workflow",
            )
        info["claude_steps"] = claude_steps
        info["runs_claude"] = bool(claude_steps)
        info["settings_errors"] = settings_errors
        return info

    def _step(
        self, job_id: str, index: int, step: JSONValue, settings_errors: list[JSONValue]
    ) -> dict[str, JSONValue] | None:
        step_path: Path = ("jobs", job_id, "steps", index)
        if not isinstance(step, dict):
            self._warn(
                f"step {index} of job {job_id!r} is not a mapping; ignored",
                self._line(step_path),
                "invalid-workflow",
            )
            return None
        group = ("jobs", job_id, "steps", str(index))
        self._env_block(step, (*step_path, "env"), "step-env", group)
        line, column = self.doc.locations.get(step_path, (1, 1))
        uses = step.get("uses")
        inputs = step.get("with")
        if isinstance(uses, str) and _is_claude_action(uses, inputs):
            found: dict[str, JSONValue] = {
                "index": index,
                "line": line,
                "column": column,
                "uses": uses,
                "kind": "action",
                "official": _is_official(uses),
                "ref": _ref(uses),
                "inputs": _input_names(inputs),
                "settings": None,
                "settings_file": None,
            }
            _ActionStep(
                self,
                job_id=job_id,
                index=index,
                step_path=step_path,
                group=group,
                found=found,
                settings_errors=settings_errors,
            ).read(inputs)
            return found
        run = step.get("run")
        if isinstance(run, str) and script_runs_claude(run) is not None:
            return {
                "index": index,
                "line": line,
                "column": column,
                "uses": None,
                "kind": "run",
                "how": script_runs_claude(run),
            }
        return None

    # -- helpers -----------------------------------------------------------------------------

    def _location(self, value_path: Path) -> Location:
        line, column = self.doc.locations.get(value_path, (1, 1))
        scalar = self.doc.scalars.get(value_path)
        if scalar is None:
            return Location(self.path, line, column)
        return Location(self.path, line, column, scalar.end_line, scalar.end_column)

    def _line(self, at: Path) -> int:
        return self.doc.locations.get(at, (1, 1))[0]

    def _warn(self, message: str, line: int, descriptor: str) -> None:
        self.notifications.append(
            Notification("warning", f"{self.path}:{line}: {message}", self.path, line, descriptor)
        )


class _ActionStep:
    """The `with:` inputs of one claude-code-action step."""

    def __init__(
        self,
        reader: _WorkflowReader,
        *,
        job_id: str,
        index: int,
        step_path: Path,
        group: tuple[str, ...],
        found: dict[str, JSONValue],
        settings_errors: list[JSONValue],
    ) -> None:
        self.reader = reader
        self.job_id = job_id
        self.index = index
        self.with_path: Path = (*step_path, "with")
        self.group = group
        self.found = found
        self.settings_errors = settings_errors

    def read(self, inputs: JSONValue) -> None:
        if isinstance(inputs, str):
            self.reader._warn(
                f"`with` of step {self.index} in job {self.job_id!r} is not a mapping; ignored",
                self.reader._line(self.with_path),
                "invalid-workflow",
            )
            return
        if not isinstance(inputs, dict):
            return
        texts = {key.lower(): scalar_text(value) for key, value in inputs.items()}
        for key, value in inputs.items():
            name = key.lower()
            text = texts[name]
            at: Path = (*self.with_path, key)
            if text is None:
                self.reader._warn(
                    f"input {key} is not a scalar; GitHub rejects it",
                    self.reader._line(at),
                    "invalid-workflow",
                )
                continue
            kind = classify(text, shell=False)
            where = self.reader._location(at)
            self.reader.observations.append(
                Observation(
                    ObservationKind.SETTING,
                    f"action.{name}",
                    text,
                    where,
                    self.reader.kind,
                    "action-input",
                    kind,
                    self.group,
                    raw=value,
                )
            )
            self._derived_env(name=name, text=text, kind=kind, raw=value, where=where, texts=texts)
            if name == "claude_env":
                self._claude_env(text, at)
            elif name == "settings":
                self._settings(text, kind, at)

    def _derived_env(
        self,
        *,
        name: str,
        text: str,
        kind: ValueKind,
        raw: JSONValue,
        where: Location,
        texts: dict[str, str | None],
    ) -> None:
        env_name = ACTION_INPUT_ENV.get(name)
        if env_name is None:
            return
        if name == "anthropic_model" and texts.get("model"):
            return  # `inputs.model || inputs.anthropic_model`: model wins when non-empty
        value = (
            action_switch_value(text) if name in ACTION_SWITCH_INPUTS and kind is ValueKind.LITERAL else text
        )
        self.reader.observations.append(
            Observation(
                ObservationKind.ENV,
                env_name,
                value,
                where,
                self.reader.kind,
                "action-input",
                kind,
                self.group,
                raw=raw,
            )
        )

    def _claude_env(self, text: str, at: Path) -> None:
        """Parse like the action's parseCustomEnvVars: per line, split at the first colon, trim
        both sides, skip blank and `#` lines. Quotes are kept: the action does not remove them."""
        whole = text.strip()
        if whole.startswith("${{") and whole.endswith("}}") and whole.count("${{") == 1:
            self.reader._dynamic(at, "action-claude-env", self.group, "`claude_env` is an expression")
            return
        scalar = self.reader.doc.scalars.get(at)
        # (line, index to search from): the scalar's start, then just after each key found.
        cursor = (scalar.line, scalar.column - 1) if scalar else (1, 0)
        for offset, line in enumerate(text.split("\n")):
            trimmed = line.strip()
            if not trimmed or trimmed.startswith("#") or ":" not in trimmed:
                continue
            key, _, value = trimmed.partition(":")
            key, value = key.strip(), value.strip()
            if not key:
                continue
            position = self._position_in_block(scalar, offset, line, key, cursor)
            cursor = position
            end = (position[0], position[1] + len(trimmed))
            where = Location(self.reader.path, position[0], position[1], end[0], end[1])
            self.reader.observations.append(
                Observation(
                    ObservationKind.ENV,
                    key,
                    value,
                    where,
                    self.reader.kind,
                    "action-claude-env",
                    classify(value, shell=False),
                    self.group,
                    raw=value,
                )
            )

    def _position_in_block(
        self, scalar: ScalarInfo | None, offset: int, content: str, key: str, cursor: tuple[int, int]
    ) -> tuple[int, int]:
        """Where `key` (on line `offset` of the scalar's text) is in the workflow file."""
        lines = self.reader.lines
        if scalar is None:
            return cursor[0], max(cursor[1], 1)
        if scalar.style == "|":
            # A literal block keeps lines one to one; content starts below the `|` line.
            number = scalar.line + 1 + offset
            if number <= len(lines):
                source = lines[number - 1]
                indent = (
                    len(source) - len(content) if content and source.endswith(content) else _indent(source)
                )
                return number, indent + content.find(key) + 1
        # Folded or quoted: search forward, after the previous key, inside the scalar's span.
        # A key starts a line of the value: in the source it follows a non-word character or,
        # in a double-quoted scalar, a `\n` escape.
        pattern = regexcache.compile(r"(?:(?<![A-Za-z0-9_])|(?<=\\n))" + re.escape(key) + r"\s*:")
        after_line, after_column = cursor
        for number in range(after_line, min(scalar.end_line, len(lines)) + 1):
            match = pattern.search(lines[number - 1], after_column if number == after_line else 0)
            if match is not None:
                return number, match.start() + 1
        return scalar.line, scalar.column

    def _settings(self, text: str, kind: ValueKind, at: Path) -> None:
        stripped = text.strip()
        if not stripped:
            return
        if not stripped.startswith(("{", "[")):
            if kind is ValueKind.LITERAL:
                self.found["settings"] = "file"
                self.found["settings_file"] = stripped
            else:
                self.found["settings"] = "expression"
            return
        self.found["settings"] = "inline"
        from scanner.sources.jsonloc import parse_json
        from scanner.sources.settings import settings_observations

        scalar = self.reader.doc.scalars.get(at)
        line_offset, column_offset = self._json_offsets(scalar, text)
        doc = parse_json(text)
        problems = [*doc.issues, doc.error] if doc.error is not None else list(doc.issues)
        for issue in problems:
            self.settings_errors.append(
                {
                    "step": self.index,
                    "kind": issue.kind,
                    "line": issue.line + line_offset,
                    "column": issue.column + column_offset,
                    "message": issue.message,
                }
            )
        fatal = [issue for issue in problems if issue.kind != "duplicate-key"]
        if fatal:
            first = fatal[0]
            line = first.line + line_offset
            self.reader.notifications.append(
                Notification(
                    "warning",
                    f"{self.reader.path}:{line}: inline `settings` of step {self.index} in job "
                    f"{self.job_id!r} is not valid JSON ({first.message}); the action would fail",
                    self.reader.path,
                    line,
                    "invalid-settings",
                )
            )
        if not isinstance(doc.value, dict):
            if doc.error is None:
                self.reader._warn(
                    f"inline `settings` of step {self.index} in job {self.job_id!r} is not a JSON object",
                    self.reader._line(at),
                    "invalid-settings",
                )
            return
        self.reader.observations.extend(
            settings_observations(
                doc,
                self.reader.path,
                self.reader.kind,
                scope="action-settings",
                env_scope="action-settings-env",
                line_offset=line_offset,
                column_offset=column_offset,
                group=self.group,
            )
        )

    def _json_offsets(self, scalar: ScalarInfo | None, text: str) -> tuple[int, int]:
        """Offsets from positions in the scalar's text to positions in the workflow file."""
        if scalar is None:
            return 0, 0
        if scalar.style == "|":
            content_lines = text.split("\n")
            for offset, content in enumerate(content_lines):
                number = scalar.line + 1 + offset
                if content.strip() and number <= len(self.reader.lines):
                    source = self.reader.lines[number - 1]
                    indent = len(source) - len(content) if source.endswith(content) else _indent(source)
                    return scalar.line, indent
            return scalar.line, 0
        # One-line scalars are exact; folded and multi-line quoted ones only on their first line.
        quote = 1 if scalar.style in ("'", '"') else 0
        return scalar.line - 1, scalar.column - 1 + quote


def _input_names(inputs: JSONValue) -> list[JSONValue]:
    names: list[JSONValue] = []
    if isinstance(inputs, dict):
        names.extend(sorted(key.lower() for key in inputs))
    return names


def _indent(source: str) -> int:
    return len(source) - len(source.lstrip(" "))


def _is_claude_action(uses: str, inputs: JSONValue) -> bool:
    if claude_action_ref(uses) is not None:
        return True
    if uses.strip().startswith("./") and isinstance(inputs, dict):
        return any(key.lower() in _CLAUDE_ONLY_INPUTS for key in inputs)
    return False


def _is_official(uses: str) -> bool:
    found = claude_action_ref(uses)
    return found is not None and found[0].lower().startswith("anthropics/")


def _ref(uses: str) -> str | None:
    found = claude_action_ref(uses)
    return found[1] if found is not None else None


# -- does a `run:` script run Claude Code? ---------------------------------------------------

_SEPARATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", ";;", "|&", "{", "}", "!"})
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "fi", "done", "time", "!"})
_WRAPPERS = frozenset(
    {"sudo", "env", "nohup", "exec", "command", "timeout", "xargs", "nice", "stdbuf", "unbuffer"}
)
_WRAPPER_ARGUMENT_OPTIONS = frozenset({"-u", "-g", "-C", "-n", "-s", "-k", "--signal", "--kill-after"})
_PACKAGE_RUNNERS = frozenset({"npx", "bunx", "pnpx", "npm", "pnpm", "yarn", "bun"})
_INSTALL_WORDS = frozenset({"install", "i", "add", "global", "ci"})
_CLAUDE_PACKAGE = "@anthropic-ai/claude-code"
_HOW_RANK = ("command", "package", "install")
_ASSIGNMENT = regexcache.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_HEREDOC = regexcache.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def script_runs_claude(script: str) -> str | None:
    """How a shell script runs Claude Code: "command" (`claude ...`), "package" (`npx
    @anthropic-ai/claude-code`), "install" (a global npm/bun/yarn install, claude.ai/install.sh),
    or None; the first of these that occurs anywhere wins. A heuristic: heredoc bodies and
    comments are skipped, quotes respected."""
    import shlex

    found: set[str] = set()
    terminator: str | None = None
    for line in script.replace("\\\n", " ").split("\n"):
        if terminator is not None:
            if line.strip() == terminator:
                terminator = None
            continue
        heredoc = _HEREDOC.search(line)
        if heredoc is not None:
            terminator = heredoc.group(2)
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|(){}<>!")
        lexer.whitespace_split = True
        try:
            tokens = list(lexer)
        except ValueError:  # unbalanced quotes: fall back to plain words
            tokens = line.split()
        how = _tokens_run_claude(tokens)
        if how is not None:
            found.add(how)
    return next((how for how in _HOW_RANK if how in found), None)


def _tokens_run_claude(tokens: list[str]) -> str | None:
    command: list[str] = []
    for token in [*tokens, ";"]:
        if token in _SEPARATORS or (token and set(token) <= set(";&|(){}!")):
            how = _command_runs_claude(command)
            if how is not None:
                return how
            command = []
        else:
            command.append(token)
    return None


def _command_runs_claude(words: list[str]) -> str | None:
    words = [w[2:] if w.startswith("$(") else w.lstrip("`") for w in words]
    index = 0
    while index < len(words):
        word = words[index]
        if word in _KEYWORDS or _ASSIGNMENT.match(word):
            index += 1
            continue
        if word in _WRAPPERS:
            index += 1
            while index < len(words) and (words[index].startswith("-") or _ASSIGNMENT.match(words[index])):
                index += 2 if words[index] in _WRAPPER_ARGUMENT_OPTIONS else 1
            if word == "timeout" and index < len(words) and words[index][:1].isdigit():
                index += 1
            continue
        break
    rest = words[index:]
    if not rest:
        return None
    program = rest[0].rsplit("/", 1)[-1].rstrip("`")
    if program == "claude":
        return "command"
    if any("claude.ai/install" in word for word in rest):
        return "install"
    if program in _PACKAGE_RUNNERS and any(w.startswith(_CLAUDE_PACKAGE) for w in rest[1:]):
        return "install" if any(w in _INSTALL_WORDS for w in rest[1:]) else "package"
    if program in ("bash", "sh", "zsh") and "-c" in rest[1:]:
        position = rest.index("-c", 1)
        if position + 1 < len(rest):
            return script_runs_claude(rest[position + 1])
    return None
