"""Models of the engagement app: verifiable lucky draws: eligibility, frozen entrants, commitment, winners.

A draw commits to a secret seed when it is created (the seed's SHA-256 is public from then on),
freezes its entrant list at the close time (the list's SHA-256 is published with it), then
reveals the seed and picks the winners by engagement.draw_algorithm, so anyone can recompute
them from the public page (docs/draws.md).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socialops.accounts.models import SocialAccount
from socialops.core.models import CreatedByModel, TimestampedModel
from socialops.fans.models import Coupon, CouponCampaign, Person, Segment
from socialops.workspaces.models import Workspace

from .campaigns import Campaign
from .threads import Reply


class DrawStatus(models.TextChoices):
    """Where a draw is: taking entries, entrants frozen, winners drawn."""

    OPEN = "open", _("Taking entries")
    FROZEN = "frozen", _("Entrants frozen")
    DRAWN = "drawn", _("Winners drawn")


DEFAULT_MESSAGE = (
    "恭喜{昵称}在「{抽奖}」中奖！奖品：{奖品}。{优惠码}中奖编号 {编号}，可在 {验证链接} 核对抽奖结果。"
)


class Draw(CreatedByModel, TimestampedModel):
    """A lucky draw (抽奖): prize, rules of entry, close time, and its public commitments."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    prize = models.TextField(_("prize"))
    winners_count = models.PositiveSmallIntegerField(_("number of winners"), default=1)
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="draws",
        verbose_name=_("campaign"),
    )
    # Winners get a code of this coupon campaign (one per person, through fans' coupon service).
    coupon_campaign = models.ForeignKey(
        CouponCampaign,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coupon prize"),
    )
    closes_at = models.DateTimeField(_("closes at"))
    # ---- rules of entry (all that are set must hold) ----
    # Our accounts the follow and keyword rules look at (none chosen: all our accounts).
    accounts = models.ManyToManyField(SocialAccount, related_name="+", blank=True, verbose_name=_("accounts"))
    require_follow = models.BooleanField(_("must follow one of the accounts"), default=False)
    keyword = models.CharField(_("keyword in a comment"), max_length=50, blank=True)
    # The keyword counts in comments, replies and mentions of this period (blank: from the
    # draw's creation to its close time).
    keyword_from = models.DateTimeField(_("keyword counts from"), null=True, blank=True)
    keyword_until = models.DateTimeField(_("keyword counts until"), null=True, blank=True)
    # A poll's id (interactions of kind vote with meta["poll"] equal to it).
    poll_id = models.PositiveIntegerField(_("answered poll"), null=True, blank=True)
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("in tier or segment"),
    )
    # The team's own identities: platform user ids or handles, one a line; any person with a
    # fan matching one of them is not an entrant (staff may not win their own draw).
    staff_identities = models.TextField(_("staff excluded"), blank=True)
    message = models.TextField(_("winner message"), default=DEFAULT_MESSAGE)
    # ---- commitments ----
    status = models.CharField(_("status"), max_length=10, choices=DrawStatus.choices, default=DrawStatus.OPEN)
    # The address of the public verification page (/p/draws/<token>/).
    public_token = models.CharField(max_length=32, unique=True)
    # The secret seed (64 hex characters), revealed when the winners are drawn. Named "secret"
    # so the audit log never copies it before then.
    secret = models.CharField(max_length=64)
    seed_hash = models.CharField(_("seed commitment"), max_length=64)
    # The HMAC key that turns person ids into entrant ids; never published.
    pseudonym_key = models.CharField(max_length=64)
    entrants_hash = models.CharField(_("entrant list commitment"), max_length=64, blank=True)
    entrant_count = models.PositiveIntegerField(_("entrants"), default=0)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-closes_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "status", "closes_at"], name="draw_ws_status"),
            models.Index(fields=["status", "closes_at"], name="draw_status_close"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(winners_count__gte=1), name="draw_winners_positive"),
        ]
        verbose_name = _("lucky draw")
        verbose_name_plural = _("lucky draws")

    def __str__(self) -> str:
        return self.name

    @property
    def revealed_seed(self) -> str:
        """The seed once the winners are drawn; blank before (it is still secret)."""
        return self.secret if self.status == DrawStatus.DRAWN else ""


class DrawEntrant(models.Model):
    """One person in a frozen entrant list, under a public entrant id that does not name them.

    Written once when the list is frozen and never changed: the published list is made of these rows.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="entrants")
    # Kept null when the person is erased (PIPL): the public list must still verify.
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    entrant_id = models.CharField(_("entrant id"), max_length=20)
    pseudonym = models.CharField(_("pseudonym"), max_length=20)

    class Meta:
        ordering = ["draw", "entrant_id"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "entrant_id"], name="uniq_draw_entrant_id"),
            models.UniqueConstraint(
                fields=["draw", "person"], condition=Q(person__isnull=False), name="uniq_draw_entrant_person"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "draw"], name="drawentrant_ws_draw")]
        verbose_name = _("entrant")

    def __str__(self) -> str:
        return self.pseudonym


class NoticeStatus(models.TextChoices):
    """How a winner hears of the prize."""

    PENDING = "pending", _("Not notified yet")
    REPLIED = "replied", _("Reply through the inbox")
    MANUAL = "manual", _("To tell by hand")
    TOLD = "told", _("Told by hand")


class DrawWinner(models.Model):
    """A winner of a drawn draw, with their rank, coupon and how they were told."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    draw = models.ForeignKey(Draw, on_delete=models.CASCADE, related_name="winners")
    entrant = models.OneToOneField(DrawEntrant, on_delete=models.CASCADE, related_name="winner")
    rank = models.PositiveSmallIntegerField(_("rank"))
    notice = models.CharField(
        _("notification"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    # Why the winner must be told by hand (no inbox conversation, a refused message…).
    notice_note = models.CharField(_("note"), max_length=300, blank=True)
    reply = models.OneToOneField(
        Reply, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("reply")
    )
    coupon = models.ForeignKey(
        Coupon, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("coupon")
    )
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)

    class Meta:
        ordering = ["draw", "rank"]
        constraints = [models.UniqueConstraint(fields=["draw", "rank"], name="uniq_draw_rank")]
        indexes = [models.Index(fields=["workspace", "draw"], name="drawwinner_ws_draw")]
        verbose_name = _("winner")

    def __str__(self) -> str:
        return f"{self.draw_id}#{self.rank}"
