from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.model import FileKind, JSONValue, ParsedFile, ValueKind
from scanner.sources import dockerfile
from scanner.sources.dockerfile import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "dockerfile"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"

L = ValueKind.LITERAL
R = ValueKind.REFERENCE
D = ValueKind.DYNAMIC

Row = tuple[str, JSONValue, ValueKind, str, tuple[str, ...], int, int, "int | None", "int | None"]


def rows(parsed: ParsedFile) -> list[Row]:
    return [
        (
            o.name,
            o.value,
            o.value_kind,
            o.scope,
            o.group,
            o.location.line,
            o.location.column,
            o.location.end_line,
            o.location.end_column,
        )
        for o in parsed.observations
    ]


def docker(text: str) -> ParsedFile:
    return parse("Dockerfile", text, FileKind.DOCKERFILE)


def values(parsed: ParsedFile) -> list[tuple[str, JSONValue, ValueKind]]:
    return [(o.name, o.value, o.value_kind) for o in parsed.observations]


def stage(
    index: int,
    name: str | None,
    line: int,
    image: str,
    parent: int | None = None,
    *,
    installs: bool = False,
    runs: bool = False,
) -> dict[str, JSONValue]:
    return {
        "index": index,
        "name": name,
        "line": line,
        "column": 1,
        "image": image,
        "parent": parent,
        "installs_claude": installs,
        "runs_claude": runs or installs,
    }


def test_multi_stage_fixture() -> None:
    text = (FIXTURES / "Dockerfile").read_text(encoding="utf-8")
    parsed = docker(text)
    s0, s1 = ("stage", "0"), ("stage", "1")
    assert rows(parsed) == [
        ("NODE_VERSION", "20", L, "dockerfile-arg", ("stage", "-1"), 2, 5, 2, 20),
        ("NPM_CONFIG_PREFIX", "/usr/local/share/npm-global", L, "dockerfile-env", s0, 5, 5, 5, 50),
        ("PATH", "/usr/local/share/npm-global/bin:${PATH}", D, "dockerfile-env", s0, 6, 5, 6, 51),
        ("CLAUDE_CODE_USE_BEDROCK", "1", L, "dockerfile-env", s1, 11, 5, 11, 30),
        ("AWS_REGION", "us-east-1", L, "dockerfile-env", s1, 11, 31, 11, 53),
        ("DISABLE_TELEMETRY", "1", L, "dockerfile-env", s1, 12, 5, 12, 24),
        ("ANTHROPIC_MODEL", "claude-opus-4", L, "command-local", (*s1, "command", "14"), 14, 5, 14, 34),
    ]
    assert parsed.facts == {
        "stages": [
            stage(0, "builder", 4, "node:${NODE_VERSION}-slim", installs=True),
            stage(1, "runtime", 9, "builder", 0, runs=True),
            stage(2, None, 17, "alpine:3.20"),
        ],
        "runs_claude": True,
        "anchor": {"line": 9, "column": 1},
    }
    assert parsed.notifications == ()
    assert parsed.text == text
    assert {o.file_kind for o in parsed.observations} == {FileKind.DOCKERFILE}


# -- ENV and ARG -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instruction", "expected"),
    [
        ("ENV A=1", [("A", "1", L)]),
        ("ENV A=1 B=\"two words\" C='lit $X'", [("A", "1", L), ("B", "two words", L), ("C", "lit $X", L)]),
        ("ENV A=$HOME", [("A", "$HOME", R)]),
        ("ENV A=${HOME:-/root}", [("A", "${HOME:-/root}", R)]),
        ('ENV A="${HOME}/bin"', [("A", "${HOME}/bin", D)]),
        ("ENV A=\\$HOME", [("A", "$HOME", L)]),
        ('ENV A="say \\"hi\\""', [("A", 'say "hi"', L)]),
        ("ENV A=$(not-run)", [("A", "$(not-run)", L)]),
        ("ENV A=", [("A", "", L)]),
        ("ENV A=a\\ b", [("A", "a b", L)]),
        ("ENV LEGACY value with  spaces", [("LEGACY", "value with  spaces", L)]),
        ('ENV LEGACY "quoted value"', [("LEGACY", "quoted value", L)]),
        ("ENV LEGACY $REF", [("LEGACY", "$REF", R)]),
        ("env lower=case", [("lower", "case", L)]),
        ("ARG A=default", [("A", "default", L)]),
        ("ARG A", []),
        ("ARG A=1 B C=3", [("A", "1", L), ("C", "3", L)]),
    ],
)
def test_env_and_arg_forms(instruction: str, expected: list[tuple[str, str, ValueKind]]) -> None:
    parsed = docker(f"FROM alpine\n{instruction}\n")
    assert values(parsed) == expected
    assert parsed.notifications == ()


def test_env_scopes_groups_and_positions() -> None:
    parsed = docker("ARG GLOBAL=g\nFROM alpine\n  ENV  A=1   B=2\nARG C=3\n")
    assert rows(parsed) == [
        ("GLOBAL", "g", L, "dockerfile-arg", ("stage", "-1"), 1, 5, 1, 13),
        ("A", "1", L, "dockerfile-env", ("stage", "0"), 3, 8, 3, 11),
        ("B", "2", L, "dockerfile-env", ("stage", "0"), 3, 14, 3, 17),
        ("C", "3", L, "dockerfile-arg", ("stage", "0"), 4, 5, 4, 8),
    ]


def test_continuations_skip_comment_and_blank_lines() -> None:
    parsed = docker("FROM alpine\nENV A=1 \\\n    # a comment inside\n\n    B=2 \\\n    C=3\nENV D=4\n")
    assert rows(parsed) == [
        ("A", "1", L, "dockerfile-env", ("stage", "0"), 2, 5, 2, 8),
        ("B", "2", L, "dockerfile-env", ("stage", "0"), 5, 5, 5, 8),
        ("C", "3", L, "dockerfile-env", ("stage", "0"), 6, 5, 6, 8),
        ("D", "4", L, "dockerfile-env", ("stage", "0"), 7, 5, 7, 8),
    ]


def test_escape_directive() -> None:
    parsed = docker('# escape=`\nFROM mcr.microsoft.com/windows\nENV A=C:\\tools `\n    B=`"x`"\n')
    assert rows(parsed) == [
        ("A", "C:\\tools", L, "dockerfile-env", ("stage", "0"), 3, 5, 3, 15),
        ("B", '"x"', L, "dockerfile-env", ("stage", "0"), 4, 5, 4, 12),
    ]


def test_directive_only_counts_at_the_top() -> None:
    parsed = docker("FROM alpine\n# escape=`\nENV A=a\\ b\n")
    assert values(parsed) == [("A", "a b", L)]


def test_comments_are_not_instructions() -> None:
    parsed = docker("FROM alpine\n# ENV COMMENTED=1\n   # ENV INDENTED=1\nENV KEPT=1\n")
    assert values(parsed) == [("KEPT", "1", L)]


def test_onbuild_env_is_not_this_stage() -> None:
    assert docker("FROM alpine\nONBUILD ENV A=1\n").observations == ()


# -- RUN, CMD, ENTRYPOINT ----------------------------------------------------------------------------


def test_run_command_local_assignments() -> None:
    parsed = docker(
        "FROM node\n"
        "RUN --mount=type=secret,id=k ANTHROPIC_API_KEY=$(cat /run/secrets/k) claude -p hi\n"
        "RUN X=1 make\n"
        "RUN export NOT_COMMAND_LOCAL=1 && true\n"
    )
    assert rows(parsed) == [
        (
            "ANTHROPIC_API_KEY",
            "$(cat /run/secrets/k)",
            D,
            "command-local",
            ("stage", "0", "command", "2"),
            2,
            30,
            2,
            69,
        ),
        ("X", "1", L, "command-local", ("stage", "0", "command", "3"), 3, 5, 3, 8),
    ]
    assert parsed.facts["stages"] == [stage(0, None, 1, "node", runs=True)]


def test_run_continuation_positions() -> None:
    parsed = docker("FROM node\nRUN apt-get update && \\\n    CLAUDE_CODE_USE_VERTEX=1 claude --version\n")
    assert rows(parsed) == [
        ("CLAUDE_CODE_USE_VERTEX", "1", L, "command-local", ("stage", "0", "command", "3"), 3, 5, 3, 29),
    ]


def test_run_heredoc_is_a_script_and_copy_heredoc_is_data() -> None:
    parsed = docker(
        "FROM node\n"
        "RUN <<EOF\n"
        "npm install -g @anthropic-ai/claude-code\n"
        "DISABLE_TELEMETRY=1 claude --version\n"
        "EOF\n"
        "COPY <<CONF /etc/app.conf\n"
        "ENV NOT_AN_INSTRUCTION=1\n"
        "FROM not-a-stage\n"
        "CONF\n"
        "ENV AFTER=1\n"
    )
    assert rows(parsed) == [
        ("DISABLE_TELEMETRY", "1", L, "command-local", ("stage", "0", "command", "4"), 4, 1, 4, 20),
        ("AFTER", "1", L, "dockerfile-env", ("stage", "0"), 10, 5, 10, 12),
    ]
    assert parsed.facts["stages"] == [stage(0, None, 1, "node", installs=True)]


def test_heredoc_fed_to_another_program_is_not_shell() -> None:
    parsed = docker("FROM python\nRUN python3 <<EOF\nX=1\nprint('claude')\nEOF\n")
    assert parsed.observations == ()
    assert parsed.facts["runs_claude"] is False


@pytest.mark.parametrize(
    ("instruction", "installs", "runs"),
    [
        ("RUN npm install -g @anthropic-ai/claude-code@1.0.0", True, True),
        ("RUN curl -fsSL https://claude.ai/install.sh | bash", True, True),
        ("RUN claude install stable", True, True),
        ("RUN npm install -g @anthropic-ai/claude-code-router", False, False),
        ('CMD ["claude", "-p", "hi"]', False, True),
        ('ENTRYPOINT ["/usr/local/bin/claude"]', False, True),
        ('ENTRYPOINT ["npx", "-y", "@anthropic-ai/claude-code"]', False, True),
        ('CMD ["sh", "-c", "claude -p hi"]', False, True),
        ("CMD claude --dangerously-skip-permissions", False, True),
        ('CMD ["node", "server.js"]', False, False),
        ("CMD [not json", False, False),
        ("RUN echo claude", False, False),
    ],
)
def test_install_and_run_detection(instruction: str, installs: bool, runs: bool) -> None:
    parsed = docker(f"FROM node\n{instruction}\n")
    assert parsed.facts["stages"] == [stage(0, None, 1, "node", installs=installs, runs=runs)]
    assert parsed.facts["runs_claude"] is (installs or runs)


def test_exec_form_shell_script_command_local() -> None:
    parsed = docker('FROM node\nCMD ["sh", "-c", "ANTHROPIC_MODEL=opus claude -p hi"]\n')
    assert rows(parsed) == [
        ("ANTHROPIC_MODEL", "opus", L, "command-local", ("stage", "0", "command", "2"), 2, 19, 2, 39),
    ]


# -- stages ------------------------------------------------------------------------------------------


def test_stage_parents_names_and_platform() -> None:
    parsed = docker(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n"
        "FROM build as test\n"
        "FROM alpine\n"
        "FROM BUILD\n"
        "FROM test AS final\n"
    )
    assert parsed.facts["stages"] == [
        stage(0, "Build", 1, "golang:1.22"),
        stage(1, "test", 2, "build", 0),
        stage(2, None, 3, "alpine"),
        stage(3, None, 4, "BUILD", 0),
        stage(4, "final", 5, "test", 1),
    ]
    assert parsed.facts["anchor"] == {"line": 5, "column": 1}
    assert parsed.facts["runs_claude"] is False


def test_anchor_without_stages() -> None:
    parsed = docker("# only a comment\n")
    assert parsed.facts == {"stages": [], "runs_claude": False, "anchor": {"line": 1, "column": 1}}


def test_anchor_is_the_last_stage_with_claude() -> None:
    parsed = docker("FROM a\nRUN npm i -g @anthropic-ai/claude-code\nFROM b\nRUN claude -p x\n  FROM c\n")
    assert parsed.facts["anchor"] == {"line": 3, "column": 1}
    assert parsed.facts["stages"][2]["column"] == 3  # type: ignore[index,call-overload]


# -- encodings and malformed input -------------------------------------------------------------------


def test_crlf_and_bom() -> None:
    text = "\ufeffFROM alpine\r\nENV A=1 \\\r\n    B=2\r\n"
    parsed = docker(text)
    assert rows(parsed) == [
        ("A", "1", L, "dockerfile-env", ("stage", "0"), 2, 5, 2, 8),
        ("B", "2", L, "dockerfile-env", ("stage", "0"), 3, 5, 3, 8),
    ]
    assert parsed.facts["stages"] == [stage(0, None, 1, "alpine")]
    assert parsed.text == text


def test_malformed_instructions_notify_without_values() -> None:
    parsed = docker(
        "FROM alpine\n"
        "ENV GOOD=1\n"
        'ENV ANTHROPIC_API_KEY="sk-ant-unterminated\n'
        "ENV ONLYNAME\n"
        "ENV\n"
        "ENV LATER=2\n"
    )
    assert values(parsed) == [("GOOD", "1", L), ("LATER", "2", L)]
    assert len(parsed.notifications) == 1
    note = parsed.notifications[0]
    assert (note.level, note.line, note.descriptor) == ("warning", 3, "parse-error")
    assert note.message == "unterminated quote at line 3 (2 more problems in this file)"
    assert "sk-ant" not in note.message


def test_env_with_a_word_without_equals_is_rejected_whole() -> None:
    parsed = docker("FROM alpine\nENV A=1 $(not run)\n")
    assert parsed.observations == ()
    assert [(n.message, n.line) for n in parsed.notifications] == [("ENV word without '=' at line 2", 2)]


def test_unterminated_heredoc_notifies() -> None:
    parsed = docker("FROM alpine\nRUN <<EOF\nexport A=1\n")
    assert [(n.message, n.line) for n in parsed.notifications] == [
        ("unterminated here-document at line 2", 2)
    ]


@pytest.mark.parametrize(
    "text", ["", "\n", "FROM", "ENV", "ARG =", "RUN", "CMD [", "!!!", "\\", "FROM a \\", "RUN <<", "\x00\xff"]
)
def test_garbage_never_raises(text: str) -> None:
    parsed = docker(text)
    assert isinstance(parsed, ParsedFile)
    assert len(parsed.notifications) <= 1


def test_cost_grows_linearly() -> None:
    block = (
        'FROM node:20 AS base\nENV A=1 B="two"\nRUN apt-get update && \\\n    apt-get install -y git\n'
        'ARG X=1\nRUN npm i -g @anthropic-ai/claude-code\nCMD ["claude"]\n# c\n\nENV L legacy value\n'
    )
    assert len(docker(block * 40).observations) == 160
    small_time = _best(lambda: docker(block * 40), 3)
    large_time = _best(lambda: docker(block * 400), 2)
    assert large_time < 30 * small_time + 0.05
    assert large_time < 10.0


def _best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.process_time()
        run()
        times.append(time.process_time() - started)
    return min(times)


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/samples is not available")
def test_shared_samples_of_dockerfile_kind_parse_cleanly() -> None:
    files = [
        p
        for p in SAMPLES.rglob("*")
        if p.is_file()
        and (p.name == "Dockerfile" or p.name.startswith("Dockerfile.") or p.suffix == ".dockerfile")
    ]
    for path in files:
        parsed = parse(str(path), path.read_text(encoding="utf-8", errors="replace"), FileKind.DOCKERFILE)
        assert isinstance(parsed.facts["stages"], list)


def test_a_parser_bug_becomes_a_notification(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(dockerfile, "_instruction", broken)
    parsed = parse("x", "A=1\n", FileKind.DOCKERFILE)
    assert [(n.level, n.descriptor) for n in parsed.notifications] == [("error", "internal-parse-error")]
    assert parsed.observations == ()
