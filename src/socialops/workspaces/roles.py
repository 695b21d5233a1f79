"""Roles of a membership and the permissions each grants.

Permissions are plain strings checked in services and selectors (never only in views), so the
web UI and the API enforce exactly the same rules.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A member's role in one workspace."""

    ADMIN = "admin", _("Admin")
    OPERATOR = "operator", _("Operator")
    REVIEWER = "reviewer", _("Reviewer")
    COMMUNITY = "community", _("Community")
    ANALYST = "analyst", _("Analyst")


class Perm:
    """Permission names. Reading a workspace's data needs only membership."""

    WORKSPACE_MANAGE = "workspace.manage"  # settings, members, roles
    AUDIT_VIEW = "audit.view"
    ACCOUNT_EDIT = "account.edit"  # accounts, positioning, personas, competitors
    METRICS_EDIT = "metrics.edit"  # metric snapshots and imports
    GOAL_EDIT = "goal.edit"  # goals, strategies
    CONTENT_EDIT = "content.edit"
    CONTENT_REVIEW = "content.review"
    ENGAGEMENT_REPLY = "engagement.reply"
    FANS_EDIT = "fans.edit"  # segments, tiers, playbooks, coupons, order imports, merges
    # Real names, handles and contact details of fans; without it a member sees pseudonyms.
    FANS_IDENTITY = "fans.identity"
    FANS_ERASE = "fans.erase"  # export and erase a person's data on request (PIPL)
    CAMPAIGN_EDIT = "campaign.edit"  # campaigns, topics, polls and surveys, lucky draws, ideas
    COMMUNITY_EDIT = "community.edit"  # groups, sharing plans, events, member tickets
    COMMUNITY_MODERATE = "community.moderate"  # moderation rules and actions (warn, mute, remove)


_OPERATOR = {
    Perm.ACCOUNT_EDIT,
    Perm.METRICS_EDIT,
    Perm.GOAL_EDIT,
    Perm.CONTENT_EDIT,
    Perm.FANS_EDIT,
    Perm.FANS_IDENTITY,
    Perm.CAMPAIGN_EDIT,
    Perm.COMMUNITY_EDIT,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        _OPERATOR
        | {
            Perm.WORKSPACE_MANAGE,
            Perm.AUDIT_VIEW,
            Perm.CONTENT_REVIEW,
            Perm.ENGAGEMENT_REPLY,
            Perm.FANS_ERASE,
            Perm.COMMUNITY_MODERATE,
        }
    ),
    Role.OPERATOR: frozenset(_OPERATOR | {Perm.ENGAGEMENT_REPLY}),
    Role.REVIEWER: frozenset({Perm.CONTENT_REVIEW}),
    Role.COMMUNITY: frozenset(
        {
            Perm.ENGAGEMENT_REPLY,
            Perm.FANS_IDENTITY,
            Perm.CAMPAIGN_EDIT,
            Perm.COMMUNITY_EDIT,
            Perm.COMMUNITY_MODERATE,
        }
    ),
    Role.ANALYST: frozenset(),
}


def role_has(role: str, perm: str) -> bool:
    """True when the role grants the permission."""
    return perm in ROLE_PERMISSIONS.get(role, frozenset())
