"""CCP308: a user of the audited machine is signed in with an OAuth account outside the approved orgs.

Host scans only: the login lives in `~/.claude.json` (`oauthAccount.organizationUuid`, reference 4.4,
an undocumented format read defensively by scanner.host.claude_json). One finding per user (on the
user's context, not per project), at the organisation UUID in that file. Silent while the policy
lists no approved organisation (`approved_org_uuids`): there is nothing to compare with.
"""

from __future__ import annotations

from collections.abc import Iterator

from scanner.catalogue.model import Rule
from scanner.checks.base import CheckInput, finding, param_list
from scanner.contexts.model import Context, ContextKind, LayerKind
from scanner.model import Finding, JSONValue, Location, ParsedFile

KEY = "oauthAccount.organizationUuid"


def _int(value: JSONValue, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def _pinned(ctx: Context, approved: set[str]) -> str:
    """What the managed configuration does about such a login, as a clause of the message."""
    pin = ctx.setting("forceLoginOrgUUID")
    managed = pin.winner is not None and any(
        pin.winner in layer.observations for layer in ctx.layers if layer.kind is LayerKind.MANAGED
    )
    if not managed:
        return "nothing on this machine pins the login: forceLoginOrgUUID is not set in a managed source"
    values = pin.value if isinstance(pin.value, list) else [pin.value]
    if any(isinstance(v, str) and v.lower() in approved for v in values):
        where = pin.winner.location.short() if pin.winner is not None else ""
        return f"the managed forceLoginOrgUUID ({where}) will refuse it when Claude Code next starts"
    return "the managed forceLoginOrgUUID does not name an approved organisation either"


def check(rule: Rule, scan: CheckInput) -> Iterator[Finding]:
    approved = {a.lower() for a in param_list(scan.params, "approved_org_uuids")}
    if not approved:
        return
    files: dict[str, ParsedFile] = {f.path: f for f in scan.files}
    for ctx in scan.contexts:
        if ctx.kind is not ContextKind.HOST or ctx.attributes.get("project"):
            continue
        parsed = files.get(ctx.attributes.get("claude_json", ""))
        account = parsed.facts.get("oauth_account") if parsed is not None else None
        if parsed is None or not isinstance(account, dict):
            continue
        org = account.get("organization_uuid")
        if isinstance(org, str) and org.lower() in approved:
            continue
        login_at = Location(parsed.path, _int(account.get("line"), 1), _int(account.get("column"), 1))
        billing = account.get("billing_type")
        billing_text = f", billing type {billing}" if isinstance(billing, str) and billing else ""
        if isinstance(org, str):
            name = account.get("organization_name")
            named = f" ({name})" if isinstance(name, str) and name else ""
            what = (
                f"an account of organisation {org}{named}{billing_text}, which is not in approved_org_uuids"
            )
            at = Location(
                parsed.path,
                _int(account.get("uuid_line"), login_at.line),
                _int(account.get("uuid_column"), login_at.column),
            )
        else:
            what = f"an account that names no organisation{billing_text}, so it cannot be an approved one"
            at = login_at
        who = ctx.label[:1].upper() + ctx.label[1:]
        message = (
            f"{who} is signed in to Claude Code with {what}: prompts and code go to Anthropic under that "
            f"account's terms and retention, not the approved organisation's; {_pinned(ctx, approved)}."
        )
        yield finding(rule, message, at, context=ctx.id, key=KEY, provenance=(login_at,))
