"""Manual connector: for platforms without a posting API (小红书, 视频号, …).

Publishing hands a ready package (text, media links, checklist) to a person and returns a
PENDING result. The person posts it by hand and marks it posted with the post's URL (page, API);
``find_published`` then returns the published result, and the ``manual_posted`` signal fires on
commit so the engine can move on without polling. Metrics come back by import.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from ..models import ManualTask, ManualTaskStatus
from ..services import manual as manual_services
from .base import (
    KIND_CAPABILITY,
    AccountInfo,
    Capability,
    Connector,
    PermanentError,
    PostRequest,
    PublishResult,
    PublishStatus,
)


class ManualConnector(Connector):
    """A person posts; we keep the package and the URL they report back."""

    kind = "manual"
    # A person posts it: the package links to the files, nothing is uploaded.
    uploads_media = False
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGES,
            Capability.PUBLISH_VIDEO,
            Capability.PUBLISH_ARTICLE,
            Capability.FIND_PUBLISHED,
            Capability.WITHDRAW,
        }
    )
    # One package per key, for ever: handing the same publish over twice returns the same package.
    dedupe_window = dt.timedelta(days=36500)

    def _need_connection(self) -> None:
        if self.connection is None:
            raise PermanentError(_("The manual connector needs the account's connection."))

    def verify(self) -> AccountInfo:
        self._need_connection()
        assert self.connection is not None
        account = self.connection.account
        return AccountInfo(
            external_id=str(account.pk), handle=account.handle, display_name=account.display_name
        )

    def check(self, post: PostRequest) -> list[str]:
        if not post.text.strip() and not post.title.strip() and not post.media:
            return [_("A post needs text or media.")]
        return []

    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        self.require(KIND_CAPABILITY[post.effective_kind])
        self._need_connection()
        assert self.connection is not None
        problems = self.check(post)
        if problems:
            raise PermanentError(" ".join(problems))
        task, created = manual_services.manual_task_create(
            connection=self.connection, post=post, idempotency_key=idempotency_key
        )
        result = task_result(task, duplicate=not created)
        assert result is not None  # manual_task_create re-opens a withdrawn package
        return result

    def find_published(
        self, *, idempotency_key: str, since: dt.datetime, post: PostRequest
    ) -> PublishResult | None:
        self._need_connection()
        assert self.connection is not None
        task = ManualTask.objects.filter(
            workspace_id=self.connection.workspace_id,
            account_id=self.connection.account_id,
            idempotency_key=idempotency_key,
        ).first()
        if task is None:
            return None
        # None for a withdrawn package: nothing was published.
        return task_result(task, duplicate=True)

    def withdraw(self, *, idempotency_key: str) -> bool:
        self._need_connection()
        assert self.connection is not None
        return manual_services.manual_task_withdraw_by_key(
            connection=self.connection, idempotency_key=idempotency_key
        )


def task_result(task: ManualTask, *, duplicate: bool = False) -> PublishResult | None:
    """A package as a publish result: PUBLISHED once marked posted, PENDING before, None if withdrawn."""
    if task.status == ManualTaskStatus.POSTED:
        return PublishResult(
            external_id=task.external_id or task.posted_url,
            url=task.posted_url,
            status=PublishStatus.PUBLISHED,
            published_at=task.posted_at,
            duplicate=duplicate,
        )
    if task.status == ManualTaskStatus.PENDING:
        return PublishResult(
            external_id=f"manual-{task.pk}", status=PublishStatus.PENDING, duplicate=duplicate
        )
    return None
