"""Moderation settings of a workspace's groups: which rules are on, word lists, thresholds, the strike ladder."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.core.models import TimestampedModel
from socialops.workspaces.models import Workspace

from ..moderation.rules import DEFAULT_BANNED_WORDS, RULES


def _all_rules() -> list[str]:
    return list(RULES)


def _default_words() -> list[str]:
    return list(DEFAULT_BANNED_WORDS)


class ModerationSettings(TimestampedModel):
    """How one workspace's groups are kept in order: the rules, their lists and thresholds, the strike ladder."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="moderation_settings")
    # Codes from community.moderation.rules.RULES.
    enabled_rules = models.JSONField(_("rules in force"), default=_all_rules)
    # Starts with the built-in ad phrases (editable); compared without spaces, symbols, case or width.
    banned_words = models.JSONField(_("banned words"), default=_default_words)
    # Our own domains: links to them (and their subdomains) are allowed.
    allowed_domains = models.JSONField(_("allowed domains"), default=list)
    # Our own phone numbers and WeChat/QQ IDs: allowed in messages.
    allowed_contacts = models.JSONField(_("allowed contacts"), default=list)
    repeat_count = models.PositiveSmallIntegerField(_("repeats: same message this many times"), default=3)
    repeat_window_minutes = models.PositiveSmallIntegerField(_("repeats: within (minutes)"), default=10)
    flood_per_minute = models.PositiveSmallIntegerField(
        _("flooding: more than (messages per minute)"), default=8
    )
    new_member_hours = models.PositiveSmallIntegerField(
        _("new members: no links or contacts for (hours)"), default=24
    )
    # The strike ladder: the first strike warns, then mute, then removal.
    mute_after_strikes = models.PositiveSmallIntegerField(_("mute from strike"), default=2)
    mute_hours = models.PositiveSmallIntegerField(_("mute for (hours)"), default=24)
    remove_after_strikes = models.PositiveSmallIntegerField(_("remove from strike"), default=3)

    class Meta:
        verbose_name = _("moderation settings")

    def __str__(self) -> str:
        return f"moderation settings {self.workspace_id}"
