"""Reads of polls and surveys: lists, one poll, its results (counts, scale figures, free text), responses."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404

from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, member_rows

from ..models.campaigns import Idea, IdeaSource
from ..models.polls import Poll, PollAnswer, PollQuestion, PollResponse, PollStatus, QuestionKind

# Free-text answers shown per question on the results panel (the export holds them all).
TEXTS_SHOWN = 20


def poll_list(
    *, workspace: Workspace, user: Any, status: str = "", campaign_id: int | None = None
) -> QuerySet[Poll]:
    """The workspace's polls, newest first, with their response counts; narrowed by status or campaign."""
    rows = member_rows(Poll, workspace=workspace, user=user).select_related("campaign", "keyword_account")
    if status in PollStatus.values:
        rows = rows.filter(status=status)
    if campaign_id:
        rows = rows.filter(campaign_id=campaign_id)
    return rows.annotate(response_count=Count("responses", distinct=True)).order_by("-created_at", "-pk")


def poll_get(*, workspace: Workspace, user: Any, poll_id: int) -> Poll:
    """One poll of this workspace, or Http404."""
    rows = member_rows(Poll, workspace=workspace, user=user)
    return get_object_or_404(
        rows.select_related("campaign", "keyword_account").prefetch_related("accounts"), pk=poll_id
    )


def question_get(*, workspace: Workspace, user: Any, poll: Poll, question_id: int) -> PollQuestion:
    """One question of this poll, or Http404."""
    return member_row_or_404(PollQuestion, workspace=workspace, user=user, poll=poll, pk=question_id)


def answer_get(*, workspace: Workspace, user: Any, poll: Poll, answer_id: int) -> PollAnswer:
    """One answer to this poll, or Http404."""
    rows = member_rows(PollAnswer, workspace=workspace, user=user)
    return get_object_or_404(
        rows.select_related("response__poll__campaign", "response__person"), response__poll=poll, pk=answer_id
    )


def public_poll(token: str) -> Poll:
    """The poll behind a public address (any status: a draft or closed poll says so), or Http404."""
    return get_object_or_404(
        Poll.objects.select_related("workspace").exclude(status=PollStatus.DRAFT), token=token
    )


def public_questions(poll: Poll) -> list[PollQuestion]:
    """The poll's questions with their choices, in order (for the public page)."""
    return list(poll.questions.prefetch_related("choices").order_by("position", "pk"))


def response_list(*, workspace: Workspace, user: Any, poll: Poll) -> QuerySet[PollResponse]:
    """The poll's responses, newest first, with their answers."""
    return (
        member_rows(PollResponse, workspace=workspace, user=user)
        .filter(poll=poll)
        .select_related("person")
        .prefetch_related("answers__choice")
        .order_by("-submitted_at", "-pk")
    )


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def poll_results(
    *, workspace: Workspace, user: Any, poll: Poll, texts_shown: int | None = TEXTS_SHOWN
) -> dict[str, Any]:
    """The poll's figures: responses (by channel and local day), and per question its counts and answers.

    Choice questions: count and share (of the respondents who answered the question) per choice;
    scale: average and distribution; free text: the answers, newest first, with their tags and
    whether each was kept as an idea.
    """
    responses = member_rows(PollResponse, workspace=workspace, user=user).filter(poll=poll)
    by_channel = dict(responses.values_list("channel").annotate(n=Count("pk")).order_by())
    days = (
        responses.annotate(day=TruncDate("submitted_at", tzinfo=workspace.tz))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    answers = PollAnswer.objects.filter(workspace=workspace, response__poll=poll)
    answered = dict(
        answers.values_list("question_id").annotate(n=Count("response_id", distinct=True)).order_by()
    )
    choice_counts = dict(
        answers.filter(choice__isnull=False).values_list("choice_id").annotate(n=Count("pk")).order_by()
    )
    scale_counts: dict[int, Counter[int]] = defaultdict(Counter)
    for question_id, value, n in (
        answers.filter(scale_value__isnull=False)
        .values_list("question_id", "scale_value")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        scale_counts[question_id][value] = n
    kept = set(
        Idea.objects.filter(workspace=workspace, source=IdeaSource.POLL).values_list("source_id", flat=True)
    )
    questions: list[dict[str, Any]] = []
    for question in poll.questions.prefetch_related("choices").order_by("position", "pk"):
        n = answered.get(question.pk, 0)
        row: dict[str, Any] = {"id": question.pk, "text": question.text, "kind": question.kind, "answered": n}
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            row["choices"] = [
                {
                    "id": c.pk,
                    "label": c.label,
                    "keyword": c.keyword,
                    "count": choice_counts.get(c.pk, 0),
                    "share": _share(choice_counts.get(c.pk, 0), n),
                }
                for c in question.choices.all()
            ]
        elif question.kind == QuestionKind.SCALE:
            counts = scale_counts.get(question.pk, Counter())
            total = sum(counts.values())
            row["scale"] = {
                "min": question.scale_min,
                "max": question.scale_max,
                "average": round(sum(v * c for v, c in counts.items()) / total, 2) if total else None,
                "distribution": [
                    {"value": v, "count": counts.get(v, 0)}
                    for v in range(question.scale_min, question.scale_max + 1)
                ],
            }
        else:
            texts = (
                answers.filter(question=question)
                .exclude(text="")
                .select_related("response")
                .order_by("-response__submitted_at", "-pk")
            )
            shown = texts if texts_shown is None else texts[:texts_shown]
            row["texts"] = [
                {
                    "id": a.pk,
                    "text": a.text,
                    "sentiment": a.sentiment,
                    "intent": a.intent,
                    "tags": list(a.tags or []),
                    "submitted_at": a.response.submitted_at,
                    "kept": str(a.pk) in kept,
                }
                for a in shown
            ]
            row["sentiments"] = dict(texts.values_list("sentiment").annotate(c=Count("pk")).order_by())
        questions.append(row)
    return {
        "poll_id": poll.pk,
        "responses": sum(by_channel.values()),
        "by_channel": {"page": by_channel.get("page", 0), "keyword": by_channel.get("keyword", 0)},
        "days": [{"day": d["day"], "count": d["count"]} for d in days],
        "questions": questions,
    }


def open_keyword_polls(*, workspace: Workspace, user: Any) -> QuerySet[Poll]:
    """Open polls answered by keyword replies (for the list's hints)."""
    return member_rows(Poll, workspace=workspace, user=user).filter(
        Q(status=PollStatus.OPEN) & Q(keyword_account__isnull=False)
    )
