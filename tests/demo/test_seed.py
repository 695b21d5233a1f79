"""The demo workspace (`socialops demo`): idempotent, deterministic, plausible, and it tells the story."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import statistics
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from socialops.accounts.models import Persona, Platform, SocialAccount
from socialops.analytics.models import PostRecord
from socialops.content.models import ContentItem, MediaAsset, Placement
from socialops.content.selectors.plan import to_local
from socialops.demo.dates import CAMPAIGN_CLEARANCE, CAMPAIGN_DAYS, HISTORY_DAYS, demo_calendar
from socialops.demo.goals import tuned_target
from socialops.demo.metrics import generate_all
from socialops.demo.seed import demo_seed
from socialops.demo.specs import (
    ALL_ACCOUNTS,
    DEFAULT_PASSWORD,
    DEMO_SLUG,
    DEMO_USERS,
    GOALS,
    OUR_KEYS,
    PASSWORD_ENV,
)
from socialops.engagement.models import Reply, SavedReply, Thread
from socialops.goals.imports import METRIC_FIELDS
from socialops.goals.models import Goal, GoalKind, MetricSnapshot, Strategy
from socialops.goals.selectors.goals import goal_progress
from socialops.goals.selectors.strategies import strategy_effect
from socialops.workspaces import services
from socialops.workspaces.models import AuditEntry, Membership, Workspace
from socialops.workspaces.roles import Role

TODAY = dt.date(2026, 5, 15)
# Spread over the year: before and after the golden week, 618, 双11, new year, a quarter's first days.
PINNED_DAYS = [
    dt.date(2025, 1, 2),
    dt.date(2025, 4, 1),
    dt.date(2025, 6, 20),
    dt.date(2025, 10, 8),
    dt.date(2025, 11, 26),
    dt.date(2026, 3, 1),
    dt.date(2026, 7, 31),
]


def _seed(*args: str) -> str:
    out = io.StringIO()
    # The core demo's shape; the second half's parts have their own demo tests.
    call_command("seed_demo", "--core-only", *args, stdout=out)
    return out.getvalue()


def _checksum(rows: list[tuple[str, str, dt.date, dict[str, Any]]]) -> str:
    digest = hashlib.sha256()
    for platform, handle, day, values in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        figures = ",".join(f"{name}={values[name]}" for name in METRIC_FIELDS)
        digest.update(f"{platform}|{handle}|{day.isoformat()}|{figures}\n".encode())
    return digest.hexdigest()


def _db_checksum() -> str:
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    snaps = MetricSnapshot.objects.filter(workspace=workspace).select_related("account")
    return _checksum(
        [
            (s.account.platform, s.account.handle, s.date, {f: getattr(s, f) for f in METRIC_FIELDS})
            for s in snaps
        ]
    )


def _content_rows() -> list[tuple[Any, ...]]:
    """What a person sees of the content operation: items, imported posts and the plan."""
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    items = ContentItem.objects.filter(workspace=workspace).select_related("theme", "owner")
    posts = PostRecord.objects.filter(workspace=workspace).select_related("account")
    # Bodies refer to pictures by id, which differs between two seeds: compare their file names.
    names = {str(a.pk): a.original_name for a in MediaAsset.objects.filter(workspace=workspace)}

    def body(text: str) -> str:
        return re.sub(r"asset:(\d+)", lambda m: f"asset:{names[m.group(1)]}", text)

    return sorted(
        [
            (
                "item",
                i.title,
                i.form,
                i.theme.name,
                i.owner.username if i.owner else "",
                i.importance,
                str(i.deadline),
                body(i.body),
            )
            for i in items
        ]
        + [("post", p.account.handle, str(p.published_at), p.reach, p.engagements) for p in posts]
    )


def _plan_rows() -> list[tuple[str, str, str, str, bool]]:
    """The publishing plan as (account, item title, local time, source, locked), in time order."""
    workspace = Workspace.objects.get(slug=DEMO_SLUG)
    placements = Placement.objects.filter(workspace=workspace).select_related("account", "item")
    return [
        (
            f"{p.account.platform}:{p.account.handle}",
            p.item.title,
            to_local(workspace, p.starts_at).isoformat(),
            p.source,
            p.locked,
        )
        for p in placements.order_by("starts_at", "account__platform", "item__title")
    ]


def _generated_checksum(today: dt.date) -> str:
    data = generate_all(today)
    specs = {spec.key: spec for spec in ALL_ACCOUNTS}
    return _checksum(
        [
            (specs[key].platform, specs[key].handle, day, values)
            for key, rows in data.items()
            for day, values in rows
        ]
    )


# ---- the command ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_prints_logins_and_password() -> None:
    out = _seed("--today", TODAY.isoformat())
    assert "/w/demo/" in out
    for username, _role, _expert in DEMO_USERS:
        assert f"  {username} " in out
    assert DEFAULT_PASSWORD in out
    assert "Reviewer, subject expert" in out
    items = ContentItem.objects.filter(workspace__slug="demo").count()
    placements = Placement.objects.filter(workspace__slug="demo").count()
    assert f"{items} content items" in out and f"{placements} posts planned" in out
    assert 30 <= items <= 40 and placements >= 50


@pytest.mark.django_db
def test_seeding_twice_with_if_empty_changes_nothing() -> None:
    _seed("--if-empty", "--today", TODAY.isoformat())

    def counts() -> tuple[int, ...]:
        return tuple(
            model.objects.count()
            for model in (MetricSnapshot, Goal, AuditEntry, ContentItem, Placement, PostRecord, MediaAsset)
        )

    before = counts()
    checksum, plan = _db_checksum(), _plan_rows()
    out = _seed("--if-empty", "--today", TODAY.isoformat())
    assert out.strip() == "demo workspace already present"
    assert counts() == before
    assert (_db_checksum(), _plan_rows()) == (checksum, plan)


@pytest.mark.django_db
def test_seeding_again_without_flags_is_refused() -> None:
    _seed("--today", TODAY.isoformat())
    with pytest.raises(CommandError, match="--reset"):
        _seed("--today", TODAY.isoformat())
    assert Workspace.objects.filter(slug="demo").count() == 1


@pytest.mark.django_db
def test_reset_replaces_the_workspace_and_its_users_but_keeps_other_people(make_user: Any) -> None:
    _seed("--today", TODAY.isoformat())
    old = Workspace.objects.get(slug="demo")
    other_ws = services.workspace_create(actor=None, name="Other", slug="other")
    outsider = make_user("lin")
    services.membership_add(workspace=old, actor=None, user=outsider, role=Role.ANALYST)
    services.membership_add(workspace=other_ws, actor=None, user=outsider, role=Role.ADMIN)

    _seed("--reset", "--today", "2026-05-20")
    new = Workspace.objects.get(slug="demo")
    assert new.pk != old.pk
    assert not Goal.objects.filter(workspace_id=old.pk).exists()
    # Only the demo's own logins were recreated; a person who works elsewhere keeps their login.
    assert Membership.objects.filter(workspace=new).count() == len(DEMO_USERS)
    assert Membership.objects.filter(user=outsider, workspace=other_ws).exists()
    assert MetricSnapshot.objects.filter(workspace=new).latest("date").date == dt.date(2026, 5, 19)
    assert AuditEntry.objects.filter(action="workspace.delete", workspace=None).exists()


@pytest.mark.django_db
def test_a_taken_username_fails_cleanly_and_writes_nothing(make_user: Any) -> None:
    make_user("analyst")
    with pytest.raises(CommandError, match="username"):
        _seed("--today", TODAY.isoformat())
    assert not Workspace.objects.filter(slug="demo").exists()
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_bad_today_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _seed("--today", "15/05/2026")


@pytest.mark.django_db
def test_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "another-long-secret")
    out = _seed("--today", TODAY.isoformat())
    assert "another-long-secret" in out
    assert _login_works("operator", "another-long-secret")
    assert not _login_works("operator", DEFAULT_PASSWORD)


def _login_works(username: str, password: str) -> bool:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_every_demo_login_works_and_reaches_the_workspace() -> None:
    _seed("--today", TODAY.isoformat())
    for username, role, expert in DEMO_USERS:
        client = Client()
        assert _login_works(username, DEFAULT_PASSWORD), username
        client.post("/login/", {"username": username, "password": DEFAULT_PASSWORD})
        assert client.get("/w/demo/").status_code == 200
        membership = Membership.objects.get(user__username=username, workspace__slug="demo")
        assert (membership.role, membership.is_subject_expert) == (role, expert)
    assert not _login_works("admin", "wrong-password")


@pytest.mark.django_db
def test_socialops_demo_is_the_same_command(
    capsys: pytest.CaptureFixture[str], keep_db_connection: None
) -> None:
    from socialops.cli import main

    main(["demo", "--if-empty", "--today", TODAY.isoformat()])
    assert "/w/demo/" in capsys.readouterr().out
    main(["demo", "--if-empty"])
    assert capsys.readouterr().out.strip() == "demo workspace already present"


# ---- the data ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_data_is_deterministic_for_a_given_today() -> None:
    _seed("--today", TODAY.isoformat())
    first = _db_checksum()
    content, plan = _content_rows(), _plan_rows()
    _seed("--reset", "--today", TODAY.isoformat())
    assert _db_checksum() == first
    # The content, the imported history and the plan come out the same too (placements compared
    # by account, item title and time, since ids differ between the two seeds).
    assert _content_rows() == content
    assert _plan_rows() == plan and len(plan) >= 50
    # And the database holds exactly what the generator produces, without the database.
    assert first == _generated_checksum(TODAY)
    assert _generated_checksum(TODAY + dt.timedelta(days=1)) != first


@pytest.mark.django_db
def test_accounts_personas_and_competitors() -> None:
    _seed("--today", TODAY.isoformat())
    workspace = Workspace.objects.get(slug="demo")
    assert (workspace.name, workspace.timezone, workspace.locale) == ("星曜科技", "Asia/Shanghai", "zh-hans")
    ours = SocialAccount.objects.filter(workspace=workspace, is_competitor=False)
    assert {a.platform for a in ours} == {
        Platform.WECHAT_MP,
        Platform.WEIBO,
        Platform.DOUYIN,
        Platform.XIAOHONGSHU,
    }
    for account in ours:
        assert "科技前沿,品质生活" in account.positioning
        assert account.brand_traits and account.style_rules and account.tone and account.market_position
        assert 1 <= account.personas.count() <= 2
    rivals = SocialAccount.objects.filter(workspace=workspace, is_competitor=True)
    assert rivals.count() == 3
    assert {a.platform for a in rivals} <= {a.platform for a in ours}

    def hours(platform: str) -> set[int]:
        personas = Persona.objects.filter(workspace=workspace, account__platform=platform)
        return {hour for persona in personas for hour in persona.active_hours}

    # Readers of 公众号 on the commute and after dinner; 抖音 at lunch and all evening.
    assert {7, 8, 20, 21} <= hours(Platform.WECHAT_MP) and 19 not in hours(Platform.WECHAT_MP)
    assert {12, 13, 19, 20, 21, 22, 23} <= hours(Platform.DOUYIN) and 7 not in hours(Platform.DOUYIN)
    # Competitors carry only the public counts.
    snap = MetricSnapshot.objects.filter(account__in=rivals).first()
    assert snap is not None
    assert snap.followers_total and snap.likes is not None and snap.posts is not None
    assert snap.impressions is None and snap.orders is None and snap.revenue is None


@pytest.mark.django_db
def test_180_days_up_to_yesterday_with_followers_consistent() -> None:
    _seed("--today", TODAY.isoformat())
    for account in SocialAccount.objects.filter(workspace__slug="demo"):
        snaps = list(MetricSnapshot.objects.filter(account=account).order_by("date"))
        assert len(snaps) == HISTORY_DAYS
        assert snaps[-1].date == TODAY - dt.timedelta(days=1)
        assert snaps[0].date == TODAY - dt.timedelta(days=HISTORY_DAYS)
        if account.is_competitor:
            assert all(s.followers_total for s in snaps)
            continue
        for prev, cur in zip(snaps, snaps[1:], strict=False):
            assert cur.followers_total - prev.followers_total == cur.new_followers - cur.lost_followers, (
                cur.date
            )
            assert cur.reach <= cur.impressions


@pytest.mark.django_db
def test_figures_are_plausible_for_a_mid_size_brand() -> None:
    data = generate_all(TODAY)
    sizes = {key: rows[-1][1]["followers_total"] for key, rows in data.items()}
    assert 70_000 < sizes["wechat"] < 90_000
    assert 130_000 < sizes["weibo"] < 170_000
    assert 260_000 < sizes["douyin"] < 340_000
    assert 35_000 < sizes["xhs"] < 45_000
    for key in OUR_KEYS:
        rows = [values for _day, values in data[key]]
        engagements = sum(r["likes"] + r["comments"] + r["shares"] + r["saves"] for r in rows)
        rate = engagements / sum(r["impressions"] for r in rows)
        assert 0.01 < rate < 0.08, (key, rate)


def test_weekly_rhythm_campaign_and_holiday_show_in_the_figures() -> None:
    calendar = demo_calendar(TODAY)
    rows = generate_all(TODAY)["wechat"]
    ordinary = [(d, v) for d, v in rows if d not in calendar.campaign and d not in calendar.holiday]
    weekday = statistics.mean(v["impressions"] for d, v in ordinary if d.weekday() < 5)
    weekend = statistics.mean(v["impressions"] for d, v in ordinary if d.weekday() >= 5)
    assert weekday > weekend * 1.3  # 公众号 is read on the commute
    douyin = generate_all(TODAY)["douyin"]
    d_weekday = statistics.mean(v["impressions"] for d, v in douyin if d.weekday() < 5)
    d_weekend = statistics.mean(v["impressions"] for d, v in douyin if d.weekday() >= 5)
    assert d_weekend > d_weekday  # 抖音 is watched at the weekend

    def mean_orders(start: dt.date, end: dt.date) -> float:
        return statistics.mean(v["orders"] for d, v in douyin if start <= d <= end)

    campaign = calendar.campaign
    before = mean_orders(campaign.start - dt.timedelta(days=14), campaign.start - dt.timedelta(days=1))
    assert mean_orders(campaign.start, campaign.end) > before * 1.5

    holiday = calendar.holiday
    wechat_new = {d: v["new_followers"] for d, v in rows}
    during = statistics.mean(wechat_new[d] for d in wechat_new if d in holiday)
    around = statistics.mean(
        wechat_new[d] for d in wechat_new if 0 < abs((d - holiday.start).days) <= 21 and d not in holiday
    )
    assert during < around * 0.8


@pytest.mark.parametrize(
    ("today", "campaign", "holiday"),
    [
        (dt.date(2026, 11, 26), "2026 开学季", "2026 国庆黄金周"),
        (dt.date(2026, 1, 20), "2025 双11 狂欢季", "2025 国庆黄金周"),
        (dt.date(2026, 5, 15), "2026 3·8 焕新节", "2026 劳动节假期"),
        (dt.date(2026, 8, 25), "2026 618 年中大促", "2026 劳动节假期"),
        (dt.date(2026, 4, 2), "2026 年货节焕新季", "2026 元旦假期"),
    ],
)
def test_calendar_uses_real_festivals_and_the_golden_week(
    today: dt.date, campaign: str, holiday: str
) -> None:
    calendar = demo_calendar(today)
    assert calendar.campaign.name == campaign
    assert calendar.holiday.name == holiday
    assert (calendar.campaign.end - calendar.campaign.start).days == CAMPAIGN_DAYS - 1
    assert calendar.start <= calendar.campaign.start and calendar.campaign.end <= calendar.end
    assert calendar.start <= calendar.holiday.start and calendar.holiday.end <= calendar.end


def test_every_day_of_a_year_has_a_campaign_and_a_holiday() -> None:
    day = dt.date(2025, 1, 1)
    while day.year == 2025:
        calendar = demo_calendar(day)
        assert calendar.campaign.end <= day - dt.timedelta(days=CAMPAIGN_CLEARANCE)
        day += dt.timedelta(days=1)


# ---- goals and strategies ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("today", PINNED_DAYS)
def test_goal_states_hold_whatever_day_it_is_seeded(today: dt.date) -> None:
    result = demo_seed(today=today)
    admin = result.users["admin"]
    expected = {spec.key: spec.status for spec in GOALS}
    statuses = {
        key: goal_progress(workspace=result.workspace, user=admin, goal=goal, today=today).status
        for key, goal in result.goals.items()
    }
    assert statuses == expected
    assert [statuses[k] for k in ("growth", "dissemination", "conversion")] == [
        "on_track",
        "at_risk",
        "off_track",
    ]
    for goal in result.goals.values():
        assert goal.period_start <= today <= goal.period_end
        assert goal.owner is not None and goal.accounts.exists()
        if goal.metric == "interaction_rate":
            assert goal.baseline < goal.target < 1


@pytest.mark.django_db
def test_goals_of_all_three_kinds_with_strategies_of_several_kinds() -> None:
    result = demo_seed(today=TODAY)
    assert {g.kind for g in result.goals.values()} == set(GoalKind.values)
    strategies = Strategy.objects.filter(workspace=result.workspace)
    assert strategies.values("kind").distinct().count() >= 4
    assert all(s.goals.exists() for s in strategies)
    campaign = result.strategies["campaign"]
    assert (campaign.start_date, campaign.end_date) == (
        result.calendar.campaign.start,
        result.calendar.campaign.end,
    )
    effect = strategy_effect(
        workspace=result.workspace, user=result.users["analyst"], strategy=campaign, today=TODAY
    )
    assert effect.state == "finished"
    for row in effect.rows:
        assert row.change_pct is not None and row.change_pct > 20, (row.goal.name, row.change_pct)


def test_tuned_targets_fall_where_the_status_rule_puts_them() -> None:
    low, high = 1234.5, 1500.0
    assert float(tuned_target("on_track", low, high, rate=False)) <= low
    assert low < float(tuned_target("at_risk", low, high, rate=False)) < high
    assert float(tuned_target("off_track", low, high, rate=False)) > high
    assert low < float(tuned_target("at_risk", low, low + 3, rate=False)) < low + 3
    rate_low, rate_high = 0.0512, 0.0538
    assert float(tuned_target("on_track", rate_low, rate_high, rate=True)) <= rate_low
    assert rate_low < float(tuned_target("at_risk", rate_low, rate_high, rate=True)) < rate_high
    assert float(tuned_target("off_track", rate_low, rate_high, rate=True)) > rate_high


@pytest.mark.django_db
def test_the_demo_inbox_has_waiting_answered_and_flagged_work() -> None:
    workspace = demo_seed().workspace
    threads = Thread.objects.filter(workspace=workspace)
    assert threads.filter(status="open").exists()  # waiting in the queues
    assert threads.filter(status="closed", first_response_seconds__isnull=False).exists()  # answered history
    assert Reply.objects.filter(workspace=workspace, status="sent").exists()
    assert SavedReply.objects.filter(workspace=workspace, flagged=True).count() == 1
    assert threads.exclude(assignee=None).exists()
