"""Reads of the moderation settings, and the engine's policy built from them."""

from __future__ import annotations

from typing import Any

from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

from ..models.moderation import ModerationSettings
from ..moderation.engine import Policy
from ..moderation.rules import RULES


def settings_or_default(workspace: Workspace) -> ModerationSettings:
    """The workspace's moderation settings, or an unsaved row with the defaults (reads never write)."""
    row = ModerationSettings.objects.filter(workspace=workspace).first()
    return row if row is not None else ModerationSettings(workspace=workspace)


def moderation_settings(*, workspace: Workspace, user: Any) -> ModerationSettings:
    """The moderation settings a member sees (defaults until changed)."""
    membership_get(workspace=workspace, user=user)
    return settings_or_default(workspace)


def policy_from(row: ModerationSettings) -> Policy:
    """The engine's frozen policy for one settings row."""
    return Policy(
        rules=frozenset(r for r in row.enabled_rules if r in RULES),
        banned_words=tuple(row.banned_words),
        allowed_domains=tuple(row.allowed_domains),
        allowed_contacts=tuple(row.allowed_contacts),
        repeat_count=row.repeat_count,
        repeat_window_minutes=row.repeat_window_minutes,
        flood_per_minute=row.flood_per_minute,
        new_member_hours=row.new_member_hours,
        mute_after_strikes=row.mute_after_strikes,
        mute_hours=row.mute_hours,
        remove_after_strikes=row.remove_after_strikes,
    )


def policy_for(workspace: Workspace) -> Policy:
    """The moderation policy of ``workspace`` (the defaults until its settings are saved)."""
    return policy_from(settings_or_default(workspace))
