"""Models of the engagement app, one module per area."""

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
