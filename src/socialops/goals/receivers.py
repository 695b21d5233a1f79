"""Goals' answers to the accounts app's hooks (connected in GoalsConfig.ready()).

Accounts sits below goals and cannot import the metric snapshots; its pages ask
``accounts.hooks.latest_followers`` for each account's latest follower figure, and goals answers
from the snapshots.
"""

from __future__ import annotations

from socialops.accounts import hooks as accounts_hooks

from .selectors.metrics import with_latest_followers


def connect() -> None:
    """Connect goals' receivers to the accounts hooks (idempotent: Hook.connect ignores repeats)."""
    accounts_hooks.latest_followers.connect(with_latest_followers)
