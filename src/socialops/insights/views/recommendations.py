"""Pages of recommendations: the list with evidence and measured effect; propose, accept, reject."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from socialops.content.models import Theme
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from .. import stats
from ..models import RecommendationStatus
from ..selectors import recommendations as sel
from ..services import recommendations as svc


@workspace_view()
def recommendation_list(request: WorkspaceRequest) -> HttpResponse:
    """Proposed changes first, then decided ones with the effect measured since."""
    recs = list(sel.recommendation_list(workspace=request.workspace, user=request.user))
    names = {str(t.pk): t.name for t in Theme.objects.filter(workspace=request.workspace)}
    rows: list[dict[str, Any]] = []
    for rec in recs:
        mix = rec.change.get("applied") or rec.change.get("after") or {}
        rows.append(
            {
                "rec": rec,
                "mix": [(names.get(k, k), rec.change.get("before", {}).get(k, 0), v) for k, v in mix.items()],
                "effect": sel.recommendation_effect(
                    workspace=request.workspace, user=request.user, recommendation=rec
                ),
            }
        )
    rows.sort(key=lambda r: r["rec"].status != RecommendationStatus.PROPOSED)
    return render(
        request,
        "insights/recommendations.html",
        {
            "rows": rows,
            "min_sample": stats.MIN_SAMPLE,
            "step": svc.STEP,
            "proposed": RecommendationStatus.PROPOSED,
        },
    )


def _back(request: WorkspaceRequest) -> HttpResponse:
    return redirect(reverse("insights_recommendations", kwargs={"slug": request.workspace.slug}))


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def recommendations_generate(request: WorkspaceRequest) -> HttpResponse:
    """Propose changes from the content performance of the last 180 days."""
    made = svc.recommendations_generate(workspace=request.workspace, actor=request.user)
    if made:
        messages.success(
            request,
            ngettext("%(n)d new recommendation.", "%(n)d new recommendations.", len(made)) % {"n": len(made)},
        )
    else:
        messages.info(request, _("No theme differs clearly enough from the others to propose a change."))
    return _back(request)


def _decide(request: WorkspaceRequest, recommendation_id: int, accept: bool) -> HttpResponse:
    rec = sel.recommendation_get(
        workspace=request.workspace, user=request.user, recommendation_id=recommendation_id
    )
    try:
        if accept:
            svc.recommendation_accept(workspace=request.workspace, actor=request.user, recommendation=rec)
            messages.success(request, _("Accepted: the account's theme target shares are updated."))
        else:
            svc.recommendation_reject(workspace=request.workspace, actor=request.user, recommendation=rec)
            messages.success(request, _("Rejected."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return _back(request)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def recommendation_accept(request: WorkspaceRequest, recommendation_id: int) -> HttpResponse:
    """Accept a proposed change (updates the theme target shares the plan generator reads)."""
    return _decide(request, recommendation_id, accept=True)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def recommendation_reject(request: WorkspaceRequest, recommendation_id: int) -> HttpResponse:
    """Reject a proposed change."""
    return _decide(request, recommendation_id, accept=False)
