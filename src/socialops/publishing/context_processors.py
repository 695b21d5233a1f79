"""Layout context of the publishing app: the queue link with what needs a look, and the admins'
"accounts need attention" badge."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Publication, PublicationState
from .selectors import alert_unread_count


def _queue_nav(workspace: Any) -> dict[str, Any]:
    counts: dict[str, int] = dict.fromkeys((PublicationState.FAILED, PublicationState.UNKNOWN), 0)
    rows = Publication.objects.filter(
        workspace=workspace, state__in=[PublicationState.FAILED, PublicationState.UNKNOWN]
    ).values_list("state", flat=True)
    for state in rows:
        counts[state] += 1
    trouble = counts[PublicationState.FAILED] + counts[PublicationState.UNKNOWN]
    return {
        "url": reverse("publishing_queue", kwargs={"slug": workspace.slug}),
        "label": _("Publishing queue"),
        "trouble": trouble,
        "trouble_label": _("%(failed)d failed, %(unknown)d with unknown outcome")
        % {"failed": counts[PublicationState.FAILED], "unknown": counts[PublicationState.UNKNOWN]},
    }


def publishing_nav(request: HttpRequest) -> dict[str, Any]:
    """queue_nav = {url, label, trouble, trouble_label} on workspace pages; publishing_nav = {url,
    count, label} when the member has unread alerts."""
    workspace = getattr(request, "workspace", None)
    user = getattr(request, "user", None)
    if workspace is None or user is None or not user.is_authenticated:
        return {}
    context: dict[str, Any] = {"queue_nav": _queue_nav(workspace)}
    count = alert_unread_count(workspace=workspace, user=user)
    if count:
        context["publishing_nav"] = {
            "url": reverse("publishing_alerts", kwargs={"slug": workspace.slug}),
            "count": count,
            "label": _("%(n)d accounts need attention") % {"n": count},
        }
    return context
