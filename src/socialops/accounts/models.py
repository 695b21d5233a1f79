"""Social accounts (ours and competitors'), positioning and target personas (R1.1, R1.2)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.core.models import TimestampedModel
from socialops.workspaces.models import Workspace


class Platform(models.TextChoices):
    """Platforms an account can live on."""

    WECHAT_MP = "wechat_mp", _("WeChat Official Account")
    WEIBO = "weibo", _("Weibo")
    DOUYIN = "douyin", _("Douyin")
    XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
    BILIBILI = "bilibili", _("Bilibili")
    CHANNELS = "channels", _("WeChat Channels")
    KUAISHOU = "kuaishou", _("Kuaishou")
    ZHIHU = "zhihu", _("Zhihu")
    WECOM = "wecom", _("WeCom")
    MASTODON = "mastodon", _("Mastodon")
    BLUESKY = "bluesky", _("Bluesky")
    TELEGRAM = "telegram", _("Telegram")
    X = "x", _("X")
    OTHER = "other", _("Other")


class SocialAccount(TimestampedModel):
    """An account on one platform: ours (is_competitor False) or a competitor's we track."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="accounts")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    handle = models.CharField(_("handle"), max_length=100)
    display_name = models.CharField(_("display name"), max_length=100)
    is_competitor = models.BooleanField(_("competitor"), default=False)
    url = models.URLField(_("profile URL"), blank=True)
    positioning = models.CharField(_("positioning"), max_length=200, blank=True)
    brand_traits = models.JSONField(_("brand traits"), default=list, blank=True)
    market_position = models.TextField(_("market position"), blank=True)
    style_rules = models.TextField(_("content style rules"), blank=True)
    tone = models.TextField(_("tone of voice"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["is_competitor", "platform", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "platform", "handle"], name="uniq_account_handle"),
        ]
        indexes = [models.Index(fields=["workspace", "is_competitor"], name="account_ws_competitor")]
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_platform_display()})"


class AgeBand(models.TextChoices):
    """Age bands used by Chinese platforms' audience reports."""

    UNDER_18 = "<18", _("under 18")
    A18_24 = "18-24", "18–24"
    A25_30 = "25-30", "25–30"
    A31_40 = "31-40", "31–40"
    A41_50 = "41-50", "41–50"
    OVER_50 = "50+", _("over 50")


class CityTier(models.TextChoices):
    """City tiers (一线 … 五线)."""

    TIER1 = "tier1", _("Tier 1")
    NEW_TIER1 = "new_tier1", _("New tier 1")
    TIER2 = "tier2", _("Tier 2")
    TIER3 = "tier3", _("Tier 3")
    TIER4 = "tier4", _("Tier 4 and below")
    OVERSEAS = "overseas", _("Overseas")


class Persona(models.Model):
    """A target-audience persona of an account (age, gender mix, city tiers, interests, active hours)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="personas")
    account = models.ForeignKey(SocialAccount, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(_("name"), max_length=100)
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    female_share = models.PositiveSmallIntegerField(
        _("share of women (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)], default=50
    )
    city_tiers = models.JSONField(_("city tiers"), default=list, blank=True)
    interests = models.JSONField(_("interests"), default=list, blank=True)
    active_hours = models.JSONField(_("active hours"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["account", "name"]
        indexes = [models.Index(fields=["workspace", "account"], name="persona_ws_account")]
        verbose_name = _("persona")

    def __str__(self) -> str:
        return self.name

    @property
    def male_share(self) -> int:
        return 100 - self.female_share

    @property
    def city_tier_labels(self) -> list[str]:
        labels = dict(CityTier.choices)
        return [str(labels.get(t, t)) for t in self.city_tiers or []]
