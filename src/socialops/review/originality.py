"""The workspace's persistent near-duplicate index of published posts: loading it and reading it.

Writes of the index (building, updating, and the query that updates a far-behind index first)
are services: ``review.services.originality``.

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
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from socialops.analytics.models import PostRecord
from socialops.textkit.originality import DocId, OriginalityIndex
from socialops.textkit.shingles import normalize
from socialops.workspaces.models import Workspace

from .models import OriginalityIndexState

#: Texts shorter than this (after normalisation) are not compared: a greeting matches everything.
MIN_NORMALIZED_CHARS = 15
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


def posts_with_text(workspace_id: int) -> QuerySet[PostRecord]:
    """The workspace's posts that have a text (the ones the index holds)."""
    return PostRecord.objects.filter(workspace_id=workspace_id).exclude(text="")


def text_loader(workspace_id: int):  # type: ignore[no-untyped-def]
    """The index's loader of candidate texts: asks the database, so an edited post is seen as it is now."""

    def load(ids: Sequence[DocId]) -> Mapping[DocId, str]:
        wanted = [i for i in ids if isinstance(i, int)]
        return dict(posts_with_text(workspace_id).filter(pk__in=wanted).values_list("pk", "text"))

    return load


def long_enough(text: str) -> bool:
    """Whether a text is long enough to be compared."""
    return len(normalize(text)) >= MIN_NORMALIZED_CHARS


def new_index(workspace_id: int, threshold: float) -> OriginalityIndex:
    """An empty index for the workspace, tuned for ``threshold``, in loader mode."""
    return OriginalityIndex(threshold=threshold, text_loader=text_loader(workspace_id))


def add_posts(index: OriginalityIndex, posts: QuerySet[PostRecord]) -> tuple[int, dt.datetime | None]:
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


def loaded_index(workspace_id: int, state: OriginalityIndexState) -> tuple[OriginalityIndex, threading.Lock]:
    """The process's loaded copy of the stored index (and its lock), loaded once per version."""
    key = (workspace_id, state.version, str(state.token))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    data = OriginalityIndexState.objects.filter(pk=state.pk).values_list("data", flat=True).first()
    try:
        index = OriginalityIndex.from_bytes(bytes(data or b""), text_loader=text_loader(workspace_id))
    except ValueError:
        index = new_index(workspace_id, state.threshold)
    entry = (index, threading.Lock())
    with _cache_lock:
        # Older versions of this workspace's index are of no use any more.
        for old in [k for k in _cache if k[0] == workspace_id and k != key]:
            del _cache[old]
        _cache[key] = entry
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return entry


def is_stale(workspace: Workspace, threshold: float) -> bool:
    """Whether the workspace has posts the index lacks (or no index while it has posts)."""
    state = (
        OriginalityIndexState.objects.filter(workspace=workspace).only("threshold", "built_through").first()
    )
    if state is None:
        return posts_with_text(workspace.pk).exists()
    if abs(state.threshold - threshold) > 1e-9:
        return True
    if state.built_through is None:
        return posts_with_text(workspace.pk).exists()
    return posts_with_text(workspace.pk).filter(updated_at__gt=state.built_through).exists()
