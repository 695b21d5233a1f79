"""Pages of the fans app: order lines, order file imports with their report, order column mappings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.imports import RowError
from socialops.core.view_helpers import apply_form
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.orders import OrderFilterForm, OrderImportForm, OrderMappingForm
from ..imports import ORDER_FIELD_LABELS, ORDER_FIELDS, PRESETS
from ..models import OrderImport
from ..selectors import orders as selectors
from ..services import orders as services

LINES_PER_PAGE = 50
IMPORT_HISTORY_ROWS = 10


def _day_start(day: dt.date | None, tz: Any) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time.min, tzinfo=tz)


@workspace_view()
def order_list(request: WorkspaceRequest) -> HttpResponse:
    """The workspace's order lines (filtered, paged) with the latest imports."""
    workspace, user = request.workspace, request.user
    identity = selectors.orders_identity_visible(workspace=workspace, user=user)
    form = OrderFilterForm(request.GET or None, identity=identity)
    filters = form.cleaned_data if form.is_valid() else {}
    until = filters.get("until")
    lines = selectors.order_line_list(
        workspace=workspace,
        user=user,
        since=_day_start(filters.get("since"), workspace.tz),
        # "To" includes that day.
        until=_day_start(until + dt.timedelta(days=1) if until else None, workspace.tz),
        kind=filters.get("kind") or None,
        q=filters.get("q") or None,
    )
    page = Paginator(lines, LINES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": form,
        "page": page,
        "query": query.urlencode(),
        "identity": identity,
        "imports": selectors.order_import_list(workspace=workspace, user=user)[:IMPORT_HISTORY_ROWS],
        "can_edit": user_can(workspace=workspace, user=user, perm=Perm.FANS_EDIT),
    }
    return render(request, "fans/orders_list.html", context)


def _import_page(
    request: WorkspaceRequest,
    form: OrderImportForm,
    *,
    report: list[RowError] | None = None,
    report_file: str = "",
    run: OrderImport | None = None,
) -> HttpResponse:
    workspace = request.workspace
    context = {
        "form": form,
        "report": report,
        "report_file": report_file,
        "run": run,
        "summary": services.order_import_summary(run) if run is not None else "",
        "presets": [{"key": key, "label": spec["label"]} for key, spec in PRESETS.items()],
        "imports": selectors.order_import_list(workspace=workspace, user=request.user)[:IMPORT_HISTORY_ROWS],
    }
    return render(request, "fans/orders_import.html", context)


@workspace_view(Perm.FANS_EDIT)
def order_import(request: WorkspaceRequest) -> HttpResponse:
    """Upload an order file with a mapping or preset; a bad line rejects it whole, with every problem listed."""
    workspace = request.workspace
    mappings = list(selectors.order_mapping_list(workspace=workspace, user=request.user))
    if request.method != "POST":
        run = None
        run_id = request.GET.get("run", "")
        if run_id.isdigit() and len(run_id) < 19:
            run = (
                selectors.order_import_list(workspace=workspace, user=request.user)
                .filter(pk=int(run_id))
                .first()
            )
        return _import_page(request, OrderImportForm(mappings=mappings), run=run)
    form = OrderImportForm(request.POST, request.FILES, mappings=mappings)
    if not form.is_valid():
        return _import_page(request, form)
    upload = form.cleaned_data["file"]
    try:
        mapping = services.order_mapping_for_import(
            workspace=workspace, actor=request.user, ref=form.mapping_ref()
        )
        record = services.orders_import(
            workspace=workspace,
            actor=request.user,
            mapping=mapping,
            file_name=upload.name,
            content=upload.read(),
        )
    except services.OrdersImportRejected as exc:
        return _import_page(request, form, report=exc.errors, report_file=upload.name)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _import_page(request, form)
    messages.success(request, services.order_import_summary(record))
    return redirect(f"{reverse('fans_order_import', kwargs={'slug': workspace.slug})}?run={record.pk}")


@workspace_view()
def order_mapping_list(request: WorkspaceRequest) -> HttpResponse:
    """Saved order column mappings and the built-in presets."""
    mappings = list(selectors.order_mapping_list(workspace=request.workspace, user=request.user))
    labels = {key: str(label) for key, label in ORDER_FIELD_LABELS.items()}
    rows = [
        {
            "mapping": m,
            "columns": [(labels[f], m.columns[f]) for f in ORDER_FIELDS if f in m.columns],
        }
        for m in mappings
    ]
    presets = [
        {
            "key": key,
            "label": spec["label"],
            "columns": [(labels[f], spec["columns"][f]) for f in ORDER_FIELDS if f in spec["columns"]],
            "options": spec["options"],
        }
        for key, spec in PRESETS.items()
    ]
    context = {
        "rows": rows,
        "presets": presets,
        "can_edit": user_can(workspace=request.workspace, user=request.user, perm=Perm.FANS_EDIT),
    }
    return render(request, "fans/orders_mappings.html", context)


def _mapping_page(request: WorkspaceRequest, form: OrderMappingForm, *, mapping: Any = None) -> HttpResponse:
    return render(request, "fans/orders_mapping_form.html", {"form": form, "mapping": mapping})


@workspace_view(Perm.FANS_EDIT)
def order_mapping_create(request: WorkspaceRequest) -> HttpResponse:
    """Save a new order mapping (a preset's name fills the form from that preset)."""
    workspace = request.workspace
    if request.method != "POST":
        preset = PRESETS.get(request.GET.get("preset", ""))
        initial: dict[str, Any] = {}
        if preset is not None:
            initial = OrderMappingForm.initial_for(
                request.GET["preset"], preset["columns"], preset["options"]
            )
        return _mapping_page(request, OrderMappingForm(initial=initial))
    form = OrderMappingForm(request.POST)
    mapping = apply_form(
        form,
        lambda: services.order_mapping_create(workspace=workspace, actor=request.user, **form.mapping_args()),
    )
    if mapping is None:
        return _mapping_page(request, form)
    messages.success(request, _("Saved the mapping “%(name)s”.") % {"name": mapping.name})
    return redirect("fans_order_mapping_list", slug=workspace.slug)


@workspace_view(Perm.FANS_EDIT)
def order_mapping_edit(request: WorkspaceRequest, mapping_id: int) -> HttpResponse:
    """Change a saved order mapping's name, columns or options."""
    workspace = request.workspace
    mapping = selectors.order_mapping_get(workspace=workspace, user=request.user, mapping_id=mapping_id)
    if request.method != "POST":
        return _mapping_page(request, OrderMappingForm.for_mapping(mapping), mapping=mapping)
    form = OrderMappingForm(request.POST)
    saved = apply_form(
        form,
        lambda: services.order_mapping_update(
            workspace=workspace, actor=request.user, mapping=mapping, **form.mapping_args()
        ),
    )
    if saved is None:
        return _mapping_page(request, form, mapping=mapping)
    messages.success(request, _("Saved the mapping “%(name)s”.") % {"name": saved.name})
    return redirect("fans_order_mapping_list", slug=workspace.slug)


@require_POST
@workspace_view(Perm.FANS_EDIT)
def order_mapping_delete(request: WorkspaceRequest, mapping_id: int) -> HttpResponse:
    """Delete a saved order mapping; imported lines stay."""
    workspace = request.workspace
    mapping = selectors.order_mapping_get(workspace=workspace, user=request.user, mapping_id=mapping_id)
    services.order_mapping_delete(workspace=workspace, actor=request.user, mapping=mapping)
    messages.success(request, _("Deleted the mapping “%(name)s”.") % {"name": mapping.name})
    return redirect("fans_order_mapping_list", slug=workspace.slug)


orders_urlpatterns: list[URLPattern] = [
    path("fans/orders/", order_list, name="fans_order_list"),
    path("fans/orders/import/", order_import, name="fans_order_import"),
    path("fans/orders/mappings/", order_mapping_list, name="fans_order_mapping_list"),
    path("fans/orders/mappings/new/", order_mapping_create, name="fans_order_mapping_create"),
    path("fans/orders/mappings/<int:mapping_id>/", order_mapping_edit, name="fans_order_mapping_edit"),
    path(
        "fans/orders/mappings/<int:mapping_id>/delete/",
        order_mapping_delete,
        name="fans_order_mapping_delete",
    ),
]
