"""Review's reactions to the content app's hooks (connected in ReviewConfig.ready()).

Content sits below review and cannot import it; it sends ``content.hooks.item_saved`` inside
every item or variant save's transaction, and review answers here: a revision, the checks, and
back to review when an approved text changed. Analytics sends ``analytics.hooks.posts_imported``
after an import changed posts; review updates the originality index with them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from socialops.analytics import hooks as analytics_hooks
from socialops.analytics.models import PostImport
from socialops.content import hooks as content_hooks
from socialops.content.models import ContentItem
from socialops.workspaces.models import Workspace

from . import tasks
from .services.rounds import item_saved


def on_item_saved(*, workspace: Workspace, actor: Any, item: ContentItem, action: str) -> None:
    """Record the revision, run the checks and reopen review where needed (inside the save's transaction)."""
    item_saved(workspace=workspace, actor=actor, item=item, action=action)


def on_posts_imported(*, workspace: Workspace, actor: Any, record: PostImport) -> None:
    """Queue the update of the workspace's originality index with the new or changed post texts."""
    workspace_id = workspace.pk
    # After commit: the task reads the posts the import is still writing.
    transaction.on_commit(lambda: tasks.update_originality_index(workspace_id))


def connect() -> None:
    """Connect review's receivers to the content and analytics hooks (idempotent: Hook.connect ignores repeats)."""
    content_hooks.item_saved.connect(on_item_saved)
    analytics_hooks.posts_imported.connect(on_posts_imported)
