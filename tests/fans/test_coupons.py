"""Coupons: codes, campaigns, issuing, redemptions (API, import, signed webhook) and conversions."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.test import Client, override_settings
from django.urls import path
from django.utils import timezone

from socialops.core.imports import ImportRejected
from socialops.fans import coupons as codes
from socialops.fans.models import Coupon, CouponCampaign, OrderLine, Redemption
from socialops.fans.services import coupons as svc
from socialops.fans.views.coupons import coupon_webhook
from socialops.workspaces.models import AuditEntry
from tests.factories import make_account, make_order_line, make_person

pytestmark = pytest.mark.django_db

# The webhook's route, as config/urls.py mounts it (used with override_settings(ROOT_URLCONF=…)).
urlpatterns = [path("hooks/coupons/<int:campaign_id>/", coupon_webhook, name="coupon-webhook")]


def make_campaign(workspace: Any, account: Any = None, **fields: Any) -> CouponCampaign:
    values: dict[str, Any] = {
        "name": "春季回馈",
        "account": account or make_account(workspace, "acme_mp", "wechat_mp"),
        "value": "20",
        "valid_from": timezone.now() - dt.timedelta(days=10),
        "valid_until": timezone.now() + dt.timedelta(days=30),
        "budget_count": 100,
    }
    values.update(fields)
    return svc.campaign_create(workspace=workspace, actor=None, **values)


def issued(workspace: Any, campaign: CouponCampaign, name: str = "小王") -> Coupon:
    coupon, _created = svc.coupon_issue(
        workspace=workspace, actor=None, campaign=campaign, person=make_person(workspace, name)
    )
    return coupon


# ---- codes (pure) -------------------------------------------------------------------------


def test_generated_codes_are_unambiguous_and_carry_a_check_character() -> None:
    code = codes.code_generate("spring")
    prefix, _dash, body = code.partition("-")
    assert prefix == "SPRING" and len(body) == 11
    assert not set(body) & set("0O1I")
    assert codes.code_is_well_formed(code)
    assert codes.code_is_well_formed(code.lower())
    assert len({codes.code_generate() for _ in range(200)}) == 200


def test_the_check_character_catches_a_typo_and_a_swap() -> None:
    code = codes.code_generate()
    i = 3
    typo = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]
    assert not codes.code_is_well_formed(typo)
    j = next(k for k in range(len(code) - 2) if code[k] != code[k + 1])
    swapped = code[:j] + code[j + 1] + code[j] + code[j + 2 :]
    assert not codes.code_is_well_formed(swapped)
    assert not codes.code_is_well_formed("HELLO")


# ---- campaigns ----------------------------------------------------------------------------


def test_campaign_is_validated(workspace: Any) -> None:
    account = make_account(workspace, "acme_mp", "wechat_mp")
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        svc.campaign_create(
            workspace=workspace, actor=None, name="坏", account=account, value="0",
            valid_from=now, valid_until=now - dt.timedelta(days=1), budget_count=0,
        )  # fmt: skip
    errors = exc.value.message_dict
    assert set(errors) == {"value", "valid_until", "budget_count"}


def test_campaign_writes_need_fans_edit_and_are_audited(workspace: Any, admin: Any, analyst: Any) -> None:
    account = make_account(workspace, "acme_mp", "wechat_mp")
    with pytest.raises(PermissionDenied):
        svc.campaign_create(
            workspace=workspace, actor=analyst, name="x", account=account, value=5,
            valid_from=timezone.now(), valid_until=timezone.now() + dt.timedelta(days=1), budget_count=1,
        )  # fmt: skip
    campaign = make_campaign(workspace, account)
    svc.campaign_update(workspace=workspace, actor=admin, campaign=campaign, budget_count=50)
    old_secret = campaign.webhook_secret
    svc.campaign_secret_regenerate(workspace=workspace, actor=admin, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.budget_count == 50 and campaign.webhook_secret != old_secret
    entries = AuditEntry.objects.filter(action__startswith="fans.coupon_campaign")
    assert {e.action for e in entries} >= {"fans.coupon_campaign.create", "fans.coupon_campaign.update"}
    assert not any("webhook_secret" in (e.after or {}) for e in entries)


def test_imported_codes_refuse_duplicates_naming_the_line(workspace: Any) -> None:
    campaign = make_campaign(workspace, code_source="imported")
    with pytest.raises(ImportRejected) as exc:
        svc.codes_import(workspace=workspace, actor=None, campaign=campaign, text="JD-001\nJD-002\nJD-001\n")
    assert [(e.line, "JD-001" in e.message) for e in exc.value.errors] == [(3, True)]
    assert Coupon.objects.count() == 0
    assert svc.codes_import(workspace=workspace, actor=None, campaign=campaign, text="JD-001\nJD-002\n") == 2
    # Issuing hands out the next free code.
    coupon = issued(workspace, campaign)
    assert coupon.code == "JD-001"
    with pytest.raises(ImportRejected) as again:
        svc.codes_import(
            workspace=workspace,
            actor=None,
            campaign=campaign,
            file_name="codes.csv",
            content=b"code\nJD-003\nJD-002\n",
        )
    assert again.value.errors[0].line == 3


def test_imported_pool_runs_dry(workspace: Any) -> None:
    campaign = make_campaign(workspace, code_source="imported")
    svc.codes_import(workspace=workspace, actor=None, campaign=campaign, text="ONLY-1")
    issued(workspace, campaign, "甲")
    with pytest.raises(ValidationError, match="no unissued codes"):
        issued(workspace, campaign, "乙")


# ---- redemptions --------------------------------------------------------------------------


def test_a_code_redeemed_twice_is_refused_with_the_reason(workspace: Any) -> None:
    campaign = make_campaign(workspace)
    coupon = issued(workspace, campaign)
    svc.coupon_redeem(
        workspace=workspace, actor=None, code=coupon.code, order_id="A1", order_amount="88", source="api"
    )
    with pytest.raises(svc.RedemptionRefused) as exc:
        svc.coupon_redeem(workspace=workspace, actor=None, code=coupon.code, order_id="A2", source="api")
    assert exc.value.reason == "redeemed"
    assert "already redeemed" in exc.value.messages[0]
    assert Redemption.objects.count() == 1


def test_an_expired_code_is_refused(workspace: Any) -> None:
    campaign = make_campaign(workspace)
    coupon = issued(workspace, campaign)
    CouponCampaign.objects.filter(pk=campaign.pk).update(valid_until=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(svc.RedemptionRefused) as exc:
        svc.coupon_redeem(workspace=workspace, actor=None, code=coupon.code, source="api")
    assert exc.value.reason == "expired" and "expired" in exc.value.messages[0]


def test_other_refusals(workspace: Any) -> None:
    campaign = make_campaign(workspace, code_source="imported", min_spend="100")
    svc.codes_import(workspace=workspace, actor=None, campaign=campaign, text="FREE-1\nGIVEN-1")
    coupon = issued(workspace, campaign)

    def reason(code: str, **kw: Any) -> str:
        with pytest.raises(svc.RedemptionRefused) as exc:
            svc.coupon_redeem(workspace=workspace, actor=None, code=code, source="api", **kw)
        return exc.value.reason

    assert reason("NOPE-1") == "unknown"
    assert reason("GIVEN-1") == "not_issued"
    assert reason(coupon.code, order_amount="99.99") == "min_spend"
    assert reason(coupon.code, redeemed_at=timezone.now() - dt.timedelta(days=20)) == "not_yet_valid"


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_redemption_yields_one(workspace: Any) -> None:
    campaign = make_campaign(workspace)
    coupon = issued(workspace, campaign)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    serial = threading.Lock() if connection.vendor == "sqlite" else None

    def redeem(order: str) -> None:
        try:
            barrier.wait(timeout=10)
            if serial is not None:
                serial.acquire()
            try:
                svc.coupon_redeem(
                    workspace=workspace, actor=None, code=coupon.code, order_id=order, source="api"
                )
                outcomes.append("ok")
            finally:
                if serial is not None:
                    serial.release()
        except svc.RedemptionRefused as exc:
            outcomes.append(exc.reason)
        except BaseException as exc:  # noqa: BLE001
            outcomes.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=redeem, args=(f"O{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["ok", "redeemed"]
    assert Redemption.objects.filter(coupon=coupon).count() == 1


def test_redemption_matches_the_order_and_credits_the_account(workspace: Any) -> None:
    campaign = make_campaign(workspace)
    coupon = issued(workspace, campaign)
    make_order_line(workspace, coupon.person, "120.00", order_id="SO-9", line_key="a")
    make_order_line(workspace, coupon.person, "30.50", order_id="SO-9", line_key="b")
    redemption = svc.coupon_redeem(
        workspace=workspace, actor=None, code=coupon.code, order_id="SO-9", source="api"
    )
    assert redemption.order_amount == Decimal("150.50")
    lines = OrderLine.objects.filter(order_id="SO-9")
    assert {(line.account_id, line.coupon_code) for line in lines} == {(campaign.account_id, coupon.code)}


def test_redemptions_import_is_whole_or_nothing_naming_the_line(workspace: Any) -> None:
    campaign = make_campaign(workspace)
    a, b = issued(workspace, campaign, "甲"), issued(workspace, campaign, "乙")
    bad = f"code,order_id,amount,time\n{a.code},X1,50,\nWRONG,X2,60,\n{b.code},X3,70,\n".encode()
    with pytest.raises(ImportRejected) as exc:
        svc.redemptions_import(workspace=workspace, actor=None, file_name="r.csv", content=bad)
    assert [e.line for e in exc.value.errors] == [3]
    assert Redemption.objects.count() == 0
    good = f"code,order_id,amount,time\n{a.code},X1,50,\n{b.code},X3,70,\n".encode()
    result = svc.redemptions_import(workspace=workspace, actor=None, file_name="r.csv", content=good)
    assert result.redeemed == 2 and Redemption.objects.filter(source="import").count() == 2


# ---- the signed webhook --------------------------------------------------------------------


def _post_hook(
    campaign: CouponCampaign, payload: dict[str, Any], *, secret: str | None = None, ts: int | None = None
) -> Any:
    body = json.dumps(payload).encode()
    stamp = str(ts if ts is not None else int(time.time()))
    signature = codes.webhook_signature(secret or campaign.webhook_secret, stamp, body)
    return Client().post(
        f"/hooks/coupons/{campaign.pk}/",
        data=body,
        content_type="application/json",
        HTTP_X_SOCIALOPS_SIGNATURE=signature,
        HTTP_X_SOCIALOPS_TIMESTAMP=stamp,
    )


@override_settings(ROOT_URLCONF="tests.fans.test_coupons")
def test_signed_webhook_redeems(workspace: Any) -> None:
    campaign = make_campaign(workspace)
    coupon = issued(workspace, campaign)
    response = _post_hook(campaign, {"code": coupon.code, "order_id": "W1", "order_amount": "66.00"})
    assert response.status_code == 201, response.content
    redemption = Redemption.objects.get()
    assert redemption.source == "webhook" and redemption.order_amount == Decimal("66.00")
    # The same request again (a retry) is refused with the reason, and writes nothing.
    again = _post_hook(campaign, {"code": coupon.code, "order_id": "W1"})
    assert again.status_code == 409 and "already redeemed" in again.json()["message"]


@override_settings(ROOT_URLCONF="tests.fans.test_coupons")
def test_webhook_with_a_wrong_signature_or_old_timestamp_writes_nothing(workspace: Any) -> None:
    campaign = make_campaign(workspace)
    coupon = issued(workspace, campaign)
    assert _post_hook(campaign, {"code": coupon.code}, secret="not-the-secret").status_code == 401
    assert _post_hook(campaign, {"code": coupon.code}, ts=int(time.time()) - 3600).status_code == 401
    assert Redemption.objects.count() == 0
    assert (
        Client()
        .post(f"/hooks/coupons/{campaign.pk}/", data=b"{}", content_type="application/json")
        .status_code
        == 401
    )
