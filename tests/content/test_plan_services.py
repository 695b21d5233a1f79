"""Plan services on the real database: cadence and capacity rules, generation, moves, urgent insertion."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from socialops.content.models import CadenceRule, CapacityRule, Placement, PlacementSource, PlanRun
from socialops.content.presenters import explanation_text
from socialops.content.selectors import plan as sel
from socialops.content.selectors.calendar import calendar_days_for_system
from socialops.content.services import plan as svc
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import make_account, make_backlog, make_item, make_themes

from .test_plan_support import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 2, 2, 8, 0)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def local(p: Placement) -> dt.datetime:
    return sel.to_local(p.workspace, p.starts_at)


# ---- cadence and capacity ----------------------------------------------------------------------


def test_cadence_defaults_and_set(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    rule = sel.cadence_rule_get(workspace=workspace, user=admin, account=account)
    assert rule.pk is None and rule.posts_per_weekday["1"] == [2, 3] and rule.posts_per_weekday["6"] == [1, 1]
    assert rule.min_gap_minutes == 120 and rule.form_limits == {"live": 1}
    assert rule.quiet_start == dt.time(23) and rule.quiet_end == dt.time(7)
    posts = {str(d): [1, 2] for d in range(1, 8)}
    saved = svc.cadence_rule_set(
        workspace=workspace, actor=admin, account=account, posts_per_weekday=posts, holiday_mode="skip",
        form_limits={"video": 2, "live": 0},
    )  # fmt: skip
    assert saved.pk and saved.holiday_mode == "skip" and saved.form_limits == {"live": 0, "video": 2}
    assert saved.min_gap_minutes == 120  # untouched fields keep their value
    entry = AuditEntry.objects.get(action="cadence.create")
    assert entry.actor == admin and entry.after["holiday_mode"] == "skip"
    svc.cadence_rule_set(workspace=workspace, actor=admin, account=account, min_gap_minutes=90)
    assert CadenceRule.objects.get().min_gap_minutes == 90
    assert AuditEntry.objects.get(action="cadence.update").after == {"min_gap_minutes": 90}


@pytest.mark.parametrize(
    ("kwargs", "field", "text"),
    [
        (
            {"posts_per_weekday": {str(d): [3, 2] for d in range(1, 8)}},
            "posts_per_weekday",
            "minimum ≤ maximum",
        ),
        ({"posts_per_weekday": {str(d): [0, 13] for d in range(1, 8)}}, "posts_per_weekday", "≤ 12"),
        ({"posts_per_weekday": {"1": [1, 2]}}, "posts_per_weekday", "each weekday"),
        (
            {"posts_per_weekday": {str(d): [9, 9] for d in range(1, 8)}},
            "posts_per_weekday",
            "At most 8 posts fit",
        ),
        ({"holiday_mode": "party"}, "holiday_mode", "public holidays"),
        ({"min_gap_minutes": 5000}, "min_gap_minutes", "0 to 1440"),
        ({"form_limits": {"podcast": 1}}, "form_limits", "Unknown form"),
        ({"form_limits": {"live": 99}}, "form_limits", "0 to 50"),
    ],
)
def test_cadence_validation(
    workspace: Any, admin: Any, kwargs: dict[str, Any], field: str, text: str
) -> None:
    account = make_account(workspace, "acme_weibo")
    with pytest.raises(ValidationError) as exc:
        svc.cadence_rule_set(workspace=workspace, actor=admin, account=account, **kwargs)
    assert text in " ".join(exc.value.message_dict[field])
    assert not CadenceRule.objects.exists()


def test_cadence_needs_the_permission_and_an_own_account(workspace: Any, member: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    rival = make_account(workspace, "rival", is_competitor=True)
    with pytest.raises(PermissionDenied):
        svc.cadence_rule_set(
            workspace=workspace, actor=member(Role.ANALYST), account=account, min_gap_minutes=60
        )
    with pytest.raises(ValidationError):
        svc.cadence_rule_set(workspace=workspace, actor=None, account=rival, min_gap_minutes=60)


def test_capacity_upsert_and_owner_check(
    workspace: Any, other_workspace: Any, admin: Any, member: Any
) -> None:
    writer = member(Role.OPERATOR, username="writer")
    team = svc.capacity_set(workspace=workspace, actor=admin, items_per_week=20)
    again = svc.capacity_set(workspace=workspace, actor=admin, items_per_week=15)
    assert team.pk == again.pk and CapacityRule.objects.get(owner=None).items_per_week == 15
    svc.capacity_set(workspace=workspace, actor=admin, owner=writer, items_per_week=4)
    assert sel.capacity_for_system(workspace=workspace).per_owner == {writer.pk: 4}
    outsider = member(Role.ADMIN, ws=other_workspace, username="outsider")
    with pytest.raises(ValidationError) as exc:
        svc.capacity_set(workspace=workspace, actor=admin, owner=outsider, items_per_week=3)
    assert "owner" in exc.value.message_dict
    with pytest.raises(ValidationError):
        svc.capacity_set(workspace=workspace, actor=admin, items_per_week=-1)
    svc.capacity_delete(workspace=workspace, actor=admin, rule=team)
    assert sel.capacity_for_system(workspace=workspace).workspace_per_week is None
    assert AuditEntry.objects.filter(action__startswith="capacity.").count() == 4


# ---- generation --------------------------------------------------------------------------------


def test_generate_places_by_cadence_best_hours_and_theme_mix(workspace: Any, admin: Any, frozen: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    themes = make_themes(workspace)
    make_backlog(workspace, themes, per_theme=12)
    run = svc.plan_generate(
        workspace=workspace,
        actor=admin,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 8),
        accounts=[account],
    )
    placements = list(Placement.objects.filter(plan_run=run).select_related("item", "workspace"))
    per_day = Counter(local(p).date() for p in placements)
    # Mon–Fri at least 2 (the backlog has enough for the 3rd), Sat and Sun 1.
    assert all(2 <= per_day[dt.date(2026, 3, d)] <= 3 for d in range(2, 7))
    assert per_day[dt.date(2026, 3, 7)] == 1 and per_day[dt.date(2026, 3, 8)] == 1
    times = sorted(local(p) for p in placements)
    assert all(b - a >= dt.timedelta(minutes=120) for a, b in zip(times, times[1:], strict=False))
    assert all(7 <= t.hour < 23 for t in times)
    assert len({p.item_id for p in placements}) == len(placements)
    themes_used = Counter(p.item.theme.name for p in placements)
    assert max(themes_used.values()) - min(themes_used.values()) <= 1 and len(themes_used) == 5
    assert run.report["kind"] == "generate" and run.report["slots"]["empty"] == 0
    first = placements[0]
    codes = [e["code"] for e in first.explanation]
    assert "theme_under_target" in codes and ("best_hour" in codes or "default_hour" in codes)
    text = " ".join(explanation_text(first.explanation))
    assert "under its target share" in text
    assert AuditEntry.objects.get(action="plan.generate").after["placed"] == len(placements)


def test_spring_festival_holiday_modes(workspace: Any, admin: Any, frozen: Any) -> None:
    skip = make_account(workspace, "skipper")
    weekend = make_account(workspace, "weekender")
    svc.cadence_rule_set(workspace=workspace, actor=admin, account=skip, holiday_mode="skip")
    themes = make_themes(workspace)
    make_backlog(workspace, themes, per_theme=20)
    run = svc.plan_generate(
        workspace=workspace, actor=admin, start=dt.date(2026, 2, 14), end=dt.date(2026, 2, 28),
        accounts=[skip, weekend],
    )  # fmt: skip
    rows = list(Placement.objects.filter(plan_run=run).select_related("workspace"))
    days = {a.pk: Counter(local(p).date() for p in rows if p.account_id == a.pk) for a in (skip, weekend)}
    holidays = [dt.date(2026, 2, d) for d in range(15, 24)]
    assert all(days[skip.pk][d] == 0 for d in holidays)
    assert all(days[weekend.pk][d] == 1 for d in holidays)
    # 14 and 28 February are make-up workdays (Saturdays): planned like workdays.
    for account in (skip, weekend):
        assert days[account.pk][dt.date(2026, 2, 14)] >= 2 and days[account.pk][dt.date(2026, 2, 28)] >= 2
    holiday_note = next(
        e for p in rows if p.account_id == weekend.pk for e in p.explanation if e["code"] == "holiday"
    )
    official = calendar_days_for_system(
        workspace=workspace, start=dt.date(2026, 2, 17), end=dt.date(2026, 2, 17)
    )
    assert holiday_note["params"]["name"] == official[0].holiday and official[0].holiday


def test_uncovered_year_is_reported(workspace: Any, admin: Any, frozen: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    make_backlog(workspace, make_themes(workspace), per_theme=3)
    run = svc.plan_generate(
        workspace=workspace,
        actor=admin,
        start=dt.date(2027, 1, 4),
        end=dt.date(2027, 1, 10),
        accounts=[account],
    )
    assert run.report["uncovered"]["years"] == [2027]
    assert "No official holiday data for 2027" in " ".join(sel.report_view(run)["warnings"])
    assert any(
        e["code"] == "uncovered" for p in Placement.objects.filter(plan_run=run) for e in p.explanation
    )


def test_short_backlog_leaves_slots_empty_and_names_short_themes(
    workspace: Any, admin: Any, frozen: Any
) -> None:
    account = make_account(workspace, "acme_weibo")
    themes = make_themes(workspace)
    make_backlog(workspace, themes[:2], per_theme=2)
    run = svc.plan_generate(
        workspace=workspace,
        actor=admin,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 8),
        accounts=[account],
    )
    report = sel.report_view(run)
    assert Placement.objects.filter(plan_run=run).count() == 4
    assert report["empty_total"] == 5 * 2 + 2 - 4  # the cadence's minimum, never padded to the maximum
    short = {s["theme_name"] for s in report["short_themes"]}
    assert {"用户故事", "专家观点", "实用技巧"} <= short
    assert any("slots stay empty" in w for w in report["warnings"])


def test_capacity_limits_new_items_per_week(workspace: Any, admin: Any, frozen: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    make_backlog(workspace, make_themes(workspace), per_theme=10)
    svc.capacity_set(workspace=workspace, actor=admin, items_per_week=4)
    run = svc.plan_generate(
        workspace=workspace,
        actor=admin,
        start=dt.date(2026, 3, 2),
        end=dt.date(2026, 3, 15),
        accounts=[account],
    )
    weeks = Counter(
        local(p).isocalendar()[1] for p in Placement.objects.filter(plan_run=run).select_related("workspace")
    )
    assert set(weeks.values()) == {4}
    assert run.report["capacity"] and run.report["slots"]["empty"] == 2 * (5 * 2 + 2) - 8


def test_regenerate_keeps_manual_and_locked(workspace: Any, admin: Any, frozen: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    make_backlog(workspace, make_themes(workspace), per_theme=10)
    period = {"start": dt.date(2026, 3, 2), "end": dt.date(2026, 3, 8), "accounts": [account]}
    first = svc.plan_generate(workspace=workspace, actor=admin, **period)
    rows = list(Placement.objects.filter(plan_run=first).order_by("starts_at"))
    locked, moved = rows[0], rows[3]
    svc.placement_lock(workspace=workspace, actor=admin, placement=locked)
    svc.placement_move(workspace=workspace, actor=admin, placement=moved, starts_at=at(2026, 3, 4, 15, 30))
    moved.refresh_from_db()
    assert moved.source == PlacementSource.MANUAL and moved.explanation[-1]["code"] == "moved"
    second = svc.plan_generate(workspace=workspace, actor=admin, **period)
    locked.refresh_from_db()
    moved.refresh_from_db()
    assert locked.locked and locked.plan_run_id == first.pk
    assert local(moved) == dt.datetime(2026, 3, 4, 15, 30)
    new = Placement.objects.filter(plan_run=second)
    assert (
        new.exists()
        and not Placement.objects.filter(plan_run=first, locked=False, source="generator").exists()
    )
    all_rows = list(Placement.objects.filter(account=account).select_related("workspace"))
    times = sorted(local(p) for p in all_rows)
    assert all(b - a >= dt.timedelta(minutes=120) for a, b in zip(times, times[1:], strict=False))
    assert len({p.item_id for p in all_rows}) == len(all_rows)
    assert second.report["slots"]["kept"] == 2


# ---- moves and by-hand placements --------------------------------------------------------------


def test_move_validation(workspace: Any, admin: Any, frozen: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    themes = make_themes(workspace, ("用户故事",))
    due = make_item(workspace, themes[0], "限时活动", deadline=dt.date(2026, 3, 5))
    other = make_item(workspace, themes[0], "日常")
    p = svc.placement_create(
        workspace=workspace, actor=admin, item=due, account=account, starts_at=at(2026, 3, 4, 10)
    )
    svc.placement_create(
        workspace=workspace, actor=admin, item=other, account=account, starts_at=at(2026, 3, 4, 14)
    )

    def reason(when: dt.datetime) -> str:
        with pytest.raises(ValidationError) as exc:
            svc.placement_move(workspace=workspace, actor=admin, placement=p, starts_at=when)
        return " ".join(exc.value.message_dict["starts_at"])

    assert "quiet hours" in reason(at(2026, 3, 4, 23, 30))
    assert "Less than 120 minutes" in reason(at(2026, 3, 4, 13))
    assert "in the past" in reason(at(2026, 2, 1, 10))
    assert "deadline" in reason(at(2026, 3, 6, 10))
    p.refresh_from_db()
    assert sel.to_local(workspace, p.starts_at) == dt.datetime(2026, 3, 4, 10)
    # Naive times are the workspace's wall-clock time.
    svc.placement_move(workspace=workspace, actor=admin, placement=p, starts_at=dt.datetime(2026, 3, 4, 18))
    p.refresh_from_db()
    assert p.starts_at == at(2026, 3, 4, 18)


def test_form_limit_on_moves(workspace: Any, admin: Any, frozen: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    theme = make_themes(workspace, ("产品介绍",))[0]
    svc.cadence_rule_set(workspace=workspace, actor=admin, account=account, form_limits={"qa": 1})
    a = make_item(workspace, theme, "问答一", form="qa")
    b = make_item(workspace, theme, "问答二", form="qa")
    svc.placement_create(
        workspace=workspace, actor=admin, item=a, account=account, starts_at=at(2026, 3, 3, 10)
    )
    with pytest.raises(ValidationError) as exc:
        svc.placement_create(
            workspace=workspace, actor=admin, item=b, account=account, starts_at=at(2026, 3, 5, 10)
        )
    assert "at most 1" in " ".join(exc.value.message_dict["starts_at"])
    svc.placement_create(
        workspace=workspace, actor=admin, item=b, account=account, starts_at=at(2026, 3, 10, 10)
    )
    with pytest.raises(ValidationError):
        svc.placement_create(
            workspace=workspace, actor=admin, item=b, account=account, starts_at=at(2026, 3, 12, 10)
        )


def test_placement_create_checks_item_accounts(workspace: Any, admin: Any, frozen: Any) -> None:
    one, two = make_account(workspace, "one"), make_account(workspace, "two")
    theme = make_themes(workspace, ("产品介绍",))[0]
    item = make_item(workspace, theme, "只给一号", accounts=[one])
    with pytest.raises(ValidationError) as exc:
        svc.placement_create(
            workspace=workspace, actor=admin, item=item, account=two, starts_at=at(2026, 3, 3, 10)
        )
    assert "not meant for this account" in exc.value.message_dict["account"][0]


# ---- urgent insertion --------------------------------------------------------------------------


def test_urgent_insert_reflows_and_reports_every_move(workspace: Any, admin: Any, frozen: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    themes = make_themes(workspace)
    make_backlog(workspace, themes, per_theme=4)  # 20 items: fills 2 Feb – ~10 Feb at the minimum
    svc.plan_generate(
        workspace=workspace,
        actor=admin,
        start=dt.date(2026, 2, 2),
        end=dt.date(2026, 2, 8),
        accounts=[account],
    )
    before = {p.item_id: p.starts_at for p in Placement.objects.filter(account=account)}
    urgent = make_item(
        workspace, themes[0], "突发：行业新规解读", importance="urgent", deadline=dt.date(2026, 2, 3)
    )
    run = svc.urgent_insert(workspace=workspace, actor=admin, item=urgent, account=account)
    after = {p.item_id: p for p in Placement.objects.filter(account=account)}
    inserted = after[urgent.pk]
    assert inserted.source == PlacementSource.MANUAL and inserted.starts_at == min(before.values())
    # Nothing lost: every earlier item is still placed, or reported as unplaced.
    unplaced = {u["item"] for u in run.report["unplaced"]}
    assert set(before) == (set(after) - {urgent.pk}) | unplaced
    moved = {m["item"] for m in run.report["moves"]}
    changed = {i for i, t in before.items() if i in after and after[i].starts_at != t}
    assert changed <= moved and moved
    assert run.report["kind"] == "urgent" and PlanRun.objects.filter(report__kind="urgent").count() == 1
    assert AuditEntry.objects.filter(action="plan.urgent_insert").exists()


def test_urgent_insert_at_a_given_time(workspace: Any, admin: Any, frozen: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    themes = make_themes(workspace)
    make_backlog(workspace, themes, per_theme=4)
    svc.plan_generate(
        workspace=workspace,
        actor=admin,
        start=dt.date(2026, 2, 2),
        end=dt.date(2026, 2, 8),
        accounts=[account],
    )
    urgent = make_item(workspace, themes[2], "突发", importance="urgent", deadline=dt.date(2026, 2, 5))
    with pytest.raises(ValidationError) as exc:
        svc.urgent_insert(
            workspace=workspace, actor=admin, item=urgent, account=account, at=at(2026, 2, 3, 2)
        )
    assert "quiet hours" in exc.value.message_dict["at"][0]
    run = svc.urgent_insert(
        workspace=workspace, actor=admin, item=urgent, account=account, at=at(2026, 2, 3, 11, 15)
    )
    placed = Placement.objects.get(item=urgent)
    assert placed.starts_at == at(2026, 2, 3, 11, 15)
    times = sorted(local(p) for p in Placement.objects.filter(account=account).select_related("workspace"))
    assert all(b - a >= dt.timedelta(minutes=120) for a, b in zip(times, times[1:], strict=False))
    assert run.report["at"] == "2026-02-03T11:15"


def test_festival_links_and_live_streams(workspace: Any, admin: Any, frozen: Any) -> None:
    account = make_account(workspace, "acme_weibo")
    themes = make_themes(workspace)
    make_backlog(workspace, themes, per_theme=8)
    lantern = make_item(
        workspace,
        themes[2],
        "元宵节猜灯谜",
        calendar_links=["festival:lantern:2026"],
        deadline=dt.date(2026, 3, 3),
    )
    live = make_item(
        workspace,
        themes[1],
        "新品直播",
        form="live",
        live_starts_at=at(2026, 3, 5, 19, 30),
        live_host="小林",
        live_outline="1. 新品亮点 2. 问答",
    )
    run = svc.plan_generate(
        workspace=workspace,
        actor=admin,
        start=dt.date(2026, 2, 23),
        end=dt.date(2026, 3, 8),
        accounts=[account],
    )
    linked = Placement.objects.get(plan_run=run, item=lantern)
    # On the lantern festival (3 March) or at most three days before it.
    assert dt.date(2026, 2, 28) <= local(linked).date() <= dt.date(2026, 3, 3)
    note = next(e for e in linked.explanation if e["code"] == "festival_link")
    assert note["params"]["date"] == "2026-03-03"
    streamed = Placement.objects.get(plan_run=run, item=live)
    assert streamed.starts_at == at(2026, 3, 5, 19, 30)
    assert streamed.explanation[0]["code"] == "fixed_time"
    others = sorted(local(p) for p in Placement.objects.filter(plan_run=run).select_related("workspace"))
    assert all(b - a >= dt.timedelta(minutes=120) for a, b in zip(others, others[1:], strict=False))
