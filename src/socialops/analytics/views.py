"""Pages: accounts' post history with imports, column mappings, and the best-time heatmap."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from socialops.accounts.models import SocialAccount
from socialops.core.forms import PRESET_PREFIX
from socialops.core.imports import FileUnreadable, RowError, import_summary, read_headers
from socialops.core.view_helpers import apply_form, submitted
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from . import selectors, services
from .besttime import LEARNED, best_time_table
from .forms import NEW_MAPPING, ColumnMappingForm, PostImportForm
from .imports import PRESETS, guess_columns
from .presenters import heatmap_data, top_hours

POSTS_PER_PAGE = 50
IMPORT_HISTORY_ROWS = 10


def _account(request: WorkspaceRequest, account_id: int) -> SocialAccount:
    return selectors.analytics_account_get(
        workspace=request.workspace,
        user=request.user,
        account_id=account_id,
    )


@workspace_view()
def analytics_home(request: WorkspaceRequest) -> HttpResponse:
    """Every account with its number of recorded posts, and links to its history and best time."""
    workspace = request.workspace
    context = {
        "accounts": selectors.analytics_account_list(workspace=workspace, user=request.user),
        "mappings": selectors.column_mapping_list(workspace=workspace, user=request.user),
    }
    return render(request, "analytics/home.html", context)


def _default_mapping(workspace: Any, account: SocialAccount, mappings: list[Any]) -> str:
    """The mapping this account's last import used, else one named after its platform (a Douyin
    account should not start from a WeChat mapping), else none (the form's first)."""
    last = selectors.last_mapping_id(workspace=workspace, account=account)
    if last is not None:
        return str(last)
    names = {str(account.get_platform_display()), account.platform}
    for mapping in mappings:
        if any(name and name.casefold() in mapping.name.casefold() for name in names):
            return str(mapping.pk)
    return ""


def _render_posts(
    request: WorkspaceRequest,
    account: SocialAccount,
    *,
    import_form: PostImportForm | None = None,
    report: list[RowError] | None = None,
    report_file: str = "",
) -> HttpResponse:
    workspace = request.workspace
    user = request.user
    mappings = list(selectors.column_mapping_list(workspace=workspace, user=user))
    if import_form is None:
        chosen = request.GET.get("mapping", "") or _default_mapping(workspace, account, mappings)
        import_form = PostImportForm(mappings=mappings, initial={"mapping": chosen} if chosen else None)
    posts = selectors.post_list(workspace=workspace, user=user, account=account)
    context = {
        "account": account,
        "accounts": selectors.analytics_account_list(workspace=workspace, user=user),
        "page": Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page")),
        "import_form": import_form,
        "imports": selectors.post_import_list(workspace=workspace, user=user, account=account)[
            :IMPORT_HISTORY_ROWS
        ],
        "report": report,
        "report_file": report_file,
    }
    return render(request, "analytics/post_list.html", context)


@workspace_view()
def post_list(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """One account's post history, its import form and import history."""
    return _render_posts(request, _account(request, account_id))


def _mapping_page(request: WorkspaceRequest, form: ColumnMappingForm, *, mapping: Any = None) -> HttpResponse:
    return render(request, "analytics/mapping_form.html", {"form": form, "mapping": mapping})


@require_POST
@workspace_view(Perm.METRICS_EDIT)
def post_import(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Import an uploaded post file through the chosen mapping, or start a new mapping from its header."""
    workspace = request.workspace
    account = _account(request, account_id)
    mappings = list(selectors.column_mapping_list(workspace=workspace, user=request.user))
    form = PostImportForm(request.POST, request.FILES, mappings=mappings)
    if not form.is_valid():
        return _render_posts(request, account, import_form=form)
    upload = form.cleaned_data["file"]
    content = upload.read()
    choice = form.cleaned_data["mapping"]

    if choice == NEW_MAPPING:
        try:
            headers = read_headers(upload.name, content)
        except FileUnreadable as exc:
            form.add_error("file", str(exc))
            return _render_posts(request, account, import_form=form)
        initial = {"account": account.pk, **guess_columns(headers)}
        messages.info(
            request,
            _("Pick the column of “%(file)s” for each field and save the mapping by name.")
            % {"file": upload.name},
        )
        return _mapping_page(request, ColumnMappingForm(initial=initial, headers=headers[:200]))

    try:
        mapping = services.mapping_for_import(
            workspace=workspace, actor=request.user, ref=choice.removeprefix(PRESET_PREFIX)
        )
        record = services.posts_import(
            workspace=workspace,
            actor=request.user,
            account=account,
            mapping=mapping,
            file_name=upload.name,
            content=content,
        )
    except services.PostsImportRejected as exc:
        return _render_posts(request, account, import_form=form, report=exc.errors, report_file=upload.name)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_posts(request, account, import_form=form)
    messages.success(request, import_summary(record))
    return redirect("post_list", slug=workspace.slug, account_id=account.pk)


@workspace_view()
def column_mapping_list(request: WorkspaceRequest) -> HttpResponse:
    """Saved column mappings and the built-in presets."""
    workspace = request.workspace
    mappings = selectors.column_mapping_list(workspace=workspace, user=request.user)
    saved = {m.name.casefold() for m in mappings}
    presets = [
        {"key": key, "label": spec["label"], "saved": key.casefold() in saved}
        for key, spec in PRESETS.items()
    ]
    return render(request, "analytics/mapping_list.html", {"mappings": mappings, "presets": presets})


@require_http_methods(["GET", "POST"])
@workspace_view(Perm.METRICS_EDIT)
def column_mapping_create(request: WorkspaceRequest) -> HttpResponse:
    """Save a new mapping (typed in, or picked from a file's header); optionally import a file with it."""
    workspace = request.workspace
    if request.method != "POST":
        return _mapping_page(request, ColumnMappingForm())
    form = ColumnMappingForm(request.POST, request.FILES)
    if not form.is_valid():
        return _mapping_page(request, form)
    account = None
    if form.cleaned_data.get("account"):
        account = _account(request, form.cleaned_data["account"])
    mapping = apply_form(
        form,
        lambda: services.column_mapping_create(
            workspace=workspace, actor=request.user, **form.mapping_args()
        ),
    )
    if mapping is None:
        return _mapping_page(request, form)
    messages.success(request, _("Saved the mapping “%(name)s”.") % {"name": mapping.name})
    if account is None:
        return redirect("column_mapping_list", slug=workspace.slug)
    posts_url = reverse("post_list", kwargs={"slug": workspace.slug, "account_id": account.pk})
    upload = form.cleaned_data.get("file")
    if upload is None:
        return redirect(f"{posts_url}?mapping={mapping.pk}#import")
    try:
        record = services.posts_import(
            workspace=workspace,
            actor=request.user,
            account=account,
            mapping=mapping,
            file_name=upload.name,
            content=upload.read(),
        )
    except services.PostsImportRejected as exc:
        import_form = PostImportForm(
            mappings=list(selectors.column_mapping_list(workspace=workspace, user=request.user)),
            initial={"mapping": str(mapping.pk)},
        )
        return _render_posts(
            request, account, import_form=import_form, report=exc.errors, report_file=upload.name
        )
    messages.success(request, import_summary(record))
    return redirect(posts_url)


@require_http_methods(["GET", "POST"])
@workspace_view(Perm.METRICS_EDIT)
def column_mapping_edit(request: WorkspaceRequest, mapping_id: int) -> HttpResponse:
    """Change a saved mapping's name, columns or options."""
    workspace = request.workspace
    mapping = selectors.column_mapping_get(workspace=workspace, user=request.user, mapping_id=mapping_id)
    if request.method != "POST":
        return _mapping_page(request, ColumnMappingForm.for_mapping(mapping), mapping=mapping)
    form = ColumnMappingForm(request.POST)
    done = submitted(
        request,
        form,
        lambda: services.column_mapping_update(
            workspace=workspace, actor=request.user, mapping=mapping, **form.mapping_args()
        ),
        message=lambda saved: _("Saved the mapping “%(name)s”.") % {"name": form.cleaned_data["name"]},
        to=reverse("column_mapping_list", kwargs={"slug": workspace.slug}),
    )
    return done or _mapping_page(request, form, mapping=mapping)


@require_POST
@workspace_view(Perm.METRICS_EDIT)
def column_mapping_delete(request: WorkspaceRequest, mapping_id: int) -> HttpResponse:
    """Delete a saved mapping."""
    workspace = request.workspace
    mapping = selectors.column_mapping_get(workspace=workspace, user=request.user, mapping_id=mapping_id)
    name = mapping.name
    services.column_mapping_delete(workspace=workspace, actor=request.user, mapping=mapping)
    messages.success(request, _("Deleted the mapping “%(name)s”.") % {"name": name})
    return redirect("column_mapping_list", slug=workspace.slug)


@require_POST
@workspace_view(Perm.METRICS_EDIT)
def column_mapping_preset(request: WorkspaceRequest, preset: str) -> HttpResponse:
    """Save a built-in mapping under its preset name."""
    workspace = request.workspace
    if preset not in PRESETS:
        raise Http404(_("Not found."))
    mapping = services.column_mapping_preset(workspace=workspace, actor=request.user, preset=preset)
    messages.success(request, _("Saved the mapping “%(name)s”.") % {"name": mapping.name})
    return redirect("column_mapping_list", slug=workspace.slug)


# --- best time ---------------------------------------------------------------------------------


@workspace_view()
def best_time(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """The account's weekday × hour heatmap, where its best hours come from, and the top hours."""
    workspace = request.workspace
    account = _account(request, account_id)
    table = best_time_table(workspace=workspace, user=request.user, account=account)
    context = {
        "account": account,
        "accounts": selectors.analytics_account_list(workspace=workspace, user=request.user),
        "table": table,
        "learned": table["source"] == LEARNED,
        "heatmap": heatmap_data(table),
        "top_hours": top_hours(table),
    }
    return render(request, "analytics/best_time.html", context)


urlpatterns_pages = [
    path("analytics/", analytics_home, name="analytics_home"),
    path("analytics/accounts/<int:account_id>/posts/", post_list, name="post_list"),
    path("analytics/accounts/<int:account_id>/posts/import/", post_import, name="post_import"),
    path("analytics/accounts/<int:account_id>/best-time/", best_time, name="best_time"),
    path("analytics/mappings/", column_mapping_list, name="column_mapping_list"),
    path("analytics/mappings/new/", column_mapping_create, name="column_mapping_create"),
    path("analytics/mappings/<int:mapping_id>/", column_mapping_edit, name="column_mapping_edit"),
    path("analytics/mappings/<int:mapping_id>/delete/", column_mapping_delete, name="column_mapping_delete"),
    path("analytics/mappings/presets/<slug:preset>/", column_mapping_preset, name="column_mapping_preset"),
]
