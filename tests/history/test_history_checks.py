"""scanner.checks.history: what counts as a secret, what counts as a protection turned off, and the
messages and fingerprint keys of CCP403 and CCP110 (no git here: parsed files and evidence only)."""

from __future__ import annotations

import pytest

from scanner.catalogue.load import load_builtin_rules
from scanner.checks import REGISTRY
from scanner.checks.base import CheckInput
from scanner.checks.history import (
    CommitInfo,
    HistoryEvidence,
    Presence,
    ProtectionChange,
    ProtectionEvidence,
    SecretEvidence,
    SecretHit,
    credential_message,
    may_hold_protection,
    may_hold_secret,
    protection_message,
    protection_projection,
    protections_on,
    same_protections_by_lines,
    secret_digest,
    secrets_in,
    settings_projection,
    turned_off,
    yaml_projection,
)
from scanner.discovery.paths import classify
from scanner.knowledge import load as load_kb
from scanner.model import FileKind, Location, ParsedFile
from scanner.sources.registry import parse_file

KEY = "sk-ant-api03-e8m72fei7oNM4igrq3MGeVKFk49vrCpbesyqsLqA"
ADMIN = "sk-ant-admin01-Vb3Nq8Wm2Xc7Zr5Tk1Lp9Hd4Jf6Gs0Ay"
BEDROCK = "ABSKTlYm/rYqDJsP/HU1EiAVU7tvi8f/v7THOruamUCj9ay6oPSz0rlJSQ0SyUNW6i0dD3c+cynDaVCEgcsb"
AWS_ID = "AKIA4AN2L4Q1CUYZVEBD"
AWS_SECRET = "Kq7vT2mPx9LzR4bN8cW1yH6jD3fG5sA0eU2iO7pQ"
KB = load_kb()
RULES = load_builtin_rules()
COMMIT = CommitInfo(
    "0123456789abcdef0123456789abcdef01234567", "Jane Doe", "jane@example.com", "2026-01-01T00:01:00+00:00"
)
LATER = CommitInfo(
    "fedcba9876543210fedcba9876543210fedcba98", "Sam Lee", "sam@example.com", "2026-01-02T00:00:00+00:00"
)
BY = "0123456789ab by Jane Doe <jane@example.com> on 2026-01-01T00:01:00+00:00"


def parsed(path: str, text: str, kind: FileKind | None = None) -> ParsedFile:
    found = kind or classify(path)
    assert found is not None
    return parse_file(path, text, found)


def hits(path: str, text: str) -> list[tuple[int, int, str, str | None, bool]]:
    return [
        (h.location.line, h.location.column, h.what, h.variable, h.pair)
        for h in secrets_in(parsed(path, text))
    ]


# --- secrets ----------------------------------------------------------------------------------


def test_secrets_assigned_to_credential_variables() -> None:
    text = f"APP=1\nANTHROPIC_API_KEY={KEY}\nAWS_BEARER_TOKEN_BEDROCK={BEDROCK}\n"
    assert hits(".env", text) == [
        (2, 1, "an Anthropic API key", "ANTHROPIC_API_KEY", False),
        (3, 1, "an Amazon Bedrock API key", "AWS_BEARER_TOKEN_BEDROCK", False),
    ]


def test_secrets_in_text_formats() -> None:
    text = (
        f'curl -H "x-api-key: {KEY}" x\n'
        f"echo {ADMIN}\n"
        f"aws configure set aws_access_key_id {AWS_ID}\n"
        f"aws configure set aws_secret_access_key {AWS_SECRET}\n"
        f"bedrock {BEDROCK}\n"
    )
    assert hits("run.sh", text) == [
        (1, 21, "an Anthropic API key", None, False),
        (2, 6, "an Anthropic Admin API key", None, False),
        (4, 41, "an AWS secret access key", None, True),
        (5, 9, "an Amazon Bedrock API key", None, False),
    ]


def test_aws_secret_needs_a_key_id_nearby() -> None:
    far = "\n".join([f"id {AWS_ID}", *["x"] * 6, f"secret {AWS_SECRET}"]) + "\n"
    assert hits("run.sh", far) == []


def test_references_and_placeholders_are_not_secrets() -> None:
    text = (
        "ANTHROPIC_API_KEY=${ANTHROPIC_API_KEY}\n"
        "ANTHROPIC_AUTH_TOKEN=sk-ant-api03-your-key-goes-in-this-place\n"
        "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        "CLAUDE_CODE_OAUTH_TOKEN=\n"
    )
    assert hits(".env", text) == []


def test_the_same_secret_has_the_same_digest_in_any_format() -> None:
    in_env = secrets_in(parsed(".env", f"ANTHROPIC_API_KEY={KEY}\n"))
    in_json = secrets_in(parsed(".claude/settings.json", f'{{"apiKeyHelper": "echo {KEY}"}}\n'))
    assert [h.digest for h in in_env] == [secret_digest(KEY)]
    assert [h.digest for h in in_json] == [secret_digest(KEY)]
    assert secret_digest(KEY) != secret_digest(ADMIN)


def test_the_digest_is_never_in_the_repr() -> None:
    (hit,) = secrets_in(parsed(".env", f"ANTHROPIC_API_KEY={KEY}\n"))
    assert KEY not in repr(hit)
    assert hit.digest.hex() not in repr(hit)


def test_may_hold_secret() -> None:
    assert may_hold_secret("x sk-ant-y")
    assert may_hold_secret("AWS_SESSION_TOKEN=1")
    assert may_hold_secret("ABSK")
    assert not may_hold_secret("DISABLE_TELEMETRY=1\nAPI_KEY=abc\n")


# --- CCP403 messages and findings -------------------------------------------------------------


def evidence(presence: Presence, **extra: object) -> SecretEvidence:
    hit = SecretHit(Location(".env", 2, 1), "an Anthropic API key", variable="ANTHROPIC_API_KEY", digest=b"x")
    return SecretEvidence(hit, COMMIT, 1, presence, **extra)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("presence", "extra", "ending"),
    [
        (
            Presence.IN_WORKING_TREE,
            {"still_in": (".env", ".envrc")},
            "it is still in the working tree (.env, .envrc): rotate it, remove it and load it from a secret "
            "store instead.",
        ),
        (
            Presence.IN_WORKING_TREE,
            {"still_in": ("a", "b", "c", "d", "e")},
            "it is still in the working tree (a, b, c and 2 more): rotate it, remove it and load it from a "
            "secret store instead.",
        ),
        (
            Presence.REMOVED,
            {"removed_in": LATER},
            "it was removed in fedcba987654, but it remains in history, where anyone with a clone can read it: "
            "rotate it.",
        ),
        (
            Presence.GONE,
            {},
            "it is no longer in the working tree, but it remains in history, where anyone with a clone can "
            "read it: rotate it.",
        ),
        (Presence.UNKNOWN, {}, "it remains in history, where anyone with a clone can read it: rotate it."),
    ],
)
def test_credential_message_endings(presence: Presence, extra: dict[str, object], ending: str) -> None:
    assert credential_message(evidence(presence, **extra)) == (
        "ANTHROPIC_API_KEY was assigned a literal value that looks like an Anthropic API key (value "
        f"redacted), first committed in {BY}; {ending}"
    )


def test_credential_message_subjects() -> None:
    text_hit = SecretHit(Location("a.sh", 1, 3), "an Anthropic Admin API key")
    pair_hit = SecretHit(Location("a.sh", 2, 3), "an AWS secret access key", pair=True)
    assert credential_message(SecretEvidence(text_hit, COMMIT, 1, Presence.UNKNOWN)) == (
        f"An Anthropic Admin API key (value redacted) was first committed in {BY}; it remains in history, "
        "where anyone with a clone can read it: rotate it."
    )
    assert credential_message(SecretEvidence(pair_hit, COMMIT, 2, Presence.UNKNOWN)).startswith(
        f"An AWS secret access key, next to its access key id (values redacted), was first committed in {BY};"
    )


def test_author_control_characters_are_not_printed() -> None:
    odd = CommitInfo("ab" * 20, "Evil\x1b[31mName", "e\nmail", "2026")
    assert odd.described() == "abababababab by Evil?[31mName <e?mail> on 2026"
    assert CommitInfo("ab" * 20, "NoMail", "", "2026").described() == "abababababab by NoMail on 2026"


def test_ccp403_finding_context_key_and_location() -> None:
    check = REGISTRY["literal-credential-in-history"]
    history = HistoryEvidence(secrets=(evidence(Presence.UNKNOWN),))
    scan = CheckInput(files=(), contexts=(), kb=KB, history=history)
    (found,) = check(RULES["CCP403"], scan)
    assert (found.rule_id, found.location, found.context, found.key) == (
        "CCP403",
        Location(".env", 2, 1),
        f"history:{COMMIT.sha}",
        "secret-1",
    )
    assert found.message == credential_message(evidence(Presence.UNKNOWN))


def test_history_checks_say_nothing_outside_a_history_scan() -> None:
    plain = CheckInput(files=(parsed(".env", f"ANTHROPIC_API_KEY={KEY}\n"),), contexts=(), kb=KB)
    assert list(REGISTRY["literal-credential-in-history"](RULES["CCP403"], plain)) == []
    assert list(REGISTRY["protection-removed-in-history"](RULES["CCP110"], plain)) == []


# --- protections ------------------------------------------------------------------------------


def changes(
    path: str, old: str, new: str | None, kind: FileKind | None = None
) -> list[tuple[str, int, str, str]]:
    before = parsed(path, old, kind)
    after = parsed(path, new, kind) if new is not None else None
    return [(c.key, c.location.line, c.change, c.protected) for c in turned_off(before, after, KB)]


TELEMETRY = "it switched off usage metrics, the session quality survey and feature-flag fetching"


def test_variable_removed() -> None:
    assert changes(".env", "A=1\nDISABLE_TELEMETRY=1\n", "A=1\n") == [
        ("DISABLE_TELEMETRY", 2, "DISABLE_TELEMETRY was removed", TELEMETRY)
    ]


def test_variable_set_to_values_that_do_not_turn_it_on() -> None:
    assert changes(".env", "DO_NOT_TRACK=1\n", "DO_NOT_TRACK=0\n") == [
        (
            "DO_NOT_TRACK",
            1,
            'DO_NOT_TRACK was changed from "1" to "0"',
            "it switched off usage metrics and the session quality survey",
        )
    ]
    assert changes(".env", "DISABLE_TELEMETRY=1\n", "DISABLE_TELEMETRY=\n") == [
        (
            "DISABLE_TELEMETRY",
            1,
            'DISABLE_TELEMETRY was changed from "1" to "" ("" counts as unset)',
            TELEMETRY,
        )
    ]
    assert changes(".env", "DISABLE_FEEDBACK_COMMAND=1\n", "DISABLE_FEEDBACK_COMMAND=enabled\n") == [
        (
            "DISABLE_FEEDBACK_COMMAND",
            1,
            'DISABLE_FEEDBACK_COMMAND was changed from "1" to "enabled" ("enabled" is neither 1/true nor 0/false)',
            "it switched off /feedback uploads",
        )
    ]


def test_variable_unset_later_in_a_script() -> None:
    assert changes(
        "a.sh", "export DISABLE_TELEMETRY=1\n", "export DISABLE_TELEMETRY=1\nunset DISABLE_TELEMETRY\n"
    ) == [("DISABLE_TELEMETRY", 2, "DISABLE_TELEMETRY is now unset", TELEMETRY)]


def test_still_on_moved_to_a_reference_or_alias_is_not_turned_off() -> None:
    assert changes(".env", "DO_NOT_TRACK=1\n", "DO_NOT_TRACK=true\n") == []
    assert changes(".env", "DISABLE_TELEMETRY=1\n", "DISABLE_TELEMETRY=0\n") == []  # presence-only: still on
    assert (
        changes(".envrc", "export DISABLE_TELEMETRY=1\n", 'export DISABLE_TELEMETRY="${CI_TELEMETRY}"\n')
        == []
    )
    assert changes(".env", "DISABLE_BUG_COMMAND=1\n", "DISABLE_FEEDBACK_COMMAND=1\n") == []


def test_an_uncertain_old_value_was_never_proof_of_protection() -> None:
    assert changes(".env", "DISABLE_FEEDBACK_COMMAND=yes\n", "A=1\n") == []


def test_workflow_places_keep_their_own_values() -> None:
    old = "on: push\nenv:\n  DISABLE_TELEMETRY: '1'\njobs:\n  a:\n    runs-on: x\n    env:\n      DO_NOT_TRACK: '1'\n    steps:\n      - run: claude\n"
    new = "on: push\njobs:\n  a:\n    runs-on: x\n    env:\n      DO_NOT_TRACK: '1'\n      DISABLE_TELEMETRY: '1'\n    steps:\n      - run: claude\n"
    assert changes(".github/workflows/c.yml", old, new) == []
    gone = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: claude\n"
    assert [c[:3] for c in changes(".github/workflows/c.yml", old, gone)] == [
        ("DISABLE_TELEMETRY", 3, "DISABLE_TELEMETRY was removed"),
        ("DO_NOT_TRACK", 8, "DO_NOT_TRACK was removed"),
    ]


def test_settings_keys() -> None:
    old = (
        '{\n  "skipWebFetchPreflight": true,\n  "cleanupPeriodDays": 7,\n'
        '  "permissions": {"disableBypassPermissionsMode": "disable"},\n  "forceLoginOrgUUID": "abc"\n}\n'
    )
    new = '{\n  "cleanupPeriodDays": 45,\n  "permissions": {"disableBypassPermissionsMode": "allow"}\n}\n'
    assert changes(".claude/settings.json", old, new) == [
        (
            "skipWebFetchPreflight",
            2,
            "skipWebFetchPreflight was removed",
            "it stopped sending each WebFetch hostname to Anthropic",
        ),
        (
            "cleanupPeriodDays",
            2,
            "cleanupPeriodDays was raised from 7 to 45 days",
            "local transcripts are now kept longer",
        ),
        (
            "permissions.disableBypassPermissionsMode",
            3,
            'permissions.disableBypassPermissionsMode was changed from "disable" to "allow"',
            "it forbade bypassPermissions mode and --dangerously-skip-permissions",
        ),
    ]  # forceLoginOrgUUID in a project file pins nothing: its removal is not reported


def test_org_pin_removed_from_a_managed_file_only() -> None:
    old = '{\n  "forceLoginOrgUUID": ["a", "b"]\n}\n'
    assert changes("managed-settings.json", old, "{}\n") == [
        (
            "forceLoginOrgUUID",
            2,
            "forceLoginOrgUUID was removed from this managed settings file",
            "it pinned logins to the organisation",
        )
    ]
    assert changes("managed-settings.json", old, '{"forceLoginOrgUUID": "c"}\n') == []  # CCP302's question
    assert changes(".claude/settings.json", old, "{}\n") == []


def test_retention() -> None:
    path = ".claude/settings.json"
    assert changes(path, '{"cleanupPeriodDays": 20}', '{"cleanupPeriodDays": 10}') == []
    assert changes(path, '{"cleanupPeriodDays": 20}', "{}") == [
        (
            "cleanupPeriodDays",
            1,
            "cleanupPeriodDays was removed, so the default of 30 days applies instead of 20",
            "",
        )
    ]
    assert changes(path, '{"cleanupPeriodDays": 40}', "{}") == []  # the default is shorter
    assert changes(path, '{"cleanupPeriodDays": 20}', '{"cleanupPeriodDays": "90"}') == []  # CCP502's
    assert changes(path, '{"cleanupPeriodDays": 20}', None) == [
        (
            "cleanupPeriodDays",
            1,
            "the file was deleted, so the default of 30 days applies instead of 20",
            "",
        )
    ]


def test_deleted_and_rejected_files() -> None:
    settings = '{\n  "env": {"DISABLE_ERROR_REPORTING": "1"},\n  "skipWebFetchPreflight": true\n}\n'
    assert changes(".claude/settings.json", settings, settings.replace("true", "true,")) == [
        (
            "DISABLE_ERROR_REPORTING",
            2,
            "the file became invalid (Claude Code rejects it as a whole), and DISABLE_ERROR_REPORTING with it",
            "it switched off error reporting",
        ),
        (
            "skipWebFetchPreflight",
            3,
            "the file became invalid (Claude Code rejects it as a whole), and skipWebFetchPreflight with it",
            "it stopped sending each WebFetch hostname to Anthropic",
        ),
    ]
    assert changes(".env", "DISABLE_TELEMETRY=1\n", None) == [
        ("DISABLE_TELEMETRY", 1, "the file was deleted, and DISABLE_TELEMETRY with it", TELEMETRY)
    ]


def test_nothing_was_on_in_rejected_inert_or_malformed_old_versions() -> None:
    assert changes(".claude/settings.json", '{"env": {"DISABLE_TELEMETRY": "1"},}', "{}") == []
    assert changes(".claude/settings.example.json", '{"env": {"DISABLE_TELEMETRY": "1"}}', "{}") == []
    assert changes(".claude/settings.json", "\x00\x01not json", "{}") == []
    assert changes(".claude/settings.json", "[1, 2]", "{}") == []


def test_protections_on_and_may_hold_protection() -> None:
    on = protections_on(parsed(".env", "DISABLE_TELEMETRY=1\nDO_NOT_TRACK=0\nDISABLE_BUG_COMMAND=1\n"), KB)
    assert sorted(on) == ["DISABLE_FEEDBACK_COMMAND", "DISABLE_TELEMETRY"]
    assert may_hold_protection("x DISABLE_BUG_COMMAND", KB)
    assert may_hold_protection('"cleanupPeriodDays"', KB)
    assert not may_hold_protection("OTEL_LOG_USER_PROMPTS=1\nANTHROPIC_MODEL=x\n", KB)


def test_ccp110_message_and_finding() -> None:
    change = ProtectionChange(
        "DO_NOT_TRACK", Location(".env", 3, 1), 'DO_NOT_TRACK was changed from "1" to "0"', "it did x"
    )
    item = ProtectionEvidence(COMMIT, change)
    assert protection_message(item) == (
        f'Commit {BY} turned a protection off: DO_NOT_TRACK was changed from "1" to "0"; it did x.'
    )
    bare = ProtectionEvidence(COMMIT, ProtectionChange("k", Location("f", 1, 1), "k was removed"))
    assert protection_message(bare) == f"Commit {BY} turned a protection off: k was removed."
    scan = CheckInput(files=(), contexts=(), kb=KB, history=HistoryEvidence(protections=(item,)))
    (found,) = REGISTRY["protection-removed-in-history"](RULES["CCP110"], scan)
    assert (found.location, found.context, found.key, found.message) == (
        Location(".env", 3, 1),
        f"history:{COMMIT.sha}",
        "DO_NOT_TRACK",
        protection_message(item),
    )


# --- cheap projections: equal projections must mean equal protections ---------------------------


def test_settings_projection_stands_in_only_for_strict_json() -> None:
    valid = '{\n  "env": {"DO_NOT_TRACK": "1", "MODEL": "a"},\n  "cleanupPeriodDays": 7\n}\n'
    assert settings_projection(valid, KB) == settings_projection(valid.replace('"a"', '"b"'), KB)
    assert settings_projection(valid, KB) != settings_projection(valid.replace('"1"', "1"), KB)
    assert settings_projection(valid, KB) != settings_projection(valid.replace("7", "8"), KB)
    # A present key never looks like an absent one, whatever its value.
    assert settings_projection('{"forceLoginOrgUUID": "<absent>"}', KB) != settings_projection("{}", KB)
    assert settings_projection('{"forceLoginOrgUUID": null}', KB) != settings_projection("{}", KB)
    bypass = '{"permissions": {"disableBypassPermissionsMode": "disable"}}'
    assert settings_projection(bypass, KB) != settings_projection('{"permissions": {}}', KB)
    assert settings_projection('{"permissions": []}', KB) == settings_projection('{"permissions": {}}', KB)
    for broken in (
        '{"env": {}, }',  # trailing comma
        '// comment\n{"env": {}}',
        '{"a": 1, "a": 2}',  # duplicate key: Claude Code rejects the file
        '{"cleanupPeriodDays": NaN}',
        "[1]",
        "{" * 60 + "}" * 60,  # deep nesting: the settings parser's limit decides
        "",
    ):
        assert settings_projection(broken, KB) is None, broken


def test_settings_projection_keeps_alias_order() -> None:
    first = '{"env": {"DISABLE_BUG_COMMAND": "1", "DISABLE_FEEDBACK_COMMAND": "0"}}'
    second = '{"env": {"DISABLE_FEEDBACK_COMMAND": "0", "DISABLE_BUG_COMMAND": "1"}}'
    assert settings_projection(first, KB) != settings_projection(second, KB)
    path = ".claude/settings.json"
    assert sorted(protections_on(parsed(path, first), KB)) == []
    assert sorted(protections_on(parsed(path, second), KB)) == ["DISABLE_FEEDBACK_COMMAND"]


WORKFLOW = (
    "on: push\njobs:\n  review:\n    runs-on: ubuntu-latest\n    env:\n      DISABLE_TELEMETRY: '1'\n"
    "    steps:\n      - run: claude -p review\n"
)


def test_yaml_projection_sees_the_lines_a_protection_belongs_to() -> None:
    base = yaml_projection(WORKFLOW, KB)
    assert base == "jobs:\x1f  review:\x1f    env:\x1f      DISABLE_TELEMETRY: '1'"
    assert yaml_projection(WORKFLOW.replace("review -p", "x").replace("ubuntu", "macos"), KB) == base
    assert yaml_projection(WORKFLOW + "# DISABLE_TELEMETRY is on\n", KB) == base
    assert yaml_projection(WORKFLOW.replace("    env:", "    envx:"), KB) != base
    assert yaml_projection(WORKFLOW.replace("  review:", "  other:"), KB) != base
    assert yaml_projection(WORKFLOW.replace("'1'", "'0'"), KB) != base
    anchored = "x: &env\n  DISABLE_TELEMETRY: '1'\njobs:\n  a:\n    env: *env\n"
    assert yaml_projection(anchored, KB) is None
    assert yaml_projection("on:\n  schedule:\n    - cron: '*/5 * * * *'\n", KB) == ""


def test_projection_by_kind() -> None:
    assert protection_projection(FileKind.SETTINGS_LOCAL, "{}", KB) == settings_projection("{}", KB)
    assert protection_projection(FileKind.COMPOSE, WORKFLOW, KB) == yaml_projection(WORKFLOW, KB)
    assert protection_projection(FileKind.DOTENV, "DISABLE_TELEMETRY=1\n", KB) is None
    assert protection_projection(FileKind.SETTINGS_INERT, "{}", KB) is None


def test_same_protections_by_lines_for_dotenv() -> None:
    old = "A=1\nDISABLE_TELEMETRY=1\n"
    assert same_protections_by_lines(FileKind.DOTENV, old, "# note\nA=2\nB=x\nDISABLE_TELEMETRY=1\n", KB)
    assert not same_protections_by_lines(FileKind.DOTENV, old, "A=1\nDISABLE_TELEMETRY=\n", KB)
    assert not same_protections_by_lines(FileKind.DOTENV, old, "A=1\n", KB)
    # Order of the lines that name protections matters (a later assignment wins).
    two = "DISABLE_TELEMETRY=1\nDISABLE_TELEMETRY=\n"
    assert not same_protections_by_lines(
        FileKind.DOTENV, two, "DISABLE_TELEMETRY=\nDISABLE_TELEMETRY=1\n", KB
    )
    # A quoted value spanning lines could swallow the next ones: parse instead.
    assert not same_protections_by_lines(FileKind.DOTENV, old, 'A="x\nDISABLE_TELEMETRY=1\n"\n', KB)
    assert not same_protections_by_lines(FileKind.DOTENV, "A=it's\n" + old, "A=it's\nB=1\n" + old, KB)


def test_same_protections_by_lines_for_shell() -> None:
    old = "#!/bin/sh\nexport DISABLE_TELEMETRY=1\nclaude -p x\n"
    assert same_protections_by_lines(FileKind.SHELL, old, old + "# reviewed\n\n", KB)
    assert same_protections_by_lines(FileKind.ENVRC, old, old.replace("#!/bin/sh", "#!/bin/bash"), KB)
    assert not same_protections_by_lines(FileKind.SHELL, old, old + "echo done\n", KB)  # a command
    assert not same_protections_by_lines(FileKind.SHELL, old, old + "# it's\n", KB)  # a quote
    assert not same_protections_by_lines(FileKind.SHELL, old, "f() {\n" + old + "}\n", KB)
    assert not same_protections_by_lines(FileKind.POWERSHELL, "# a\n", "# b\n", KB)
    assert not same_protections_by_lines(FileKind.DOCKERFILE, "# a\n", "# b\n", KB)
