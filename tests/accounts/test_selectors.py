"""Selectors: lookups by id or handle, personas; latest followers without goals connected.

The competitor comparison and the latest follower figures goals provides are tested in
tests/goals/test_competitors.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from socialops.accounts import hooks, selectors
from socialops.goals.selectors.metrics import with_latest_followers
from tests.factories import make_account, make_persona

pytestmark = pytest.mark.django_db


def test_account_get_is_404_for_another_workspace(workspace: Any, other_workspace: Any, admin: Any) -> None:
    foreign = make_account(other_workspace, "theirs")
    with pytest.raises(Http404):
        selectors.account_get(workspace=workspace, user=admin, account_id=foreign.pk)


def test_account_get_by_ref(workspace: Any, other_workspace: Any, admin: Any) -> None:
    weibo = make_account(workspace, "acme", platform="weibo")
    douyin = make_account(workspace, "acme", platform="douyin")
    numeric = make_account(workspace, "123456789", platform="douyin")
    only = make_account(workspace, "Solo_Brand", platform="bilibili")
    make_account(other_workspace, "elsewhere")

    assert selectors.account_get_by_ref(workspace=workspace, user=admin, ref=weibo.pk) == weibo
    assert selectors.account_get_by_ref(workspace=workspace, user=admin, ref=str(douyin.pk)) == douyin
    assert selectors.account_get_by_ref(workspace=workspace, user=admin, ref="@solo_brand") == only
    assert selectors.account_get_by_ref(workspace=workspace, user=admin, ref="123456789") == numeric
    with pytest.raises(ValidationError) as exc:
        selectors.account_get_by_ref(workspace=workspace, user=admin, ref="acme")
    message = exc.value.message_dict["account"][0]
    assert "several platforms" in message and str(weibo.pk) in message and str(douyin.pk) in message
    with pytest.raises(Http404, match="elsewhere"):
        selectors.account_get_by_ref(workspace=workspace, user=admin, ref="elsewhere")


def test_persona_list_and_get_stay_in_workspace(workspace: Any, other_workspace: Any, admin: Any) -> None:
    account = make_account(workspace)
    make_persona(workspace, account, "B")
    make_persona(workspace, account, "A")
    foreign_account = make_account(other_workspace)
    foreign = make_persona(other_workspace, foreign_account, "X")
    assert [p.name for p in selectors.persona_list(workspace=workspace, user=admin, account=account)] == [
        "A",
        "B",
    ]
    with pytest.raises(Http404):
        selectors.persona_list(workspace=workspace, user=admin, account=foreign_account)
    with pytest.raises(Http404):
        selectors.persona_get(workspace=workspace, user=admin, persona_id=foreign.pk)


def test_persona_hours_chart_marks_active_hours(workspace: Any) -> None:
    persona = make_persona(workspace, make_account(workspace), active_hours=[8, 21])
    option = selectors.persona_hours_chart(persona)
    cells = option["series"][0]["data"]
    assert len(cells) == 24
    assert [hour for hour, _row, value in cells if value] == [8, 21]


def test_account_list_stands_alone_without_the_followers_hook(workspace: Any, admin: Any) -> None:
    """Accounts sits below goals: with nothing connected to its hook the list still reads, unannotated."""
    make_account(workspace, "acme")
    assert hooks.latest_followers.connected  # goals connects it in GoalsConfig.ready()
    hooks.latest_followers.disconnect(with_latest_followers)
    try:
        accounts = list(selectors.account_list(workspace=workspace, user=admin, with_latest_followers=True))
    finally:
        hooks.latest_followers.connect(with_latest_followers)
    assert [a.handle for a in accounts] == ["acme"]
    assert not hasattr(accounts[0], "latest_followers")
