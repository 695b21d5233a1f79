"""Pages of the engagement app: lucky draws (staff pages) and the public verification page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from socialops.accounts.models import SocialAccount
from socialops.core.throttle import allow, client_address
from socialops.core.view_helpers import form_page, run_and_say, submitted
from socialops.fans.models import CouponCampaign, Segment
from socialops.fans.selectors.people import can_identify
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from .. import draw_algorithm as algo
from ..forms.draws import DrawForm
from ..models.campaigns import Campaign
from ..models.draws import Draw, DrawStatus
from ..presenters import draws as pres
from ..selectors import draws as sel
from ..services import draw_notices
from ..services import draws as svc

# Requests one address may make to the public pages per minute.
PUBLIC_LIMIT = 60


def _form(request: WorkspaceRequest, draw: Draw | None) -> DrawForm:
    workspace = request.workspace
    initial: dict[str, Any] | None = None
    if draw is not None:
        initial = svc.current_values(draw)
        for name in ("campaign", "coupon_campaign", "segment"):
            initial[name] = getattr(draw, f"{name}_id")
        initial["accounts"] = [a.pk for a in initial["accounts"]]
    else:
        # The team's own identities are the same from one draw to the next: start from the last list.
        last = Draw.objects.filter(workspace=workspace).exclude(staff_identities="").order_by("-pk").first()
        if last is not None:
            initial = {"staff_identities": last.staff_identities}
    return DrawForm(
        request.POST or None,
        initial=initial,
        campaigns=Campaign.objects.filter(workspace=workspace).order_by("-start_date", "name"),
        coupon_campaigns=CouponCampaign.objects.filter(workspace=workspace).order_by("name"),
        accounts=SocialAccount.objects.filter(workspace=workspace, is_competitor=False).order_by(
            "display_name", "pk"
        ),
        segments=Segment.objects.filter(workspace=workspace).order_by("kind", "rank", "name"),
    )


def _detail_url(request: WorkspaceRequest, draw: Draw) -> str:
    return reverse("draw_detail", kwargs={"slug": request.workspace.slug, "draw_id": draw.pk})


@workspace_view()
def draw_list(request: WorkspaceRequest) -> HttpResponse:
    """The workspace's lucky draws with their state, entrants and close time."""
    status = request.GET.get("status", "")
    status = status if status in DrawStatus.values else ""
    draws = list(sel.draw_list(workspace=request.workspace, user=request.user, status=status)[:500])
    rows = [(d, pres.STATUS_BADGES.get(d.status, "")) for d in draws]
    return render(
        request,
        "engagement/draws/list.html",
        {
            "rows": rows,
            "status": status,
            "statuses": DrawStatus.choices,
            "can_edit": user_can(workspace=request.workspace, user=request.user, perm=Perm.CAMPAIGN_EDIT),
        },
    )


@workspace_view(Perm.CAMPAIGN_EDIT)
def draw_create(request: WorkspaceRequest) -> HttpResponse:
    """Open a lucky draw: its seed commitment is made now and shown on the public page."""
    form = _form(request, None)
    done = submitted(
        request,
        form,
        lambda: svc.draw_create(workspace=request.workspace, actor=request.user, **form.cleaned_data),
        message=_("Draw created. Its seed commitment is published on the verification page."),
        to=lambda draw: _detail_url(request, draw),
    )
    cancel = reverse("draw_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(request, form, title=_("New lucky draw"), submit=_("Create"), cancel_url=cancel)


@workspace_view(Perm.CAMPAIGN_EDIT)
def draw_edit(request: WorkspaceRequest, draw_id: int) -> HttpResponse:
    """Change a draw's rules while it takes entries."""
    draw = sel.draw_get(workspace=request.workspace, user=request.user, draw_id=draw_id)
    if draw.status != DrawStatus.OPEN:
        messages.error(request, _("The entrants are frozen; the draw's rules cannot change any more."))
        return redirect(_detail_url(request, draw))
    form = _form(request, draw)
    done = submitted(
        request,
        form,
        lambda: svc.draw_update(
            workspace=request.workspace, actor=request.user, draw=draw, **form.cleaned_data
        ),
        message=_("Draw saved."),
        to=lambda saved: _detail_url(request, saved),
    )
    return done or form_page(
        request, form, title=draw.name, submit=_("Save"), cancel_url=_detail_url(request, draw)
    )


@workspace_view()
def draw_detail(request: WorkspaceRequest, draw_id: int) -> HttpResponse:
    """One draw: rules, entrants, commitments, the freeze and draw buttons, winners and how they were told."""
    workspace, user = request.workspace, request.user
    draw = sel.draw_get(workspace=workspace, user=user, draw_id=draw_id)
    accounts = list(draw.accounts.all())
    identify = can_identify(workspace=workspace, user=user)
    winners = list(sel.draw_winners(workspace=workspace, user=user, draw=draw))
    would_enter = len(svc.eligible_person_ids(draw)) if draw.status == DrawStatus.OPEN else None
    verification = sel.draw_verification(draw)
    return render(
        request,
        "engagement/draws/detail.html",
        {
            "draw": draw,
            "badge": pres.STATUS_BADGES.get(draw.status, ""),
            "rules": pres.rule_sentences(draw, accounts),
            "would_enter": would_enter,
            "winner_rows": pres.winner_rows(winners, identify=identify),
            "manual_count": sum(1 for w in winners if w.notice == "manual"),
            "pending_count": sum(1 for w in winners if w.notice == "pending"),
            "checks": pres.verification_sentences(verification),
            "public_url": request.build_absolute_uri(
                reverse("draw_public", kwargs={"token": draw.public_token})
            ),
            "can_edit": user_can(workspace=workspace, user=user, perm=Perm.CAMPAIGN_EDIT),
            "closes_local": pres.local_when(draw.closes_at, workspace.tz),
            "frozen_local": pres.local_when(draw.frozen_at, workspace.tz),
            "drawn_local": pres.local_when(draw.drawn_at, workspace.tz),
        },
    )


def _post_action(request: WorkspaceRequest, draw_id: int, action: Any, done: str) -> HttpResponse:
    draw = sel.draw_get(workspace=request.workspace, user=request.user, draw_id=draw_id)
    run_and_say(request, lambda: action(draw), done)
    return redirect(_detail_url(request, draw))


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def draw_freeze(request: WorkspaceRequest, draw_id: int) -> HttpResponse:
    """Freeze the entrant list now (the job does it at the close time)."""
    return _post_action(
        request,
        draw_id,
        lambda d: svc.draw_freeze(workspace=request.workspace, actor=request.user, draw=d),
        _("Entrants frozen. The list and its SHA-256 are published."),
    )


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def draw_run(request: WorkspaceRequest, draw_id: int) -> HttpResponse:
    """Reveal the seed and draw the winners; telling them starts at once."""
    return _post_action(
        request,
        draw_id,
        lambda d: svc.draw_run(workspace=request.workspace, actor=request.user, draw=d),
        _("Winners drawn and the seed revealed. The winners are being told."),
    )


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def draw_notify(request: WorkspaceRequest, draw_id: int) -> HttpResponse:
    """Tell the winners not told yet (none is told twice)."""
    return _post_action(
        request,
        draw_id,
        lambda d: draw_notices.winners_notify(
            workspace=request.workspace, actor=request.user, draw=d, link=sel.public_link(d)
        ),
        _("Winners told where the inbox allows; the others are marked to tell by hand."),
    )


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def draw_delete(request: WorkspaceRequest, draw_id: int) -> HttpResponse:
    """Delete a draw that still takes entries."""
    draw = sel.draw_get(workspace=request.workspace, user=request.user, draw_id=draw_id)
    if run_and_say(
        request,
        lambda: svc.draw_delete(workspace=request.workspace, actor=request.user, draw=draw),
        _("Draw deleted."),
    ):
        return redirect("draw_list", slug=request.workspace.slug)
    return redirect(_detail_url(request, draw))


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def draw_winner_told(request: WorkspaceRequest, winner_id: int) -> HttpResponse:
    """Mark a winner told by hand."""
    winner = sel.winner_get(workspace=request.workspace, user=request.user, winner_id=winner_id)
    run_and_say(
        request,
        lambda: draw_notices.winner_mark_told(workspace=request.workspace, actor=request.user, winner=winner),
        _("Marked as told."),
    )
    return redirect("draw_detail", slug=request.workspace.slug, draw_id=winner.draw_id)


# ---- the public verification page ---------------------------------------------------------------


def _throttled(request: HttpRequest) -> HttpResponse | None:
    if allow("draw_public", client_address(request), limit=PUBLIC_LIMIT, per=60):
        return None
    response = HttpResponse(
        _("Too many requests; try again in a minute."), status=429, content_type="text/plain"
    )
    response["Retry-After"] = "60"
    return response


@require_GET
def draw_public(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone may check a draw: commitments, revealed seed, the entrant list, winners, and a live recomputation."""
    refused = _throttled(request)
    if refused is not None:
        return refused
    draw = sel.draw_by_token(token)
    verification = sel.draw_verification(draw)
    winners = list(
        draw.winners.select_related("entrant")
        .order_by("rank")
        .values_list("rank", "entrant__pseudonym", "entrant__entrant_id")
    )
    tz = draw.workspace.tz
    return render(
        request,
        "engagement/draws/public.html",
        {
            "draw": draw,
            "public_owner": draw.workspace.name,
            "rules": pres.rule_sentences(draw, list(draw.accounts.all())),
            "winners": winners,
            "winner_ids": [row[2] for row in winners],
            "checks": pres.verification_sentences(verification),
            "verified": verification.ok,
            "closes_local": pres.local_when(draw.closes_at, tz),
            "frozen_local": pres.local_when(draw.frozen_at, tz),
            "drawn_local": pres.local_when(draw.drawn_at, tz),
            "example_key": algo.sort_key(draw.revealed_seed, winners[0][2]) if winners else "",
        },
    )


@require_GET
def draw_public_entrants(request: HttpRequest, token: str) -> HttpResponse:
    """The canonical entrant list file (UTF-8 JSON lines sorted by entrant id) whose SHA-256 was published."""
    refused = _throttled(request)
    if refused is not None:
        return refused
    draw = sel.draw_by_token(token)
    if draw.status == DrawStatus.OPEN:
        raise Http404(_("The entrant list is published when it is frozen."))
    response = HttpResponse(
        algo.canonical_bytes(sel.published_entrants(draw)), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}-entrants.jsonl"'
    return response


draws_urlpatterns: list[URLPattern] = [
    path("draws/", draw_list, name="draw_list"),
    path("draws/new/", draw_create, name="draw_create"),
    path("draws/<int:draw_id>/", draw_detail, name="draw_detail"),
    path("draws/<int:draw_id>/edit/", draw_edit, name="draw_edit"),
    path("draws/<int:draw_id>/freeze/", draw_freeze, name="draw_freeze"),
    path("draws/<int:draw_id>/draw/", draw_run, name="draw_run"),
    path("draws/<int:draw_id>/notify/", draw_notify, name="draw_notify"),
    path("draws/<int:draw_id>/delete/", draw_delete, name="draw_delete"),
    path("draws/winners/<int:winner_id>/told/", draw_winner_told, name="draw_winner_told"),
]
# Public pages (no login), mounted under /p/ in config/urls.py.
draws_public_urlpatterns: list[URLPattern] = [
    path("draws/<str:token>/", draw_public, name="draw_public"),
    path("draws/<str:token>/entrants.jsonl", draw_public_entrants, name="draw_public_entrants"),
]
