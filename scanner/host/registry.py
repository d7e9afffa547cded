"""Windows registry policy: `HKLM`/`HKCU\\SOFTWARE\\Policies\\ClaudeCode`, value `Settings`.

The value is single-line JSON (REG_SZ, or REG_EXPAND_SZ) with the keys of managed-settings.json
(reference 1.1). On Windows it is read live with `winreg`; anywhere else (a `--root` audit of an
image or backup) from `.reg` files written by `reg export` (README "Host scans").

`.reg` files: "Windows Registry Editor Version 5.00" (UTF-16 LE with a BOM, as regedit and `reg export`
write them) or "REGEDIT4" (ANSI); `[key]` and `[-key]` sections, `"name"=` and `@=` values, `;`
comments; REG_SZ strings with `\\\\` and `\\"` escapes; `dword:`, `hex:`, `hex(N):` data continued
over lines ending in `\\`. REG_EXPAND_SZ (`hex(2):`) is UTF-16 LE in version 5 exports, ANSI in
REGEDIT4.

Observations (FileKind.REGISTRY):
- the policy JSON's settings, exactly like a settings file, with group ("HKLM",) or ("HKCU",). For a
  REG_SZ value every key points at its own column in the `.reg` line; for hex data (no readable
  columns) and live values everything points at the value name (live: line 1, the JSON's column);
- environment variables stored in `HKCU\\Environment` and in HKLM's `Session Manager\\Environment`
  (what `setx` writes, inherited by every process the user starts): ENV, scope "registry-env", group
  (hive, "Environment"). `%NAME%` in a REG_EXPAND_SZ value is a reference.
A policy value that is not valid JSON contributes nothing (like a managed file), with a notification.

Facts: "registry_format" ("regedit5" | "regedit4" | "live"), "hives" (hives with sections in the
file), "policy_hives" (hives whose policy value was usable), "invalid_policy" (hives whose value
was not).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

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
from scanner.sources.jsonloc import JsonDoc, JsonPath, Position, parse_json
from scanner.sources.settings import settings_observations, shape_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "LIVE_ENV_KEYS",
    "LIVE_POLICY_PATH",
    "RegExport",
    "RegValue",
    "parse",
    "parse_reg_export",
    "read_live_environment",
    "read_live_policy",
]

HIVES = {
    "HKEY_LOCAL_MACHINE": "HKLM",
    "HKEY_CURRENT_USER": "HKCU",
    "HKEY_USERS": "HKU",
    "HKEY_CLASSES_ROOT": "HKCR",
    "HKEY_CURRENT_CONFIG": "HKCC",
}
POLICY_SUBKEY = "software\\policies\\claudecode"
POLICY_VALUE = "settings"
ENV_SUBKEYS = {
    "HKCU": ("environment",),
    "HKLM": (
        "system\\currentcontrolset\\control\\session manager\\environment",
        "system\\controlset001\\control\\session manager\\environment",
    ),
}
LIVE_POLICY_PATH = "{hive}/SOFTWARE/Policies/ClaudeCode"
LIVE_ENV_KEYS = {
    "HKCU": "Environment",
    "HKLM": "SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment",
}
_HEADERS = {"windows registry editor version 5.00": "regedit5", "regedit4": "regedit4"}
_LINE_BREAK = regexcache.compile(r"\r\n|\r|\n")
_HEX_TYPE = regexcache.compile(r"hex(?:\(([0-9a-fA-F]+)\))?:", re.I)
_EXPAND_REF = regexcache.compile(r"%[^%\s]+%")
_TYPE_NAMES = {
    0: "REG_NONE",
    1: "REG_SZ",
    2: "REG_EXPAND_SZ",
    3: "REG_BINARY",
    4: "REG_DWORD",
    7: "REG_MULTI_SZ",
    11: "REG_QWORD",
}


@dataclass(frozen=True)
class RegValue:
    hive: str  # HKLM | HKCU | HKU | ...
    subkey: str  # as written, without the hive
    name: str  # "" for the default value (@)
    type: str  # REG_SZ | REG_EXPAND_SZ | REG_DWORD | REG_QWORD | REG_MULTI_SZ | REG_BINARY | REG_NONE
    data: str | int | bytes | tuple[str, ...] | None
    line: int
    column: int  # of the value name's opening quote (or the @)
    # REG_SZ only: the column of each decoded character in the line (for exact JSON locations).
    char_columns: tuple[int, ...] | None = None


@dataclass(frozen=True)
class RegExport:
    format: str | None  # regedit5 | regedit4 | None when the header is missing
    values: tuple[RegValue, ...] = ()
    hives: tuple[str, ...] = ()
    notifications: tuple[Notification, ...] = field(default_factory=tuple)


# -- .reg text --------------------------------------------------------------------------------


def parse_reg_export(path: str, text: str) -> RegExport:
    lines = _LINE_BREAK.split(text.lstrip("\ufeff"))
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    fmt = _HEADERS.get(lines[header_index].strip().lower()) if header_index is not None else None
    if fmt is None or header_index is None:
        note = Notification(
            "error",
            f'{path} is not a registry export (no "Windows Registry Editor Version '
            '5.00" or "REGEDIT4" header); not read',
            path,
            1,
            "parse-error",
        )
        return RegExport(None, notifications=(note,))
    unicode = fmt == "regedit5"
    values: list[RegValue] = []
    hives: dict[str, None] = {}
    skipped: list[int] = []
    hive: str | None = None
    subkey = ""
    index = header_index + 1
    while index < len(lines):
        start = index
        line = lines[index]
        index += 1
        stripped = line.strip()
        if not stripped or stripped.startswith(";"):
            continue
        if stripped.startswith("["):
            hive, subkey = _key(stripped)
            if hive is not None:
                hives.setdefault(hive, None)
            continue
        if not stripped.startswith(('"', "@")):
            skipped.append(start + 1)
            continue
        # Hex data continues over lines that end in a backslash.
        logical = line
        while logical.rstrip().endswith("\\") and index < len(lines):
            logical = logical.rstrip()[:-1] + lines[index].strip()
            index += 1
        if hive is None:
            continue  # a value of a deleted key, or outside any key
        value = _value(logical, hive, subkey, start + 1, unicode)
        if value is None:
            skipped.append(start + 1)
        elif value.type != "DELETE":
            values.append(value)
    notes: list[Notification] = []
    if skipped:
        where = ", ".join(str(n) for n in skipped[:5]) + (" ..." if len(skipped) > 5 else "")
        notes.append(
            Notification(
                "warning",
                f"{path}: {len(skipped)} line(s) are not registry entries and were skipped (line {where})",
                path,
                skipped[0],
                "parse-error",
            )
        )
    return RegExport(fmt, tuple(values), tuple(hives), tuple(notes))


def _key(stripped: str) -> tuple[str | None, str]:
    inner = stripped[1:].split("]", 1)[0]
    if inner.startswith("-"):
        return None, ""  # a deletion: nothing under it is a value
    root, _, rest = inner.partition("\\")
    hive = HIVES.get(root.upper(), root.upper() if root.upper() in HIVES.values() else None)
    return hive, rest


def _quoted(line: str, start: int) -> tuple[str, list[int], int] | None:
    """The string opening at `start` (a quote): (text, column of each character, index after it)."""
    chars: list[str] = []
    columns: list[int] = []
    i = start + 1
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line) and line[i + 1] in '\\"':
            chars.append(line[i + 1])
            columns.append(i + 1)
            i += 2
            continue
        if ch == '"':
            return "".join(chars), columns, i + 1
        chars.append(ch)
        columns.append(i + 1)
        i += 1
    return None


def _value(line: str, hive: str, subkey: str, lineno: int, unicode: bool) -> RegValue | None:
    offset = len(line) - len(line.lstrip())
    if line[offset] == "@":
        name, after = "", offset + 1
    else:
        quoted = _quoted(line, offset)
        if quoted is None:
            return None
        name, _, after = quoted
    rest = line[after:].lstrip()
    if not rest.startswith("="):
        return None
    data_start = len(line) - len(rest) + 1
    data = line[data_start:].strip()
    data_at = line.index(data, data_start) if data else data_start
    column = offset + 1

    def make(kind: str, payload: Any, columns: tuple[int, ...] | None = None) -> RegValue:
        return RegValue(hive, subkey, name, kind, payload, lineno, column, columns)

    if data == "-":
        return make("DELETE", None)
    if data.startswith('"'):
        quoted = _quoted(line, data_at)
        if quoted is None:
            return None
        text, columns, _ = quoted
        return make("REG_SZ", text, tuple(columns))
    low = data.lower()
    if low.startswith("dword:"):
        try:
            return make("REG_DWORD", int(data[6:].strip(), 16))
        except ValueError:
            return None
    match = _HEX_TYPE.match(data)
    if match is None:
        return None
    try:
        raw = bytes(int(part, 16) for part in data[match.end() :].replace(" ", "").split(",") if part)
    except ValueError:
        return None
    type_number = int(match.group(1), 16) if match.group(1) else 3
    kind = _TYPE_NAMES.get(type_number, f"REG_TYPE_{type_number}")
    if type_number in (1, 2):
        return make(kind, _decode(raw, unicode).rstrip("\0"))
    if type_number == 7:
        return make(kind, tuple(s for s in _decode(raw, unicode).split("\0") if s))
    if type_number == 11 and len(raw) == 8:
        return make(kind, int.from_bytes(raw, "little"))
    return make(kind, raw)


def _decode(raw: bytes, unicode: bool) -> str:
    return raw.decode("utf-16-le", "replace") if unicode else raw.decode("cp1252", "replace")


# -- observations -----------------------------------------------------------------------------


def parse(path: str, text: str, kind: FileKind = FileKind.REGISTRY) -> ParsedFile:
    """A `.reg` export; never raises."""
    try:
        return _parse(path, text, kind)
    except Exception as exc:  # a bug here must cost one file, not the scan
        note = Notification(
            "error",
            f"{path}: internal error while reading a registry export ({type(exc).__name__})",
            path,
            None,
            "internal-parse-error",
        )
        return ParsedFile(path, kind, notifications=(note,), text=text)


def _parse(path: str, text: str, kind: FileKind) -> ParsedFile:
    export = parse_reg_export(path, text)
    notes = list(export.notifications)
    observations: list[Observation] = []
    policy: dict[str, RegValue] = {}
    for value in export.values:
        sub = value.subkey.lower()
        if sub == POLICY_SUBKEY and value.name.lower() == POLICY_VALUE and value.hive in ("HKLM", "HKCU"):
            policy[value.hive] = value  # the last one wins, as in regedit's import
        elif value.name and sub in ENV_SUBKEYS.get(value.hive, ()):
            observation = _env_observation(path, kind, value)
            if observation is not None:
                observations.append(observation)
    usable: list[str] = []
    invalid: list[str] = []
    for hive in sorted(policy):
        value = policy[hive]
        found, note = _policy_observations(path, kind, value)
        if note is not None:
            notes.append(note)
            invalid.append(hive)
        else:
            usable.append(hive)
        observations.extend(found)
    facts: dict[str, JSONValue] = {
        "registry_format": export.format,
        "hives": list(export.hives),
        "policy_hives": list(usable),
        "invalid_policy": list(invalid),
    }
    return ParsedFile(path, kind, tuple(observations), tuple(notes), facts, text=text)


def _env_observation(path: str, kind: FileKind, value: RegValue) -> Observation | None:
    if value.type not in ("REG_SZ", "REG_EXPAND_SZ") or not isinstance(value.data, str):
        return None
    value_kind = ValueKind.LITERAL
    if value.type == "REG_EXPAND_SZ" and _EXPAND_REF.search(value.data):
        value_kind = ValueKind.REFERENCE if _EXPAND_REF.fullmatch(value.data) else ValueKind.DYNAMIC
    return Observation(
        ObservationKind.ENV,
        value.name,
        value.data,
        Location(path, value.line, value.column),
        kind,
        "registry-env",
        value_kind=value_kind,
        group=(value.hive, "Environment"),
    )


def _policy_observations(
    path: str, kind: FileKind, value: RegValue
) -> tuple[list[Observation], Notification | None]:
    where = f"{value.hive}\\SOFTWARE\\Policies\\ClaudeCode\\Settings"
    if value.type not in ("REG_SZ", "REG_EXPAND_SZ") or not isinstance(value.data, str):
        return [], Notification(
            "error",
            f"{path}: {where} is {value.type}, not a JSON string; it contributes nothing",
            path,
            value.line,
            "invalid-settings",
        )
    columns = value.char_columns
    return policy_from_json(
        path,
        kind,
        value.data,
        hive=value.hive,
        line=value.line,
        name_column=value.column,
        char_columns=columns,
    )


def policy_from_json(
    path: str,
    kind: FileKind,
    text: str,
    *,
    hive: str,
    line: int,
    name_column: int,
    char_columns: Sequence[int] | None,
) -> tuple[list[Observation], Notification | None]:
    """Observations of a policy value's JSON, located in the line that holds it.

    `char_columns` maps each character of `text` to its column; None means the text has no readable
    columns (hex data): then every key points at `name_column`.
    """
    where = f"{hive}\\SOFTWARE\\Policies\\ClaudeCode\\Settings"
    doc = parse_json(text)
    strict = doc.error is None and all(issue.kind == "duplicate-key" for issue in doc.issues)
    if not strict:
        problem = doc.error or next(i for i in doc.issues if i.kind != "duplicate-key")
        return [], Notification(
            "error",
            f"{path}: {where} is not valid JSON ({problem.message}); it contributes nothing",
            path,
            line,
            "parse-error",
        )
    if not isinstance(doc.value, dict):
        return [], Notification(
            "error",
            f"{path}: {where} must be a JSON object, found {shape_name(doc.value)}; it contributes nothing",
            path,
            line,
            "invalid-settings",
        )

    def place(position: Position, exclusive: bool = False) -> Position:
        json_line, json_column = position
        if char_columns is None or json_line != 1:
            return line, name_column
        index = json_column - 1
        if index < len(char_columns):
            return line, char_columns[index]
        if exclusive and index == len(char_columns) and char_columns:
            return line, char_columns[-1] + 1
        return line, name_column

    locations: dict[JsonPath, Position] = {k: place(v) for k, v in doc.locations.items()}
    ends: dict[JsonPath, Position] = (
        {k: place(v, True) for k, v in doc.value_ends.items()} if char_columns is not None else {}
    )
    located = JsonDoc(doc.value, locations, ends, doc.issues, None)
    return settings_observations(located, path, kind, group=(hive,)), None


# -- live registry (Windows) --------------------------------------------------------------------


def _winreg(module: Any | None) -> Any | None:
    if module is not None:
        return module
    try:
        import winreg
    except ImportError:
        return None
    return winreg


def _open(reg: Any, hive: str, subkey: str) -> Any | None:
    root = reg.HKEY_LOCAL_MACHINE if hive == "HKLM" else reg.HKEY_CURRENT_USER
    # The 64-bit view: a 32-bit Python would otherwise read WOW6432Node, which Claude Code does not.
    access = reg.KEY_READ | getattr(reg, "KEY_WOW64_64KEY", 0)
    try:
        return reg.OpenKey(root, subkey, 0, access)
    except OSError:
        return None


def read_live_policy(hive: str, module: Any | None = None) -> ParsedFile | None:
    """The `Settings` value under `<hive>\\SOFTWARE\\Policies\\ClaudeCode`, or None when absent."""
    reg = _winreg(module)
    if reg is None:
        return None
    path = LIVE_POLICY_PATH.format(hive=hive)
    key = _open(reg, hive, "SOFTWARE\\Policies\\ClaudeCode")
    if key is None:
        return None
    try:
        try:
            data, value_type = reg.QueryValueEx(key, "Settings")
        except OSError:
            return None
    finally:
        reg.CloseKey(key)
    facts: dict[str, JSONValue] = {
        "registry_format": "live",
        "hives": [hive],
        "policy_hives": [],
        "invalid_policy": [],
    }
    if value_type not in (reg.REG_SZ, reg.REG_EXPAND_SZ) or not isinstance(data, str):
        note = Notification(
            "error",
            f"{path}\\Settings is not a string value; it contributes nothing",
            path,
            1,
            "invalid-settings",
        )
        facts["invalid_policy"] = [hive]
        return ParsedFile(path, FileKind.REGISTRY, (), (note,), facts)
    observations, problem = policy_from_json(
        path, FileKind.REGISTRY, data, hive=hive, line=1, name_column=1, char_columns=range(1, len(data) + 1)
    )
    facts["policy_hives" if problem is None else "invalid_policy"] = [hive]
    notes = (problem,) if problem is not None else ()
    return ParsedFile(path, FileKind.REGISTRY, tuple(observations), notes, facts, text=data)


def read_live_environment(hive: str, module: Any | None = None) -> ParsedFile | None:
    """The variables stored for new processes (`setx`): HKCU\\Environment or the machine's."""
    reg = _winreg(module)
    if reg is None:
        return None
    subkey = LIVE_ENV_KEYS[hive]
    key = _open(reg, hive, subkey)
    if key is None:
        return None
    path = f"{hive}/{subkey.replace(chr(92), '/')}"
    values: list[tuple[str, str, int]] = []
    try:
        index = 0
        while True:
            try:
                name, data, value_type = reg.EnumValue(key, index)
            except OSError:
                break
            index += 1
            if isinstance(data, str) and value_type in (reg.REG_SZ, reg.REG_EXPAND_SZ) and name:
                values.append((name, data, value_type))
    finally:
        reg.CloseKey(key)
    observations = []
    for line, (name, data, value_type) in enumerate(sorted(values), start=1):
        expand = value_type == reg.REG_EXPAND_SZ
        reg_value = RegValue(hive, subkey, name, "REG_EXPAND_SZ" if expand else "REG_SZ", data, line, 1)
        observation = _env_observation(path, FileKind.REGISTRY, reg_value)
        if observation is not None:
            observations.append(observation)
    facts: dict[str, JSONValue] = {
        "registry_format": "live",
        "hives": [hive],
        "policy_hives": [],
        "invalid_policy": [],
    }
    return ParsedFile(path, FileKind.REGISTRY, tuple(observations), (), facts)
