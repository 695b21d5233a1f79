"""Pages of the community app: groups (list, page with health and sharing plan, members import) and the moderation log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from socialops.accounts.models import Platform, SocialAccount
from socialops.content.services.plan import placement_create
from socialops.core.imports import ImportRejected
from socialops.core.view_helpers import form_page, run_and_say, submitted
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.models import Membership
from socialops.workspaces.roles import Perm

from ..forms.groups import (
    AppealForm,
    GroupForm,
    GroupSendForm,
    MembersImportForm,
    PlaceForm,
    WecomDiscoverForm,
)
from ..models.groups import ActionStatus, Group
from ..presenters import groups as pres
from ..selectors import groups as sel
from ..services import groups as svc
from ..services import moderation_actions as mod
from ..services import wecom_groups as wecom


def _accounts(request: WorkspaceRequest) -> list[tuple[int, str]]:
    rows = SocialAccount.objects.filter(
        workspace=request.workspace, is_competitor=False, platform__in=(Platform.TELEGRAM, Platform.WECOM)
    ).order_by("display_name", "pk")
    return [(a.pk, f"{a.display_name} ({a.get_platform_display()})") for a in rows]


def _users(request: WorkspaceRequest) -> list[tuple[int, str]]:
    rows = (
        Membership.objects.filter(workspace=request.workspace)
        .select_related("user")
        .order_by("user__username")
    )
    return [(m.user_id, m.user.get_full_name() or m.user.username) for m in rows]


def _admins(request: WorkspaceRequest, ids: list[int]) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(workspace=request.workspace, user_id__in=ids).select_related(
            "user"
        )
    ]


@workspace_view()
def group_list(request: WorkspaceRequest) -> HttpResponse:
    """Our groups with their members and open moderation tasks."""
    groups = list(sel.group_list(workspace=request.workspace))
    return render(request, "community/groups/list.html", {"groups": groups})


@workspace_view(Perm.COMMUNITY_EDIT)
def group_create(request: WorkspaceRequest) -> HttpResponse:
    """Add a group."""
    form = GroupForm(request.POST or None, accounts=_accounts(request), users=_users(request))

    def create() -> Group:
        data = form.cleaned_data
        account = SocialAccount.objects.filter(workspace=request.workspace, pk=data["account"]).first()
        return svc.group_create(
            workspace=request.workspace,
            actor=request.user,
            kind=data["kind"],
            name=data["name"],
            account=account,
            external_id=data["external_id"],
            description=data["description"],
            welcome_message=data["welcome_message"],
            admins=_admins(request, data["admins"]),
        )

    done = submitted(
        request,
        form,
        create,
        message=_("Group added."),
        to=lambda group: reverse(
            "group_detail", kwargs={"slug": request.workspace.slug, "group_id": group.pk}
        ),
    )
    cancel = reverse("group_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(request, form, title=_("New group"), submit=_("Add"), cancel_url=cancel)


@workspace_view(Perm.COMMUNITY_EDIT)
def group_edit(request: WorkspaceRequest, group_id: int) -> HttpResponse:
    """Rename a group, change its description, welcome message and admins."""
    group = sel.group_get(workspace=request.workspace, group_id=group_id)
    initial = {
        "name": group.name,
        "description": group.description,
        "welcome_message": group.welcome_message,
        "admins": list(group.admins.values_list("pk", flat=True)),
    }
    form = GroupForm(request.POST or None, initial=initial, accounts=[], users=_users(request), editing=True)
    url = reverse("group_detail", kwargs={"slug": request.workspace.slug, "group_id": group.pk})
    done = submitted(
        request,
        form,
        lambda: svc.group_update(
            workspace=request.workspace,
            actor=request.user,
            group=group,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            welcome_message=form.cleaned_data["welcome_message"],
            admins=_admins(request, form.cleaned_data["admins"]),
        ),
        message=_("Group saved."),
        to=url,
    )
    return done or form_page(request, form, title=_("Edit group"), submit=_("Save"), cancel_url=url)


@workspace_view(write=(Perm.COMMUNITY_EDIT, Perm.CONTENT_EDIT))
def group_detail(request: WorkspaceRequest, group_id: int) -> HttpResponse:
    """A group: health charts, members, latest messages, moderation tasks and the sharing plan.

    POST places an approved item on the group's sharing plan (the content plan of its account).
    """
    workspace = request.workspace
    group = sel.group_get(workspace=workspace, group_id=group_id)
    items = [(i.pk, i.title or str(i.pk)) for i in sel.placeable_items(workspace=workspace)[:200]]
    place_form = PlaceForm(request.POST or None, items=items)
    account = group.account
    if request.method == "POST":
        if not request.membership.has_perm(Perm.CONTENT_EDIT) or account is None:
            messages.error(request, _("Placing items on the plan needs the content editor's permission."))
            return redirect("group_detail", slug=workspace.slug, group_id=group.pk)
        done = submitted(
            request,
            place_form,
            lambda: placement_create(
                workspace=workspace,
                actor=request.user,
                item=sel.placeable_items(workspace=workspace).get(pk=place_form.cleaned_data["item"]),
                account=account,
                starts_at=place_form.cleaned_data["starts_at"],
            ),
            message=_("Placed on the group's sharing plan."),
            to=reverse("group_detail", kwargs={"slug": workspace.slug, "group_id": group.pk}) + "#plan",
        )
        if done:
            return done
    health = sel.group_health(workspace=workspace, group=group)
    tasks = list(sel.action_list(workspace=workspace, group=group, status="attention")[:50])
    recent = sel.group_messages(workspace=workspace, group=group, limit=20)
    moderated = set(
        sel.action_list(workspace=workspace, group=group)
        .filter(message__in=[i.pk for i in recent])
        .values_list("message_id", flat=True)
    )
    context: dict[str, Any] = {
        "group": group,
        "health": health,
        "members_chart": pres.members_chart(health["days"]),
        "messages_chart": pres.messages_chart(health["days"]),
        "activity_chart": pres.activity_chart(health),
        "members": list(sel.member_list(workspace=workspace, group=group)[:50]),
        "recent": recent,
        "moderated": moderated,
        "tasks": [(a, pres.action_sentence(a), pres.action_badge(a)) for a in tasks],
        "plan": sel.group_plan(workspace=workspace, group=group),
        "place_form": place_form,
        "can_place": bool(items) and group.account is not None,
        "admins": list(group.admins.all()),
    }
    return render(request, "community/groups/detail.html", context)


@workspace_view(Perm.COMMUNITY_EDIT)
def group_sync(request: WorkspaceRequest, group_id: int) -> HttpResponse:
    """Read the group's new messages and members now (the job does it every few minutes)."""
    group = sel.group_get(workspace=request.workspace, group_id=group_id)
    if request.method == "POST":
        count = svc.group_sync(workspace=request.workspace, group=group)
        if group.sync_error:
            messages.error(request, group.sync_error)
        else:
            messages.success(request, _("%(n)d new events read.") % {"n": count})
    return redirect("group_detail", slug=request.workspace.slug, group_id=group.pk)


@workspace_view(Perm.COMMUNITY_EDIT)
def group_members_import(request: WorkspaceRequest, group_id: int) -> HttpResponse:
    """Import a manual group's members from a file (all rows or none)."""
    group = sel.group_get(workspace=request.workspace, group_id=group_id)
    form = MembersImportForm(request.POST or None, request.FILES or None)
    url = reverse("group_detail", kwargs={"slug": request.workspace.slug, "group_id": group.pk})
    errors: list[Any] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            count = svc.group_members_import(
                workspace=request.workspace,
                actor=request.user,
                group=group,
                file_name=upload.name,
                content=upload.read(),
            )
        except ImportRejected as exc:
            errors = exc.errors
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(n)d members imported.") % {"n": count})
            return redirect(url)
    return render(
        request,
        "community/groups/import.html",
        {
            "form": form,
            "group": group,
            "report": errors,
            "report_file": getattr(request.FILES.get("file"), "name", ""),
            "cancel_url": url,
        },
    )


@workspace_view(Perm.COMMUNITY_EDIT)
def wecom_discover(request: WorkspaceRequest) -> HttpResponse:
    """Add every customer group WeCom lists for one of our WeCom accounts."""
    rows = SocialAccount.objects.filter(
        workspace=request.workspace, platform=Platform.WECOM, is_competitor=False
    )
    form = WecomDiscoverForm(request.POST or None, accounts=[(a.pk, a.display_name) for a in rows])

    def discover() -> list[Group]:
        account = rows.get(pk=form.cleaned_data["account"])
        return wecom.wecom_groups_discover(workspace=request.workspace, actor=request.user, account=account)

    def said(groups: list[Group]) -> str:
        return _("%(n)d WeCom groups added.") % {"n": len(groups)}

    done = _submitted_or_error(request, form, discover, said)
    cancel = reverse("group_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(
        request, form, title=_("Find WeCom customer groups"), submit=_("Find"), cancel_url=cancel
    )


def _submitted_or_error(request: WorkspaceRequest, form: Any, action: Any, said: Any) -> HttpResponse | None:
    """Like ``submitted``, with a platform's refusal shown on the form (no redirect)."""
    from socialops.platforms.connectors.base import ConnectorError

    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action()
    except ValidationError as exc:
        form.add_service_errors(exc)
        return None
    except ConnectorError as exc:
        form.add_error(None, str(exc.message or exc))
        return None
    messages.success(request, said(result))
    return redirect("group_list", slug=request.workspace.slug)


@workspace_view(Perm.COMMUNITY_EDIT)
def group_send(request: WorkspaceRequest, group_id: int) -> HttpResponse:
    """A WeCom group-send task (the owner confirms it in WeCom)."""
    group = sel.group_get(workspace=request.workspace, group_id=group_id)
    form = GroupSendForm(request.POST or None)
    url = reverse("group_detail", kwargs={"slug": request.workspace.slug, "group_id": group.pk})
    done = submitted(
        request,
        form,
        lambda: wecom.wecom_group_send(
            workspace=request.workspace, actor=request.user, group=group, text=form.cleaned_data["text"]
        ),
        message=_("Group-send task created; the group's owner confirms it in WeCom."),
        to=url,
    )
    return done or form_page(
        request, form, title=_("Group-send task"), submit=_("Create the task"), cancel_url=url
    )


@workspace_view(Perm.COMMUNITY_EDIT)
def group_welcome(request: WorkspaceRequest, group_id: int) -> HttpResponse:
    """Register a WeCom group's welcome message with WeCom."""
    group = sel.group_get(workspace=request.workspace, group_id=group_id)
    if request.method == "POST":
        run_and_say(
            request,
            lambda: wecom.wecom_group_welcome(workspace=request.workspace, actor=request.user, group=group),
            _("The welcome message is registered with WeCom."),
        )
    return redirect("group_detail", slug=request.workspace.slug, group_id=group.pk)


# ---- moderation log ------------------------------------------------------------------------


@workspace_view()
def moderation_log(request: WorkspaceRequest) -> HttpResponse:
    """Every moderation action, newest first; filter by group, status or waiting appeals."""
    workspace = request.workspace
    status = request.GET.get("status", "")
    if status not in (*ActionStatus.values, "attention"):
        status = ""
    appeals = request.GET.get("appeals") == "1"
    group = None
    raw = request.GET.get("group", "")
    if raw.isdigit():
        group = sel.group_get(workspace=workspace, group_id=int(raw))
    rows = list(sel.action_list(workspace=workspace, group=group, status=status, appeals=appeals)[:300])
    context = {
        "rows": [(a, pres.action_sentence(a), pres.action_badge(a), pres.rule_label(a)) for a in rows],
        "groups": list(Group.objects.filter(workspace=workspace).order_by("name")),
        "group": group,
        "status": status,
        "appeals": appeals,
        "statuses": ActionStatus.choices,
    }
    return render(request, "community/groups/moderation.html", context)


def _back(request: WorkspaceRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if target.startswith(f"/w/{request.workspace.slug}/"):
        return redirect(target)
    return redirect("moderation_log", slug=request.workspace.slug)


@workspace_view(Perm.COMMUNITY_MODERATE)
def moderation_undo(request: WorkspaceRequest, action_id: int) -> HttpResponse:
    """Undo an action (unmute / unban on Telegram)."""
    action = sel.action_get(workspace=request.workspace, action_id=action_id)
    if request.method == "POST":
        run_and_say(
            request,
            lambda: mod.action_undo(workspace=request.workspace, actor=request.user, action=action),
            _("Action undone."),
        )
    return _back(request)


@workspace_view(Perm.COMMUNITY_MODERATE)
def moderation_resolve(request: WorkspaceRequest, action_id: int) -> HttpResponse:
    """Mark an unknown outcome, a failure or a manual task as checked and done."""
    action = sel.action_get(workspace=request.workspace, action_id=action_id)
    if request.method == "POST":
        run_and_say(
            request,
            lambda: mod.action_resolve(workspace=request.workspace, actor=request.user, action=action),
            _("Marked as done."),
        )
    return _back(request)


@workspace_view(Perm.COMMUNITY_MODERATE)
def moderation_appeal(request: WorkspaceRequest, action_id: int) -> HttpResponse:
    """Record a member's appeal against an action."""
    action = sel.action_get(workspace=request.workspace, action_id=action_id)
    form = AppealForm(request.POST or None)
    url = reverse("moderation_log", kwargs={"slug": request.workspace.slug})
    done = submitted(
        request,
        form,
        lambda: mod.action_appeal(
            workspace=request.workspace, actor=request.user, action=action, text=form.cleaned_data["text"]
        ),
        message=_("Appeal recorded."),
        to=url + "?appeals=1",
    )
    return done or form_page(request, form, title=_("Record an appeal"), submit=_("Save"), cancel_url=url)


@workspace_view(Perm.COMMUNITY_MODERATE)
def moderation_decide(request: WorkspaceRequest, action_id: int) -> HttpResponse:
    """Accept (the action is undone) or reject a waiting appeal."""
    action = sel.action_get(workspace=request.workspace, action_id=action_id)
    if request.method == "POST":
        accept = request.POST.get("accept") == "1"
        run_and_say(
            request,
            lambda: mod.appeal_decide(
                workspace=request.workspace, actor=request.user, action=action, accept=accept
            ),
            _("Appeal accepted; the action is undone.") if accept else _("Appeal rejected."),
        )
    return _back(request)


groups_urlpatterns: list[URLPattern] = [
    path("groups/", group_list, name="group_list"),
    path("groups/new/", group_create, name="group_create"),
    path("groups/wecom/", wecom_discover, name="group_wecom_discover"),
    path("groups/moderation/", moderation_log, name="moderation_log"),
    path("groups/moderation/<int:action_id>/undo/", moderation_undo, name="moderation_undo"),
    path("groups/moderation/<int:action_id>/resolve/", moderation_resolve, name="moderation_resolve"),
    path("groups/moderation/<int:action_id>/appeal/", moderation_appeal, name="moderation_appeal"),
    path("groups/moderation/<int:action_id>/decide/", moderation_decide, name="moderation_decide"),
    path("groups/<int:group_id>/", group_detail, name="group_detail"),
    path("groups/<int:group_id>/edit/", group_edit, name="group_edit"),
    path("groups/<int:group_id>/sync/", group_sync, name="group_sync"),
    path("groups/<int:group_id>/import/", group_members_import, name="group_members_import"),
    path("groups/<int:group_id>/send/", group_send, name="group_send"),
    path("groups/<int:group_id>/welcome/", group_welcome, name="group_welcome"),
]
# Public pages (no login), mounted under /p/ in config/urls.py.
groups_public_urlpatterns: list[URLPattern] = []
