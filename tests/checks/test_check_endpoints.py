from __future__ import annotations

import pytest

from scanner.checks.endpoints import Endpoint, host_approved, is_loopback, judge, parse_endpoint
from scanner.contexts.model import Effective
from scanner.model import FileKind, JSONValue, Location, Observation, ObservationKind, ValueKind


def _eff(value: JSONValue, kind: ValueKind = ValueKind.LITERAL) -> Effective:
    obs = Observation(
        ObservationKind.ENV,
        "ANTHROPIC_BASE_URL",
        value,
        Location("x.env", 1, 1),
        FileKind.DOTENV,
        "dotenv",
        kind,
    )
    return Effective("ANTHROPIC_BASE_URL", value, kind, obs, (obs,))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://otel.example.com:4318/v1/logs", Endpoint("https", "otel.example.com", 4318)),
        ("HTTP://LocalHost:8080", Endpoint("http", "localhost", 8080)),
        ("grpc://[::1]:4317", Endpoint("grpc", "::1", 4317)),
        ("https://user:pw@gw.example.com/a?token=x", Endpoint("https", "gw.example.com", None)),
        ("otel.example.com:4317", None),  # no scheme: not a URL an exporter accepts
        ("REPLACE-WITH-YOUR-COLLECTOR", None),
        ("https://", None),
        ("https://exa mple.com", None),
        ("https://host:99999", None),  # invalid port
        ("", None),
    ],
)
def test_parse_endpoint(text: str, expected: Endpoint | None) -> None:
    assert parse_endpoint(text) == expected


def test_origin_never_includes_path_query_or_user_info() -> None:
    parsed = parse_endpoint("https://user:hunter2@gw.example.com:8443/anthropic?key=abc")
    assert parsed is not None
    assert parsed.origin == "https://gw.example.com:8443"
    assert Endpoint("grpc", "::1", 4317).origin == "grpc://[::1]:4317"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("api.localhost", True),
        ("127.0.0.1", True),
        ("127.8.0.2", True),
        ("::1", True),
        ("10.0.0.1", False),
        ("example.com", False),
        ("localhost.example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_host_approved_exact_wildcard_and_url_entries() -> None:
    approved = ["otel.example.com", "*.corp.example", "https://GW.Example.net:8443/path", 42]
    assert host_approved("otel.example.com", approved)
    assert host_approved("OTEL.EXAMPLE.COM.", approved)
    assert host_approved("a.b.corp.example", approved)
    assert host_approved("corp.example", approved)
    assert host_approved("gw.example.net", approved)
    assert not host_approved("evilcorp.example", approved)
    assert not host_approved("example.com", approved)
    assert not host_approved("otel.example.com.evil.net", approved)
    assert not host_approved("42", [])


def test_judge_accepts_approved_https_and_plain_http_to_approved_loopback() -> None:
    assert judge(_eff("https://otel.example.com"), ["otel.example.com"], "p").problems == ()
    assert judge(_eff("http://127.0.0.1:4318"), ["127.0.0.1"], "p").problems == ()


def test_judge_unlisted_loopback_is_not_approved_but_needs_no_tls() -> None:
    verdict = judge(_eff("http://localhost:4318"), [], "approved_otel_collectors")
    assert verdict.problems == (
        "its host localhost is not in approved_otel_collectors (the policy lists none)",
    )
    assert verdict.describe("collector") == "a collector that is not approved, http://localhost:4318"


def test_judge_plain_http_and_other_schemes() -> None:
    verdict = judge(_eff("http://gw.example.com"), ["gw.example.com"], "p", plaintext_consequence="it leaks")
    assert verdict.problems == ("it uses plain http://, so it leaks",)
    assert verdict.describe("gateway") == "an approved gateway without TLS, http://gw.example.com"
    verdict = judge(_eff("grpc://gw.example.com:4317"), ["other.example.com"], "p")
    assert verdict.problems == (
        "its host gw.example.com is not in p",
        "its scheme grpc:// is not https://, so TLS cannot be confirmed",
    )


def test_judge_always_approved_hosts() -> None:
    assert (
        judge(_eff("https://api.anthropic.com"), [], "p", always_approved=["api.anthropic.com"]).problems
        == ()
    )


def test_judge_references_and_non_urls_cannot_be_verified() -> None:
    ref = judge(_eff("${{ secrets.GW }}", ValueKind.REFERENCE), ["x"], "approved_gateways")
    assert (ref.shown_as, ref.problems, ref.unverifiable) == (
        "a reference resolved at run time",
        ("its host cannot be checked against approved_gateways",),
        True,
    )
    assert ref.describe("gateway") == "a gateway that cannot be verified, a reference resolved at run time"
    dyn = judge(_eff("$(cat url)", ValueKind.DYNAMIC), [], "p")
    assert dyn.shown_as == "a computed value"
    not_url = judge(_eff("user:secret@host:1"), [], "p")
    assert not_url.shown_as == "a value that is not a URL"
    assert "secret" not in " ".join(not_url.problems)
    non_string = judge(_eff(1, ValueKind.NON_STRING), [], "p")
    assert (non_string.shown_as, non_string.unverifiable) == ("a value that is not a URL", True)
