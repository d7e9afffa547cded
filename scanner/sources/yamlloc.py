"""Read YAML with the location of every key, item and scalar, the way GitHub and compose see it.

PyYAML's own constructor follows YAML 1.1, where `on:` is the boolean true and `yes` is a
boolean too. GitHub Actions and docker compose read YAML 1.2 core, so this module composes
the node graph with PyYAML and builds the values itself:

- mapping keys are always their scalar text (`on` stays "on", `1` stays "1");
- plain scalars resolve by the YAML 1.2 core schema (true/false, null/~, ints, floats) and
  everything else is a string; quoted and block scalars are always strings;
- merge keys `<<` are applied (explicit keys win, then the merged maps in order);
- aliases are expanded, with a cap on the total number of nodes built so that a
  "billion laughs" document gives an error rather than exhausting memory.

`load_yaml` never raises: bad input gives `YamlDoc.error`.
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import sys
from collections.abc import Iterator, Mapping

from scanner import regexcache
from scanner.model import EMPTY_MAPPING, JSONValue, Notification
from scanner.records import NamedTuple

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from yaml.nodes import MappingNode, Node

Path = tuple[str | int, ...]

MAX_NODES = 200_000
MAX_DEPTH = 200

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"

_STYLES = {"'": "'", '"': '"', "|": "|", ">": ">"}


class ScalarInfo(NamedTuple):
    """A scalar value as written: its text before type resolution and where it is."""

    raw_text: str  # the scalar's content (quotes removed, escapes and folding applied)
    style: str  # "plain" | "'" | '"' | "|" | ">"
    line: int  # 1-based, where the scalar starts (the quote or the `|`/`>` indicator)
    column: int
    end_line: int
    end_column: int


class YamlDoc(NamedTuple):
    value: JSONValue | None = None
    # 1-based (line, column) of each mapping key and sequence item, keyed by path. The column
    # is that of the key's first character, after an opening quote.
    locations: Mapping[Path, tuple[int, int]] = EMPTY_MAPPING
    scalars: Mapping[Path, ScalarInfo] = EMPTY_MAPPING
    error: Notification | None = None
    # Non-fatal: several documents, duplicate keys, unusable merge keys, non-scalar keys.
    notices: tuple[Notification, ...] = ()
    documents: int = 0


class _Abort(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def load_yaml(text: str) -> YamlDoc:
    """Parse `text`; take the first non-empty document. Never raises."""
    try:
        return _load(text)
    except RecursionError:
        return YamlDoc(error=_error("YAML is nested too deeply to read"))
    except Exception as exc:  # a parser bug must not end the scan
        return YamlDoc(error=_error(f"could not read YAML ({type(exc).__name__})"))


def _load(text: str) -> YamlDoc:
    loader = _loader_class()  # first: it imports yaml
    import yaml

    nodes: list[Node | None] = []
    try:
        for node in yaml.compose_all(text, Loader=loader):
            nodes.append(node)
    except yaml.MarkedYAMLError as exc:
        return YamlDoc(error=_marked_error(exc, text), documents=len(nodes))
    except yaml.YAMLError as exc:
        return YamlDoc(error=_unmarked_error(exc, text), documents=len(nodes))

    chosen = next((n for n in nodes if not _is_empty(n)), None)
    notices: list[Notification] = []
    if len(nodes) > 1:
        notices.append(
            Notification(
                level="warning",
                message=f"file holds {len(nodes)} YAML documents; only the first non-empty one is read",
                descriptor="multiple-documents",
            )
        )
    if chosen is None:
        return YamlDoc(notices=tuple(notices), documents=len(nodes))
    if _expanded_size(chosen) > MAX_NODES:
        return YamlDoc(error=_too_complex(chosen.start_mark.line + 1), documents=len(nodes))
    builder = _Builder()
    try:
        value = builder.build(chosen, (), 0, frozenset())
    except _Abort as abort:
        return YamlDoc(error=_error(abort.message, abort.line), documents=len(nodes))
    return YamlDoc(
        value=value,
        locations=builder.locations,
        scalars=builder.scalars,
        notices=tuple(notices + builder.notices),
        documents=len(nodes),
    )


# PyYAML's pure-Python reader compiles this class of all the characters YAML may not hold when
# it is imported: ~5 ms, as much as the rest of the yaml package, because the class spans all of
# Unicode. The same class written as the code points it takes compiles ten times faster; put in
# `re`'s cache under the original's text while yaml is imported, it is what PyYAML gets. Only the
# pure-Python reader uses it (the C loader used here checks the text itself), and it matches the
# same characters (tests/sources/test_source_yamlloc.py compares the two on every code point).
NON_PRINTABLE = "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
NON_PRINTABLE_LISTED = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"


@contextlib.contextmanager
def _printable_check_precompiled() -> Iterator[None]:
    cache = getattr(re, "_cache", None)  # CPython's; elsewhere yaml compiles its own as usual
    key = (str, NON_PRINTABLE, 0)
    seeded = isinstance(cache, dict) and key not in cache and "yaml" not in sys.modules
    if seeded:
        cache[key] = regexcache.compile(NON_PRINTABLE_LISTED)  # type: ignore[index]
    try:
        yield
    finally:
        if seeded:
            cache.pop(key, None)  # type: ignore[union-attr]


def prepare_loader() -> None:
    """Build the loader (importing PyYAML: ~5 ms) before the first document needs it."""
    _loader_class()


@functools.lru_cache(maxsize=1)
def _loader_class() -> type[Any]:
    """A PyYAML loader (the C one when available) whose implicit types are YAML 1.2 core."""
    with _printable_check_precompiled(), regexcache.precompiled("yaml"):
        import yaml

    base: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Core12Loader(base):  # type: ignore[misc]
        yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012 - PyYAML's own class-level table

    add = Core12Loader.add_implicit_resolver
    add(_NULL, regexcache.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    add(_BOOL, regexcache.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    add(_INT, regexcache.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))
    add(
        _FLOAT,
        regexcache.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
        ),
        list("-+.0123456789"),
    )
    add(_MERGE, regexcache.compile(r"^(?:<<)$"), ["<"])
    return Core12Loader


def _expanded_size(root: Node) -> int:
    """How many nodes building `root` would visit with aliases expanded, capped just above
    MAX_NODES. Memoised per node, so a "billion laughs" document costs its own size to measure
    rather than the size it would expand to."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    pending: list[tuple[Node, bool]] = [(root, False)]
    while pending:
        node, children_done = pending.pop()
        key = id(node)
        children = _children(node)
        if children_done:
            on_path.discard(key)
            # A child still on the path is a recursive alias; build() reports it.
            total = 1 + sum(sizes.get(id(child), 1) for child in children)
            sizes[key] = min(total, MAX_NODES + 1)
            continue
        if key in sizes or key in on_path:
            continue
        on_path.add(key)
        pending.append((node, True))
        pending.extend((child, False) for child in children if id(child) not in sizes)
    return sizes.get(id(root), 1)


def _children(node: Node) -> list[Node]:
    from yaml.nodes import MappingNode, SequenceNode

    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _too_complex(line: int) -> Notification:
    return _error(
        f"YAML is too complex to read (more than {MAX_NODES} nodes once aliases are expanded)", line
    )


def _is_empty(node: Node | None) -> bool:
    from yaml.nodes import ScalarNode

    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL)


class _Builder:
    def __init__(self) -> None:
        self.locations: dict[Path, tuple[int, int]] = {}
        self.scalars: dict[Path, ScalarInfo] = {}
        self.notices: list[Notification] = []
        self._count = 0

    def _tick(self, node: Node) -> None:
        self._count += 1
        if self._count > MAX_NODES:
            too_complex = _too_complex(node.start_mark.line + 1)
            raise _Abort(too_complex.message, too_complex.line)

    def build(self, node: Node, path: Path, depth: int, active: frozenset[int]) -> JSONValue:
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        self._tick(node)
        if depth > MAX_DEPTH:
            raise _Abort("YAML is nested too deeply to read", node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in active:
            raise _Abort("YAML alias refers to itself", node.start_mark.line + 1)
        inner = active | {id(node)}
        if isinstance(node, SequenceNode):
            items: list[JSONValue] = []
            for index, child in enumerate(node.value):
                item_path: Path = (*path, index)
                self.locations[item_path] = _position(child)
                items.append(self.build(child, item_path, depth + 1, inner))
            return items
        if isinstance(node, MappingNode):
            result: dict[str, JSONValue] = {}
            for key, key_node, value_node in self._pairs(node, frozenset()):
                key_path: Path = (*path, key)
                self.locations[key_path] = _position(key_node)
                result[key] = self.build(value_node, key_path, depth + 1, inner)
            return result
        return None

    def _scalar(self, node: Node, path: Path) -> JSONValue:
        text = str(node.value)
        style = _STYLES.get(getattr(node, "style", None) or "", "plain")
        self.scalars[path] = ScalarInfo(
            raw_text=text,
            style=style,
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
            end_line=node.end_mark.line + 1,
            end_column=node.end_mark.column + 1,
        )
        return resolve_scalar(node.tag, text)

    def _pairs(self, node: MappingNode, seen: frozenset[int]) -> list[tuple[str, Node, Node]]:
        """Key/value pairs after merge keys: explicit keys first in precedence, then merges."""
        from yaml.nodes import MappingNode, ScalarNode, SequenceNode

        if id(node) in seen:
            raise _Abort("YAML merge key refers to itself", node.start_mark.line + 1)
        seen = seen | {id(node)}
        explicit: dict[str, tuple[Node, Node]] = {}
        merged: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            self._tick(key_node)
            if isinstance(key_node, ScalarNode) and key_node.tag == _MERGE:
                sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, MappingNode):
                        self._notice("merge key `<<` must refer to a mapping; ignored", value_node)
                        continue
                    for key, k_node, v_node in self._pairs(source, seen):
                        merged.setdefault(key, (k_node, v_node))
                continue
            if not isinstance(key_node, ScalarNode):
                self._notice("a mapping key that is not a scalar was ignored", key_node)
                continue
            key = str(key_node.value)
            if key in explicit:
                self._notice(f"duplicate key {key!r}; the last one is used", key_node)
            explicit[key] = (key_node, value_node)
        ordered = {**merged, **explicit}
        return [(key, k_node, v_node) for key, (k_node, v_node) in ordered.items()]

    def _notice(self, message: str, node: Node) -> None:
        self.notices.append(
            Notification(
                level="warning",
                message=f"{message} (line {node.start_mark.line + 1})",
                line=node.start_mark.line + 1,
                descriptor="yaml-structure",
            )
        )


def resolve_scalar(tag: str, text: str) -> JSONValue:
    """The YAML 1.2 core value of a scalar whose tag the loader resolved."""
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        try:
            if text.startswith("0o"):
                return int(text[2:], 8)
            if text.startswith("0x"):
                return int(text[2:], 16)
            return int(text)
        except ValueError:
            return text
    if tag == _FLOAT:
        lowered = text.lower()
        if lowered.endswith(".inf"):
            return float("-inf") if lowered.startswith("-") else float("inf")
        if lowered == ".nan":
            return float("nan")
        try:
            return float(text)
        except ValueError:
            return text
    return text


def scalar_text(value: JSONValue) -> str | None:
    """The string a YAML scalar becomes where GitHub or compose need text (env values, inputs).

    Booleans are lower-case, null is empty, integral floats lose their ".0" (both read
    numbers as doubles and print them shortest). Collections give None: they have no text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, str):
        return value
    return None


def _position(node: Node) -> tuple[int, int]:
    from yaml.nodes import ScalarNode

    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if isinstance(node, ScalarNode) and node.style in ("'", '"'):
        column += 1  # point at the text, not the quote
    return line, column


def _error(message: str, line: int | None = None) -> Notification:
    return Notification(level="error", message=message, line=line, descriptor="parse-error")


def _marked_error(exc: Any, text: str) -> Notification:
    # Built from PyYAML's problem/context phrases and the mark only: str(exc) quotes the
    # offending source line, which may hold a secret.
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = str(getattr(exc, "problem", None) or getattr(exc, "context", None) or "syntax error")
    context = getattr(exc, "context", None)
    if context and context != problem:
        problem = f"{problem} ({context})"
    if mark is None:
        return _error(f"invalid YAML: {problem}")
    line, column = mark.line + 1, mark.column + 1
    if "cannot start any token" in problem and _char_at(text, line, column) == "\t":
        problem = "a tab character cannot be used for indentation in YAML"
    return _error(f"invalid YAML at line {line}, column {column}: {problem}", line)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 1 <= line <= len(lines) and 1 <= column <= len(lines[line - 1]):
        return lines[line - 1][column - 1]
    return ""


def _unmarked_error(exc: Any, text: str) -> Notification:
    reason = getattr(exc, "reason", None) or "unreadable input"
    position = getattr(exc, "position", None)
    if isinstance(position, int) and 0 <= position <= len(text):
        line = text.count("\n", 0, position) + 1
        return _error(f"invalid YAML at line {line}: {reason}", line)
    return _error(f"invalid YAML: {reason}")
