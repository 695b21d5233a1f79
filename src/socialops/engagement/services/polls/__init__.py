"""Writes on polls and surveys: polls, questions, responses (public page and keyword replies), ideas.

Responses are the system's doing (a fan answered), so ``response_submit`` and ``keyword_response``
take no actor; every other write is a member's and checks ``Perm.CAMPAIGN_EDIT``.

One response per person or device: the FIRST response counts. A second submission from the same
device cookie (when the poll takes one response per device) is refused, and a fan's later
keyword replies are ignored; the unique constraints on PollResponse make both hold under races.
"""

from .responses import (
    KEYWORD_KINDS,
    answer_keep_idea,
    keyword_response,
    response_submit,
)
from .setup import (
    device_key,
    keyword_key,
    poll_accepting,
    poll_create,
    poll_delete,
    poll_set_status,
    poll_update,
    polls_close_due,
    question_create,
    question_delete,
    question_move,
    question_update,
)

__all__ = [
    "KEYWORD_KINDS",
    "answer_keep_idea",
    "device_key",
    "keyword_key",
    "keyword_response",
    "poll_accepting",
    "poll_create",
    "poll_delete",
    "poll_set_status",
    "poll_update",
    "polls_close_due",
    "question_create",
    "question_delete",
    "question_move",
    "question_update",
    "response_submit",
]
