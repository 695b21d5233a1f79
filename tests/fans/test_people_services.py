"""Recording people: fans, interactions, customers, and merging two people into one (and back)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from socialops.fans.models import (
    Coupon,
    CouponCampaign,
    Fan,
    FollowUp,
    Interaction,
    InteractionKind,
    InteractionSource,
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
    SegmentMembership,
)
from socialops.fans.services import people
from socialops.fans.services.merges import person_merge, person_unmerge
from socialops.fans.services.people import fan_record, interaction_record, person_for_customer
from socialops.workspaces.models import AuditEntry
from tests.factories import make_account, make_fan, make_interaction, make_order_line, make_person

T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def account(workspace: Any) -> Any:
    return make_account(workspace, "acme_wx", "wechat_mp")


# ---- fans ----------------------------------------------------------------------------------------


def test_a_new_fan_gets_a_new_person_named_after_it(workspace: Any, account: Any) -> None:
    fan = fan_record(
        workspace=workspace, account=account, external_id="o-1", handle="xw", display_name="小王"
    )
    assert fan.person.display_name == "小王"
    assert fan.person.workspace == workspace
    again = fan_record(workspace=workspace, account=account, external_id="o-1", handle="xiaowang")
    assert again.pk == fan.pk
    assert Fan.objects.get(pk=fan.pk).handle == "xiaowang"
    assert Person.objects.filter(workspace=workspace).count() == 1


def test_a_fan_with_a_known_unionid_joins_that_person(workspace: Any, account: Any) -> None:
    other = make_account(workspace, "acme_service", "wechat_mp")
    first = fan_record(workspace=workspace, account=account, external_id="o-1", union_id="U1")
    second = fan_record(workspace=workspace, account=other, external_id="o-9", union_id="U1")
    assert second.person_id == first.person_id
    assert Person.objects.get(pk=first.person_id).union_id == "U1"


def test_a_unionid_learned_later_merges_the_two_people(workspace: Any, account: Any) -> None:
    other = make_account(workspace, "acme_service", "wechat_mp")
    known = fan_record(workspace=workspace, account=account, external_id="o-1", union_id="U1")
    stranger = fan_record(workspace=workspace, account=other, external_id="o-9")
    make_interaction(stranger, text="你好")
    assert stranger.person_id != known.person_id

    linked = fan_record(workspace=workspace, account=other, external_id="o-9", union_id="U1")

    assert linked.person_id == known.person_id
    assert Person.objects.filter(workspace=workspace).count() == 1
    assert Interaction.objects.get().person_id == known.person_id
    merge = PersonMerge.objects.get()
    assert merge.into_id == known.person_id and merge.merged_by is None


def test_a_unionid_for_a_fan_alone_goes_on_its_person(workspace: Any, account: Any) -> None:
    fan = fan_record(workspace=workspace, account=account, external_id="o-1")
    fan_record(workspace=workspace, account=account, external_id="o-1", union_id="U7")
    assert Person.objects.get(pk=fan.person_id).union_id == "U7"
    assert PersonMerge.objects.count() == 0


def test_two_racing_calls_make_one_fan_and_no_stray_person(
    workspace: Any, account: Any, monkeypatch: Any
) -> None:
    winner = fan_record(workspace=workspace, account=account, external_id="o-1")
    # The loser looked before the winner's insert was visible: it misses, inserts, collides, re-reads.
    real = people._existing_fan
    calls = {"n": 0}

    def lookup(account: Any, external_id: str) -> Any:
        calls["n"] += 1
        return None if calls["n"] == 1 else real(account, external_id)

    monkeypatch.setattr(people, "_existing_fan", lookup)
    loser = fan_record(workspace=workspace, account=account, external_id="o-1", handle="late")
    assert loser.pk == winner.pk
    assert calls["n"] == 2
    assert Fan.objects.count() == 1
    assert Person.objects.count() == 1


def test_fan_record_refuses_another_workspaces_account(workspace: Any, other_workspace: Any) -> None:
    foreign = make_account(other_workspace, "theirs", "wechat_mp")
    with pytest.raises(ValidationError):
        fan_record(workspace=workspace, account=foreign, external_id="o-1")


def test_fan_audit_holds_ids_not_names(workspace: Any, account: Any) -> None:
    fan_record(workspace=workspace, account=account, external_id="o-1", display_name="王小明", handle="wxm")
    fan_record(workspace=workspace, account=account, external_id="o-1", display_name="王大明")
    entries = AuditEntry.objects.filter(action__startswith="fan.")
    assert {e.action for e in entries} == {"fan.create", "fan.update"}
    dumped = json.dumps([[e.object_repr, e.before, e.after] for e in entries], ensure_ascii=False)
    assert "王" not in dumped and "wxm" not in dumped and "o-1" not in dumped


# ---- interactions --------------------------------------------------------------------------------


def test_an_interaction_is_stored_once_per_platform_id(workspace: Any, account: Any) -> None:
    fan = make_fan(account, "o-1")
    first, created = interaction_record(
        workspace=workspace,
        fan=fan,
        kind="comment",
        occurred_at=T0,
        source="pull",
        text="好",
        external_id="c1",
    )
    again, created_again = interaction_record(
        workspace=workspace,
        fan=fan,
        kind="comment",
        occurred_at=T0,
        source="push",
        text="好",
        external_id="c1",
    )
    assert created and not created_again
    assert again.pk == first.pk
    assert Interaction.objects.count() == 1


def test_an_interaction_moves_the_activity_times_forward_only(workspace: Any, account: Any) -> None:
    fan = make_fan(account, "o-1")
    interaction_record(workspace=workspace, fan=fan, kind="comment", occurred_at=T0, source="pull")
    interaction_record(
        workspace=workspace, fan=fan, kind="message", occurred_at=T0 - dt.timedelta(days=3), source="pull"
    )
    person = Person.objects.get(pk=fan.person_id)
    assert person.last_active_at == T0
    assert person.first_seen_at == T0 - dt.timedelta(days=3)
    assert Fan.objects.get(pk=fan.pk).last_seen_at == T0


def test_follow_and_unfollow_change_the_follow_state(workspace: Any, account: Any) -> None:
    fan = make_fan(account, "o-1")
    interaction_record(workspace=workspace, fan=fan, kind="follow", occurred_at=T0, source="push")
    fan.refresh_from_db()
    assert fan.is_following and fan.followed_at == T0
    later = T0 + dt.timedelta(days=1)
    interaction_record(workspace=workspace, fan=fan, kind="unfollow", occurred_at=later, source="push")
    fan.refresh_from_db()
    assert not fan.is_following and fan.unfollowed_at == later
    # An unfollow is not activity.
    assert Person.objects.get(pk=fan.person_id).last_active_at == T0
    # A follow older than the unfollow (a late pull) does not bring the fan back.
    interaction_record(
        workspace=workspace, fan=fan, kind="follow", occurred_at=T0 - dt.timedelta(hours=1), source="pull"
    )
    fan.refresh_from_db()
    assert not fan.is_following


def test_an_unknown_kind_is_refused(workspace: Any, account: Any) -> None:
    fan = make_fan(account, "o-1")
    with pytest.raises(ValidationError) as exc:
        interaction_record(workspace=workspace, fan=fan, kind="like", occurred_at=T0, source="pull")
    assert "kind" in exc.value.message_dict


# ---- customers ------------------------------------------------------------------------------------


def test_person_for_customer_gets_or_creates(workspace: Any) -> None:
    person, created = person_for_customer(workspace=workspace, customer_id=" C-1 ", display_name="李雷")
    same, created_again = person_for_customer(workspace=workspace, customer_id="C-1")
    assert created and not created_again
    assert same.pk == person.pk and person.customer_id == "C-1"
    with pytest.raises(ValidationError):
        person_for_customer(workspace=workspace, customer_id="  ")


# ---- merge and unmerge ----------------------------------------------------------------------------


def _campaign(workspace: Any, account: Any, name: str = "双十一") -> CouponCampaign:
    return CouponCampaign.objects.create(
        workspace=workspace,
        name=name,
        account=account,
        value=Decimal("10"),
        valid_from=T0,
        valid_until=T0 + dt.timedelta(days=30),
        budget_count=100,
    )


def _everything_of(workspace: Any, account: Any, person: Person, user: Any, suffix: str) -> dict[str, Any]:
    """One row of each kind that belongs to a person."""
    fan = make_fan(account, f"o-{suffix}", person=person)
    campaign = _campaign(workspace, account, f"campaign {suffix}")
    coupon = Coupon.objects.create(workspace=workspace, campaign=campaign, code=f"C{suffix}", person=person)
    segment = Segment.objects.create(workspace=workspace, name=f"segment {suffix}")
    playbook = Playbook.objects.create(workspace=workspace, name=f"playbook {suffix}", segment=segment)
    run = PlaybookRun.objects.create(workspace=workspace, playbook=playbook)
    return {
        "fan": fan,
        "interaction": make_interaction(fan, text="喜欢咖啡"),
        "order_line": make_order_line(workspace, person, "88.00", category="咖啡"),
        "coupon": coupon,
        "redemption": Redemption.objects.create(
            workspace=workspace, coupon=coupon, person=person, redeemed_at=T0, source="manual"
        ),
        "interest": PersonInterest.objects.create(
            workspace=workspace, person=person, tag=f"tag {suffix}", source="words", weight=1.0
        ),
        "membership": SegmentMembership.objects.create(
            workspace=workspace, segment=segment, person=person, entered_at=T0
        ),
        "event": SegmentEvent.objects.create(
            workspace=workspace, segment=segment, person=person, kind="entered", at=T0
        ),
        "follow_up": FollowUp.objects.create(workspace=workspace, person=person, assignee=user),
        "action": PlaybookAction.objects.create(
            workspace=workspace, run=run, person=person, action_type="tag", status="done"
        ),
    }


def _owner(row: Any) -> int | None:
    row.refresh_from_db()
    return row.person_id


def test_merge_moves_every_row_and_unmerge_puts_each_back(
    workspace: Any, account: Any, operator: Any
) -> None:
    keep = make_person(workspace, "王小明", first_seen_at=T0, last_active_at=T0)
    merge = make_person(
        workspace,
        "Wang",
        customer_id="C-9",
        first_seen_at=T0 - dt.timedelta(days=10),
        last_active_at=T0 + dt.timedelta(days=1),
    )
    mine = _everything_of(workspace, account, keep, operator, "k")
    theirs = _everything_of(workspace, account, merge, operator, "m")
    # The same interest on both: the merged person's copy is dropped, then restored.
    shared = PersonInterest.objects.create(
        workspace=workspace, person=merge, tag="咖啡", source="purchases", weight=0.5
    )
    PersonInterest.objects.create(
        workspace=workspace, person=keep, tag="咖啡", source="purchases", weight=0.7
    )
    merged_pk = merge.pk

    record = person_merge(workspace=workspace, actor=operator, keep=keep, merge=merge, reason="same phone")

    assert not Person.objects.filter(pk=merged_pk).exists()
    for row in theirs.values():
        assert _owner(row) == keep.pk
    assert not PersonInterest.objects.filter(pk=shared.pk).exists()
    keep.refresh_from_db()
    assert keep.customer_id == "C-9"
    assert keep.first_seen_at == T0 - dt.timedelta(days=10)
    assert keep.last_active_at == T0 + dt.timedelta(days=1)
    assert record.merged_by == operator

    restored = person_unmerge(workspace=workspace, actor=operator, merge_record=record)

    assert restored.pk == merged_pk
    assert restored.display_name == "Wang" and restored.customer_id == "C-9"
    assert restored.first_seen_at == T0 - dt.timedelta(days=10)
    for row in theirs.values():
        assert _owner(row) == merged_pk
    for row in mine.values():
        assert _owner(row) == keep.pk
    assert PersonInterest.objects.get(pk=shared.pk).person_id == merged_pk
    keep.refresh_from_db()
    assert keep.customer_id == "" and keep.first_seen_at == T0 and keep.last_active_at == T0
    record.refresh_from_db()
    assert record.undone_at is not None
    with pytest.raises(ValidationError):
        person_unmerge(workspace=workspace, actor=operator, merge_record=record)


def test_merge_audit_holds_ids_only(workspace: Any, account: Any, operator: Any) -> None:
    keep = make_person(workspace, "王小明")
    merge = make_person(workspace, "王大明", phone_hash="f" * 64)
    record = person_merge(workspace=workspace, actor=operator, keep=keep, merge=merge)
    person_unmerge(workspace=workspace, actor=operator, merge_record=record)
    entries = AuditEntry.objects.filter(action__in=["person.merge", "person.unmerge"])
    assert entries.count() == 2
    dumped = json.dumps([[e.object_repr, e.before, e.after] for e in entries], ensure_ascii=False)
    assert "王" not in dumped and "fff" not in dumped


def test_two_coupons_of_one_campaign_refuse_the_merge(workspace: Any, account: Any, operator: Any) -> None:
    keep, merge = make_person(workspace, "A"), make_person(workspace, "B")
    campaign = _campaign(workspace, account)
    Coupon.objects.create(workspace=workspace, campaign=campaign, code="X1", person=keep)
    Coupon.objects.create(workspace=workspace, campaign=campaign, code="X2", person=merge)
    with pytest.raises(ValidationError) as exc:
        person_merge(workspace=workspace, actor=operator, keep=keep, merge=merge)
    assert "coupon of the same campaign" in str(exc.value)
    assert Person.objects.filter(pk=merge.pk).exists()


def test_different_keys_refuse_the_merge(workspace: Any, operator: Any) -> None:
    keep = make_person(workspace, "A", customer_id="C-1")
    merge = make_person(workspace, "B", customer_id="C-2")
    with pytest.raises(ValidationError) as exc:
        person_merge(workspace=workspace, actor=operator, keep=keep, merge=merge)
    assert "customer id" in str(exc.value)


def test_merge_needs_fans_edit(workspace: Any, analyst: Any) -> None:
    keep, merge = make_person(workspace, "A"), make_person(workspace, "B")
    with pytest.raises(PermissionDenied):
        person_merge(workspace=workspace, actor=analyst, keep=keep, merge=merge)
    assert Person.objects.count() == 2


def test_merge_refuses_another_workspaces_person(workspace: Any, other_workspace: Any, operator: Any) -> None:
    keep, foreign = make_person(workspace, "A"), make_person(other_workspace, "B")
    with pytest.raises(ValidationError):
        person_merge(workspace=workspace, actor=operator, keep=keep, merge=foreign)


def test_a_merge_of_a_merge_is_undone_in_turn(workspace: Any, operator: Any) -> None:
    a, b, c = make_person(workspace, "A"), make_person(workspace, "B"), make_person(workspace, "C")
    first = person_merge(workspace=workspace, actor=operator, keep=b, merge=c)
    second = person_merge(workspace=workspace, actor=operator, keep=a, merge=b)
    assert PersonMerge.objects.get(pk=first.pk).into_id == a.pk
    restored_b = person_unmerge(workspace=workspace, actor=operator, merge_record=second)
    assert PersonMerge.objects.get(pk=first.pk).into_id == restored_b.pk
    restored_c = person_unmerge(
        workspace=workspace, actor=operator, merge_record=PersonMerge.objects.get(pk=first.pk)
    )
    assert {p.pk for p in Person.objects.all()} == {a.pk, b.pk, c.pk} == {a.pk, restored_b.pk, restored_c.pk}


def test_order_lines_survive_as_the_persons_own(workspace: Any, operator: Any) -> None:
    keep, merge = make_person(workspace, "A"), make_person(workspace, "B")
    line = make_order_line(workspace, merge, "10.00", when=timezone.now())
    record = person_merge(workspace=workspace, actor=operator, keep=keep, merge=merge)
    assert OrderLine.objects.get(pk=line.pk).person_id == keep.pk
    person_unmerge(workspace=workspace, actor=operator, merge_record=record)
    assert OrderLine.objects.get(pk=line.pk).person_id == merge.pk


def test_kinds_and_sources_are_the_models(workspace: Any, account: Any) -> None:
    fan = make_fan(account, "o-1")
    for kind in (InteractionKind.REPLY, InteractionKind.MENTION):
        _row, created = interaction_record(
            workspace=workspace, fan=fan, kind=kind, occurred_at=T0, source=InteractionSource.INBOX
        )
        assert created


def test_the_kept_person_stays_in_one_tier_and_unmerge_restores_the_other(
    workspace: Any, operator: Any
) -> None:
    gold = Segment.objects.create(workspace=workspace, name="Gold", kind="tier", rank=1)
    silver = Segment.objects.create(workspace=workspace, name="Silver", kind="tier", rank=2)
    keep, merge = make_person(workspace, "A", tier=gold), make_person(workspace, "B", tier=silver)
    SegmentMembership.objects.create(workspace=workspace, segment=gold, person=keep, entered_at=T0)
    theirs = SegmentMembership.objects.create(
        workspace=workspace, segment=silver, person=merge, entered_at=T0
    )

    record = person_merge(workspace=workspace, actor=operator, keep=keep, merge=merge)
    assert list(SegmentMembership.objects.filter(person=keep).values_list("segment_id", flat=True)) == [
        gold.pk
    ]

    restored = person_unmerge(workspace=workspace, actor=operator, merge_record=record)
    assert restored.tier_id == silver.pk
    assert SegmentMembership.objects.get(pk=theirs.pk).person_id == restored.pk


def test_a_pull_and_a_push_racing_store_one_interaction(
    workspace: Any, account: Any, monkeypatch: Any
) -> None:
    from django.db.models.query import QuerySet

    fan = make_fan(account, "o-1")
    first, _ = interaction_record(
        workspace=workspace, fan=fan, kind="message", occurred_at=T0, source="push", external_id="m1"
    )
    # The other call looked before the first insert was visible: it misses, inserts, collides.
    real_first = QuerySet.first
    missed = {"n": 0}

    def first_or_miss(self: Any) -> Any:
        if self.model is Interaction and not missed["n"]:
            missed["n"] += 1
            return None
        return real_first(self)

    monkeypatch.setattr(QuerySet, "first", first_or_miss)
    again, created = interaction_record(
        workspace=workspace, fan=fan, kind="message", occurred_at=T0, source="pull", external_id="m1"
    )
    assert missed["n"] == 1
    assert not created and again.pk == first.pk
    assert Interaction.objects.count() == 1
