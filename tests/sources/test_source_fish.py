from __future__ import annotations

from pathlib import Path

import pytest
from observation_rows import D, L, R, rows

from scanner.model import FileKind, JSONValue, ParsedFile, ValueKind
from scanner.sources.fish import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "fish"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


def fish(text: str) -> ParsedFile:
    return parse("home/.config/fish/config.fish", text, FileKind.FISH)


def commands(parsed: ParsedFile) -> list[JSONValue]:
    entries = parsed.facts["commands"]
    assert isinstance(entries, list)
    return [entry["command"] for entry in entries if isinstance(entry, dict)]


def values(parsed: ParsedFile) -> list[tuple[str, str, JSONValue, ValueKind]]:
    return [(o.kind.value, o.name, o.value, o.value_kind) for o in parsed.observations]


def test_config_fish_fixture() -> None:
    text = (FIXTURES / "config.fish").read_text(encoding="utf-8")
    parsed = fish(text)
    assert rows(parsed) == [
        ("env", "CLAUDE_CODE_USE_BEDROCK", "1", L, "export", (), 2, 9, 2, 34),
        ("env", "AWS_REGION", "us-west-2", L, "export", (), 3, 23, 3, 43),
        # a list is exported joined with spaces
        ("env", "OTEL_RESOURCE_ATTRIBUTES", "team=platform env=dev", L, "export", (), 4, 9, 4, 55),
        # ... and a PATH variable with colons
        ("env", "PATH", "$HOME/.local/bin:$PATH", D, "export", (), 5, 9, 5, 36),
        ("env", "CLAUDE_CODE_USE_VERTEX", "1", L, "alias", ("alias", "cc"), 9, 19, 9, 43),
        ("env", "ANTHROPIC_MODEL", "(cat ~/.claude-model)", D, "export", (), 13, 13, 13, 50),
        ("env", "DISABLE_TELEMETRY", "1", L, "command-local", ("command", "14"), 14, 5, 14, 24),
        ("unset", "AWS_PROFILE", None, L, "unset", (), 17, 8, 17, 19),
    ]
    assert parsed.facts == {
        "runs_claude": True,
        "commands": [
            {"line": 9, "column": 15, "command": "claude", "runs_claude": True, "alias": "cc"},
            {"line": 14, "column": 5, "command": "claude", "runs_claude": True, "alias": None},
        ],
        "sources": [],
        "aliases": [{"name": "cc", "line": 9, "column": 11, "runs_claude": True}],
    }
    assert parsed.notifications == ()
    assert parsed.text == text
    assert {o.file_kind for o in parsed.observations} == {FileKind.FISH}


@pytest.mark.parametrize(
    "line",
    [
        "set -gx X v",
        "set -xg X v",
        "set -x X v",
        "set --export --global X v",
        "set --global --export X v",
        "set -Ux X v",
        "set -lx X v",
        "set -gx -- X v",
    ],
)
def test_exporting_set_forms(line: str) -> None:
    parsed = fish(line + "\n")
    assert values(parsed) == [("env", "X", "v", L)]
    assert parsed.observations[0].location.column == line.index(" X ") + 2


def test_set_without_export_is_not_in_the_environment() -> None:
    assert fish("set -g X v\nset -U Y v\nset Z v\nset -l W v\n").observations == ()


def test_set_of_an_exported_name_keeps_it_exported() -> None:
    assert values(fish("set -gx X first\nset X second\nset -g X third\n")) == [
        ("env", "X", "first", L),
        ("env", "X", "second", L),
        ("env", "X", "third", L),
    ]


def test_set_with_no_values_exports_an_empty_string() -> None:
    assert rows(fish("set -gx EMPTY\n")) == [("env", "EMPTY", "", L, "export", (), 1, 9, 1, 14)]


def test_erase_unexport_and_query() -> None:
    parsed = fish("set -gx A 1\nset -e A\nset --erase B C\nset -u D\nset -q E\nset -e F[1]\nset --show G\n")
    assert rows(parsed) == [
        ("env", "A", "1", L, "export", (), 1, 9, 1, 12),
        ("unset", "A", None, L, "unset", (), 2, 8, 2, 9),
        ("unset", "B", None, L, "unset", (), 3, 13, 3, 14),
        ("unset", "C", None, L, "unset", (), 3, 15, 3, 16),
        ("unset", "D", None, L, "unset", (), 4, 8, 4, 9),
    ]


def test_erased_name_is_no_longer_exported() -> None:
    assert values(fish("set -gx A 1\nset -e A\nset A 2\n")) == [("env", "A", "1", L), ("unset", "A", None, L)]


def test_append_prepend_and_path_joining() -> None:
    parsed = fish(
        "set -gx --append PATH /opt/bin\n"
        "set -gx -p MANPATH /opt/man\n"
        "set -gx --path DIRS a b\n"
        "set -gx --unpath XPATH a b\n"
        "set -gxa FLAGS --verbose\n"
    )
    assert values(parsed) == [
        ("env", "PATH", "$PATH:/opt/bin", D),
        ("env", "MANPATH", "/opt/man:$MANPATH", D),
        ("env", "DIRS", "a:b", L),
        ("env", "XPATH", "a b", L),
        ("env", "FLAGS", "$FLAGS --verbose", D),
    ]


@pytest.mark.parametrize(
    ("words", "value", "kind"),
    [
        ("plain", "plain", L),
        ("'lit $X'", "lit $X", L),
        ('"hi $USER"', "hi $USER", D),
        ('"$HOME"', "$HOME", R),
        ("$HOME", "$HOME", R),
        ("(cat ~/.key)", "(cat ~/.key)", D),
        ('"$(cat ~/.key)"', "$(cat ~/.key)", D),
        ("pre(date)post", "pre(date)post", D),
        ("a\\ b", "a b", L),
        ("a\\nb", "a\nb", L),
        ("'it\\'s'", "it's", L),
        ('"say \\"hi\\""', 'say "hi"', L),
        ('"back\\\\slash"', "back\\slash", L),
        ('"keep \\n"', "keep \\n", L),
        ("'a' \"b\" c", "a b c", L),
        ('"" x', " x", L),
    ],
)
def test_values_and_kinds(words: str, value: str, kind: ValueKind) -> None:
    parsed = fish(f"set -gx X {words}\n")
    assert values(parsed) == [("env", "X", value, kind)]
    assert parsed.notifications == ()


def test_command_local_assignments() -> None:
    parsed = fish("env X=1 claude -p hi\nY=2 Z=3 claude\nenv -u ANTHROPIC_API_KEY claude\nW=1 make\n")
    assert rows(parsed) == [
        ("env", "X", "1", L, "command-local", ("command", "1"), 1, 5, 1, 8),
        ("env", "Y", "2", L, "command-local", ("command", "2"), 2, 1, 2, 4),
        ("env", "Z", "3", L, "command-local", ("command", "2"), 2, 5, 2, 8),
        ("unset", "ANTHROPIC_API_KEY", None, L, "command-local", ("command", "3"), 3, 8, 3, 25),
        ("env", "W", "1", L, "command-local", ("command", "4"), 4, 1, 4, 4),
    ]
    assert commands(parsed) == ["claude", "claude", "claude", "make"]


def test_alias_forms() -> None:
    parsed = fish(
        "alias cc 'CLAUDE_CODE_USE_BEDROCK=1 claude'\nalias dd='env X=1 npx @anthropic-ai/claude-code'\n"
    )
    assert rows(parsed) == [
        ("env", "CLAUDE_CODE_USE_BEDROCK", "1", L, "alias", ("alias", "cc"), 1, 11, 1, 36),
        ("env", "X", "1", L, "alias", ("alias", "dd"), 2, 15, 2, 18),
    ]
    assert parsed.facts["aliases"] == [
        {"name": "cc", "line": 1, "column": 7, "runs_claude": True},
        {"name": "dd", "line": 2, "column": 7, "runs_claude": True},
    ]


def test_comments_blocks_and_keywords() -> None:
    parsed = fish(
        "# set -gx COMMENTED 1\n"
        "set -gx KEPT 1 # set -gx INLINE 1\n"
        'if test -n "$x"; set -gx IN_IF 1; else; set -gx IN_ELSE 1; end\n'
        "test -f x; and set -gx IN_AND 1; or set -gx IN_OR 1\n"
        "not set -q Y; and set -gx IN_NOT 1\n"
        "function f --description 'set -gx IN_DESCRIPTION 1'\n"
        "    set -gx IN_FUNCTION 1\n"
        "end\n"
        "begin; set -lx IN_BEGIN 1; end\n"
        "switch $x\n    case a\n        set -gx IN_CASE 1\nend\n"
    )
    assert [o.name for o in parsed.observations] == [
        "KEPT",
        "IN_IF",
        "IN_ELSE",
        "IN_AND",
        "IN_OR",
        "IN_NOT",
        "IN_FUNCTION",
        "IN_BEGIN",
        "IN_CASE",
    ]


def test_source_targets() -> None:
    parsed = fish("source ~/.config/fish/secrets.fish\n. ./local.fish\n")
    assert parsed.facts["sources"] == [
        {"line": 1, "target": "~/.config/fish/secrets.fish", "via": "source"},
        {"line": 2, "target": "./local.fish", "via": "."},
    ]


def test_continuation_and_crlf() -> None:
    text = "set -gx A \\\n  one two\r\nset -gx B 2\r\n"
    parsed = fish(text)
    assert rows(parsed) == [
        ("env", "A", "one two", L, "export", (), 1, 9, 2, 10),
        ("env", "B", "2", L, "export", (), 3, 9, 3, 12),
    ]
    assert parsed.text == text


def test_unterminated_quote_notifies_without_the_value() -> None:
    parsed = fish("set -gx GOOD 1\nset -gx ANTHROPIC_API_KEY 'sk-ant-secret\nset -gx LATER 1\n")
    assert values(parsed) == [("env", "GOOD", "1", L)]
    assert [(n.message, n.line) for n in parsed.notifications] == [("unterminated single quote at line 2", 2)]
    assert "sk-ant" not in parsed.notifications[0].message


@pytest.mark.parametrize(
    "text", ["", "(((((", ")))))", "set", "set -gx", "set -gx X (", '"' * 999, "\\", "alias"]
)
def test_garbage_never_raises(text: str) -> None:
    parsed = fish(text)
    assert isinstance(parsed, ParsedFile)
    assert len(parsed.notifications) <= 1


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not available")
def test_shared_samples_of_fish_kind_parse_cleanly() -> None:
    for path in (p for p in SAMPLES.rglob("*.fish") if p.is_file()):
        parsed = parse(str(path), path.read_text(encoding="utf-8", errors="replace"), FileKind.FISH)
        assert all(o.location.line >= 1 for o in parsed.observations)
