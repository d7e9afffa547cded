from __future__ import annotations

import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from scanner.policy.locate import format_path, key_lines, line_of

DOC = '''\
# comment with = and [brackets]
extends = [ # trailing comment
  "a",  # y
  'b',
]
x.y = """multi
line \\""" still inside """
[tool . "cc policy"]
k = { a = 1, b = [1, {c = 2}] }
[[w]]
r = 1979-05-27 07:32:00
[[w]]
s = \'\'\'"\'\'\'
[w.sub]
t = 1
[[w.arr]]
u = 2
"quoted.key" = 3
'''


def test_every_key_of_a_tricky_document_has_its_line() -> None:
    tomllib.loads(DOC)  # the walker only ever sees valid TOML
    assert key_lines(DOC) == {
        ("extends",): 2,
        ("extends", 0): 3,
        ("extends", 1): 4,
        ("x",): 6,
        ("x", "y"): 6,
        ("tool",): 8,
        ("tool", "cc policy"): 8,
        ("tool", "cc policy", "k"): 9,
        ("tool", "cc policy", "k", "a"): 9,
        ("tool", "cc policy", "k", "b"): 9,
        ("tool", "cc policy", "k", "b", 0): 9,
        ("tool", "cc policy", "k", "b", 1): 9,
        ("tool", "cc policy", "k", "b", 1, "c"): 9,
        ("w",): 10,
        ("w", 0): 10,
        ("w", 0, "r"): 11,
        ("w", 1): 12,
        ("w", 1, "s"): 13,
        ("w", 1, "sub"): 14,
        ("w", 1, "sub", "t"): 15,
        ("w", 1, "arr"): 16,
        ("w", 1, "arr", 0): 16,
        ("w", 1, "arr", 0, "u"): 17,
        ("w", 1, "arr", 0, "quoted.key"): 18,
    }


def test_array_of_tables_under_an_array_of_tables_restarts_per_parent() -> None:
    text = (
        "[[rules]]\nid = 1\n[[rules.x]]\na = 1\n[[rules]]\nid = 2\n[[rules.x]]\na = 2\n[[rules.x]]\na = 3\n"
    )
    lines = key_lines(text)
    assert lines[("rules", 1, "x", 0, "a")] == 8
    assert lines[("rules", 1, "x", 1, "a")] == 10
    assert ("rules", 1, "x", 2) not in lines


def test_crlf_and_multiline_arrays_of_inline_tables() -> None:
    text = 'when = [\r\n  { env = "A" },\r\n  { setting = "b" },\r\n]\r\n'
    lines = key_lines(text)
    assert lines[("when", 1, "setting")] == 3
    assert lines[("when", 0, "env")] == 2


def test_a_missing_key_falls_back_to_its_table_then_to_line_one() -> None:
    lines = key_lines("a = 1\n\n[[waivers]]\nrule = 'x'\n")
    assert line_of(lines, ("waivers", 0, "expires")) == 3
    assert line_of(lines, ("nothing", "here")) == 1


def test_text_the_walker_does_not_understand_keeps_what_it_found() -> None:
    assert key_lines("a = 1\nb = ???\n") == {("a",): 1, ("b",): 2}
    assert key_lines("a = 'unterminated\n") == {("a",): 1}
    assert key_lines("[" * 5000) == {}


def test_format_path_quotes_keys_that_are_not_bare() -> None:
    assert format_path(("waivers", 0, "expires")) == "waivers[0].expires"
    assert format_path(("severity", "ACME-no-proxy")) == "severity.ACME-no-proxy"
    assert format_path(("severity", 'a."b')) == 'severity."a.\\"b"'
    assert format_path(("enable", 2)) == "enable[2]"
