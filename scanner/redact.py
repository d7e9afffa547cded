"""Never leak what we find: every value shown to a user goes through `shown()`.

A value is treated as secret when its variable is a known credential, when its name looks
like one (KEY, TOKEN, SECRET, PASSWORD, ...), or when it matches a known credential format.
Secret values are replaced by a fixed marker that keeps only the public prefix of a known
format (for example `sk-ant-api03-`), never any character of the secret part.
"""

from __future__ import annotations

import re

from scanner import regexcache
from scanner.knowledge import KnowledgeBase

MARKER = "[REDACTED]"
_SECRET_NAME = regexcache.compile(
    r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH|COOKIE|SESSION)", re.I
)
_KNOWN_PREFIXES = regexcache.compile(
    r"^(sk-ant-(?:api|oat|admin|sid)\d\d-|sk-ant-|AKIA|ASIA|ABSK|ghp_|gho_|ghs_|github_pat_|xox[abp]-|AIza)"
)
_SECRET_VALUE = regexcache.compile(
    r"sk-ant-[A-Za-z0-9_\-]{8,}|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|ABSK[A-Za-z0-9+/=]{20,}|gh[pousr]_[A-Za-z0-9]{20,}"
)


def is_secret_name(name: str, kb: KnowledgeBase | None = None) -> bool:
    if kb is not None:
        var = kb.variable(name)
        if var is not None:
            return var.secret
    return bool(_SECRET_NAME.search(name))


def mask(value: str) -> str:
    m = _KNOWN_PREFIXES.match(value)
    return f"{m.group(1)}…{MARKER}" if m else MARKER


def shown(name: str, value: object, kb: KnowledgeBase | None = None, *, limit: int = 80) -> str:
    """A value as it may appear in a message: quoted, redacted when secret, shortened."""
    if value is None:
        return "(unset)"
    if not isinstance(value, str):
        import json

        text = json.dumps(value, sort_keys=True)
    else:
        text = value
    if is_secret_name(name, kb) and text:
        return mask(text)
    if len(text) > limit * 4:  # scrub() looks at every character: bound the work, keep enough context
        text = text[: limit * 4]
    text = scrub(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"' if isinstance(value, str) else text


_URL_USERINFO = regexcache.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>[^/@\s:]+:[^/@\s]+)@")
_PEM = regexcache.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", re.S)


def scrub(text: str) -> str:
    """Replace every credential-looking substring of free text (snippets, commands, errors, URLs)."""
    text = _PEM.sub("-----BEGIN PRIVATE KEY-----" + MARKER, text)
    text = _URL_USERINFO.sub(lambda m: f"{m.group('scheme')}{MARKER}@", text)
    return _SECRET_VALUE.sub(lambda m: mask(m.group(0)), text)
