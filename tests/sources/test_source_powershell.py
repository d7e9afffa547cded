from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.model import FileKind, JSONValue, ParsedFile, ValueKind
from scanner.sources import powershell
from scanner.sources.powershell import parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "sources" / "powershell"
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"

L = ValueKind.LITERAL
R = ValueKind.REFERENCE
D = ValueKind.DYNAMIC

Row = tuple[str, str, JSONValue, ValueKind, str, int, int, "int | None", "int | None"]


def rows(parsed: ParsedFile) -> list[Row]:
    return [
        (
            o.kind.value,
            o.name,
            o.value,
            o.value_kind,
            o.scope,
            o.location.line,
            o.location.column,
            o.location.end_line,
            o.location.end_column,
        )
        for o in parsed.observations
    ]


def ps(text: str) -> ParsedFile:
    return parse("Documents/PowerShell/Microsoft.PowerShell_profile.ps1", text, FileKind.POWERSHELL)


def values(parsed: ParsedFile) -> list[tuple[str, str, JSONValue, ValueKind, str]]:
    return [(o.kind.value, o.name, o.value, o.value_kind, o.scope) for o in parsed.observations]


def test_profile_fixture() -> None:
    text = (FIXTURES / "Microsoft.PowerShell_profile.ps1").read_text(encoding="utf-8")
    parsed = ps(text)
    assert rows(parsed) == [
        ("env", "CLAUDE_CODE_USE_BEDROCK", "1", L, "export", 7, 6, 7, 35),
        ("env", "AWS_REGION", "us-east-1", L, "export", 8, 6, 8, 30),
        ("env", "Path", "$env:Path;$HOME\\.local\\bin", D, "export", 9, 6, 9, 33),
        ("env", "DISABLE_TELEMETRY", "1", L, "setx-user", 10, 40, 10, 63),
        ("env", "OTEL_METRICS_EXPORTER", "otlp", L, "setx-machine", 11, 47, 11, 77),
        ("env", "ANTHROPIC_MODEL", "claude-opus-4", L, "export", 12, 20, 12, 58),
        ("unset", "ANTHROPIC_BASE_URL", None, L, "unset", 13, 17, 13, 35),
        ("env", "CLAUDE_CODE_ENABLE_TELEMETRY", "1", L, "setx-user", 14, 6, 14, 36),
        ("unset", "ANTHROPIC_SMALL_FAST_MODEL", None, L, "unset", 17, 10, 17, 44),
    ]
    assert parsed.facts == {
        "runs_claude": True,
        "commands": [{"line": 18, "column": 7, "command": "claude", "runs_claude": True, "alias": None}],
        "sources": [],
    }
    assert parsed.notifications == ()
    assert parsed.text == text
    assert {(o.file_kind, o.group) for o in parsed.observations} == {(FileKind.POWERSHELL, ())}


# -- $env: assignments -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "name", "column"),
    [
        ('$env:X = "v"', "X", 6),
        ("$Env:X='v'", "X", 6),
        ("$ENV:X = 'v'", "X", 6),
        ("${env:X} = 'v'", "X", 7),
        ("  $eNv:X   =   'v'", "X", 8),
    ],
)
def test_env_drive_assignment_spellings(line: str, name: str, column: int) -> None:
    parsed = ps(line + "\n")
    assert [(o.name, o.value, o.value_kind, o.scope, o.location.column) for o in parsed.observations] == [
        (name, "v", L, "export", column)
    ]
    assert parsed.observations[0].location.end_column == len(line) + 1


@pytest.mark.parametrize(
    ("rhs", "value", "kind"),
    [
        ("'lit $env:Y'", "lit $env:Y", L),
        ("'it''s'", "it's", L),
        ('"$env:Y"', "$env:Y", R),
        ('"${env:Y}"', "${env:Y}", R),
        ("$env:Y", "$env:Y", R),
        ("${env:Y}", "${env:Y}", R),
        ("$HOME", "$HOME", R),
        ('"pre-$env:Y"', "pre-$env:Y", D),
        ('"$(Get-Secret)"', "$(Get-Secret)", D),
        ("(Get-Content ~/.key)", "(Get-Content ~/.key)", D),
        ("Get-Secret -Name x", "Get-Secret -Name x", D),
        ("'a' + 'b'", "'a' + 'b'", D),
        ('"a`tb`"c"', 'a\tb"c', L),
        ('"say ""hi"""', 'say "hi"', L),
        ('"`$env:Y"', "$env:Y", L),
        ("1", "1", L),
        ("0x10", "0x10", L),
        ("$true", "True", L),
        ("$false", "False", L),
        ("''", "", L),
        ("\u2018smart\u2019", "smart", L),
    ],
)
def test_assignment_values(rhs: str, value: str, kind: ValueKind) -> None:
    parsed = ps(f"$env:X = {rhs}\n")
    assert values(parsed) == [("env", "X", value, kind, "export")]
    assert parsed.notifications == ()


def test_null_removes_and_append_is_dynamic() -> None:
    parsed = ps("$env:A = $null\n$env:Path += ';C:\\bin'\n$env:B ??= 'x'\n")
    assert rows(parsed) == [
        ("unset", "A", None, L, "unset", 1, 6, 1, 15),
        ("env", "Path", "$env:Path;C:\\bin", D, "export", 2, 6, 2, 23),
        ("env", "B", "$env:B", D, "export", 3, 6, 3, 15),
    ]


def test_here_strings() -> None:
    parsed = ps("$env:A = @'\nliteral $env:X\n'@\n$env:B = @\"\nexpands $env:X\n\"@\n")
    assert rows(parsed) == [
        ("env", "A", "literal $env:X", L, "export", 1, 6, 3, 3),
        ("env", "B", "expands $env:X", D, "export", 4, 6, 6, 3),
    ]


def test_backtick_continuation_before_the_value() -> None:
    assert values(ps("$env:A = `\n  'v'\n")) == [("env", "A", "v", L, "export")]


def test_comparisons_and_reads_are_not_assignments() -> None:
    parsed = ps(
        "if ($env:X -eq '1') { Write-Host $env:Y }\n$value = $env:X\nWrite-Output \"$env:X = 1\"\n$env:X\n"
    )
    assert parsed.observations == ()


def test_statements_inside_blocks() -> None:
    parsed = ps(
        "if ($IsWindows) { $env:A = '1' } else { $env:B = '2' }\n"
        "function Set-Claude {\n    param($m)\n    $env:C = $m; $env:D = 'd'\n}\n"
        "try { Set-Item Env:E 'e' } catch { }\n"
    )
    assert values(parsed) == [
        ("env", "A", "1", L, "export"),
        ("env", "B", "2", L, "export"),
        ("env", "C", "$m", R, "export"),
        ("env", "D", "d", L, "export"),
        ("env", "E", "e", L, "export"),
    ]


# -- .NET, providers and setx ------------------------------------------------------------------------


def test_set_environment_variable_targets() -> None:
    parsed = ps(
        "[Environment]::SetEnvironmentVariable('A', 'a', 'User')\n"
        '[System.Environment]::SetEnvironmentVariable("B", "b", "Machine")\n'
        "[Environment]::SetEnvironmentVariable('C', 'c', 'Process')\n"
        "[Environment]::SetEnvironmentVariable('D', 'd')\n"
        "[environment]::setenvironmentvariable('E', 'e', [EnvironmentVariableTarget]::User)\n"
        "[Environment]::SetEnvironmentVariable('F', $null, 'User')\n"
        "[Environment]::SetEnvironmentVariable('G', '', 'Machine')\n"
        "[Environment]::SetEnvironmentVariable($name, 'h', 'User')\n"
        "[Environment]::GetEnvironmentVariable('I', 'User')\n"
    )
    assert rows(parsed) == [
        ("env", "A", "a", L, "setx-user", 1, 40, 1, 47),
        ("env", "B", "b", L, "setx-machine", 2, 47, 2, 54),
        ("env", "C", "c", L, "export", 3, 40, 3, 47),
        ("env", "D", "d", L, "export", 4, 40, 4, 47),
        ("env", "E", "e", L, "setx-user", 5, 40, 5, 47),
        ("unset", "F", None, L, "setx-user", 6, 40, 6, 42),
        ("unset", "G", None, L, "setx-machine", 7, 40, 7, 42),
    ]


def test_environment_provider_commands() -> None:
    parsed = ps(
        "Set-Item -Path Env:A -Value 'a'\n"
        "Set-Item Env:B b\n"
        'Set-Item -Path "Env:\\C" -Value "c $env:X"\n'
        "si env:D -Value (Get-D)\n"
        "New-Item -Path Env: -Name E -Value e -Force\n"
        "Set-Item -Path Env:NOVALUE\n"
        "Set-Item -Path HKCU:\\X -Value 1\n"
    )
    assert rows(parsed) == [
        ("env", "A", "a", L, "export", 1, 20, 1, 32),
        ("env", "B", "b", L, "export", 2, 14, 2, 17),
        ("env", "C", "c $env:X", D, "export", 3, 22, 3, 42),
        ("env", "D", "(Get-D)", D, "export", 4, 8, 4, 24),
        ("env", "E", "e", L, "export", 5, 27, 5, 37),
    ]


def test_removing_environment_items() -> None:
    parsed = ps(
        "Remove-Item Env:A\n"
        "Remove-Item -Path env:\\B -ErrorAction SilentlyContinue\n"
        "ri Env:C\n"
        "Remove-Item Env:D, Env:E\n"
        "Remove-Item C:\\temp\\x.txt\n"
    )
    assert rows(parsed) == [
        ("unset", "A", None, L, "unset", 1, 17, 1, 18),
        ("unset", "B", None, L, "unset", 2, 24, 2, 25),
        ("unset", "C", None, L, "unset", 3, 8, 3, 9),
        ("unset", "D", None, L, "unset", 4, 17, 4, 18),
        ("unset", "E", None, L, "unset", 4, 24, 4, 25),
    ]


def test_setx() -> None:
    parsed = ps('setx A a\nsetx B "b c" /M\nsetx.exe C c\nsetx /S host D d\nsetx E\n')
    assert rows(parsed) == [
        ("env", "A", "a", L, "setx-user", 1, 6, 1, 9),
        ("env", "B", "b c", L, "setx-machine", 2, 6, 2, 13),
        ("env", "C", "c", L, "setx-user", 3, 10, 3, 13),
    ]


# -- comments, runs, encoding ------------------------------------------------------------------------


def test_comments_are_skipped() -> None:
    parsed = ps(
        "# $env:A = '1'\n"
        "<# $env:B = '2'\n   $env:C = '3' #>\n"
        "$env:D = '4' # $env:E = '5'\n"
        "$env:F = 'a#b'\n"
        "<##> $env:G = '7'\n"
    )
    assert values(parsed) == [
        ("env", "D", "4", L, "export"),
        ("env", "F", "a#b", L, "export"),
        ("env", "G", "7", L, "export"),
    ]


def test_runs_claude() -> None:
    parsed = ps(
        "claude -p 'hi'\n"
        "& 'C:\\Tools\\claude.exe' --version\n"
        "npx @anthropic-ai/claude-code\n"
        "Get-Command claude\n"
    )
    assert parsed.facts["commands"] == [
        {"line": 1, "column": 1, "command": "claude", "runs_claude": True, "alias": None},
        {"line": 2, "column": 3, "command": "C:\\Tools\\claude.exe", "runs_claude": True, "alias": None},
        {"line": 3, "column": 1, "command": "npx", "runs_claude": True, "alias": None},
    ]
    assert ps("Get-Command claude\n").facts["runs_claude"] is False


def test_dot_sourcing() -> None:
    assert ps(". $HOME\\profile-extra.ps1\n").facts["sources"] == [
        {"line": 1, "target": "$HOME\\profile-extra.ps1", "via": "."}
    ]


def test_crlf_and_bom() -> None:
    text = "\ufeff$env:A = '1'\r\n$env:B = \"2\"\r\n"
    parsed = ps(text)
    assert rows(parsed) == [
        ("env", "A", "1", L, "export", 1, 6, 1, 13),
        ("env", "B", "2", L, "export", 2, 6, 2, 13),
    ]
    assert parsed.text == text


def test_unterminated_string_notifies_without_the_value() -> None:
    parsed = ps("$env:GOOD = '1'\n$env:ANTHROPIC_API_KEY = 'sk-ant-secret\n$env:LATER = 2\n")
    assert values(parsed) == [("env", "GOOD", "1", L, "export")]
    assert [(n.message, n.line) for n in parsed.notifications] == [
        ("unterminated single-quoted string at line 2", 2)
    ]
    assert "sk-ant" not in parsed.notifications[0].message


def test_single_quoted_strings_span_lines() -> None:
    parsed = ps("$env:A = 'one\ntwo'\n$env:B = 'x' 2\n")
    assert rows(parsed) == [
        ("env", "A", "one\ntwo", L, "export", 1, 6, 2, 5),
        # not valid PowerShell; whatever follows the string makes the value unknowable
        ("env", "B", "'x' 2", D, "export", 3, 6, 3, 15),
    ]


def test_unterminated_block_comment_notifies() -> None:
    parsed = ps("$env:A = '1'\n<# never closed\n$env:B = '2'\n")
    assert values(parsed) == [("env", "A", "1", L, "export")]
    assert [n.message for n in parsed.notifications] == ["unterminated block comment at line 2"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "$",
        "$env:",
        "$env:X =",
        "[",
        "[Environment]::",
        "[Environment]::SetEnvironmentVariable(",
        "@'",
        '@"\nx',
        "$(" * 500,
        "{" * 500,
        "`",
        "Set-Item",
        "Remove-Item -Path",
        "setx",
        "\x00\xff\ufffe",
    ],
)
def test_garbage_never_raises(text: str) -> None:
    parsed = ps(text)
    assert isinstance(parsed, ParsedFile)
    assert len(parsed.notifications) <= 1


def test_ten_thousand_lines_cost_ten_times_a_thousand() -> None:
    block = (
        "# profile\n"
        "Import-Module posh-git\n"
        "Set-Alias -Name ll -Value Get-ChildItem\n"
        'function Get-Status { param([string]$Path = ".") git -C $Path status }\n'
        '$env:ANTHROPIC_MODEL = "claude-sonnet-4"\n'
        "if (Test-Path $HOME\\x.ps1) { . $HOME\\x.ps1 }\n"
        "Write-Host 'loaded' -ForegroundColor Green\n"
        "$x = @{ a = 1; b = 'two' }\n"
        "Get-ChildItem | Where-Object { $_.Name -like '*.ps1' }\n"
        "\n"
    )
    large = block * 1000
    assert len(ps(block * 100).observations) == 100
    # about 60 ms for the 10,000 lines on an idle machine; linear growth is a ratio of about 10
    small_time = _best(lambda: ps(block * 100), 3)
    large_time = _best(lambda: ps(large), 2)
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
def test_shared_samples_of_powershell_kind_parse_cleanly() -> None:
    for path in (p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix.lower() in (".ps1", ".psm1")):
        parsed = parse(str(path), path.read_text(encoding="utf-8", errors="replace"), FileKind.POWERSHELL)
        assert all(o.location.line >= 1 for o in parsed.observations)


def test_a_parser_bug_becomes_a_notification(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(powershell, "_Statements", broken)
    parsed = parse("x", "A=1\n", FileKind.POWERSHELL)
    assert [(n.level, n.descriptor) for n in parsed.notifications] == [("error", "internal-parse-error")]
    assert parsed.observations == ()
