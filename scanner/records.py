"""`NamedTuple` for the scanner's records: typing's class syntax at collections.namedtuple's cost.

`typing.NamedTuple` checks every field's annotation when the class is defined. Under
`from __future__ import annotations` each annotation is a string, which typing turns into a
`ForwardRef` by compiling it: five or six `compile()` calls per record, ~4 ms over the ~55
records a scan defines (CPython 3.11), for checks nobody reads at run time. This builds the
same class without them: `collections.namedtuple` with the annotated fields, their defaults,
the annotations as written (strings) and the class body's methods, properties and docstring.

Type checkers see `typing.NamedTuple` itself. Only the class syntax is supported; the
functional form `NamedTuple("Name", [...])` and generic records are not (none are used).
"""

from __future__ import annotations

import collections

__all__ = ["NamedTuple"]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple
else:
    # What typing itself leaves out of the copy, and what a record may not redefine.
    _NOT_COPIED = frozenset({"__module__", "__name__", "__annotations__"})
    _PROHIBITED = frozenset(
        {
            "__new__",
            "__init__",
            "__slots__",
            "__getnewargs__",
            "_fields",
            "_field_defaults",
            "_make",
            "_replace",
            "_asdict",
            "_source",
        }
    )

    class _RecordMeta(type):
        def __new__(cls, typename: str, bases: tuple[type, ...], namespace: dict[str, Any]) -> type:
            if bases != (_Record,):
                raise TypeError(f"{typename}: a record derives from NamedTuple alone")
            fields: dict[str, Any] = namespace.get("__annotations__", {})
            defaulted = [name for name in fields if name in namespace]
            if defaulted and list(fields)[-len(defaulted) :] != defaulted:
                raise TypeError(f"{typename}: a field without a default follows one with a default")
            record: type = collections.namedtuple(  # type: ignore[misc]
                typename,
                list(fields),
                defaults=[namespace[name] for name in defaulted],
                module=namespace["__module__"],
            )
            record.__annotations__ = record.__new__.__annotations__ = dict(fields)
            for key, value in namespace.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"{typename}: cannot overwrite NamedTuple attribute {key}")
                if key not in _NOT_COPIED and key not in fields:
                    setattr(record, key, value)
            return record

    _Record = type.__new__(_RecordMeta, "NamedTuple", (), {})

    def NamedTuple(typename: str, fields: object = None, /, **kwargs: object) -> type:
        raise TypeError("scanner.records.NamedTuple supports the class syntax only")

    NamedTuple.__mro_entries__ = lambda bases: (_Record,)  # type: ignore[attr-defined]
