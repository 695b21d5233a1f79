"""Extension points of the review app: higher apps (publishing) connect in their ready().

Review sits below platforms and publishing in the app tree, so it never imports them; it
declares these hooks and calls them. Receivers run synchronously inside the caller's transaction.
"""

from __future__ import annotations

from socialops.core.hooks import Hook

item_approved = Hook(
    "review.item_approved",
    """After the last step of an item's approval chain approved it, inside the decision's transaction.

    Called as ``item_approved.send(workspace=..., actor=..., item=...)``. Publishing connects
    scheduling: every placement of the item on the calendar becomes a scheduled publication.
    """,
)
