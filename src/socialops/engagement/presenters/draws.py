"""Lucky draws in words: the rules of entry as sentences, states as badges, winners as rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.fans.presenters.people import person_name

from ..models import ReplyStatus
from ..models.draws import Draw, DrawStatus, DrawWinner, NoticeStatus
from ..selectors.draws import Verification
from ..services.draws import staff_lines

STATUS_BADGES: dict[str, str] = {
    DrawStatus.OPEN: "text-bg-primary",
    DrawStatus.FROZEN: "text-bg-warning",
    DrawStatus.DRAWN: "text-bg-success",
}
NOTICE_BADGES: dict[str, str] = {
    NoticeStatus.PENDING: "text-bg-secondary",
    NoticeStatus.REPLIED: "text-bg-success",
    NoticeStatus.MANUAL: "text-bg-warning",
    NoticeStatus.TOLD: "text-bg-success",
}


def local_when(value: dt.datetime | None, tz: Any) -> str:
    """A moment in the workspace's time zone, as YYYY-MM-DD HH:MM (blank for none)."""
    return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def rule_sentences(draw: Draw, accounts: list[Any]) -> list[str]:
    """The rules of entry, one sentence each, as the draw's page and the public page say them."""
    where = "、".join(a.display_name or a.handle for a in accounts) if accounts else _("any of our accounts")
    tz = draw.workspace.tz
    rules: list[str] = []
    if draw.require_follow:
        rules.append(_("Follows %(where)s.") % {"where": where})
    if draw.keyword:
        start = local_when(draw.keyword_from or draw.created_at, tz)
        end = local_when(draw.keyword_until or draw.closes_at, tz)
        rules.append(
            _("Commented, replied or mentioned “%(kw)s” on %(where)s between %(start)s and %(end)s.")
            % {"kw": draw.keyword, "where": where, "start": start, "end": end}
        )
    if draw.poll_id:
        rules.append(_("Answered poll no. %(poll)s.") % {"poll": draw.poll_id})
    if draw.segment_id and draw.segment is not None:
        rules.append(_("Is in “%(segment)s”.") % {"segment": draw.segment.name})
    rules.append(_("One entry per person."))
    if staff_lines(draw.staff_identities):
        rules.append(
            _("The team's own identities (%(n)s) cannot win.")
            % {"n": len(staff_lines(draw.staff_identities))}
        )
    return rules


def verification_sentences(result: Verification) -> list[tuple[bool | None, str]]:
    """(passed, sentence) per check of a recomputation; passed None when it could not run yet."""
    rows: list[tuple[bool | None, str]] = []
    if result.list_ok is None:
        rows.append((None, _("The entrant list is not frozen yet.")))
    else:
        rows.append(
            (
                result.list_ok,
                _("The entrant list's SHA-256 matches the commitment.")
                if result.list_ok
                else _("The entrant list's SHA-256 does NOT match the commitment."),
            )
        )
    if result.seed_ok is None:
        rows.append((None, _("The seed is revealed when the winners are drawn.")))
    else:
        rows.append(
            (
                result.seed_ok,
                _("The revealed seed's SHA-256 matches the commitment.")
                if result.seed_ok
                else _("The revealed seed's SHA-256 does NOT match the commitment."),
            )
        )
    if result.winners_ok is not None:
        rows.append(
            (
                result.winners_ok,
                _("The winners recomputed from the list and the seed match the published winners.")
                if result.winners_ok
                else _(
                    "The winners recomputed from the list and the seed do NOT match the published winners."
                ),
            )
        )
    return rows


def notice_sentence(winner: DrawWinner) -> str:
    """How the winner was told, in a sentence (the reply's own state when one was sent)."""
    if winner.notice == NoticeStatus.REPLIED and winner.reply is not None:
        states: dict[str, str] = {
            ReplyStatus.QUEUED: _("Reply queued in the inbox."),
            ReplyStatus.SENDING: _("Reply being sent."),
            ReplyStatus.SENT: _("Reply sent through the inbox."),
            ReplyStatus.UNKNOWN: _("Reply outcome unknown: check it in the inbox."),
            ReplyStatus.FAILED: _("Reply failed: see the inbox."),
        }
        return str(states.get(winner.reply.status, winner.reply.get_status_display()))
    return str(winner.get_notice_display())


def winner_rows(winners: list[DrawWinner], *, identify: bool) -> list[dict[str, Any]]:
    """The staff page's winner rows: rank, pseudonym, who (name or pseudonym), coupon, notice."""
    rows = []
    for winner in winners:
        person = winner.entrant.person
        rows.append(
            {
                "winner": winner,
                "rank": winner.rank,
                "pseudonym": winner.entrant.pseudonym,
                "who": person_name(person, identify) if person is not None else _("(erased)"),
                "person_id": person.pk if person is not None else None,
                "coupon": winner.coupon.code if winner.coupon is not None and identify else "",
                "notice": notice_sentence(winner),
                "badge": NOTICE_BADGES.get(winner.notice, "text-bg-secondary"),
                "note": winner.notice_note,
                "manual": winner.notice == NoticeStatus.MANUAL,
            }
        )
    return rows
