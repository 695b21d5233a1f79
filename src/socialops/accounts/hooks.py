"""Extension points of the accounts app: higher apps (goals) connect in their ready().

Accounts sits below goals in the app tree, so it never imports goals; the follower figures on
the account pages come from goals' metric snapshots through this hook.
"""

from __future__ import annotations

from socialops.core.hooks import Hook

latest_followers = Hook(
    "accounts.latest_followers",
    """Each account's latest follower figure, for the account pages.

    Called as ``latest_followers.first(default=accounts, workspace=..., accounts=<queryset>)``;
    returns the queryset annotated with ``latest_followers`` and ``latest_followers_date`` (None
    where unknown), in the same query. Goals connects its snapshot read; with nothing connected
    the accounts come back unannotated and the pages show no figure.
    """,
)
