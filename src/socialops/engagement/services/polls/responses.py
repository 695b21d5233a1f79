"""Responses to polls: the public page's (one per device) and keyword replies (one per person, the first).

Responses are the system's doing (a fan answered), so ``response_submit`` and ``keyword_response``
take no actor; keeping a free-text answer as an idea is a member's (campaign.edit).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.core.actors import SYSTEM
from socialops.core.validation import Errors, add_error
from socialops.fans.interests import vocabulary
from socialops.fans.models import Interaction, InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from socialops.textkit.matching import TermMatcher
from socialops.textkit.normalize import normalize
from socialops.textkit.sentiment import classify
from socialops.workspaces.access import ensure_same_workspace
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace

from ...models.campaigns import Idea, IdeaSource
from ...models.polls import (
    Poll,
    PollAnswer,
    PollChoice,
    PollResponse,
    PollStatus,
    QuestionKind,
    ResponseChannel,
)
from ..ideas import idea_collect
from .setup import device_key, keyword_key, poll_accepting

TEXT_ANSWER_LENGTH = 2000
# The fan messages whose text may be a keyword reply.
KEYWORD_KINDS = frozenset({InteractionKind.COMMENT, InteractionKind.REPLY, InteractionKind.MESSAGE})

# ---- responses ---------------------------------------------------------------------------------


def _text_tags(workspace: Workspace, texts: Iterable[str]) -> list[tuple[str, str, list[str]]]:
    """(sentiment, intent, keywords) of each text: the inbox's classifier and the workspace's vocabulary."""
    texts = list(texts)
    if not texts:
        return []
    matcher: TermMatcher[str] = TermMatcher(vocabulary(workspace).items())
    out = []
    for text in texts:
        found = classify(text)
        words = {m.payload for m in matcher.iter_longest(normalize(text, drop_spaces="cjk").text)}
        out.append((found.sentiment, found.intent, sorted(words)[:10]))
    return out


def _clean_answers(poll: Poll, raw: Mapping[str, Any]) -> list[PollAnswer]:
    """Answer rows for the raw values keyed ``q<question id>``; errors name each question's field."""
    errors: Errors = {}
    rows: list[PollAnswer] = []
    for question in poll.questions.prefetch_related("choices"):
        field = f"q{question.pk}"
        value = raw.get(field)
        values = [
            str(v).strip() for v in (value if isinstance(value, list | tuple) else [value]) if v is not None
        ]
        values = [v for v in values if v]
        if not values:
            if question.required:
                add_error(errors, field, _("Please answer this question."))
            continue
        base = {"workspace_id": poll.workspace_id, "question": question}
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            by_id = {str(c.pk): c for c in question.choices.all()}
            if any(v not in by_id for v in values) or (
                question.kind == QuestionKind.SINGLE and len(values) > 1
            ):
                add_error(errors, field, _("Choose one of the choices given."))
                continue
            rows += [PollAnswer(**base, choice=by_id[v]) for v in dict.fromkeys(values)]
        elif question.kind == QuestionKind.SCALE:
            try:
                number = int(values[0])
            except ValueError:
                number = question.scale_min - 1
            if not question.scale_min <= number <= question.scale_max:
                add_error(
                    errors,
                    field,
                    _("Choose a number from %(lo)d to %(hi)d.")
                    % {"lo": question.scale_min, "hi": question.scale_max},
                )
                continue
            rows.append(PollAnswer(**base, scale_value=number))
        else:
            text = values[0]
            if "\x00" in text:
                add_error(errors, field, _("Null characters are not allowed."))
            elif len(text) > TEXT_ANSWER_LENGTH:
                add_error(errors, field, _("At most %(n)d characters.") % {"n": TEXT_ANSWER_LENGTH})
            else:
                rows.append(PollAnswer(**base, text=text))
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError({"__all__": [_("Answer at least one question.")]})
    return rows


def _store(response: PollResponse, answers: list[PollAnswer]) -> None:
    texts = [a for a in answers if a.text]
    for answer, (sentiment, intent, tags) in zip(
        texts, _text_tags(response.workspace, (a.text for a in texts)), strict=True
    ):
        answer.sentiment, answer.intent, answer.tags = sentiment, intent, tags
    for answer in answers:
        answer.response = response
    PollAnswer.objects.bulk_create(answers)


@transaction.atomic
def response_submit(
    *,
    poll: Poll,
    answers: Mapping[str, Any],
    device_token: str = "",
    submitted_at: dt.datetime | None = None,
) -> PollResponse:
    """Store a public page's response (the system's write: a fan answered); one per device when the poll says so.

    Refuses a poll not taking responses, a missing device cookie on a one-per-device poll and a
    device that already answered; answer errors name the question's field (``q<id>``).
    """
    submitted_at = submitted_at or timezone.now()
    if not poll_accepting(poll, submitted_at):
        raise ValidationError({"__all__": [_("This poll is closed.")]})
    key = ""
    if poll.one_per_device:
        key = device_key(device_token)
        if not key:
            raise ValidationError({"__all__": [_("Your browser must accept cookies to answer this poll.")]})
        if PollResponse.objects.filter(poll=poll, device_key=key).exists():
            raise ValidationError({"__all__": [_("You have already answered this poll.")]})
    rows = _clean_answers(poll, answers)
    try:
        with transaction.atomic():
            response = PollResponse.objects.create(
                workspace=poll.workspace,
                poll=poll,
                channel=ResponseChannel.PAGE,
                submitted_at=submitted_at,
                device_key=key,
            )
    except IntegrityError:  # the same device answered a moment ago: the first response stands
        raise ValidationError({"__all__": [_("You have already answered this poll.")]}) from None
    _store(response, rows)
    audit_record(
        workspace=poll.workspace,
        actor=SYSTEM,
        action="poll_response.create",
        obj=response,
        after={"poll": poll.pk, "channel": ResponseChannel.PAGE},
    )
    return response


def _vote_meta(poll: Poll, response: PollResponse, choice: PollChoice) -> dict[str, Any]:
    meta: dict[str, Any] = {"poll": poll.pk, "response": response.pk, "choice": choice.pk}
    if poll.campaign_id:
        meta["campaign"] = poll.campaign_id
    return meta


def keyword_response(*, interaction: Interaction) -> PollResponse | None:
    """A fan's comment or message that is exactly a keyword of an open poll on its account: their response.

    The first keyword a person replies counts (later ones are ignored); the vote is also recorded
    as the fan's Interaction kind=vote with meta {"poll", "campaign" (when any), "response", "choice"}.
    Returns the new response, None when the message is no keyword reply (or not the first).
    """
    if interaction.kind not in KEYWORD_KINDS or interaction.fan_id is None or interaction.account_id is None:
        return None
    key = keyword_key(interaction.text)
    if not key or len(key) > 20:
        return None
    choices = (
        PollChoice.objects.filter(
            workspace_id=interaction.workspace_id,
            keyword=key,
            question__poll__keyword_account_id=interaction.account_id,
            question__poll__status=PollStatus.OPEN,
        )
        .select_related("question__poll__workspace")
        .order_by("question__poll_id")
    )
    made = None
    for choice in choices:
        poll = choice.question.poll
        if not poll_accepting(poll, interaction.occurred_at):
            continue
        if PollResponse.objects.filter(poll=poll, person_id=interaction.person_id).exists():
            continue
        with transaction.atomic():
            try:
                with transaction.atomic():
                    response = PollResponse.objects.create(
                        workspace=poll.workspace,
                        poll=poll,
                        channel=ResponseChannel.KEYWORD,
                        submitted_at=interaction.occurred_at,
                        person_id=interaction.person_id,
                        fan_id=interaction.fan_id,
                        source_interaction=interaction,
                    )
            except IntegrityError:  # the person's first response was stored concurrently
                continue
            PollAnswer.objects.create(
                workspace=poll.workspace, response=response, question=choice.question, choice=choice
            )
            fan = interaction.fan
            assert fan is not None
            interaction_record(
                workspace=poll.workspace,
                fan=fan,
                kind=InteractionKind.VOTE,
                occurred_at=interaction.occurred_at,
                source=InteractionSource.SYSTEM,
                text=choice.label,
                external_id=f"poll:{poll.pk}:response:{response.pk}",
                meta=_vote_meta(poll, response, choice),
            )
            audit_record(
                workspace=poll.workspace,
                actor=SYSTEM,
                action="poll_response.create",
                obj=response,
                after={"poll": poll.pk, "channel": ResponseChannel.KEYWORD, "person": interaction.person_id},
            )
        made = made or response
    return made


def answer_keep_idea(*, workspace: Workspace, actor: Any, answer: PollAnswer) -> Idea:
    """Keep a free-text answer as an idea (source "poll", the answer's id); keeping it twice is one idea."""
    ensure_same_workspace(workspace, answer, "answer")
    if not answer.text:
        raise ValidationError({"answer": [_("Only a free-text answer can be kept as an idea.")]})
    response = answer.response
    return idea_collect(
        workspace=workspace,
        actor=actor,
        text=answer.text,
        source=IdeaSource.POLL,
        source_id=str(answer.pk),
        person=response.person,
        campaign=response.poll.campaign,
    )
