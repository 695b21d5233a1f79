"""The originality index and its settings (R3.6): thresholds, keeping the index current, and the
findings of texts similar to earlier posts (ours and competitors').
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.analytics.models import PostRecord
from socialops.content.models import ContentItem
from socialops.textkit.originality import Match, OriginalityIndex
from socialops.textkit.textdiff import diff as text_diff
from socialops.workspaces.audit import audit_record, snapshot
from socialops.workspaces.models import Workspace

# tasks imports these services too; importing the module (not its names) keeps that cycle
# harmless and lets tests replace a task.
from .. import tasks
from ..findings import CheckFinding
from ..models import CheckSettings, FindingSeverity, OriginalityIndexState
from ..originality import (
    SimilarPost,
    add_posts,
    is_stale,
    loaded_index,
    long_enough,
    new_index,
    posts_with_text,
    text_loader,
)
from ._common import check_settings_for, ensure_can_edit_terms

#: At most this many similar posts per checked text.
ORIGINALITY_TOP_K = 3

#: Up to this many posts changed since the last update are compared directly; beyond it the
#: query brings the index up to date itself.
DIRECT_MAX = 200
#: Posts updated this long before the watermark are looked at again on an update, so a
#: transaction that committed late is not missed.
WATERMARK_MARGIN = dt.timedelta(minutes=10)


def _threshold(value: Any, field_name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError({field_name: [_("Enter a number between 0.3 and 1.")]})
    number = float(value)
    if not 0.3 <= number <= 1.0:
        raise ValidationError({field_name: [_("Enter a number between 0.3 and 1.")]})
    return round(number, 3)


@transaction.atomic(durable=True)
def check_settings_update(
    *,
    workspace: Workspace,
    actor: Any,
    originality_threshold: float | None = None,
    originality_block_threshold: float | None = None,
) -> CheckSettings:
    """Change the originality thresholds; a new threshold rebuilds the originality index."""
    ensure_can_edit_terms(workspace, actor)
    row, _created = CheckSettings.objects.select_for_update().get_or_create(workspace=workspace)
    before = snapshot(row, exclude={"updated_at", "cache_token"})
    old_threshold = row.originality_threshold
    if originality_threshold is not None:
        row.originality_threshold = _threshold(originality_threshold, "originality_threshold")
    if originality_block_threshold is not None:
        row.originality_block_threshold = _threshold(
            originality_block_threshold, "originality_block_threshold"
        )
    row.save()
    audit_record(
        workspace=workspace,
        actor=actor,
        action="check_settings.update",
        obj=row,
        before=before,
        after=snapshot(row, exclude={"updated_at", "cache_token"}),
    )
    if row.originality_threshold != old_threshold:
        workspace_id = workspace.pk
        transaction.on_commit(lambda: tasks.rebuild_originality_index(workspace_id))
    return row


def originality_findings(
    workspace: Workspace,
    text: str,
    settings_row: CheckSettings,
    *,
    exclude_item: ContentItem | None,
    variant_id: int | None,
    platform: str,
) -> list[CheckFinding]:
    """Findings for a body similar to earlier posts: a block for a competitor's post above the block threshold, else a warning."""
    exclude: set[int] = set()
    if exclude_item is not None and exclude_item.pk:
        exclude = set(
            PostRecord.objects.filter(workspace=workspace, content_item=exclude_item).values_list(
                "pk", flat=True
            )
        )
    out = []
    for sp in similar_posts(
        workspace,
        text,
        threshold=settings_row.originality_threshold,
        exclude_posts=exclude,
        top_k=ORIGINALITY_TOP_K,
    ):
        post = sp.post
        competitor = post.account.is_competitor
        severity = (
            FindingSeverity.BLOCK
            if competitor and sp.similarity >= settings_row.originality_block_threshold
            else FindingSeverity.WARN
        )
        spans = sp.shared_spans or ((0, len(text)),)
        start, end = spans[0][0], spans[-1][1]
        d = text_diff(text, post.text)
        date = post.published_at.date().isoformat() if post.published_at else "—"
        out.append(
            CheckFinding(
                field="body",
                check="originality",
                severity=severity,
                start=start,
                end=end,
                matched=text[start:end],
                message_code="originality.similar_competitor" if competitor else "originality.similar",
                params={
                    "percent": int(round(sp.similarity * 100)),
                    "similarity": round(sp.similarity, 4),
                    "account": post.account.display_name,
                    "date": date,
                    "post_id": post.pk,
                },
                variant_id=variant_id,
                platform=platform,
                related={
                    "post_id": post.pk,
                    "account": post.account.display_name,
                    "account_id": post.account_id,
                    "competitor": competitor,
                    "published_at": post.published_at.isoformat() if post.published_at else None,
                    "external_id": post.external_id,
                    "similarity": round(sp.similarity, 4),
                    "shared_spans": [list(s) for s in sp.shared_spans],
                    "post_text": post.text,
                    "segments_a": [list(s) for s in d.segments_a()],
                    "segments_b": [list(s) for s in d.segments_b()],
                },
            )
        )
    return out


def originality_index_update(*, workspace: Workspace) -> None:
    """Bring the workspace's originality index up to date with its posts (system job)."""
    _update(workspace, check_settings_for(workspace).originality_threshold)


def originality_index_rebuild(*, workspace: Workspace) -> None:
    """Rebuild the workspace's originality index from scratch (system job)."""
    _rebuild(workspace, check_settings_for(workspace).originality_threshold)


def originality_index_stale(*, workspace: Workspace) -> bool:
    """Whether posts were imported or changed since the index was last updated."""
    return is_stale(workspace, check_settings_for(workspace).originality_threshold)


# ---- the index ----------------------------------------------------------------------------
# The index is derived data, rebuilt by the system from posts that are audited where they are
# imported or edited; like the stored findings, its writes are not audited themselves.


def _save(
    workspace: Workspace, index: OriginalityIndex, built_through: dt.datetime | None, threshold: float
) -> OriginalityIndexState:
    now = timezone.now()
    state, created = OriginalityIndexState.objects.select_for_update().get_or_create(
        workspace=workspace,
        defaults={
            "data": index.to_bytes(),
            "threshold": threshold,
            "doc_count": len(index),
            "built_through": built_through,
            "built_at": now,
            "token": uuid.uuid4(),
        },
    )
    if not created:
        state.data = index.to_bytes()
        state.threshold = threshold
        state.doc_count = len(index)
        state.built_through = built_through
        state.built_at = now
        state.version += 1
        state.token = uuid.uuid4()
        state.save()
    return state


@transaction.atomic
def _rebuild(workspace: Workspace, threshold: float) -> OriginalityIndexState:
    """Build the workspace's index from all its posts with a text, tuned for ``threshold``."""
    # Lock the row first (when there is one) so two rebuilds do not interleave.
    OriginalityIndexState.objects.select_for_update().filter(workspace=workspace).first()
    index = new_index(workspace.pk, threshold)
    _count, latest = add_posts(index, posts_with_text(workspace.pk))
    return _save(workspace, index, latest, threshold)


@transaction.atomic
def _update(workspace: Workspace, threshold: float) -> OriginalityIndexState:
    """Bring the index up to date: add posts changed since the last update, drop deleted ones.

    A missing index, or one tuned for another threshold, is rebuilt. Running it twice in a row
    changes nothing the second time (the version stays when no post changed).
    """
    state = OriginalityIndexState.objects.select_for_update().filter(workspace=workspace).first()
    if state is None or abs(state.threshold - threshold) > 1e-9:
        return _rebuild(workspace, threshold)
    try:
        index = OriginalityIndex.from_bytes(bytes(state.data), text_loader=text_loader(workspace.pk))
    except ValueError:
        return _rebuild(workspace, threshold)
    present = set(posts_with_text(workspace.pk).values_list("pk", flat=True))
    indexed = set(index.doc_ids())
    missing = present - indexed
    gone = indexed - present
    changed = posts_with_text(workspace.pk)
    if state.built_through is not None:
        changed = changed.filter(updated_at__gt=state.built_through)
    if not missing and not gone and not changed.exists():
        return state
    for doc_id in gone:
        index.remove(doc_id)
    # Posts changed since the watermark (with a margin for late commits), and any the index lacks.
    again = posts_with_text(workspace.pk)
    if state.built_through is not None:
        again = again.filter(updated_at__gt=state.built_through - WATERMARK_MARGIN)
    _count, latest = add_posts(index, again)
    if missing:
        add_posts(index, posts_with_text(workspace.pk).filter(pk__in=missing))
    built_through = max(filter(None, [state.built_through, latest]), default=None)
    return _save(workspace, index, built_through, threshold)


def similar_posts(
    workspace: Workspace,
    text: str,
    *,
    threshold: float,
    exclude_posts: Collection[int] = (),
    top_k: int = 3,
) -> list[SimilarPost]:
    """The earlier posts (ours and competitors') at least ``threshold`` similar to ``text``, most similar first."""
    if not long_enough(text):
        return []
    state = (
        OriginalityIndexState.objects.filter(workspace=workspace)
        .only("pk", "version", "token", "threshold", "built_through")
        .first()
    )
    fresh = posts_with_text(workspace.pk)
    if state is not None and state.built_through is not None:
        fresh = fresh.filter(updated_at__gt=state.built_through)
    fresh_ids = list(fresh.values_list("pk", flat=True)[: DIRECT_MAX + 1])
    if len(fresh_ids) > DIRECT_MAX:
        state = _update(workspace, threshold if state is None else state.threshold)
        fresh_ids = []
    found: dict[int, Match] = {}
    if state is not None:
        index, lock = loaded_index(workspace.pk, state)
        with lock:
            matches = index.query(text, top_k=None, threshold=threshold, exclude=exclude_posts)
        for m in matches:
            found[int(m.doc_id)] = m
    if fresh_ids:
        # Posts newer than the index: compared directly (a small index of their own).
        small = OriginalityIndex(threshold=threshold)
        small.add_many(posts_with_text(workspace.pk).filter(pk__in=fresh_ids).values_list("pk", "text"))
        for m in small.query(text, top_k=None, exclude=exclude_posts):
            doc = int(m.doc_id)
            if doc not in found or found[doc].similarity < m.similarity:
                found[doc] = m
    best = sorted(found.values(), key=lambda m: (-m.similarity, int(m.doc_id)))[:top_k]
    posts = PostRecord.objects.select_related("account").in_bulk([int(m.doc_id) for m in best])
    return [
        SimilarPost(posts[int(m.doc_id)], m.similarity, m.shared_spans)
        for m in best
        if int(m.doc_id) in posts
    ]
