"""Poll pages: they render for the admin and the analyst, the analyst cannot write, a poll is built through them."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.engagement.models.polls import Poll
from socialops.engagement.services import polls as svc
from tests.engagement.poll_support import answers
from tests.factories import make_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll(workspace: Any) -> Poll:
    poll = make_poll(workspace)
    svc.response_submit(poll=poll, answers=answers(poll, text="希望多出联名款"), device_token="d-1")
    return poll


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_pages_render(request: Any, role: str, workspace: Any, poll: Poll, web: Any) -> None:
    user = request.getfixturevalue(role)
    client = web(user)
    base = f"/w/{workspace.slug}/polls/"
    listing = client.get(base)
    assert listing.status_code == 200 and "新品口味投票" in listing.content.decode()
    detail = client.get(f"{base}{poll.pk}/")
    body = detail.content.decode()
    assert detail.status_code == 200 and 'data-testid="poll-results"' in body and "希望多出联名款" in body
    assert (
        'hx-trigger="every 10s"' in body and 'hx-swap="innerHTML"' in body and 'data-echarts="poll-q-' in body
    )
    assert ("Keep as idea" in body) is (role == "admin")
    assert client.get(f"{base}{poll.pk}/results/").status_code == 200
    assert client.get(f"{base}{poll.pk}/export.xlsx").status_code == 200
    nav = client.get(f"/w/{workspace.slug}/polls/").content.decode()
    assert 'data-testid="nav-polls"' in nav


def test_the_analyst_cannot_write(workspace: Any, poll: Poll, analyst: Any, web: Any) -> None:
    client = web(analyst)
    base = f"/w/{workspace.slug}/polls/"
    assert client.get(f"{base}new/").status_code == 403
    assert client.post(f"{base}{poll.pk}/status/", {"status": "closed"}).status_code == 403
    assert client.post(f"{base}{poll.pk}/results/").status_code == 405
    poll.refresh_from_db()
    assert poll.status == "open"


def test_a_poll_is_built_and_opened_through_the_pages(workspace: Any, operator: Any, web: Any) -> None:
    client = web(operator)
    base = f"/w/{workspace.slug}/polls/"
    created = client.post(f"{base}new/", {"title": "门店服务调查", "one_per_device": "on"})
    assert created.status_code == 302
    poll = Poll.objects.get(title="门店服务调查")
    refused = client.post(f"{base}{poll.pk}/status/", {"status": "open"}, follow=True)
    assert "Add a question before opening the poll." in refused.content.decode()
    bad = client.post(
        f"{base}{poll.pk}/questions/new/", {"kind": "single", "text": "满意吗？", "choices": "满意"}
    )
    assert bad.status_code == 200 and "Give at least two choices." in bad.content.decode()
    added = client.post(
        f"{base}{poll.pk}/questions/new/",
        {"kind": "single", "text": "满意吗？", "required": "on", "choices": "满意 | 1\n不满意 | 2"},
    )
    assert added.status_code == 302
    question = poll.questions.get()
    assert [(c.label, c.keyword) for c in question.choices.all()] == [("满意", "1"), ("不满意", "2")]
    edit = client.get(f"{base}{poll.pk}/questions/{question.pk}/edit/")
    assert "满意 | 1" in edit.content.decode()
    client.post(f"{base}{poll.pk}/status/", {"status": "open"})
    poll.refresh_from_db()
    assert poll.status == "open"
    assert client.get(f"/p/polls/{poll.token}/").status_code == 200


def test_the_results_panel_refreshes_with_its_charts(
    workspace: Any, poll: Poll, admin: Any, web: Any
) -> None:
    panel = web(admin).get(f"/w/{workspace.slug}/polls/{poll.pk}/results/").content.decode()
    # The charts come with every refresh, so app.js redraws them after the swap settles.
    assert 'data-echarts="poll-q-' in panel and 'data-figure="responses">1<' in panel


def test_questions_are_reordered_with_up_and_down(workspace: Any, admin: Any, web: Any) -> None:
    poll = make_poll(workspace, title="无人作答")
    first, second, *_rest = list(poll.questions.order_by("position", "pk"))
    client = web(admin)
    page = client.get(f"/w/{workspace.slug}/polls/{poll.pk}/").content.decode()
    assert 'data-testid="question-up"' in page and 'data-testid="question-down"' in page
    url = f"/w/{workspace.slug}/polls/{poll.pk}/questions/{second.pk}/move/"
    assert client.post(url, {"direction": "up"}).status_code == 302
    assert list(poll.questions.order_by("position", "pk"))[:2] == [second, first]
    client.post(url, {"direction": "up"})  # already first: nothing changes
    client.post(url, {"direction": "down"})
    assert list(poll.questions.order_by("position", "pk"))[:2] == [first, second]
    assert web(None).post(url, {"direction": "up"}).status_code == 302  # to the log-in page
