"""Which source parses which file kind: an explicit table, imported lazily.

Lazy because the pre-commit path usually touches one or two formats, and importing every
parser (and PyYAML behind the YAML ones) would cost more than the scan itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable

from scanner.model import FileKind, Notification, ParsedFile

Parser = Callable[[str, str, FileKind], ParsedFile]

SOURCES: dict[FileKind, str] = {
    FileKind.SETTINGS_USER: "scanner.sources.settings",
    FileKind.SETTINGS_PROJECT: "scanner.sources.settings",
    FileKind.SETTINGS_LOCAL: "scanner.sources.settings",
    FileKind.SETTINGS_MANAGED: "scanner.sources.settings",
    FileKind.SETTINGS_MANAGED_DROPIN: "scanner.sources.settings",
    FileKind.SETTINGS_REMOTE: "scanner.sources.settings",
    FileKind.SETTINGS_INERT: "scanner.sources.settings",
    FileKind.MCP: "scanner.sources.mcp",
    FileKind.MANAGED_MCP: "scanner.sources.mcp",
    FileKind.DOTENV: "scanner.sources.dotenv",
    FileKind.ENVRC: "scanner.sources.shell",
    FileKind.SHELL: "scanner.sources.shell",
    FileKind.FISH: "scanner.sources.fish",
    FileKind.CSH: "scanner.sources.csh",
    FileKind.POWERSHELL: "scanner.sources.powershell",
    FileKind.WORKFLOW: "scanner.sources.workflow",
    FileKind.DOCKERFILE: "scanner.sources.dockerfile",
    FileKind.DEVCONTAINER: "scanner.sources.devcontainer",
    FileKind.COMPOSE: "scanner.sources.compose",
    FileKind.CLAUDE_JSON: "scanner.host.claude_json",
    FileKind.PLIST: "scanner.host.plist",
    FileKind.REGISTRY: "scanner.host.registry",
}


def parser_for(kind: FileKind) -> Parser | None:
    module = SOURCES.get(kind)
    if module is None:
        return None
    parse: Parser = importlib.import_module(module).parse
    return parse


def preload(kinds: Iterable[FileKind]) -> None:
    """Import the parsers of `kinds` ahead of parse_file (while git reads the files, say), and
    what they would import on first use: a parser module's `prepare()`, where it has one."""
    for name in sorted({SOURCES[kind] for kind in kinds if kind in SOURCES}):
        prepare = getattr(importlib.import_module(name), "prepare", None)
        if prepare is not None:
            prepare()


def parse_file(path: str, text: str, kind: FileKind) -> ParsedFile:
    """Parse one file; a parser bug becomes a notification, never a crash of the scan."""
    parser = parser_for(kind)
    if parser is None:
        return ParsedFile(path, kind, text=text)
    try:
        return parser(path, text, kind)
    except RecursionError:
        note = Notification("error", f"{path}: too deeply nested to read", path, None, "too-complex")
    except Exception as exc:
        note = Notification(
            "error",
            f"{path}: could not be read ({type(exc).__name__}); the rest of the scan goes on",
            path,
            None,
            "internal-parse-error",
        )
    return ParsedFile(path, kind, notifications=(note,), text=text)
