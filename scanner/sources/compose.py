"""docker compose files: the `environment` of every service.

Observations: ENV, scope "compose-env", group ("services", name), one per variable, in both
forms compose accepts:
- map form `KEY: value`: YAML scalars become strings (true -> "true", 1 -> "1"); `KEY:` with
  no value passes the variable through from the host: REFERENCE with value None;
- list form `- KEY=value`, and `- KEY` alone for a pass-through (REFERENCE, value None).
Compose interpolates `${VAR}` and `$VAR` (and turns `$$` into `$`), so values are classified
with shell rules and without GitHub expressions. Anchors, aliases and `<<` merges (typically
from top-level `x-*` extension fields) are resolved by yamlloc; a merged variable's location is
where it is written, inside the anchor.

Facts:
    "valid_yaml": bool
    "extensions": [top-level `x-*` keys]
    "services": {name: {"line", "column", "image", "runs_claude", "env_files": [paths],
        "build": {"context", "dockerfile"} | None}}
    Paths (env files, build context, Dockerfile) are resolved against the compose file's
    directory and normalised to POSIX; URLs are kept as written.
"""

from __future__ import annotations

import posixpath
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
from scanner.sources.yamlloc import Path, YamlDoc, load_yaml, scalar_text

# registry.preload calls `prepare`: PyYAML's loader, built ahead of the first document.
from scanner.sources.yamlloc import prepare_loader as prepare

__all__ = ["mentions_claude", "parse", "prepare"]

_CLAUDE_WORD = regexcache.compile(r"(?<![a-z0-9])claude(?![a-z0-9])", re.IGNORECASE)
_CLAUDE_ENV_PREFIXES = ("CLAUDE_", "ANTHROPIC_")
_ESCAPED_DOLLAR = "\x00"


def parse(path: str, text: str, kind: FileKind = FileKind.COMPOSE) -> ParsedFile:
    """Read one compose file; never raises."""
    try:
        return _ComposeReader(path, text, kind).read()
    except Exception as exc:  # a bug here must cost one file, not the scan
        note = Notification(
            "error", f"{path}: internal error while reading compose file ({type(exc).__name__})", path
        )
        return ParsedFile(path, kind, notifications=(note,), facts=_empty_facts(False), text=text)


def mentions_claude(text: str) -> bool:
    """True when `text` names Claude as a word (`claude`, `claude-code`, `my/claude:latest`)."""
    return _CLAUDE_WORD.search(text) is not None


def _empty_facts(valid_yaml: bool) -> dict[str, JSONValue]:
    return {"valid_yaml": valid_yaml, "extensions": [], "services": {}}


class _ComposeReader:
    def __init__(self, path: str, text: str, kind: FileKind) -> None:
        self.path = path
        self.text = text
        self.kind = kind
        self.base = posixpath.dirname(path.replace("\\", "/"))
        self.doc: YamlDoc = load_yaml(text)
        self.observations: list[Observation] = []
        self.notifications: list[Notification] = [
            notice._replace(path=path, message=f"{path}: {notice.message}") for notice in self.doc.notices
        ]

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
                self._warn("a compose file must be a YAML mapping; nothing read", 1)
            return self._result(facts)
        facts["extensions"] = [key for key in root if key.startswith("x-")]
        services = root.get("services")
        found: dict[str, JSONValue] = {}
        if isinstance(services, dict):
            for name, service in services.items():
                if isinstance(service, dict):
                    found[name] = self._service(name, service)
                elif service is not None:
                    self._warn(f"service {name!r} is not a mapping; ignored", self._line(("services", name)))
        elif services is not None:
            self._warn("`services` is not a mapping; nothing read", self._line(("services",)))
        facts["services"] = found
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

    def _service(self, name: str, service: dict[str, JSONValue]) -> JSONValue:
        service_path: Path = ("services", name)
        group = ("services", name)
        names = self._environment(service.get("environment"), (*service_path, "environment"), group)
        line, column = self.doc.locations.get(service_path, (1, 1))
        image = service.get("image")
        mentioned = [image, service.get("command"), service.get("entrypoint")]
        runs_claude = any(mentions_claude(text) for text in _texts(mentioned)) or any(
            env_name.upper().startswith(_CLAUDE_ENV_PREFIXES) for env_name in names
        )
        return {
            "line": line,
            "column": column,
            "image": image if isinstance(image, str) else None,
            "runs_claude": runs_claude,
            "env_files": self._env_files(service.get("env_file")),
            "build": self._build(service.get("build")),
        }

    # -- environment -------------------------------------------------------------------------

    def _environment(self, environment: JSONValue, env_path: Path, group: tuple[str, ...]) -> list[str]:
        names: list[str] = []
        if isinstance(environment, dict):
            for name, value in environment.items():
                at: Path = (*env_path, name)
                if value is None:
                    self._add(name, value=None, value_kind=ValueKind.REFERENCE, at=at, group=group, raw=None)
                else:
                    text = scalar_text(value)
                    if text is None:
                        self._warn(f"value of {name} is not a scalar; compose rejects it", self._line(at))
                        continue
                    shown, kind = _interpolated(text)
                    self._add(name, value=shown, value_kind=kind, at=at, group=group, raw=value)
                names.append(name)
        elif isinstance(environment, list):
            for index, item in enumerate(environment):
                at = (*env_path, index)
                if not isinstance(item, str):
                    self._warn("an `environment` list item is not a string; ignored", self._line(at))
                    continue
                name, equals, value = item.partition("=")
                if not name:
                    continue
                if equals:
                    shown, kind = _interpolated(value)
                    self._add(name, value=shown, value_kind=kind, at=at, group=group, raw=item)
                else:
                    self._add(name, value=None, value_kind=ValueKind.REFERENCE, at=at, group=group, raw=item)
                names.append(name)
        elif environment is not None:
            self._warn("`environment` is neither a mapping nor a list; ignored", self._line(env_path))
        return names

    def _add(
        self,
        name: str,
        *,
        value: str | None,
        value_kind: ValueKind,
        at: Path,
        group: tuple[str, ...],
        raw: JSONValue,
    ) -> None:
        line, column = self.doc.locations.get(at, (1, 1))
        scalar = self.doc.scalars.get(at)
        end_line = scalar.end_line if scalar else None
        end_column = scalar.end_column if scalar else None
        self.observations.append(
            Observation(
                ObservationKind.ENV,
                name,
                value,
                Location(self.path, line, column, end_line, end_column),
                self.kind,
                "compose-env",
                value_kind,
                group,
                raw=raw,
            )
        )

    # -- files -------------------------------------------------------------------------------

    def _env_files(self, env_file: JSONValue) -> list[JSONValue]:
        entries = env_file if isinstance(env_file, list) else [env_file]
        files: list[JSONValue] = []
        for entry in entries:
            target = entry.get("path") if isinstance(entry, dict) else entry
            if isinstance(target, str) and target:
                files.append(self._resolve(self.base, target))
        return files

    def _build(self, build: JSONValue) -> JSONValue:
        if isinstance(build, str):
            context, dockerfile = build, None
        elif isinstance(build, dict):
            raw_context = build.get("context", ".")
            context = raw_context if isinstance(raw_context, str) else "."
            raw_dockerfile = build.get("dockerfile")
            dockerfile = raw_dockerfile if isinstance(raw_dockerfile, str) else None
            if dockerfile is None and "dockerfile_inline" in build:
                return {"context": self._resolve(self.base, context), "dockerfile": None}
        else:
            return None
        if _is_remote(context):
            return {"context": context, "dockerfile": dockerfile}
        resolved = self._resolve(self.base, context)
        return {"context": resolved, "dockerfile": self._resolve(resolved, dockerfile or "Dockerfile")}

    @staticmethod
    def _resolve(base: str, target: str) -> str:
        target = target.replace("\\", "/")
        if _is_remote(target):
            return target
        joined = target if target.startswith("/") else posixpath.join(base, target)
        return posixpath.normpath(joined) if joined else "."

    # -- helpers -----------------------------------------------------------------------------

    def _line(self, at: Path) -> int:
        return self.doc.locations.get(at, (1, 1))[0]

    def _warn(self, message: str, line: int) -> None:
        self.notifications.append(
            Notification("warning", f"{self.path}:{line}: {message}", self.path, line, "invalid-compose")
        )


def _interpolated(text: str) -> tuple[str, ValueKind]:
    """The value and its kind after compose interpolation; `$$` is a literal `$`."""
    escaped = text.replace("$$", _ESCAPED_DOLLAR)
    kind = classify(escaped, github=False)
    if kind is ValueKind.LITERAL:
        return escaped.replace(_ESCAPED_DOLLAR, "$"), kind
    return text, kind


def _texts(values: list[JSONValue]) -> list[str]:
    texts: list[str] = []
    for value in values:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, list):
            texts.extend(item for item in value if isinstance(item, str))
    return texts


def _is_remote(target: str) -> bool:
    return "://" in target or target.startswith("git@")
