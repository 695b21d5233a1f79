"""Writes on polls and their questions (members with campaign.edit; the system closes due polls)."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.actors import SYSTEM, user_or_none
from socialops.core.validation import Errors, add_error, clean_text
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ...models.campaigns import Campaign
from ...models.polls import (
    Poll,
    PollChoice,
    PollQuestion,
    PollStatus,
    QuestionKind,
)

MAX_CHOICES = 20
MAX_QUESTIONS = 30


def _poll_snapshot(poll: Poll) -> dict[str, Any]:
    return {**snapshot(poll, exclude={"token"}), "accounts": sorted(a.pk for a in poll.accounts.all())}


def keyword_key(text: str) -> str:
    """How a reply and a keyword are compared: NFKC (full-width digits and letters), trimmed, casefolded."""
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def device_key(device_token: str) -> str:
    """What is stored of a device cookie: its SHA-256 (the cookie itself never is)."""
    return hashlib.sha256(device_token.encode()).hexdigest() if device_token else ""


def poll_accepting(poll: Poll, now: dt.datetime | None = None) -> bool:
    """Whether the poll takes responses now: open, and inside its open/close times."""
    now = now or timezone.now()
    if poll.status != PollStatus.OPEN:
        return False
    if poll.opens_at is not None and now < poll.opens_at:
        return False
    return not (poll.closes_at is not None and now >= poll.closes_at)


# ---- polls -------------------------------------------------------------------------------------


def _check_poll(
    workspace: Workspace,
    errors: Errors,
    *,
    campaign: Campaign | None,
    accounts: Sequence[SocialAccount],
    keyword_account: SocialAccount | None,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
) -> None:
    if campaign is not None and campaign.workspace_id != workspace.pk:
        add_error(errors, "campaign", _("Not found."))
    if any(a.workspace_id != workspace.pk for a in accounts):
        add_error(errors, "accounts", _("Not found."))
    if keyword_account is not None and keyword_account.workspace_id != workspace.pk:
        add_error(errors, "keyword_account", _("Not found."))
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        add_error(errors, "closes_at", _("The poll must close after it opens."))


@transaction.atomic
def poll_create(
    *,
    workspace: Workspace,
    actor: Any,
    title: str,
    description: str = "",
    campaign: Campaign | None = None,
    accounts: Sequence[SocialAccount] = (),
    keyword_account: SocialAccount | None = None,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    one_per_device: bool = True,
) -> Poll:
    """Create a poll in draft, optionally in a campaign, on accounts, answered by keyword on one of them."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    errors: Errors = {}
    title = clean_text(title, "title", errors, max_length=150, required=True)
    description = clean_text(description, "description", errors, max_length=4000)
    accounts = list(accounts)
    _check_poll(
        workspace,
        errors,
        campaign=campaign,
        accounts=accounts,
        keyword_account=keyword_account,
        opens_at=opens_at,
        closes_at=closes_at,
    )
    if errors:
        raise ValidationError(errors)
    poll = Poll.objects.create(
        workspace=workspace,
        title=title,
        description=description,
        campaign=campaign,
        keyword_account=keyword_account,
        opens_at=opens_at,
        closes_at=closes_at,
        one_per_device=bool(one_per_device),
        created_by=user_or_none(actor),
    )
    poll.accounts.set(accounts)
    audit_saved(poll, workspace=workspace, actor=actor, action="poll.create", snap=_poll_snapshot)
    return poll


POLL_FIELDS = (
    "title",
    "description",
    "campaign",
    "accounts",
    "keyword_account",
    "opens_at",
    "closes_at",
    "one_per_device",
)


@transaction.atomic
def poll_update(*, workspace: Workspace, actor: Any, poll: Poll, **changes: Any) -> Poll:
    """Change a poll's title, description, campaign, accounts, keyword account, times or device rule."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, poll, "poll")
    unknown = set(changes) - set(POLL_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    before = _poll_snapshot(poll)
    errors: Errors = {}
    if "title" in changes:
        poll.title = clean_text(changes["title"], "title", errors, max_length=150, required=True)
    if "description" in changes:
        poll.description = clean_text(changes["description"], "description", errors, max_length=4000)
    for name in ("campaign", "keyword_account", "opens_at", "closes_at"):
        if name in changes:
            setattr(poll, name, changes[name])
    if "one_per_device" in changes:
        poll.one_per_device = bool(changes["one_per_device"])
    accounts = list(changes["accounts"]) if "accounts" in changes else list(poll.accounts.all())
    _check_poll(
        workspace,
        errors,
        campaign=poll.campaign,
        accounts=accounts,
        keyword_account=poll.keyword_account,
        opens_at=poll.opens_at,
        closes_at=poll.closes_at,
    )
    if errors:
        raise ValidationError(errors)
    poll.save()
    if "accounts" in changes:
        poll.accounts.set(accounts)
    audit_saved(
        poll, workspace=workspace, actor=actor, action="poll.update", before=before, snap=_poll_snapshot
    )
    return poll


@transaction.atomic
def poll_set_status(*, workspace: Workspace, actor: Any, poll: Poll, status: str) -> Poll:
    """Open a poll (it needs a question) or close it; a closed poll may be opened again."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, poll, "poll")
    if status not in (PollStatus.OPEN, PollStatus.CLOSED):
        raise ValidationError({"status": [_("A poll can be opened or closed.")]})
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status == status:
        return poll
    if status == PollStatus.OPEN and not poll.questions.exists():
        raise ValidationError({"status": [_("Add a question before opening the poll.")]})
    if status == PollStatus.OPEN and poll.keyword_account_id:
        # Two open polls on one account with a keyword in common: a reply could not say which it answers.
        mine = set(
            PollChoice.objects.filter(question__poll=poll)
            .exclude(keyword="")
            .values_list("keyword", flat=True)
        )
        shared = sorted(
            set(
                PollChoice.objects.filter(
                    question__poll__keyword_account_id=poll.keyword_account_id,
                    question__poll__status=PollStatus.OPEN,
                    keyword__in=mine,
                )
                .exclude(question__poll=poll)
                .values_list("keyword", flat=True)
            )
        )
        if shared:
            raise ValidationError(
                {
                    "status": [
                        _("Another open poll on this account uses the keywords %(k)s.")
                        % {"k": "、".join(shared)}
                    ]
                }
            )
    before = {"status": poll.status}
    poll.status = status
    poll.save(update_fields=["status", "updated_at"])
    audit_record(
        workspace=workspace,
        actor=actor,
        action=f"poll.{status}",
        obj=poll,
        before=before,
        after={"status": status},
    )
    return poll


@transaction.atomic
def poll_delete(*, workspace: Workspace, actor: Any, poll: Poll) -> None:
    """Delete a poll with its questions and responses (the fans' vote interactions stay)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, poll, "poll")
    audit_delete(poll, workspace=workspace, actor=actor, action="poll.delete", snap=_poll_snapshot)


def polls_close_due(*, now: dt.datetime | None = None) -> int:
    """Close every open poll whose closing time has passed (the system's write); returns how many."""
    now = now or timezone.now()
    closed = 0
    for poll in Poll.objects.filter(status=PollStatus.OPEN, closes_at__lte=now).select_related("workspace"):
        poll_set_status(workspace=poll.workspace, actor=SYSTEM, poll=poll, status=PollStatus.CLOSED)
        closed += 1
    return closed


# ---- questions ---------------------------------------------------------------------------------


def _refuse_if_answered(poll: Poll) -> None:
    if poll.responses.exists():
        raise ValidationError(
            {"__all__": [_("This poll has responses: its questions can no longer change.")]}
        )


def _clean_question(
    poll: Poll,
    errors: Errors,
    *,
    kind: str,
    text: str,
    scale_min: int,
    scale_max: int,
    choices: Sequence[tuple[str, str]],
    question: PollQuestion | None = None,
) -> tuple[str, list[tuple[str, str]]]:
    if kind not in QuestionKind.values:
        add_error(errors, "kind", _("Unknown question kind."))
    text = clean_text(text, "text", errors, max_length=300, required=True)
    cleaned: list[tuple[str, str]] = []
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        for label, keyword in choices:
            label, keyword = str(label or "").strip(), keyword_key(str(keyword or ""))
            if not label:
                continue
            if len(label) > 150:
                add_error(errors, "choices", _("A choice has at most 150 characters."))
            if len(keyword) > 20:
                add_error(errors, "choices", _("A keyword has at most 20 characters."))
            cleaned.append((label, keyword))
        if len(cleaned) < 2:
            add_error(errors, "choices", _("Give at least two choices."))
        if len(cleaned) > MAX_CHOICES:
            add_error(errors, "choices", _("At most %(n)d choices.") % {"n": MAX_CHOICES})
        keywords = [k for _label, k in cleaned if k]
        if len(set(keywords)) != len(keywords):
            add_error(errors, "choices", _("Two choices have the same keyword."))
        if keywords and kind != QuestionKind.SINGLE:
            add_error(errors, "choices", _("Only a single-choice question can be answered by keyword."))
        others = PollChoice.objects.filter(question__poll=poll).exclude(keyword="")
        if question is not None:
            others = others.exclude(question=question)
        if keywords and others.exists():
            add_error(errors, "choices", _("Another question of this poll already has keywords."))
    if kind == QuestionKind.SCALE and not (-10 <= scale_min < scale_max <= 10):
        add_error(
            errors, "scale_max", _("The scale runs from a lower to a higher number between -10 and 10.")
        )
    return text, cleaned


def _save_choices(workspace: Workspace, question: PollQuestion, choices: list[tuple[str, str]]) -> None:
    question.choices.all().delete()
    PollChoice.objects.bulk_create(
        PollChoice(workspace=workspace, question=question, position=i, label=label, keyword=keyword)
        for i, (label, keyword) in enumerate(choices)
    )


def _question_snapshot(question: PollQuestion) -> dict[str, Any]:
    return {**snapshot(question), "choices": [(c.label, c.keyword) for c in question.choices.all()]}


@transaction.atomic
def question_create(
    *,
    workspace: Workspace,
    actor: Any,
    poll: Poll,
    kind: str,
    text: str,
    required: bool = True,
    scale_min: int = 1,
    scale_max: int = 5,
    choices: Sequence[tuple[str, str]] = (),
    position: int | None = None,
) -> PollQuestion:
    """Add a question to a poll without responses; choices are (label, keyword) pairs."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, poll, "poll")
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    _refuse_if_answered(poll)
    errors: Errors = {}
    text, cleaned = _clean_question(
        poll, errors, kind=kind, text=text, scale_min=scale_min, scale_max=scale_max, choices=choices
    )
    count = poll.questions.count()
    if count >= MAX_QUESTIONS:
        add_error(errors, "__all__", _("A poll has at most %(n)d questions.") % {"n": MAX_QUESTIONS})
    if errors:
        raise ValidationError(errors)
    question = PollQuestion.objects.create(
        workspace=workspace,
        poll=poll,
        position=count if position is None else position,
        kind=kind,
        text=text,
        required=bool(required),
        scale_min=scale_min if kind == QuestionKind.SCALE else 1,
        scale_max=scale_max if kind == QuestionKind.SCALE else 5,
    )
    _save_choices(workspace, question, cleaned)
    audit_saved(
        question, workspace=workspace, actor=actor, action="poll_question.create", snap=_question_snapshot
    )
    return question


@transaction.atomic
def question_update(
    *, workspace: Workspace, actor: Any, question: PollQuestion, **changes: Any
) -> PollQuestion:
    """Change a question of a poll without responses (kind, text, required, scale, choices, position)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, question, "question")
    poll = Poll.objects.select_for_update().get(pk=question.poll_id)
    _refuse_if_answered(poll)
    question = PollQuestion.objects.get(pk=question.pk)
    before = _question_snapshot(question)
    errors: Errors = {}
    kind = changes.get("kind", question.kind)
    choices = changes.get("choices")
    if choices is None:
        choices = [(c.label, c.keyword) for c in question.choices.all()]
    text, cleaned = _clean_question(
        poll,
        errors,
        kind=kind,
        text=changes.get("text", question.text),
        scale_min=changes.get("scale_min", question.scale_min),
        scale_max=changes.get("scale_max", question.scale_max),
        choices=choices,
        question=question,
    )
    if errors:
        raise ValidationError(errors)
    question.kind, question.text = kind, text
    if "required" in changes:
        question.required = bool(changes["required"])
    if "position" in changes:
        question.position = int(changes["position"])
    if kind == QuestionKind.SCALE:
        question.scale_min = changes.get("scale_min", question.scale_min)
        question.scale_max = changes.get("scale_max", question.scale_max)
    question.save()
    _save_choices(workspace, question, cleaned)
    audit_saved(
        question,
        workspace=workspace,
        actor=actor,
        action="poll_question.update",
        before=before,
        snap=_question_snapshot,
    )
    return question


@transaction.atomic
def question_move(*, workspace: Workspace, actor: Any, question: PollQuestion, up: bool) -> PollQuestion:
    """Move a question of a poll without responses one place up or down (the first stays first)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, question, "question")
    poll = Poll.objects.select_for_update().get(pk=question.poll_id)
    _refuse_if_answered(poll)
    rows = list(PollQuestion.objects.filter(poll=poll).order_by("position", "pk"))
    at = next(i for i, q in enumerate(rows) if q.pk == question.pk)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(rows):
        return rows[at]
    before = _question_snapshot(rows[at])
    rows[at], rows[other] = rows[other], rows[at]
    # Renumber them all: older polls may hold equal positions, which a swap alone would not order.
    for i, q in enumerate(rows):
        if q.position != i:
            q.position = i
            q.save(update_fields=["position"])
    moved = rows[other]
    audit_saved(
        moved,
        workspace=workspace,
        actor=actor,
        action="poll_question.update",
        before=before,
        snap=_question_snapshot,
    )
    return moved


@transaction.atomic
def question_delete(*, workspace: Workspace, actor: Any, question: PollQuestion) -> None:
    """Remove a question from a poll without responses."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, question, "question")
    _refuse_if_answered(Poll.objects.select_for_update().get(pk=question.poll_id))
    audit_delete(
        question, workspace=workspace, actor=actor, action="poll_question.delete", snap=_question_snapshot
    )
