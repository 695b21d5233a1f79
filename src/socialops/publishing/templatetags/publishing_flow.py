"""Template pieces of publishing shown on other apps' pages: the item's next step and its posts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from socialops.accounts.models import SocialAccount
from socialops.content.models import ContentItem, Placement
from socialops.content.services.plan import free_slots
from socialops.core.time import local_today
from socialops.review.selectors import workflow as review_selectors
from socialops.workspaces.roles import Perm

from .. import flow
from ..models import Publication, PublicationState

register = template.Library()

STATE_CLASSES: dict[str, str] = {
    PublicationState.SCHEDULED: "text-bg-primary",
    PublicationState.PUBLISHING: "text-bg-info",
    PublicationState.HANDED_OVER: "text-bg-info",
    PublicationState.PUBLISHED: "text-bg-dark",
    PublicationState.FAILED: "text-bg-danger",
    PublicationState.UNKNOWN: "text-bg-warning",
    PublicationState.CANCELLED: "text-bg-light border",
}
# Item states in which the next step is to put the item on the calendar / wait for its posts.
REVIEWED = ("approved", "scheduled", "publishing", "failed", "unknown")
SLOTS_SHOWN = 3


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """{{ dict|lookup:key }}: the value under key, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def publication_state_class(state: str) -> str:
    """The Bootstrap badge class of a publication state."""
    return STATE_CLASSES.get(state, "text-bg-light border")


def _target_accounts(workspace: Any, item: Any) -> list[SocialAccount]:
    accounts = list(item.accounts.filter(is_competitor=False))
    if not accounts:
        accounts = list(SocialAccount.objects.filter(workspace=workspace, is_competitor=False))
    return accounts


@register.inclusion_tag("publishing/_item_flow.html", takes_context=True)
def publishing_panel(context: Any, item: Any) -> dict[str, Any]:
    """Where the item stands on its way out: its placements and posts, what would stop them, the next step."""
    request = context["request"]
    workspace = request.workspace
    can_edit = request.membership.has_perm(Perm.CONTENT_EDIT)
    placements = list(
        Placement.objects.filter(workspace=workspace, item=item)
        .select_related("account")
        .order_by("starts_at")
    )
    publications = list(
        Publication.objects.filter(workspace=workspace, item=item)
        .exclude(state=PublicationState.CANCELLED)
        .select_related("account")
        .order_by("due_at")
    )
    involved = {p.account_id for p in placements} | {p.account_id for p in publications}
    blockers = flow.account_blockers(workspace=workspace)
    blocked = [
        flow.blocker_sentence(account, blockers[account.pk])
        for account in SocialAccount.objects.filter(pk__in=list(involved & set(blockers))).order_by("pk")
    ]
    offers = []
    if item.status == "approved" and not placements and can_edit:
        for account in _target_accounts(workspace, item)[:4]:
            slots = free_slots(workspace=workspace, account=account, item=item, count=SLOTS_SHOWN)
            offers.append(
                {
                    "account": account,
                    "blocked": blockers.get(account.pk),
                    "slots": [
                        {"value": t.strftime("%Y-%m-%dT%H:%M"), "label": t.strftime("%m-%d %H:%M")}
                        for t in slots
                    ],
                }
            )
    unscheduled = [p for p in placements if not any(pub.account_id == p.account_id for pub in publications)]
    return {
        "request": request,
        "item": item,
        "can_edit": can_edit,
        "placements": placements,
        "publications": publications,
        "blocked": blocked,
        "offers": offers,
        "reviewed": item.status in REVIEWED,
        "unscheduled": unscheduled if item.status in REVIEWED else [],
        "in_review": item.status in ("draft", "in_review", "changes_requested"),
    }


TODAY_ROWS = 6


@register.inclusion_tag("publishing/_today.html", takes_context=True)
def today_panel(context: Any) -> dict[str, Any]:
    """The dashboard's "today": due today, waiting for my review, failed or unknown posts, accounts
    that need attention — each a short list linking to where it is handled."""
    request = context["request"]
    workspace = request.workspace
    user = request.user
    today = local_today(workspace)
    start = dt.datetime.combine(today, dt.time.min, tzinfo=workspace.tz)
    end = start + dt.timedelta(days=1)
    going_out = (
        Publication.objects.filter(workspace=workspace, due_at__gte=start, due_at__lt=end)
        .exclude(state=PublicationState.CANCELLED)
        .select_related("item", "account")
        .order_by("due_at")
    )
    due_items = (
        ContentItem.objects.filter(workspace=workspace, deadline=today)
        .exclude(status__in=("published", "archived"))
        .select_related("owner")
        .order_by("title")
    )
    review = review_selectors.review_queue(workspace=workspace, user=user)
    trouble = (
        Publication.objects.filter(
            workspace=workspace, state__in=[PublicationState.FAILED, PublicationState.UNKNOWN]
        )
        .select_related("item", "account")
        .order_by("-due_at")
    )
    blockers = flow.account_blockers(workspace=workspace)
    accounts = [
        {"account": a, "reason": blockers[a.pk]}
        for a in SocialAccount.objects.filter(pk__in=list(blockers)).order_by("platform", "display_name")
    ]
    return {
        "request": request,
        "going_out": list(going_out[:TODAY_ROWS]),
        "going_out_count": going_out.count(),
        "due_items": list(due_items[:TODAY_ROWS]),
        "due_count": due_items.count(),
        "review": list(review[:TODAY_ROWS]),
        "review_count": review.count(),
        "trouble": list(trouble[:TODAY_ROWS]),
        "trouble_count": trouble.count(),
        "accounts": accounts[:TODAY_ROWS],
        "accounts_count": len(accounts),
        "blockers": blockers,
    }
