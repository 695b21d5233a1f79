"""The workspace's persistent near-duplicate index of published posts, and queries against it.

One ``OriginalityIndex`` per workspace holds every ``PostRecord`` with a text: our accounts'
posts and the imported posts of competitors (ids are PostRecord primary keys). It is kept in
the database (``OriginalityIndexState.data``, ``to_bytes()`` of an index *without* shingle
sets): a query asks the database for the texts of its few candidates, so an edited or deleted
post is seen as it is now. The index is rebuilt or brought up to date by Huey tasks (after a
post import, periodically, after the threshold changes); posts changed since the last update
are compared directly at query time, so a query is never missing a post.

Each process keeps loaded copies keyed by (workspace, version, token): a write bumps the
version and draws a new token in the same transaction, so no process can go on using an
outdated copy. Queries on a loaded copy are serialised by a lock (the index is not
thread-safe in loader mode, which fills a cache).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from socialops.analytics.models import PostRecord
from socialops.textkit.originality import DocId, Match, OriginalityIndex
from socialops.textkit.shingles import normalize
from socialops.workspaces.models import Workspace

from .models import OriginalityIndexState

#: Texts shorter than this (after normalisation) are not compared: a greeting matches everything.
MIN_NORMALIZED_CHARS = 15
#: Up to this many posts changed since the last update are compared directly; beyond it the
#: query brings the index up to date itself.
DIRECT_MAX = 200
#: Posts updated this long before the watermark are looked at again on an update, so a
#: transaction that committed late is not missed.
WATERMARK_MARGIN = dt.timedelta(minutes=10)
#: Loaded indexes kept per process.
CACHE_SIZE = 8
ADD_BATCH = 2000


@dataclass(frozen=True)
class SimilarPost:
    """An earlier post similar to a text: the post, the exact similarity and the shared passages."""

    post: PostRecord
    similarity: float
    #: (start, end) spans of the *queried* text that the post also contains.
    shared_spans: tuple[tuple[int, int], ...]


_cache: OrderedDict[tuple[int, int, str], tuple[OriginalityIndex, threading.Lock]] = OrderedDict()
_cache_lock = threading.Lock()


def _posts(workspace_id: int) -> QuerySet[PostRecord]:
    return PostRecord.objects.filter(workspace_id=workspace_id).exclude(text="")


def _loader(workspace_id: int):  # type: ignore[no-untyped-def]
    def load(ids: Sequence[DocId]) -> Mapping[DocId, str]:
        wanted = [i for i in ids if isinstance(i, int)]
        return dict(_posts(workspace_id).filter(pk__in=wanted).values_list("pk", "text"))

    return load


def long_enough(text: str) -> bool:
    """Whether a text is long enough to be compared."""
    return len(normalize(text)) >= MIN_NORMALIZED_CHARS


def _new_index(workspace_id: int, threshold: float) -> OriginalityIndex:
    return OriginalityIndex(threshold=threshold, text_loader=_loader(workspace_id))


def _add_posts(index: OriginalityIndex, posts: QuerySet[PostRecord]) -> tuple[int, dt.datetime | None]:
    """Add posts in batches; returns how many and the latest updated_at seen."""
    added = 0
    latest: dt.datetime | None = None
    batch: list[tuple[DocId, str]] = []
    for pk, text, updated in posts.order_by("pk").values_list("pk", "text", "updated_at").iterator(2000):
        batch.append((pk, text))
        latest = updated if latest is None or updated > latest else latest
        if len(batch) >= ADD_BATCH:
            added += index.add_many(batch)
            batch = []
    if batch:
        added += index.add_many(batch)
    return added, latest


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
def rebuild(workspace: Workspace, threshold: float) -> OriginalityIndexState:
    """Build the workspace's index from all its posts with a text, tuned for ``threshold``."""
    # Lock the row first (when there is one) so two rebuilds do not interleave.
    OriginalityIndexState.objects.select_for_update().filter(workspace=workspace).first()
    index = _new_index(workspace.pk, threshold)
    _count, latest = _add_posts(index, _posts(workspace.pk))
    return _save(workspace, index, latest, threshold)


@transaction.atomic
def update(workspace: Workspace, threshold: float) -> OriginalityIndexState:
    """Bring the index up to date: add posts changed since the last update, drop deleted ones.

    A missing index, or one tuned for another threshold, is rebuilt. Running it twice in a row
    changes nothing the second time (the version stays when no post changed).
    """
    state = OriginalityIndexState.objects.select_for_update().filter(workspace=workspace).first()
    if state is None or abs(state.threshold - threshold) > 1e-9:
        return rebuild(workspace, threshold)
    try:
        index = OriginalityIndex.from_bytes(bytes(state.data), text_loader=_loader(workspace.pk))
    except ValueError:
        return rebuild(workspace, threshold)
    present = set(_posts(workspace.pk).values_list("pk", flat=True))
    indexed = set(index.doc_ids())
    missing = present - indexed
    gone = indexed - present
    changed = _posts(workspace.pk)
    if state.built_through is not None:
        changed = changed.filter(updated_at__gt=state.built_through)
    if not missing and not gone and not changed.exists():
        return state
    for doc_id in gone:
        index.remove(doc_id)
    # Posts changed since the watermark (with a margin for late commits), and any the index lacks.
    again = _posts(workspace.pk)
    if state.built_through is not None:
        again = again.filter(updated_at__gt=state.built_through - WATERMARK_MARGIN)
    _count, latest = _add_posts(index, again)
    if missing:
        _add_posts(index, _posts(workspace.pk).filter(pk__in=missing))
    built_through = max(filter(None, [state.built_through, latest]), default=None)
    return _save(workspace, index, built_through, threshold)


def _loaded(workspace_id: int, state: OriginalityIndexState) -> tuple[OriginalityIndex, threading.Lock]:
    key = (workspace_id, state.version, str(state.token))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    data = OriginalityIndexState.objects.filter(pk=state.pk).values_list("data", flat=True).first()
    try:
        index = OriginalityIndex.from_bytes(bytes(data or b""), text_loader=_loader(workspace_id))
    except ValueError:
        index = _new_index(workspace_id, state.threshold)
    entry = (index, threading.Lock())
    with _cache_lock:
        # Older versions of this workspace's index are of no use any more.
        for old in [k for k in _cache if k[0] == workspace_id and k != key]:
            del _cache[old]
        _cache[key] = entry
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return entry


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
    fresh = _posts(workspace.pk)
    if state is not None and state.built_through is not None:
        fresh = fresh.filter(updated_at__gt=state.built_through)
    fresh_ids = list(fresh.values_list("pk", flat=True)[: DIRECT_MAX + 1])
    if len(fresh_ids) > DIRECT_MAX:
        state = update(workspace, threshold if state is None else state.threshold)
        fresh_ids = []
    found: dict[int, Match] = {}
    if state is not None:
        index, lock = _loaded(workspace.pk, state)
        with lock:
            matches = index.query(text, top_k=None, threshold=threshold, exclude=exclude_posts)
        for m in matches:
            found[int(m.doc_id)] = m
    if fresh_ids:
        # Posts newer than the index: compared directly (a small index of their own).
        small = OriginalityIndex(threshold=threshold)
        small.add_many(_posts(workspace.pk).filter(pk__in=fresh_ids).values_list("pk", "text"))
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


def is_stale(workspace: Workspace, threshold: float) -> bool:
    """Whether the workspace has posts the index lacks (or no index while it has posts)."""
    state = (
        OriginalityIndexState.objects.filter(workspace=workspace).only("threshold", "built_through").first()
    )
    if state is None:
        return _posts(workspace.pk).exists()
    if abs(state.threshold - threshold) > 1e-9:
        return True
    if state.built_through is None:
        return _posts(workspace.pk).exists()
    return _posts(workspace.pk).filter(updated_at__gt=state.built_through).exists()
