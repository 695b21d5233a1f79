"""Layout context of the publishing app: the admins' "accounts need attention" badge."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from .selectors import alert_unread_count


def publishing_nav(request: HttpRequest) -> dict[str, Any]:
    """publishing_nav = {url, count, label} on workspace pages when the member has unread alerts."""
    workspace = getattr(request, "workspace", None)
    user = getattr(request, "user", None)
    if workspace is None or user is None or not user.is_authenticated:
        return {}
    count = alert_unread_count(workspace=workspace, user=user)
    if not count:
        return {}
    return {
        "publishing_nav": {
            "url": reverse("publishing_alerts", kwargs={"slug": workspace.slug}),
            "count": count,
            "label": _("%(n)d accounts need attention") % {"n": count},
        }
    }
