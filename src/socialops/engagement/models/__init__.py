"""Models of the engagement app, one module per area.

The inbox's names are re-exported here; campaigns, polls and draws are imported from their own
module (``engagement.models.polls``).
"""

from . import campaigns, draws, polls  # noqa: F401
from .setup import (
    AssignmentRule,
    AssignMode,
    AutoReplyRule,
    InboxSettings,
    RuleChannel,
    RuleMatch,
    SavedReply,
)
from .threads import (
    PRIORITY_RANK,
    InboxAlert,
    InboxAlertKind,
    Intent,
    Priority,
    Reply,
    ReplyStatus,
    Sentiment,
    Thread,
    ThreadChannel,
    ThreadItem,
    ThreadNote,
    ThreadStatus,
)

__all__ = [
    "PRIORITY_RANK",
    "AssignMode",
    "AssignmentRule",
    "AutoReplyRule",
    "InboxAlert",
    "InboxAlertKind",
    "InboxSettings",
    "Intent",
    "Priority",
    "Reply",
    "ReplyStatus",
    "RuleChannel",
    "RuleMatch",
    "SavedReply",
    "Sentiment",
    "Thread",
    "ThreadChannel",
    "ThreadItem",
    "ThreadNote",
    "ThreadStatus",
]
