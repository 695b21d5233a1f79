"""Best time to post: learned from enough posts, a platform default before that, one query."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from socialops.accounts.models import Platform
from socialops.analytics.besttime import (
    MIN_CELL_POSTS,
    MIN_CELLS,
    MIN_POSTS,
    PLATFORM_DEFAULTS,
    best_hours_for_system,
    best_hours_for_system_many,
    best_time_table,
    platform_default_scores,
)
from socialops.analytics.models import PostRecord
from socialops.content.planner import BestHours
from tests.factories import account_row, import_post_file, post_records

pytestmark = pytest.mark.django_db


def _spread(cells: int, per_cell: int, engagement: int = 10, reach: int | None = 100) -> list[Any]:
    return [(1 + c % 7, 8 + c // 7, engagement, reach) for c in range(cells) for _ in range(per_cell)]


def test_below_the_threshold_the_platform_default_is_used(workspace: Any, weibo: Any) -> None:
    # 29 posts in 10 well-filled cells: one post short of MIN_POSTS.
    post_records(weibo, _spread(cells=10, per_cell=3)[: MIN_POSTS - 1])
    best = best_hours_for_system(workspace=workspace, account=weibo)
    assert isinstance(best, BestHours)
    assert best.source == "platform_default" and best.posts == MIN_POSTS - 1
    assert best.scores == platform_default_scores(Platform.WEIBO)
    workdays, weekend = PLATFORM_DEFAULTS[Platform.WEIBO]
    assert best.ranked_hours(2)[0] == max(workdays, key=lambda h: (workdays[h], -h))
    assert best.ranked_hours(6)[0] == max(weekend, key=lambda h: (weekend[h], -h))


def test_enough_posts_but_too_few_cells_is_still_the_default(workspace: Any, weibo: Any) -> None:
    # 40 posts, but only MIN_CELLS - 1 cells with MIN_CELL_POSTS or more posts.
    rows = (
        _spread(cells=MIN_CELLS - 1, per_cell=10) + _spread(cells=MIN_CELLS + 3, per_cell=1)[MIN_CELLS - 1 :]
    )
    post_records(weibo, rows)
    best = best_hours_for_system(workspace=workspace, account=weibo)
    assert best.source == "platform_default"


def test_at_the_threshold_the_account_learns(workspace: Any, weibo: Any) -> None:
    rows = _spread(cells=MIN_CELLS, per_cell=MIN_CELL_POSTS, engagement=10)
    rows += [(3, 20, 30, 100)] * (MIN_POSTS - len(rows))  # Wednesday 20:00 does three times better
    post_records(weibo, rows)
    best = best_hours_for_system(workspace=workspace, account=weibo)
    assert best.source == "learned" and best.posts == MIN_POSTS
    assert best.ranked_hours(3)[0] == 20
    assert best.score(3, 20) > 1.0 > best.score(1, 8)  # type: ignore[operator]
    assert best.score(4, 3) is None  # no post there: unknown, ranked below every known hour


def test_scores_are_relative_to_the_account_mean_and_shrunk_for_thin_cells(
    workspace: Any, weibo: Any
) -> None:
    # Every post has the same rate except one lucky post alone in its cell.
    rows = _spread(cells=10, per_cell=4, engagement=10, reach=100)
    rows.append((7, 23, 100, 100))
    post_records(weibo, rows)
    best = best_hours_for_system(workspace=workspace, account=weibo)
    assert best.source == "learned"
    mean = (40 * 0.1 + 1.0) / 41
    assert best.score(1, 8) == pytest.approx(((4 * 0.1 + 5 * mean) / 9) / mean, abs=1e-4)
    # One post of rate 1.0 is pulled towards the mean as if five average posts sat with it.
    assert best.score(7, 23) == pytest.approx(((1.0 + 5 * mean) / 6) / mean, abs=1e-4)


def test_posts_without_reach_count_in_posts_and_engagement_but_not_in_the_rate(
    workspace: Any, weibo: Any, operator: Any
) -> None:
    post_records(weibo, [(1, 9, 10, 100), (1, 9, 30, None), (1, 9, 5, 0), (1, 9, None, 50)])
    table = best_time_table(workspace=workspace, user=operator, account=weibo)
    cell = next(c for c in table["cells"] if (c["weekday"], c["hour"]) == (1, 9))
    assert cell["posts"] == 4
    assert cell["engaged_posts"] == 3
    assert cell["mean_engagement"] == pytest.approx(15)
    assert cell["rate_posts"] == 1 and cell["mean_engagement_rate"] == pytest.approx(0.1)
    # Few posts: the score compares engagement, and the source is the platform default.
    assert table["source"] == "platform_default"


def test_scores_use_engagement_when_reach_is_mostly_unknown(workspace: Any, weibo: Any) -> None:
    rows = _spread(cells=10, per_cell=4, engagement=10, reach=None)
    rows += [(2, 21, 40, None)] * 4
    post_records(weibo, rows)
    best = best_hours_for_system(workspace=workspace, account=weibo)
    assert best.source == "learned"
    assert best.ranked_hours(2)[0] == 21


def test_one_aggregate_query_for_one_or_many_accounts(workspace: Any, weibo: Any, fb_account: Any) -> None:
    post_records(weibo, _spread(cells=10, per_cell=4))
    with CaptureQueriesContext(connection) as queries:
        best_hours_for_system(workspace=workspace, account=weibo)
    assert len(queries) == 1
    with CaptureQueriesContext(connection) as queries:
        many = best_hours_for_system_many(workspace=workspace, accounts=[weibo, fb_account])
    assert len(queries) == 1
    assert many[weibo.pk].source == "learned" and many[fb_account.pk].source == "platform_default"


def test_an_account_without_posts_and_another_workspace(
    workspace: Any, fb_account: Any, operator: Any, foreign_account: Any
) -> None:
    table = best_time_table(workspace=workspace, user=operator, account=fb_account)
    assert table["source"] == "platform_default" and table["posts"] == 0
    assert all(c["posts"] == 0 and c["mean_engagement"] is None for c in table["cells"])
    assert table["top_hours"][0]["score"] == max(platform_default_scores(Platform.OTHER).values())
    with pytest.raises(Http404):
        best_time_table(workspace=workspace, user=operator, account=foreign_account)
    other = account_row(workspace, "acme_xhs", Platform.XIAOHONGSHU)
    assert best_hours_for_system(workspace=workspace, account=other).scores == platform_default_scores(
        Platform.XIAOHONGSHU
    )


def test_the_facebook_file_gives_learned_hours(
    workspace: Any, fb_account: Any, preset: Any, facebook_bytes: bytes
) -> None:
    import_post_file(workspace, fb_account, preset, facebook_bytes, "fb.csv")
    best = best_hours_for_system(workspace=workspace, account=fb_account)
    assert best.source == "learned" and best.posts == 500
    # Scores average out near 1.0 over the posts (they are relative to the account's mean).
    cells = PostRecord.objects.filter(account=fb_account)
    weights = {}
    for post in cells:
        weights[(post.weekday, post.hour)] = weights.get((post.weekday, post.hour), 0) + 1
    weighted = sum(best.scores[k] * n for k, n in weights.items()) / 500
    assert 0.9 < weighted < 1.1
