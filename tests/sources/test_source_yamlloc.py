from __future__ import annotations

import math
import re
import subprocess
import sys
import textwrap

import pytest

from scanner.model import JSONValue
from scanner.sources import yamlloc
from scanner.sources.yamlloc import MAX_DEPTH, ScalarInfo, load_yaml, resolve_scalar, scalar_text


def test_keys_stay_text_and_values_follow_yaml_1_2_core() -> None:
    doc = load_yaml(
        "on: push\n"
        "yes: no\n"
        "1: one\n"
        "true: t\n"
        "b1: true\n"
        "b2: False\n"
        "b3: yes\n"
        "i1: 010\n"
        "i2: 0x1F\n"
        "i3: 0o17\n"
        "i4: -3\n"
        "f1: 1.50\n"
        "f2: 1e3\n"
        "n1: ~\n"
        "n2:\n"
        "n3: null\n"
        "s1: !!str 123\n"
        "s2: '1'\n"
        "ts: 2024-01-01\n"
        "sexa: 1:30\n"
    )
    assert doc.error is None
    assert doc.value == {
        "on": "push",
        "yes": "no",
        "1": "one",
        "true": "t",
        "b1": True,
        "b2": False,
        "b3": "yes",
        "i1": 10,
        "i2": 31,
        "i3": 15,
        "i4": -3,
        "f1": 1.5,
        "f2": 1000.0,
        "n1": None,
        "n2": None,
        "n3": None,
        "s1": "123",
        "s2": "1",
        "ts": "2024-01-01",
        "sexa": "1:30",
    }
    assert doc.documents == 1
    assert doc.notices == ()


def test_locations_of_keys_and_items_are_one_based_and_skip_quotes() -> None:
    doc = load_yaml("top:\n  'quoted': 1\n  list:\n    - a\n    - \"b\"\n    - k: v\n")
    assert doc.locations == {
        ("top",): (1, 1),
        ("top", "quoted"): (2, 4),
        ("top", "list"): (3, 3),
        ("top", "list", 0): (4, 7),
        ("top", "list", 1): (5, 8),
        ("top", "list", 2): (6, 7),
        ("top", "list", 2, "k"): (6, 7),
    }


def test_columns_count_code_points() -> None:
    doc = load_yaml('# 日本語のコメント\nclé😀: "é"\nnext: x\n')
    assert doc.locations[("clé😀",)] == (2, 1)
    assert doc.scalars[("clé😀",)] == ScalarInfo("é", '"', 2, 7, 2, 10)


def test_scalar_info_records_raw_text_style_and_span() -> None:
    doc = load_yaml("a: true\nb: 'x y'\nc: \"q\\tz\"\nd: |\n  l1\n  l2\ne: >-\n  f1\n  f2\n")
    assert doc.scalars[("a",)] == ScalarInfo("true", "plain", 1, 4, 1, 8)
    assert doc.scalars[("b",)] == ScalarInfo("x y", "'", 2, 4, 2, 9)
    assert doc.scalars[("c",)] == ScalarInfo("q\tz", '"', 3, 4, 3, 10)
    assert doc.scalars[("d",)] == ScalarInfo("l1\nl2\n", "|", 4, 4, 7, 1)
    assert doc.scalars[("e",)] == ScalarInfo("f1 f2", ">", 7, 4, 10, 1)
    assert doc.value == {"a": True, "b": "x y", "c": "q\tz", "d": "l1\nl2\n", "e": "f1 f2"}


def test_anchors_aliases_and_merge_keys() -> None:
    doc = load_yaml(
        "base: &base\n"
        "  A: 1\n"
        "  B: 2\n"
        "extra: &extra\n"
        "  B: 20\n"
        "  C: 30\n"
        "svc:\n"
        "  <<: [*base, *extra]\n"
        "  A: 100\n"
        "copy: *base\n"
    )
    assert doc.error is None
    assert doc.value is not None and isinstance(doc.value, dict)
    # Explicit keys win over merged ones; among merged maps the earlier one wins.
    assert doc.value["svc"] == {"A": 100, "B": 2, "C": 30}
    assert doc.value["copy"] == {"A": 1, "B": 2}
    assert doc.locations[("svc", "A")] == (9, 3)
    assert doc.locations[("svc", "B")] == (3, 3)  # where the merged key is written
    assert doc.locations[("svc", "C")] == (6, 3)
    assert doc.locations[("copy", "B")] == (3, 3)
    assert doc.scalars[("svc", "C")] == ScalarInfo("30", "plain", 6, 6, 6, 8)


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    doc = load_yaml("a: &a {x: 1}\nb:\n  '<<': *a\n")
    assert doc.value == {"a": {"x": 1}, "b": {"<<": {"x": 1}}}


def test_merge_of_a_scalar_is_ignored_with_a_notice() -> None:
    doc = load_yaml("a:\n  <<: 5\n  k: v\n")
    assert doc.value == {"a": {"k": "v"}}
    assert [n.message for n in doc.notices] == ["merge key `<<` must refer to a mapping; ignored (line 2)"]
    assert doc.notices[0].level == "warning"
    assert doc.notices[0].line == 2


def test_duplicate_keys_keep_the_last_and_say_so() -> None:
    doc = load_yaml("env:\n  A: 1\n  A: 2\n")
    assert doc.value == {"env": {"A": 2}}
    assert doc.locations[("env", "A")] == (3, 3)
    assert [n.message for n in doc.notices] == ["duplicate key 'A'; the last one is used (line 3)"]


def test_non_scalar_keys_are_skipped_with_a_notice() -> None:
    doc = load_yaml("? [a, b]\n: c\nd: e\n")
    assert doc.value == {"d": "e"}
    assert [n.message for n in doc.notices] == ["a mapping key that is not a scalar was ignored (line 1)"]


def test_billion_laughs_is_too_complex() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    doc = load_yaml("\n".join(lines) + "\n")
    assert doc.value is None
    assert doc.error is not None
    assert doc.error.message == (
        "YAML is too complex to read (more than 200000 nodes once aliases are expanded)"
    )
    assert doc.error.level == "error"
    assert doc.error.descriptor == "parse-error"


def test_recursive_alias_is_an_error() -> None:
    doc = load_yaml("a: &a\n  - *a\n")
    assert doc.value is None
    assert doc.error is not None
    assert doc.error.message == "YAML alias refers to itself"
    assert doc.error.line == 1


def test_nesting_beyond_the_limit_is_an_error() -> None:
    depth = MAX_DEPTH + 5
    doc = load_yaml("[" * depth + "]" * depth)
    assert doc.value is None
    assert doc.error is not None
    assert doc.error.message == "YAML is nested too deeply to read"


def test_very_deep_nesting_does_not_raise() -> None:
    doc = load_yaml("[" * 50_000)
    assert doc.value is None
    assert doc.error is not None
    assert doc.error.line == 1


def test_multiple_documents_take_the_first_non_empty() -> None:
    doc = load_yaml("---\n---\na: 1\n---\nb: 2\n")
    assert doc.value == {"a": 1}
    assert doc.documents == 3
    assert doc.locations == {("a",): (3, 1)}
    assert [(n.level, n.message, n.descriptor) for n in doc.notices] == [
        (
            "warning",
            "file holds 3 YAML documents; only the first non-empty one is read",
            "multiple-documents",
        )
    ]


def test_empty_input_is_a_clean_empty_result() -> None:
    for text in ("", "# only a comment\n", "---\n...\n"):
        doc = load_yaml(text)
        assert doc.value is None
        assert doc.error is None
        assert doc.locations == {}


def test_tab_indentation_is_reported_with_its_line() -> None:
    doc = load_yaml("env:\n\tA: 1\n")
    assert doc.value is None
    assert doc.error is not None
    assert doc.error.message == (
        "invalid YAML at line 2, column 1: a tab character cannot be used for indentation in YAML"
    )
    assert doc.error.line == 2


def test_syntax_error_message_does_not_quote_the_source() -> None:
    doc = load_yaml("A: ok\nKEY: sk-ant-api03-secretvalue: more\n")
    assert doc.error is not None
    assert doc.error.line == 2
    assert doc.error.message == (
        "invalid YAML at line 2, column 30: mapping values are not allowed in this context"
    )
    assert "sk-ant" not in doc.error.message


def test_control_characters_are_an_error_with_a_line() -> None:
    doc = load_yaml("a: 1\nb: \x00\n")
    assert doc.error is not None
    assert doc.error.message == "invalid YAML at line 2: control characters are not allowed"
    assert doc.error.line == 2


def test_unclosed_flow_sequence() -> None:
    doc = load_yaml("a: [1, 2\n")
    assert doc.error is not None
    assert doc.error.line == 2
    assert doc.error.message.startswith("invalid YAML at line 2, column 1: did not find expected ',' or ']'")


def test_bom_is_not_a_column() -> None:
    doc = load_yaml("\ufeffon: push\n")
    assert doc.value == {"on": "push"}
    assert doc.locations[("on",)] == (1, 1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\x80\x81 binary \xff", "invalid YAML at line 1: control characters are not allowed"),
        (
            "- a\nb: c\n",
            "invalid YAML at line 2, column 1: did not find expected '-' indicator"
            " (while parsing a block collection)",
        ),
        (
            "{" * 200_000,
            "invalid YAML at line 1, column 1001: exceeded maximum nesting depth"
            " (while increasing flow level)",
        ),
    ],
)
def test_bad_input_gives_an_error_not_an_exception(text: str, message: str) -> None:
    doc = load_yaml(text)
    assert doc.value is None
    assert doc.error is not None
    assert doc.error.message == message


def test_unknown_tags_keep_the_scalar_text() -> None:
    assert load_yaml("a: !Ref x\nb: !!binary ZZZ\n").value == {"a": "x", "b": "ZZZ"}


def test_undefined_alias_is_an_error() -> None:
    doc = load_yaml("a: *missing\n")
    assert doc.error is not None
    assert doc.error.message == "invalid YAML at line 1, column 4: found undefined alias"
    assert doc.error.line == 1


def test_pure_python_loader_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    text = "on:\n  push:\nenv:\n  'A': true\n  B: |\n    x\n"
    with_c = load_yaml(text)
    yamlloc._loader_class.cache_clear()
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    try:
        pure = load_yaml(text)
    finally:
        yamlloc._loader_class.cache_clear()
    assert pure.value == with_c.value == {"on": {"push": None}, "env": {"A": True, "B": "x\n"}}
    assert pure.locations == with_c.locations
    assert pure.scalars == with_c.scalars
    assert pure.scalars[("env", "B")] == ScalarInfo("x\n", "|", 5, 6, 7, 1)


def test_resolve_scalar_edge_values() -> None:
    assert resolve_scalar("tag:yaml.org,2002:float", ".inf") == float("inf")
    assert resolve_scalar("tag:yaml.org,2002:float", "-.Inf") == float("-inf")
    nan = resolve_scalar("tag:yaml.org,2002:float", ".NaN")
    assert isinstance(nan, float) and math.isnan(nan)
    assert resolve_scalar("tag:yaml.org,2002:int", "+7") == 7
    assert resolve_scalar("tag:example.com:custom", "raw") == "raw"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (1, "1"),
        (-20, "-20"),
        (1.0, "1"),
        (1.5, "1.5"),
        (1e20, "1e+20"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        (float("nan"), "NaN"),
        ("s", "s"),
        ([1], None),
        ({"a": 1}, None),
    ],
)
def test_scalar_text(value: JSONValue, text: str | None) -> None:
    assert scalar_text(value) == text


def test_merge_key_bomb_is_too_complex_and_fast() -> None:
    lines = ["m0: &m0 {k0: 1, k1: 2, k2: 3, k3: 4, k4: 5, k5: 6, k6: 7, k7: 8, k8: 9, k9: 10}"]
    for level in range(1, 9):
        lines.append(f"m{level}: &m{level}\n  <<: [" + ", ".join([f"*m{level - 1}"] * 10) + "]")
    doc = load_yaml("\n".join(lines) + "\n")
    assert doc.value is None
    assert doc.error is not None
    assert doc.error.message.startswith("YAML is too complex to read")


def test_merge_key_referring_to_itself_is_an_error() -> None:
    doc = load_yaml("a: &a\n  k: 1\n  <<: *a\n")
    assert doc.value is None
    assert doc.error is not None
    assert doc.error.message == "YAML merge key refers to itself"
    assert doc.error.line == 1


def test_shared_anchor_used_many_times_is_fine() -> None:
    text = "x: &x {A: 1, B: 2}\nservices:\n" + "".join(f"  s{i}:\n    <<: *x\n" for i in range(500))
    doc = load_yaml(text)
    assert doc.error is None
    assert isinstance(doc.value, dict)
    assert doc.value["services"]["s499"] == {"A": 1, "B": 2}  # type: ignore[call-overload,index]
    assert doc.locations[("services", "s499", "B")] == (1, 14)


def test_the_listed_non_printable_class_matches_pyyamls_on_every_code_point() -> None:
    everything = "".join(map(chr, range(0x110000)))
    listed = [match.start() for match in re.finditer(yamlloc.NON_PRINTABLE_LISTED, everything)]
    original = [match.start() for match in re.finditer(yamlloc.NON_PRINTABLE, everything)]
    assert listed == original
    assert len(listed) == 2_111  # controls, C1 controls but NEL, surrogates, U+FFFE, U+FFFF


def test_yaml_is_imported_with_the_listed_class_and_its_pure_reader_still_checks() -> None:
    program = textwrap.dedent(
        """
        import re
        from scanner.sources import yamlloc
        assert yamlloc.load_yaml("a: 1").value == {"a": 1}
        import yaml
        assert yaml.reader.Reader.NON_PRINTABLE.pattern == yamlloc.NON_PRINTABLE_LISTED
        assert (str, yamlloc.NON_PRINTABLE, 0) not in re._cache
        try:
            yaml.load("a: \\x07", Loader=yaml.SafeLoader)
        except yaml.reader.ReaderError as error:
            print(error)
        """
    )
    completed = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == [
        "unacceptable character #x0007: special characters are not allowed",
        '  in "<unicode string>", position 3',
    ]
