"""SARIF 2.1.0 for GitHub code scanning (reference/sarif-github.md).

The log is built from sarif-om classes and serialised by a small attrs walk rather than
jschema_to_python: `to_json` drops `level` when it equals the schema default ("warning"), which
silently turns a warning result of an error-level rule into an error (reference 2.1).
sarif-om 1.0.4 was generated from a pre-release schema whose `Suppression.state` is `status` in
the final one, so suppressions are written as plain dicts.

GitHub rejects a whole upload that exceeds one of its limits, so everything is capped here first
(`github_limits`) and each cut is reported as a toolExecutionNotification.
"""

from __future__ import annotations

import importlib
import json
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import scanner
from scanner import regexcache
from scanner.catalogue.model import Rule
from scanner.model import Finding, Location, Notification, Severity
from scanner.report import github_limits
from scanner.report.fingerprints import line_hashes, stable_fingerprint
from scanner.report.model import ScanResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "ccpolicy"
INFORMATION_URI = "https://github.com/ccpolicy/ccpolicy"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "ccpolicy/v1"
LINE_HASH_KEY = "primaryLocationLineHash"
TRUNCATED_DESCRIPTOR = "truncated"
ELLIPSIS = "…"

_LEVEL_BY_SEVERITY = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_PRECISIONS = frozenset({"very-high", "high", "medium", "low"})
_NOTIFICATION_LEVELS = frozenset({"none", "note", "warning", "error"})
_BASELINE_STATES = frozenset({"new", "unchanged", "updated", "absent"})
_SUPPRESSION_KINDS = frozenset({"inSource", "external"})
_ALWAYS_TAGS = ("security", "ccpolicy")
# Written even when equal to the schema default: see the module docstring.
_KEEP_EVEN_IF_DEFAULT = frozenset({"level"})
_LINE_BREAK = regexcache.compile(r"\r\n|\r|\n")
# Line hashing is pure Python (about 0.25 s per MB); configuration files are far smaller, and a
# file this large gets no primaryLocationLineHash rather than a slow report.
_MAX_HASHED_CHARS = 4_000_000
_REDACTION_MARGIN = 200
_DRIVE = regexcache.compile(r"^[A-Za-z]:/")
_UNKNOWN_ORIGIN = "unknown"  # placeholder metadata for a finding whose rule is not in the result


def severity_level(severity: Severity) -> str:
    """SARIF `level` for a ccpolicy severity: critical/high error, medium warning, else note."""
    return _LEVEL_BY_SEVERITY[severity]


def render_sarif(result: ScanResult, *, file_texts: Mapping[str, str]) -> str:
    """The whole SARIF log as text: deterministic, one run, `results` always present.

    `file_texts` maps a finding's path (as in `Location.path`) to the decoded file text; it is
    used for `primaryLocationLineHash` and snippets, and a missing file just goes without both.
    """
    om: Any = importlib.import_module("sarif_om")
    log = _LogBuilder(result, file_texts, om).build()
    body = _to_sarif_dict(log, importlib.import_module("attr"))
    ordered = {
        "$schema": body.pop("$schema"),
        "version": body.pop("version"),
        "runs": body.pop("runs"),
        **body,
    }
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------------------------
# Serialisation


def _attr_default(attr: Any, attribute: Any) -> object:
    default = attribute.default
    if isinstance(default, attr.Factory):
        return default.factory()
    return default


def _to_sarif_dict(obj: object, attr: Any) -> Any:
    """JSON-ready data: attrs fields under their schema names, unset and default values left out."""
    if attr.has(type(obj)):
        out: dict[str, Any] = {}
        for attribute in attr.fields(type(obj)):
            value = getattr(obj, attribute.name)
            if value is None:
                continue
            if attribute.name not in _KEEP_EVEN_IF_DEFAULT and value == _attr_default(attr, attribute):
                continue
            name = attribute.metadata.get("schema_property_name", attribute.name)
            out[name] = _to_sarif_dict(value, attr)
        return out
    if isinstance(obj, Mapping):
        return {str(key): _to_sarif_dict(value, attr) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_sarif_dict(value, attr) for value in obj]
    return obj


# --------------------------------------------------------------------------------------------
# Paths and URIs


def _posix(path: str) -> str:
    return path.replace("\\", "/")


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or bool(_DRIVE.match(path))


def _file_uri(absolute_posix: str) -> str:
    if _DRIVE.match(absolute_posix):
        return "file:///" + absolute_posix[:2] + quote(absolute_posix[2:], safe="/")
    return "file://" + quote(absolute_posix, safe="/")


def _root_uri(root: str) -> str:
    clean = posixpath.normpath(_posix(root))
    if clean.startswith("//"):
        clean = "/" + clean.lstrip("/")
    if re.fullmatch(r"[A-Za-z]:", clean):  # normpath turns "C:/" into "C:"
        clean += "/"
    uri = _file_uri(clean)
    return uri if uri.endswith("/") else uri + "/"


@dataclass(frozen=True)
class _Uri:
    uri: str
    relative: bool


def _artifact_uri(path: str, root: str) -> _Uri:
    """A repo-relative POSIX URI for files under the root, else an absolute `file://` URI."""
    posix = _posix(path)
    root_posix = posixpath.normpath(_posix(root)) if root else ""
    if _is_absolute(posix):
        absolute = posixpath.normpath(posix)
        if root_posix and absolute.startswith(root_posix.rstrip("/") + "/"):
            return _Uri(quote(absolute[len(root_posix.rstrip("/")) + 1 :], safe="/"), True)
        if absolute.startswith("//"):
            absolute = "/" + absolute.lstrip("/")
        return _Uri(_file_uri(absolute), False)
    relative = posixpath.normpath(posix) if posix else "."
    if (relative == ".." or relative.startswith("../")) and root_posix:
        return _artifact_uri(posixpath.join(root_posix, relative), root)
    return _Uri(quote(relative, safe="/"), True)


# --------------------------------------------------------------------------------------------
# Snippet redaction: snippets copy raw file text, so anything that may be a secret is masked.

REDACTED = "<redacted>"
_SECRET_SHAPES = (
    regexcache.compile(r"-----BEGIN[A-Z ]*PRIVATE KEY-----.*?(?:-----END[A-Z ]*PRIVATE KEY-----|$)"),
    regexcache.compile(r"\bsk-ant-[A-Za-z0-9_\-]{4,}"),
    regexcache.compile(r"\b(?:sk|rk)-[A-Za-z0-9_\-]{16,}"),
    regexcache.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}\b"),
    regexcache.compile(r"\bgh[pousr]_[A-Za-z0-9]{16,}"),
    regexcache.compile(r"\bgithub_pat_[A-Za-z0-9_]{16,}"),
    regexcache.compile(r"\bglpat-[A-Za-z0-9_\-]{16,}"),
    regexcache.compile(r"\bxox[abprs]-[A-Za-z0-9\-]{10,}"),
    regexcache.compile(r"\bAIza[0-9A-Za-z_\-]{30,}"),
    regexcache.compile(r"\beyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*"),
)
_SCHEME_TOKEN = regexcache.compile(r"(?i)\b(bearer|basic|token)(\s+)[A-Za-z0-9._~+/=\-]{4,}")
_URL_USERINFO = regexcache.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+(?=@)")
_ASSIGNMENT = regexcache.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)[\"']?[ \t]*[:=][ \t]*")
_SPACED_ASSIGNMENT = regexcache.compile(
    r"\b(?:setenv|ENV|set(?:[ \t]+-[A-Za-z]+)*)[ \t]+(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]+"
)
# An unquoted value runs to the end of the line (YAML, dotenv, `Authorization: Bearer x`),
# stopping only at structure or a trailing comment.
_UNQUOTED_VALUE = regexcache.compile(r"[^\s\"'{}\[\](),;#$][^\"'{}\[\](),;]*?(?=\s+#|[\"'{}\[\](),;]|\s*$)")
_NAME_WORDS = regexcache.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SENSITIVE_WORDS = frozenset(
    {
        "key", "apikey", "token", "secret", "password", "passwd", "pwd", "pass", "credential",
        "credentials", "auth", "authorization", "header", "headers", "cookie", "session",
        "signature", "private",
    }
)  # fmt: skip
_RANDOM_LOOKING = regexcache.compile(r"[A-Za-z0-9+_\-]{32,}=*")


def _is_sensitive_name(name: str) -> bool:
    return any(word.lower() in _SENSITIVE_WORDS for word in _NAME_WORDS.findall(name))


def _value_span(line: str, start: int) -> tuple[int, int] | None:
    if start >= len(line):
        return None
    quote_char = line[start]
    if quote_char in "\"'":
        end = line.find(quote_char, start + 1)
        return (start + 1, len(line) if end == -1 else end)
    # No match for `$`: a ${VAR} reference is not a secret.
    match = _UNQUOTED_VALUE.match(line, start)
    return None if match is None else match.span()


def _mask_spans(line: str, spans: list[tuple[int, int]]) -> str:
    out: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if end <= cursor:
            continue
        out.append(line[cursor : max(start, cursor)])
        out.append(REDACTED)
        cursor = end
    out.append(line[cursor:])
    return "".join(out)


def redact_line(line: str) -> str:
    """Mask credential-shaped text and the values of secret-sounding names in one line."""
    for shape in _SECRET_SHAPES:
        line = shape.sub(REDACTED, line)
    line = _SCHEME_TOKEN.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", line)
    line = _URL_USERINFO.sub(REDACTED, line)
    spans: list[tuple[int, int]] = []
    for pattern in (_ASSIGNMENT, _SPACED_ASSIGNMENT):
        for match in pattern.finditer(line):
            if not _is_sensitive_name(match.group("name")):
                continue
            span = _value_span(line, match.end())
            if span is not None and span[1] > span[0] and line[span[0] : span[1]] != REDACTED:
                spans.append(span)
    for match in _RANDOM_LOOKING.finditer(line):
        token = match.group()
        if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
            spans.append(match.span())
    return _mask_spans(line, spans)


# --------------------------------------------------------------------------------------------
# Text helpers


def _truncate(text: str, limit: int, *, at_word: bool = True) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    # Prose is cut at a word boundary when one is near, so it does not end mid-word.
    boundary = cut.rfind(" ", max(len(cut) // 2, len(cut) - 80)) if at_word else -1
    if boundary > 0:
        cut = cut[:boundary].rstrip()
    return cut + ELLIPSIS


def _fence(code: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    marker = "`" * max(3, longest + 1)
    return f"{marker}\n{code.rstrip()}\n{marker}"


def _reference_markdown(reference: str) -> str:
    if re.match(r"^https?://\S+$", reference):
        return f"- <{reference}>"
    return f"- {reference}"


def _help_text(rule: Rule) -> str:
    parts = [rule.what or rule.title or rule.id]
    sections = (
        ("Why is this bad?", rule.why),
        ("Example", rule.example),
        ("Use instead", rule.use_instead),
        ("How to fix", rule.fix),
        ("Unconfirmed facts", rule.unconfirmed),
    )
    parts.extend(f"{heading}\n{body.strip()}" for heading, body in sections if body.strip())
    if rule.references:
        parts.append("References\n" + "\n".join(f"- {ref}" for ref in rule.references))
    return "\n\n".join(part.strip() for part in parts) + "\n"


def _help_markdown(rule: Rule) -> str:
    parts = [f"## {rule.id} {rule.name}".rstrip()]
    if rule.title:
        parts.append(f"**{rule.title.strip()}**")
    prose = (("What it does", rule.what), ("Why is this bad?", rule.why))
    parts.extend(f"### {heading}\n\n{body.strip()}" for heading, body in prose if body.strip())
    code = (("Example", rule.example), ("Use instead", rule.use_instead))
    parts.extend(f"### {heading}\n\n{_fence(body)}" for heading, body in code if body.strip())
    if rule.fix.strip():
        parts.append(f"### How to fix\n\n{rule.fix.strip()}")
    if rule.unconfirmed.strip():
        parts.append(f"### Unconfirmed facts\n\n{rule.unconfirmed.strip()}")
    if rule.references:
        parts.append("### References\n\n" + "\n".join(_reference_markdown(r) for r in rule.references))
    return "\n\n".join(parts) + "\n"


def _may_show_line(rule: Rule) -> bool:
    """False for credential rules, whose line is the secret, and for rules we know nothing of."""
    # CCP4xx is the credentials range (DESIGN.md); tags say so too, either is enough.
    credential = rule.id.startswith("CCP4") or any("credential" in tag.lower() for tag in rule.tags)
    return not credential and rule.origin != _UNKNOWN_ORIGIN


def _positive(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    return None


# --------------------------------------------------------------------------------------------
# The builder


@dataclass
class _FileLines:
    lines: list[str]
    hashes: list[str]


@dataclass
class _Truncations:
    results_total: int = 0
    results_kept: int = 0
    related_dropped: int = 0
    related_results: int = 0
    rule_notes: list[str] = field(default_factory=list)


def _placeholder_rule(rule_id: str, findings: Sequence[Finding]) -> Rule:
    """Metadata for a finding whose rule is not in ScanResult.rules, so GitHub still shows it."""
    severity = max((f.severity for f in findings), default=Severity.MEDIUM)
    title = f"ccpolicy rule {rule_id}"
    return Rule(
        id=rule_id,
        name=rule_id.lower(),
        severity=severity,
        title=title,
        what=f"{title} (no description available in this run).",
        why="",
        example="",
        use_instead="",
        fix="",
        origin=_UNKNOWN_ORIGIN,
    )


class _LogBuilder:
    def __init__(self, result: ScanResult, file_texts: Mapping[str, str], om: Any) -> None:
        self.result = result
        self.file_texts = file_texts
        self.om = om
        self.root = result.root or ""
        self.truncations = _Truncations()
        self._files: dict[str, _FileLines | None] = {}
        self.rules = self._collect_rules()
        self.rule_index = {rule.id: index for index, rule in enumerate(self.rules)}

    # rules ----------------------------------------------------------------------------------

    def _collect_rules(self) -> list[Rule]:
        by_id: dict[str, Rule] = {}
        for rule in self.result.rules:
            by_id.setdefault(rule.id, rule)
        orphans: dict[str, list[Finding]] = {}
        for finding in self.result.findings:
            if finding.rule_id not in by_id:
                orphans.setdefault(finding.rule_id, []).append(finding)
        for rule_id, findings in orphans.items():
            by_id[rule_id] = _placeholder_rule(rule_id, findings)
        return [by_id[rule_id] for rule_id in sorted(by_id)]

    def _limited(self, rule: Rule, what: str, text: str, limit: int) -> str:
        clipped = _truncate(text, limit)
        if clipped != text:
            self.truncations.rule_notes.append(
                f"rule {rule.id}: {what} truncated from {len(text)} to {len(clipped)} characters "
                f"(GitHub accepts at most {limit})."
            )
        return clipped

    def _tags(self, rule: Rule) -> list[str]:
        tags: list[str] = []
        for tag in (*_ALWAYS_TAGS, *rule.tags):
            clean = tag.strip()
            if clean and clean not in tags:
                tags.append(clean)
        limit = github_limits.MAX_TAGS_PER_RULE
        if len(tags) > limit:
            self.truncations.rule_notes.append(
                f"rule {rule.id}: kept the first {limit} of {len(tags)} tags "
                f"(GitHub accepts at most {limit}); dropped {len(tags) - limit}."
            )
            tags = tags[:limit]
        return tags

    def _descriptor(self, rule: Rule) -> Any:
        om = self.om
        level = severity_level(rule.severity)
        short = rule.title.strip() or rule.name.strip() or rule.id
        full = rule.what.strip() or short
        properties: dict[str, object] = {"tags": self._tags(rule)}
        if rule.precision in _PRECISIONS:
            properties["precision"] = rule.precision
        properties["security-severity"] = rule.security_severity
        properties["problem.severity"] = _PROBLEM_SEVERITY[level]
        limit = github_limits.MAX_DESCRIPTION_CHARS
        return om.ReportingDescriptor(
            id=rule.id,
            name=self._limited(rule, "name", rule.name.strip() or rule.id, github_limits.MAX_RULE_NAME_CHARS),
            short_description=om.MultiformatMessageString(
                text=self._limited(rule, "shortDescription", short, limit)
            ),
            full_description=om.MultiformatMessageString(
                text=self._limited(rule, "fullDescription", full, limit)
            ),
            help=om.MultiformatMessageString(text=_help_text(rule), markdown=_help_markdown(rule)),
            help_uri=rule.help_uri or None,
            default_configuration=om.ReportingConfiguration(level=level),
            properties=properties,
        )

    # files ----------------------------------------------------------------------------------

    def _file(self, path: str) -> _FileLines | None:
        if path not in self._files:
            text = self.file_texts.get(path)
            if not isinstance(text, str):
                self._files[path] = None
            else:
                hashes = line_hashes(text) if len(text) <= _MAX_HASHED_CHARS else []
                self._files[path] = _FileLines(_LINE_BREAK.split(text), hashes)
        return self._files[path]

    # locations ------------------------------------------------------------------------------

    def _artifact_location(self, path: str) -> Any:
        uri = _artifact_uri(path, self.root)
        return self.om.ArtifactLocation(uri=uri.uri, uri_base_id=SRCROOT if uri.relative else None)

    def _region(self, location: Location, snippet: str | None) -> Any:
        start_line = _positive(location.line) or 1
        start_column = _positive(location.column)
        end_line = _positive(location.end_line)
        end_column = _positive(location.end_column)
        if end_line is not None and end_line < start_line:
            end_line, end_column = None, None
        if end_line is None and end_column is not None:
            end_line = start_line
        if (
            end_line == start_line
            and end_column is not None
            and start_column is not None
            and end_column <= start_column
        ):
            end_column = None
        if end_line == start_line and end_column is None:
            end_line = None
        return self.om.Region(
            start_line=start_line,
            start_column=start_column,
            end_line=end_line,
            end_column=end_column,
            snippet=self.om.ArtifactContent(text=snippet) if snippet else None,
        )

    def _snippet(self, rule: Rule, location: Location) -> str | None:
        if not _may_show_line(rule):
            return None
        file = self._file(location.path)
        line = _positive(location.line) or 1
        if file is None or line > len(file.lines) or not file.lines[line - 1].strip():
            return None
        text = file.lines[line - 1]
        limit = github_limits.MAX_SNIPPET_CHARS
        # Redact a bounded window (cost stays linear on minified one-line files), wide enough
        # that a secret crossing the cut is still seen whole and masked before the cut.
        window = text[: limit + _REDACTION_MARGIN]
        snippet = _truncate(redact_line(window), limit, at_word=False)
        if len(window) < len(text) and not snippet.endswith(ELLIPSIS):
            snippet += ELLIPSIS
        return snippet

    def _line_hash(self, location: Location) -> str | None:
        file = self._file(location.path)
        line = _positive(location.line) or 1
        if file is None or line > len(file.hashes):
            return None
        return file.hashes[line - 1]

    def _related(self, finding: Finding) -> list[Any] | None:
        primary = finding.location
        seen = {(primary.path, primary.line, primary.column)}
        candidates: list[tuple[int, Location]] = []
        for position, location in enumerate(finding.provenance, start=1):
            identity = (location.path, location.line, location.column)
            if identity not in seen:
                seen.add(identity)
                candidates.append((position, location))
        limit = github_limits.MAX_RELATED_LOCATIONS
        if len(candidates) > limit:
            self.truncations.related_dropped += len(candidates) - limit
            self.truncations.related_results += 1
            candidates = candidates[:limit]
        if not candidates:
            return None
        total = len(finding.provenance)
        return [
            self.om.Location(
                id=index,
                physical_location=self.om.PhysicalLocation(
                    artifact_location=self._artifact_location(location.path),
                    region=self._region(location, None),
                ),
                message=self.om.Message(
                    text=f"Value set here (precedence {position} of {total}, highest first)."
                ),
            )
            for index, (position, location) in enumerate(candidates, start=1)
        ]

    # results --------------------------------------------------------------------------------

    def _suppressions(self, finding: Finding) -> list[dict[str, object]] | None:
        suppression = finding.suppressed
        if suppression is None:
            return None
        entry: dict[str, object] = {
            "kind": suppression.kind if suppression.kind in _SUPPRESSION_KINDS else "external",
            "status": "accepted",
        }
        if suppression.justification.strip():
            entry["justification"] = suppression.justification
        owner_and_expiry = (("ccpolicy/owner", suppression.owner), ("ccpolicy/expires", suppression.expires))
        extra = {key: value for key, value in owner_and_expiry if value}
        if extra:
            entry["properties"] = extra
        return [entry]

    def _result(self, finding: Finding) -> Any:
        om = self.om
        rule = self.rules[self.rule_index[finding.rule_id]]
        fingerprints: dict[str, str] = {}
        line_hash = self._line_hash(finding.location)
        if line_hash is not None:
            fingerprints[LINE_HASH_KEY] = line_hash
        fingerprints[FINGERPRINT_KEY] = finding.fingerprint or stable_fingerprint(
            finding.rule_id, finding.context, finding.key, finding.location.path
        )
        message = finding.message if finding.message.strip() else (rule.title.strip() or rule.id)
        baseline = finding.baseline_state if finding.baseline_state in _BASELINE_STATES else None
        return om.Result(
            message=om.Message(text=message),
            rule_id=finding.rule_id,
            rule_index=self.rule_index[finding.rule_id],
            level=severity_level(finding.severity),
            locations=[
                om.Location(
                    physical_location=om.PhysicalLocation(
                        artifact_location=self._artifact_location(finding.location.path),
                        region=self._region(finding.location, self._snippet(rule, finding.location)),
                    )
                )
            ],
            partial_fingerprints=fingerprints,
            related_locations=self._related(finding),
            properties={"ccpolicy/context": finding.context, "ccpolicy/severity": finding.severity.label},
            suppressions=self._suppressions(finding),
            baseline_state=baseline,
        )

    def _selected_findings(self) -> list[Finding]:
        def order(finding: Finding) -> tuple[object, ...]:
            return (
                finding.suppressed is not None,
                -int(finding.severity),
                *finding.sort_key(),
                finding.key,
                finding.fingerprint,
            )

        ordered = sorted(self.result.findings, key=order)
        limit = github_limits.MAX_RESULTS_PER_RUN
        self.truncations.results_total = len(ordered)
        self.truncations.results_kept = min(limit, len(ordered))
        return ordered[:limit]

    # notifications --------------------------------------------------------------------------

    def _notification(
        self, level: str, text: str, descriptor: str, path: str | None, line: int | None
    ) -> Any:
        om = self.om
        locations = None
        if path:
            start_line = _positive(line)
            region = om.Region(start_line=start_line) if start_line is not None else None
            locations = [
                om.Location(
                    physical_location=om.PhysicalLocation(
                        artifact_location=self._artifact_location(path), region=region
                    )
                )
            ]
        return om.Notification(
            message=om.Message(text=text if text.strip() else "(no message)"),
            level=_notification_level(level),
            locations=locations,
            descriptor=om.ReportingDescriptorReference(id=descriptor or "notification"),
        )

    def _truncation_notes(self) -> list[str]:
        t = self.truncations
        notes = list(t.rule_notes)
        if t.results_total > t.results_kept:
            notes.append(
                f"results: kept {t.results_kept} of {t.results_total} results, most severe first "
                f"(GitHub accepts at most {github_limits.MAX_RESULTS_PER_RUN} per run); "
                f"dropped {t.results_total - t.results_kept}."
            )
        if t.related_dropped:
            notes.append(
                f"relatedLocations: kept at most {github_limits.MAX_RELATED_LOCATIONS} per result; "
                f"dropped {t.related_dropped} location(s) from {t.related_results} result(s)."
            )
        return notes

    def _notifications(self) -> list[Any]:
        out = [self._from_scan(n) for n in self.result.notifications]
        out.extend(
            self._notification("warning", note, TRUNCATED_DESCRIPTOR, None, None)
            for note in self._truncation_notes()
        )
        return out

    def _from_scan(self, notification: Notification) -> Any:
        return self._notification(
            notification.level,
            notification.message,
            notification.descriptor,
            notification.path,
            notification.line,
        )

    # the log --------------------------------------------------------------------------------

    def build(self) -> Any:
        om = self.om
        descriptors = [self._descriptor(rule) for rule in self.rules]
        results = [self._result(finding) for finding in self._selected_findings()]
        notifications = self._notifications()
        driver = om.ToolComponent(
            name=TOOL_NAME,
            semantic_version=scanner.__version__,
            version=scanner.__version__,
            information_uri=INFORMATION_URI,
            rules=descriptors,
        )
        root_uri = _root_uri(self.root) if self.root else None
        invocation = om.Invocation(
            execution_successful=True,
            tool_execution_notifications=notifications,
            # Where GitHub relativises absolute URIs when an upload names no checkout path; without
            # any, a REST upload with absolute `file:` URIs (host files) may be rejected (GH1006).
            working_directory=om.ArtifactLocation(uri=root_uri) if root_uri else None,
        )
        run = om.Run(
            tool=om.Tool(driver=driver),
            automation_details=om.RunAutomationDetails(id=f"{TOOL_NAME}/{self.result.category}/"),
            column_kind="unicodeCodePoints",
            original_uri_base_ids={SRCROOT: om.ArtifactLocation(uri=root_uri)} if root_uri else None,
            invocations=[invocation],
            results=results,
        )
        return om.SarifLog(version=SARIF_VERSION, schema_uri=SCHEMA_URI, runs=[run])


def _notification_level(level: str) -> str:
    lowered = level.strip().lower()
    if lowered in _NOTIFICATION_LEVELS:
        return lowered
    if lowered in {"info", "notice", "information"}:
        return "note"
    return "warning"
