"""Pages: the workspace switcher, members and roles, settings, the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.view_helpers import submitted

from . import presenters, selectors, services
from .decorators import WorkspaceRequest, workspace_view
from .forms import AuditFilterForm, MemberAddForm, MemberRoleForm, WorkspaceSettingsForm
from .roles import Perm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Go to the last workspace used, the only one, or the list to pick from."""
    workspaces = list(selectors.workspaces_for_user(user=request.user))
    last = request.session.get("last_workspace")
    slugs = {w.slug for w in workspaces}
    if last in slugs:
        return redirect("dashboard", slug=last)
    if len(workspaces) == 1:
        return redirect("dashboard", slug=workspaces[0].slug)
    return render(request, "workspaces/workspace_list.html", {"workspaces": workspaces})


@login_required
def workspace_list(request: HttpRequest) -> HttpResponse:
    """All workspaces of the user, to switch between them."""
    return render(
        request,
        "workspaces/workspace_list.html",
        {"workspaces": selectors.workspaces_for_user(user=request.user)},
    )


@workspace_view(Perm.WORKSPACE_MANAGE)
def member_list(request: WorkspaceRequest) -> HttpResponse:
    """Members with their roles; admins add members and change roles here."""
    workspace = request.workspace
    form = MemberAddForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda: services.membership_add(
            workspace=workspace,
            actor=request.user,
            user=form.cleaned_data["username"],
            role=form.cleaned_data["role"],
            is_subject_expert=form.cleaned_data["is_subject_expert"],
        ),
        message=_("Member added."),
        to=reverse("member_list", kwargs={"slug": workspace.slug}),
    )
    if done is not None:
        return done
    members = selectors.membership_list(workspace=workspace, user=request.user)
    rows = [
        (
            m,
            MemberRoleForm(
                initial={"role": m.role, "is_subject_expert": m.is_subject_expert}, prefix=f"m{m.pk}"
            ),
        )
        for m in members
    ]
    return render(request, "workspaces/member_list.html", {"form": form, "rows": rows})


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def member_update(request: WorkspaceRequest, member_id: int) -> HttpResponse:
    """Change a member's role, or remove them (the last admin stays)."""
    workspace = request.workspace
    membership = selectors.membership_get_by_id(
        workspace=workspace, user=request.user, membership_id=member_id
    )
    try:
        if "remove" in request.POST:
            services.membership_remove(workspace=workspace, actor=request.user, membership=membership)
            messages.success(request, _("Member removed."))
        else:
            form = MemberRoleForm(request.POST, prefix=f"m{membership.pk}")
            if not form.is_valid():
                messages.error(request, _("Choose a valid role."))
            else:
                services.membership_update(
                    workspace=workspace,
                    actor=request.user,
                    membership=membership,
                    role=form.cleaned_data["role"],
                    is_subject_expert=form.cleaned_data["is_subject_expert"],
                )
                messages.success(request, _("Role changed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("member_list", slug=workspace.slug)


@workspace_view(Perm.AUDIT_VIEW)
def audit_list(request: WorkspaceRequest) -> HttpResponse:
    """Every write in the workspace, newest first, in words: who, what, which object, local time and
    what changed field by field; filterable by person, object type, action and date."""
    workspace = request.workspace
    values = selectors.audit_filter_values(workspace=workspace, user=request.user)
    choices = {
        "actor": [(v, v if v != "system" else str(presenters.SYSTEM_NAME)) for v in values["actor_name"]],
        "object_type": sorted(
            ((v, presenters.object_type_label(v)) for v in values["object_type"]), key=lambda c: c[1]
        ),
        "action": sorted(
            ((v, f"{presenters.action_label(v)} ({v})") for v in values["action"]), key=lambda c: c[1]
        ),
    }
    form = AuditFilterForm(request.GET or None, choices=choices)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_entry_list(
        workspace=workspace,
        user=request.user,
        actor=filters.get("actor") or "",
        action=filters.get("action") or "",
        object_type=filters.get("object_type") or "",
        since=filters.get("since"),
        until=filters.get("until"),
        exact_actor=True,
    )
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workspaces/audit_list.html",
        {
            "form": form,
            "page": page,
            "rows": presenters.audit_rows(page, workspace.tz),
            "query": query.urlencode(),
            "tz": workspace.timezone,
        },
    )


@workspace_view(Perm.WORKSPACE_MANAGE)
def workspace_settings(request: WorkspaceRequest) -> HttpResponse:
    """Rename the workspace, or change its time zone or language."""
    workspace = request.workspace
    initial = {"name": workspace.name, "timezone": workspace.timezone, "locale": workspace.locale}
    form = WorkspaceSettingsForm(request.POST or None, initial=initial)
    done = submitted(
        request,
        form,
        lambda: services.workspace_update(workspace=workspace, actor=request.user, **form.cleaned_data),
        message=_("Settings saved."),
        to=reverse("workspace_settings", kwargs={"slug": workspace.slug}),
    )
    return done or render(request, "workspaces/settings.html", {"form": form})
