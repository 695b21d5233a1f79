"""Pages of the fans app: playbooks (editor, dry run, run history, who got what)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.view_helpers import run_and_say, submitted
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.playbooks import PlaybookForm, initial_from
from ..models import Playbook
from ..presenters.coupons import action_label, action_sentence
from ..selectors import playbooks as sel
from ..services import playbooks as svc


def _form(request: WorkspaceRequest, data: Any = None, initial: dict[str, Any] | None = None) -> PlaybookForm:
    choices = sel.playbook_choices(workspace=request.workspace, user=request.user)
    users = get_user_model().objects.filter(pk__in=[u.pk for u in choices["users"]]).order_by("username")
    return PlaybookForm(
        data,
        initial=initial,
        segments=choices["segments"],
        campaigns=choices["campaigns"],
        items=choices["items"],
        users=users,
    )


def _detail_url(request: WorkspaceRequest, playbook: Playbook) -> str:
    return reverse("playbook_detail", kwargs={"slug": request.workspace.slug, "playbook_id": playbook.pk})


@workspace_view()
def playbook_list(request: WorkspaceRequest) -> HttpResponse:
    """Playbooks with their segment, trigger, actions and last run."""
    playbooks = sel.playbook_list(workspace=request.workspace, user=request.user)
    rows = [(p, [action_label(a.get("type", "")) for a in p.actions]) for p in playbooks]
    return render(request, "fans/playbooks_list.html", {"rows": rows})


@workspace_view(Perm.FANS_EDIT)
def playbook_create(request: WorkspaceRequest) -> HttpResponse:
    """Write a new playbook."""
    workspace = request.workspace
    form = _form(request, request.POST or None)
    done = submitted(
        request,
        form,
        lambda: svc.playbook_create(workspace=workspace, actor=request.user, **form.service_fields()),
        message=_("Playbook created. Try a dry run to see who would get what."),
        to=lambda playbook: _detail_url(request, playbook),
    )
    return done or render(request, "fans/playbooks_form.html", {"form": form, "playbook": None})


@workspace_view(Perm.FANS_EDIT)
def playbook_edit(request: WorkspaceRequest, playbook_id: int) -> HttpResponse:
    """Change a playbook."""
    workspace = request.workspace
    playbook = sel.playbook_get(workspace=workspace, user=request.user, playbook_id=playbook_id)
    form = _form(request, request.POST or None, initial=initial_from(playbook))
    done = submitted(
        request,
        form,
        lambda: svc.playbook_update(
            workspace=workspace, actor=request.user, playbook=playbook, **form.service_fields()
        ),
        message=_("Playbook saved."),
        to=_detail_url(request, playbook),
    )
    return done or render(request, "fans/playbooks_form.html", {"form": form, "playbook": playbook})


@require_POST
@workspace_view(Perm.FANS_EDIT)
def playbook_delete(request: WorkspaceRequest, playbook_id: int) -> HttpResponse:
    """Delete a playbook and its run history."""
    workspace = request.workspace
    playbook = sel.playbook_get(workspace=workspace, user=request.user, playbook_id=playbook_id)
    run_and_say(
        request,
        lambda: svc.playbook_delete(workspace=workspace, actor=request.user, playbook=playbook),
        _("Playbook deleted."),
    )
    return redirect("playbook_list", slug=workspace.slug)


@workspace_view()
def playbook_detail(request: WorkspaceRequest, playbook_id: int) -> HttpResponse:
    """One playbook: what it does, the dry-run and run buttons, and its runs."""
    workspace = request.workspace
    playbook = sel.playbook_get(workspace=workspace, user=request.user, playbook_id=playbook_id)
    runs = Paginator(sel.playbook_runs(workspace=workspace, user=request.user, playbook=playbook), 25)
    actions = [
        (action_label(a.get("type", "")), action_sentence(a.get("type", ""), "", a)) for a in playbook.actions
    ]
    return render(
        request,
        "fans/playbooks_detail.html",
        {"playbook": playbook, "actions": actions, "runs": runs.get_page(request.GET.get("page"))},
    )


@require_POST
@workspace_view(Perm.FANS_EDIT)
def playbook_run(request: WorkspaceRequest, playbook_id: int) -> HttpResponse:
    """Run the playbook now, or dry-run it (``dry_run=1``), then show the run."""
    workspace = request.workspace
    playbook = sel.playbook_get(workspace=workspace, user=request.user, playbook_id=playbook_id)
    dry_run = request.POST.get("dry_run") == "1"
    try:
        run = svc.playbook_run(workspace=workspace, actor=request.user, playbook=playbook, dry_run=dry_run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_detail_url(request, playbook))
    return redirect("playbook_run_detail", slug=workspace.slug, playbook_id=playbook.pk, run_id=run.pk)


@workspace_view()
def playbook_run_detail(request: WorkspaceRequest, playbook_id: int, run_id: int) -> HttpResponse:
    """Who got (or, in a dry run, would get) what in one run."""
    workspace = request.workspace
    playbook = sel.playbook_get(workspace=workspace, user=request.user, playbook_id=playbook_id)
    run = sel.run_get(workspace=workspace, user=request.user, playbook=playbook, run_id=run_id)
    identity = user_can(workspace=workspace, user=request.user, perm=Perm.FANS_IDENTITY)
    page = Paginator(sel.run_actions(workspace=workspace, user=request.user, run=run), 100).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "person": (a.person.display_name or a.person.pseudonym) if identity else a.person.pseudonym,
            "label": action_label(a.action_type),
            "status": a.status,
            "status_label": a.get_status_display(),
            "summary": action_sentence(a.action_type, a.status, a.detail),
        }
        for a in page
    ]
    return render(
        request, "fans/playbooks_run.html", {"playbook": playbook, "run": run, "rows": rows, "page": page}
    )


playbooks_urlpatterns: list[URLPattern] = [
    path("fans/playbooks/", playbook_list, name="playbook_list"),
    path("fans/playbooks/new/", playbook_create, name="playbook_create"),
    path("fans/playbooks/<int:playbook_id>/", playbook_detail, name="playbook_detail"),
    path("fans/playbooks/<int:playbook_id>/edit/", playbook_edit, name="playbook_edit"),
    path("fans/playbooks/<int:playbook_id>/delete/", playbook_delete, name="playbook_delete"),
    path("fans/playbooks/<int:playbook_id>/run/", playbook_run, name="playbook_run"),
    path(
        "fans/playbooks/<int:playbook_id>/runs/<int:run_id>/", playbook_run_detail, name="playbook_run_detail"
    ),
]
