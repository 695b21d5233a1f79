"""One flow from plan to post: placements and approvals schedule publications by themselves.

Connected to ``review.hooks.item_approved`` and ``content.hooks.placement_changed`` in
receivers.py; everything runs inside the caller's transaction. A placement in the past is left
alone (approving an item late must not post it at once); a person can still publish it now.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialops.accounts.models import SocialAccount
from socialops.content.models import ContentItem, Placement
from socialops.core.actors import SYSTEM
from socialops.review.models import ItemStatus
from socialops.workspaces.models import Workspace

from . import services
from .models import Publication, PublicationState

# Item states in which a new placement is scheduled at once (the item passed review).
AUTO_SCHEDULE = (ItemStatus.APPROVED, ItemStatus.SCHEDULED, ItemStatus.FAILED)

# What stops a post on an account, by connection state ("" = nothing stops it).
BLOCKERS = {
    None: gettext_lazy("not connected to its platform: posts to it cannot go out"),
    "needs_reauth": gettext_lazy("needs re-authorisation: posts to it wait until it is connected again"),
    "paused": gettext_lazy("publishing is paused for this account"),
}


def _live(item_id: int, account_id: int) -> Publication | None:
    return (
        Publication.objects.select_for_update()
        .filter(item_id=item_id, account_id=account_id)
        .exclude(state=PublicationState.CANCELLED)
        .first()
    )


def schedule_placement(*, workspace: Workspace, actor: Any, placement: Placement) -> Publication | None:
    """Schedule (or move) the publication of one upcoming placement of a reviewed item."""
    if placement.starts_at <= timezone.now() or placement.account.is_competitor:
        return None
    existing = _live(placement.item_id, placement.account_id)
    if existing is not None:
        if existing.state != PublicationState.SCHEDULED:
            return None
        if existing.placement_id != placement.pk:
            Publication.objects.filter(pk=existing.pk).update(placement=placement)
        if existing.due_at == placement.starts_at:
            return existing
        return services.publication_reschedule(
            workspace=workspace, actor=actor, publication=existing, due_at=placement.starts_at
        )
    return services.publication_schedule(
        workspace=workspace,
        actor=actor,
        item=placement.item,
        account=placement.account,
        due_at=placement.starts_at,
        placement=placement,
    )


def on_item_approved(*, workspace: Workspace, actor: Any, item: ContentItem) -> None:
    """The item passed review: each of its upcoming placements becomes a scheduled publication."""
    placements = Placement.objects.filter(workspace=workspace, item=item, starts_at__gt=timezone.now())
    # The reviewer may not hold content.edit: scheduling what was planned is the system's step.
    for placement in placements.select_related("account", "item").order_by("starts_at", "pk"):
        schedule_placement(workspace=workspace, actor=SYSTEM, placement=placement)


def on_placement_changed(*, workspace: Workspace, actor: Any, placement: Placement, action: str) -> None:
    """A placement was made, moved or is being removed: its publication follows it."""
    item = ContentItem.objects.get(pk=placement.item_id)
    if action == "placement.delete":
        pub = _live(placement.item_id, placement.account_id)
        if pub is not None and pub.state == PublicationState.SCHEDULED and pub.placement_id == placement.pk:
            services.publication_cancel(workspace=workspace, actor=SYSTEM, publication=pub)
        return
    if action == "placement.create" and item.status not in AUTO_SCHEDULE:
        return
    if action == "placement.move":
        pub = _live(placement.item_id, placement.account_id)
        if pub is None or pub.state != PublicationState.SCHEDULED:
            return
    schedule_placement(workspace=workspace, actor=SYSTEM, placement=placement)


# ---- reads for pages: what would stop a post ---------------------------------------------------


def account_blockers(*, workspace: Workspace, account_ids: Any = None) -> dict[int, str]:
    """{account id: why posts to it cannot go out} for our accounts without a working connection."""
    accounts = SocialAccount.objects.filter(workspace=workspace, is_competitor=False).select_related(
        "connection"
    )
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    found = {}
    for account in accounts:
        connection = getattr(account, "connection", None)
        status = None if connection is None else connection.status
        if status in BLOCKERS:
            found[account.pk] = str(BLOCKERS[status])
    return found


def attention_counts(*, workspace: Workspace) -> dict[str, int]:
    """How many publications failed or have an unknown outcome, and how many upcoming ones are blocked."""
    rows = Publication.objects.filter(workspace=workspace)
    blocked = account_blockers(workspace=workspace)
    return {
        "failed": rows.filter(state=PublicationState.FAILED).count(),
        "unknown": rows.filter(state=PublicationState.UNKNOWN).count(),
        "blocked": rows.filter(Q(state=PublicationState.SCHEDULED) & Q(account_id__in=list(blocked))).count(),
    }


def blocker_sentence(account: SocialAccount, reason: str) -> str:
    """“星曜科技 (微博) is not connected …” for a banner."""
    return _("%(account)s is %(reason)s") % {"account": account, "reason": reason}
