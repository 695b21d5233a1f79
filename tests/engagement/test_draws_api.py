"""Lucky draws over the API: the four permission cases of every endpoint, and what each answers."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from socialops.engagement.models.draws import Draw, DrawStatus, DrawWinner, NoticeStatus
from socialops.engagement.services import draws as svc
from tests.access import assert_four_cases
from tests.factories import make_account, make_draw

from .draw_helpers import keyword_draw

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/{slug}/draws"


def url(path: str = "", slug: str = "acme") -> str:
    return API.format(slug=slug) + path


@pytest.fixture
def pair(workspace: Any, other_workspace: Any) -> dict[str, Any]:
    mine, _fans = keyword_draw(workspace, entrants=4, winners_count=2)
    theirs = make_draw(other_workspace)
    return {"mine": mine, "theirs": theirs}


def _draw_all(draw: Draw) -> Draw:
    svc.draw_freeze(workspace=draw.workspace, actor=None, draw=draw)
    return svc.draw_run(workspace=draw.workspace, actor=None, draw=draw)


def test_list_and_detail(api: Any, pair: dict[str, Any], analyst: Any) -> None:
    listed = assert_four_cases(api, "GET", url(), url(slug="other"), permitted=analyst, denied=None)
    body = listed.json()
    assert body["count"] == 1 and body["items"][0]["seed"] == ""
    mine, theirs = pair["mine"], pair["theirs"]
    detail = assert_four_cases(
        api, "GET", url(f"/{mine.pk}"), url(f"/{theirs.pk}", "other"), permitted=analyst, denied=None
    )
    item = detail.json()
    assert item["seed_hash"] == mine.seed_hash and item["status"] == "open" and item["keyword"] == "抽奖"
    assert "secret" not in item and "pseudonym_key" not in item
    assert api(analyst).get(url(f"/{theirs.pk}")).status_code == 404
    assert api(analyst).get(url(), {"status": "nonsense"}).status_code == 422


def test_create_and_patch(
    api: Any, workspace: Any, other_workspace: Any, operator: Any, analyst: Any
) -> None:
    account = make_account(workspace, "acme_mp", "mastodon")
    payload = {
        "name": "API 抽奖", "prize": "耳机", "winners_count": 3,
        "closes_at": (timezone.now() + dt.timedelta(days=1)).isoformat(),
        "account_ids": [account.pk], "keyword": "抽奖", "staff_identities": ["@amy", "bob"],
    }  # fmt: skip
    created = assert_four_cases(
        api, "POST", url(), url(slug="other"), permitted=operator, denied=analyst, data=payload, ok=(201,)
    )
    body = created.json()
    assert body["account_ids"] == [account.pk] and body["staff_identities"] == ["amy", "bob"]
    assert len(body["seed_hash"]) == 64 and body["public_url"].endswith(
        f"/p/draws/{Draw.objects.get(pk=body['id']).public_token}/"
    )
    draw_id = body["id"]
    theirs = make_draw(other_workspace)
    patched = assert_four_cases(
        api, "PATCH", url(f"/{draw_id}"), url(f"/{theirs.pk}", "other"),
        permitted=operator, denied=analyst, data={"prize": "两副耳机", "poll_id": None},
    )  # fmt: skip
    assert patched.json()["prize"] == "两副耳机"
    foreign_account = make_account(other_workspace, "theirs", "weibo")
    refused = api(operator).patch(
        url(f"/{draw_id}"),
        data=json.dumps({"account_ids": [foreign_account.pk]}),
        content_type="application/json",
    )
    assert refused.status_code == 404
    invalid = api(operator).post(
        url(), data=json.dumps({**payload, "keyword": ""}), content_type="application/json"
    )
    assert invalid.status_code == 400 and "require_follow" in invalid.json()["errors"]


def test_delete(api: Any, pair: dict[str, Any], operator: Any, analyst: Any) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    assert_four_cases(
        api, "DELETE", url(f"/{mine.pk}"), url(f"/{theirs.pk}", "other"),
        permitted=operator, denied=analyst, ok=(204,),
    )  # fmt: skip
    assert not Draw.objects.filter(pk=mine.pk).exists()


def test_freeze_draw_entrants_winners_verification(
    api: Any, pair: dict[str, Any], operator: Any, analyst: Any
) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    frozen = assert_four_cases(
        api, "POST", url(f"/{mine.pk}/freeze"), url(f"/{theirs.pk}/freeze", "other"),
        permitted=operator, denied=analyst,
    )  # fmt: skip
    assert frozen.json()["status"] == "frozen" and frozen.json()["entrant_count"] == 4
    again = api(operator).post(url(f"/{mine.pk}/freeze"))
    assert again.status_code == 400 and "draw" in again.json()["errors"]
    entrants = assert_four_cases(
        api, "GET", url(f"/{mine.pk}/entrants"), url(f"/{theirs.pk}/entrants", "other"),
        permitted=analyst, denied=None,
    )  # fmt: skip
    ids = [e["entrant_id"] for e in entrants.json()["items"]]
    assert ids == sorted(ids) and len(ids) == 4
    drawn = assert_four_cases(
        api, "POST", url(f"/{mine.pk}/draw"), url(f"/{theirs.pk}/draw", "other"),
        permitted=operator, denied=analyst,
    )  # fmt: skip
    assert drawn.json()["seed"] and drawn.json()["status"] == DrawStatus.DRAWN
    winners = assert_four_cases(
        api, "GET", url(f"/{mine.pk}/winners"), url(f"/{theirs.pk}/winners", "other"),
        permitted=analyst, denied=None,
    )  # fmt: skip
    rows = winners.json()
    assert [w["rank"] for w in rows] == [1, 2] and rows[0]["name"].startswith(
        "#"
    )  # the analyst sees pseudonyms
    assert api(operator).get(url(f"/{mine.pk}/winners")).json()[0]["name"].startswith("粉丝")
    checked = assert_four_cases(
        api, "GET", url(f"/{mine.pk}/verification"), url(f"/{theirs.pk}/verification", "other"),
        permitted=analyst, denied=None,
    )  # fmt: skip
    assert checked.json()["ok"] is True and checked.json()["winners"] == [w["entrant_id"] for w in rows]


def test_notify_and_told(
    api: Any, pair: dict[str, Any], other_workspace: Any, operator: Any, analyst: Any
) -> None:
    mine = _draw_all(pair["mine"])
    theirs = _draw_all(keyword_draw(other_workspace, entrants=1)[0])
    notified = assert_four_cases(
        api, "POST", url(f"/{mine.pk}/notify"), url(f"/{theirs.pk}/notify", "other"),
        permitted=operator, denied=analyst,
    )  # fmt: skip
    assert notified.json() == {"replied": 0, "manual": 2}
    assert api(operator).post(url(f"/{mine.pk}/notify")).json() == {"replied": 0, "manual": 0}
    winner = DrawWinner.objects.filter(draw=mine).order_by("rank").first()
    foreign = DrawWinner.objects.filter(draw=theirs).first()
    assert winner is not None and foreign is not None
    told = assert_four_cases(
        api, "POST", url(f"/winners/{winner.pk}/told"), url(f"/winners/{foreign.pk}/told", "other"),
        permitted=operator, denied=analyst,
    )  # fmt: skip
    assert told.json()["notice"] == NoticeStatus.TOLD
