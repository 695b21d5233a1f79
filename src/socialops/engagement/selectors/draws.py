"""Reads of lucky draws: the list, one draw, its entrants and winners, and the public verification."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_row_or_404, member_rows

from .. import draw_algorithm as algo
from ..models.draws import Draw, DrawEntrant, DrawStatus, DrawWinner


def draw_list(*, workspace: Workspace, user: Any, status: str = "") -> QuerySet[Draw]:
    """The workspace's draws, latest close time first, optionally of one status."""
    rows = member_rows(Draw, workspace=workspace, user=user).select_related("campaign", "coupon_campaign")
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-closes_at", "-pk")


def draw_get(*, workspace: Workspace, user: Any, draw_id: int) -> Draw:
    """One draw of this workspace, or Http404."""
    return member_row_or_404(Draw, workspace=workspace, user=user, pk=draw_id)


def winner_get(*, workspace: Workspace, user: Any, winner_id: int) -> DrawWinner:
    """One winner of a draw of this workspace, or Http404."""
    return member_row_or_404(DrawWinner, workspace=workspace, user=user, pk=winner_id)


def draw_entrants(*, workspace: Workspace, user: Any, draw: Draw) -> QuerySet[DrawEntrant]:
    """A draw's frozen entrants in entrant-id order (the published order)."""
    return member_rows(DrawEntrant, workspace=workspace, user=user).filter(draw=draw).order_by("entrant_id")


def draw_winners(*, workspace: Workspace, user: Any, draw: Draw) -> QuerySet[DrawWinner]:
    """A draw's winners in rank order, with their entrant, person, reply and coupon."""
    return (
        member_rows(DrawWinner, workspace=workspace, user=user)
        .filter(draw=draw)
        .select_related("entrant", "entrant__person", "reply", "coupon")
        .prefetch_related("entrant__person__fans")
        .order_by("rank")
    )


def draw_by_token(token: str) -> Draw:
    """The draw behind a public verification address (no login), or Http404."""
    draw = Draw.objects.filter(public_token=token).select_related("workspace", "campaign").first()
    if draw is None or not token:
        raise Http404(_("Not found."))
    return draw


def public_link(draw: Draw) -> str:
    """The public verification page's address (absolute when the deployment's PUBLIC_URL is set)."""
    return f"{settings.PUBLIC_URL}{reverse('draw_public', kwargs={'token': draw.public_token})}"


def published_entrants(draw: Draw) -> list[algo.Entrant]:
    """The published entrant list (empty before the freeze)."""
    rows = DrawEntrant.objects.filter(draw=draw).order_by("entrant_id").values_list("entrant_id", "pseudonym")
    return [algo.Entrant(eid, pseudonym) for eid, pseudonym in rows]


def published_winners(draw: Draw) -> list[str]:
    """The published winners' entrant ids, in rank order."""
    rows = DrawWinner.objects.filter(draw=draw).order_by("rank").values_list("entrant__entrant_id", flat=True)
    return list(rows)


@dataclass
class Verification:
    """What a recomputation from published data found; None where there was nothing to check yet."""

    list_hash: str = ""
    list_ok: bool | None = None
    seed_ok: bool | None = None
    winners: list[str] = field(default_factory=list)
    winners_ok: bool | None = None
    entrants: int = 0

    @property
    def ok(self) -> bool:
        """True when every check that could run passed and the winners were checked."""
        checks = (self.list_ok, self.seed_ok, self.winners_ok)
        return self.winners_ok is not None and all(c is not False for c in checks)


def draw_verification(
    draw: Draw, *, file_bytes: bytes | None = None, seed: str | None = None
) -> Verification:
    """Recompute the list hash and the winners from the published data (or a copy of the list file).

    The hash is taken of the file's bytes as given; the winners are recomputed from its lines
    with the revealed seed (or ``seed``) and compared with the published winners.
    """
    if file_bytes is None:
        entrants = published_entrants(draw)
        file_bytes = algo.canonical_bytes(entrants)
    else:
        entrants = algo.parse_canonical(file_bytes)
    result = Verification(entrants=len(entrants))
    if draw.status == DrawStatus.OPEN:
        return result
    result.list_hash = hashlib.sha256(file_bytes).hexdigest()
    result.list_ok = result.list_hash == draw.entrants_hash
    seed = seed if seed is not None else draw.revealed_seed
    if not seed:
        return result
    result.seed_ok = algo.seed_hash(seed) == draw.seed_hash
    result.winners = [e.entrant_id for e in algo.winners(seed, entrants, draw.winners_count)]
    if draw.status == DrawStatus.DRAWN:
        result.winners_ok = result.winners == published_winners(draw)
    return result
