"""Tiers and segments pages and API: what a member sees and may do, with the four permission cases."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialops.fans.models import Segment, SegmentKind
from socialops.fans.services import segments as svc
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_fan, make_interaction

pytestmark = pytest.mark.django_db

ACTIVE = {"all": [{"field": "interactions_30d", "op": "gte", "value": 1}]}


@pytest.fixture
def refreshed(workspace: Any, other_workspace: Any) -> dict[str, Any]:
    """Two fans (one active), a segment of the active, refreshed; and a segment in another workspace."""
    account = make_account(workspace, "acme", "weibo")
    fan = make_fan(account, "o1", display_name="王小明")
    make_fan(account, "o2", display_name="李四")
    make_interaction(fan)
    segment = svc.segment_create(workspace=workspace, actor=None, name="Busy", rules=ACTIVE)
    svc.segments_refresh(workspace=workspace)
    foreign = svc.segment_create(workspace=other_workspace, actor=None, name="Theirs", rules=ACTIVE)
    return {"segment": segment, "person": fan.person, "foreign": foreign}


# ---- pages -----------------------------------------------------------------------------------


def test_list_shows_the_ladder_and_chart(web: Any, member: Any, refreshed: dict[str, Any]) -> None:
    url, foreign = "/w/acme/fans/segments/", "/w/other/fans/segments/"
    page = assert_four_cases(web, "GET", url, foreign, permitted=member(Role.ANALYST), denied=None)
    html = page.content.decode()
    assert 'data-testid="tier-ladder"' in html and "核心粉丝" in html and "潜在客户" in html
    assert 'data-echarts="tier-chart"' in html and "Busy" in html
    assert 'data-testid="refresh-now"' not in html  # analysts may not refresh
    assert 'data-testid="refresh-now"' in web(member(Role.OPERATOR)).get(url).content.decode()


def test_detail_shows_pseudonyms_without_identity(web: Any, member: Any, refreshed: dict[str, Any]) -> None:
    segment, person = refreshed["segment"], refreshed["person"]
    url = f"/w/acme/fans/segments/{segment.pk}/"
    foreign = f"/w/acme/fans/segments/{refreshed['foreign'].pk}/"
    page = assert_four_cases(web, "GET", url, foreign, permitted=member(Role.ANALYST), denied=None)
    html = page.content.decode()
    assert person.pseudonym in html and "王小明" not in html
    assert f"/w/acme/fans/people/{person.pk}/" in html and 'data-testid="event-list"' in html
    html = web(member(Role.COMMUNITY)).get(url).content.decode()
    assert "王小明" in html and "李四" not in html


def test_builder_saves_a_segment(web: Any, member: Any, refreshed: dict[str, Any]) -> None:
    data = {
        "name": "Weibo people", "kind": "segment", "color": "#1f77b4", "match": "all", "rows": "1",
        "c-0-field": "platform", "c-0-op": "eq", "c-0-value": "weibo",
    }  # fmt: skip
    response = assert_four_cases(
        web, "POST", "/w/acme/fans/segments/new/", "/w/other/fans/segments/new/",
        permitted=member(Role.OPERATOR), denied=member(Role.ANALYST), data=data, ok=(302,),
    )  # fmt: skip
    segment = Segment.objects.get(workspace__slug="acme", name="Weibo people")
    assert segment.rules == {"all": [{"field": "platform", "op": "eq", "value": "weibo"}]}
    assert response["Location"] == f"/w/acme/fans/segments/{segment.pk}/"


def test_builder_refuses_bad_rules_with_the_condition_named(
    web: Any, member: Any, refreshed: dict[str, Any]
) -> None:
    data = {
        "name": "Bad",
        "kind": "segment",
        "match": "all",
        "rows": "1",
        "c-0-field": "rfm_recency",
        "c-0-op": "gte",
        "c-0-value": "9",
    }
    response = web(member(Role.OPERATOR)).post("/w/acme/fans/segments/new/", data)
    assert response.status_code == 200
    assert "Condition 1 (R score (recency, 1–5)): a score is between 1 and 5" in response.content.decode()
    assert not Segment.objects.filter(name="Bad").exists()


def test_builder_adds_rows_and_counts_live(web: Any, member: Any, refreshed: dict[str, Any]) -> None:
    client = web(member(Role.OPERATOR))
    rows = {"match": "all", "rows": "1", "c-0-field": "interactions_30d", "c-0-op": "gte", "c-0-value": "1"}
    count = assert_four_cases(
        web, "POST", "/w/acme/fans/segments/count/", "/w/other/fans/segments/count/",
        permitted=member(Role.OPERATOR), denied=member(Role.ANALYST), data=rows,
    )  # fmt: skip
    assert "1 person matches now" in count.content.decode()
    added = client.post("/w/acme/fans/segments/builder/", {**rows, "add": "1"}).content.decode()
    assert added.count('name="c-1-field"') == 1 and 'hx-swap-oob="true"' in added
    assert "2 people match now" not in added  # the new row (30-day interactions ≥ 1) keeps one
    everyone = client.post("/w/acme/fans/segments/count/", {"match": "all", "rows": "0"}).content.decode()
    assert "2 people match now" in everyone


def test_edit_delete_and_refresh_pages(
    web: Any, member: Any, refreshed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    segment = refreshed["segment"]
    operator = member(Role.OPERATOR)
    assert web(operator).get(f"/w/acme/fans/segments/{segment.pk}/edit/").status_code == 200
    # The core tier's nested groups are kept whole in the builder, and saved back unchanged.
    core = Segment.objects.get(workspace__slug="acme", kind=SegmentKind.TIER, rank=0)
    html = web(operator).get(f"/w/acme/fans/segments/{core.pk}/edit/").content.decode()
    assert html.count("Group:") == 2 and 'name="c-0-group"' in html
    groups = {f"c-{i}-group": json.dumps(g) for i, g in enumerate(core.rules["any"])}
    data = {
        "name": core.name,
        "kind": "tier",
        "rank": "0",
        "color": core.color,
        "match": "any",
        "rows": "2",
        **groups,
    }
    assert web(operator).post(f"/w/acme/fans/segments/{core.pk}/edit/", data).status_code == 302
    saved = Segment.objects.get(pk=core.pk)
    assert saved.rules == core.rules and saved.rank == 0
    with django_capture_on_commit_callbacks() as callbacks:
        assert_four_cases(
            web, "POST", "/w/acme/fans/segments/refresh/", "/w/other/fans/segments/refresh/",
            permitted=operator, denied=member(Role.ANALYST), ok=(302,),
        )  # fmt: skip
    assert len(callbacks) == 1
    assert_four_cases(
        web, "POST", f"/w/acme/fans/segments/{segment.pk}/delete/",
        f"/w/acme/fans/segments/{refreshed['foreign'].pk}/delete/",
        permitted=operator, denied=member(Role.ANALYST), ok=(302,),
    )  # fmt: skip
    assert not Segment.objects.filter(pk=segment.pk).exists()


# ---- API -------------------------------------------------------------------------------------

API = "/api/v1/workspaces/acme/fans/segments"
FOREIGN_API = "/api/v1/workspaces/other/fans/segments"


def test_api_list_detail_and_history(api: Any, member: Any, refreshed: dict[str, Any]) -> None:
    analyst = member(Role.ANALYST)
    listed = assert_four_cases(api, "GET", API, FOREIGN_API, permitted=analyst, denied=None).json()
    assert [i["name"] for i in listed["items"]][0] == "Busy" and listed["count"] == 6
    segment = refreshed["segment"]
    one = assert_four_cases(
        api, "GET", f"{API}/{segment.pk}", f"{API}/{refreshed['foreign'].pk}", permitted=analyst, denied=None
    ).json()
    assert one["size"] == 1 and one["rules_text"] == "Interactions in the last 30 days at least 1"
    sizes = assert_four_cases(
        api, "GET", f"{API}/sizes", f"{FOREIGN_API}/sizes", permitted=analyst, denied=None
    ).json()
    assert len(sizes["dates"]) == 1 and [s["sizes"] for s in sizes["series"]] == [
        [0],
        [0],
        [1],
        [0],
        [1],
    ]  # ordinary, potential
    fields = assert_four_cases(
        api, "GET", f"{API}/fields", f"{FOREIGN_API}/fields", permitted=analyst, denied=None
    ).json()
    assert "rfm_recency" in [f["key"] for f in fields["items"]]


def test_api_create_update_delete(api: Any, member: Any, refreshed: dict[str, Any]) -> None:
    operator, analyst = member(Role.OPERATOR), member(Role.ANALYST)
    body = {"name": "Followers", "rules": {"all": [{"field": "is_following", "op": "eq", "value": False}]}}
    created = assert_four_cases(
        api, "POST", API, FOREIGN_API, permitted=operator, denied=analyst, data=body, ok=(201,)
    ).json()
    assert created["kind"] == "segment" and created["size"] == 0
    bad = api(operator).post(
        API, data={"name": "X", "rules": {"all": [{"field": "foo"}]}}, content_type="application/json"
    )
    assert bad.status_code == 400 and "Condition 1: unknown field foo" in bad.content.decode()
    url, foreign = f"{API}/{created['id']}", f"{API}/{refreshed['foreign'].pk}"
    patched = assert_four_cases(
        api, "PATCH", url, foreign, permitted=operator, denied=analyst, data={"name": "Not following"}
    ).json()
    assert patched["name"] == "Not following"
    assert_four_cases(api, "DELETE", url, foreign, permitted=operator, denied=analyst, ok=(204,))
    assert not Segment.objects.filter(pk=created["id"]).exists()


def test_api_count_and_refresh(
    api: Any, member: Any, refreshed: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    operator, analyst = member(Role.OPERATOR), member(Role.ANALYST)
    counted = assert_four_cases(
        api,
        "POST",
        f"{API}/count",
        f"{FOREIGN_API}/count",
        permitted=operator,
        denied=analyst,
        data={"rules": ACTIVE},
    ).json()
    assert counted == {"count": 1}
    with django_capture_on_commit_callbacks() as callbacks:
        queued = assert_four_cases(
            api,
            "POST",
            f"{API}/refresh",
            f"{FOREIGN_API}/refresh",
            permitted=operator,
            denied=analyst,
            ok=(202,),
        ).json()
    assert queued == {"queued": True} and len(callbacks) == 1
    assert Segment.objects.filter(workspace__slug="acme", kind=SegmentKind.TIER).count() == 5
