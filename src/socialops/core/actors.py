"""Who performs a write: a signed-in user, or the system (jobs, imports run by the CLI, the demo seed).

Services take ``actor``; ``None`` is the system: no role is checked, the audit entry says
"system". Anything else must be an authenticated user, or it is treated as the system for
authorship fields (an anonymous user never becomes ``created_by``).
"""

from __future__ import annotations

from typing import Any

# The system actor. Spelled out so calls read `actor=SYSTEM` rather than a bare None.
SYSTEM = None


def user_or_none(actor: Any) -> Any:
    """The actor when it is a signed-in user (for created_by / author fields), else None."""
    return actor if getattr(actor, "is_authenticated", False) else None


def actor_name(actor: Any) -> str:
    """The actor's username, or "system"."""
    user = user_or_none(actor)
    return str(user.get_username()) if user is not None else "system"
