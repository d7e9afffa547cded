"""The knowledge base: every variable and settings key ccpolicy knows, as data.

The data lives in `variables.toml`, `settings.toml` and `controls.toml` beside this module;
this module only loads and indexes it. Facts come from reference/claude-code.md, each entry
naming its source.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from scanner.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Beside this module (a path, not importlib.resources: see catalogue.load.rules_dir).
_HERE = Path(__file__).resolve().parent

FORMAT = 1  # of the kept knowledge base (see load)
_FILES = ("variables.toml", "settings.toml", "controls.toml")

# Value classes (reference 2.1).
PRESENCE = "presence"  # any non-empty value turns it on, including "0" and "false"
BOOLEAN = "boolean"  # 1/true on, 0/false off, any casing
STRING = "string"
URL = "url"
PATH = "path"
NUMBER = "number"
COMMAND = "command"

# What turning a variable on does to outbound data.
PROTECTS = "protects"  # on = less data leaves (DISABLE_TELEMETRY)
EXPOSES = "exposes"  # on = more data leaves (OTEL_LOG_USER_PROMPTS)
ROUTES = "routes"  # chooses where traffic goes (provider switches, base URLs, proxies)
CREDENTIAL = "credential"  # a secret
NEUTRAL = "neutral"


class Variable(NamedTuple):
    name: str
    value_class: str
    effect: str
    category: str
    summary: str
    controls: tuple[str, ...] = ()  # privacy controls it switches (see controls.toml)
    alias_of: str | None = None  # deprecated name of another variable
    secret: bool = False
    provider: str | None = None  # provider switched on by this variable, if any
    unconfirmed: str | None = None  # what is unconfirmed about it, if anything
    source: str = ""


class SettingKey(NamedTuple):
    key: str  # dotted path, e.g. "permissions.defaultMode"
    # boolean | integer | number | string | string-or-array | array | object | enum | command |
    # any (the value's shape is not confirmed, so no type check)
    type: str
    scope: str  # any | managed | user-or-managed | user-local-managed | global-config
    category: str
    summary: str
    enum: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: object = None
    fails_closed: bool = False
    source: str = ""
    unconfirmed: str | None = None  # what is unconfirmed about it (type, scope), if anything


class Control(NamedTuple):
    """A privacy control: a behaviour that sends data to Anthropic unless switched off."""

    name: str
    title: str
    disabled_by: tuple[str, ...]  # variables whose "on" state disables it
    off_on_providers: tuple[str, ...] = ()  # off by default on these providers
    # a setting that also disables it, as (key, value), e.g. ("feedbackSurveyRate", 0)
    disabled_by_setting: tuple[tuple[str, object], ...] = ()
    recipient: str = ""
    retention: str = ""
    source: str = ""


class KnowledgeBase(NamedTuple):
    variables: dict[str, Variable]
    settings: dict[str, SettingKey]
    controls: dict[str, Control]
    known_top_level_keys: frozenset[str]
    runtime_state_keys: frozenset[str] = frozenset()

    def variable(self, name: str) -> Variable | None:
        return self.variables.get(name)

    def canonical(self, name: str) -> str:
        var = self.variables.get(name)
        return var.alias_of if var is not None and var.alias_of else name


def _read(name: str) -> dict[str, Any]:
    from scanner import tomlcache

    data = (_HERE / name).read_bytes()
    return tomlcache.parse([(name, data)])[0]


def _read_all(sources: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    """The files' tables, through scanner.tomlcache (JSON when cached, else tomllib as `_read`)."""
    from scanner import tomlcache

    return tomlcache.load(sources)


def _tables(data: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = dict(data.get(name, {}))
    return tables


@lru_cache(maxsize=1)
def load() -> KnowledgeBase:
    """The knowledge base: built from the data files, or as the last run built it from the same
    bytes with the same code (~0.5 ms instead of ~3.5). Kept pickled, and so loaded only when
    private to the user, as every pickled cache."""
    from scanner.cachedir import cache_folder, load_pickled, store_pickled

    sources = [(f"knowledge/{name}", (_HERE / name).read_bytes()) for name in _FILES]
    folder = cache_folder("knowledge")
    if folder is None:
        return _build(sources)
    file, key = folder / "knowledge.pickle", _key(sources)
    kept = load_pickled(file, key)
    if isinstance(kept, KnowledgeBase):
        return kept
    built = _build(sources)
    store_pickled(file, key, built)
    return built


def _key(sources: list[tuple[str, bytes]]) -> str:
    from scanner import __version__
    from scanner.digest import sha256

    code = os.stat(__file__)  # an edited checkout builds differently
    digest = sha256(f"ccpolicy {__version__} knowledge {FORMAT} {code.st_size} {code.st_mtime_ns}".encode())
    for name, data in sources:
        digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def _build(sources: list[tuple[str, bytes]]) -> KnowledgeBase:
    var_data, set_data, ctl_data = _read_all(sources)
    variables: dict[str, Variable] = {}
    for name, raw in _tables(var_data, "variables").items():
        variables[name] = Variable(
            name=name,
            value_class=raw["class"],
            effect=raw.get("effect", NEUTRAL),
            category=raw.get("category", "other"),
            summary=raw.get("summary", ""),
            controls=tuple(raw.get("controls", ())),
            alias_of=raw.get("alias_of") or None,
            secret=bool(raw.get("secret", False)),
            provider=raw.get("provider") or None,
            unconfirmed=raw.get("unconfirmed") or None,
            source=raw.get("source", ""),
        )
    settings: dict[str, SettingKey] = {}
    for key, raw in _tables(set_data, "settings").items():
        settings[key] = SettingKey(
            key=key,
            type=raw["type"],
            scope=raw.get("scope", "any"),
            category=raw.get("category", "other"),
            summary=raw.get("summary", ""),
            enum=tuple(raw.get("enum", ())),
            minimum=raw.get("minimum"),
            maximum=raw.get("maximum"),
            default=raw.get("default"),
            fails_closed=bool(raw.get("fails_closed", False)),
            source=raw.get("source", ""),
            unconfirmed=raw.get("unconfirmed") or None,
        )
    controls: dict[str, Control] = {}
    for name, raw in _tables(ctl_data, "controls").items():
        controls[name] = Control(
            name=name,
            title=raw["title"],
            disabled_by=tuple(raw.get("disabled_by", ())),
            off_on_providers=tuple(raw.get("off_on_providers", ())),
            disabled_by_setting=tuple(
                (item["key"], item["value"]) for item in raw.get("disabled_by_setting", ())
            ),
            recipient=raw.get("recipient", ""),
            retention=raw.get("retention", ""),
            source=raw.get("source", ""),
        )
    known: frozenset[str] = frozenset(set_data.get("known_top_level_keys", ()))
    runtime: frozenset[str] = frozenset(set_data.get("runtime_state_keys", ()))
    return KnowledgeBase(variables, settings, controls, known | {k.split(".")[0] for k in settings}, runtime)
