"""scanner.records.NamedTuple: the records typing.NamedTuple would build, without its annotation checks."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
import typing

import pytest

import scanner
from scanner.records import NamedTuple


class Position(NamedTuple):
    """Where something is."""

    line: int
    column: int = 1
    label: str | None = None

    @property
    def shown(self) -> str:
        return f"{self.line}:{self.column}"

    def moved(self, lines: int) -> Position:
        return self._replace(line=self.line + lines)


class TypedPosition(typing.NamedTuple):
    """Where something is."""

    line: int
    column: int = 1
    label: str | None = None


def test_a_record_is_the_namedtuple_typing_would_build() -> None:
    assert Position._fields == TypedPosition._fields == ("line", "column", "label")
    assert Position._field_defaults == TypedPosition._field_defaults == {"column": 1, "label": None}
    assert Position.__match_args__ == TypedPosition.__match_args__
    assert Position.__doc__ == TypedPosition.__doc__ == "Where something is."
    assert Position.__module__ == __name__
    assert Position.__qualname__ == "Position"
    assert Position.__mro__ == (Position, tuple, object)
    assert Position.__annotations__ == {"line": "int", "column": "int", "label": "str | None"}
    assert Position.__new__.__annotations__ == Position.__annotations__


def test_a_record_keeps_its_methods_and_behaves_as_a_tuple() -> None:
    position = Position(3)
    assert tuple(position) == (3, 1, None)
    assert position.shown == "3:1"
    assert position.moved(2) == Position(5, 1, None)
    assert Position(line=1, label="x")._asdict() == {"line": 1, "column": 1, "label": "x"}
    assert repr(position) == "Position(line=3, column=1, label=None)"
    assert pickle.loads(pickle.dumps(position)) == position
    assert type(pickle.loads(pickle.dumps(position))) is Position
    with pytest.raises(AttributeError):
        position.line = 4  # type: ignore[misc]
    match position:
        case Position(line, column):
            assert (line, column) == (3, 1)
        case _:
            pytest.fail("a record matches its class pattern positionally")


def test_a_field_without_default_after_one_with_a_default_is_refused() -> None:
    with pytest.raises(TypeError, match="Broken: a field without a default follows one with a default"):

        class Broken(NamedTuple):
            first: int = 0
            second: int  # type: ignore[misc]


def test_namedtuple_machinery_cannot_be_overwritten() -> None:
    with pytest.raises(AttributeError, match="Broken: cannot overwrite NamedTuple attribute _make"):

        class Broken(NamedTuple):
            first: int

            @classmethod  # type: ignore[misc]
            def _make(cls, iterable: object) -> Broken:
                raise NotImplementedError


def test_only_the_class_syntax_with_no_other_base_is_supported() -> None:
    with pytest.raises(TypeError, match="supports the class syntax only"):
        NamedTuple("Point", [("x", int)])
    with pytest.raises(TypeError, match="Mixed: a record derives from NamedTuple alone"):

        class Mixed(NamedTuple, typing.Generic[typing.TypeVar("T")]):  # type: ignore[misc]
            first: int


def _scanner_records() -> list[typing.Any]:
    records = []
    for module_info in pkgutil.walk_packages(scanner.__path__, "scanner."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__ and hasattr(value, "_fields"):
                records.append(value)
    return records


def test_every_scanner_record_has_the_fields_it_annotates() -> None:
    # Guards the one thing records rely on: the class body's __annotations__ (there with
    # `from __future__ import annotations`, which every scanner module has).
    records = _scanner_records()
    assert len(records) > 50
    for record in records:
        assert record.__mro__[1:] == (tuple, object), record
        assert record._fields == tuple(record.__annotations__), record
