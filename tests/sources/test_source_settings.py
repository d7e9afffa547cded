from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scanner.model import FileKind, JSONValue, Location, Notification, ObservationKind, ParsedFile, ValueKind
from scanner.sources import devcontainer, mcp, settings
from scanner.sources.jsonloc import parse_json

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "json"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
PATH = ".claude/settings.json"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _records(value: JSONValue) -> list[dict[str, JSONValue]]:
    """A facts list of objects, typed for the assertions below."""
    assert isinstance(value, list)
    records = []
    for item in value:
        assert isinstance(item, dict)
        records.append(item)
    return records


def _summary(parsed: ParsedFile) -> list[tuple[str, str, str, str, tuple[int, int, int | None, int | None]]]:
    return [
        (
            o.kind.value,
            o.name,
            o.scope,
            o.value_kind.value,
            (o.location.line, o.location.column, o.location.end_line, o.location.end_column),
        )
        for o in parsed.observations
    ]


def test_settings_and_env_observations_in_document_order() -> None:
    parsed = settings.parse(PATH, _read("settings_env_mixed.json"), FileKind.SETTINGS_PROJECT)
    assert parsed.notifications == ()
    assert _summary(parsed) == [
        ("setting", "$schema", "settings", "literal", (2, 3, 2, 70)),
        ("setting", "env", "settings", "literal", (3, 3, 8, 4)),
        ("env", "DISABLE_TELEMETRY", "settings-env", "literal", (4, 5, 4, 29)),
        ("env", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "settings-env", "non-string", (5, 5, 5, 50)),
        ("env", "ANTHROPIC_BASE_URL", "settings-env", "literal", (6, 5, 6, 39)),
        ("env", "DO_NOT_TRACK", "settings-env", "non-string", (7, 5, 7, 25)),
        ("setting", "permissions", "settings", "literal", (9, 3, 12, 4)),
        ("setting", "permissions.defaultMode", "settings", "literal", (10, 5, 10, 33)),
        ("setting", "permissions.allow", "settings", "literal", (11, 5, 11, 47)),
        ("setting", "sandbox", "settings", "literal", (13, 3, 17, 4)),
        ("setting", "sandbox.network", "settings", "literal", (14, 5, 16, 6)),
        ("setting", "sandbox.network.allowedDomains", "settings", "literal", (15, 7, 15, 40)),
        ("setting", "a.b", "settings", "literal", (18, 3, 18, 21)),
        ("setting", "a.b.c", "settings", "literal", (18, 11, 18, 20)),
    ]
    by_name = {(o.kind, o.name): o for o in parsed.observations}
    env = by_name[(ObservationKind.SETTING, "env")]
    assert env.value == {
        "DISABLE_TELEMETRY": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": 1,
        "ANTHROPIC_BASE_URL": "$PROXY_URL",
        "DO_NOT_TRACK": True,
    }
    number = by_name[(ObservationKind.ENV, "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC")]
    assert number.value == 1
    assert number.raw == 1
    assert number.text is None
    # Claude Code does not expand "$VAR" in a settings env block: the literal string is the value.
    proxy = by_name[(ObservationKind.ENV, "ANTHROPIC_BASE_URL")]
    assert (proxy.value, proxy.raw, proxy.value_kind) == ("$PROXY_URL", "$PROXY_URL", ValueKind.LITERAL)
    allow = by_name[(ObservationKind.SETTING, "permissions.allow")]
    assert allow.value == ["Read(./**)", {"not": "a rule"}]  # arrays are values, not walked
    assert all(o.file_kind == FileKind.SETTINGS_PROJECT for o in parsed.observations)
    assert all(o.location.path == PATH for o in parsed.observations)
    assert all(o.group == () for o in parsed.observations)
    assert parsed.facts == {"strict_errors": [], "valid_json": True, "parse_failed": False}
    assert parsed.in_effect
    assert parsed.text == _read("settings_env_mixed.json")
    assert parsed.path == PATH
    assert parsed.kind == FileKind.SETTINGS_PROJECT


def test_trailing_comma_goes_to_strict_errors_without_notification() -> None:
    parsed = settings.parse(PATH, _read("settings_trailing_comma.json"), FileKind.SETTINGS_PROJECT)
    assert parsed.notifications == ()
    assert parsed.facts == {
        "strict_errors": [
            {
                "kind": "trailing-comma",
                "line": 10,
                "column": 10,
                "message": "trailing comma (not allowed in strict JSON)",
            }
        ],
        "valid_json": False,
        "parse_failed": False,
    }
    assert [o.name for o in parsed.observations] == ["hooks", "hooks.PostToolUse"]


def test_comments_after_env_values() -> None:
    parsed = settings.parse(PATH, _read("settings_line_comments.json"), FileKind.SETTINGS_USER)
    assert parsed.notifications == ()
    assert parsed.facts["strict_errors"] == [
        {"kind": "comment", "line": 4, "column": 46, "message": "comment (not allowed in strict JSON)"},
        {"kind": "comment", "line": 5, "column": 41, "message": "comment (not allowed in strict JSON)"},
    ]
    assert parsed.facts["valid_json"] is False
    assert _summary(parsed) == [
        ("setting", "model", "settings", "literal", (2, 5, 2, 22)),
        ("setting", "env", "settings", "literal", (3, 5, 6, 6)),
        ("env", "BASH_DEFAULT_TIMEOUT_MS", "settings-env", "literal", (4, 7, 4, 44)),
        ("env", "BASH_MAX_TIMEOUT_MS", "settings-env", "literal", (5, 7, 5, 40)),
    ]
    assert [o.value for o in parsed.observations if o.kind == ObservationKind.ENV] == ["86400000", "86400000"]


def test_jsonc_columns_count_code_points() -> None:
    parsed = settings.parse(PATH, _read("settings_jsonc_emoji.jsonc"), FileKind.SETTINGS_INERT)
    assert not parsed.in_effect
    assert [(e["kind"], e["line"], e["column"]) for e in _records(parsed.facts["strict_errors"])] == [
        ("comment", 2, 3),
        ("comment", 5, 19),
        ("comment", 6, 19),
        ("trailing-comma", 7, 6),
        ("trailing-comma", 8, 4),
    ]
    theme = parsed.observations[0]
    assert (theme.name, theme.location.line, theme.location.column) == ("theme", 2, 18)
    assert parsed.observations[2].value == ["Write", "Bash(*)"]


def test_duplicate_comment_keys_are_reported_but_json_stays_valid() -> None:
    parsed = settings.parse(PATH, _read("settings_duplicate_comment_keys.json"), FileKind.SETTINGS_USER)
    assert parsed.notifications == ()
    assert parsed.facts == {
        "strict_errors": [
            {
                "kind": "duplicate-key",
                "line": 3,
                "column": 3,
                "message": 'duplicate key "//" (first at line 2)',
            }
        ],
        "valid_json": True,  # JSON.parse accepts duplicate keys (last wins)
        "parse_failed": False,
    }
    comment = parsed.observations[0]
    assert (comment.name, comment.value, comment.location.line) == (
        "//",
        "https://example.com/second-note",
        3,
    )
    assert [o.name for o in parsed.observations] == [
        "//",
        "env",
        "CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY",
        "feedbackSurveyRate",
    ]


def test_missing_comma_gives_notification_and_partial_observations() -> None:
    parsed = settings.parse(PATH, _read("settings_missing_comma.json"), FileKind.SETTINGS_USER)
    assert parsed.notifications == (
        Notification(
            "error",
            ".claude/settings.json is not valid JSON: expected ',' or '}', found a string at line 7 column 3",
            PATH,
            7,
            "parse-error",
        ),
    )
    assert parsed.facts == {
        "strict_errors": [
            {"kind": "syntax", "line": 7, "column": 3, "message": "expected ',' or '}', found a string"}
        ],
        "valid_json": False,
        "parse_failed": True,
    }
    assert [o.name for o in parsed.observations] == [
        "permissions",
        "permissions.allow",
        "permissions.defaultMode",
        "effortLevel",
    ]
    assert parsed.observations[-1].location == Location(PATH, 6, 3, 6, 26)


def test_chezmoi_template_fails_cleanly() -> None:
    parsed = settings.parse(
        "dot_claude/settings.json.tmpl", _read("settings_chezmoi.json.tmpl"), FileKind.SETTINGS_INERT
    )
    assert parsed.observations == ()
    assert parsed.notifications == (
        Notification(
            "error",
            "dot_claude/settings.json.tmpl is not valid JSON: expected a property name or '}', "
            "found '{' at line 1 column 2",
            "dot_claude/settings.json.tmpl",
            1,
            "parse-error",
        ),
    )
    assert parsed.facts["parse_failed"] is True
    assert parsed.in_effect is False


@pytest.mark.parametrize(
    ("text", "shape"),
    [("[]", "an array"), ('"x"', "a string"), ("null", "null"), ("1", "a number"), ("true", "a boolean")],
)
def test_non_object_top_level_is_invalid_settings(text: str, shape: str) -> None:
    parsed = settings.parse(PATH, text, FileKind.SETTINGS_LOCAL)
    assert parsed.observations == ()
    assert parsed.notifications == (
        Notification(
            "error",
            f".claude/settings.json: a settings file must be a JSON object, found {shape}",
            PATH,
            1,
            "invalid-settings",
        ),
    )
    assert parsed.facts == {"strict_errors": [], "valid_json": True, "parse_failed": False}


@pytest.mark.parametrize(
    "kind",
    [
        FileKind.SETTINGS_USER,
        FileKind.SETTINGS_PROJECT,
        FileKind.SETTINGS_LOCAL,
        FileKind.SETTINGS_MANAGED,
        FileKind.SETTINGS_MANAGED_DROPIN,
        FileKind.SETTINGS_REMOTE,
    ],
)
def test_every_read_kind_is_in_effect(kind: FileKind) -> None:
    parsed = settings.parse("managed-settings.json", '{"env": {"A": "1"}}', kind)
    assert parsed.in_effect
    assert parsed.kind == kind
    assert {o.file_kind for o in parsed.observations} == {kind}


def test_env_that_is_not_an_object_and_nested_env_are_plain_settings() -> None:
    parsed = settings.parse(PATH, '{"env": ["A=1"], "sandbox": {"env": {"B": "2"}}}', FileKind.SETTINGS_USER)
    assert [(o.kind, o.name) for o in parsed.observations] == [
        (ObservationKind.SETTING, "env"),
        (ObservationKind.SETTING, "sandbox"),
        (ObservationKind.SETTING, "sandbox.env"),
        (ObservationKind.SETTING, "sandbox.env.B"),
    ]


def test_settings_observations_with_offsets_for_embedded_json() -> None:
    doc = parse_json('{\n  "env": {"A": "1"},\n  "model": "x"\n}')
    observations = settings.settings_observations(
        doc,
        ".github/workflows/claude.yml",
        FileKind.WORKFLOW,
        scope="action-settings",
        env_scope="action-settings-env",
        line_offset=20,
        column_offset=10,
        group=("jobs", "review", "steps", "1"),
    )
    assert [(o.kind, o.name, o.scope, o.location, o.group) for o in observations] == [
        (
            ObservationKind.SETTING,
            "env",
            "action-settings",
            Location(".github/workflows/claude.yml", 22, 13, 22, 30),
            ("jobs", "review", "steps", "1"),
        ),
        (
            ObservationKind.ENV,
            "A",
            "action-settings-env",
            Location(".github/workflows/claude.yml", 22, 21, 22, 29),
            ("jobs", "review", "steps", "1"),
        ),
        (
            ObservationKind.SETTING,
            "model",
            "action-settings",
            Location(".github/workflows/claude.yml", 23, 13, 23, 25),
            ("jobs", "review", "steps", "1"),
        ),
    ]
    assert all(o.file_kind == FileKind.WORKFLOW for o in observations)


def test_settings_observations_of_a_non_object_document_is_empty() -> None:
    assert settings.settings_observations(parse_json("[1]"), PATH, FileKind.SETTINGS_USER) == []
    assert settings.settings_observations(parse_json("{"), PATH, FileKind.SETTINGS_USER) == []


def test_too_deep_settings_give_a_depth_notification() -> None:
    text = '{"a":' * 200 + "1" + "}" * 200
    parsed = settings.parse(PATH, text, FileKind.SETTINGS_USER)
    assert parsed.notifications == (
        Notification(
            "error",
            ".claude/settings.json is nested too deeply to read: nesting deeper than 128 levels "
            "at line 1 column 641",
            PATH,
            1,
            "parse-error",
        ),
    )
    assert parsed.facts["parse_failed"] is True
    assert _records(parsed.facts["strict_errors"])[0]["kind"] == "depth"
    assert len(parsed.observations) == 127  # "a", "a.a", ... up to the limit


def test_malformed_file_never_leaks_a_secret_value() -> None:
    secret = "sk-ant-api03-" + "Q" * 40
    text = '{"env": {"ANTHROPIC_API_KEY": "' + secret + '" "X": 1}}'
    parsed = settings.parse(PATH, text, FileKind.SETTINGS_PROJECT)
    assert parsed.facts["parse_failed"] is True
    for note in parsed.notifications:
        assert secret not in note.message
        assert "sk-ant" not in note.message
    for error in _records(parsed.facts["strict_errors"]):
        assert "sk-ant" not in str(error)


def test_binary_garbage_gives_a_notification() -> None:
    parsed = settings.parse(PATH, "\x00\x01\xff\ufffd{", FileKind.SETTINGS_USER)
    assert parsed.observations == ()
    assert len(parsed.notifications) == 1
    assert parsed.notifications[0].descriptor == "parse-error"
    assert parsed.notifications[0].message == (
        ".claude/settings.json is not valid JSON: expected a value, found character U+0000 at line 1 column 1"
    )


# -- the shared samples (real files written by others) ---------------------------------------------

_SETTINGS_SAMPLE_KINDS = {
    "settings",
    "settings.local",
    "managed",
    "schema-test-negative",
    "schema-test-positive",
}


def _sample_rows() -> list[dict[str, str]]:
    with (SAMPLES / "INDEX.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.skipif(not (SAMPLES / "INDEX.tsv").is_file(), reason="../shared/samples is not available")
def test_every_json_sample_parses_without_exception() -> None:
    seen = 0
    results: dict[str, ParsedFile] = {}
    for row in _sample_rows():
        local, kind = row["local_path"], row["kind"]
        text = (SAMPLES / local).read_text(encoding="utf-8")
        if kind in _SETTINGS_SAMPLE_KINDS:
            parsed = settings.parse(local, text, FileKind.SETTINGS_PROJECT)
        elif kind == "mcp":
            mcp_kind = FileKind.MANAGED_MCP if local.endswith("managed-mcp.json") else FileKind.MCP
            parsed = mcp.parse(local, text, mcp_kind)
        elif kind == "devcontainer":
            parsed = devcontainer.parse(local, text, FileKind.DEVCONTAINER)
        else:
            continue
        assert isinstance(parsed, ParsedFile)
        assert not any("internal error" in note.message for note in parsed.notifications), local
        results[local] = parsed
        seen += 1
    assert seen >= 60

    def kinds(local: str) -> list[JSONValue]:
        return [e["kind"] for e in _records(results[local].facts["strict_errors"])]

    trailing = "anthropics__claude-code-action/.claude/settings.json"
    assert kinds(trailing) == ["trailing-comma"]
    assert results[trailing].notifications == ()
    assert kinds("visheshd__claude-devcontainer/.claude/settings.json") == ["comment", "comment"]
    assert kinds("gmcabrita__dotfiles/.claude/settings.json") == ["duplicate-key"]
    assert results["gmcabrita__dotfiles/.claude/settings.json"].facts["valid_json"] is True
    assert set(kinds("rubixibuc__ai/.claude/settings.jsonc")) == {"comment"}
    for broken, line in (
        ("michaelknopf__zshrc/history-445ab45/home/.claude/settings.json", 31),
        ("9999years__dotfiles/history-4242788/claude/settings.json", 50),
        ("alexwaibel__dotfiles-work/dot_claude/settings.json.tmpl", 1),
    ):
        (note,) = results[broken].notifications
        assert (note.descriptor, note.line) == ("parse-error", line)
        assert results[broken].facts["parse_failed"] is True
    # A template that happens to be valid JSON is read like any other file.
    assert results["austinlparker__dotfiles/dot_claude/settings.json.tmpl"].facts["valid_json"] is True
    # JSONC is legal in devcontainer.json.
    assert results["astral-sh__ruff/.devcontainer/devcontainer.json"].facts["strict_errors"] == []
    assert results["astral-sh__ruff/.devcontainer/devcontainer.json"].notifications == ()
