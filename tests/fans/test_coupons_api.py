"""Coupons over the API and on the pages: the four permission cases, and what a user sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from socialops.fans.models import Coupon, CouponCampaign, Redemption
from socialops.fans.services import coupons as svc
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_person

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/{slug}/fans/coupons"


def campaign_in(workspace: Any, name: str = "春季回馈", **fields: Any) -> CouponCampaign:
    values: dict[str, Any] = {
        "name": name,
        "account": make_account(workspace, f"mp_{CouponCampaign.objects.count()}", "wechat_mp"),
        "value": "20",
        "valid_from": timezone.now() - dt.timedelta(days=1),
        "valid_until": timezone.now() + dt.timedelta(days=30),
        "budget_count": 10,
    }
    values.update(fields)
    return svc.campaign_create(workspace=workspace, actor=None, **values)


@pytest.fixture
def pair(workspace: Any, other_workspace: Any, member: Any) -> dict[str, Any]:
    """A campaign here and one in the other workspace (whose admin is a stranger here)."""
    mine = campaign_in(workspace)
    theirs = campaign_in(other_workspace, "别家")
    return {"mine": mine, "theirs": theirs, "stranger": member(Role.ADMIN, ws=other_workspace)}


def url(path: str, slug: str = "acme") -> str:
    return API.format(slug=slug) + path


def test_campaign_list_and_detail_four_cases(api: Any, pair: dict[str, Any], analyst: Any) -> None:
    response = assert_four_cases(
        api, "GET", url("/campaigns"), url("/campaigns", "other"), permitted=analyst, denied=None
    )
    item = response.json()["items"][0]
    assert item["name"] == "春季回馈" and item["funnel"]["issued"] == 0
    assert item["webhook_secret"] == ""  # analysts do not see the secret
    mine, theirs = pair["mine"], pair["theirs"]
    assert_four_cases(
        api,
        "GET",
        url(f"/campaigns/{mine.pk}"),
        url(f"/campaigns/{theirs.pk}"),
        permitted=analyst,
        denied=None,
    )


def test_campaign_create_four_cases(
    api: Any, pair: dict[str, Any], operator: Any, analyst: Any, workspace: Any
) -> None:
    account = make_account(workspace, "acme_shop", "wechat_mp")
    data = {
        "name": "会员日",
        "account_id": account.pk,
        "value": "15.00",
        "valid_from": timezone.now().isoformat(),
        "valid_until": (timezone.now() + dt.timedelta(days=7)).isoformat(),
        "budget_count": 100,
        "code_prefix": "vip",
    }
    response = assert_four_cases(
        api,
        "POST",
        url("/campaigns"),
        url("/campaigns", "other"),
        permitted=operator,
        denied=analyst,
        data=data,
        ok=(201,),
    )
    body = response.json()
    assert body["code_prefix"] == "VIP" and body["webhook_secret"] == ""
    bad = api(operator).post(
        url("/campaigns"),
        data={**data, "name": "坏", "valid_until": data["valid_from"]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "valid_until" in bad.json()["errors"]


def test_campaign_patch_delete_and_secret_four_cases(
    api: Any, pair: dict[str, Any], operator: Any, analyst: Any, admin: Any
) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    response = assert_four_cases(
        api, "PATCH", url(f"/campaigns/{mine.pk}"), url(f"/campaigns/{theirs.pk}"),
        permitted=operator, denied=analyst, data={"budget_count": 20},
    )  # fmt: skip
    assert response.json()["budget_count"] == 20
    old = mine.webhook_secret
    response = assert_four_cases(
        api, "POST", url(f"/campaigns/{mine.pk}/secret"), url(f"/campaigns/{theirs.pk}/secret"),
        permitted=admin, denied=operator,
    )  # fmt: skip
    assert response.json()["webhook_secret"] not in ("", old)
    assert_four_cases(
        api, "DELETE", url(f"/campaigns/{mine.pk}"), url(f"/campaigns/{theirs.pk}"),
        permitted=operator, denied=analyst, ok=(204,),
    )  # fmt: skip
    assert not CouponCampaign.objects.filter(pk=mine.pk).exists()


def test_codes_issue_and_coupon_list_four_cases(
    api: Any, pair: dict[str, Any], workspace: Any, operator: Any, analyst: Any, member: Any
) -> None:
    mine = campaign_in(workspace, "京东券", code_source="imported")
    theirs = pair["theirs"]
    response = assert_four_cases(
        api, "POST", url(f"/campaigns/{mine.pk}/codes"), url(f"/campaigns/{theirs.pk}/codes"),
        permitted=operator, denied=analyst, data={"codes": ["JD-1", "JD-2"]},
    )  # fmt: skip
    assert response.json() == {"added": 2}
    dup = api(operator).post(
        url(f"/campaigns/{mine.pk}/codes"), data={"codes": ["JD-3", "JD-3"]}, content_type="application/json"
    )
    assert dup.status_code == 400 and dup.json()["errors"][0]["line"] == 2

    person = make_person(workspace, "王小明")
    response = assert_four_cases(
        api, "POST", url(f"/campaigns/{mine.pk}/issue"), url(f"/campaigns/{theirs.pk}/issue"),
        permitted=operator, denied=analyst, data={"person_id": person.pk}, ok=(201,),
    )  # fmt: skip
    assert response.json()["coupon"]["code"] == "JD-1" and response.json()["created"]
    again = api(operator).post(
        url(f"/campaigns/{mine.pk}/issue"), data={"person_id": person.pk}, content_type="application/json"
    )
    assert again.status_code == 200 and not again.json()["created"]

    response = assert_four_cases(
        api,
        "GET",
        url(f"/campaigns/{mine.pk}/coupons"),
        url(f"/campaigns/{theirs.pk}/coupons"),
        permitted=analyst,
        denied=None,
    )
    issued = [c for c in response.json()["items"] if c["person_id"]]
    # Analysts do not see names: the pseudonym stands in.
    assert issued[0]["person"] == person.pseudonym
    community = member(Role.COMMUNITY)
    named = api(community).get(url(f"/campaigns/{mine.pk}/coupons")).json()["items"]
    assert any(c["person"] == "王小明" for c in named)


def test_redeem_four_cases_and_refusals(
    api: Any, pair: dict[str, Any], workspace: Any, operator: Any, analyst: Any
) -> None:
    mine = pair["mine"]
    coupon, _ = svc.coupon_issue(
        workspace=workspace, actor=None, campaign=mine, person=make_person(workspace)
    )
    response = assert_four_cases(
        api, "POST", url("/redeem"), url("/redeem", "other"),
        permitted=operator, denied=analyst, data={"code": coupon.code, "order_id": "A1", "order_amount": "30"}, ok=(201,),
    )  # fmt: skip
    assert response.json()["source"] == "api" and response.json()["order_amount"] == 30.0
    twice = api(operator).post(url("/redeem"), data={"code": coupon.code}, content_type="application/json")
    assert twice.status_code == 400 and "already redeemed" in twice.json()["message"]
    unknown = api(operator).post(url("/redeem"), data={"code": "NOPE"}, content_type="application/json")
    assert unknown.status_code == 400 and "Unknown code" in unknown.json()["message"]

    response = assert_four_cases(
        api, "GET", url(f"/campaigns/{mine.pk}/redemptions"), url(f"/campaigns/{pair['theirs'].pk}/redemptions"),
        permitted=analyst, denied=None,
    )  # fmt: skip
    assert response.json()["items"][0]["order_id"] == "A1"


def test_redemptions_import_and_recompute_four_cases(
    api: Any, pair: dict[str, Any], workspace: Any, operator: Any, analyst: Any
) -> None:
    mine = pair["mine"]
    coupon, _ = svc.coupon_issue(
        workspace=workspace, actor=None, campaign=mine, person=make_person(workspace)
    )
    content = f"code,order_id,amount,time\n{coupon.code},B1,45,\n".encode()

    def client_post(client: Any, target: str) -> Any:
        return client.post(
            target, data={"file": SimpleUploadedFile("r.csv", content, content_type="text/csv")}
        )

    assert client_post(api(None), url("/redemptions/import")).status_code == 401
    assert client_post(api(analyst), url("/redemptions/import")).status_code == 403
    assert client_post(api(operator), url("/redemptions/import", "other")).status_code == 404
    response = client_post(api(operator), url("/redemptions/import"))
    assert response.status_code == 200 and response.json() == {"rows": 1, "redeemed": 1}
    again = client_post(api(operator), url("/redemptions/import"))
    assert again.status_code == 400 and again.json()["errors"][0]["line"] == 2
    assert Redemption.objects.count() == 1

    response = assert_four_cases(
        api,
        "POST",
        url("/conversions/recompute"),
        url("/conversions/recompute", "other"),
        permitted=operator,
        denied=analyst,
    )
    assert response.json()["rows"] == 1


# ---- pages ---------------------------------------------------------------------------------


def test_pages_four_cases(
    web: Any, pair: dict[str, Any], operator: Any, analyst: Any, admin: Any, workspace: Any
) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    page = "/w/{slug}/fans/coupons/"
    response = assert_four_cases(
        web, "GET", page.format(slug="acme"), page.format(slug="other"), permitted=analyst, denied=None
    )
    assert "春季回馈" in response.content.decode()
    response = assert_four_cases(
        web,
        "GET",
        f"/w/acme/fans/coupons/{mine.pk}/",
        f"/w/acme/fans/coupons/{theirs.pk}/",
        permitted=analyst,
        denied=None,
    )
    html = response.content.decode()
    assert 'data-echarts="coupon-funnel"' in html and mine.webhook_secret not in html
    assert (
        admin and mine.webhook_secret in web(admin).get(f"/w/acme/fans/coupons/{mine.pk}/").content.decode()
    )
    assert_four_cases(
        web,
        "GET",
        "/w/acme/fans/coupons/new/",
        "/w/other/fans/coupons/new/",
        permitted=operator,
        denied=analyst,
    )
    assert_four_cases(
        web, "POST", f"/w/acme/fans/coupons/{mine.pk}/secret/", f"/w/acme/fans/coupons/{theirs.pk}/secret/",
        permitted=admin, denied=operator, ok=(302,),
    )  # fmt: skip


def test_create_page_makes_a_campaign(web: Any, operator: Any, workspace: Any) -> None:
    account = make_account(workspace, "acme_mp", "wechat_mp")
    response = web(operator).post(
        "/w/acme/fans/coupons/new/",
        {
            "name": "双十一", "account": account.pk, "value": "50", "min_spend": "200",
            "valid_from": "2026-11-01T00:00", "valid_until": "2026-11-12T00:00",
            "budget_count": 500, "code_source": "generated", "code_prefix": "D11",
        },
    )  # fmt: skip
    assert response.status_code == 302
    campaign = CouponCampaign.objects.get(name="双十一")
    assert response["Location"].endswith(f"/fans/coupons/{campaign.pk}/")


def test_detail_page_shows_funnel_redemptions_and_the_linked_strategy(
    web: Any, operator: Any, workspace: Any
) -> None:
    from tests.factories import make_goal, make_strategy

    goal = make_goal(workspace, kind="conversion", name="核销", metric="coupon_redemptions", target=10)
    strategy = make_strategy(workspace, [goal], name="会员券推广")
    campaign = campaign_in(workspace, strategy=strategy)
    coupon, _ = svc.coupon_issue(
        workspace=workspace, actor=None, campaign=campaign, person=make_person(workspace)
    )
    svc.coupon_redeem(
        workspace=workspace, actor=None, code=coupon.code, order_id="Z9", order_amount="99", source="api"
    )
    html = web(operator).get(f"/w/acme/fans/coupons/{campaign.pk}/").content.decode()
    assert "会员券推广" in html and f"/w/acme/strategies/{strategy.pk}/" in html
    assert "Z9" in html and "¥99.00" in html
    assert coupon.code in html


def test_import_page_shows_the_rejected_line(web: Any, operator: Any, workspace: Any) -> None:
    campaign = campaign_in(workspace, code_source="imported")
    response = web(operator).post(f"/w/acme/fans/coupons/{campaign.pk}/codes/", {"text": "A-1\nA-1"})
    assert response.status_code == 400
    assert 'data-testid="import-report"' in response.content.decode()
    assert Coupon.objects.count() == 0
    ok = web(operator).post(f"/w/acme/fans/coupons/{campaign.pk}/codes/", {"text": "A-1\nA-2"})
    assert ok.status_code == 302 and Coupon.objects.count() == 2


def test_list_page_renders_under_the_default_language(
    web: Any, operator: Any, workspace: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    campaign_in(workspace)
    client = web(operator)
    client.cookies.pop("django_language", None)
    html = client.get("/w/acme/fans/coupons/").content.decode()
    assert "春季回馈" in html


def test_remaining_pages_four_cases(
    web: Any, pair: dict[str, Any], operator: Any, analyst: Any, workspace: Any
) -> None:
    mine, theirs = pair["mine"], pair["theirs"]
    base, foreign = f"/w/acme/fans/coupons/{mine.pk}", f"/w/acme/fans/coupons/{theirs.pk}"
    assert_four_cases(web, "GET", f"{base}/edit/", f"{foreign}/edit/", permitted=operator, denied=analyst)
    coupon, _ = svc.coupon_issue(
        workspace=workspace, actor=None, campaign=mine, person=make_person(workspace)
    )
    assert_four_cases(
        web, "POST", f"{base}/redeem/", f"{foreign}/redeem/", permitted=operator, denied=analyst,
        data={"code": coupon.code, "order_id": "P1"}, ok=(302,),
    )  # fmt: skip
    assert Redemption.objects.filter(coupon=coupon, source="manual").exists()
    assert_four_cases(
        web, "POST", f"{base}/codes/", f"{foreign}/codes/", permitted=operator, denied=analyst,
        data={"text": "X-1"}, ok=(302,),
    )  # fmt: skip
    assert_four_cases(
        web, "POST", f"{base}/redemptions/import/", f"{foreign}/redemptions/import/", permitted=operator,
        denied=analyst, data={}, ok=(302,),
    )  # fmt: skip
    other = campaign_in(workspace, "可删")
    assert_four_cases(
        web, "POST", f"/w/acme/fans/coupons/{other.pk}/delete/", f"{foreign}/delete/", permitted=operator,
        denied=analyst, ok=(302,),
    )  # fmt: skip
    assert not CouponCampaign.objects.filter(pk=other.pk).exists()
