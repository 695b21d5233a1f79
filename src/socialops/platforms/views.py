"""Pages: connections overview, an account's connection (connect, test, pause, disconnect), manual packages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.accounts import selectors as account_selectors
from socialops.core.view_helpers import submitted
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from . import selectors
from .forms import ConnectionForm, MarkPostedForm
from .models import ConnectorKind, ManualTaskStatus
from .registry import CONNECTION_FIELDS, kinds_using
from .services import connections as connection_services
from .services import manual as manual_services
from .services import sandbox as sandbox_services


@workspace_view()
def connection_overview(request: WorkspaceRequest) -> HttpResponse:
    """Every one of our accounts with its connector and whether publishing through it works."""
    workspace = request.workspace
    rows = selectors.accounts_with_connections(workspace=workspace, user=request.user)
    pending = selectors.manual_pending_count(workspace=workspace, user=request.user)
    return render(request, "platforms/connection_overview.html", {"rows": rows, "pending_manual": pending})


def _connection_page(
    request: WorkspaceRequest, account_id: int, form: ConnectionForm | None = None
) -> HttpResponse:
    workspace = request.workspace
    account = account_selectors.account_get(workspace=workspace, user=request.user, account_id=account_id)
    connection = selectors.connection_for_account(workspace=workspace, user=request.user, account=account)
    secrets_set = selectors.secrets_state(connection)
    if form is None and not account.is_competitor:
        kinds = selectors.kind_choices_for(account)
        initial = {
            "kind": connection.kind if connection else kinds[0][0],
            "base_url": connection.base_url if connection else "",
        }
        if connection is not None:
            initial["client_id"] = (
                connection.get_credentials().client_id if secrets_set.get("client_id") else ""
            )
            initial["account_id"] = connection.external_account_id
        form = ConnectionForm(initial=initial, kinds=kinds, secrets_set=secrets_set)
    return render(
        request,
        "platforms/connection_detail.html",
        {
            "account": account,
            "connection": connection,
            "form": form,
            "secrets_set": secrets_set,
            "capabilities": selectors.capabilities_of(connection.kind) if connection else [],
            "field_kinds": {field: kinds_using(field) for field in CONNECTION_FIELDS},
            "push_url": _push_url(request, connection),
            "push_events": selectors.push_events(connection)[:20] if connection else [],
        },
    )


def _push_url(request: WorkspaceRequest, connection: Any) -> str:
    """The address to enter in WeChat's 服务器配置 for this connection (empty for other kinds)."""
    if connection is None or connection.kind != ConnectorKind.WECHAT_MP:
        return ""
    path = reverse("wechat-push", kwargs={"connection_id": connection.pk})
    base = settings.PUBLIC_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@workspace_view()
def connection_detail(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """An account's connection: status, last check, capabilities, and the connect form for editors."""
    return _connection_page(request, account_id)


@workspace_view(Perm.ACCOUNT_EDIT)
def connection_edit(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Save the connect form; the sandbox issues its own token when none is given."""
    workspace = request.workspace
    account = account_selectors.account_get(workspace=workspace, user=request.user, account_id=account_id)
    if request.method != "POST":
        return _connection_page(request, account_id)
    connection = selectors.connection_for_account(workspace=workspace, user=request.user, account=account)
    secrets_set = selectors.secrets_state(connection)
    form = ConnectionForm(request.POST, kinds=selectors.kind_choices_for(account), secrets_set=secrets_set)
    if form.is_valid():
        data = form.cleaned_data
        try:
            sandbox_login = (
                data["kind"] == ConnectorKind.SANDBOX
                and not data["access_token"]
                and not (
                    connection is not None
                    and connection.kind == ConnectorKind.SANDBOX
                    and secrets_set["access_token"]
                )
            )
            if sandbox_login:
                sandbox_services.sandbox_connect(
                    workspace=workspace,
                    actor=request.user,
                    account=account,
                    base_url=data["base_url"] or None,
                )
            else:
                connection_services.connection_save(
                    workspace=workspace, actor=request.user, account=account, **data
                )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Connection saved. Use “Test connection” to check it."))
            return redirect("connection_detail", slug=workspace.slug, account_id=account.pk)
    return _connection_page(request, account_id, form=form)


def _connection_or_404(request: WorkspaceRequest, account_id: int) -> Any:
    workspace = request.workspace
    account = account_selectors.account_get(workspace=workspace, user=request.user, account_id=account_id)
    return selectors.connection_get_for_account(workspace=workspace, user=request.user, account=account)


@require_POST
@workspace_view(Perm.ACCOUNT_EDIT)
def connection_test(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Call the platform's cheapest read with the stored credentials."""
    workspace = request.workspace
    connection = _connection_or_404(request, account_id)
    result = connection_services.connection_test(
        workspace=workspace, actor=request.user, connection=connection
    )
    (messages.success if result.ok else messages.error)(request, result.message)
    return redirect("connection_detail", slug=workspace.slug, account_id=account_id)


@require_POST
@workspace_view(Perm.ACCOUNT_EDIT)
def connection_pause(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Stop publishing through this connection until it is resumed."""
    return _set_paused(request, account_id, paused=True, done=_("Publishing to this account is paused."))


@require_POST
@workspace_view(Perm.ACCOUNT_EDIT)
def connection_resume(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Resume publishing through a paused connection."""
    return _set_paused(request, account_id, paused=False, done=_("Publishing to this account is resumed."))


def _set_paused(request: WorkspaceRequest, account_id: int, *, paused: bool, done: str) -> HttpResponse:
    workspace = request.workspace
    connection = _connection_or_404(request, account_id)
    connection_services.connection_set_paused(
        workspace=workspace, actor=request.user, connection=connection, paused=paused
    )
    messages.success(request, done)
    return redirect("connection_detail", slug=workspace.slug, account_id=account_id)


@require_POST
@workspace_view(Perm.ACCOUNT_EDIT)
def connection_delete(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Disconnect: the stored credentials are deleted."""
    workspace = request.workspace
    connection = _connection_or_404(request, account_id)
    connection_services.connection_delete(workspace=workspace, actor=request.user, connection=connection)
    messages.success(request, _("Disconnected; the stored credentials are deleted."))
    return redirect("connection_detail", slug=workspace.slug, account_id=account_id)


@workspace_view()
def manual_task_list(request: WorkspaceRequest) -> HttpResponse:
    """Packages waiting for a person to post them by hand, and the ones already posted."""
    workspace = request.workspace
    status = request.GET.get("status", ManualTaskStatus.PENDING)
    if status not in ManualTaskStatus.values and status != "all":
        status = ManualTaskStatus.PENDING
    tasks = selectors.manual_task_list(
        workspace=workspace, user=request.user, status=None if status == "all" else status
    )[:200]
    return render(
        request,
        "platforms/manual_list.html",
        {"tasks": tasks, "status": status, "statuses": [("all", _("All")), *ManualTaskStatus.choices]},
    )


def _manual_page(request: WorkspaceRequest, task_id: int, form: MarkPostedForm | None = None) -> HttpResponse:
    workspace = request.workspace
    task = selectors.manual_task_get(workspace=workspace, user=request.user, task_id=task_id)
    if form is None:
        form = MarkPostedForm(initial={"url": task.posted_url, "external_id": task.external_id})
    return render(
        request,
        "platforms/manual_detail.html",
        {"task": task, "checklist": selectors.manual_checklist(task), "form": form},
    )


@workspace_view()
def manual_task_detail(request: WorkspaceRequest, task_id: int) -> HttpResponse:
    """One package: text to copy, media in order, the checklist, and "mark posted"."""
    return _manual_page(request, task_id)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def manual_task_posted(request: WorkspaceRequest, task_id: int) -> HttpResponse:
    """Mark a package posted with the post's URL."""
    workspace = request.workspace
    task = selectors.manual_task_get(workspace=workspace, user=request.user, task_id=task_id)
    form = MarkPostedForm(request.POST)
    done = submitted(
        request,
        form,
        lambda: manual_services.manual_task_mark_posted(
            workspace=workspace, actor=request.user, task=task, **form.cleaned_data
        ),
        message=_("Marked as posted. Thank you!"),
        to=reverse("manual_task_detail", kwargs={"slug": workspace.slug, "task_id": task.pk}),
    )
    return done or _manual_page(request, task_id, form=form)


urlpatterns = [
    path("connections/", connection_overview, name="connection_overview"),
    path("accounts/<int:account_id>/connection/", connection_detail, name="connection_detail"),
    path("accounts/<int:account_id>/connection/edit/", connection_edit, name="connection_edit"),
    path("accounts/<int:account_id>/connection/test/", connection_test, name="connection_test"),
    path("accounts/<int:account_id>/connection/pause/", connection_pause, name="connection_pause"),
    path("accounts/<int:account_id>/connection/resume/", connection_resume, name="connection_resume"),
    path("accounts/<int:account_id>/connection/delete/", connection_delete, name="connection_delete"),
    path("manual/", manual_task_list, name="manual_task_list"),
    path("manual/<int:task_id>/", manual_task_detail, name="manual_task_detail"),
    path("manual/<int:task_id>/posted/", manual_task_posted, name="manual_task_posted"),
]
