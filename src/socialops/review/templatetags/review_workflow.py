"""Template pieces of the review workflow shown on the content pages (item detail and edit form)."""

from __future__ import annotations

from typing import Any

from django import template

from socialops.workspaces.roles import Perm

from ..forms.workflow import DecisionForm, OverrideForm, RequestChangesForm
from ..selectors import workflow as selectors
from ..services.transitions import REOPEN_FROM, status_label

register = template.Library()


@register.filter
def review_status_label(status: str) -> str:
    """{{ item.status|review_status_label }}: the state's name in the reader's language."""
    return status_label(status)


@register.inclusion_tag("review/workflow/_panel.html", takes_context=True)
def review_panel(context: Any, item: Any) -> dict[str, Any]:
    """The item's review: state, steps, approved revision, override banners, findings and the buttons."""
    request = context["request"]
    workspace = request.workspace
    state = selectors.item_review_state(workspace=workspace, user=request.user, item=item)
    membership = request.membership
    return {
        "request": request,
        "item": item,
        "state": state,
        "findings": selectors.findings_counts(workspace=workspace, user=request.user, item=item),
        "slug": workspace.slug,
        "can_review": membership.has_perm(Perm.CONTENT_REVIEW),
        "decision_form": DecisionForm(prefix="approve"),
        "changes_form": RequestChangesForm(prefix="changes"),
        "override_form": OverrideForm(),
        "revision_count": selectors.revision_list(workspace=workspace, user=request.user, item=item).count(),
    }


@register.inclusion_tag("review/workflow/_edit_notice.html")
def review_edit_notice(item: Any) -> dict[str, Any]:
    """On the edit form: saving an approved item sends it back to review."""
    return {
        "item": item,
        "reopens": item is not None and item.status in REOPEN_FROM,
        "label": status_label(item.status) if item else "",
    }


STATUS_CLASSES = {
    "draft": "text-bg-secondary",
    "in_review": "text-bg-primary",
    "changes_requested": "text-bg-danger",
    "approved": "text-bg-success",
    "scheduled": "text-bg-info",
    "publishing": "text-bg-info",
    "published": "text-bg-dark",
    "failed": "text-bg-danger",
    "unknown": "text-bg-warning",
}
TASK_CLASSES = {
    "pending": "text-bg-light border",
    "approved": "text-bg-success",
    "changes_requested": "text-bg-danger",
    "cancelled": "text-bg-secondary",
}


@register.filter
def review_status_class(status: str) -> str:
    """The Bootstrap badge class of an item state."""
    return STATUS_CLASSES.get(status, "text-bg-light border")


@register.filter
def review_task_class(state: str) -> str:
    """The Bootstrap badge class of a step's decision."""
    return TASK_CLASSES.get(state, "text-bg-light border")
