"""Shell commands found in settings (helpers, hooks, status lines): shown redacted, judged, never run.

`shown_command` is what a message may quote: every credential-looking part replaced (known key
formats, `NAME=value` for secret-looking names, `Authorization:` header values, `--token x`
options, what `echo`/`printf` print, long opaque tokens), then shortened.

`outside_repository` says why a command reaches outside the repository, or None: a network client
(`curl`, `wget`, `nc`, ...), a URL, or a program or script at an absolute path or in the user's
home directory. `$CLAUDE_PROJECT_DIR/...` and relative paths are inside the repository.
"""

from __future__ import annotations

import functools
import re
import shlex
from urllib.parse import urlsplit

from scanner import regexcache
from scanner.redact import MARKER, scrub

_SECRET_ASSIGNMENT = regexcache.compile(
    r"\b([A-Za-z_][A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|AUTH)[A-Za-z0-9_]*)="
    r"(\"[^\"]*\"|'[^']*'|[^\s;|&]+)",
    re.I,
)
_SECRET_HEADER = regexcache.compile(
    r"((?:authorization|proxy-authorization|x-api-key|api-key|x-auth-token|cookie)\s*:\s*"
    r"(?:bearer\s+|basic\s+|token\s+)?)([^\s\"']+)",
    re.I,
)
_SECRET_OPTION = regexcache.compile(
    r"(--?(?:token|password|passwd|pass|api[-_]?key|secret|auth|key)(?:=|\s+))(\"[^\"]*\"|'[^']*'|[^\s;|&]+)",
    re.I,
)
_PRINTED = regexcache.compile(r"\b(echo|printf)(\s+(?:-[neE]+\s+)?)(\"[^\"]*\"|'[^']*'|[^\s;|&>]+)")
_OPAQUE = regexcache.compile(r"(?<![\w/.\-])[A-Za-z0-9_\-+=]{32,}(?![\w/.])")
_URL = regexcache.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s\"'`<>|;]+", re.I)
_SPLIT_COMMANDS = regexcache.compile(r"\s*(?:&&|\|\||;|\||&|\n)\s*")
_ASSIGNMENT = regexcache.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")

NETWORK_CLIENTS = frozenset(
    {
        "curl",
        "wget",
        "nc",
        "ncat",
        "netcat",
        "socat",
        "telnet",
        "ssh",
        "scp",
        "sftp",
        "rsync",
        "invoke-webrequest",
        "invoke-restmethod",
        "iwr",
        "irm",
    }
)
# Words that start a command but run what follows them: look past them for the program.
_WRAPPERS = frozenset(
    {
        "bash",
        "sh",
        "zsh",
        "dash",
        "ksh",
        "fish",
        "env",
        "exec",
        "nohup",
        "command",
        "sudo",
        "time",
        "python",
        "python3",
        "node",
        "deno",
        "bun",
        "ruby",
        "perl",
        "pwsh",
        "powershell",
        "osascript",
        "uv",
        "run",
        "source",
        ".",
    }
)
_HOME_PREFIXES = ("~", "$HOME", "${HOME}", "%USERPROFILE%", "$env:USERPROFILE", "%APPDATA%", "$env:APPDATA")
_PROJECT_PREFIXES = (
    "$CLAUDE_PROJECT_DIR",
    "${CLAUDE_PROJECT_DIR}",
    "%CLAUDE_PROJECT_DIR%",
    "$env:CLAUDE_PROJECT_DIR",
)
_WINDOWS_ABSOLUTE = regexcache.compile(r"^[A-Za-z]:[\\/]")


def shown_command(command: str, *, limit: int = 100) -> str:
    """The command as a message may quote it: secrets replaced, at most `limit` characters."""
    text = scrub(command)
    text = _SECRET_ASSIGNMENT.sub(lambda m: _keep_reference(m, 2, f"{m.group(1)}={MARKER}"), text)
    text = _SECRET_HEADER.sub(lambda m: m.group(1) + MARKER, text)
    text = _SECRET_OPTION.sub(lambda m: _keep_reference(m, 2, m.group(1) + MARKER), text)
    text = _PRINTED.sub(lambda m: _keep_reference(m, 3, m.group(1) + m.group(2) + MARKER), text)
    text = _OPAQUE.sub(lambda m: MARKER if _mixed(m.group(0)) else m.group(0), text)
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _keep_reference(m: re.Match[str], value_group: int, redacted: str) -> str:
    """A `$VAR` reference names where a secret comes from, not the secret: keep it."""
    value = m.group(value_group).strip("\"'")
    # A header name (`echo Authorization: ...`) is not a secret; its value is redacted separately.
    return m.group(0) if value.startswith("$") or value.endswith(":") or value == MARKER else redacted


def _mixed(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def url_shown(url: str) -> str:
    """scheme://host/path of a URL: no credentials, no query string or fragment."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return scrub(url)[:80]
    if not parts.scheme or not host:
        return scrub(url.split("?", 1)[0])[:80]
    shown = f"{parts.scheme}://{host}{port}{parts.path}"
    return shown if len(shown) <= 100 else shown[:99] + "…"


def url_host(url: str) -> str:
    """The host of a URL (or of `host:port` without a scheme), lower-cased; "" when there is none."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        return (urlsplit(text).hostname or "").lower()
    except ValueError:
        return ""


def _tokens(simple_command: str) -> list[str]:
    # POSIX splitting eats the backslashes of Windows paths; keep them (and strip the quotes by hand).
    posix = "\\" not in simple_command
    try:
        tokens = shlex.split(simple_command, posix=posix)
    except ValueError:  # unbalanced quotes: a rough split is enough to find the program
        tokens = simple_command.split()
    return tokens if posix else [t.strip("\"'") for t in tokens]


def _program(tokens: list[str]) -> str | None:
    """The program or script a simple command runs, looking past assignments and wrappers."""
    for token in tokens:
        if _ASSIGNMENT.match(token) or token.startswith("-"):
            continue
        base = re.split(r"[\\/]", token)[-1].lower()
        if base in _WRAPPERS:
            continue
        return token
    return None


def _is_home(token: str) -> bool:
    return token.startswith(_HOME_PREFIXES)


def _is_absolute(token: str) -> bool:
    if token.startswith(_PROJECT_PREFIXES):
        return False
    return token.startswith("/") or token.startswith("\\\\") or bool(_WINDOWS_ABSOLUTE.match(token))


def _where(url: str) -> str:
    return url_host(url) or url_shown(url)


@functools.lru_cache(maxsize=1024)
def outside_repository(command: str) -> str | None:
    """Why this command reaches outside the repository (a phrase for a message), or None.
    Remembered: the same hook command is often in many settings files."""
    url = _URL.search(command)
    for simple in _SPLIT_COMMANDS.split(command):
        tokens = _tokens(simple)
        if not tokens:
            continue
        words = [re.split(r"[\\/]", t)[-1].lower() for t in tokens if not _ASSIGNMENT.match(t)]
        client = next((w for w in words if w in NETWORK_CLIENTS), None)
        if client is not None:
            if url is not None:
                return f"which sends data to {_where(url.group(0))} with {client}"
            return f"which runs {client}, a network client"
    if url is not None:
        return f"which contacts {_where(url.group(0))}"
    for simple in _SPLIT_COMMANDS.split(command):
        program = _program(_tokens(simple))
        if program is None:
            continue
        if _is_home(program):
            return "a program in the user's home directory, outside the repository"
        if _is_absolute(program) and not program.startswith("/dev/"):
            return "a program outside the repository (an absolute path)"
    return None
