"""The demo's lucky draw: one finished draw of 星曜科技 that anyone can verify on its public page.

「评论抽奖」 ran over the last two weeks: fans who follow one of our accounts and commented a
keyword under our posts entered, one entry a person, the team's own identity excluded. The draw
is created, frozen and drawn through the draw services (its seed commitment, entrant list and
winners are real and verify with `socialops draw verify`), then its winners are told: a reply
through the inbox where the winner has a conversation there, "to tell by hand" otherwise.

The keyword is the first of a few everyday words that enough of the demo's comments contain (the
comments come from shared review corpora or built-in phrases), so the draw has entrants whichever
texts the seed used. Called by the lead from the seed as ``seed_draws(workspace, today)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from socialops.accounts.models import SocialAccount
from socialops.engagement.models.draws import Draw
from socialops.engagement.selectors.draws import public_link
from socialops.engagement.services import draw_notices
from socialops.engagement.services import draws as draw_services
from socialops.fans.models import Fan, Interaction

# Everyday words of the comments, tried in order; the first that enough comments contain is the keyword.
KEYWORDS = ("喜欢", "不错", "好用", "推荐", "好", "买")
MIN_COMMENTS = 20
DAYS = 14
WINNERS = 5


def _keyword(workspace: Any, since: dt.datetime, until: dt.datetime) -> str:
    comments = Interaction.objects.filter(
        workspace=workspace,
        kind__in=draw_services.KEYWORD_KINDS,
        occurred_at__gte=since,
        occurred_at__lte=until,
        account__is_competitor=False,
    )
    for word in KEYWORDS:
        if comments.filter(text__contains=word).count() >= MIN_COMMENTS:
            return word
    return ""


@transaction.atomic
def seed_draws(workspace: Any, today: dt.date) -> Draw:
    """One finished, verifiable draw (created, frozen, drawn, winners told or marked manual)."""
    tz = workspace.tz
    closes_at = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(20, 0), tzinfo=tz)
    opened_at = closes_at - dt.timedelta(days=DAYS)
    accounts = list(SocialAccount.objects.filter(workspace=workspace, is_competitor=False).order_by("pk"))
    keyword = _keyword(workspace, opened_at, closes_at)
    # The team's own fan identity (one the community manager uses): shown excluded on the page.
    staff = (
        Fan.objects.filter(workspace=workspace, account__in=accounts, is_following=True)
        .exclude(handle="")
        .order_by("pk")
        .values_list("handle", flat=True)
        .first()
    )
    draw = draw_services.draw_create(
        workspace=workspace,
        actor=None,
        name="评论抽奖：星曜 X1 Pro 耳机",
        prize="星曜 X1 Pro 无线耳机 1 副",
        winners_count=WINNERS,
        # Created now, so the close time must lie ahead; the row is dated back below.
        closes_at=timezone.now() + dt.timedelta(minutes=5),
        accounts=accounts,
        require_follow=True,
        keyword=keyword,
        keyword_from=opened_at if keyword else None,
        keyword_until=closes_at if keyword else None,
        staff_identities=staff or "",
    )
    # History: the draw opened two weeks ago and closed last night (the commitment was made then).
    Draw.objects.filter(pk=draw.pk).update(created_at=opened_at, closes_at=closes_at)
    draw.refresh_from_db()
    draw = draw_services.draw_freeze(workspace=workspace, actor=None, draw=draw, now=closes_at)
    draw = draw_services.draw_run(workspace=workspace, actor=None, draw=draw)
    draw_notices.winners_notify(workspace=workspace, actor=None, draw=draw, link=public_link(draw))
    return draw


def draws_summary(draw: Draw) -> dict[str, Any]:
    """What the demo's draw holds, for the seed command to print."""
    return {
        "draw": draw.pk,
        "entrants": draw.entrant_count,
        "winners": draw.winners.count(),
        "told_by_inbox": draw.winners.filter(notice="replied").count(),
        "to_tell_by_hand": draw.winners.filter(notice="manual").count(),
        "public_page": public_link(draw),
    }
