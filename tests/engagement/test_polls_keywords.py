"""Keyword replies (回复 1 / 2 / 3): a fan's comment or message on the poll's account becomes their response."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from socialops.engagement.models import Thread
from socialops.engagement.models.campaigns import Campaign
from socialops.engagement.models.polls import PollResponse
from socialops.engagement.services import polls as svc
from socialops.fans.models import Interaction, InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from tests.factories import make_account, make_fan, make_poll

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(workspace: Any) -> Any:
    return make_account(workspace, "acme_mp", "mastodon")


@pytest.fixture
def campaign(workspace: Any) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(workspace=workspace, name="夏日新品", start_date=today, end_date=today)


@pytest.fixture
def poll(workspace: Any, account: Any, campaign: Campaign) -> Any:
    return make_poll(workspace, keyword_account=account, campaign=campaign)


def say(
    fan: Any, text: str, ext: str, *, kind: str = InteractionKind.COMMENT, when: Any = None
) -> Interaction:
    interaction, _created = interaction_record(
        workspace=fan.workspace,
        fan=fan,
        kind=kind,
        occurred_at=when or timezone.now(),
        source=InteractionSource.PULL,
        text=text,
        external_id=ext,
    )
    return interaction


def test_a_keyword_comment_becomes_the_fans_response_and_a_vote(
    poll: Any, account: Any, campaign: Campaign
) -> None:
    fan = make_fan(account, "fan-1", display_name="小林")
    comment = say(fan, "  ２ ", "c-1")  # full-width digit, spaces around
    response = PollResponse.objects.get(poll=poll)
    assert response.channel == "keyword" and response.person_id == fan.person_id and response.fan_id == fan.pk
    assert response.source_interaction_id == comment.pk
    answer = response.answers.get()
    assert answer.choice is not None and answer.choice.label == "草莓"
    vote = Interaction.objects.get(person=fan.person, kind=InteractionKind.VOTE)
    assert vote.meta == {
        "poll": poll.pk,
        "campaign": campaign.pk,
        "response": response.pk,
        "choice": answer.choice_id,
    }
    assert vote.account_id == account.pk and vote.text == "草莓"
    # The comment is still filed in the inbox like any other; the vote is not.
    assert Thread.objects.filter(items__interaction=comment).exists()
    assert not Thread.objects.filter(items__interaction=vote).exists()


def test_a_direct_message_counts_and_the_first_keyword_wins(poll: Any, account: Any) -> None:
    fan = make_fan(account, "fan-2")
    say(fan, "3", "m-1", kind=InteractionKind.MESSAGE)
    say(fan, "1", "m-2", kind=InteractionKind.MESSAGE)
    response = PollResponse.objects.get(poll=poll)
    assert response.answers.get().choice.label == "芝士"  # type: ignore[union-attr]
    assert Interaction.objects.filter(person=fan.person, kind=InteractionKind.VOTE).count() == 1


def test_what_is_not_a_keyword_reply_is_ignored(workspace: Any, poll: Any, account: Any) -> None:
    fan = make_fan(account, "fan-3")
    say(fan, "我选 1", "c-1")  # not exactly a keyword
    say(fan, "4", "c-2")  # no such choice
    say(fan, "1", "c-3", kind=InteractionKind.FOLLOW)  # not a message
    other = make_fan(make_account(workspace, "acme_weibo", "mastodon"), "fan-4")
    say(other, "1", "c-4")  # another account
    assert not PollResponse.objects.exists()


def test_outside_the_open_period_or_on_a_closed_poll_nothing_counts(
    workspace: Any, poll: Any, account: Any
) -> None:
    fan = make_fan(account, "fan-5")
    svc.poll_update(
        workspace=workspace, actor=None, poll=poll, opens_at=timezone.now() - dt.timedelta(days=2)
    )
    say(fan, "1", "c-old", when=timezone.now() - dt.timedelta(days=3))
    assert not PollResponse.objects.exists()
    svc.poll_set_status(workspace=workspace, actor=None, poll=poll, status="closed")
    say(fan, "1", "c-new")
    assert not PollResponse.objects.exists()


def test_a_failing_poll_step_never_loses_the_fans_message(monkeypatch: Any, poll: Any, account: Any) -> None:
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("down")

    monkeypatch.setattr(svc, "keyword_response", boom)
    fan = make_fan(account, "fan-6")
    comment = say(fan, "1", "c-1")
    assert Interaction.objects.filter(pk=comment.pk).exists() and not PollResponse.objects.exists()


def test_keywords_are_checked_when_questions_are_written(workspace: Any, poll: Any) -> None:
    draft = make_poll(workspace, open_it=False)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        svc.question_create(
            workspace=workspace,
            actor=None,
            poll=draft,
            kind="single",
            text="再来一题",
            choices=[("A", "1"), ("B", "2")],
        )
    assert "choices" in refused.value.message_dict
    with pytest.raises(ValidationError):
        svc.question_create(
            workspace=workspace,
            actor=None,
            poll=draft,
            kind="multiple",
            text="多选",
            choices=[("A", "a"), ("B", "a")],
        )


def test_two_open_polls_on_one_account_cannot_share_a_keyword(
    workspace: Any, poll: Any, account: Any
) -> None:
    from django.core.exceptions import ValidationError

    second = make_poll(workspace, title="第二个投票", keyword_account=account, open_it=False)
    with pytest.raises(ValidationError) as refused:
        svc.poll_set_status(workspace=workspace, actor=None, poll=second, status="open")
    assert "status" in refused.value.message_dict
    svc.poll_set_status(workspace=workspace, actor=None, poll=poll, status="closed")
    assert svc.poll_set_status(workspace=workspace, actor=None, poll=second, status="open").status == "open"
