"""`ccpolicy merge`: many SARIF logs, or many JSON reports, into one (never the two mixed)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from scanner.fleet.inputs import JSON, SARIF, Document, InputError
from scanner.fleet.merge_json import merge_json
from scanner.fleet.merge_sarif import merge_sarif
from scanner.fleet.model import Merged


def input_format(documents: Sequence[Document]) -> str:
    """The one format of all inputs; InputError naming a file of each when they are mixed."""
    first = documents[0]
    for other in documents[1:]:
        if other.format != first.format:
            raise InputError(
                f"{other.path}: is {other.format.upper()} but {first.path} is {first.format.upper()}; "
                "merge combines files of one format (scan again with the other --format, or merge "
                "each format separately)"
            )
    return first.format


def merge_documents(documents: Sequence[Document], output_format: str | None = None) -> Merged:
    """Merge inputs of one format. `output_format` (when given) must be that format: merge does
    not convert between SARIF and JSON."""
    fmt = input_format(documents)
    if output_format is not None and output_format != fmt:
        raise InputError(
            f"--format {output_format}: the inputs are {fmt.upper()} ({documents[0].path}); merge does not "
            "convert between formats"
        )
    return merge_sarif(documents) if fmt == SARIF else merge_json(documents)


def render(merged: Merged) -> str:
    return json.dumps(merged.data, indent=2, ensure_ascii=False) + "\n"


__all__ = ["JSON", "SARIF", "input_format", "merge_documents", "render"]
