"""The demo's group moderation: the settings a community team of 星曜科技 would have saved."""

from __future__ import annotations

from typing import Any

from socialops.community.models.moderation import ModerationSettings
from socialops.community.moderation.rules import DEFAULT_BANNED_WORDS
from socialops.community.services.moderation import moderation_settings_update
from socialops.workspaces.models import Workspace

#: What the team added to the built-in ad phrases after a few weeks of group life.
EXTRA_BANNED_WORDS = ("代购", "高仿", "内部价", "刷步数")


def seed_moderation(workspace: Workspace, users: dict[str, Any] | None = None) -> ModerationSettings:
    """Save the demo workspace's moderation settings through the service (the community member, else the system)."""
    actor = (users or {}).get("community")
    return moderation_settings_update(
        workspace=workspace,
        actor=actor,
        banned_words=[*DEFAULT_BANNED_WORDS, *EXTRA_BANNED_WORDS],
        allowed_domains=["xingyao-tech.com"],
        allowed_contacts=["400-820-6688", "xingyao_service"],
        flood_per_minute=6,
        new_member_hours=48,
        mute_hours=12,
    )
