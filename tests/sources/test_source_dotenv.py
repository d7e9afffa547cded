from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.model import FileKind, JSONValue, ParsedFile, ValueKind
from scanner.sources import dotenv
from scanner.sources.dotenv import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "dotenv"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"

L = ValueKind.LITERAL
R = ValueKind.REFERENCE
D = ValueKind.DYNAMIC

Row = tuple[str, JSONValue, ValueKind, int, int, "int | None", "int | None"]


def rows(parsed: ParsedFile) -> list[Row]:
    return [
        (
            o.name,
            o.value,
            o.value_kind,
            o.location.line,
            o.location.column,
            o.location.end_line,
            o.location.end_column,
        )
        for o in parsed.observations
    ]


def env(text: str) -> ParsedFile:
    return parse("app/.env", text, FileKind.DOTENV)


def values(parsed: ParsedFile) -> list[tuple[str, JSONValue, ValueKind]]:
    return [(o.name, o.value, o.value_kind) for o in parsed.observations]


def test_env_example_fixture() -> None:
    text = (FIXTURES / "env.example").read_text(encoding="utf-8")
    parsed = parse("app/.env.example", text, FileKind.DOTENV)
    assert rows(parsed) == [
        # the commented-out placeholder on line 4 is not an assignment
        ("ANTHROPIC_API_KEY", "sk-ant-your_key_here", L, 6, 1, 6, 39),
        ("GITHUB_TOKEN", "ghp_your_token_here", L, 7, 1, 7, 33),
        ("ANTHROPIC_BASE_URL", "https://gateway.example.com", L, 8, 8, 8, 56),
        ("OTEL_EXPORTER_OTLP_HEADERS", "Authorization=Bearer ${OTEL_TOKEN}", L, 9, 1, 9, 64),
        ("CLAUDE_CODE_OAUTH_TOKEN", "${CLAUDE_TOKEN}", R, 10, 1, 10, 40),
        ("DISABLE_TELEMETRY", "", L, 11, 1, 11, 19),
    ]
    assert {(o.kind.value, o.scope, o.file_kind, o.group) for o in parsed.observations} == {
        ("env", "dotenv", FileKind.DOTENV, ())
    }
    assert parsed.notifications == ()
    assert parsed.text == text


@pytest.mark.parametrize(
    ("line", "name", "value", "kind"),
    [
        ("KEY=value", "KEY", "value", L),
        ("export KEY=value", "KEY", "value", L),
        ("KEY = value", "KEY", "value", L),
        ("  KEY=value  ", "KEY", "value", L),
        ("KEY=value # comment", "KEY", "value", L),
        ("KEY=value#not-a-comment", "KEY", "value#not-a-comment", L),
        ("KEY=# not a comment either", "KEY", "# not a comment either", L),
        ("KEY=", "KEY", "", L),
        ("KEY=''", "KEY", "", L),
        ('KEY=""', "KEY", "", L),
        ("KEY='single $X ${Y}'", "KEY", "single $X ${Y}", L),
        ("KEY='it\\'s'", "KEY", "it's", L),
        ('KEY="double # kept"  # dropped', "KEY", "double # kept", L),
        ('KEY="a\\nb\\tc\\"d\\\\e"', "KEY", 'a\nb\tc"d\\e', L),
        ('KEY="keep \\q"', "KEY", "keep \\q", L),
        ("KEY=${OTHER}", "KEY", "${OTHER}", R),
        ("KEY=$OTHER", "KEY", "$OTHER", R),
        ('KEY="${OTHER:-fallback}"', "KEY", "${OTHER:-fallback}", R),
        ("KEY=https://${HOST}/v1", "KEY", "https://${HOST}/v1", D),
        ("KEY=$(never run)", "KEY", "$(never run)", L),
        ("KEY=a`b`c", "KEY", "a`b`c", L),
        ("my.key-1=v", "my.key-1", "v", L),
        ("KEY=a=b=c", "KEY", "a=b=c", L),
    ],
)
def test_value_forms(line: str, name: str, value: str, kind: ValueKind) -> None:
    parsed = env(line + "\n")
    assert values(parsed) == [(name, value, kind)]
    assert parsed.notifications == ()


def test_positions() -> None:
    parsed = env("A=1\n  export  B = 'two' # c\nC=\"x\"\n")
    assert rows(parsed) == [
        ("A", "1", L, 1, 1, 1, 4),
        ("B", "two", L, 2, 11, 2, 20),
        ("C", "x", L, 3, 1, 3, 6),
    ]


def test_multi_line_double_and_single_quoted_values() -> None:
    parsed = env("CERT=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT=1\nS='a\nb'\n")
    assert rows(parsed) == [
        ("CERT", "-----BEGIN-----\nabc\n-----END-----", L, 1, 1, 3, 15),
        ("NEXT", "1", L, 4, 1, 4, 7),
        ("S", "a\nb", L, 5, 1, 6, 3),
    ]


def test_comments_blank_lines_and_bare_keys() -> None:
    parsed = env(
        "# ANTHROPIC_API_KEY=sk-ant-x\n\n   # indented comment\nBARE_KEY\nBARE # with comment\nA=1\n"
    )
    assert values(parsed) == [("A", "1", L)]
    assert parsed.notifications == ()


def test_crlf_and_bom() -> None:
    text = '\ufeffA=1\r\nB="two"\r\nC=three # c\r\n'
    parsed = env(text)
    assert rows(parsed) == [
        ("A", "1", L, 1, 1, 1, 4),
        ("B", "two", L, 2, 1, 2, 8),
        ("C", "three", L, 3, 1, 3, 8),
    ]
    assert parsed.text == text


def test_malformed_lines_are_counted_in_one_notification() -> None:
    parsed = env(
        "GOOD=1\n"
        "this is not an assignment\n"
        'ANTHROPIC_API_KEY="sk-ant-api03-unterminated\n'
        "AFTER=2\n"
        "SINGLE='sk-ant-also-open\n"
        "LAST=3\n"
    )
    assert values(parsed) == [("GOOD", "1", L), ("AFTER", "2", L), ("LAST", "3", L)]
    assert len(parsed.notifications) == 1
    note = parsed.notifications[0]
    assert (note.level, note.line, note.path, note.descriptor) == ("warning", 2, "app/.env", "parse-error")
    assert note.message == "3 lines were not read as KEY=value assignments (first at line 2)"
    assert "sk-ant" not in note.message


def test_single_malformed_line_message() -> None:
    assert [n.message for n in env("=value\n").notifications] == [
        "1 line was not read as KEY=value assignments (first at line 1)"
    ]


@pytest.mark.parametrize(
    "text", ["", "\n", "=", "'", '"', "KEY='", 'KEY="\\', "\x00\x01", "=" * 1000, "#" * 10]
)
def test_garbage_never_raises(text: str) -> None:
    parsed = env(text)
    assert isinstance(parsed, ParsedFile)
    assert len(parsed.notifications) <= 1


def test_cost_grows_linearly() -> None:
    block = "# comment\nKEY=value\nexport B=\"quoted ${X}\"\nC='single'\nD=unquoted # c\n"
    assert len(env(block * 100).observations) == 400
    small_time = _best(lambda: env(block * 100), 3)
    large_time = _best(lambda: env(block * 1000), 2)
    assert large_time < 30 * small_time + 0.05
    assert large_time < 10.0


def _best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times)


@pytest.mark.skipif(not (SAMPLES / "INDEX.tsv").is_file(), reason="../shared/samples is not available")
def test_shared_dotenv_samples() -> None:
    lines = (SAMPLES / "INDEX.tsv").read_text(encoding="utf-8").splitlines()[1:]
    paths = [SAMPLES / line.split("\t")[0] for line in lines if line.split("\t")[4:5] == ["dotenv"]]
    assert paths, "INDEX.tsv lists no dotenv sample"
    for path in paths:
        parsed = parse(str(path), path.read_text(encoding="utf-8"), FileKind.DOTENV)
        assert parsed.notifications == ()
        if path.name == ".env.example" and "flipmcf" in str(path):
            # the commented-out ANTHROPIC_API_KEY placeholder is not an assignment
            assert [(o.name, o.value) for o in parsed.observations] == [
                ("GITHUB_TOKEN", "ghp_your_token_here")
            ]


def test_a_parser_bug_becomes_a_notification(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(dotenv, "_read", broken)
    parsed = parse("x", "A=1\n", FileKind.DOTENV)
    assert [(n.level, n.descriptor) for n in parsed.notifications] == [("error", "internal-parse-error")]
    assert parsed.observations == ()
