"""Judge an endpoint URL (an OTLP collector, a gateway base URL) against an approved host list.

Shared by CCP202 and CCP307. The rules, chosen so that no reading can hide a leak:
- Only a literal value can be checked; a reference or a computed value "cannot be verified".
- A value that is not a URL with a host cannot be approved.
- Hosts are approved only when listed; `*.example.com` approves every subdomain and the apex.
  Loopback hosts (localhost, 127.0.0.0/8, ::1) are not approved by default either: a local
  collector or proxy forwards the data somewhere ccpolicy cannot see.
- TLS is required (`https`), except towards a loopback host, where nothing crosses the network.
- Messages show only `scheme://host:port`, never a path, query or user info (which can hold tokens).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from scanner.contexts.model import Effective
from scanner.model import ValueKind
from scanner.records import NamedTuple


class Endpoint(NamedTuple):
    scheme: str  # lower-case
    host: str  # lower-case, "" when there is none
    port: int | None

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = f":{self.port}" if self.port is not None else ""
        return f"{self.scheme}://{host}{port}"


class Verdict(NamedTuple):
    shown_as: str  # how the endpoint may appear in a message
    problems: tuple[str, ...]  # why it is not acceptable; empty when it is
    host_unapproved: bool = False
    unverifiable: bool = False  # a reference, a computed value or not a URL

    def describe(self, noun: str) -> str:
        """ "a collector that is not approved, https://x" and the like."""
        if self.unverifiable:
            return f"a {noun} that cannot be verified, {self.shown_as}"
        if self.host_unapproved:
            return f"a {noun} that is not approved, {self.shown_as}"
        return f"an approved {noun} without TLS, {self.shown_as}"


def parse_endpoint(text: str) -> Endpoint | None:
    """The scheme, host and port of a URL, or None when `text` has no host."""
    raw = text.strip()
    if not raw or any(ch.isspace() for ch in raw) or "://" not in raw:
        return None  # OTLP exporters and base URLs need scheme://host
    try:
        parts = urlsplit(raw)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    return Endpoint(parts.scheme.lower(), host.lower(), port)


def is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _pattern_host(pattern: object) -> str:
    """An approved-list entry as a host pattern: URLs and ports are reduced to the host."""
    text = str(pattern).strip().lower()
    if text.startswith("*."):
        return text
    parsed = parse_endpoint(text)
    return parsed.host if parsed is not None else text


def host_approved(host: str, approved: Iterable[object]) -> bool:
    host = host.lower().rstrip(".")
    for entry in approved:
        pattern = _pattern_host(entry)
        if pattern.startswith("*."):
            apex = pattern[2:]
            if host == apex or host.endswith("." + apex):
                return True
        elif host == pattern:
            return True
    return False


def judge(
    eff: Effective,
    approved: list[str],
    param: str,
    *,
    always_approved: Iterable[str] = (),
    plaintext_consequence: str = "the data crosses the network unencrypted",
) -> Verdict:
    """Why the endpoint in `eff` is not acceptable under `approved` (the list named `param`)."""
    none_listed = " (the policy lists none)" if not approved else ""
    if eff.value_kind in (ValueKind.REFERENCE, ValueKind.DYNAMIC):
        how = (
            "a reference resolved at run time"
            if eff.value_kind is ValueKind.REFERENCE
            else "a computed value"
        )
        return Verdict(how, (f"its host cannot be checked against {param}{none_listed}",), True, True)
    endpoint = parse_endpoint(eff.value) if isinstance(eff.value, str) else None
    if endpoint is None:
        return Verdict(
            "a value that is not a URL",
            (f"it is not a scheme://host URL, so it cannot be checked against {param}{none_listed}",),
            True,
            True,
        )
    problems: list[str] = []
    unapproved = not host_approved(endpoint.host, [*always_approved, *approved])
    if unapproved:
        problems.append(f"its host {endpoint.host} is not in {param}{none_listed}")
    if endpoint.scheme != "https" and not is_loopback(endpoint.host):
        if endpoint.scheme == "http":
            problems.append(f"it uses plain http://, so {plaintext_consequence}")
        else:
            problems.append(f"its scheme {endpoint.scheme}:// is not https://, so TLS cannot be confirmed")
    return Verdict(endpoint.origin, tuple(problems), unapproved)
