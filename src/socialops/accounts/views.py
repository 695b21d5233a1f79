"""Pages: our accounts, an account's profile and personas (the competitor page is in goals)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.view_helpers import form_page, run_and_say, submitted
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from . import selectors, services
from .forms import AccountForm, PersonaForm
from .models import SocialAccount


def _url(name: str, slug: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": slug, **kwargs})


def _list_url_name(account: SocialAccount) -> str:
    return "competitor_list" if account.is_competitor else "account_list"


@workspace_view()
def account_list(request: WorkspaceRequest) -> HttpResponse:
    """Our accounts with platform, positioning and latest follower count."""
    workspace = request.workspace
    accounts = selectors.account_list(
        workspace=workspace, user=request.user, is_competitor=False, with_latest_followers=True
    )
    return render(request, "accounts/account_list.html", {"accounts": accounts})


@workspace_view()
def account_detail(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """An account's positioning, brand traits, style and tone rules, and its personas."""
    workspace = request.workspace
    account = selectors.account_get(
        workspace=workspace, user=request.user, account_id=account_id, with_latest_followers=True
    )
    personas = [
        {"persona": p, "chart": selectors.persona_hours_chart(p), "chart_id": f"persona-hours-{p.pk}"}
        for p in selectors.persona_list(workspace=workspace, user=request.user, account=account)
    ]
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "personas": personas,
            "latest_followers": getattr(account, "latest_followers", None),
            "latest_followers_date": getattr(account, "latest_followers_date", None),
        },
    )


@workspace_view(Perm.ACCOUNT_EDIT)
def account_create(request: WorkspaceRequest) -> HttpResponse:
    """Add one of our accounts, or a competitor's (?competitor=1 ticks the box)."""
    workspace = request.workspace
    competitor = request.GET.get("competitor") == "1"
    form = AccountForm(request.POST or None, initial={"is_competitor": competitor})
    done = submitted(
        request,
        form,
        lambda: services.account_create(workspace=workspace, actor=request.user, **form.cleaned_data),
        message=lambda account: _("Account “%(name)s” added.") % {"name": account.display_name},
        to=lambda account: _url("account_detail", workspace.slug, account_id=account.pk),
    )
    title = _("Add a competitor's account") if competitor else _("Add an account")
    cancel = "competitor_list" if competitor else "account_list"
    return done or form_page(
        request, form, title=title, cancel_url=_url(cancel, workspace.slug), submit=_("Add account")
    )


@workspace_view(Perm.ACCOUNT_EDIT)
def account_edit(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Edit an account's profile."""
    workspace = request.workspace
    account = selectors.account_get(workspace=workspace, user=request.user, account_id=account_id)
    detail_url = _url("account_detail", workspace.slug, account_id=account.pk)
    form = AccountForm(request.POST or None, initial=AccountForm.initial_for(account))
    done = submitted(
        request,
        form,
        lambda: services.account_update(
            workspace=workspace, actor=request.user, account=account, **form.cleaned_data
        ),
        message=_("Account saved."),
        to=detail_url,
    )
    title = _("Edit %(name)s") % {"name": account.display_name}
    return done or form_page(request, form, title=title, cancel_url=detail_url, submit=_("Save"))


@require_POST
@workspace_view(Perm.ACCOUNT_EDIT)
def account_delete(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Delete an account with its personas and metric snapshots."""
    workspace = request.workspace
    account = selectors.account_get(workspace=workspace, user=request.user, account_id=account_id)
    list_name = _list_url_name(account)
    name = account.display_name
    deleted = run_and_say(
        request,
        lambda: services.account_delete(workspace=workspace, actor=request.user, account=account),
        _("Account “%(name)s” deleted.") % {"name": name},
    )
    if not deleted:
        return redirect("account_detail", slug=workspace.slug, account_id=account.pk)
    return redirect(list_name, slug=workspace.slug)


@workspace_view(Perm.ACCOUNT_EDIT)
def persona_create(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Describe a new target-audience persona for an account."""
    workspace = request.workspace
    account = selectors.account_get(workspace=workspace, user=request.user, account_id=account_id)
    detail_url = _url("account_detail", workspace.slug, account_id=account.pk)
    form = PersonaForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda: services.persona_create(
            workspace=workspace, actor=request.user, account=account, **form.cleaned_data
        ),
        message=_("Persona added."),
        to=detail_url,
    )
    title = _("New persona for %(name)s") % {"name": account.display_name}
    return done or form_page(request, form, title=title, cancel_url=detail_url, submit=_("Add persona"))


@workspace_view(Perm.ACCOUNT_EDIT)
def persona_edit(request: WorkspaceRequest, persona_id: int) -> HttpResponse:
    """Edit a persona."""
    workspace = request.workspace
    persona = selectors.persona_get(workspace=workspace, user=request.user, persona_id=persona_id)
    detail_url = _url("account_detail", workspace.slug, account_id=persona.account_id)
    form = PersonaForm(request.POST or None, initial=PersonaForm.initial_for(persona))
    done = submitted(
        request,
        form,
        lambda: services.persona_update(
            workspace=workspace, actor=request.user, persona=persona, **form.cleaned_data
        ),
        message=_("Persona saved."),
        to=detail_url,
    )
    title = _("Edit persona %(name)s") % {"name": persona.name}
    return done or form_page(request, form, title=title, cancel_url=detail_url, submit=_("Save"))


@require_POST
@workspace_view(Perm.ACCOUNT_EDIT)
def persona_delete(request: WorkspaceRequest, persona_id: int) -> HttpResponse:
    """Delete a persona."""
    workspace = request.workspace
    persona = selectors.persona_get(workspace=workspace, user=request.user, persona_id=persona_id)
    account_id = persona.account_id
    services.persona_delete(workspace=workspace, actor=request.user, persona=persona)
    messages.success(request, _("Persona deleted."))
    return redirect("account_detail", slug=workspace.slug, account_id=account_id)
