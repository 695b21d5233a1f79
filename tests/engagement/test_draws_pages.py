"""Lucky-draw pages: the staff pages by role, and the public verification page (rate-limited)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from socialops.engagement.models.draws import Draw, DrawStatus, DrawWinner
from socialops.engagement.services import draws as svc
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_draw

from .draw_helpers import keyword_draw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def _drawn(workspace: Any) -> Draw:
    draw, _fans = keyword_draw(workspace, entrants=5, winners_count=2)
    svc.draw_freeze(workspace=workspace, actor=None, draw=draw)
    return svc.draw_run(workspace=workspace, actor=None, draw=draw)


def test_staff_pages_four_cases(
    web: Any, workspace: Any, other_workspace: Any, operator: Any, analyst: Any
) -> None:
    mine = _drawn(workspace)
    theirs = make_draw(other_workspace)
    base, other = "/w/acme/draws/", "/w/other/draws/"
    listed = assert_four_cases(web, "GET", base, other, permitted=analyst, denied=None)
    assert mine.name in listed.content.decode()
    detail = assert_four_cases(
        web, "GET", f"{base}{mine.pk}/", f"{other}{theirs.pk}/", permitted=analyst, denied=None
    )
    page = detail.content.decode()
    assert mine.seed_hash in page and mine.entrants_hash in page and mine.secret in page
    assert page.count('data-testid="draw-winner"') == 2
    assert_four_cases(web, "GET", f"{base}new/", f"{other}new/", permitted=operator, denied=analyst)


def test_create_freeze_and_draw_through_the_pages(web: Any, workspace: Any, operator: Any) -> None:
    account = make_account(workspace, "acme_mp", "mastodon")
    client = web(operator)
    closes = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/w/acme/draws/new/",
        {"name": "周年抽奖", "prize": "耳机", "winners_count": "1", "closes_at": closes,
         "accounts": [account.pk], "keyword": "周年", "message": "恭喜{昵称}"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    draw = Draw.objects.get(name="周年抽奖")
    assert client.get(response["Location"]).status_code == 200
    bad = client.post(
        "/w/acme/draws/new/", {"name": "无规则", "prize": "x", "winners_count": "1", "closes_at": closes}
    )
    assert bad.status_code == 200 and "Choose at least one rule of entry." in bad.content.decode()
    assert client.post(f"/w/acme/draws/{draw.pk}/freeze/").status_code == 302
    draw.refresh_from_db()
    assert draw.status == DrawStatus.FROZEN
    assert client.get(f"/w/acme/draws/{draw.pk}/edit/").status_code == 302  # no edits once frozen
    assert client.post(f"/w/acme/draws/{draw.pk}/draw/").status_code == 302
    draw.refresh_from_db()
    assert draw.status == DrawStatus.DRAWN


def test_the_analyst_cannot_freeze(web: Any, workspace: Any, analyst: Any) -> None:
    draw = make_draw(workspace)
    assert web(analyst).post(f"/w/acme/draws/{draw.pk}/freeze/").status_code == 403
    draw.refresh_from_db()
    assert draw.status == DrawStatus.OPEN


def test_public_page_shows_commitments_seed_winners_and_the_check(client: Any, workspace: Any) -> None:
    draw = _drawn(workspace)
    page = client.get(f"/p/draws/{draw.public_token}/", HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert draw.seed_hash in text and draw.entrants_hash in text and draw.secret in text
    for winner in DrawWinner.objects.filter(draw=draw).select_related("entrant"):
        assert winner.entrant.pseudonym in text
    assert 'data-testid="public-verdict"' in text and "alert-success" in text
    for fan_name in ("粉丝0", "粉丝1"):
        assert fan_name not in text  # no identities on the public page

    download = client.get(f"/p/draws/{draw.public_token}/entrants.jsonl")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == draw.entrants_hash
    assert client.get("/p/draws/nonsense/").status_code == 404


def test_public_page_before_the_draw_keeps_the_seed(client: Any, workspace: Any) -> None:
    draw = make_draw(workspace)
    text = client.get(f"/p/draws/{draw.public_token}/").content.decode()
    assert draw.seed_hash in text and draw.secret not in text
    assert client.get(f"/p/draws/{draw.public_token}/entrants.jsonl").status_code == 404


def test_a_broken_list_shows_on_the_public_page(client: Any, workspace: Any) -> None:
    draw = _drawn(workspace)
    Draw.objects.filter(pk=draw.pk).update(entrants_hash="0" * 64)
    text = client.get(f"/p/draws/{draw.public_token}/").content.decode()
    assert "alert-danger" in text and "does NOT match" in text


def test_public_page_is_rate_limited(client: Any, workspace: Any) -> None:
    draw = make_draw(workspace)
    url = f"/p/draws/{draw.public_token}/"
    statuses = [client.get(url).status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429


def test_pages_in_chinese(client: Any, workspace: Any, web: Any, member: Any) -> None:
    draw = _drawn(workspace)
    client.cookies["django_language"] = "zh-hans"
    text = client.get(f"/p/draws/{draw.public_token}/").content.decode()
    assert "中奖名单" in text or "获奖" in text
    community = member(Role.COMMUNITY, username="cc")
    staff = web(community)
    staff.cookies["django_language"] = "zh-hans"
    assert "抽奖" in staff.get("/w/acme/draws/").content.decode()
