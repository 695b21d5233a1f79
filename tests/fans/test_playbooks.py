"""Playbooks: who gets what, caps, quiet hours, dry runs, and two runs racing for the same coupons."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone

from socialops.fans.models import (
    ActionStatus,
    Coupon,
    CouponCampaign,
    FollowUp,
    Person,
    Playbook,
    PlaybookAction,
    PlaybookRun,
    Segment,
    SegmentEvent,
    SegmentKind,
    SegmentMembership,
)
from socialops.fans.services import coupons as coupon_svc
from socialops.fans.services import playbooks as svc
from socialops.fans.tasks.playbooks import playbooks_after_refresh, run_due_playbooks
from socialops.platforms.models import ManualTask
from socialops.workspaces.models import AuditEntry
from tests.factories import approved_item, make_account, make_fan, make_item, make_person

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 in Asia/Shanghai
NIGHT = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.UTC)  # 23:00 in Asia/Shanghai


def make_tier(workspace: Any, name: str = "VIP") -> Segment:
    return Segment.objects.create(workspace=workspace, name=name, kind=SegmentKind.TIER, rank=1)


def make_campaign(workspace: Any, account: Any = None, **fields: Any) -> CouponCampaign:
    values: dict[str, Any] = {
        "name": "春季回馈",
        "account": account or make_account(workspace, "acme_mp", "wechat_mp"),
        "value": "20",
        "valid_from": timezone.now() - dt.timedelta(days=1),
        "valid_until": timezone.now() + dt.timedelta(days=30),
        "budget_count": 100,
    }
    values.update(fields)
    return coupon_svc.campaign_create(workspace=workspace, actor=None, **values)


def tier_people(workspace: Any, tier: Segment, n: int) -> list[Person]:
    return [make_person(workspace, f"顾客{i}", tier=tier) for i in range(n)]


def make_playbook(workspace: Any, segment: Segment, actions: list[dict[str, Any]], **fields: Any) -> Playbook:
    fields.setdefault("trigger", "schedule")
    fields.setdefault("cap_per_person", 0)
    return svc.playbook_create(
        workspace=workspace,
        actor=None,
        name=fields.pop("name", "VIP 关怀"),
        segment=segment,
        actions=actions,
        **fields,
    )


# ---- THE KEY TEST: two runs at once issue one coupon per person -----------------------------


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_issue_one_coupon_per_person(workspace: Any) -> None:
    tier = make_tier(workspace)
    people = tier_people(workspace, tier, 12)
    campaign = make_campaign(workspace)
    playbook = make_playbook(workspace, tier, [{"type": "coupon", "campaign": campaign.pk}])

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    # SQLite takes one writer at a time (IMMEDIATE transactions queue on the lock); on
    # PostgreSQL the two runs truly interleave and the constraint and row lock decide.
    serial = threading.Lock() if connection.vendor == "sqlite" else None

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            if serial is not None:
                with serial:
                    svc.playbook_run(workspace=workspace, actor=None, playbook=playbook)
            else:
                svc.playbook_run(workspace=workspace, actor=None, playbook=playbook)
        except BaseException as exc:  # noqa: BLE001 - the test reports whatever escaped
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert errors == []
    assert Coupon.objects.filter(campaign=campaign).count() == len(people)
    assert set(Coupon.objects.filter(campaign=campaign).values_list("person_id", flat=True)) == {
        p.pk for p in people
    }
    assert PlaybookRun.objects.filter(playbook=playbook).count() == 2
    # The loser of each race got the winner's coupon: done once, skipped once per person.
    assert PlaybookAction.objects.filter(status=ActionStatus.DONE).count() == len(people)
    assert PlaybookAction.objects.filter(status=ActionStatus.SKIPPED).count() == len(people)


def test_issuing_twice_returns_the_same_coupon(workspace: Any) -> None:
    tier = make_tier(workspace)
    person = tier_people(workspace, tier, 1)[0]
    campaign = make_campaign(workspace)
    first, created = coupon_svc.coupon_issue(
        workspace=workspace, actor=None, campaign=campaign, person=person
    )
    again, created_again = coupon_svc.coupon_issue(
        workspace=workspace, actor=None, campaign=campaign, person=person
    )
    assert created and not created_again
    assert first.pk == again.pk


def test_budget_stops_issuing(workspace: Any) -> None:
    tier = make_tier(workspace)
    people = tier_people(workspace, tier, 3)
    campaign = make_campaign(workspace, budget_count=2)
    playbook = make_playbook(workspace, tier, [{"type": "coupon", "campaign": campaign.pk}])
    run = svc.playbook_run(workspace=workspace, actor=None, playbook=playbook)
    assert Coupon.objects.filter(campaign=campaign).count() == 2
    assert run.counts["done"] == 2 and run.counts["failed"] == 1
    failed = PlaybookAction.objects.get(run=run, status=ActionStatus.FAILED)
    assert "budget" in failed.detail["message"]
    assert len(people) == 3


# ---- who gets what ------------------------------------------------------------------------


def test_enter_trigger_acts_on_new_entrants_since_the_last_run(workspace: Any, admin: Any) -> None:
    segment = Segment.objects.create(workspace=workspace, name="沉睡顾客")
    old, new = make_person(workspace, "老"), make_person(workspace, "新")
    for p in (old, new):
        SegmentMembership.objects.create(
            workspace=workspace, segment=segment, person=p, entered_at=timezone.now()
        )
    SegmentEvent.objects.create(
        workspace=workspace, segment=segment, person=old, kind="entered", at=NOON - dt.timedelta(days=2)
    )
    playbook = make_playbook(workspace, segment, [{"type": "assign", "user": admin.pk}], trigger="enter")
    Playbook.objects.filter(pk=playbook.pk).update(last_run_at=NOON - dt.timedelta(days=1))
    SegmentEvent.objects.create(
        workspace=workspace, segment=segment, person=new, kind="entered", at=NOON - dt.timedelta(hours=1)
    )
    playbook.refresh_from_db()

    run = svc.playbook_run(workspace=workspace, actor=admin, playbook=playbook, now=NOON)
    assert run.counts["people"] == 1
    follow_up = FollowUp.objects.get()
    assert follow_up.person == new and follow_up.assignee == admin and follow_up.run == run
    # A second run right after finds nobody new.
    playbook.refresh_from_db()
    assert (
        svc.playbook_run(
            workspace=workspace, actor=admin, playbook=playbook, now=NOON + dt.timedelta(minutes=1)
        ).counts["people"]
        == 0
    )


def test_dry_run_lists_who_would_get_what_and_writes_nothing_else(workspace: Any, admin: Any) -> None:
    tier = make_tier(workspace)
    people = tier_people(workspace, tier, 2)
    campaign = make_campaign(workspace)
    playbook = make_playbook(
        workspace, tier, [{"type": "coupon", "campaign": campaign.pk}, {"type": "tag", "tag": "老客"}]
    )
    run = svc.playbook_run(workspace=workspace, actor=admin, playbook=playbook, dry_run=True, now=NOON)
    assert run.dry_run
    assert PlaybookAction.objects.filter(run=run, status=ActionStatus.PLANNED).count() == 4
    assert {a.person_id for a in PlaybookAction.objects.filter(run=run)} == {p.pk for p in people}
    assert Coupon.objects.count() == 0
    assert FollowUp.objects.count() == 0 and ManualTask.objects.count() == 0
    playbook.refresh_from_db()
    assert playbook.last_run_at is None


def test_frequency_cap_skips_people_acted_on_recently(workspace: Any, admin: Any) -> None:
    tier = make_tier(workspace)
    tier_people(workspace, tier, 2)
    playbook = make_playbook(
        workspace, tier, [{"type": "assign", "user": admin.pk}], cap_per_person=1, cap_days=30
    )
    first = svc.playbook_run(workspace=workspace, actor=admin, playbook=playbook, now=NOON)
    second = svc.playbook_run(workspace=workspace, actor=admin, playbook=playbook, now=NOON)
    assert first.counts["done"] == 2
    assert second.counts["done"] == 0 and second.counts["skipped"] == 2
    assert {a.detail["reason"] for a in PlaybookAction.objects.filter(run=second)} == {"cap"}
    assert FollowUp.objects.count() == 2


def test_quiet_hours_skip_messages_but_not_coupons_or_tags(workspace: Any, admin: Any) -> None:
    tier = make_tier(workspace)
    account = make_account(workspace, "acme_mp", "wechat_mp")
    person = make_person(workspace, "夜猫子", tier=tier)
    fan = make_fan(account, "openid-night", person=person)
    campaign = make_campaign(workspace, account=account)
    item = approved_item(workspace, "新品上市")
    playbook = make_playbook(
        workspace,
        tier,
        [
            {"type": "message", "item": item.pk},
            {"type": "coupon", "campaign": campaign.pk},
            {"type": "tag", "tag": "夜猫"},
        ],
    )
    run = svc.playbook_run(workspace=workspace, actor=admin, playbook=playbook, now=NIGHT)
    assert run.counts["quiet_hours"] is True
    by_type = {a.action_type: a for a in PlaybookAction.objects.filter(run=run)}
    assert (
        by_type["message"].status == ActionStatus.SKIPPED
        and by_type["message"].detail["reason"] == "quiet_hours"
    )
    assert by_type["coupon"].status == ActionStatus.DONE
    # No connection able to tag: the tag is recorded on the fan and left as a task.
    assert by_type["tag"].status == ActionStatus.MANUAL
    fan.refresh_from_db()
    assert "夜猫" in fan.platform_tags
    assert ManualTask.objects.filter(account=account, text__contains="openid-night").exists()


def test_message_outside_quiet_hours_becomes_a_manual_task(workspace: Any, admin: Any) -> None:
    tier = make_tier(workspace)
    account = make_account(workspace, "acme_mp", "wechat_mp")
    make_fan(account, "openid-a", person=make_person(workspace, "甲", tier=tier))
    item = approved_item(workspace, "会员日")
    playbook = make_playbook(workspace, tier, [{"type": "message", "item": item.pk}])
    run = svc.playbook_run(workspace=workspace, actor=admin, playbook=playbook, now=NOON)
    action = PlaybookAction.objects.get(run=run)
    assert action.status == ActionStatus.MANUAL
    task = ManualTask.objects.get(pk=action.detail["tasks"][0])
    assert task.content_item == item and "openid-a" in task.text


def test_actions_are_validated(workspace: Any, other_workspace: Any, admin: Any) -> None:
    tier = make_tier(workspace)
    draft = make_item(workspace, title="草稿")
    foreign = make_campaign(other_workspace, name="别家")
    with pytest.raises(ValidationError) as exc:
        make_playbook(
            workspace,
            tier,
            [
                {"type": "message", "item": draft.pk},
                {"type": "coupon", "campaign": foreign.pk},
                {"type": "assign", "user": 999999},
                {"type": "tag", "tag": ""},
                {"type": "launch"},
            ],
        )
    messages = exc.value.message_dict["actions"]
    assert len(messages) == 5
    assert "not approved" in messages[0]


def test_playbook_writes_are_audited_and_need_fans_edit(workspace: Any, admin: Any, analyst: Any) -> None:
    from django.core.exceptions import PermissionDenied

    tier = make_tier(workspace)
    with pytest.raises(PermissionDenied):
        svc.playbook_create(
            workspace=workspace, actor=analyst, name="x", segment=tier, actions=[{"type": "tag", "tag": "a"}]
        )
    playbook = svc.playbook_create(
        workspace=workspace, actor=admin, name="x", segment=tier, actions=[{"type": "tag", "tag": "a"}]
    )
    svc.playbook_update(workspace=workspace, actor=admin, playbook=playbook, cap_days=7)
    svc.playbook_delete(workspace=workspace, actor=admin, playbook=playbook)
    actions = list(
        AuditEntry.objects.filter(action__startswith="fans.playbook").values_list("action", flat=True)
    )
    assert sorted(actions) == ["fans.playbook.create", "fans.playbook.delete", "fans.playbook.update"]


def test_periodic_task_runs_due_scheduled_playbooks(workspace: Any) -> None:
    tier = make_tier(workspace)
    tier_people(workspace, tier, 2)
    campaign = make_campaign(workspace)
    playbook = make_playbook(
        workspace, tier, [{"type": "coupon", "campaign": campaign.pk}], at_hour=10, every_days=7
    )
    assert run_due_playbooks(now=NOON) == 1
    assert Coupon.objects.count() == 2
    assert run_due_playbooks(now=NOON + dt.timedelta(days=1)) == 0  # not due again for a week
    playbook.refresh_from_db()
    assert playbook.last_run_at == NOON


def test_after_refresh_runs_enter_playbooks(workspace: Any, admin: Any) -> None:
    tier = make_tier(workspace)
    person = make_person(workspace, "新人", tier=tier)
    SegmentEvent.objects.create(
        workspace=workspace, segment=tier, person=person, kind="entered", at=timezone.now()
    )
    make_playbook(workspace, tier, [{"type": "assign", "user": admin.pk}], trigger="enter")
    assert len(playbooks_after_refresh(workspace)) == 1
    assert FollowUp.objects.filter(person=person).exists()


def test_tag_action_tags_wechat_followers_in_batches_of_50(workspace: Any, admin: Any) -> None:
    import respx

    from socialops.platforms import credentials as creds
    from socialops.platforms.models import PlatformConnection
    from tests.platforms.wechat_fake import APPID, SECRET, FakeWeChat

    tier = make_tier(workspace)
    account = make_account(workspace, "acme_mp", "wechat_mp")
    fans = [
        make_fan(account, f"openid{n:03d}", person=make_person(workspace, f"粉丝{n}", tier=tier))
        for n in range(60)
    ]
    playbook = make_playbook(workspace, tier, [{"type": "tag", "tag": "老客户"}])
    with respx.mock(assert_all_called=False) as router:
        fake = FakeWeChat(router)
        fake.followers = [f.external_id for f in fans]
        credentials = creds.Credentials(
            client_id=APPID,
            client_secret=SECRET,
            access_token=fake.issue_token(),
            expires_at=timezone.now() + dt.timedelta(hours=2),
        )
        PlatformConnection.objects.create(
            workspace=workspace, account=account, kind="wechat_mp", credentials=creds.encrypt(credentials)
        )
        run = svc.playbook_run(workspace=workspace, actor=admin, playbook=playbook, now=NOON)
        bodies = fake.by_path("/cgi-bin/tags/members/batchtagging")
    assert sorted(len(b["openid_list"]) for b in bodies) == [10, 50]
    (tag_id,) = [i for i, name in fake.tags.items() if name == "老客户"]
    assert fake.tagged[tag_id] == {f.external_id for f in fans}
    assert run.counts["done"] == 60 and ManualTask.objects.count() == 0
    fans[0].refresh_from_db()
    assert "老客户" in fans[0].platform_tags
