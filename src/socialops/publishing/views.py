"""Pages: an item's publications with every attempt, the workspace's publishing queue, and actions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from socialops.accounts.models import SocialAccount
from socialops.core.forms import BootstrapFormMixin
from socialops.core.view_helpers import submitted
from socialops.workspaces.decorators import EVERY_MEMBER, WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from . import flow, selectors, services


class ScheduleForm(BootstrapFormMixin, forms.Form):
    """Which account and when."""

    account = forms.ModelChoiceField(label=gettext_lazy("Account"), queryset=SocialAccount.objects.none())
    due_at = forms.DateTimeField(
        label=gettext_lazy("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, workspace: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = SocialAccount.objects.filter(
            workspace=workspace, is_competitor=False
        )


class RescheduleForm(BootstrapFormMixin, forms.Form):
    """A new time."""

    due_at = forms.DateTimeField(
        label=gettext_lazy("Time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


def _item_page(request: WorkspaceRequest, item_id: int, form: ScheduleForm | None = None) -> HttpResponse:
    workspace = request.workspace
    item = selectors.item_get(workspace=workspace, user=request.user, item_id=item_id)
    publications = selectors.publications_for_item(workspace=workspace, user=request.user, item=item)
    return render(
        request,
        "publishing/item_publications.html",
        {
            "blockers": flow.account_blockers(workspace=workspace),
            "item": item,
            "publications": publications,
            "form": form or ScheduleForm(workspace=workspace),
            "reschedule_form": RescheduleForm(),
        },
    )


@workspace_view()
def item_publications(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Every publication of an item, with every attempt (time, outcome, the platform's message)."""
    return _item_page(request, item_id)


@workspace_view()
def publishing_queue(request: WorkspaceRequest) -> HttpResponse:
    """The workspace's publishing queue: due, in flight, failed, outcome unknown."""
    workspace = request.workspace
    sections = [
        (key, label, selectors.queue(workspace=workspace, user=request.user, section=key)[:200])
        for key, label in (
            ("due", _("Due")),
            ("in_flight", _("In flight")),
            ("unknown", _("Outcome unknown")),
            ("failed", _("Failed")),
        )
    ]
    blockers = flow.account_blockers(workspace=workspace)
    return render(
        request,
        "publishing/queue.html",
        {
            "sections": sections,
            "blockers": blockers,
            "blocked": flow.attention_counts(workspace=workspace)["blocked"],
            "connections_url": reverse("connection_overview", kwargs={"slug": workspace.slug}),
        },
    )


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def publication_schedule(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Schedule the item on one account."""
    workspace = request.workspace
    item = selectors.item_get(workspace=workspace, user=request.user, item_id=item_id)
    form = ScheduleForm(request.POST, workspace=workspace)
    done = submitted(
        request,
        form,
        lambda: services.publication_schedule(
            workspace=workspace,
            actor=request.user,
            item=item,
            account=form.cleaned_data["account"],
            due_at=form.cleaned_data["due_at"],
        ),
        message=_("Scheduled."),
        to=reverse("item_publications", kwargs={"slug": workspace.slug, "item_id": item.pk}),
    )
    return done or _item_page(request, item_id, form=form)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def schedule_placements(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Schedule every placement of the item at its planned time."""
    workspace = request.workspace
    item = selectors.item_get(workspace=workspace, user=request.user, item_id=item_id)
    try:
        made = services.schedule_item_placements(workspace=workspace, actor=request.user, item=item)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
    else:
        messages.success(request, _("%(n)d publications scheduled.") % {"n": len(made)})
    return redirect("item_publications", slug=workspace.slug, item_id=item.pk)


def _action(request: WorkspaceRequest, publication_id: int, verb: str) -> HttpResponse:
    workspace = request.workspace
    pub = selectors.publication_get(workspace=workspace, user=request.user, publication_id=publication_id)
    try:
        if verb == "cancel":
            services.publication_cancel(workspace=workspace, actor=request.user, publication=pub)
        elif verb == "now":
            services.publication_publish_now(workspace=workspace, actor=request.user, publication=pub)
        elif verb == "mark_published":
            services.publication_mark_published(
                workspace=workspace, actor=request.user, publication=pub, url=request.POST.get("url", "")
            )
        else:
            form = RescheduleForm(request.POST)
            if not form.is_valid():
                raise ValidationError({"due_at": [_("Enter a date and time.")]})
            services.publication_reschedule(
                workspace=workspace, actor=request.user, publication=pub, due_at=form.cleaned_data["due_at"]
            )
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
    else:
        messages.success(request, _("Saved."))
    return redirect("item_publications", slug=workspace.slug, item_id=pub.item_id)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def publication_cancel(request: WorkspaceRequest, publication_id: int) -> HttpResponse:
    """Cancel a publication that has not gone out."""
    return _action(request, publication_id, "cancel")


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def publication_publish_now(request: WorkspaceRequest, publication_id: int) -> HttpResponse:
    """Send a publication now."""
    return _action(request, publication_id, "now")


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def publication_mark_published(request: WorkspaceRequest, publication_id: int) -> HttpResponse:
    """A person found a failed or unknown publication on the platform: record it as published."""
    return _action(request, publication_id, "mark_published")


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def publication_reschedule(request: WorkspaceRequest, publication_id: int) -> HttpResponse:
    """Move a publication to a new time."""
    return _action(request, publication_id, "reschedule")


@workspace_view()
def publishing_alerts(request: WorkspaceRequest) -> HttpResponse:
    """My alerts: accounts whose authorisation the platform revoked, with a way to reconnect."""
    workspace = request.workspace
    only_unread = request.GET.get("unread") == "1"
    alerts = selectors.alert_list(
        workspace=workspace, user=request.user, unread=True if only_unread else None
    )
    return render(
        request,
        "publishing/alerts.html",
        {
            "alerts": list(alerts[:200]),
            "only_unread": only_unread,
            "unread": selectors.alert_unread_count(workspace=workspace, user=request.user),
        },
    )


@require_POST
@workspace_view(write=EVERY_MEMBER)
def publishing_alert_read(request: WorkspaceRequest, alert_id: int) -> HttpResponse:
    """Mark an alert read; with open=1 go on to the account's connection page."""
    workspace = request.workspace
    alert = selectors.alert_get(workspace=workspace, user=request.user, alert_id=alert_id)
    services.alert_mark_read(workspace=workspace, actor=request.user, alert=alert)
    if request.POST.get("open") == "1":
        return redirect("connection_detail", slug=workspace.slug, account_id=alert.account_id)
    return redirect("publishing_alerts", slug=workspace.slug)


@require_POST
@workspace_view(write=EVERY_MEMBER)
def publishing_alerts_read_all(request: WorkspaceRequest) -> HttpResponse:
    """Mark all my alerts read."""
    workspace = request.workspace
    services.alerts_mark_all_read(workspace=workspace, actor=request.user)
    return redirect("publishing_alerts", slug=workspace.slug)


urlpatterns = [
    path("publishing/alerts/", publishing_alerts, name="publishing_alerts"),
    path("publishing/alerts/read-all/", publishing_alerts_read_all, name="publishing_alerts_read_all"),
    path("publishing/alerts/<int:alert_id>/read/", publishing_alert_read, name="publishing_alert_read"),
    path("publishing/", publishing_queue, name="publishing_queue"),
    path("content/<int:item_id>/publications/", item_publications, name="item_publications"),
    path("content/<int:item_id>/publications/schedule/", publication_schedule, name="publication_schedule"),
    path("content/<int:item_id>/publications/placements/", schedule_placements, name="schedule_placements"),
    path("publications/<int:publication_id>/cancel/", publication_cancel, name="publication_cancel"),
    path("publications/<int:publication_id>/now/", publication_publish_now, name="publication_publish_now"),
    path(
        "publications/<int:publication_id>/mark-published/",
        publication_mark_published,
        name="publication_mark_published",
    ),
    path(
        "publications/<int:publication_id>/reschedule/", publication_reschedule, name="publication_reschedule"
    ),
]
