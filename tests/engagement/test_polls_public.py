"""The public poll page: one response per device, the throttle, the anti-stuffing challenge, errors per question."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from socialops.engagement.models.polls import PollAnswer, PollResponse
from socialops.engagement.services import polls as svc
from socialops.engagement.views.polls_public import DEVICE_COOKIE, SUBMIT_LIMIT, form_token
from tests.engagement.poll_support import answers, page_url, submit
from tests.factories import make_poll

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def poll(workspace: Any) -> Any:
    return make_poll(workspace)


def browser(language: str = "en") -> Client:
    client = Client()
    client.cookies["django_language"] = language
    return client


def test_the_page_renders_and_sets_a_long_device_cookie(poll: Any) -> None:
    client = browser()
    response = client.get(page_url(poll))
    assert response.status_code == 200
    body = response.content.decode()
    assert "你最喜欢哪个口味？" in body and 'name="website"' in body and 'name="form_token"' in body
    assert len(response.cookies[DEVICE_COOKIE].value) >= 40 and response.cookies[DEVICE_COOKIE]["httponly"]


def test_an_answer_is_stored_and_tagged(poll: Any) -> None:
    response = submit(browser(), poll, answers(poll, flavour=1, text="希望出低糖款，价格再便宜一点"))
    assert response.status_code == 200 and b'data-testid="poll-thanks"' in response.content
    stored = PollResponse.objects.get(poll=poll)
    assert stored.channel == "page" and stored.person is None and len(stored.device_key) == 64
    text = PollAnswer.objects.get(response=stored, question__kind="text")
    assert text.sentiment and text.intent
    assert PollAnswer.objects.filter(response=stored).count() == 5  # 1 + 2 ticked + scale + text


def test_two_responses_from_one_device_count_once(poll: Any) -> None:
    client = browser()
    assert b"poll-thanks" in submit(client, poll, answers(poll)).content
    again = submit(client, poll, answers(poll, flavour=2))
    assert b"poll-thanks" not in again.content
    assert PollResponse.objects.filter(poll=poll).count() == 1
    assert b'data-testid="poll-answered"' in client.get(page_url(poll)).content
    # Straight to the service with the same device token: refused too.
    device = client.cookies[DEVICE_COOKIE].value
    with pytest.raises(Exception, match="already answered"):
        svc.response_submit(poll=poll, answers=answers(poll), device_token=device)
    # Another browser is another device.
    assert b"poll-thanks" in submit(browser(), poll, answers(poll)).content
    assert PollResponse.objects.filter(poll=poll).count() == 2


def test_a_poll_without_the_device_rule_takes_several_responses(workspace: Any) -> None:
    poll = make_poll(workspace, one_per_device=False)
    client = browser()
    submit(client, poll, answers(poll))
    submit(client, poll, answers(poll))
    assert PollResponse.objects.filter(poll=poll).count() == 2


def test_200_rapid_requests_from_one_address_are_throttled_in_the_users_language(poll: Any) -> None:
    client = browser("zh-hans")
    client.get(page_url(poll))
    statuses = []
    for _ in range(200):
        body = {"form_token": form_token(poll, issued_at=time.time() - 10), **answers(poll)}
        statuses.append(client.post(page_url(poll), body, REMOTE_ADDR="203.0.113.7").status_code)
    # At most SUBMIT_LIMIT a minute pass (two windows if the clock turns a minute meanwhile).
    assert statuses.count(429) >= 200 - 2 * SUBMIT_LIMIT and statuses[:SUBMIT_LIMIT].count(429) == 0
    refused = client.post(page_url(poll), {}, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    assert "请稍等一分钟再试" in refused.content.decode()
    assert PollResponse.objects.filter(poll=poll).count() == 1
    # Another address is not affected.
    assert client.get(page_url(poll), REMOTE_ADDR="198.51.100.1").status_code == 200


def test_page_views_are_throttled_too(poll: Any) -> None:
    client = browser()
    codes = [client.get(page_url(poll)).status_code for _ in range(130)]
    assert codes[:120] == [200] * 120 and codes[-1] == 429


def test_challenge_refusals(poll: Any) -> None:
    client = browser()
    client.get(page_url(poll))
    data = answers(poll)

    too_quick = client.post(page_url(poll), {"form_token": form_token(poll), **data})
    assert too_quick.status_code == 400 and b"very quick" in too_quick.content

    forged = client.post(page_url(poll), {"form_token": "abc:def", **data})
    assert forged.status_code == 400 and b"could not be checked" in forged.content

    missing = client.post(page_url(poll), data)
    assert missing.status_code == 400

    expired = client.post(
        page_url(poll), {"form_token": form_token(poll, issued_at=time.time() - 7 * 3600), **data}
    )
    assert expired.status_code == 400

    honeypot = client.post(
        page_url(poll),
        {"form_token": form_token(poll, issued_at=time.time() - 10), "website": "http://x", **data},
    )
    assert honeypot.status_code == 400 and b"could not be accepted" in honeypot.content

    token = form_token(poll, issued_at=time.time() - 10)
    first = browser()
    first.get(page_url(poll))
    assert first.post(page_url(poll), {"form_token": token, **data}).status_code == 200
    reused = browser()
    reused.get(page_url(poll))
    again = reused.post(page_url(poll), {"form_token": token, **data})
    assert again.status_code == 400 and b"already sent" in again.content
    assert PollResponse.objects.filter(poll=poll).count() == 1


def test_errors_per_question_in_chinese_and_nothing_stored(poll: Any) -> None:
    client = browser("zh-hans")
    single, _multiple, scale, _text = list(poll.questions.order_by("position"))
    response = submit(client, poll, {f"q{scale.pk}": "9"})
    assert response.status_code == 400
    body = response.content.decode()
    assert body.count('data-testid="question-error"') == 2
    assert "请回答这个问题" in body and "请选择 1 到 5 之间的数字" in body
    assert PollResponse.objects.count() == 0
    wrong = submit(browser(), poll, {**answers(poll), f"q{single.pk}": "999999"})
    assert wrong.status_code == 400 and b"Choose one of the choices given" in wrong.content


def test_a_closed_poll_says_so_and_a_draft_is_not_found(workspace: Any, poll: Any) -> None:
    svc.poll_set_status(workspace=workspace, actor=None, poll=poll, status="closed")
    client = browser("zh-hans")
    page = client.get(page_url(poll))
    assert b'data-testid="poll-closed"' in page.content and "已结束" in page.content.decode()
    posted = submit(client, poll, answers(poll))
    assert b"poll-closed" in posted.content and PollResponse.objects.count() == 0

    draft = make_poll(workspace, title="草稿", open_it=False)
    assert browser().get(page_url(draft)).status_code == 404
    assert browser().get("/p/polls/not-a-token/").status_code == 404


def test_outside_its_times_a_poll_takes_nothing(workspace: Any) -> None:
    later = timezone.now() + dt.timedelta(days=1)
    poll = make_poll(workspace, opens_at=later, closes_at=later + dt.timedelta(days=2))
    response = submit(browser(), poll, answers(poll))
    assert b"poll-closed" in response.content and PollResponse.objects.count() == 0
