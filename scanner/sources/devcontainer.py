"""`devcontainer.json` (JSONC: comments and trailing commas are legal, so they are not reported).

Observations:
    SETTING for each top-level key (name, image, build, features, postCreateCommand, ...), scope
    "devcontainer";
    ENV for each member of `containerEnv` (scope "container-env") and `remoteEnv` ("remote-env").
Values are classified by `_value_kind`: the devcontainer substitutions `${localEnv:X}`,
`${containerEnv:X}` and `${env:X}` (with or without a `:default`) are a REFERENCE alone and DYNAMIC
mixed with text; anything else goes through `values.classify(..., github=False)`.

Facts:
    "strict_errors": [] (JSONC is legal here), "parse_failed": bool;
    "runs_claude": bool - a feature id containing "claude-code", a lifecycle command (onCreate,
        updateContent, postCreate, postStart, postAttach) that installs or runs Claude Code
        (`@anthropic-ai/claude-code`, `claude.ai/install`, or a `claude` command word), the Claude
        Code VS Code extension (`anthropic.claude-code`), or a CLAUDE_* / ANTHROPIC_* variable in
        containerEnv/remoteEnv;
    "anchor": {"line", "column"} of the "name" key, else of the root value;
    "dockerfile": `build.dockerfile` (or the legacy top-level `dockerFile`) resolved against this
        file's directory, as a POSIX path relative to the scan root; null when absent, when it
        uses a `${...}` substitution, or when it points outside the scan root;
    "compose_files": `dockerComposeFile` (string or list) resolved the same way (unresolvable
        entries dropped); "service": the `service` string or null.
"""

from __future__ import annotations

import posixpath

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
from scanner.sources.jsonloc import JsonDoc, parse_json
from scanner.sources.settings import located, parse_error_notification, shape_name

__all__ = ["parse"]

_SCOPE = "devcontainer"
_ENV_SCOPES = (("containerEnv", "container-env"), ("remoteEnv", "remote-env"))
_LIFECYCLE_COMMANDS = (
    "onCreateCommand",
    "updateContentCommand",
    "postCreateCommand",
    "postStartCommand",
    "postAttachCommand",
)
_CLAUDE_PACKAGES = ("@anthropic-ai/claude-code", "claude.ai/install")
_CLAUDE_EXTENSION = "anthropic.claude-code"
_CLAUDE_ENV_PREFIXES = ("CLAUDE_", "ANTHROPIC_")

_DEVCONTAINER_REF = regexcache.compile(r"\$\{(?:localEnv|containerEnv|env):[^}]*\}")
# Where a new simple command can start in a shell line.
_COMMAND_BREAK = regexcache.compile(r"\$\(|[;&|(){}\n`]")
_ASSIGNMENT = regexcache.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_PREFIX_WORDS = frozenset(
    {"sudo", "exec", "command", "nohup", "time", "env", "then", "do", "else", "if", "while", "until", "!"}
)


def parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    """Read one devcontainer.json; never raises."""
    try:
        return _parse(path, text, kind)
    except Exception as exc:  # a bug here must cost one file, not the scan
        note = Notification(
            "error", f"{path}: internal error while reading devcontainer.json ({type(exc).__name__})", path
        )
        return ParsedFile(path, kind, notifications=(note,), text=text)


def _parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    doc = parse_json(text)
    notifications: list[Notification] = []
    if doc.error is not None:
        notifications.append(parse_error_notification(path, doc))
    root = doc.value
    observations: list[Observation] = []
    config: dict[str, JSONValue] = {}
    if isinstance(root, dict):
        config = root
        observations = _observations(doc, path, kind, root)
    elif doc.error is None:
        notifications.append(
            Notification(
                "error",
                f"{path}: devcontainer.json must be a JSON object, found {shape_name(root)}",
                path,
                doc.locations.get((), (1, 1))[0],
                "invalid-devcontainer",
            )
        )
    anchor_line, anchor_column = doc.locations.get(("name",), doc.locations.get((), (1, 1)))
    build = config.get("build")
    dockerfile = build.get("dockerfile") if isinstance(build, dict) else None
    if dockerfile is None:
        dockerfile = config.get("dockerFile")
    compose = config.get("dockerComposeFile")
    compose_refs = compose if isinstance(compose, list) else [compose]
    compose_files: list[JSONValue] = [
        resolved for resolved in (_resolve(path, ref) for ref in compose_refs) if resolved is not None
    ]
    service = config.get("service")
    facts: dict[str, JSONValue] = {
        "strict_errors": [],
        "parse_failed": doc.error is not None,
        "runs_claude": _runs_claude(config),
        "anchor": {"line": anchor_line, "column": anchor_column},
        "dockerfile": _resolve(path, dockerfile),
        "compose_files": compose_files,
        "service": service if isinstance(service, str) else None,
    }
    return ParsedFile(
        path=path,
        kind=kind,
        observations=tuple(observations),
        notifications=tuple(notifications),
        facts=facts,
        text=text,
    )


def _observations(doc: JsonDoc, path: str, kind: FileKind, config: dict[str, JSONValue]) -> list[Observation]:
    observations = [
        Observation(ObservationKind.SETTING, key, value, located(doc, path, (key,)), kind, _SCOPE)
        for key, value in config.items()
    ]
    for key, scope in _ENV_SCOPES:
        env = config.get(key)
        if not isinstance(env, dict):
            continue
        observations.extend(
            Observation(
                ObservationKind.ENV,
                name,
                value,
                located(doc, path, (key, name)),
                kind,
                scope,
                value_kind=_value_kind(value),
                raw=value,
            )
            for name, value in env.items()
        )
    return observations


def _value_kind(value: JSONValue) -> ValueKind:
    if not isinstance(value, str):
        return ValueKind.NON_STRING
    if _DEVCONTAINER_REF.fullmatch(value):
        return ValueKind.REFERENCE
    if _DEVCONTAINER_REF.search(value):
        return ValueKind.DYNAMIC
    return values.classify(value, github=False)


def _runs_claude(config: dict[str, JSONValue]) -> bool:
    features = config.get("features")
    feature_ids: list[JSONValue] = []
    if isinstance(features, dict):
        feature_ids = list(features)
    elif isinstance(features, list):
        feature_ids = features
    if any(isinstance(feature, str) and "claude-code" in feature.lower() for feature in feature_ids):
        return True
    if any(_mentions_claude(config.get(key)) for key in _LIFECYCLE_COMMANDS):
        return True
    if _CLAUDE_EXTENSION in _vscode_extensions(config):
        return True
    for key, _scope in _ENV_SCOPES:
        env = config.get(key)
        if isinstance(env, dict) and any(name.upper().startswith(_CLAUDE_ENV_PREFIXES) for name in env):
            return True
    return False


def _vscode_extensions(config: dict[str, JSONValue]) -> list[str]:
    customizations = config.get("customizations")
    vscode = customizations.get("vscode") if isinstance(customizations, dict) else None
    extensions = vscode.get("extensions") if isinstance(vscode, dict) else None
    if not isinstance(extensions, list):
        return []
    return [extension.lower() for extension in extensions if isinstance(extension, str)]


def _mentions_claude(command: JSONValue) -> bool:
    """A lifecycle command (string, exec-form array, or object of named commands) that involves
    Claude Code. Each array element is also read as a shell line, for `["bash", "-c", "..."]`."""
    if isinstance(command, str):
        lowered = command.lower()
        return any(package in lowered for package in _CLAUDE_PACKAGES) or _has_claude_command(command)
    if isinstance(command, list):
        return any(_mentions_claude(part) for part in command)
    if isinstance(command, dict):
        return any(_mentions_claude(part) for part in command.values())
    return False


def _has_claude_command(line: str) -> bool:
    for segment in _COMMAND_BREAK.split(line):
        words = segment.split()
        index = 0
        while index < len(words):
            word = words[index].strip("'\"")
            if _ASSIGNMENT.match(word) or word in _PREFIX_WORDS or (index and word.startswith("-")):
                index += 1
                continue
            if posixpath.basename(word) == "claude":
                return True
            break
    return False


def _resolve(path: str, reference: JSONValue) -> str | None:
    """`reference` (relative to the directory of `path`) as a normalised POSIX path."""
    if not isinstance(reference, str) or not reference.strip() or "${" in reference:
        return None
    reference = reference.strip().replace("\\", "/")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), reference))
    if not posixpath.isabs(path) and (
        posixpath.isabs(resolved) or resolved == ".." or resolved.startswith("../")
    ):
        return None  # outside the scan root: not a file of this repository
    return resolved
