"""Pages of group moderation: the settings, with a box to try a message against them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.view_helpers import apply_form
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.moderation import ModerationSettingsForm, TryMessageForm
from ..moderation.engine import MessageFacts, judge
from ..presenters.moderation import SEVERITY_LABELS
from ..selectors import moderation as sel
from ..services import moderation as svc


@workspace_view(None, write=Perm.COMMUNITY_MODERATE)
def moderation_settings(request: WorkspaceRequest) -> HttpResponse:
    """The moderation rules, lists, thresholds and strike ladder; every member may read and try them."""
    row = sel.moderation_settings(workspace=request.workspace, user=request.user)
    form = ModerationSettingsForm(request.POST or None, initial=ModerationSettingsForm.initial_from(row))
    if request.method == "POST":
        saved = apply_form(
            form,
            lambda: svc.moderation_settings_update(
                workspace=request.workspace, actor=request.user, **form.service_fields()
            ),
        )
        if saved is not None:
            messages.success(request, _("Moderation settings saved. They apply to the next message."))
            return redirect("moderation_settings", slug=request.workspace.slug)
    trial = TryMessageForm(request.GET if "text" in request.GET else None)
    verdict = None
    if trial.is_bound and trial.is_valid():
        text, qr = trial.cleaned_data["text"], trial.cleaned_data["has_image_qr"]
        if text.strip() or qr:
            verdict = judge(MessageFacts(text=text, has_image=qr, image_has_qr=qr), sel.policy_from(row))
    return render(
        request,
        "community/moderation_settings.html",
        {
            "form": form,
            "trial": trial,
            "verdict": verdict,
            "may_edit": request.membership.has_perm(Perm.COMMUNITY_MODERATE),
            "severity_labels": SEVERITY_LABELS,
        },
    )


@require_POST
@workspace_view(Perm.COMMUNITY_MODERATE)
def moderation_settings_reset(request: WorkspaceRequest) -> HttpResponse:
    """Go back to the default moderation settings."""
    svc.moderation_settings_reset(workspace=request.workspace, actor=request.user)
    messages.success(request, _("The default moderation settings apply again."))
    return redirect("moderation_settings", slug=request.workspace.slug)


moderation_urlpatterns: list[URLPattern] = [
    path("community/moderation/", moderation_settings, name="moderation_settings"),
    path("community/moderation/reset/", moderation_settings_reset, name="moderation_settings_reset"),
]
