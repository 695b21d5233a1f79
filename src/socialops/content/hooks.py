"""Extension points of the content app: higher apps (review, analytics) connect in their ready().

Content sits below review and analytics in the app tree, so it never imports them; it declares
these hooks and calls them. Receivers run synchronously inside the caller's transaction.
"""

from __future__ import annotations

from socialops.core.hooks import Hook

item_saved = Hook(
    "content.item_saved",
    """After every save of an item or a variant, inside the save's transaction.

    Called as ``item_saved.send(workspace=..., actor=..., item=..., action=...)`` where action is
    "item.create", "item.update", "item.advertising", "variant.create", "variant.update" or
    "variant.delete". Review connects the revision, the checks and the return to review.
    """,
)

best_hours_provider = Hook(
    "content.best_hours_provider",
    """Where each account's posts do best, for the plan generator.

    Called as ``best_hours_provider.first(default={}, workspace=..., accounts=[...])``; returns
    ``{account_id: BestHours}``. Analytics connects its learned/platform-default model; with
    nothing connected every account plans as with no post history.
    """,
)

placement_changed = Hook(
    "content.placement_changed",
    """After a placement was created, moved or is about to be deleted, inside that transaction.

    Called as ``placement_changed.send(workspace=..., actor=..., placement=..., action=...)`` where
    action is "placement.create", "placement.move" or "placement.delete" (sent before the row goes).
    Publishing connects scheduling: placing an approved item schedules its publication, moving a
    placement moves its scheduled publication, taking it off the plan cancels one not yet sent.
    """,
)
