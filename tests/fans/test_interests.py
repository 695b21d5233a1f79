"""Interest tags per person: their own words against the workspace's vocabulary, purchases, platform tags."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialops.fans.interests import interests_refresh, vocabulary
from socialops.fans.models import PersonInterest
from tests.factories import (
    make_account,
    make_fan,
    make_interaction,
    make_order_line,
    make_persona,
    make_theme,
)


@pytest.fixture
def account(workspace: Any) -> Any:
    return make_account(workspace, "acme_wx", "wechat_mp")


def _interests(person: Any, source: str) -> dict[str, float]:
    return dict(PersonInterest.objects.filter(person=person, source=source).values_list("tag", "weight"))


def test_words_count_when_they_are_in_the_vocabulary(workspace: Any, account: Any) -> None:
    make_theme(workspace, "咖啡")
    make_theme(workspace, "露营")
    make_persona(workspace, account, interests=["手冲"])
    fan = make_fan(account, "o-1")
    make_interaction(fan, text="今天的咖啡真好喝，手冲咖啡也不错")
    make_interaction(fan, text="周末去露营")
    make_interaction(fan, text="天气不错")  # no vocabulary word

    interests_refresh(workspace=workspace)

    words = _interests(fan.person, "words")
    assert words == {"咖啡": 0.5, "手冲": 0.25, "露营": 0.25}


def test_full_width_and_case_do_not_matter(workspace: Any, account: Any) -> None:
    make_theme(workspace, "iPhone")
    fan = make_fan(account, "o-1")
    make_interaction(fan, text="新的ＩＰＨＯＮＥ好贵")
    interests_refresh(workspace=workspace)
    assert _interests(fan.person, "words") == {"iPhone": 1.0}


def test_theme_descriptions_add_keywords(workspace: Any) -> None:
    make_theme(workspace, "生活方式", description="咖啡、露营，城市慢生活")
    vocab = set(vocabulary(workspace).values())
    assert {"生活方式", "咖啡", "露营"} <= vocab


def test_purchases_weigh_by_spend_and_cancellations_net_out(workspace: Any, account: Any) -> None:
    fan = make_fan(account, "o-1")
    person = fan.person
    make_order_line(workspace, person, "300.00", category="咖啡豆")
    make_order_line(workspace, person, "100.00", product="法压壶")
    make_order_line(workspace, person, "50.00", category="茶")
    make_order_line(workspace, person, "-50.00", category="茶", is_cancellation=True)

    interests_refresh(workspace=workspace)

    assert _interests(person, "purchases") == {"咖啡豆": 0.75, "法压壶": 0.25}


def test_platform_tags_weigh_by_share_of_fans(workspace: Any, account: Any) -> None:
    other = make_account(workspace, "acme_service", "wechat_mp")
    fan = make_fan(account, "o-1", platform_tags=["VIP", "北京"])
    make_fan(other, "o-2", person=fan.person, platform_tags=["VIP"])
    interests_refresh(workspace=workspace)
    assert _interests(fan.person, "platform") == {"VIP": 1.0, "北京": 0.5}


def test_a_refresh_replaces_the_previous_rows(workspace: Any, account: Any) -> None:
    make_theme(workspace, "咖啡")
    fan = make_fan(account, "o-1")
    other = make_fan(account, "o-2")
    PersonInterest.objects.create(
        workspace=workspace, person=fan.person, tag="旧的", source="words", weight=1
    )
    PersonInterest.objects.create(
        workspace=workspace, person=other.person, tag="别人的", source="words", weight=1
    )
    make_interaction(fan, text="咖啡")

    interests_refresh(workspace=workspace, people=[fan.person])

    assert _interests(fan.person, "words") == {"咖啡": 1.0}
    # Only the people asked for are refreshed.
    assert _interests(other.person, "words") == {"别人的": 1.0}


def test_queries_do_not_grow_with_the_number_of_people(workspace: Any, account: Any) -> None:
    make_theme(workspace, "咖啡")
    for n in range(5):
        fan = make_fan(account, f"o-{n}", platform_tags=["VIP"])
        make_interaction(fan, text="咖啡")
        make_order_line(workspace, fan.person, "10", category="咖啡豆")
    with CaptureQueriesContext(connection) as few:
        interests_refresh(workspace=workspace)
    for n in range(5, 40):
        fan = make_fan(account, f"o-{n}", platform_tags=["VIP"])
        make_interaction(fan, text="咖啡")
        make_order_line(workspace, fan.person, "10", category="咖啡豆")
    with CaptureQueriesContext(connection) as many:
        written = interests_refresh(workspace=workspace)
    assert written == 40 * 3
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_refresh_needs_fans_edit(workspace: Any, analyst: Any, operator: Any) -> None:
    with pytest.raises(PermissionDenied):
        interests_refresh(workspace=workspace, actor=analyst)
    assert interests_refresh(workspace=workspace, actor=operator) == 0


def test_other_workspaces_are_untouched(workspace: Any, other_workspace: Any) -> None:
    theirs = make_account(other_workspace, "theirs", "wechat_mp")
    make_theme(other_workspace, "咖啡")
    fan = make_fan(theirs, "o-1")
    make_interaction(fan, text="咖啡")
    interests_refresh(workspace=workspace, people=[fan.person])
    assert not PersonInterest.objects.exists()
