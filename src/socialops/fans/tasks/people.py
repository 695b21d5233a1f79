"""Huey jobs of the people area: pull fans from the connected accounts (see fans/sources.py).

Both are periodic, take no arguments and are idempotent: a comment pulled twice, or a follower
listed twice, is stored once, so a run that overlaps the previous one changes nothing more.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from socialops.accounts.models import SocialAccount
from socialops.workspaces.models import Workspace

from .. import sources


@db_periodic_task(crontab(minute="*/5"))
def sync_fan_interactions() -> int:
    """Every five minutes: new comments, mentions and messages of every connected account, and missed WeChat pushes."""
    return sources.sync_all(followers=False)


@db_periodic_task(crontab(hour="4", minute="20"))
def sync_fan_followers() -> int:
    """Daily (04:20): every connected account's whole follower list, with unfollows, then comments and messages."""
    return sources.sync_all(followers=True)


@db_task()
def sync_account_fans(workspace_id: int, account_id: int, followers: bool = False) -> int:
    """One account now (a "sync now" button, a newly connected account); ids only, a gone account is a no-op."""
    workspace = Workspace.objects.filter(pk=workspace_id).first()
    account = SocialAccount.objects.filter(pk=account_id, workspace_id=workspace_id).first()
    if workspace is None or account is None:
        return 0
    results = sources.account_sync(workspace=workspace, account=account, followers=followers)
    return sum(r.interactions_created for r in results)
