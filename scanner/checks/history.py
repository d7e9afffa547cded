"""CCP403 and CCP110: what a repository's history shows, judged from evidence a history scan gathers.

A history scan (scanner.history_scan) reads the history once and hands these checks a
CheckInput whose `history` is HistoryEvidence: every secret at its first appearance, every
protection a commit turned off. In any other scan the input carries no history, and both
checks report nothing.

The judging itself lives here too, as plain functions over parsed files, so that the history
scan only keeps the books:
- `secrets_in(parsed)`: the Anthropic and cloud credentials CCP401/CCP402 would report, as
  hits that carry a digest of the secret (kept in memory to recognise the same secret in other
  commits; it is never shown and never fingerprinted).
- `turned_off(old, new, kb)`: the protections one file had before a commit and lost in it.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterator, Mapping

from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding
from scanner.checks.cloud_credentials import (
    AWS_KEY_ID,
    AWS_SECRET,
    BEDROCK_API_KEY,
    CLOUD_CREDENTIAL_VARIABLES,
    PAIR_WINDOW,
    _looks_like_aws_secret,
)
from scanner.checks.credentials import ANTHROPIC_CREDENTIAL_VARIABLES, KEY_FORMAT, is_placeholder, kind_of
from scanner.digest import sha256
from scanner.knowledge import PROTECTS, KnowledgeBase
from scanner.model import (
    FileKind,
    Finding,
    JSONValue,
    Location,
    Observation,
    ObservationKind,
    ParsedFile,
    ValueKind,
)
from scanner.records import NamedTuple
from scanner.redact import shown
from scanner.semantics import assume_on, reading

# ------------------------------------------------------------------------------------------
# Evidence: what the history scan hands the checks
# ------------------------------------------------------------------------------------------

SHORT_SHA = 12


def _printable(text: str) -> str:
    # Author names come from the scanned repository: no control characters reach a terminal.
    return "".join(ch if ch.isprintable() else "?" for ch in text)


class CommitInfo(NamedTuple):
    sha: str
    author_name: str
    author_email: str
    author_date: str  # strict ISO 8601, as git gives it

    @property
    def short(self) -> str:
        return self.sha[:SHORT_SHA]

    def described(self) -> str:
        """'<short sha> by Name <email> on <date>', for messages."""
        author = _printable(self.author_name)
        if self.author_email:
            author += f" <{_printable(self.author_email)}>"
        return f"{self.short} by {author} on {_printable(self.author_date)}"


class SecretHit(NamedTuple):
    """A credential in one version of one file."""

    location: Location
    what: str  # "an Anthropic API key"
    variable: str | None = None  # the credential variable it is assigned to, if any
    pair: bool = False  # an AWS access key id with its secret access key
    # SHA-256 of the secret: recognises it again in other commits and files. In memory only.
    digest: bytes = b""

    def __repr__(self) -> str:  # the digest identifies the secret: never printed
        return f"SecretHit(location={self.location!r}, what={self.what!r}, variable={self.variable!r}, pair={self.pair!r})"


class Presence(str, enum.Enum):
    """Where a secret is now, which decides what the finding asks for."""

    IN_WORKING_TREE = "in-working-tree"
    REMOVED = "removed"  # a commit removed it from every file that held it
    GONE = "gone"  # not in the working tree, and no commit seen removing it (another branch)
    UNKNOWN = "unknown"  # no working tree to look at (a bare repository)


class SecretEvidence(NamedTuple):
    hit: SecretHit  # its first appearance
    first: CommitInfo
    occurrence: int  # 1-based, among the secrets first seen in this commit and file
    presence: Presence
    removed_in: CommitInfo | None = None
    still_in: tuple[str, ...] = ()  # working-tree files that hold it now, sorted


class ProtectionChange(NamedTuple):
    """One protection one file lost in one commit."""

    key: str  # the variable (canonical name) or settings key
    location: Location
    change: str  # what happened, in words ("DISABLE_TELEMETRY was removed")
    protected: str = ""  # what the protection did, in words ("" when nothing short to say)


class ProtectionEvidence(NamedTuple):
    commit: CommitInfo
    change: ProtectionChange


class HistoryEvidence(NamedTuple):
    secrets: tuple[SecretEvidence, ...] = ()
    protections: tuple[ProtectionEvidence, ...] = ()


# ------------------------------------------------------------------------------------------
# CCP403: credentials ever committed
# ------------------------------------------------------------------------------------------

_CREDENTIAL_VARIABLES: Mapping[str, str] = {**ANTHROPIC_CREDENTIAL_VARIABLES, **CLOUD_CREDENTIAL_VARIABLES}
_CREDENTIAL_MARKERS = regexcache.compile(
    "|".join(["sk-ant-", "AKIA", "ASIA", "ABSK", *sorted(map(re.escape, _CREDENTIAL_VARIABLES))])
)


def may_hold_secret(text: str) -> bool:
    """A cheap test before parsing: can `secrets_in` find anything in this text?"""
    return _CREDENTIAL_MARKERS.search(text) is not None


def secret_digest(value: str) -> bytes:
    return sha256(value.encode("utf-8", "surrogatepass")).digest()


def secrets_in(parsed: ParsedFile) -> list[SecretHit]:
    """Every credential in the file, as CCP401 and CCP402 recognise them, by line and column."""
    hits: list[SecretHit] = []
    taken: set[int] = set()  # lines already reported through a variable
    for obs in parsed.observations:
        what = _CREDENTIAL_VARIABLES.get(obs.name)
        if obs.kind is not ObservationKind.ENV or what is None:
            continue
        if obs.value_kind is not ValueKind.LITERAL or not isinstance(obs.value, str):
            continue
        if is_placeholder(obs.value):
            continue
        taken.add(obs.location.line)
        hits.append(SecretHit(obs.location, what, variable=obs.name, digest=secret_digest(obs.value)))
    text = parsed.text or ""
    if may_hold_secret(text):
        hits.extend(_formats_in_text(parsed.path, text, taken))
    return sorted(hits, key=lambda hit: (hit.location.line, hit.location.column))


def _formats_in_text(path: str, text: str, taken: set[int]) -> Iterator[SecretHit]:
    lines = text.splitlines()
    key_id_lines = [n for n, line in enumerate(lines, start=1) if AWS_KEY_ID.search(line)]
    for lineno, line in enumerate(lines, start=1):
        if lineno in taken:
            continue
        hit = _format_on_line(path, lineno, line, key_id_lines)
        if hit is not None:
            taken.add(lineno)
            yield hit


def _format_on_line(path: str, lineno: int, line: str, key_id_lines: list[int]) -> SecretHit | None:
    def at(match: re.Match[str], what: str, *, pair: bool = False) -> SecretHit:
        location = Location(path, lineno, match.start() + 1, lineno, match.end() + 1)
        return SecretHit(location, what, pair=pair, digest=secret_digest(match.group(0)))

    if "sk-ant-" in line:
        for m in KEY_FORMAT.finditer(line):
            if not is_placeholder(m.group(0)):
                return at(m, kind_of(m.group(0)))
    for m in BEDROCK_API_KEY.finditer(line):
        if not is_placeholder(m.group(0)):
            return at(m, "an Amazon Bedrock API key")
    if any(abs(lineno - k) <= PAIR_WINDOW for k in key_id_lines):
        for m in AWS_SECRET.finditer(line):
            if _looks_like_aws_secret(m.group(0)) and not AWS_KEY_ID.fullmatch(m.group(0)):
                return at(m, "an AWS secret access key", pair=True)
    return None


_ROTATE = "it remains in history, where anyone with a clone can read it: rotate it."
_ENDINGS = {
    Presence.GONE: f"it is no longer in the working tree, but {_ROTATE}",
    Presence.UNKNOWN: _ROTATE,
}
_LISTED_PATHS = 3


def _paths(paths: tuple[str, ...]) -> str:
    shown_paths = ", ".join(paths[:_LISTED_PATHS])
    more = len(paths) - _LISTED_PATHS
    return f"{shown_paths} and {more} more" if more > 0 else shown_paths


def credential_message(evidence: SecretEvidence) -> str:
    hit = evidence.hit
    first = evidence.first.described()
    if hit.variable is not None:
        subject = (
            f"{hit.variable} was assigned a literal value that looks like {hit.what} (value redacted), "
            f"first committed in {first}"
        )
    elif hit.pair:
        subject = (
            "An AWS secret access key, next to its access key id (values redacted), was first committed "
            f"in {first}"
        )
    else:
        subject = f"{hit.what[0].upper()}{hit.what[1:]} (value redacted) was first committed in {first}"
    if evidence.presence is Presence.IN_WORKING_TREE:
        where = f" ({_paths(evidence.still_in)})" if evidence.still_in else ""
        ending = (
            f"it is still in the working tree{where}: rotate it, remove it and load it from a secret "
            "store instead."
        )
    elif evidence.presence is Presence.REMOVED and evidence.removed_in is not None:
        ending = f"it was removed in {evidence.removed_in.short}, but {_ROTATE}"
    else:
        ending = _ENDINGS.get(evidence.presence, _ROTATE)
    return f"{subject}; {ending}"


def literal_credential_in_history(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP403: one finding per secret, at its first appearance."""
    history = scan.history
    if history is None:
        return
    for evidence in history.secrets:
        yield finding(
            rule,
            credential_message(evidence),
            evidence.hit.location,
            context=f"history:{evidence.first.sha}",
            # Never the secret or its digest: which secret of this commit and file it is.
            key=f"secret-{evidence.occurrence}",
        )


# ------------------------------------------------------------------------------------------
# CCP110: protections a commit turned off
# ------------------------------------------------------------------------------------------

SETTINGS_KINDS = frozenset(
    {
        FileKind.SETTINGS_USER,
        FileKind.SETTINGS_PROJECT,
        FileKind.SETTINGS_LOCAL,
        FileKind.SETTINGS_MANAGED,
        FileKind.SETTINGS_MANAGED_DROPIN,
        FileKind.SETTINGS_REMOTE,
    }
)
MANAGED_KINDS = frozenset({FileKind.SETTINGS_MANAGED, FileKind.SETTINGS_MANAGED_DROPIN})
SKIP_WEBFETCH_PREFLIGHT = "skipWebFetchPreflight"
CLEANUP_PERIOD_DAYS = "cleanupPeriodDays"
DISABLE_BYPASS = "permissions.disableBypassPermissionsMode"
_BYPASS_LEAF = "disableBypassPermissionsMode"
FORCE_LOGIN_ORG = "forceLoginOrgUUID"
DEFAULT_CLEANUP_DAYS = 30
_SETTING_PROTECTS = {
    SKIP_WEBFETCH_PREFLIGHT: "it stopped sending each WebFetch hostname to Anthropic",
    CLEANUP_PERIOD_DAYS: "local transcripts are now kept longer",
    DISABLE_BYPASS: "it forbade bypassPermissions mode and --dangerously-skip-permissions",
    FORCE_LOGIN_ORG: "it pinned logins to the organisation",
}
_CONTROL_WORDS = {
    "telemetry": "usage metrics",
    "error_reporting": "error reporting",
    "feedback": "/feedback uploads",
    "nonessential": "non-essential traffic",
    "survey": "the session quality survey",
    "webfetch_preflight": "the WebFetch domain check",
    "growthbook": "feature-flag fetching",
    "auto_updates": "auto-updates",
    "marketplace_autoinstall": "official marketplace auto-install",
}


_watched_cache: list[tuple[KnowledgeBase, re.Pattern[str]]] = []


def _watched(kb: KnowledgeBase) -> re.Pattern[str]:
    """Every name that can switch a protection on, as one pattern (built once per knowledge base)."""
    for known, pattern in _watched_cache:
        if known is kb:
            return pattern
    names = [name for name in kb.variables if _protecting(kb, name)]
    keys = [SKIP_WEBFETCH_PREFLIGHT, CLEANUP_PERIOD_DAYS, _BYPASS_LEAF, FORCE_LOGIN_ORG]
    pattern = regexcache.compile("|".join(re.escape(word) for word in sorted([*names, *keys])))
    _watched_cache[:] = [(kb, pattern)]  # the knowledge base is loaded once: one entry is enough
    return pattern


def may_hold_protection(text: str, kb: KnowledgeBase) -> bool:
    """A cheap test before parsing: could this text switch a protection on?"""
    return _watched(kb).search(text) is not None


def _protecting(kb: KnowledgeBase, name: str) -> bool:
    var = kb.variable(kb.canonical(name))
    return var is not None and var.effect == PROTECTS


class Guard(NamedTuple):
    """A protection that is on in one file: which key, and the observation that sets it."""

    key: str  # canonical variable name or settings key
    observation: Observation


def _rejected(parsed: ParsedFile) -> bool:
    """A settings file Claude Code refuses as a whole: nothing in it applies."""
    return parsed.kind in SETTINGS_KINDS and bool(parsed.facts.get("strict_errors"))


def _env_on(obs: Observation, kb: KnowledgeBase) -> bool:
    var = kb.variable(kb.canonical(obs.name))
    return assume_on(var, reading(var, obs.value, obs.value_kind, True))


def _latest_env(parsed: ParsedFile, kb: KnowledgeBase) -> dict[tuple[str, tuple[str, ...]], Observation]:
    """The last assignment (or unset) of each protecting variable, per place in the file.

    Within a place (a script, a job's env) a later line overrides an earlier one; different
    places (two jobs of a workflow) each keep their own.
    """
    latest: dict[tuple[str, tuple[str, ...]], Observation] = {}
    ordered = sorted(parsed.observations, key=lambda o: (o.location.line, o.location.column))
    for obs in ordered:
        if obs.kind in (ObservationKind.ENV, ObservationKind.UNSET) and _protecting(kb, obs.name):
            latest[(kb.canonical(obs.name), obs.group)] = obs
    return latest


def _latest_settings(parsed: ParsedFile) -> dict[str, Observation]:
    if parsed.kind not in SETTINGS_KINDS:
        return {}
    return {
        obs.name: obs
        for obs in parsed.observations
        if obs.kind is ObservationKind.SETTING and obs.name in _SETTING_PROTECTS
    }


def _days(value: JSONValue) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


def _setting_on(obs: Observation, kind: FileKind) -> bool:
    value = obs.value
    if obs.name == SKIP_WEBFETCH_PREFLIGHT:
        return value is True
    if obs.name == CLEANUP_PERIOD_DAYS:
        return _days(value) is not None
    if obs.name == DISABLE_BYPASS:
        return value == "disable"
    if obs.name == FORCE_LOGIN_ORG:
        return kind in MANAGED_KINDS and bool(value)
    return False


def protections_on(parsed: ParsedFile, kb: KnowledgeBase) -> dict[str, Guard]:
    """The protections this file switches on, by key (a retention limit counts as one)."""
    if not parsed.in_effect or parsed.kind is FileKind.SETTINGS_INERT or _rejected(parsed):
        return {}
    on: dict[str, Guard] = {}
    for (key, _group), obs in _latest_env(parsed, kb).items():
        if obs.kind is ObservationKind.ENV and _env_on(obs, kb) and key not in on:
            on[key] = Guard(key, obs)
    for key, obs in _latest_settings(parsed).items():
        if _setting_on(obs, parsed.kind):
            on[key] = Guard(key, obs)
    return on


def _protected_env(key: str, kb: KnowledgeBase) -> str:
    var = kb.variable(key)
    if var is None or not var.controls:
        return ""
    words = [_CONTROL_WORDS.get(name, name.replace("_", " ")) for name in var.controls]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"it switched off {listed}"


def _json(value: JSONValue) -> str:
    return json.dumps(value, sort_keys=True)


def _cleanup_change(was: Guard, new: ParsedFile | None, why_gone: str | None) -> ProtectionChange | None:
    old_days = _days(was.observation.value)
    if old_days is None:
        return None
    now = None if new is None or why_gone else _latest_settings(new).get(CLEANUP_PERIOD_DAYS)
    if now is None:
        if old_days >= DEFAULT_CLEANUP_DAYS:
            return None
        how = why_gone or f"{CLEANUP_PERIOD_DAYS} was removed"
        change = f"{how}, so the default of {DEFAULT_CLEANUP_DAYS} days applies instead of {_json(old_days)}"
        return ProtectionChange(CLEANUP_PERIOD_DAYS, was.observation.location, change, "")
    new_days = _days(now.value)
    if new_days is None or new_days <= old_days:
        return None
    change = f"{CLEANUP_PERIOD_DAYS} was raised from {_json(old_days)} to {_json(new_days)} days"
    return ProtectionChange(CLEANUP_PERIOD_DAYS, now.location, change, _SETTING_PROTECTS[CLEANUP_PERIOD_DAYS])


def _why_gone(new: ParsedFile | None) -> str | None:
    if new is None:
        return "the file was deleted"
    if _rejected(new):
        return "the file became invalid (Claude Code rejects it as a whole)"
    return None


def _env_change(
    was: Guard, new: ParsedFile | None, kb: KnowledgeBase, why_gone: str | None
) -> ProtectionChange | None:
    old_obs = was.observation
    protected = _protected_env(was.key, kb)
    if why_gone is not None:
        return ProtectionChange(
            was.key, old_obs.location, f"{why_gone}, and {old_obs.name} with it", protected
        )
    assert new is not None  # _why_gone names every case without a new version
    now = [obs for (key, _group), obs in _latest_env(new, kb).items() if key == was.key]
    if not now:
        return ProtectionChange(was.key, old_obs.location, f"{old_obs.name} was removed", protected)
    if any(
        obs.kind is ObservationKind.ENV and obs.value_kind in (ValueKind.REFERENCE, ValueKind.DYNAMIC)
        for obs in now
    ):
        return None  # moved out of sight (a CI secret, a computed value), not turned off
    obs = now[0]
    if obs.kind is ObservationKind.UNSET:
        return ProtectionChange(was.key, obs.location, f"{obs.name} is now unset", protected)
    var = kb.variable(was.key)
    note = reading(var, obs.value, obs.value_kind, True).note
    change = f"{obs.name} was changed from {shown(old_obs.name, old_obs.value, kb)} to {shown(obs.name, obs.value, kb)}"
    if note:
        change += f" ({note})"
    return ProtectionChange(was.key, obs.location, change, protected)


def _setting_change(was: Guard, new: ParsedFile | None, why_gone: str | None) -> ProtectionChange | None:
    old_obs = was.observation
    protected = _SETTING_PROTECTS[was.key]
    if why_gone is not None:
        return ProtectionChange(was.key, old_obs.location, f"{why_gone}, and {was.key} with it", protected)
    assert new is not None
    now = _latest_settings(new).get(was.key)
    if now is None:
        where = " from this managed settings file" if was.key == FORCE_LOGIN_ORG else ""
        return ProtectionChange(was.key, old_obs.location, f"{was.key} was removed{where}", protected)
    if was.key == FORCE_LOGIN_ORG:
        return None  # another organisation is CCP302's question, not a protection turned off
    change = f"{was.key} was changed from {_json(old_obs.value)} to {_json(now.value)}"
    return ProtectionChange(was.key, now.location, change, protected)


def turned_off(
    old: ParsedFile,
    new: ParsedFile | None,
    kb: KnowledgeBase,
    *,
    before: Mapping[str, Guard] | None = None,
    after: Mapping[str, Guard] | None = None,
) -> list[ProtectionChange]:
    """The protections `old` switched on that `new` (None: the file was deleted) does not.

    A value moved to a reference (`${VAR}`, `${{ secrets.X }}`) counts as kept: the scanner
    cannot see it, and it was not turned off in this file. `before` and `after` are
    protections_on(old) and protections_on(new) when the caller has them already.
    """
    if before is None:
        before = protections_on(old, kb)
    if not before:
        return []
    if after is None:
        after = protections_on(new, kb) if new is not None else {}
    why_gone = _why_gone(new)
    changes: list[ProtectionChange] = []
    for key, was in sorted(before.items(), key=lambda item: (item[1].observation.location, item[0])):
        if key == CLEANUP_PERIOD_DAYS:
            found = _cleanup_change(was, new, why_gone)
        elif key in after:
            continue
        elif was.observation.kind is ObservationKind.SETTING:
            found = _setting_change(was, new, why_gone)
        else:
            found = _env_change(was, new, kb, why_gone)
        if found is not None:
            changes.append(found)
    return changes


_MAX_OPENERS = 100  # below the settings parser's nesting limit, so json.loads judges the same


class _Duplicate(ValueError):
    pass


def _strict_object(pairs: list[tuple[str, object]]) -> dict[str, object]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise _Duplicate  # Claude Code rejects a settings file with a duplicate key
    return found


def _reject_constant(name: str) -> object:
    raise ValueError(name)  # NaN and Infinity are not JSON


def settings_projection(text: str, kb: KnowledgeBase) -> str | None:
    """Everything `protections_on` reads from a valid settings file, as a string, or None.

    Two versions with the same projection switch the same protections on, so a history scan
    can compare them without parsing them with locations. None when the C JSON parser cannot
    stand in for the settings parser: invalid or non-strict JSON (comments, trailing commas,
    duplicate keys, NaN), a document that is not an object, or deep nesting.
    """
    if text.count("{") + text.count("[") > _MAX_OPENERS:
        return None
    try:
        document = json.loads(text, object_pairs_hook=_strict_object, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    env = document.get("env")
    permissions = document.get("permissions")
    permissions = permissions if isinstance(permissions, dict) else {}
    keys = (SKIP_WEBFETCH_PREFLIGHT, CLEANUP_PERIOD_DAYS, FORCE_LOGIN_ORG)
    projection = {
        # Document order matters: a later alias overrides an earlier one.
        "env": [[k, v] for k, v in env.items() if _protecting(kb, k)] if isinstance(env, dict) else [],
        # [value] when present, [] when absent: no JSON value can pass for a missing key.
        "keys": [[document[key]] if key in document else [] for key in keys],
        "bypass": [permissions[_BYPASS_LEAF]] if _BYPASS_LEAF in permissions else [],
    }
    return json.dumps(projection)


# Anchors and aliases (`&env`, `*env`, `<<: *env`) let a line that names nothing carry a protection.
_YAML_ANCHOR_OR_ALIAS = regexcache.compile(r"(?:^|[\s\[{,])[&*][A-Za-z_]", re.MULTILINE)
YAML_KINDS = frozenset({FileKind.WORKFLOW, FileKind.COMPOSE})


def yaml_projection(text: str, kb: KnowledgeBase) -> str | None:
    """The lines of a workflow or compose file that can switch a protection on, or None.

    Each line naming a protecting variable, with the chain of lines above it that it belongs
    to (each nearest line with less indentation: its `env:`, its job, `jobs:`). Two versions
    with the same projection set the same protections in the same places. None when anchors or
    aliases could carry a protection into a line that names none. A version that no longer
    parses as YAML is not told apart: GitHub Actions and compose refuse to run such a file, so
    no protection is lost with it.
    """
    if _YAML_ANCHOR_OR_ALIAS.search(text):
        return None
    pattern = _watched(kb)
    chain: list[tuple[int, str]] = []
    found: list[str] = []
    for line in text.split("\n"):
        content = line.lstrip(" ")
        if not content.strip() or content.startswith("#"):
            continue
        indent = len(line) - len(content)
        while chain and chain[-1][0] >= indent:
            chain.pop()
        if pattern.search(line):
            found.append("\x1f".join([*(above for _, above in chain), line]))
        chain.append((indent, line))
    return "\n".join(found)


def protection_projection(kind: FileKind, text: str, kb: KnowledgeBase) -> str | None:
    """A cheap stand-in for protections_on: equal projections, equal protections. None when
    there is none for this kind of file or this text (parse it instead)."""
    if kind in SETTINGS_KINDS:
        return settings_projection(text, kb)
    if kind in YAML_KINDS:
        return yaml_projection(text, kb)
    return None


SHELL_KINDS = frozenset({FileKind.SHELL, FileKind.ENVRC, FileKind.FISH, FileKind.CSH})
_QUOTES = ("'", '"')
_SHELL_HAZARDS = ("'", '"', "`", "\\")


def _watched_lines(lines: list[str], kb: KnowledgeBase) -> list[str]:
    pattern = _watched(kb)
    return [line for line in lines if pattern.search(line)]


def _comment_or_blank(line: str) -> bool:
    content = line.strip()
    return not content or content.startswith("#")


def same_protections_by_lines(kind: FileKind, old_text: str, new_text: str, kb: KnowledgeBase) -> bool:
    """True when a change to a line-oriented file cannot have changed its protections.

    `.env`: every line stands alone when no quoted value spans lines (an even number of each
    quote on every line), so the same lines naming protecting variables, in the same order,
    set the same protections. Shell scripts and profiles: only comments and blank lines changed
    (the commands are the same sequence) and none of them holds a quote, backquote or
    backslash that could open or close a string or a here-document. Anything else: False
    (parse both versions).
    """
    old_lines, new_lines = old_text.splitlines(), new_text.splitlines()
    if kind is FileKind.DOTENV:
        for line in (*old_lines, *new_lines):
            if any(line.count(quote) % 2 for quote in _QUOTES):
                return False
        return _watched_lines(old_lines, kb) == _watched_lines(new_lines, kb)
    if kind in SHELL_KINDS:
        old_code = [line for line in old_lines if not _comment_or_blank(line)]
        new_code = [line for line in new_lines if not _comment_or_blank(line)]
        if old_code != new_code:
            return False
        changed = set(old_lines).symmetric_difference(new_lines)
        return not any(hazard in line for line in changed for hazard in _SHELL_HAZARDS)
    return False


def protection_message(evidence: ProtectionEvidence) -> str:
    change = evidence.change
    text = f"Commit {evidence.commit.described()} turned a protection off: {change.change}"
    if change.protected:
        text += f"; {change.protected}"
    return text + "."


def protection_removed_in_history(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    """CCP110: one finding per commit, file and protection turned off."""
    history = scan.history
    if history is None:
        return
    for evidence in history.protections:
        yield finding(
            rule,
            protection_message(evidence),
            evidence.change.location,
            context=f"history:{evidence.commit.sha}",
            key=evidence.change.key,
        )
