"""Never stuck: a publication whose platform keeps failing ends with a person within its retry
budget (attempts, and a deadline after its due time), and the account's next post goes out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
import time_machine
from django.utils import timezone

from socialops.platforms.services import connections as connection_services
from socialops.publishing import engine
from socialops.publishing.models import AttemptOutcome, Publication, PublishingAlert
from tests.factories import approved_item, make_account, make_publication
from tests.platforms.fakes import BASE, TOKEN, FakeMastodon

START = dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with respx.mock(assert_all_called=False) as router:
        yield FakeMastodon(router)


def answer_instead(
    fake: FakeMastodon,
    when: Callable[[httpx.Request], bool],
    answer: Callable[[], httpx.Response],
    *,
    after_acting: bool = False,
    times: int | None = None,
) -> list[httpx.Request]:
    """Every request ``when`` matches (the first ``times`` ones) gets ``answer`` (after the fake
    acted on it when ``after_acting``); returns those requests."""
    matched: list[httpx.Request] = []
    for route in fake.router.routes:
        original = route.side_effect

        def wrapped(request: httpx.Request, _original: Any = original) -> httpx.Response:
            if not when(request) or (times is not None and len(matched) >= times):
                return _original(request)
            matched.append(request)
            if after_acting:
                _original(request)
            return answer()

        route.side_effect = wrapped
    return matched


def _status_of(text: str) -> Callable[[httpx.Request], bool]:
    def match(request: httpx.Request) -> bool:
        return (
            request.method == "POST"
            and request.url.path == "/api/v1/statuses"
            and text in json.loads(request.content).get("status", "")
        )

    return match


def _account(workspace: Any) -> Any:
    account = make_account(workspace, handle="masto_shop", platform="mastodon")
    connection_services.connection_save(
        workspace=workspace, actor=None, account=account, kind="mastodon", base_url=BASE, access_token=TOKEN
    )
    return account


def _two_posts(workspace: Any, account: Any) -> tuple[Publication, Publication]:
    first = make_publication(workspace, approved_item(workspace, "第一条总失败"), account, due_at=START)
    second = make_publication(
        workspace, approved_item(workspace, "第二条"), account, due_at=START + dt.timedelta(minutes=1)
    )
    return first, second


def _run_until(traveller: Any, second: Publication, *, limit: int = 40) -> None:
    """Sweep, then jump the clock to the next attempt, until the second post is out."""
    for _round in range(limit):
        engine.sweep_due(inline=True)
        second.refresh_from_db()
        if second.state == "published":
            return
        now = timezone.now()
        waiting = [p.next_due for p in Publication.objects.filter(state__in=["scheduled", "unknown"])]
        traveller.move_to(min([t for t in waiting if t > now], default=now) + dt.timedelta(seconds=1))
    raise AssertionError("the account's queue never moved on")


def test_failing_platform_ends_failed_within_attempts_and_queue_moves_on(
    workspace: Any, fake: FakeMastodon, admin: Any, settings: Any
) -> None:
    settings.PUBLISHING_RETRY_BUDGETS = {"mastodon": {"attempts": 4}}
    refused = answer_instead(
        fake, _status_of("第一条总失败"), lambda: httpx.Response(503, text="<html>Service Unavailable</html>")
    )
    account = _account(workspace)
    with time_machine.travel(START, tick=False) as traveller:
        first, second = _two_posts(workspace, account)
        _run_until(traveller, second)
    first.refresh_from_db()
    assert first.state == "failed" and first.attempts == 4 and len(refused) == 4
    # The last error, for a person, with what to do.
    assert "Gave up after 4 attempts" in first.last_error and "HTTP 503" in first.last_error
    assert "Service Unavailable" not in first.last_error  # a foreign page is never echoed
    assert [a.outcome for a in first.attempt_rows.all()] == [AttemptOutcome.RETRY] * 3 + [
        AttemptOutcome.FAILED
    ]
    assert PublishingAlert.objects.filter(user=admin, account=account).exists()
    assert [s["content"] for s in fake.statuses] == ["<p>第二条 的正文</p>"]


def test_retries_stop_at_the_deadline_after_the_due_time(
    workspace: Any, fake: FakeMastodon, settings: Any
) -> None:
    settings.PUBLISHING_RETRY_BUDGETS = {"*": {"deadline_seconds": 3600}}
    # A rate limit that keeps sending the post 20 minutes further.
    answer_instead(
        fake,
        _status_of("第一条总失败"),
        lambda: httpx.Response(429, json={"error": "Too many requests"}, headers={"Retry-After": "1200"}),
    )
    account = _account(workspace)
    with time_machine.travel(START, tick=False) as traveller:
        first, second = _two_posts(workspace, account)
        _run_until(traveller, second)
        first.refresh_from_db()
        assert first.state == "failed" and "Too many requests" in first.last_error
        # Tried at 0, 20 and 40 minutes; a try at 60 would be past the hour.
        assert first.attempts == 3
        assert timezone.now() < START + dt.timedelta(hours=1)
    assert len(fake.statuses) == 1


def test_unknown_whose_lookup_keeps_failing_goes_to_a_person(
    workspace: Any, fake: FakeMastodon, admin: Any, settings: Any
) -> None:
    settings.PUBLISHING_RETRY_BUDGETS = {"mastodon": {"attempts": 5}}
    # The post is made but its answer is lost; every lookup of the account's posts fails.
    sent = answer_instead(
        fake, _status_of("第一条总失败"), lambda: httpx.Response(200, text="<html></html>"), after_acting=True
    )
    lookups = answer_instead(
        fake, lambda r: r.url.path.endswith("/statuses") and r.method == "GET", lambda: httpx.Response(502)
    )
    account = _account(workspace)
    with time_machine.travel(START, tick=False) as traveller:
        first, second = _two_posts(workspace, account)
        _run_until(traveller, second)
    first.refresh_from_db()
    assert len(sent) == 1 and len(lookups) == 4
    assert first.state == "failed" and first.attempts == 5
    assert "could not confirm whether the post went out" in first.last_error
    assert "Check the account on the platform" in first.last_error
    alert = PublishingAlert.objects.get(user=admin, account=account)
    assert "第一条总失败" in alert.message
    # Exactly the two posts: the first was never sent again.
    assert len(fake.statuses) == 2


def test_a_post_first_sent_late_gets_its_budget_from_then(
    workspace: Any, fake: FakeMastodon, settings: Any
) -> None:
    # Due two days ago (its account was being reconnected): the deadline counts from the first try.
    settings.PUBLISHING_RETRY_BUDGETS = {"*": {"deadline_seconds": 3600}}
    answer_instead(fake, _status_of("第一条总失败"), lambda: httpx.Response(503), times=2)
    account = _account(workspace)
    with time_machine.travel(START, tick=False) as traveller:
        first, second = _two_posts(workspace, account)
        traveller.move_to(START + dt.timedelta(days=2))
        _run_until(traveller, second)
    first.refresh_from_db()
    assert first.state == "published" and first.attempts == 3
    assert len(fake.statuses) == 2
