"""Extension points of the analytics app: higher apps (review) connect in their ready().

Analytics sits below review in the app tree, so it never imports it; it declares these hooks
and calls them. Receivers run synchronously inside the caller's transaction.
"""

from __future__ import annotations

from socialops.core.hooks import Hook

posts_imported = Hook(
    "analytics.posts_imported",
    """After a post import that added or changed posts, inside the import's transaction.

    Called as ``posts_imported.send(workspace=..., actor=..., record=...)`` where record is the
    PostImport. Review connects the update of the workspace's originality index (after commit).
    """,
)
