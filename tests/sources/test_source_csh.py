from __future__ import annotations

from pathlib import Path

import pytest
from observation_rows import D, L, R, rows

from scanner.model import FileKind, ParsedFile, ValueKind
from scanner.sources.csh import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "csh"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"


def csh(text: str) -> ParsedFile:
    return parse("home/.cshrc", text, FileKind.CSH)


def test_cshrc_fixture() -> None:
    text = (FIXTURES / "cshrc").read_text(encoding="utf-8")
    parsed = csh(text)
    assert rows(parsed) == [
        ("env", "CLAUDE_CODE_USE_VERTEX", "1", L, "export", (), 2, 8, 2, 32),
        ("env", "CLOUD_ML_REGION", "us-east5", L, "export", (), 3, 8, 3, 34),
        ("env", "ANTHROPIC_VERTEX_PROJECT_ID", "$GCP_PROJECT", R, "export", (), 4, 8, 4, 48),
        ("env", "DISABLE_TELEMETRY", "1", L, "alias", ("alias", "cc"), 7, 19, 7, 38),
        ("unset", "ANTHROPIC_API_KEY", None, L, "unset", (), 9, 10, 9, 27),
    ]
    assert parsed.facts == {
        "runs_claude": True,
        "commands": [{"line": 7, "column": 15, "command": "claude", "runs_claude": True, "alias": "cc"}],
        "sources": [],
        "aliases": [{"name": "cc", "line": 7, "column": 11, "runs_claude": True}],
    }
    assert parsed.notifications == ()
    assert parsed.text == text
    assert {o.file_kind for o in parsed.observations} == {FileKind.CSH}


@pytest.mark.parametrize(
    ("line", "value", "kind"),
    [
        ("setenv X v", "v", L),
        ('setenv X "a b"', "a b", L),
        ("setenv X 'lit $HOME'", "lit $HOME", L),
        ('setenv X "$HOME/bin"', "$HOME/bin", D),
        ("setenv X ${HOME}", "${HOME}", R),
        ("setenv X `cat ~/.key`", "`cat ~/.key`", D),
        ("setenv X a\\ b", "a b", L),
        ("setenv X", "", L),
    ],
)
def test_setenv_values(line: str, value: str, kind: ValueKind) -> None:
    parsed = csh(line + "\n")
    assert [
        (o.kind.value, o.name, o.value, o.value_kind, o.location.column) for o in parsed.observations
    ] == [("env", "X", value, kind, 8)]
    assert parsed.observations[0].location.end_column == len(line) + 1


def test_unsetenv_several_and_patterns() -> None:
    parsed = csh("unsetenv A B\nunsetenv CLAUDE_*\n")
    assert rows(parsed) == [
        ("unset", "A", None, L, "unset", (), 1, 10, 1, 11),
        ("unset", "B", None, L, "unset", (), 1, 12, 1, 13),
    ]


def test_shell_variables_and_posix_prefixes_are_not_environment() -> None:
    # `set` makes a shell variable; `X=1 cmd` is not csh syntax
    parsed = csh("set history = 1000\nset ANTHROPIC_API_KEY = sk-ant-x\nX=1 claude\n")
    assert parsed.observations == ()


def test_env_command_local() -> None:
    parsed = csh("env ANTHROPIC_MODEL=opus claude -p hi\n")
    assert rows(parsed) == [
        ("env", "ANTHROPIC_MODEL", "opus", L, "command-local", ("command", "1"), 1, 5, 1, 25),
    ]
    assert parsed.facts["commands"] == [
        {"line": 1, "column": 1, "command": "claude", "runs_claude": True, "alias": None}
    ]


def test_alias_quoted_and_bare() -> None:
    parsed = csh(
        "alias cc 'env CLAUDE_CODE_USE_BEDROCK=1 claude'\nalias dd env X=1 claude\nalias ll ls -la\n"
    )
    assert rows(parsed) == [
        ("env", "CLAUDE_CODE_USE_BEDROCK", "1", L, "alias", ("alias", "cc"), 1, 15, 1, 40),
        ("env", "X", "1", L, "alias", ("alias", "dd"), 2, 14, 2, 17),
    ]
    assert parsed.facts["aliases"] == [
        {"name": "cc", "line": 1, "column": 7, "runs_claude": True},
        {"name": "dd", "line": 2, "column": 7, "runs_claude": True},
        {"name": "ll", "line": 3, "column": 7, "runs_claude": False},
    ]


def test_conditionals_comments_and_sources() -> None:
    parsed = csh(
        "# setenv COMMENTED 1\n"
        "if ( $?prompt ) setenv IN_IF 1\n"
        "if ($?X) then\n  setenv IN_THEN 1\nelse\n  setenv IN_ELSE 1\nendif\n"
        "setenv KEPT 1 # setenv INLINE 1\n"
        "foreach d (a b)\n  setenv IN_LOOP $d\nend\n"
        "source ~/.cshrc.local\n"
    )
    assert [o.name for o in parsed.observations] == ["IN_IF", "IN_THEN", "IN_ELSE", "KEPT", "IN_LOOP"]
    assert parsed.observations[0].location.column == 24
    assert parsed.facts["sources"] == [{"line": 12, "target": "~/.cshrc.local", "via": "source"}]


def test_crlf_and_continuation() -> None:
    text = "setenv A 1\r\nsetenv B \\\n  2\r\n"
    parsed = csh(text)
    assert rows(parsed) == [
        ("env", "A", "1", L, "export", (), 1, 8, 1, 11),
        ("env", "B", "2", L, "export", (), 2, 8, 3, 4),
    ]


def test_unterminated_quote_notifies() -> None:
    parsed = csh('setenv GOOD 1\nsetenv ANTHROPIC_API_KEY "sk-ant-secret\n')
    assert [o.name for o in parsed.observations] == ["GOOD"]
    assert [(n.message, n.line) for n in parsed.notifications] == [("unterminated double quote at line 2", 2)]


@pytest.mark.parametrize(
    "text", ["", "setenv", "unsetenv", "alias", "alias x", "if (", "(((", "`", "\x00\xff"]
)
def test_garbage_never_raises(text: str) -> None:
    parsed = csh(text)
    assert isinstance(parsed, ParsedFile)
    assert len(parsed.notifications) <= 1


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not available")
def test_shared_samples_of_csh_kind_parse_cleanly() -> None:
    files = [
        p
        for p in SAMPLES.rglob("*")
        if p.is_file() and (p.suffix in (".csh", ".tcsh") or p.name in (".cshrc", ".tcshrc", ".login"))
    ]
    for path in files:
        parsed = parse(str(path), path.read_text(encoding="utf-8", errors="replace"), FileKind.CSH)
        assert all(o.location.line >= 1 for o in parsed.observations)
