"""Writes on how the inbox works: settings and targets, saved replies, auto-reply and assignment rules.

Saved replies and auto-reply texts run through the same checks as a reply when they are saved:
one with a blocking finding is stored but flagged (a saved reply) or never fires (a rule), so
nobody learns at send time that the team's stock answer breaks the Advertising Law.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core import egress
from socialops.core.validation import Errors, add_error, clean_text, refuse_unknown_fields
from socialops.fans.models import Segment, SegmentKind
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_saved, edit_snapshot, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import (
    AssignmentRule,
    AssignMode,
    AutoReplyRule,
    InboxSettings,
    Intent,
    RuleChannel,
    RuleMatch,
    SavedReply,
)
from .replies import REPLY_LENGTH, check_text, findings_json
from .threads import may_answer, settings_for

TARGET_MAX_MINUTES = 60 * 24 * 14
SETTINGS_FIELDS = (
    "work_start", "work_end", "weekdays", "respect_holidays", "urgent_minutes", "high_minutes",
    "normal_minutes", "low_minutes", "targets_in_working_hours", "assign_mode", "high_value_threshold",
    "spike_factor", "spike_minimum", "webhook_url", "webhook_secret",
)  # fmt: skip
WEBHOOK_SECRET_MIN = 16


def _settings_snapshot(row: InboxSettings) -> dict[str, Any]:
    """The audited state: the webhook's secret only as set or not."""
    data = snapshot(row, exclude={"updated_at", "webhook_secret"})
    data["webhook_secret_set"] = bool(row.webhook_secret)
    return data


def _webhook_url(value: Any, errors: Errors) -> str:
    """A https URL (blank: the webhook is off); an address literal must be one the egress policy allows."""
    url = clean_text(value, "webhook_url", errors, max_length=500)
    if not url:
        return ""
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        add_error(
            errors, "webhook_url", _("Enter a https:// address, or leave it blank to turn the webhook off.")
        )
        return ""
    # Names are checked when the event is sent (they may resolve elsewhere by then); what can be
    # refused now is.
    host = (urlsplit(url).hostname or "").lower()
    private = host == "localhost" or host.endswith(".localhost")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        private = not egress.address_allowed(address, egress.allowed_networks())
    if private:
        add_error(errors, "webhook_url", _("That address is inside a private network; give a public one."))
    return url


def _time(value: Any, field: str, errors: Errors) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            pass
    add_error(errors, field, _("Enter a time such as 09:00."))
    return None


def _whole(value: Any, field: str, errors: Errors, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        add_error(
            errors, field, _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
        return low
    return value


@transaction.atomic
def settings_update(*, workspace: Workspace, actor: Any, **fields: Any) -> InboxSettings:
    """Change the inbox's working hours, targets, assignment mode, alert levels or webhook (audited)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    refuse_unknown_fields(fields, SETTINGS_FIELDS)
    row = InboxSettings.objects.select_for_update().get(pk=settings_for(workspace).pk)
    before = _settings_snapshot(row)
    errors: Errors = {}
    for name in ("work_start", "work_end"):
        if name in fields:
            value = _time(fields[name], name, errors)
            if value is not None:
                setattr(row, name, value)
    if "weekdays" in fields:
        days = fields["weekdays"]
        if not isinstance(days, list | tuple) or not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
            add_error(errors, "weekdays", _("Choose weekdays (0 = Monday … 6 = Sunday)."))
        elif not days:
            add_error(errors, "weekdays", _("Choose at least one working weekday."))
        else:
            row.weekdays = sorted(set(days))
    for name in ("urgent_minutes", "high_minutes", "normal_minutes", "low_minutes", "spike_minimum"):
        if name in fields:
            setattr(row, name, _whole(fields[name], name, errors, 1, TARGET_MAX_MINUTES))
    for name in ("respect_holidays", "targets_in_working_hours"):
        if name in fields:
            setattr(row, name, bool(fields[name]))
    if "assign_mode" in fields:
        if fields["assign_mode"] not in AssignMode.values:
            add_error(errors, "assign_mode", _("Choose nobody or round-robin."))
        else:
            row.assign_mode = fields["assign_mode"]
    if "high_value_threshold" in fields:
        try:
            amount = Decimal(str(fields["high_value_threshold"]))
            if not amount.is_finite() or amount < 0 or amount > Decimal("9999999999"):
                raise InvalidOperation
            row.high_value_threshold = amount.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            add_error(errors, "high_value_threshold", _("Enter an amount of 0 or more."))
    if "spike_factor" in fields:
        factor = fields["spike_factor"]
        if isinstance(factor, bool) or not isinstance(factor, int | float) or not 1 <= factor <= 100:
            add_error(errors, "spike_factor", _("Enter a factor from 1 to 100."))
        else:
            row.spike_factor = float(factor)
    if "webhook_url" in fields:
        row.webhook_url = _webhook_url(fields["webhook_url"], errors)
    secret = clean_text(fields.get("webhook_secret"), "webhook_secret", errors, max_length=200)
    if secret:
        # Blank keeps the stored secret (forms never show it back).
        if len(secret) < WEBHOOK_SECRET_MIN:
            add_error(
                errors,
                "webhook_secret",
                _("Use at least %(n)d characters for the signing secret.") % {"n": WEBHOOK_SECRET_MIN},
            )
        row.webhook_secret = secret
    if row.webhook_url and not row.webhook_secret and "webhook_url" not in errors:
        add_error(
            errors,
            "webhook_secret",
            _("Give a signing secret (the receiver checks each request's signature with it)."),
        )
    if row.work_start == row.work_end:
        add_error(errors, "work_end", _("The working day must end at another time than it starts."))
    if errors:
        raise ValidationError(errors)
    row.save()
    audit_saved(
        row, workspace=workspace, actor=actor, action="inbox.settings", before=before, snap=_settings_snapshot
    )
    return row


# ---- saved replies -----------------------------------------------------------------------------


def _account(workspace: Workspace, value: Any, errors: Errors) -> SocialAccount | None:
    if value is None:
        return None
    if not isinstance(value, SocialAccount) or value.workspace_id != workspace.pk:
        add_error(errors, "account", _("Choose one of this workspace's accounts."))
        return None
    return value


def _checked(workspace: Workspace, text: str) -> tuple[list[dict[str, Any]], bool]:
    found = findings_json(check_text(workspace, text)) if text else []
    return found, any(f["blocking"] for f in found)


SAVED_REPLY_FIELDS = ("title", "body", "account")


def _saved_reply_apply(workspace: Workspace, row: SavedReply, fields: dict[str, Any]) -> None:
    errors: Errors = {}
    if "title" in fields:
        row.title = clean_text(fields["title"], "title", errors, max_length=100, required=True)
    if "body" in fields:
        row.body = clean_text(fields["body"], "body", errors, max_length=REPLY_LENGTH, required=True)
    if "account" in fields:
        row.account = _account(workspace, fields["account"], errors)
    if errors:
        raise ValidationError(errors)
    row.findings, row.flagged = _checked(workspace, row.body)


@transaction.atomic
def saved_reply_create(*, workspace: Workspace, actor: Any, **fields: Any) -> SavedReply:
    """A new saved reply; checked and flagged when a blocking finding is in it."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    refuse_unknown_fields(fields, SAVED_REPLY_FIELDS)
    row = SavedReply(
        workspace=workspace, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    _saved_reply_apply(workspace, row, {"title": None, "body": None, **fields})
    row.save()
    audit_saved(row, workspace=workspace, actor=actor, action="saved_reply.create", snap=edit_snapshot)
    return row


@transaction.atomic
def saved_reply_update(
    *, workspace: Workspace, actor: Any, saved_reply: SavedReply, **fields: Any
) -> SavedReply:
    """Change a saved reply; checked again."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    ensure_same_workspace(workspace, saved_reply, "saved_reply")
    refuse_unknown_fields(fields, SAVED_REPLY_FIELDS)
    row = SavedReply.objects.select_for_update().get(pk=saved_reply.pk)
    before = edit_snapshot(row)
    _saved_reply_apply(workspace, row, fields)
    row.save()
    audit_saved(
        row, workspace=workspace, actor=actor, action="saved_reply.update", before=before, snap=edit_snapshot
    )
    return row


@transaction.atomic
def saved_reply_delete(*, workspace: Workspace, actor: Any, saved_reply: SavedReply) -> None:
    """Delete a saved reply (replies already sent keep their text)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    ensure_same_workspace(workspace, saved_reply, "saved_reply")
    audit_delete(
        saved_reply, workspace=workspace, actor=actor, action="saved_reply.delete", snap=edit_snapshot
    )


def saved_reply_used(*, saved_reply: SavedReply) -> None:
    """Count one use (for ordering the picker by what the team uses most)."""
    SavedReply.objects.filter(pk=saved_reply.pk).update(uses=F("uses") + 1)


# ---- auto-reply rules ----------------------------------------------------------------------------

RULE_FIELDS = ("name", "match", "pattern", "channel", "reply_text", "account", "active_from", "active_to",
               "position", "enabled")  # fmt: skip


def _rule_apply(workspace: Workspace, rule: AutoReplyRule, fields: dict[str, Any]) -> None:
    errors: Errors = {}
    if "name" in fields:
        rule.name = clean_text(fields["name"], "name", errors, max_length=100, required=True)
    if "match" in fields:
        if fields["match"] not in RuleMatch.values:
            add_error(errors, "match", _("Choose exact, contains, regex, welcome or off-hours."))
        else:
            rule.match = fields["match"]
    if "pattern" in fields:
        rule.pattern = clean_text(fields["pattern"], "pattern", errors, max_length=200)
    if "channel" in fields:
        if fields["channel"] not in RuleChannel.values:
            add_error(errors, "channel", _("Choose direct messages, comments or both."))
        else:
            rule.channel = fields["channel"]
    if "reply_text" in fields:
        rule.reply_text = clean_text(
            fields["reply_text"], "reply_text", errors, max_length=REPLY_LENGTH, required=True
        )
    if "account" in fields:
        rule.account = _account(workspace, fields["account"], errors)
    for name in ("active_from", "active_to"):
        if name in fields:
            setattr(rule, name, _time(fields[name], name, errors))
    if "position" in fields:
        rule.position = _whole(fields["position"], "position", errors, 0, 10_000)
    if "enabled" in fields:
        rule.enabled = bool(fields["enabled"])
    if rule.match in (RuleMatch.EXACT, RuleMatch.CONTAINS, RuleMatch.REGEX) and not rule.pattern:
        add_error(errors, "pattern", _("A keyword rule needs a keyword or pattern."))
    if rule.match == RuleMatch.REGEX and rule.pattern:
        try:
            re.compile(rule.pattern)
        except re.error as exc:
            add_error(
                errors,
                "pattern",
                _("The pattern is not a valid regular expression: %(error)s") % {"error": exc},
            )
    if (rule.active_from is None) != (rule.active_to is None):
        add_error(errors, "active_to", _("Give both ends of the time window, or neither."))
    if errors:
        raise ValidationError(errors)
    rule.findings, blocking = _checked(workspace, rule.reply_text)
    if blocking:
        raise ValidationError(
            {
                "reply_text": [
                    _("This reply would fail the checks: %(findings)s")
                    % {"findings": "; ".join(f"{f['matched']}" for f in rule.findings if f["blocking"])}
                ]
            }  # fmt: skip
        )


@transaction.atomic
def rule_create(*, workspace: Workspace, actor: Any, **fields: Any) -> AutoReplyRule:
    """A new auto-reply rule; its reply text must pass the checks."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    refuse_unknown_fields(fields, RULE_FIELDS)
    rule = AutoReplyRule(
        workspace=workspace, created_by=actor if getattr(actor, "is_authenticated", False) else None
    )
    _rule_apply(workspace, rule, {"name": None, "match": None, "reply_text": None, **fields})
    rule.save()
    audit_saved(rule, workspace=workspace, actor=actor, action="auto_reply.create", snap=edit_snapshot)
    return rule


@transaction.atomic
def rule_update(*, workspace: Workspace, actor: Any, rule: AutoReplyRule, **fields: Any) -> AutoReplyRule:
    """Change an auto-reply rule."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    ensure_same_workspace(workspace, rule, "rule")
    refuse_unknown_fields(fields, RULE_FIELDS)
    row = AutoReplyRule.objects.select_for_update().get(pk=rule.pk)
    before = edit_snapshot(row)
    _rule_apply(workspace, row, fields)
    row.save()
    audit_saved(
        row, workspace=workspace, actor=actor, action="auto_reply.update", before=before, snap=edit_snapshot
    )
    return row


@transaction.atomic
def rule_delete(*, workspace: Workspace, actor: Any, rule: AutoReplyRule) -> None:
    """Delete an auto-reply rule (its replies stay, without the rule)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.ENGAGEMENT_REPLY)
    ensure_same_workspace(workspace, rule, "rule")
    audit_delete(rule, workspace=workspace, actor=actor, action="auto_reply.delete", snap=edit_snapshot)


# ---- assignment rules ----------------------------------------------------------------------------

ASSIGNMENT_FIELDS = ("account", "language", "intent", "tier", "assignee", "position")


@transaction.atomic
def assignment_rule_create(*, workspace: Workspace, actor: Any, **fields: Any) -> AssignmentRule:
    """A rule that sends matching new threads to one member (checked before round-robin)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    refuse_unknown_fields(fields, ASSIGNMENT_FIELDS)
    errors: Errors = {}
    account = _account(workspace, fields.get("account"), errors)
    language = fields.get("language") or ""
    if language not in ("", "zh", "en"):
        add_error(errors, "language", _("Choose Chinese (zh), English (en) or any."))
    intent = fields.get("intent") or ""
    if intent and intent not in Intent.values:
        add_error(errors, "intent", _("Choose an intent."))
    tier = fields.get("tier")
    if tier is not None and (
        not isinstance(tier, Segment) or tier.workspace_id != workspace.pk or tier.kind != SegmentKind.TIER
    ):
        add_error(errors, "tier", _("Choose one of this workspace's tiers."))
    user = fields.get("assignee")
    if user is None or not may_answer(workspace, user):
        add_error(errors, "assignee", _("Choose a member who may answer fans."))
    position = _whole(fields.get("position", 0), "position", errors, 0, 10_000)
    if errors or user is None:
        raise ValidationError(errors)
    rule = AssignmentRule.objects.create(
        workspace=workspace, account=account, language=language, intent=intent, tier=tier, assignee=user,
        position=position,
    )  # fmt: skip
    audit_saved(rule, workspace=workspace, actor=actor, action="assignment_rule.create")
    return rule


@transaction.atomic
def assignment_rule_delete(*, workspace: Workspace, actor: Any, rule: AssignmentRule) -> None:
    """Delete an assignment rule."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.WORKSPACE_MANAGE)
    ensure_same_workspace(workspace, rule, "rule")
    audit_delete(rule, workspace=workspace, actor=actor, action="assignment_rule.delete")
