"""Personal data (issue 11 §1): phone hashes, encrypted contacts, export and erasure (PIPL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from socialops.fans import privacy
from socialops.fans.models import (
    Coupon,
    CouponCampaign,
    FollowUp,
    Interaction,
    InteractionKind,
    OrderLine,
    Person,
    PersonInterest,
    PersonMerge,
    Playbook,
    PlaybookAction,
    PlaybookRun,
    Redemption,
    Segment,
    SegmentEvent,
    SegmentKind,
    SegmentMembership,
)
from socialops.fans.services.privacy import person_erase, person_export
from socialops.platforms.models import PushEvent
from socialops.workspaces.audit import audit_record, audit_saved, snapshot
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import (
    make_account,
    make_fan,
    make_interaction,
    make_order_line,
    make_person,
    wechat_push_connection,
)

pytestmark = pytest.mark.django_db

NAME = "隐私测试员甲乙丙"
OPENID = "oPRIV-openid-7f3a9c"
OPENID_2 = "5550001234weibo"
UNIONID = "uPRIV-unionid-91c2d4"
CUSTOMER = "CUST-PRIV-55501"
PHONE = "+86 139-1234-5678"
PHONE_DIGITS = "13912345678"
HANDLE = "privacy_handle_xq"
REAL_NAME = "王真名字"
TEXT = "请问你们的隐私政策在哪里看 unique-text-8812"


# ---- pure helpers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["13912345678", "+86 139 1234 5678", "+86-139-1234-5678", "0086 13912345678", "8613912345678",
     "139-1234-5678", "（+86）139 1234 5678", "139.1234.5678"],
)  # fmt: skip
def test_chinese_mobile_numbers_normalise_to_eleven_digits(raw: str) -> None:
    assert privacy.phone_normalise(raw) == "13912345678"
    assert privacy.phone_hash(raw) == privacy.phone_hash("13912345678")


@pytest.mark.parametrize("raw", ["", "12345", "not a phone", "1391234567", "12912345678"])
def test_what_is_not_a_phone_number_has_no_hash(raw: str) -> None:
    assert privacy.phone_normalise(raw) == ""
    assert privacy.phone_hash(raw) == ""


def test_foreign_numbers_keep_their_country_code() -> None:
    assert privacy.phone_normalise("+44 20 7946 0958") == "+442079460958"
    assert privacy.phone_hash("+44 20 7946 0958") != privacy.phone_hash("2079460958")


def test_phone_hash_is_keyed_by_the_secret_key(settings: Any) -> None:
    keyed = privacy.phone_hash(PHONE)
    # An unkeyed hash could be reversed by hashing every mobile number; ours is not one.
    assert keyed != hashlib.sha256(PHONE_DIGITS.encode()).hexdigest()
    assert len(keyed) == 64
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert privacy.phone_hash(PHONE) != keyed


def test_contact_details_round_trip_through_the_credentials_keyring() -> None:
    token = privacy.contact_encrypt({"name": REAL_NAME, "phone": PHONE_DIGITS, "email": ""})
    assert REAL_NAME not in token and PHONE_DIGITS not in token
    assert privacy.contact_decrypt(token) == {"name": REAL_NAME, "phone": PHONE_DIGITS}
    assert privacy.contact_encrypt({}) == "" and privacy.contact_decrypt("") == {}
    foreign = Fernet(Fernet.generate_key()).encrypt(b'{"name": "x"}').decode()
    with pytest.raises(privacy.ContactUnreadable):
        privacy.contact_decrypt(foreign)


# ---- a person with everything ----------------------------------------------------------------


def _everything(workspace: Any) -> dict[str, Any]:
    """A person named in every table that can name them, and a bystander who must survive."""
    now = timezone.now()
    weibo = make_account(workspace, "acme_weibo")
    mp = wechat_push_connection(workspace, "acme_mp", token="tok", aes_key="a" * 43, app_id="wxapp")
    person = make_person(
        workspace,
        NAME,
        union_id=UNIONID,
        customer_id=CUSTOMER,
        phone_hash=privacy.phone_hash(PHONE),
        contact_encrypted=privacy.contact_encrypt({"name": REAL_NAME, "phone": PHONE_DIGITS}),
        first_seen_at=now - dt.timedelta(days=40),
    )
    wechat_fan = make_fan(
        mp.account,
        OPENID,
        person=person,
        union_id=UNIONID,
        display_name=NAME,
        platform_tags=["星标用户-隐私"],
    )
    weibo_fan = make_fan(weibo, OPENID_2, person=person, handle=HANDLE, display_name=f"{NAME}的微博")
    make_interaction(wechat_fan, InteractionKind.MESSAGE, text=TEXT, meta={"FromUserName": OPENID})
    make_interaction(
        weibo_fan, InteractionKind.COMMENT, text=f"@acme {HANDLE} 好看", when=now - dt.timedelta(days=3)
    )
    make_order_line(workspace, person, "199.00", order_id="ORD-PRIV-1", product="面霜")
    make_order_line(
        workspace, person, "-199.00", order_id="ORD-PRIV-1", line_key="cancel", is_cancellation=True
    )
    campaign = CouponCampaign.objects.create(
        workspace=workspace, name="新客券", account=weibo, value=Decimal("20"),
        valid_from=now - dt.timedelta(days=10), valid_until=now + dt.timedelta(days=10), budget_count=100,
    )  # fmt: skip
    coupon = Coupon.objects.create(
        workspace=workspace, campaign=campaign, code="PRIVCODE01", person=person, issued_at=now
    )
    Redemption.objects.create(
        workspace=workspace, coupon=coupon, person=person, order_id="ORD-PRIV-1", order_amount=Decimal("199"),
        redeemed_at=now, source="manual",
    )  # fmt: skip
    tier = Segment.objects.create(workspace=workspace, name="核心粉丝", kind=SegmentKind.TIER, rules={})
    SegmentMembership.objects.create(workspace=workspace, segment=tier, person=person, entered_at=now)
    SegmentEvent.objects.create(workspace=workspace, segment=tier, person=person, kind="entered", at=now)
    PersonInterest.objects.create(workspace=workspace, person=person, tag="护肤", source="words", weight=0.8)
    playbook = Playbook.objects.create(workspace=workspace, name="欢迎", segment=tier, actions=[])
    run = PlaybookRun.objects.create(workspace=workspace, playbook=playbook, counts={"people": 1})
    PlaybookAction.objects.create(
        workspace=workspace,
        run=run,
        person=person,
        action_type="coupon",
        status="done",
        detail={"code": "PRIVCODE01"},
    )
    bystander = make_person(workspace, "路人乙", customer_id="CUST-OTHER-1")
    make_order_line(workspace, bystander, "50.00", order_id="ORD-OTHER")
    FollowUp.objects.create(
        workspace=workspace, person=person, assignee=_user(workspace), note=f"给{NAME}打电话 {PHONE_DIGITS}"
    )
    # A merge into this person, and an undone merge of this person into the bystander.
    PersonMerge.objects.create(
        workspace=workspace,
        into=person,
        merged_person_id=999_001,
        snapshot={"person": {"display_name": "旧号"}},
    )
    PersonMerge.objects.create(
        workspace=workspace, into=bystander, merged_person_id=person.pk, undone_at=now,
        snapshot={"person": {"display_name": NAME, "customer_id": CUSTOMER}, "fans": [wechat_fan.pk]},
    )  # fmt: skip
    PushEvent.objects.create(
        workspace=workspace, connection=mp, dedupe_key="m-1", msg_type="text", from_user=OPENID,
        payload={"FromUserName": OPENID, "Content": TEXT, "MsgId": "m-1"},
    )  # fmt: skip
    PushEvent.objects.create(
        workspace=workspace, connection=mp, dedupe_key="m-2", msg_type="text", from_user="oSOMEONE-else",
        payload={"FromUserName": "oSOMEONE-else", "Content": "hello"},
    )  # fmt: skip
    audit_saved(person, workspace=workspace, actor=None, action="person created")
    audit_saved(wechat_fan, workspace=workspace, actor=None, action="fan recorded")
    audit_record(
        workspace=workspace, actor=None, action="coupon issued", obj=coupon,
        after={"person": person.pk, "note": f"sent to {NAME} ({CUSTOMER})", "person_snapshot": snapshot(person)},
    )  # fmt: skip
    audit_saved(bystander, workspace=workspace, actor=None, action="person created")
    return {"person": person, "bystander": bystander, "campaign": campaign}


def _user(workspace: Any) -> Any:
    from tests.factories import add_member, make_user

    user = make_user("assignee")
    add_member(workspace, user, Role.OPERATOR)
    return user


NEEDLES = [NAME, OPENID, OPENID_2, UNIONID, CUSTOMER, PHONE_DIGITS, HANDLE, REAL_NAME, TEXT, "星标用户-隐私"]


def _leftovers(needles: list[str]) -> list[str]:
    """Every (model, column, needle) where a needle still appears in any text or JSON column of any row."""
    found: list[str] = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]  # fmt: skip
        if not fields:
            continue
        for row in model._base_manager.values_list(*[f.attname for f in fields]):
            for field, value in zip(fields, row, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                found.extend(f"{model._meta.label}.{field.name}: {n}" for n in needles if n in text)
    return found


def test_erase_leaves_no_identifying_string_in_any_column_of_any_table(workspace: Any, admin: Any) -> None:
    made = _everything(workspace)
    person, bystander = made["person"], made["bystander"]
    needles = [*NEEDLES, person.phone_hash, person.contact_encrypted]
    assert len(_leftovers(needles)) > 10  # the fixture really names them everywhere

    removed = person_erase(workspace=workspace, actor=admin, person=person)

    assert _leftovers(needles) == []
    assert not Person.objects.filter(pk=person.pk).exists()
    assert removed["fans"] == 2 and removed["interactions"] == 2 and removed["order_lines_anonymised"] == 2
    # Sales stay, anonymous; the bystander and their order are untouched.
    sales = OrderLine.objects.filter(order_id="ORD-PRIV-1")
    assert sales.count() == 2 and set(sales.values_list("person", "customer_id")) == {(None, "")}
    assert Person.objects.filter(pk=bystander.pk, display_name="路人乙", customer_id="CUST-OTHER-1").exists()
    assert OrderLine.objects.get(order_id="ORD-OTHER").customer_id == "CUST-OTHER-1"
    assert PushEvent.objects.filter(from_user="oSOMEONE-else").exists()
    assert AuditEntry.objects.filter(object_type="fans.person", object_id=str(bystander.pk)).exists()
    assert not PersonMerge.objects.filter(merged_person_id=person.pk).exists()
    assert not Coupon.objects.filter(code="PRIVCODE01").exists() and not Redemption.objects.exists()
    assert not Interaction.objects.exists() and not FollowUp.objects.exists()
    # The erasure is on record, by id only.
    entry = AuditEntry.objects.get(action="person erased")
    assert entry.object_id == str(person.pk) and entry.actor == admin
    assert entry.object_repr == f"#{person.pk:06d}"


def test_export_holds_everything_that_names_the_person(workspace: Any, admin: Any) -> None:
    person = _everything(workspace)["person"]
    data = person_export(workspace=workspace, actor=admin, person=person)
    json.dumps(data)  # JSON-serialisable as it is
    assert data["person"]["display_name"] == NAME and data["person"]["customer_id"] == CUSTOMER
    assert data["person"]["contact"] == {"name": REAL_NAME, "phone": PHONE_DIGITS}
    assert "contact_encrypted" not in data["person"]
    assert {f["external_id"] for f in data["fans"]} == {OPENID, OPENID_2}
    assert TEXT in {i["text"] for i in data["interactions"]}
    assert {o["order_id"] for o in data["orders"]} == {"ORD-PRIV-1"}
    assert [c["code"] for c in data["coupons"]] == ["PRIVCODE01"] and len(data["redemptions"]) == 1
    assert [s["segment_name"] for s in data["segments"]] == ["核心粉丝"] and len(data["segment_events"]) == 1
    assert [i["tag"] for i in data["interests"]] == ["护肤"]
    assert len(data["follow_ups"]) == 1 and len(data["playbook_actions"]) == 1 and len(data["merges"]) == 1
    entry = AuditEntry.objects.get(action="person exported")
    assert entry.actor == admin and entry.object_id == str(person.pk) and NAME not in entry.object_repr


@pytest.mark.parametrize("role", [Role.ANALYST, Role.OPERATOR, Role.COMMUNITY, Role.REVIEWER])
def test_only_admins_export_or_erase(workspace: Any, member: Any, role: str) -> None:
    person = make_person(workspace, NAME)
    user = member(role)
    with pytest.raises(PermissionDenied):
        person_export(workspace=workspace, actor=user, person=person)
    with pytest.raises(PermissionDenied):
        person_erase(workspace=workspace, actor=user, person=person)
    assert Person.objects.filter(pk=person.pk).exists()
    assert not AuditEntry.objects.filter(action__in=["person exported", "person erased"]).exists()


def test_another_workspaces_person_is_not_found(workspace: Any, other_workspace: Any, admin: Any) -> None:
    from django.http import Http404

    stranger = make_person(other_workspace, NAME)
    with pytest.raises(Http404):
        person_erase(workspace=workspace, actor=admin, person=stranger)
    with pytest.raises(Http404):
        person_export(workspace=workspace, actor=admin, person=stranger)
    assert Person.objects.filter(pk=stranger.pk).exists()


def test_erase_after_the_real_services_recorded_merged_and_unmerged_them(workspace: Any, admin: Any) -> None:
    """Rows written by fans.services.people (audit entries, merge snapshots) are covered too."""
    from socialops.fans.services.merges import person_merge, person_unmerge
    from socialops.fans.services.people import fan_record, interaction_record

    mp = make_account(workspace, "acme_mp", "wechat_mp")
    weibo = make_account(workspace, "acme_weibo")
    fan = fan_record(workspace=workspace, account=mp, external_id=OPENID, display_name=NAME, union_id=UNIONID)
    fan_record(workspace=workspace, account=mp, external_id=OPENID, handle=HANDLE)  # an update, audited
    interaction_record(
        workspace=workspace, fan=fan, kind=InteractionKind.MESSAGE, occurred_at=timezone.now(),
        source="push", text=TEXT, external_id="msg-1",
    )  # fmt: skip
    other_fan = fan_record(workspace=workspace, account=weibo, external_id=OPENID_2, display_name=f"{NAME}2")
    person = Person.objects.get(pk=fan.person_id)
    person.customer_id = CUSTOMER
    person.save()
    # Merged into someone else and back: the undone merge keeps their fields in its snapshot.
    keeper = make_person(workspace, "留下的人")
    merge = person_merge(workspace=workspace, actor=admin, keep=keeper, merge=person)
    restored = person_unmerge(workspace=workspace, actor=admin, merge_record=merge)
    # And another person merged into them for good.
    person_merge(
        workspace=workspace, actor=admin, keep=restored, merge=Person.objects.get(pk=other_fan.person_id)
    )
    assert _leftovers(NEEDLES)

    person_erase(workspace=workspace, actor=admin, person=Person.objects.get(pk=restored.pk))

    assert _leftovers(NEEDLES) == []
    assert Person.objects.filter(pk=keeper.pk).exists()
    assert AuditEntry.objects.filter(action="person erased").count() == 1
