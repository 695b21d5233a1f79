"""Pages of how the inbox works: saved replies, auto-reply rules, working hours and targets, assignment rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.accounts.models import SocialAccount
from socialops.core.view_helpers import apply_form, form_page, run_and_say, submitted
from socialops.fans.models import Segment, SegmentKind
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.inbox import AssignmentRuleForm, RuleForm, SavedReplyForm, SettingsForm
from ..models import AutoReplyRule, SavedReply
from ..presenters.setup import findings_sentences
from ..selectors import setup as sel
from ..services import setup as svc
from .inbox import reply_users


def _accounts(request: WorkspaceRequest) -> Any:
    return SocialAccount.objects.filter(workspace=request.workspace).order_by("display_name", "pk")


# ---- saved replies ------------------------------------------------------------------------------


@workspace_view()
def saved_reply_list(request: WorkspaceRequest) -> HttpResponse:
    """Saved replies, searchable, with the ones that would fail the checks flagged."""
    search = request.GET.get("q", "").strip()[:100]
    rows = sel.saved_reply_list(workspace=request.workspace, user=request.user, search=search)
    items = [(s, findings_sentences(s.findings)) for s in rows[:500]]
    return render(request, "engagement/saved_replies_list.html", {"items": items, "search": search})


def _saved_form(request: WorkspaceRequest, row: SavedReply | None) -> SavedReplyForm:
    initial = {"title": row.title, "body": row.body, "account": row.account_id} if row else None
    return SavedReplyForm(request.POST or None, initial=initial, accounts=_accounts(request))


def _saved_done(request: WorkspaceRequest, row: SavedReply) -> str:
    if row.flagged:
        messages.warning(
            request,
            _("Saved, but it fails the checks: %(f)s") % {"f": "; ".join(findings_sentences(row.findings))},
        )
    return reverse("saved_reply_list", kwargs={"slug": request.workspace.slug})


@workspace_view(Perm.ENGAGEMENT_REPLY)
def saved_reply_create(request: WorkspaceRequest) -> HttpResponse:
    """Write a saved reply (checked when saved)."""
    form = _saved_form(request, None)
    done = submitted(
        request,
        form,
        lambda: svc.saved_reply_create(workspace=request.workspace, actor=request.user, **form.cleaned_data),
        message=_("Saved reply created."),
        to=lambda row: _saved_done(request, row),
    )
    cancel = reverse("saved_reply_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(request, form, title=_("New saved reply"), submit=_("Save"), cancel_url=cancel)


@workspace_view(Perm.ENGAGEMENT_REPLY)
def saved_reply_edit(request: WorkspaceRequest, saved_reply_id: int) -> HttpResponse:
    """Change a saved reply."""
    row = sel.saved_reply_get(workspace=request.workspace, user=request.user, saved_reply_id=saved_reply_id)
    form = _saved_form(request, row)
    done = submitted(
        request,
        form,
        lambda: svc.saved_reply_update(
            workspace=request.workspace, actor=request.user, saved_reply=row, **form.cleaned_data
        ),
        message=_("Saved reply saved."),
        to=lambda saved: _saved_done(request, saved),
    )
    cancel = reverse("saved_reply_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(request, form, title=row.title, submit=_("Save"), cancel_url=cancel)


@require_POST
@workspace_view(Perm.ENGAGEMENT_REPLY)
def saved_reply_delete(request: WorkspaceRequest, saved_reply_id: int) -> HttpResponse:
    """Delete a saved reply."""
    row = sel.saved_reply_get(workspace=request.workspace, user=request.user, saved_reply_id=saved_reply_id)
    run_and_say(
        request,
        lambda: svc.saved_reply_delete(workspace=request.workspace, actor=request.user, saved_reply=row),
        _("Saved reply deleted."),
    )
    return redirect("saved_reply_list", slug=request.workspace.slug)


# ---- auto-reply rules ---------------------------------------------------------------------------


@workspace_view()
def auto_reply_list(request: WorkspaceRequest) -> HttpResponse:
    """Auto-reply rules in the order they are tried, with how often each fired."""
    rows = sel.rule_list(workspace=request.workspace, user=request.user)
    return render(request, "engagement/auto_replies_list.html", {"rules": rows})


def _rule_form(request: WorkspaceRequest, rule: AutoReplyRule | None) -> RuleForm:
    initial = None
    if rule is not None:
        initial = {
            "name": rule.name, "match": rule.match, "pattern": rule.pattern, "channel": rule.channel,
            "reply_text": rule.reply_text, "account": rule.account_id, "active_from": rule.active_from,
            "active_to": rule.active_to, "position": rule.position, "enabled": rule.enabled,
        }  # fmt: skip
    return RuleForm(request.POST or None, initial=initial, accounts=_accounts(request))


@workspace_view(Perm.ENGAGEMENT_REPLY)
def auto_reply_create(request: WorkspaceRequest) -> HttpResponse:
    """Write an auto-reply rule."""
    form = _rule_form(request, None)
    done = submitted(
        request,
        form,
        lambda: svc.rule_create(workspace=request.workspace, actor=request.user, **form.cleaned_data),
        message=_("Auto-reply rule created."),
        to=reverse("auto_reply_list", kwargs={"slug": request.workspace.slug}),
    )
    cancel = reverse("auto_reply_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(
        request, form, title=_("New auto-reply rule"), submit=_("Save"), cancel_url=cancel
    )


@workspace_view(Perm.ENGAGEMENT_REPLY)
def auto_reply_edit(request: WorkspaceRequest, rule_id: int) -> HttpResponse:
    """Change an auto-reply rule."""
    rule = sel.rule_get(workspace=request.workspace, user=request.user, rule_id=rule_id)
    form = _rule_form(request, rule)
    done = submitted(
        request,
        form,
        lambda: svc.rule_update(
            workspace=request.workspace, actor=request.user, rule=rule, **form.cleaned_data
        ),
        message=_("Auto-reply rule saved."),
        to=reverse("auto_reply_list", kwargs={"slug": request.workspace.slug}),
    )
    cancel = reverse("auto_reply_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(request, form, title=rule.name, submit=_("Save"), cancel_url=cancel)


@require_POST
@workspace_view(Perm.ENGAGEMENT_REPLY)
def auto_reply_delete(request: WorkspaceRequest, rule_id: int) -> HttpResponse:
    """Delete an auto-reply rule."""
    rule = sel.rule_get(workspace=request.workspace, user=request.user, rule_id=rule_id)
    run_and_say(
        request,
        lambda: svc.rule_delete(workspace=request.workspace, actor=request.user, rule=rule),
        _("Auto-reply rule deleted."),
    )
    return redirect("auto_reply_list", slug=request.workspace.slug)


# ---- settings and assignment rules --------------------------------------------------------------


def _assignment_form(request: WorkspaceRequest, data: Any = None) -> AssignmentRuleForm:
    tiers = Segment.objects.filter(workspace=request.workspace, kind=SegmentKind.TIER).order_by("rank", "pk")
    return AssignmentRuleForm(
        data, accounts=_accounts(request), tiers=tiers, users=reply_users(request.workspace)
    )


@workspace_view(Perm.WORKSPACE_MANAGE)
def inbox_settings(request: WorkspaceRequest) -> HttpResponse:
    """Working hours, response targets, assignment mode and alert levels, and the assignment rules."""
    row = sel.inbox_settings(workspace=request.workspace, user=request.user)
    fields = SettingsForm.base_fields
    initial = {name: getattr(row, name) for name in fields}
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        saved = apply_form(
            form,
            lambda: svc.settings_update(workspace=request.workspace, actor=request.user, **form.cleaned_data),
        )
        if saved is not None:
            messages.success(request, _("Inbox settings saved. New waits use the new targets."))
            return redirect("inbox_settings", slug=request.workspace.slug)
    rules = sel.assignment_rule_list(workspace=request.workspace, user=request.user)
    return render(
        request,
        "engagement/settings.html",
        {"form": form, "rules": rules, "rule_form": _assignment_form(request)},
    )


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def assignment_rule_create(request: WorkspaceRequest) -> HttpResponse:
    """Add an assignment rule."""
    form = _assignment_form(request, request.POST)
    if form.is_valid():
        try:
            svc.assignment_rule_create(workspace=request.workspace, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Assignment rule added."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("inbox_settings", slug=request.workspace.slug)


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def assignment_rule_delete(request: WorkspaceRequest, rule_id: int) -> HttpResponse:
    """Delete an assignment rule."""
    rule = sel.assignment_rule_get(workspace=request.workspace, user=request.user, rule_id=rule_id)
    run_and_say(
        request,
        lambda: svc.assignment_rule_delete(workspace=request.workspace, actor=request.user, rule=rule),
        _("Assignment rule deleted."),
    )
    return redirect("inbox_settings", slug=request.workspace.slug)


setup_urlpatterns: list[URLPattern] = [
    path("inbox/saved-replies/", saved_reply_list, name="saved_reply_list"),
    path("inbox/saved-replies/new/", saved_reply_create, name="saved_reply_create"),
    path("inbox/saved-replies/<int:saved_reply_id>/", saved_reply_edit, name="saved_reply_edit"),
    path("inbox/saved-replies/<int:saved_reply_id>/delete/", saved_reply_delete, name="saved_reply_delete"),
    path("inbox/auto-replies/", auto_reply_list, name="auto_reply_list"),
    path("inbox/auto-replies/new/", auto_reply_create, name="auto_reply_create"),
    path("inbox/auto-replies/<int:rule_id>/", auto_reply_edit, name="auto_reply_edit"),
    path("inbox/auto-replies/<int:rule_id>/delete/", auto_reply_delete, name="auto_reply_delete"),
    path("inbox/settings/", inbox_settings, name="inbox_settings"),
    path("inbox/settings/assignment/", assignment_rule_create, name="assignment_rule_create"),
    path(
        "inbox/settings/assignment/<int:rule_id>/delete/",
        assignment_rule_delete,
        name="assignment_rule_delete",
    ),
]
