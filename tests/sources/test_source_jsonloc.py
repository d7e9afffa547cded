from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from scanner.sources.jsonloc import JsonDoc, JsonIssue, parse_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "json"


def _resolves(value: object, path: tuple[str | int, ...]) -> bool:
    node = value
    for step in path:
        if isinstance(step, str) and isinstance(node, dict) and step in node:
            node = node[step]
            continue
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            continue
        return False
    return True


def _reject_constant(name: str) -> object:
    raise ValueError(name)


# -- strict JSON ----------------------------------------------------------------------------------


def test_strict_document_values_locations_and_ends() -> None:
    text = '{\n  "env": {"A": "1", "B": 2},\n  "list": [true, null, -1.5e2]\n}\n'
    doc = parse_json(text)
    assert doc.value == {"env": {"A": "1", "B": 2}, "list": [True, None, -150.0]}
    assert doc.issues == ()
    assert doc.error is None
    assert doc.strict_ok
    assert doc.locations == {
        (): (1, 1),
        ("env",): (2, 3),
        ("env", "A"): (2, 11),
        ("env", "B"): (2, 21),
        ("list",): (3, 3),
        ("list", 0): (3, 12),
        ("list", 1): (3, 18),
        ("list", 2): (3, 24),
    }
    assert doc.value_ends == {
        (): (4, 2),
        ("env",): (2, 28),
        ("env", "A"): (2, 19),
        ("env", "B"): (2, 27),
        ("list",): (3, 31),
        ("list", 0): (3, 16),
        ("list", 1): (3, 22),
        ("list", 2): (3, 30),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("-0", 0),
        ("12", 12),
        ("1.25", 1.25),
        ("2E+3", 2000.0),
        ("-1.5e-2", -0.015),
        ("true", True),
        ("false", False),
        ("null", None),
        ('""', ""),
        ("[]", []),
        ("{}", {}),
        ('  "x"  ', "x"),
    ],
)
def test_scalars_and_empty_containers(text: str, expected: object) -> None:
    doc = parse_json(text)
    assert doc.error is None
    assert doc.value == expected
    assert type(doc.value) is type(expected)
    assert doc.strict_ok


def test_string_escapes_and_surrogate_pairs() -> None:
    text = r'{"s": "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00"}'
    doc = parse_json(text)
    assert doc.value == {"s": 'a"b\\c/d\b\f\n\r\té\U0001f600'}
    assert doc.strict_ok


def test_lone_surrogate_becomes_replacement_character() -> None:
    doc = parse_json(r'["\ud800x", "\udc00"]')
    assert doc.value == ["\ufffdx", "\ufffd"]
    assert doc.strict_ok  # JSON.parse accepts lone surrogates


def test_huge_integer_does_not_raise() -> None:
    doc = parse_json("1" + "0" * 5000)
    assert doc.error is None
    assert doc.value == float("inf")


def test_values_match_the_standard_library_on_strict_inputs() -> None:
    sample = {
        "a": [1, 2.5, "x\u00e9y", None, True, False, {"b": {"c": "\U0001f600"}}],
        "d": "tab\there",
        "e": -0.001,
    }
    for indent in (None, 2, "\t"):
        text = json.dumps(sample, indent=indent, ensure_ascii=indent is None)
        doc = parse_json(text)
        assert doc.value == json.loads(text)
        assert doc.strict_ok


# -- tolerated problems ---------------------------------------------------------------------------


def test_line_and_block_comments_are_reported_and_skipped() -> None:
    text = '{\n  // first\n  "a": 1, /* inline */ "b": 2\n}'
    doc = parse_json(text)
    assert doc.value == {"a": 1, "b": 2}
    assert doc.error is None
    assert doc.issues == (
        JsonIssue("comment", 2, 3, "comment (not allowed in strict JSON)"),
        JsonIssue("comment", 3, 11, "comment (not allowed in strict JSON)"),
    )
    assert not doc.strict_ok
    assert doc.locations[("b",)] == (3, 24)


def test_trailing_commas_in_objects_and_arrays() -> None:
    doc = parse_json('{"a": [1, 2,],\n "b": {"c": 3,},\n}')
    assert doc.value == {"a": [1, 2], "b": {"c": 3}}
    assert doc.error is None
    assert [(issue.kind, issue.line, issue.column) for issue in doc.issues] == [
        ("trailing-comma", 1, 12),
        ("trailing-comma", 2, 14),
        ("trailing-comma", 2, 16),
    ]
    assert doc.issues[0].message == "trailing comma (not allowed in strict JSON)"


def test_duplicate_keys_last_wins_and_stale_paths_are_dropped() -> None:
    text = '{\n  "env": {"OLD": "1"},\n  "x": 1,\n  "env": {"NEW": "2"}\n}'
    doc = parse_json(text)
    assert doc.value == {"env": {"NEW": "2"}, "x": 1}
    assert list(doc.value) == ["env", "x"]  # like JSON.parse: the first position is kept
    assert doc.issues == (JsonIssue("duplicate-key", 4, 3, 'duplicate key "env" (first at line 2)'),)
    assert doc.locations[("env",)] == (4, 3)
    assert ("env", "OLD") not in doc.locations
    assert ("env", "OLD") not in doc.value_ends
    assert doc.locations[("env", "NEW")] == (4, 11)
    assert set(doc.locations) == set(doc.value_ends)


def test_duplicate_key_message_names_the_key_never_the_value() -> None:
    doc = parse_json('{"//": "secret-one", "//": "secret-two"}')
    assert doc.value == {"//": "secret-two"}
    (issue,) = doc.issues
    assert issue.message == 'duplicate key "//" (first at line 1)'
    assert "secret" not in issue.message


def test_bom_is_skipped_and_not_counted_as_a_column() -> None:
    doc = parse_json('\ufeff{"a": 1}')
    assert doc.value == {"a": 1}
    assert doc.strict_ok
    assert doc.locations == {(): (1, 1), ("a",): (1, 2)}
    assert doc.value_ends == {(): (1, 9), ("a",): (1, 8)}


def test_columns_count_code_points() -> None:
    doc = parse_json('{"\U0001f512": "\u00e9\u00e9", "k": 1}')
    # U+1F512 is 2 UTF-16 units and 4 UTF-8 bytes; it is one column here.
    assert doc.locations[("k",)] == (1, 13)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_breaks(newline: str) -> None:
    doc = parse_json(newline.join(["{", '  "a": 1,', '  "b": 2', "}"]))
    assert doc.locations[("b",)] == (3, 3)
    assert doc.value_ends[()] == (4, 2)


def test_control_character_in_string_is_tolerated_and_reported() -> None:
    doc = parse_json('{"a": "x\ty"}')
    assert doc.value == {"a": "x\ty"}
    assert doc.issues == (
        JsonIssue("syntax", 1, 9, "unescaped control character in a string (not allowed in strict JSON)"),
    )


def test_invalid_escape_is_kept_literally_and_reported() -> None:
    doc = parse_json(r'{"path": "C:\Users\me"}')
    assert doc.value == {"path": "C:\\Users\\me"}
    assert doc.error is None
    assert [(issue.kind, issue.column) for issue in doc.issues] == [("syntax", 13), ("syntax", 19)]
    assert doc.issues[0].message == "invalid escape sequence in a string (kept literally)"


# -- errors ---------------------------------------------------------------------------------------


def test_missing_comma_stops_with_partial_value() -> None:
    text = '{\n  "a": {"b": [1, 2]},\n  "c": "d"\n  "e": true\n}'
    doc = parse_json(text)
    assert doc.error == JsonIssue("syntax", 4, 3, "expected ',' or '}', found a string")
    assert doc.value == {"a": {"b": [1, 2]}, "c": "d"}
    assert doc.locations[("c",)] == (3, 3)
    assert ("e",) not in doc.locations
    assert doc.value_ends[()] == (4, 3)  # the open root ends where the parse stopped
    assert set(doc.locations) == set(doc.value_ends)
    assert not doc.strict_ok


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", JsonIssue("syntax", 1, 1, "empty document: expected a value")),
        ("  \n ", JsonIssue("syntax", 2, 2, "empty document: expected a value")),
        ('{"a": 1', JsonIssue("syntax", 1, 8, "unexpected end of input: expected ',' or '}'")),
        ("[1,,2]", JsonIssue("syntax", 1, 4, "expected a value, found ','")),
        ("[1 2]", JsonIssue("syntax", 1, 4, "expected ',' or ']', found a number")),
        ('{"a" 1}', JsonIssue("syntax", 1, 6, "expected ':' after a property name, found a number")),
        ("{'a': 1}", JsonIssue("syntax", 1, 2, "expected a property name or '}', found '''")),
        ("{a: 1}", JsonIssue("syntax", 1, 2, "expected a property name or '}', found a bare word")),
        ('{"a": 1,,}', JsonIssue("syntax", 1, 9, "expected a property name, found ','")),
        ('{"a": }', JsonIssue("syntax", 1, 7, "expected a value, found '}'")),
        ("[NaN]", JsonIssue("syntax", 1, 2, "expected a value or ']', found a bare word")),
        ('{"a": 01}', JsonIssue("syntax", 1, 7, "invalid number")),
        ("[1.]", JsonIssue("syntax", 1, 2, "invalid number")),
        ("[-]", JsonIssue("syntax", 1, 2, "invalid number")),
        ('{"a": "x', JsonIssue("syntax", 1, 7, "unterminated string")),
        ('{"a": "x\n"}', JsonIssue("syntax", 1, 7, "unterminated string")),
        ('["x\\', JsonIssue("syntax", 1, 2, "unterminated string")),
        ("{} /* open", JsonIssue("syntax", 1, 4, "unterminated /* comment")),
        ('{"a": 1} x', JsonIssue("syntax", 1, 10, "unexpected content after the JSON value")),
        ('{"a": 1}}', JsonIssue("syntax", 1, 9, "unexpected content after the JSON value")),
        ("{{- /* x */ -}}", JsonIssue("syntax", 1, 2, "expected a property name or '}', found '{'")),
        ("[\u00a01]", JsonIssue("syntax", 1, 2, "expected a value or ']', found character U+00A0")),
    ],
)
def test_errors_have_positions_and_clear_messages(text: str, error: JsonIssue) -> None:
    doc = parse_json(text)
    assert doc.error == error
    assert not doc.strict_ok


def test_error_messages_never_quote_document_values() -> None:
    doc = parse_json('{"env": {"ANTHROPIC_API_KEY": sk-ant-api03-abcdef}}')
    assert doc.error is not None
    assert doc.error.message == "expected a value, found a bare word"
    doc = parse_json('{"k": "sk-ant-api03-abcdef" "x": 1}')
    assert doc.error is not None
    assert "sk-ant" not in doc.error.message


def test_depth_limit_is_an_error_not_a_recursion_error() -> None:
    assert parse_json("[" * 128 + "]" * 128).error is None
    doc = parse_json("[" * 129 + "]" * 129)
    assert doc.error == JsonIssue("depth", 1, 129, "nesting deeper than 128 levels")
    deep = parse_json('{"a":' * 100_000)
    assert deep.error is not None
    assert deep.error.kind == "depth"
    assert parse_json("[[[1]]]", max_depth=2).error == JsonIssue(
        "depth", 1, 3, "nesting deeper than 2 levels"
    )


def test_non_string_input_does_not_raise() -> None:
    doc = parse_json(b"{}")  # type: ignore[arg-type]
    assert doc.value is None
    assert doc.error is not None
    assert doc.error.message == "cannot read input (TypeError)"


def test_linear_enough_for_a_large_file() -> None:
    text = json.dumps({f"k{i}": {"a": [1, 2.5, "x"], "b": {"c": None}} for i in range(20_000)}, indent=2)
    started = time.perf_counter()
    doc = parse_json(text)
    elapsed = time.perf_counter() - started
    assert doc.strict_ok
    assert len(doc.locations) == 1 + 20_000 * 7
    assert elapsed < 10  # about 0.7 s here; a quadratic parser takes minutes


# -- fuzzing --------------------------------------------------------------------------------------


def _check_invariants(doc: JsonDoc) -> None:
    assert isinstance(doc, JsonDoc)
    assert set(doc.locations) == set(doc.value_ends)
    for path in doc.locations:
        assert _resolves(doc.value, path), path
    for issue in (*doc.issues, doc.error):
        if issue is not None:
            assert issue.line >= 1
            assert issue.column >= 1


def _stdlib_accepts(text: str) -> bool:
    try:
        json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return False
    return True


def test_fuzz_truncations_and_mutations_never_raise() -> None:
    rng = random.Random(20260822)
    sources = [path.read_text(encoding="utf-8") for path in sorted(FIXTURES.iterdir())]
    assert len(sources) >= 10
    alphabet = '{}[],:"\\/*\n \t0123456789-+.eEtrufalsn\u00e9\U0001f600'
    for text in sources:
        for cut in range(len(text) + 1):
            _check_invariants(parse_json(text[:cut]))
        for _ in range(300):
            chars = list(text)
            for _ in range(rng.randint(1, 4)):
                position = rng.randrange(len(chars) + 1)
                action = rng.random()
                if action < 0.4 and chars:
                    del chars[min(position, len(chars) - 1)]
                elif action < 0.8:
                    chars.insert(position, rng.choice(alphabet))
                elif chars:
                    chars[min(position, len(chars) - 1)] = rng.choice(alphabet)
            mutated = "".join(chars)
            doc = parse_json(mutated)
            _check_invariants(doc)
            lenient_ok = doc.error is None and all(issue.kind == "duplicate-key" for issue in doc.issues)
            assert lenient_ok == _stdlib_accepts(mutated), mutated
            if lenient_ok and "\\u" not in mutated:
                assert doc.value == json.loads(mutated)
