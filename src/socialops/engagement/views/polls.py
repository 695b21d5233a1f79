"""Pages of the engagement app: polls (list, detail with live results, questions, export)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.accounts.models import SocialAccount
from socialops.core.view_helpers import form_page, run_and_say, submitted
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.polls import PollForm, QuestionForm
from ..models.campaigns import Campaign
from ..models.polls import Poll, PollStatus, QuestionKind
from ..presenters import polls as pres
from ..selectors import polls as sel
from ..services import polls as svc
from .polls_public import polls_public_urlpatterns


def _detail_url(request: WorkspaceRequest, poll: Poll) -> str:
    return reverse("poll_detail", kwargs={"slug": request.workspace.slug, "poll_id": poll.pk})


def _poll_form(request: WorkspaceRequest, poll: Poll | None) -> PollForm:
    initial = None
    if poll is not None:
        initial = {
            "title": poll.title,
            "description": poll.description,
            "campaign": poll.campaign_id,
            "accounts": [a.pk for a in poll.accounts.all()],
            "keyword_account": poll.keyword_account_id,
            "opens_at": poll.opens_at,
            "closes_at": poll.closes_at,
            "one_per_device": poll.one_per_device,
        }
    return PollForm(
        request.POST or None,
        initial=initial,
        campaigns=Campaign.objects.filter(workspace=request.workspace),
        accounts=SocialAccount.objects.filter(workspace=request.workspace).order_by("display_name", "pk"),
    )


@workspace_view()
def poll_list(request: WorkspaceRequest) -> HttpResponse:
    """The workspace's polls with their status and response counts."""
    status = request.GET.get("status", "")
    rows = sel.poll_list(workspace=request.workspace, user=request.user, status=status)[:500]
    return render(
        request,
        "engagement/polls/list.html",
        {
            "polls": rows,
            "status": status,
            "statuses": PollStatus.choices,
            "can_edit": user_can(workspace=request.workspace, user=request.user, perm=Perm.CAMPAIGN_EDIT),
        },
    )


@workspace_view(Perm.CAMPAIGN_EDIT)
def poll_create(request: WorkspaceRequest) -> HttpResponse:
    """Start a poll (in draft)."""
    form = _poll_form(request, None)
    done = submitted(
        request,
        form,
        lambda: svc.poll_create(workspace=request.workspace, actor=request.user, **form.cleaned_data),
        message=_("Poll created. Add its questions, then open it."),
        to=lambda poll: _detail_url(request, poll),
    )
    cancel = reverse("poll_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(request, form, title=_("New poll"), submit=_("Create"), cancel_url=cancel)


@workspace_view(Perm.CAMPAIGN_EDIT)
def poll_edit(request: WorkspaceRequest, poll_id: int) -> HttpResponse:
    """Change a poll's settings."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    form = _poll_form(request, poll)
    done = submitted(
        request,
        form,
        lambda: svc.poll_update(
            workspace=request.workspace, actor=request.user, poll=poll, **form.cleaned_data
        ),
        message=_("Poll saved."),
        to=lambda p: _detail_url(request, p),
    )
    return done or form_page(
        request, form, title=_("Edit poll"), submit=_("Save"), cancel_url=_detail_url(request, poll)
    )


def _results_context(request: WorkspaceRequest, poll: Poll) -> dict[str, Any]:
    results = sel.poll_results(workspace=request.workspace, user=request.user, poll=poll)
    return {
        "poll": poll,
        "results": pres.results_view(results),
        "can_edit": user_can(workspace=request.workspace, user=request.user, perm=Perm.CAMPAIGN_EDIT),
    }


@workspace_view()
def poll_detail(request: WorkspaceRequest, poll_id: int) -> HttpResponse:
    """A poll: its settings, questions, public address, and its results refreshing live."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    context = _results_context(request, poll)
    context.update(
        {
            "questions": sel.public_questions(poll),
            "public_url": request.build_absolute_uri(reverse("poll_public", kwargs={"token": poll.token})),
            "accepting": svc.poll_accepting(poll),
            "has_responses": context["results"]["responses"] > 0,
        }
    )
    return render(request, "engagement/polls/detail.html", context)


@workspace_view()
def poll_results(request: WorkspaceRequest, poll_id: int) -> HttpResponse:
    """The results panel alone (htmx refreshes it every few seconds)."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    return render(request, "engagement/polls/results_panel.html", _results_context(request, poll))


@workspace_view()
def poll_export(request: WorkspaceRequest, poll_id: int) -> HttpResponse:
    """The results as an XLSX workbook: a summary sheet and one row per response."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    results = sel.poll_results(workspace=request.workspace, user=request.user, poll=poll, texts_shown=0)
    responses = sel.response_list(workspace=request.workspace, user=request.user, poll=poll).order_by(
        "submitted_at", "pk"
    )
    body = pres.results_xlsx(poll, results, responses.iterator(chunk_size=500), request.workspace.tz)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="poll-{poll.pk}.xlsx"'
    return response


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def poll_status(request: WorkspaceRequest, poll_id: int) -> HttpResponse:
    """Open or close a poll."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    status = request.POST.get("status", "")
    done = _("Poll opened.") if status == PollStatus.OPEN else _("Poll closed.")
    run_and_say(
        request,
        lambda: svc.poll_set_status(
            workspace=request.workspace, actor=request.user, poll=poll, status=status
        ),
        done,
    )
    return redirect(_detail_url(request, poll))


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def poll_delete(request: WorkspaceRequest, poll_id: int) -> HttpResponse:
    """Delete a poll with its responses."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    if run_and_say(
        request,
        lambda: svc.poll_delete(workspace=request.workspace, actor=request.user, poll=poll),
        _("Poll deleted."),
    ):
        return redirect("poll_list", slug=request.workspace.slug)
    return redirect(_detail_url(request, poll))


# ---- questions ---------------------------------------------------------------------------------


@workspace_view(Perm.CAMPAIGN_EDIT)
def question_create(request: WorkspaceRequest, poll_id: int) -> HttpResponse:
    """Add a question to a poll without responses."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    form = QuestionForm(request.POST or None, initial={"kind": QuestionKind.SINGLE})
    done = submitted(
        request,
        form,
        lambda: svc.question_create(
            workspace=request.workspace, actor=request.user, poll=poll, **form.service_fields()
        ),
        message=_("Question added."),
        to=_detail_url(request, poll),
    )
    return done or form_page(
        request, form, title=_("New question"), submit=_("Add"), cancel_url=_detail_url(request, poll)
    )


@workspace_view(Perm.CAMPAIGN_EDIT)
def question_edit(request: WorkspaceRequest, poll_id: int, question_id: int) -> HttpResponse:
    """Change a question of a poll without responses."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    question = sel.question_get(
        workspace=request.workspace, user=request.user, poll=poll, question_id=question_id
    )
    initial = {
        "kind": question.kind,
        "text": question.text,
        "required": question.required,
        "scale_min": question.scale_min,
        "scale_max": question.scale_max,
        "choices": "\n".join(
            f"{c.label} | {c.keyword}" if c.keyword else c.label for c in question.choices.all()
        ),
    }
    form = QuestionForm(request.POST or None, initial=initial)
    done = submitted(
        request,
        form,
        lambda: svc.question_update(
            workspace=request.workspace, actor=request.user, question=question, **form.service_fields()
        ),
        message=_("Question saved."),
        to=_detail_url(request, poll),
    )
    return done or form_page(
        request, form, title=_("Edit question"), submit=_("Save"), cancel_url=_detail_url(request, poll)
    )


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def question_delete(request: WorkspaceRequest, poll_id: int, question_id: int) -> HttpResponse:
    """Remove a question from a poll without responses."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    question = sel.question_get(
        workspace=request.workspace, user=request.user, poll=poll, question_id=question_id
    )
    run_and_say(
        request,
        lambda: svc.question_delete(workspace=request.workspace, actor=request.user, question=question),
        _("Question removed."),
    )
    return redirect(_detail_url(request, poll))


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def question_move(request: WorkspaceRequest, poll_id: int, question_id: int) -> HttpResponse:
    """Move a question one place up (``direction=up``) or down."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    question = sel.question_get(
        workspace=request.workspace, user=request.user, poll=poll, question_id=question_id
    )
    up = request.POST.get("direction") == "up"
    run_and_say(
        request,
        lambda: svc.question_move(workspace=request.workspace, actor=request.user, question=question, up=up),
        _("Question moved."),
    )
    return redirect(_detail_url(request, poll))


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def answer_keep(request: WorkspaceRequest, poll_id: int, answer_id: int) -> HttpResponse:
    """Keep a free-text answer as an idea."""
    poll = sel.poll_get(workspace=request.workspace, user=request.user, poll_id=poll_id)
    answer = sel.answer_get(workspace=request.workspace, user=request.user, poll=poll, answer_id=answer_id)
    run_and_say(
        request,
        lambda: svc.answer_keep_idea(workspace=request.workspace, actor=request.user, answer=answer),
        _("Kept as an idea."),
    )
    if request.headers.get("HX-Request"):
        return render(request, "engagement/polls/results_panel.html", _results_context(request, poll))
    return redirect(_detail_url(request, poll))


polls_urlpatterns: list[URLPattern] = [
    path("polls/", poll_list, name="poll_list"),
    path("polls/new/", poll_create, name="poll_create"),
    path("polls/<int:poll_id>/", poll_detail, name="poll_detail"),
    path("polls/<int:poll_id>/edit/", poll_edit, name="poll_edit"),
    path("polls/<int:poll_id>/results/", poll_results, name="poll_results"),
    path("polls/<int:poll_id>/export.xlsx", poll_export, name="poll_export"),
    path("polls/<int:poll_id>/status/", poll_status, name="poll_status"),
    path("polls/<int:poll_id>/delete/", poll_delete, name="poll_delete"),
    path("polls/<int:poll_id>/questions/new/", question_create, name="poll_question_create"),
    path("polls/<int:poll_id>/questions/<int:question_id>/edit/", question_edit, name="poll_question_edit"),
    path("polls/<int:poll_id>/questions/<int:question_id>/move/", question_move, name="poll_question_move"),
    path(
        "polls/<int:poll_id>/questions/<int:question_id>/delete/",
        question_delete,
        name="poll_question_delete",
    ),
    path("polls/<int:poll_id>/answers/<int:answer_id>/idea/", answer_keep, name="poll_answer_keep"),
]

__all__ = ["polls_public_urlpatterns", "polls_urlpatterns"]
