"""Telling a draw's winners: a coupon issued once, and a reply in their inbox conversation, once.

A winner with a conversation in the inbox (a thread with a message we may answer) gets the
draw's message as a reply through the inbox's reply service (checked, queued, sent once by the
inbox's delivery job). A winner without one is marked "to tell by hand", with the reason, on
the draw's page. A coupon code goes only into a private conversation: in a public comment
thread the message asks the winner to write to us instead.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.core.actors import SYSTEM
from socialops.fans.services.coupons import coupon_issue
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import Thread, ThreadChannel
from ..models.draws import Draw, DrawStatus, DrawWinner, NoticeStatus
from .draws import draw_accounts
from .replies import fill_variables, reply_create


def winner_thread(winner: DrawWinner) -> Thread | None:
    """The conversation to tell a winner in: their direct messages first, then their latest thread."""
    person_id = winner.entrant.person_id
    if person_id is None:
        return None
    draw = winner.draw
    threads = Thread.objects.filter(
        workspace_id=draw.workspace_id,
        person_id=person_id,
        account__in=draw_accounts(draw),
        items__interaction__external_id__gt="",
    ).distinct()
    private_first = Case(When(channel=ThreadChannel.MESSAGES, then=Value(0)), default=Value(1))
    return (
        threads.annotate(private=private_first)
        .order_by("private", "-last_inbound_at", "-pk")
        .select_related("fan", "account")
        .first()
        if threads.exists()
        else None
    )


def _message(draw: Draw, winner: DrawWinner, thread: Thread, code: str, link: str) -> str:
    fan = thread.fan
    nickname = fan.display_name or fan.handle
    if code and thread.channel == ThreadChannel.MESSAGES:
        coupon_text = _("Your coupon code: %(code)s. ") % {"code": code}
    elif code:
        coupon_text = _("Send us a direct message to receive your coupon code. ")
    else:
        coupon_text = ""
    values = {
        "昵称": nickname, "nickname": nickname, "抽奖": draw.name, "draw": draw.name,
        "奖品": draw.prize, "prize": draw.prize, "优惠码": coupon_text, "coupon": coupon_text,
        "编号": winner.entrant.pseudonym, "number": winner.entrant.pseudonym,
        "验证链接": link, "link": link,
    }  # fmt: skip
    return fill_variables(draw.message, values).strip()


def _issue_coupon(draw: Draw, winner: DrawWinner) -> str:
    """The winner's coupon code (issued now, or the one they have); a refusal raises ValidationError."""
    if draw.coupon_campaign is None or winner.entrant.person is None:
        return ""
    if winner.coupon is None:
        with transaction.atomic():  # a savepoint: a refused issue leaves the notice usable
            coupon, _created = coupon_issue(
                workspace=draw.workspace,
                actor=SYSTEM,
                campaign=draw.coupon_campaign,
                person=winner.entrant.person,
            )
        winner.coupon = coupon
    assert winner.coupon is not None
    return winner.coupon.code


def _notify_one(draw: Draw, winner: DrawWinner, link: str) -> str:
    try:
        code = _issue_coupon(draw, winner)
    except ValidationError as exc:
        code = ""
        winner.notice_note = (_("Coupon not issued: %(why)s") % {"why": " ".join(exc.messages)})[:300]
    thread = winner_thread(winner)
    if thread is None:
        winner.notice = NoticeStatus.MANUAL
        reason = (
            _("The person's data was erased.")
            if winner.entrant.person_id is None
            else _("No conversation with this winner in the inbox: tell them on the platform by hand.")
        )
        winner.notice_note = " ".join(filter(None, [reason, winner.notice_note]))[:300]
        return NoticeStatus.MANUAL
    text = _message(draw, winner, thread, code, link)
    try:
        with transaction.atomic():
            reply = reply_create(workspace=draw.workspace, actor=SYSTEM, thread=thread, text=text)
    except ValidationError as exc:
        winner.notice = NoticeStatus.MANUAL
        winner.notice_note = (_("The message was refused: %(why)s") % {"why": " ".join(exc.messages)})[:300]
        return NoticeStatus.MANUAL
    winner.reply = reply
    winner.notice = NoticeStatus.REPLIED
    winner.notified_at = timezone.now()
    return NoticeStatus.REPLIED


def winners_notify(*, workspace: Workspace, actor: Any, draw: Draw, link: str = "") -> dict[str, int]:
    """Tell every winner not told yet (each at most once); counts by outcome.

    ``link`` is the public verification page's address, for the {验证链接} variable.
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, draw, "draw")
    counts: dict[str, int] = {NoticeStatus.REPLIED: 0, NoticeStatus.MANUAL: 0}
    if draw.status != DrawStatus.DRAWN:
        raise ValidationError({"draw": [_("The winners are not drawn yet.")]})
    pending = DrawWinner.objects.filter(draw=draw, notice=NoticeStatus.PENDING).values_list("pk", flat=True)
    for winner_id in list(pending):
        with transaction.atomic():
            winner = (
                # Only the winner's row: PostgreSQL cannot lock the nullable side of the outer joins.
                DrawWinner.objects.select_for_update(of=("self",))
                .select_related("entrant", "entrant__person", "coupon", "draw", "draw__workspace")
                .get(pk=winner_id)
            )
            if winner.notice != NoticeStatus.PENDING:
                continue  # another run told this winner meanwhile
            outcome = _notify_one(winner.draw, winner, link)
            winner.save(update_fields=["notice", "notice_note", "reply", "coupon", "notified_at"])
            audit_record(
                workspace=workspace,
                actor=actor,
                action="engagement.draw.notify",
                obj=winner,
                after={
                    "notice": outcome,
                    "reply": winner.reply_id,
                    "coupon": winner.coupon_id,
                    "note": winner.notice_note,
                },
            )
            counts[outcome] += 1
    return {str(k): v for k, v in counts.items()}


@transaction.atomic
def winner_mark_told(*, workspace: Workspace, actor: Any, winner: DrawWinner) -> DrawWinner:
    """A person told a winner by hand (one marked "to tell by hand")."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, winner, "winner")
    locked = DrawWinner.objects.select_for_update().get(pk=winner.pk)
    if locked.notice != NoticeStatus.MANUAL:
        raise ValidationError({"winner": [_("Only a winner waiting to be told by hand can be marked told.")]})
    locked.notice = NoticeStatus.TOLD
    locked.notified_at = timezone.now()
    locked.save(update_fields=["notice", "notified_at"])
    audit_record(
        workspace=workspace, actor=actor, action="engagement.draw.told", obj=locked, after={"notice": "told"}
    )
    return locked
