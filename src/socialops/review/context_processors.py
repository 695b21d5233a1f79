"""Layout context of the review app: the "waiting for my review" link with its count."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors.workflow import notification_unread_count, review_queue_count


def review_nav(request: HttpRequest) -> dict[str, Any]:
    """review_nav = {url, label, count, count_label, unread, unread_label, notifications_url} on workspace pages."""
    workspace = getattr(request, "workspace", None)
    user = getattr(request, "user", None)
    if workspace is None or user is None or not user.is_authenticated:
        return {}
    try:
        count = review_queue_count(workspace=workspace, user=user)
        unread = notification_unread_count(workspace=workspace, user=user)
    except Http404:
        return {}
    return {
        "review_nav": {
            "url": reverse("review_queue", kwargs={"slug": workspace.slug}),
            "label": _("Waiting for my review"),
            "count": count,
            "count_label": _("%(n)d items wait for your review") % {"n": count},
            "notifications_url": reverse("review_notifications", kwargs={"slug": workspace.slug}),
            "unread": unread,
            "unread_label": _("%(n)d unread notifications") % {"n": unread},
        }
    }
