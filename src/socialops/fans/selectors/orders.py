"""Reads of order lines, order imports and order column mappings; any member may read them.

Customer ids name real customers: only members with fans.identity see them (and may search by
them); others see the person's pseudonym.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from socialops.core.imports import mapping_find
from socialops.workspaces.access import user_can
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm
from socialops.workspaces.selectors import member_rows

from ..models import OrderImport, OrderLine, OrderMapping

# What the order list can be narrowed to.
LINE_KINDS = ("sales", "cancellations", "anonymous")


def orders_identity_visible(*, workspace: Workspace, user: Any) -> bool:
    """True when the user may see customer ids (fans.identity), else they see pseudonyms."""
    return user_can(workspace=workspace, user=user, perm=Perm.FANS_IDENTITY)


def order_line_list(
    *,
    workspace: Workspace,
    user: Any,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    kind: str | None = None,
    q: str | None = None,
    person_id: int | None = None,
) -> QuerySet[OrderLine]:
    """The workspace's order lines, newest first, narrowed by time, kind, order id or product, person.

    ``q`` matches the customer id too, but only for members who may see customer ids.
    """
    qs = member_rows(OrderLine, workspace=workspace, user=user).select_related("person")
    if since is not None:
        qs = qs.filter(ordered_at__gte=since)
    if until is not None:
        qs = qs.filter(ordered_at__lt=until)
    if kind == "sales":
        qs = qs.filter(is_cancellation=False)
    elif kind == "cancellations":
        qs = qs.filter(is_cancellation=True)
    elif kind == "anonymous":
        qs = qs.filter(person__isnull=True)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    text = (q or "").strip().replace("\x00", "")[:100]
    if text:
        match = Q(order_id__iexact=text) | Q(product__icontains=text)
        if orders_identity_visible(workspace=workspace, user=user):
            match |= Q(customer_id__iexact=text)
        qs = qs.filter(match)
    return qs.order_by("-ordered_at", "pk")


def order_import_list(*, workspace: Workspace, user: Any) -> QuerySet[OrderImport]:
    """Runs of order imports in the workspace, newest first."""
    return (
        member_rows(OrderImport, workspace=workspace, user=user)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def order_mapping_list(*, workspace: Workspace, user: Any) -> QuerySet[OrderMapping]:
    """The workspace's saved order column mappings by name."""
    return (
        member_rows(OrderMapping, workspace=workspace, user=user)
        .select_related("created_by")
        .order_by("name", "id")
    )


def order_mapping_get(*, workspace: Workspace, user: Any, mapping_id: int) -> OrderMapping:
    """One order mapping of this workspace, or Http404."""
    return get_object_or_404(order_mapping_list(workspace=workspace, user=user), pk=mapping_id)


def order_mapping_find(*, workspace: Workspace, ref: Any) -> OrderMapping | None:
    """A mapping by name (case-insensitive) or id, for code that already checked access; None if none."""
    return mapping_find(OrderMapping.objects.filter(workspace=workspace), ref)
