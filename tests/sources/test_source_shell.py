from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from observation_rows import D, L, R, rows

from scanner.model import FileKind, JSONValue, ObservationKind, ParsedFile, ValueKind
from scanner.sources import csh, fish, shell
from scanner.sources.shell import parse
from scanner.sources.shlex_util import (
    LineIndex,
    Piece,
    PieceKind,
    classify_pieces,
    command_runs_claude,
    mentions_claude_install,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "shell"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"

ENV = ObservationKind.ENV
UNSET = ObservationKind.UNSET


def sh(text: str, kind: FileKind = FileKind.SHELL) -> ParsedFile:
    return parse("home/.bashrc", text, kind)


def commands(parsed: ParsedFile) -> list[JSONValue]:
    entries = parsed.facts["commands"]
    assert isinstance(entries, list)
    return [entry["command"] for entry in entries if isinstance(entry, dict)]


def names(parsed: ParsedFile) -> list[tuple[str, str, JSONValue]]:
    return [(o.kind.value, o.name, o.value) for o in parsed.observations]


# -- fixtures -------------------------------------------------------------------------------------


def test_zshrc_fixture() -> None:
    text = (FIXTURES / "zshrc").read_text(encoding="utf-8")
    parsed = parse("home/.zshrc", text, FileKind.SHELL)
    assert rows(parsed) == [
        ("env", "PATH", "$HOME/.local/bin:$PATH", D, "export", (), 4, 8, 4, 37),
        ("env", "CLAUDE_CODE_USE_BEDROCK", "1", L, "export", (), 5, 8, 5, 33),
        ("env", "AWS_REGION", "us-east-1", L, "export", (), 5, 34, 5, 56),
        # `set -a` ... `set +a`
        ("env", "DISABLE_TELEMETRY", "1", L, "export", (), 9, 1, 9, 20),
        ("env", "ANTHROPIC_MODEL", "claude-sonnet-4", L, "export", (), 10, 1, 10, 34),
        # assigned on line 14, exported by name on line 15: reported where the value is
        ("env", "OTEL_EXPORTER_OTLP_ENDPOINT", "https://otel.example.com", L, "export", (), 14, 1, 14, 53),
        ("env", "CLAUDE_CODE_USE_VERTEX", "1", L, "alias", ("alias", "cc"), 17, 11, 17, 35),
        ("env", "ANTHROPIC_BASE_URL", "https://gateway.example.com", L, "export", (), 21, 12, 21, 60),
        ("env", "DISABLE_ERROR_REPORTING", "1", L, "command-local", ("command", "22"), 22, 3, 22, 28),
        ("unset", "AWS_PROFILE", None, L, "unset", (), 28, 7, 28, 18),
    ]
    assert parsed.facts == {
        "runs_claude": True,
        "commands": [
            {"line": 17, "column": 11, "command": "claude", "runs_claude": True, "alias": "cc"},
            {"line": 22, "column": 3, "command": "claude", "runs_claude": True, "alias": None},
        ],
        "sources": [{"line": 26, "target": "~/.zshrc.local", "via": "source"}],
        "aliases": [
            {"name": "cc", "line": 17, "column": 7, "runs_claude": True},
            {"name": "ll", "line": 18, "column": 7, "runs_claude": False},
        ],
    }
    assert parsed.notifications == ()
    assert parsed.text == text
    assert parsed.kind is FileKind.SHELL
    assert {o.file_kind for o in parsed.observations} == {FileKind.SHELL}


def test_envrc_fixture() -> None:
    text = (FIXTURES / "envrc").read_text(encoding="utf-8")
    parsed = parse("repo/.envrc", text, FileKind.ENVRC)
    assert rows(parsed) == [
        (
            "env",
            "ANTHROPIC_BASE_URL",
            "https://llm-gateway.internal.example.com",
            L,
            "export",
            (),
            3,
            8,
            3,
            67,
        ),
        ("env", "ANTHROPIC_AUTH_TOKEN", '$(op read "op://eng/claude/token")', D, "export", (), 4, 8, 4, 63),
    ]
    # the plain CLAUDE_CODE_ENABLE_TELEMETRY=1 is never exported, so direnv does not apply it
    assert parsed.facts["sources"] == [
        {"line": 2, "target": ".env.local", "via": "dotenv_if_exists"},
        {"line": 6, "target": ".envrc", "via": "source_up"},
    ]
    assert parsed.facts["runs_claude"] is False
    assert {o.file_kind for o in parsed.observations} == {FileKind.ENVRC}


def test_direnv_functions_are_not_sources_in_plain_shell_files() -> None:
    assert sh("dotenv .env.prod\n").facts["sources"] == []
    assert sh("dotenv\n", FileKind.ENVRC).facts["sources"] == [{"line": 1, "target": ".env", "via": "dotenv"}]


# -- exports ----------------------------------------------------------------------------------------


def test_export_several_in_one_command() -> None:
    parsed = sh("export X=v Y=\"two words\" Z='w'\n")
    assert rows(parsed) == [
        ("env", "X", "v", L, "export", (), 1, 8, 1, 11),
        ("env", "Y", "two words", L, "export", (), 1, 12, 1, 25),
        ("env", "Z", "w", L, "export", (), 1, 26, 1, 31),
    ]


def test_plain_assignment_is_not_in_the_environment() -> None:
    assert sh("ANTHROPIC_API_KEY=sk-ant-abc\nHISTSIZE=1000\n").observations == ()


def test_export_by_name_reports_the_assignment() -> None:
    parsed = sh("A=first\nA=second\nexport A\nexport NEVER_ASSIGNED\n")
    assert rows(parsed) == [("env", "A", "second", L, "export", (), 2, 1, 2, 9)]


def test_reassigning_an_exported_name_updates_the_environment() -> None:
    parsed = sh("export A=1\nA=2\n")
    assert names(parsed) == [("env", "A", "1"), ("env", "A", "2")]
    assert parsed.observations[1].scope == "export"


def test_declaration_builtins() -> None:
    parsed = sh(
        "declare -x DX=dx\n"
        "typeset -gx TX=tx\n"
        "declare -gx GX=gx\n"
        "f() { local -x LX=lx; }\n"
        "declare PLAIN=p\n"
        "local LOCAL=l\n"
        "readonly RO=ro\n"
        "export RO\n"
        "declare -x -- DASH=d\n"
    )
    assert names(parsed) == [
        ("env", "DX", "dx"),
        ("env", "TX", "tx"),
        ("env", "GX", "gx"),
        ("env", "LX", "lx"),
        ("env", "RO", "ro"),
        ("env", "DASH", "d"),
    ]
    assert parsed.observations[3].location.column == 16
    assert {o.scope for o in parsed.observations} == {"export"}


def test_declare_x_by_name_exports_a_pending_assignment() -> None:
    assert names(sh("V=1\ntypeset -x V\n")) == [("env", "V", "1")]


def test_function_and_print_options_export_nothing() -> None:
    assert sh("export -f myfunc\ndeclare -fx other\nexport -p\ndeclare -x\n").observations == ()


def test_export_n_and_declare_plus_x_remove_from_the_environment() -> None:
    parsed = sh("export A=1 B=2\nexport -n A\ndeclare +x B\n")
    assert rows(parsed)[2:] == [
        ("unset", "A", None, L, "unset", (), 2, 11, 2, 12),
        ("unset", "B", None, L, "unset", (), 3, 12, 3, 13),
    ]


def test_quoted_export_argument_is_still_an_assignment() -> None:
    # `export` receives the word after quote removal: "X=1" assigns
    parsed = sh('export "QX=1"\n')
    assert rows(parsed) == [("env", "QX", "1", L, "export", (), 1, 9, 1, 14)]


def test_append_assignment_is_dynamic() -> None:
    parsed = sh("export PATH+=:/opt/bin\nexport EMPTY+=\n")
    assert rows(parsed) == [
        ("env", "PATH", "${PATH}:/opt/bin", D, "export", (), 1, 8, 1, 23),
        ("env", "EMPTY", "${EMPTY}", R, "export", (), 2, 8, 2, 15),
    ]


def test_arrays_are_never_exported() -> None:
    assert sh("arr=(a b c)\nexport arr\ndeclare -ax A2=(1 2)\nexport A3=(x)\n").observations == ()


# -- allexport ---------------------------------------------------------------------------------------


def test_set_a_and_set_o_allexport() -> None:
    parsed = sh(
        "A=before\nset -a\nB=1\nset +a\nC=after\nset -o allexport\nD=2\nset +o allexport\nE=3\nset -ea\nF=4\n"
    )
    assert names(parsed) == [("env", "B", "1"), ("env", "D", "2"), ("env", "F", "4")]


def test_set_options_without_a_do_not_export() -> None:
    assert sh("set -euo pipefail\nX=1\nset -- a b\nY=2\n").observations == ()


def test_zsh_setopt_allexport() -> None:
    parsed = sh("setopt ALL_EXPORT\nA=1\nunsetopt allexport\nB=2\nsetopt no_all_export\nC=3\n")
    assert names(parsed) == [("env", "A", "1")]


# -- unset -------------------------------------------------------------------------------------------


def test_unset_forms() -> None:
    parsed = sh("unset X\nunset -v Y Z\nunset -f myfunc\n")
    assert rows(parsed) == [
        ("unset", "X", None, L, "unset", (), 1, 7, 1, 8),
        ("unset", "Y", None, L, "unset", (), 2, 10, 2, 11),
        ("unset", "Z", None, L, "unset", (), 2, 12, 2, 13),
    ]


def test_unset_forgets_a_pending_assignment() -> None:
    assert names(sh("A=1\nunset A\nexport A\n")) == [("unset", "A", None)]


# -- command-local assignments -----------------------------------------------------------------------


def test_prefix_assignment_before_claude() -> None:
    parsed = sh('echo start\nCLAUDE_CODE_USE_BEDROCK=1 AWS_REGION=eu-west-1 claude -p "summarise"\n')
    assert rows(parsed) == [
        ("env", "CLAUDE_CODE_USE_BEDROCK", "1", L, "command-local", ("command", "2"), 2, 1, 2, 26),
        ("env", "AWS_REGION", "eu-west-1", L, "command-local", ("command", "2"), 2, 27, 2, 47),
    ]
    assert parsed.facts["commands"] == [
        {"line": 2, "column": 1, "command": "claude", "runs_claude": True, "alias": None}
    ]
    assert parsed.facts["runs_claude"] is True


def test_env_wrapper_assignments_and_unsets() -> None:
    parsed = sh("env X=1 Y=2 claude\nenv -u ANTHROPIC_API_KEY -i Z=3 claude\nenv --unset=W claude\n")
    assert rows(parsed) == [
        ("env", "X", "1", L, "command-local", ("command", "1"), 1, 5, 1, 8),
        ("env", "Y", "2", L, "command-local", ("command", "1"), 1, 9, 1, 12),
        ("env", "Z", "3", L, "command-local", ("command", "2"), 2, 29, 2, 32),
        ("unset", "ANTHROPIC_API_KEY", None, L, "command-local", ("command", "2"), 2, 8, 2, 25),
        ("unset", "W", None, L, "command-local", ("command", "3"), 3, 13, 3, 14),
    ]


def test_npx_and_other_runners() -> None:
    parsed = sh(
        "X=1 npx @anthropic-ai/claude-code\n"
        "npx -y @anthropic-ai/claude-code@latest -p hi\n"
        "pnpm dlx @anthropic-ai/claude-code\n"
        "bunx @anthropic-ai/claude-code\n"
        "npm install -g @anthropic-ai/claude-code\n"
        "npx @anthropic-ai/claude-code-router\n"
        "/usr/local/bin/claude --version\n"
        "command -v claude\n"
        "which claude\n"
        "Y=2 make build\n"
    )
    assert parsed.facts["commands"] == [
        {"line": 1, "column": 1, "command": "npx", "runs_claude": True, "alias": None},
        {"line": 2, "column": 1, "command": "npx", "runs_claude": True, "alias": None},
        {"line": 3, "column": 1, "command": "pnpm", "runs_claude": True, "alias": None},
        {"line": 4, "column": 1, "command": "bunx", "runs_claude": True, "alias": None},
        {"line": 7, "column": 1, "command": "/usr/local/bin/claude", "runs_claude": True, "alias": None},
        {"line": 10, "column": 1, "command": "make", "runs_claude": False, "alias": None},
    ]
    assert names(parsed) == [("env", "X", "1"), ("env", "Y", "2")]


def test_wrappers_are_peeled() -> None:
    parsed = sh("sudo -E -u bob X=1 claude\nnohup env Y=2 claude >/dev/null 2>&1 &\nexec nice -n 5 claude\n")
    assert names(parsed) == [("env", "X", "1"), ("env", "Y", "2")]
    assert commands(parsed) == ["claude", "claude", "claude"]


def test_a_function_named_claude_is_not_a_run() -> None:
    parsed = sh('claude() {\n  command claude --model opus "$@"\n}\n')
    assert parsed.facts["commands"] == [
        {"line": 2, "column": 3, "command": "claude", "runs_claude": True, "alias": None}
    ]


def test_command_local_across_a_continuation_is_grouped_by_its_first_line() -> None:
    parsed = sh("CLAUDE_CODE_USE_VERTEX=1 \\\n  CLOUD_ML_REGION=us-east5 \\\n  claude -p hi\n")
    assert rows(parsed) == [
        ("env", "CLAUDE_CODE_USE_VERTEX", "1", L, "command-local", ("command", "1"), 1, 1, 1, 25),
        ("env", "CLOUD_ML_REGION", "us-east5", L, "command-local", ("command", "1"), 2, 3, 2, 27),
    ]


def test_assignments_in_pipelines_and_lists() -> None:
    parsed = sh("true && X=1 claude | tee log; Y=2 claude & wait\n")
    assert [(o.name, o.group) for o in parsed.observations] == [
        ("X", ("command", "1")),
        ("Y", ("command", "1")),
    ]


# -- aliases -----------------------------------------------------------------------------------------


def test_alias_columns_point_into_the_alias_string() -> None:
    parsed = sh('alias cc=\'CLAUDE_CODE_USE_VERTEX=1 claude\' dd="env X=\\"a b\\" claude"\n')
    assert rows(parsed) == [
        ("env", "CLAUDE_CODE_USE_VERTEX", "1", L, "alias", ("alias", "cc"), 1, 11, 1, 35),
        ("env", "X", "a b", L, "alias", ("alias", "dd"), 1, 52, 1, 61),
    ]
    assert parsed.facts["aliases"] == [
        {"name": "cc", "line": 1, "column": 7, "runs_claude": True},
        {"name": "dd", "line": 1, "column": 44, "runs_claude": True},
    ]


def test_alias_bodies_with_exports_and_global_aliases() -> None:
    parsed = sh("alias -g work='export ANTHROPIC_MODEL=opus; claude'\nalias gs='git status'\nalias\n")
    assert rows(parsed) == [("env", "ANTHROPIC_MODEL", "opus", L, "alias", ("alias", "work"), 1, 23, 1, 43)]
    assert parsed.facts["aliases"] == [
        {"name": "work", "line": 1, "column": 10, "runs_claude": True},
        {"name": "gs", "line": 2, "column": 7, "runs_claude": False},
    ]


def test_alias_state_does_not_leak_into_the_file() -> None:
    # `set -a` inside an alias body does not switch allexport on for the rest of the file
    assert sh("alias x='set -a'\nA=1\n").observations == ()


# -- quoting -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assignment", "value", "kind"),
    [
        ("X=plain", "plain", L),
        ("X='$HOME'", "$HOME", L),
        ('X="$HOME"', "$HOME", R),
        ("X=$HOME", "$HOME", R),
        ('X="${TOKEN:-default}"', "${TOKEN:-default}", R),
        ('X="pre-$HOME"', "pre-$HOME", D),
        ("X=$(cat ~/.key)", "$(cat ~/.key)", D),
        ("X=`cat ~/.key`", "`cat ~/.key`", D),
        ('X="$(cat "$HOME/.key")"', '$(cat "$HOME/.key")', D),
        ('X="\\$HOME"', "$HOME", L),
        ("X=\\$HOME", "$HOME", L),
        ("X=$'a\\nb\\t\\x41\\u00e9'", "a\nb\tA\u00e9", L),
        ("X=$'it\\'s'", "it's", L),
        ("X=\"a\"'b'c", "abc", L),
        ("X='$A'\"$B\"", "$A$B", D),
        ("X=\"$A\"''", "$A", R),
        ('X="say \\"hi\\""', 'say "hi"', L),
        ("X=", "", L),
        ("X=''", "", L),
        ("X=a\\ b", "a b", L),
        ('X="a\\b"', "a\\b", L),
        ("X=${HOME}/bin", "${HOME}/bin", D),
        ("X=$HOME$USER", "$HOME$USER", D),
    ],
)
def test_values_and_kinds(assignment: str, value: str, kind: ValueKind) -> None:
    parsed = sh(f"export {assignment}\n")
    assert [(o.name, o.value, o.value_kind) for o in parsed.observations] == [("X", value, kind)]
    assert parsed.notifications == ()


def test_value_spanning_a_continuation() -> None:
    parsed = sh("export K=ab\\\ncd\n")
    assert rows(parsed) == [("env", "K", "abcd", L, "export", (), 1, 8, 2, 3)]


def test_double_quoted_value_spanning_lines() -> None:
    parsed = sh('export M="line1\nline2"\nexport N=after\n')
    assert rows(parsed) == [
        ("env", "M", "line1\nline2", L, "export", (), 1, 8, 2, 7),
        ("env", "N", "after", L, "export", (), 3, 8, 3, 15),
    ]


# -- comments, heredocs, structure -------------------------------------------------------------------


def test_comments() -> None:
    parsed = sh(
        "# export COMMENTED=1\n"
        "  #export ALSO=1\n"
        "export KEPT=1 # export INLINE=1\n"
        "echo hi # export NOPE=1\n"
        "export HASH=a#b\n"
        "export SPACED=a;#comment\n"
    )
    assert names(parsed) == [("env", "KEPT", "1"), ("env", "HASH", "a#b"), ("env", "SPACED", "a")]


def test_quotes_in_comments_after_commands_do_not_open_strings() -> None:
    parsed = sh("ls -la # it's here\nexport A=1\necho done # \"quoted\nexport B=2\n")
    assert names(parsed) == [("env", "A", "1"), ("env", "B", "2")]
    assert parsed.notifications == ()


def test_heredoc_bodies_are_not_assignments() -> None:
    parsed = sh(
        "cat <<EOF > /etc/profile.d/x.sh\n"
        "export IN_HEREDOC=1\n"
        "EOF\n"
        "cat <<'QUOTED' | sh\n"
        "export ALSO_IN=1\n"
        "QUOTED\n"
        "cat <<-TABS\n"
        "\texport TABBED=1\n"
        "\tTABS\n"
        "cat <<A <<B\n"
        "export IN_A=1\n"
        "A\n"
        "export IN_B=1\n"
        "B\n"
        "export AFTER=1\n"
        "cat <<< 'export HERESTRING=1'\n"
    )
    assert rows(parsed) == [("env", "AFTER", "1", L, "export", (), 15, 8, 15, 15)]
    assert parsed.notifications == ()


def test_functions_conditionals_and_case_arms() -> None:
    parsed = sh(
        "f() { export IN_F=1; }\n"
        "function g { export IN_G=1; }\n"
        "function h() {\n  export IN_H=1\n}\n"
        'if [ -n "$X" ]; then export IN_IF=1; elif true; then export IN_ELIF=1; else export IN_ELSE=1; fi\n'
        "[ -f ~/.x ] && export IN_AND=1 || export IN_OR=1\n"
        'case "$1" in\n  a) export IN_CASE=1 ;;\nesac\n'
        "while read -r l; do export IN_LOOP=$l; done < f\n"
        "( export IN_SUBSHELL=1 )\n"
        "{ export IN_GROUP=1; }\n"
    )
    assert [o.name for o in parsed.observations] == [
        "IN_F",
        "IN_G",
        "IN_H",
        "IN_IF",
        "IN_ELIF",
        "IN_ELSE",
        "IN_AND",
        "IN_OR",
        "IN_CASE",
        "IN_LOOP",
        "IN_SUBSHELL",
        "IN_GROUP",
    ]
    assert parsed.observations[9].value_kind is R


def test_source_targets() -> None:
    parsed = sh('source ~/.secrets\n. "$HOME/.env.sh"\nX=1 source ./y\n')
    assert parsed.facts["sources"] == [
        {"line": 1, "target": "~/.secrets", "via": "source"},
        {"line": 2, "target": "$HOME/.env.sh", "via": "."},
        {"line": 3, "target": "./y", "via": "source"},
    ]


def test_redirections_are_not_arguments() -> None:
    parsed = sh("claude -p hi > out.txt 2>&1\nX=1 claude <in\n")
    assert parsed.facts["runs_claude"] is True
    assert names(parsed) == [("env", "X", "1")]


def test_crlf_line_endings() -> None:
    text = 'export A=1\r\nexport B="two"\r\nC=3 claude\r\n'
    parsed = sh(text)
    assert rows(parsed) == [
        ("env", "A", "1", L, "export", (), 1, 8, 1, 11),
        ("env", "B", "two", L, "export", (), 2, 8, 2, 15),
        ("env", "C", "3", L, "command-local", ("command", "3"), 3, 1, 3, 4),
    ]
    assert parsed.text == text


def test_byte_order_mark_does_not_shift_columns() -> None:
    assert rows(sh("\ufeffexport A=1\n")) == [("env", "A", "1", L, "export", (), 1, 8, 1, 11)]


def test_non_ascii_columns_are_code_points() -> None:
    parsed = sh("echo 'héllo wörld'; export ÜBER=x MY=ü\n")
    # ÜBER is not a valid name (bash names are ASCII), MY follows it
    assert rows(parsed) == [("env", "MY", "ü", L, "export", (), 1, 35, 1, 39)]


# -- malformed input ---------------------------------------------------------------------------------


def test_unterminated_double_quote_keeps_earlier_assignments_and_notifies() -> None:
    parsed = sh('export GOOD=1\nexport ANTHROPIC_API_KEY="sk-ant-api03-secret\nexport LATER=2\n')
    assert names(parsed) == [("env", "GOOD", "1")]
    assert len(parsed.notifications) == 1
    note = parsed.notifications[0]
    assert (note.level, note.line, note.path, note.descriptor) == (
        "warning",
        2,
        "home/.bashrc",
        "parse-error",
    )
    assert note.message == "unterminated double quote at line 2"
    assert "sk-ant" not in note.message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("export A='oops\n", "unterminated single quote at line 1"),
        ("export A=$(oops\n", "unterminated parenthesis at line 1"),
        ("export A=${oops\n", "unterminated parameter expansion at line 1"),
        ("export A=`oops\n", "unterminated backquote at line 1"),
        ("cat <<EOF\nexport A=1\n", "unterminated here-document at line 1"),
        ("export A=$'oops\n", "unterminated $'...' string at line 1"),
    ],
)
def test_unterminated_constructs(text: str, message: str) -> None:
    parsed = sh(text)
    assert parsed.observations == ()
    assert [n.message for n in parsed.notifications] == [message]


def test_several_problems_are_one_notification() -> None:
    parsed = sh("echo $(\necho `x\n")
    assert len(parsed.notifications) == 1
    assert parsed.notifications[0].message.startswith("unterminated parenthesis at line 1 (")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "\x00\x01\x02 export A=1 \xff\xfe",
        "((((((((((((((((((((",
        "))))))))))",
        "$(" * 2000,
        "${" * 2000,
        '"' * 1001,
        "'" * 1001,
        "\\",
        "export",
        "export =1 ==x 1A=2",
        "alias",
        "alias x='",
        "<<",
        "a<(b",
        "f() {",
        "`" * 999,
        "x=(" * 500,
        "\r\r\r export A=1",
    ],
)
def test_garbage_never_raises(text: str) -> None:
    parsed = sh(text)
    assert isinstance(parsed, ParsedFile)
    assert len(parsed.notifications) <= 1


def test_pathological_words_stay_fast() -> None:
    text = "export A=" + "a" * 200_000 + "$(\n" + " " * 100_000 + "$(\n" + "x" * 100_000 + '"\n'
    started = time.process_time()
    parsed = sh(text)
    assert time.process_time() - started < 2.0
    assert len(parsed.notifications) == 1


def test_ten_thousand_line_profile_costs_ten_times_a_thousand_lines() -> None:
    block = (
        "# prompt and history\n"
        "HISTSIZE=1000\n"
        'export PATH="$HOME/bin:$PATH"\n'
        "alias ll='ls -la'\n"
        "if [ -f ~/.bash_aliases ]; then\n    . ~/.bash_aliases\nfi\n"
        'mkcd() { mkdir -p "$1" && cd "$1"; }\n'
        'for f in a b c; do echo "$f"; done\n'
        "\n"
    )
    large = block * 1000
    assert large.count("\n") == 10_000
    assert len(sh(block * 100).observations) == 100
    # Measured at about 50 ms for the 10,000 lines on an idle machine; a ratio rather than a
    # wall-clock bound keeps the test meaningful on a busy one: linear is about 10, quadratic 100.
    small_time = _best(lambda: sh(block * 100), 3)
    large_time = _best(lambda: sh(large), 2)
    assert large_time < 30 * small_time + 0.05
    assert large_time < 10.0


def _best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times)


# -- shared helpers ----------------------------------------------------------------------------------


def test_line_index_positions() -> None:
    index = LineIndex("ab\ncd\n\nef")
    assert [index.position(o) for o in (0, 1, 2, 3, 6, 7, 8, 9)] == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (3, 1),
        (4, 1),
        (4, 2),
        (4, 3),
    ]


def test_classify_pieces_combines_quoting() -> None:
    def lit(text: str) -> Piece:
        return Piece(text, PieceKind.LITERAL, 0)

    def exp(text: str) -> Piece:
        return Piece(text, PieceKind.EXPAND, 0)

    assert classify_pieces([lit("$HOME")]) is L
    assert classify_pieces([exp("$HOME")]) is R
    assert classify_pieces([exp("$HOME"), lit("/x")]) is D
    assert classify_pieces([exp("$A"), exp("$B")]) is D
    assert classify_pieces([exp("$A"), lit("")]) is R
    assert classify_pieces([Piece("(cmd)", PieceKind.DYNAMIC, 0)]) is D
    assert classify_pieces([exp("$(cmd)")]) is D
    assert classify_pieces([exp("$(cmd)")], substitutions=False) is L
    assert classify_pieces([exp("a`b`")], substitutions=False) is L
    assert classify_pieces([]) is L


def test_claude_detection_helpers() -> None:
    assert command_runs_claude("claude", [])
    assert command_runs_claude("C:\\tools\\Claude.exe", [])
    assert command_runs_claude("npx", ["--yes", "@anthropic-ai/claude-code@1.0.0"])
    assert command_runs_claude("yarn", ["dlx", "@anthropic-ai/claude-code"])
    assert not command_runs_claude("yarn", ["add", "@anthropic-ai/claude-code"])
    assert not command_runs_claude("npx", ["@anthropic-ai/claude-code-router"])
    assert not command_runs_claude("claude-monitor", [])
    assert mentions_claude_install("npm i -g @anthropic-ai/claude-code && true")
    assert mentions_claude_install("curl -fsSL https://claude.ai/install.sh | bash")
    assert mentions_claude_install("claude install stable")
    assert not mentions_claude_install("npm i -g @anthropic-ai/claude-code-router")
    assert not mentions_claude_install("echo claude installed")


# -- the shared samples ------------------------------------------------------------------------------

_SHELL_NAMES = (".bashrc", ".zshrc", ".profile", ".bash_profile", ".zprofile", ".zshenv", ".envrc")


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not available")
def test_shared_samples_of_shell_kind_parse_cleanly() -> None:
    files = [
        p
        for p in SAMPLES.rglob("*")
        if p.is_file() and (p.suffix in (".sh", ".bash", ".zsh", ".ksh") or p.name in _SHELL_NAMES)
    ]
    for path in files:
        kind = FileKind.ENVRC if path.name == ".envrc" else FileKind.SHELL
        parsed = parse(str(path), path.read_text(encoding="utf-8", errors="replace"), kind)
        assert all(o.location.line >= 1 and o.location.column >= 1 for o in parsed.observations)


# -- the fast path agrees with the slow one ------------------------------------------------------------

_FUZZ_TOKENS = [
    "export",
    "X=1",
    'Y="a $b"',
    "Z='c d'",
    "$(x y)",
    "`q`",
    "#",
    "# it's",
    ";",
    "&&",
    "|",
    "\\\n",
    "<<EOF",
    "EOF",
    "\n",
    "\n",
    "\n",
    "alias",
    "cc='X=1 claude'",
    "claude",
    "env",
    "set",
    "-a",
    "+a",
    "unset",
    "A",
    "W=$HOME",
    "(",
    ")",
    "{",
    "}",
    "if",
    "then",
    "fi",
    "function",
    "f",
    "'",
    '"',
    "$'a\\nb'",
    "2>&1",
    ">",
    "out",
    "npx",
    "@anthropic-ai/claude-code",
    "V=${X:-d}",
    "\t",
    " ",
    "\\",
    "=",
    "source",
    ".",
    "a#b",
    "declare",
    "-x",
    "local",
    "set -gx",
    "setenv",
    "unsetenv",
    "(date)",
    '"$(a "b")"',
    "x=(a b)",
    "$",
    "${",
    "<(cmd)",
    "\r\n",
    "é",
    "\\ ",
    '"\\""',
    "<<-T",
    "\tT",
    "T",
]


def _observed(parsed: ParsedFile) -> tuple[object, ...]:
    return (
        [(o.kind, o.name, o.value, o.value_kind, o.scope, o.group, o.location) for o in parsed.observations],
        parsed.facts,
        parsed.notifications,
    )


@pytest.mark.parametrize(
    ("module", "attribute", "kind"),
    [(shell, "POSIX", FileKind.SHELL), (fish, "FISH", FileKind.FISH), (csh, "CSH", FileKind.CSH)],
)
def test_fast_path_agrees_with_the_slow_path(
    module: ModuleType, attribute: str, kind: FileKind, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lexer's regular-expression fast path must read exactly what the character-by-character
    path reads; a dialect whose master pattern never matches takes the slow path everywhere."""
    rng = random.Random(20240601)
    documents = [
        "".join(
            rng.choice(_FUZZ_TOKENS) + rng.choice(["", " ", " ", "\n"]) for _ in range(rng.randint(1, 40))
        )
        for _ in range(400)
    ]
    fast = [_observed(module.parse("p", text, kind)) for text in documents]
    slow_dialect = getattr(module, attribute)._replace(master="(?!)")
    monkeypatch.setattr(module, attribute, slow_dialect)
    slow = [_observed(module.parse("p", text, kind)) for text in documents]
    assert [text for text, a, b in zip(documents, fast, slow, strict=True) if a != b] == []


def test_fast_path_edge_cases() -> None:
    # a continuation glues the next line to the word: `#` there is not a comment
    assert [n.message for n in sh("ls x=1\\\n# it's\n").notifications] == [
        "unterminated single quote at line 2"
    ]
    # process substitution inside a word, and an array after a command that does not matter
    parsed = sh("cat a<(b)c\nfoo x=(a b) Y=1\nZ=(1 2) claude\n")
    assert parsed.observations == ()
    assert parsed.facts["commands"] == [
        {"line": 3, "column": 1, "command": "claude", "runs_claude": True, "alias": None}
    ]


@pytest.mark.parametrize(("module", "attribute"), [(shell, "_Shell"), (fish, "_Fish"), (csh, "_Csh")])
def test_a_parser_bug_becomes_a_notification(
    module: ModuleType, attribute: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("sk-ant-secret-in-the-exception")

    monkeypatch.setattr(module, attribute, broken)
    parsed = module.parse("home/.profile", "export A=sk-ant-secret\n", FileKind.SHELL)
    assert parsed.observations == ()
    assert [(n.level, n.descriptor, n.path) for n in parsed.notifications] == [
        ("error", "internal-parse-error", "home/.profile")
    ]
    assert "sk-ant" not in parsed.notifications[0].message
    assert parsed.text == "export A=sk-ant-secret\n"
