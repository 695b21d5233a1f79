"""Tiers and segments: services, the ladder, the refresh (scores, RFM, events, sizes), the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from socialops.fans.models import (
    Interaction,
    Person,
    Segment,
    SegmentDailySize,
    SegmentEvent,
    SegmentKind,
    SegmentMembership,
)
from socialops.fans.services import segments as svc
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import make_account, make_fan, make_interaction, make_order_line, make_person

pytestmark = pytest.mark.django_db

ACTIVE = {"all": [{"field": "interactions_30d", "op": "gte", "value": 3}]}


def _crowd(workspace: Any) -> dict[str, Person]:
    """Five kinds of people: a big spender, an active fan, an ordinary one, a dormant buyer, a lurker."""
    account = make_account(workspace, "acme", "weibo")
    now = timezone.now()
    people = {}
    for name, recent, old, orders in (
        ("vip", 10, 0, ["800.00", "400.00"]),
        ("active", 4, 0, []),
        ("ordinary", 1, 0, []),
        ("dormant", 0, 3, ["60.00"]),
        ("lurker", 0, 0, []),
    ):
        fan = make_fan(account, name, display_name=name, is_following=True)
        for k in range(recent):
            make_interaction(fan, when=now - dt.timedelta(days=1 + k))
        for k in range(old):
            make_interaction(fan, when=now - dt.timedelta(days=200 + k))
        for k, amount in enumerate(orders):
            make_order_line(
                workspace, fan.person, amount, when=now - dt.timedelta(days=150 + k), order_id=f"{name}-{k}"
            )
        people[name] = fan.person
    return people


def test_segment_services_need_fans_edit_validate_and_audit(workspace: Any, member: Any) -> None:
    analyst, operator = member(Role.ANALYST), member(Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        svc.segment_create(workspace=workspace, actor=analyst, name="活跃", rules=ACTIVE)
    with pytest.raises(ValidationError) as exc:
        svc.segment_create(workspace=workspace, actor=operator, name="坏", rules={"all": [{"field": "foo"}]})
    assert exc.value.message_dict["rules"] == ["Condition 1: unknown field foo"]
    segment = svc.segment_create(workspace=workspace, actor=operator, name="活跃", rules=ACTIVE)
    svc.segment_update(workspace=workspace, actor=operator, segment=segment, name="很活跃")
    entry = AuditEntry.objects.get(action="segment.update")
    assert entry.before == {"name": "活跃"} and entry.after == {"name": "很活跃"}
    other = svc.segment_create(
        workspace=workspace,
        actor=operator,
        name="依赖",
        rules={"all": [{"field": "segment", "op": "eq", "value": segment.pk}]},
    )
    with pytest.raises(ValidationError):  # a segment cannot refer to itself through another
        svc.segment_update(
            workspace=workspace, actor=operator, segment=segment,
            rules={"all": [{"field": "segment", "op": "eq", "value": other.pk}]},
        )  # fmt: skip
    with pytest.raises(ValidationError):  # still used by "依赖"
        svc.segment_delete(workspace=workspace, actor=operator, segment=segment)
    svc.segment_delete(workspace=workspace, actor=operator, segment=other)
    svc.segment_delete(workspace=workspace, actor=operator, segment=segment)
    assert not Segment.objects.exists()


def test_default_ladder_puts_each_person_in_exactly_one_tier(workspace: Any) -> None:
    people = _crowd(workspace)
    make_person(workspace, "crm-only")
    svc.segments_refresh(workspace=workspace)
    tiers = list(Segment.objects.filter(workspace=workspace, kind=SegmentKind.TIER).order_by("rank"))
    assert [t.name for t in tiers] == [
        "核心粉丝",
        "活跃粉丝",
        "普通粉丝",
        "沉睡粉丝",
        "潜在客户",
    ]
    tier_of = {p.display_name: p.tier and p.tier.name for p in Person.objects.select_related("tier")}
    assert tier_of == {
        "vip": "核心粉丝",
        "active": "活跃粉丝",
        "ordinary": "普通粉丝",
        "dormant": "沉睡粉丝",
        "lurker": "潜在客户",
        "crm-only": "潜在客户",
    }
    # Person.tier is a tier's membership (no SegmentMembership rows for tiers); each person
    # entered exactly one tier, and the sizes agree.
    assert not SegmentMembership.objects.filter(segment__kind=SegmentKind.TIER).exists()
    entered = SegmentEvent.objects.filter(segment__kind=SegmentKind.TIER, kind="entered")
    assert entered.count() == Person.objects.count() == 6
    assert sorted(t.size for t in Segment.objects.filter(kind=SegmentKind.TIER)) == [1, 1, 1, 1, 2]
    assert people["vip"].pk in set(entered.filter(segment=tiers[0]).values_list("person_id", flat=True))


def test_default_ladder_is_named_in_the_workspace_language(workspace: Any) -> None:
    workspace.locale = "zh-hans"
    workspace.save()
    names = [t.name for t in svc.default_ladder_ensure(workspace)]
    assert len(names) == 5 and svc.default_ladder_ensure(workspace)[0].pk  # second call creates nothing
    assert Segment.objects.filter(workspace=workspace).count() == 5


def test_refresh_writes_entered_and_left_events_once(workspace: Any) -> None:
    people = _crowd(workspace)
    busy = svc.segment_create(workspace=workspace, actor=None, name="Busy", rules=ACTIVE)
    first = {r["name"]: r for r in svc.segments_refresh(workspace=workspace)}
    assert first["Busy"] == {
        "id": busy.pk,
        "name": "Busy",
        "kind": "segment",
        "size": 2,
        "entered": 2,
        "left": 0,
    }
    events = SegmentEvent.objects.filter(segment=busy)
    assert sorted(e.person.display_name for e in events) == ["active", "vip"]
    assert SegmentEvent.objects.count() == 2 + 5  # the two, and each person entering one tier

    second = svc.segments_refresh(workspace=workspace)  # nothing changed: no events
    assert all(r["entered"] == 0 and r["left"] == 0 for r in second)
    assert SegmentEvent.objects.count() == 7

    # The active fan's interactions age out of 30 days: they leave Busy, once.
    aged = timezone.now() - dt.timedelta(days=40)
    Interaction.objects.filter(person=people["active"]).update(occurred_at=aged)
    third = {r["name"]: r for r in svc.segments_refresh(workspace=workspace)}
    assert third["Busy"]["left"] == 1 and third["Busy"]["size"] == 1
    left = SegmentEvent.objects.get(segment=busy, kind="left")
    assert left.person == people["active"]
    svc.segments_refresh(workspace=workspace)
    assert SegmentEvent.objects.filter(segment=busy, kind="left").count() == 1
    busy.refresh_from_db()
    assert busy.size == 1 and busy.refreshed_at is not None
    today_rows = SegmentDailySize.objects.filter(segment=busy)
    assert today_rows.count() == 1 and today_rows.get().size == 1
    assert AuditEntry.objects.filter(action="segments.refresh").count() == 4


def test_scores_and_rfm_quintiles_on_a_known_set(workspace: Any) -> None:
    now = timezone.now()
    # Ten buyers: buyer i has i orders of 10·i yuan each, the last one i days ago.
    buyers = []
    for i in range(1, 11):
        person = make_person(workspace, f"b{i}")
        for k in range(i):
            make_order_line(
                workspace, person, 10 * i, when=now - dt.timedelta(days=i + k), order_id=f"{i}-{k}"
            )
        buyers.append(person)
    # A cancelled order nets to zero and counts for nothing; an anonymous sale belongs to nobody.
    make_order_line(
        workspace, buyers[0], "99.00", when=now - dt.timedelta(days=50), order_id="C1", line_key="a"
    )
    make_order_line(
        workspace,
        buyers[0],
        "-99.00",
        when=now - dt.timedelta(days=49),
        order_id="C1",
        line_key="b",
        is_cancellation=True,
    )
    make_order_line(workspace, None, "500.00")
    nobody = make_person(workspace, "no orders")
    svc.segments_refresh(workspace=workspace)

    rows = {p.display_name: p for p in Person.objects.all()}
    b1, b10 = rows["b1"], rows["b10"]
    assert (b1.orders_count, b1.total_spend) == (1, Decimal("10.00"))
    assert (b10.orders_count, b10.total_spend) == (10, Decimal("1000.00"))
    # Two buyers per quintile: recency favours b1 (ordered 1 day ago), frequency and money b10.
    assert [rows[f"b{i}"].rfm_recency for i in range(1, 11)] == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert [rows[f"b{i}"].rfm_frequency for i in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [rows[f"b{i}"].rfm_monetary for i in range(1, 11)] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert (rows["no orders"].rfm_recency, rows["no orders"].orders_count) == (None, 0)
    assert rows["no orders"].pk == nobody.pk


def test_preview_count_and_refresh_request(
    workspace: Any, member: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _crowd(workspace)
    svc.segments_refresh(workspace=workspace)
    assert svc.segment_preview_count(workspace=workspace, rules=ACTIVE) == 2
    with pytest.raises(ValidationError):
        svc.segment_preview_count(workspace=workspace, rules={"all": [{"field": "nope"}]})
    with pytest.raises(PermissionDenied):
        svc.segments_refresh_request(workspace=workspace, actor=member(Role.ANALYST))
    with django_capture_on_commit_callbacks() as callbacks:
        svc.segments_refresh_request(workspace=workspace, actor=member(Role.OPERATOR))
    assert len(callbacks) == 1


def test_cli_segments_json_and_refresh(workspace: Any) -> None:
    _crowd(workspace)
    svc.segment_create(workspace=workspace, actor=None, name="Busy", rules=ACTIVE)
    out, err = io.StringIO(), io.StringIO()
    call_command("fans", "refresh", "--workspace", "acme", stdout=out, stderr=err)
    assert "Busy: 2 (+2, −0)" in out.getvalue()
    out = io.StringIO()
    call_command("fans", "segments", "--workspace", "acme", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [(r["name"], r["kind"], r["size"]) for r in rows] == [
        ("Busy", "segment", 2),
        ("核心粉丝", "tier", 1),
        ("活跃粉丝", "tier", 1),
        ("普通粉丝", "tier", 1),
        ("沉睡粉丝", "tier", 1),
        ("潜在客户", "tier", 1),
    ]


def test_cli_value_model_delegates(workspace: Any, monkeypatch: Any) -> None:
    import sys
    import types

    calls = []
    module = types.ModuleType("socialops.fans.cli_value")
    module.run_value_model = lambda **kw: calls.append(kw)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "socialops.fans.cli_value", module)
    call_command(
        "fans", "value-model", "--workspace", "acme", "--until", "2024-06-30", "--unit", "week", "--json"
    )
    assert calls and calls[0]["workspace_slug"] == "acme" and calls[0]["until"] == dt.date(2024, 6, 30)
    assert calls[0]["unit"] == "week" and calls[0]["as_json"] is True
