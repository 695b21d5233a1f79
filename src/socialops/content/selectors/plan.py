"""Reads of the publishing plan: cadence and capacity rules, runs, placements, the generator's inputs.

The generator's explanation codes are stored; content/presenters.py says them in the reader's
language when someone reads them (report_view here, placement_as_dict).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import own_accounts
from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace
from socialops.workspaces.selectors import member_rows

from .. import hooks, planner
from ..models import (
    CadenceRule,
    CapacityRule,
    ContentForm,
    ContentItem,
    HolidayMode,
    Importance,
    Placement,
    PlacementSource,
    PlanRun,
    Theme,
)
from ..presenters import calendar_state, explain, explanation_text, form_label, moment, status_label
from .calendar import calendar_days_for_system, resolve_calendar_link
from .items import backlog_for_system, theme_targets_for_system

MAX_ID = 2_147_483_647
# A FullCalendar view never asks for more than six weeks; the list view a little more.
MAX_FEED_DAYS = 100


# ---- time --------------------------------------------------------------------------------------


def to_local(workspace: Workspace, moment: dt.datetime) -> dt.datetime:
    """An aware time as the naive local time the planner works in."""
    return moment.astimezone(workspace.tz).replace(tzinfo=None)


def to_aware(workspace: Workspace, moment: dt.datetime) -> dt.datetime:
    """A naive local time (or an aware one) as an aware time; naive means the workspace's zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=workspace.tz)
    return moment


def local_now(workspace: Workspace) -> dt.datetime:
    """Now, as the workspace's naive local time."""
    return to_local(workspace, timezone.now())


def day_bounds(workspace: Workspace, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware [start 00:00, the day after end 00:00) in the workspace's zone."""
    tz = workspace.tz
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


# ---- cadence and capacity ----------------------------------------------------------------------


def own_account_get(*, workspace: Workspace, user: Any, account_id: int) -> SocialAccount:
    """One of our own accounts, or Http404."""
    return get_object_or_404(own_accounts(workspace=workspace, user=user), pk=account_id)


def cadence_rule_for_system(*, workspace: Workspace, account: SocialAccount) -> CadenceRule:
    """The account's cadence rule, or an unsaved one with the defaults."""
    rule = CadenceRule.objects.filter(workspace=workspace, account=account).first()
    return rule or CadenceRule(workspace=workspace, account=account)


def cadence_rule_get(*, workspace: Workspace, user: Any, account: SocialAccount) -> CadenceRule:
    """The account's cadence rule as a member sees it (the defaults when none was set)."""
    membership_get(workspace=workspace, user=user)
    if account.workspace_id != workspace.pk:
        raise Http404
    return cadence_rule_for_system(workspace=workspace, account=account)


def cadence_rules(*, workspace: Workspace, user: Any) -> list[tuple[SocialAccount, CadenceRule]]:
    """Every own account with its cadence rule (the defaults where none was set)."""
    accounts = list(own_accounts(workspace=workspace, user=user))
    rules = {r.account_id: r for r in CadenceRule.objects.filter(workspace=workspace)}
    return [(a, rules.get(a.pk) or CadenceRule(workspace=workspace, account=a)) for a in accounts]


def cadence_of(rule: CadenceRule) -> planner.Cadence:
    """A stored cadence rule as the planner's value type."""
    posts = {}
    for key in range(1, 8):
        low, high = (rule.posts_per_weekday or {}).get(str(key), [0, 0])
        posts[key] = (int(low), int(high))
    return planner.Cadence(
        posts_per_weekday=posts,
        holiday_mode=rule.holiday_mode,
        makeup_as_workday=rule.makeup_as_workday,
        min_gap_minutes=int(rule.min_gap_minutes),
        quiet_start=rule.quiet_start,
        quiet_end=rule.quiet_end,
        form_limits={str(k): int(v) for k, v in sorted((rule.form_limits or {}).items())},
    )


def cadence_summary(rule: CadenceRule) -> dict[str, Any]:
    """A cadence rule as the pages and the API show it."""
    days = []
    for key in range(1, 8):
        low, high = (rule.posts_per_weekday or {}).get(str(key), [0, 0])
        days.append({"weekday": key, "label": str(WEEKDAYS[key - 1]), "min": int(low), "max": int(high)})
    limits = [
        {
            "form": form,
            "label": str(ContentForm(form).label) if form in ContentForm.values else form,
            "limit": n,
        }
        for form, n in sorted((rule.form_limits or {}).items())
    ]
    return {
        "days": days,
        "per_week_min": sum(d["min"] for d in days),
        "per_week_max": sum(d["max"] for d in days),
        "holiday_mode": rule.holiday_mode,
        "holiday_mode_label": str(HolidayMode(rule.holiday_mode).label),
        "makeup_as_workday": rule.makeup_as_workday,
        "min_gap_minutes": rule.min_gap_minutes,
        "quiet_start": rule.quiet_start,
        "quiet_end": rule.quiet_end,
        "form_limits": limits,
        "is_default": rule.pk is None,
    }


def capacity_list(*, workspace: Workspace, user: Any) -> QuerySet[CapacityRule]:
    """Capacity rules: the whole workspace's first, then per owner."""
    return (
        member_rows(CapacityRule, workspace=workspace, user=user)
        .select_related("owner")
        .order_by("owner__username", "pk")
    )


def capacity_get(*, workspace: Workspace, user: Any, rule_id: int) -> CapacityRule:
    """One capacity rule of this workspace, or Http404."""
    return get_object_or_404(capacity_list(workspace=workspace, user=user), pk=rule_id)


def capacity_for_system(*, workspace: Workspace) -> planner.Capacity:
    """The workspace's capacity rules as the planner's value type."""
    total = None
    per_owner = {}
    for rule in CapacityRule.objects.filter(workspace=workspace).order_by("pk"):
        if rule.owner_id is None:
            total = int(rule.items_per_week)
        else:
            per_owner[int(rule.owner_id)] = int(rule.items_per_week)
    return planner.Capacity(workspace_per_week=total, per_owner=per_owner)


# ---- the generator's inputs --------------------------------------------------------------------


def backlog_item_of(
    workspace: Workspace, item: ContentItem, links: dict[str, Any] | None = None
) -> planner.BacklogItem:
    """A content item as the planner sees it: calendar links resolved to dates, a live stream's set time."""
    cache = links if links is not None else {}
    resolved = []
    for key in item.calendar_links or []:
        if not isinstance(key, str):
            continue
        if key not in cache:
            cache[key] = resolve_calendar_link(workspace=workspace, key=key)
        found = cache[key]
        if found is not None:
            resolved.append(planner.LinkedDate(found.key, found.kind, found.name, found.start, found.end))
    fixed = None
    if item.form == ContentForm.LIVE and item.live_starts_at is not None:
        fixed = to_local(workspace, item.live_starts_at).replace(second=0, microsecond=0)
    return planner.BacklogItem(
        id=item.pk,
        theme_id=item.theme_id,
        form=item.form,
        title=item.title,
        owner_id=item.owner_id,
        importance=item.importance,
        deadline=item.deadline if not item.evergreen else None,
        links=tuple(sorted(resolved, key=lambda x: (x.start, x.key))),
        accounts=tuple(sorted(a.pk for a in item.accounts.all())),
        fixed_at=fixed,
    )


def _account_inputs(
    workspace: Workspace, accounts: Sequence[SocialAccount]
) -> tuple[planner.AccountInput, ...]:
    rules = {r.account_id: r for r in CadenceRule.objects.filter(workspace=workspace, account__in=accounts)}
    best = hooks.best_hours_provider.first(default={}, workspace=workspace, accounts=accounts)
    out = []
    for account in accounts:
        rule = rules.get(account.pk) or CadenceRule(workspace=workspace, account=account)
        hours = best.get(account.pk) or planner.BestHours(source="platform_default", posts=0)
        targets = theme_targets_for_system(workspace=workspace, account=account)
        out.append(planner.AccountInput(account.pk, str(account), cadence_of(rule), hours, targets))
    return tuple(out)


def _kept(workspace: Workspace, placements: Iterable[Placement]) -> tuple[planner.KeptPlacement, ...]:
    return tuple(
        planner.KeptPlacement(
            account_id=p.account_id,
            item_id=p.item_id,
            starts_at=to_local(workspace, p.starts_at),
            theme_id=p.item.theme_id,
            form=p.item.form,
            owner_id=p.item.owner_id,
            ref=p.pk,
        )
        for p in placements
    )


# Item states whose placements carry a publication on its way or out: a new plan leaves them.
PINNED_STATUSES = ("scheduled", "publishing", "published", "failed", "unknown")


def replaceable_placements(
    *, workspace: Workspace, accounts: Sequence[SocialAccount], start: dt.date, end: dt.date
) -> QuerySet[Placement]:
    """The generator's own placements a new run of the period replaces: not locked, not moved or
    placed by hand, not yet in the past, and not of an item already scheduled (its publication
    is due at that placement's time)."""
    first, after = day_bounds(workspace, start, end)
    first = max(first, timezone.now())
    return Placement.objects.filter(
        workspace=workspace,
        account__in=accounts,
        source=PlacementSource.GENERATOR,
        locked=False,
        starts_at__gte=first,
        starts_at__lt=after,
    ).exclude(item__status__in=PINNED_STATUSES)


def plan_input_for_system(
    *,
    workspace: Workspace,
    start: dt.date,
    end: dt.date,
    accounts: Sequence[SocialAccount],
    now: dt.datetime | None = None,
) -> planner.PlanInput:
    """Everything the generator needs for a period and accounts, loaded with a handful of queries.

    Placements the run would replace are left out of ``keep``; all others of these accounts are
    kept (a person's, locked ones, past ones and those outside the period).
    """
    days = tuple(calendar_days_for_system(workspace=workspace, start=start, end=end))
    themes = {
        t.pk: t.name for t in Theme.objects.filter(workspace=workspace).order_by("position", "name", "pk")
    }
    links: dict[str, Any] = {}
    backlog = tuple(
        backlog_item_of(workspace, item, links)
        for item in backlog_for_system(workspace=workspace, accounts=accounts, start=start, end=end)
    )
    replace_ids = replaceable_placements(workspace=workspace, accounts=accounts, start=start, end=end).values(
        "pk"
    )
    kept = (
        Placement.objects.filter(workspace=workspace, account__in=accounts)
        .exclude(pk__in=replace_ids)
        .select_related("item")
        .order_by("starts_at", "pk")
    )
    return planner.PlanInput(
        start=start,
        end=end,
        days=days,
        accounts=_account_inputs(workspace, accounts),
        themes=themes,
        backlog=backlog,
        capacity=capacity_for_system(workspace=workspace),
        keep=_kept(workspace, kept),
        now=now if now is not None else local_now(workspace),
    )


def urgent_state_for_system(
    *,
    workspace: Workspace,
    account: SocialAccount,
    start: dt.date,
    end: dt.date,
    extra: Iterable[ContentItem] = (),
) -> tuple[planner.Plan, dict[int, Placement]]:
    """The account's current plan from ``start`` to ``end`` (for an urgent insertion) and its rows by id.

    The generator's unlocked placements from now on may move; everything else stays.
    """
    now = local_now(workspace)
    first, after = day_bounds(workspace, start, end)
    rows = list(
        Placement.objects.filter(workspace=workspace, account=account)
        .select_related("item")
        .prefetch_related("item__accounts")
        .order_by("starts_at", "pk")
    )
    movable_rows = [
        p
        for p in rows
        if p.source == PlacementSource.GENERATOR
        and not p.locked
        and p.starts_at >= timezone.now()
        and first <= p.starts_at < after
    ]
    movable_ids = {p.pk for p in movable_rows}
    kept_rows = [p for p in rows if p.pk not in movable_ids]
    links: dict[str, Any] = {}
    backlog = [backlog_item_of(workspace, p.item, links) for p in movable_rows]
    backlog += [backlog_item_of(workspace, item, links) for item in extra]
    inp = planner.PlanInput(
        start=start,
        end=end,
        days=tuple(calendar_days_for_system(workspace=workspace, start=start, end=end)),
        accounts=_account_inputs(workspace, [account]),
        themes={},
        backlog=tuple(backlog),
        capacity=planner.Capacity(),
        keep=_kept(workspace, kept_rows),
        now=now,
    )
    movable = [
        planner.Placed(
            account.pk,
            p.item_id,
            to_local(workspace, p.starts_at),
            list(p.explanation or []),
            True,
            False,
            p.pk,
        )
        for p in movable_rows
    ]
    return planner.plan_from_placements(inp, movable), {p.pk: p for p in rows}


# ---- runs and placements -----------------------------------------------------------------------


def plan_run_list(*, workspace: Workspace, user: Any) -> QuerySet[PlanRun]:
    """Runs of the generator and urgent insertions, newest first."""
    return (
        member_rows(PlanRun, workspace=workspace, user=user)
        .select_related("created_by")
        .prefetch_related("accounts")
        .order_by("-created_at", "-pk")
    )


def plan_run_get(*, workspace: Workspace, user: Any, run_id: int) -> PlanRun:
    """One run of this workspace, or Http404."""
    return get_object_or_404(plan_run_list(workspace=workspace, user=user), pk=run_id)


def plan_run_latest(*, workspace: Workspace, user: Any, kind: str = "generate") -> PlanRun | None:
    """The newest run of the generator (its warnings are shown above the calendar)."""
    return plan_run_list(workspace=workspace, user=user).filter(report__kind=kind).first()


def _placements(workspace: Workspace) -> QuerySet[Placement]:
    return Placement.objects.filter(workspace=workspace).select_related("item", "item__theme", "account")


def placement_list(
    *,
    workspace: Workspace,
    user: Any,
    start: dt.date | None = None,
    end: dt.date | None = None,
    account: int | None = None,
    run: int | None = None,
) -> QuerySet[Placement]:
    """Placements in time order, from ``start`` to ``end`` (local dates, inclusive), optionally one account's."""
    membership_get(workspace=workspace, user=user)
    qs = _placements(workspace)
    if start is not None:
        qs = qs.filter(starts_at__gte=day_bounds(workspace, start, start)[0])
    if end is not None:
        qs = qs.filter(starts_at__lt=day_bounds(workspace, end, end)[1])
    if account is not None:
        qs = qs.filter(account_id=account)
    if run is not None:
        qs = qs.filter(plan_run_id=run)
    return qs.order_by("starts_at", "account_id", "pk")


def placement_get(*, workspace: Workspace, user: Any, placement_id: int) -> Placement:
    """One placement of this workspace, or Http404."""
    membership_get(workspace=workspace, user=user)
    return get_object_or_404(_placements(workspace), pk=placement_id)


def placeable_items(*, workspace: Workspace, user: Any) -> QuerySet[ContentItem]:
    """Items a person may place by hand or insert as urgent (not published or archived)."""
    return (
        member_rows(ContentItem, workspace=workspace, user=user)
        .exclude(status__in=("published", "archived"))
        .select_related("theme")
        .order_by("-updated_at", "-pk")
    )


def _text_colour(background: str) -> str:
    """Black or white, whichever has the higher WCAG contrast ratio on the theme's colour."""
    try:
        channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    except (ValueError, IndexError):
        return "#ffffff"
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # Black's ratio (L + .05) / .05 beats white's 1.05 / (L + .05) above L ≈ 0.179.
    return "#000000" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def placement_as_dict(workspace: Workspace, p: Placement) -> dict[str, Any]:
    """A placement with its item, account, theme and its explanation in the reader's language."""
    theme = p.item.theme
    return {
        "id": p.pk,
        "item_id": p.item_id,
        "item_title": p.item.title,
        "account_id": p.account_id,
        # "name (platform)": a brand's accounts often share one display name.
        "account": str(p.account),
        "theme_id": theme.pk,
        "theme": theme.name,
        "color": theme.color,
        "form": p.item.form,
        "form_label": form_label(p.item.form),
        "importance": p.item.importance,
        "importance_label": str(Importance(p.item.importance).label)
        if p.item.importance in Importance.values
        else p.item.importance,
        "starts_at": p.starts_at.astimezone(workspace.tz),
        "local_time": to_local(workspace, p.starts_at).strftime("%Y-%m-%d %H:%M"),
        "source": p.source,
        "source_label": str(PlacementSource(p.source).label)
        if p.source in PlacementSource.values
        else p.source,
        "locked": p.locked,
        "plan_run_id": p.plan_run_id,
        "explanation": p.explanation or [],
        "explanation_text": explanation_text(p.explanation or []),
    }


def placement_feed(
    *, workspace: Workspace, user: Any, start: dt.date, end: dt.date, account: int | None = None
) -> list[dict[str, Any]]:
    """FullCalendar events for ``start``–``end``: coloured by theme, titled item · account.

    Times are the workspace's local wall-clock time without an offset (the page shows the
    calendar in the workspace's time, whatever the browser's zone).
    """
    membership = membership_get(workspace=workspace, user=user)
    can_edit = membership.has_perm("content.edit")
    events = []
    for p in placement_list(workspace=workspace, user=user, start=start, end=end, account=account):
        data = placement_as_dict(workspace, p)
        local = to_local(workspace, p.starts_at)
        state = calendar_state(p.item.status)
        events.append(
            {
                "id": str(p.pk),
                "title": f"{p.item.title} · {p.account}",
                "start": local.strftime("%Y-%m-%dT%H:%M:%S"),
                "end": (local + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S"),
                "allDay": False,
                "backgroundColor": data["color"],
                "borderColor": data["color"],
                "textColor": _text_colour(data["color"]),
                "editable": can_edit and not p.locked,
                "classNames": [
                    "plan-event",
                    "plan-locked" if p.locked else "plan-free",
                    f"plan-{p.source}",
                    f"plan-state-{state}",
                ],
                "extendedProps": {
                    "placementId": p.pk,
                    "itemId": p.item_id,
                    "itemUrl": reverse("content_detail", args=[workspace.slug, p.item_id]),
                    "itemTitle": p.item.title,
                    "status": p.item.status,
                    "state": state,
                    "statusLabel": status_label(p.item.status),
                    "localTime": local.strftime("%H:%M"),
                    "account": data["account"],
                    "accountId": p.account_id,
                    "theme": data["theme"],
                    "form": data["form_label"],
                    "importance": data["importance_label"],
                    "source": data["source_label"],
                    "locked": p.locked,
                    "time": data["local_time"],
                    "explanation": data["explanation_text"],
                },
            }
        )
    return events


# ---- a run's report in the reader's language ---------------------------------------------------


def report_view(run: PlanRun) -> dict[str, Any]:
    """A run's report with every entry rendered in the reader's language (for pages, API and CLI)."""
    report = run.report or {}
    # "name (platform)": a brand's accounts often share one display name.
    accounts = {a.pk: str(a) for a in SocialAccount.objects.filter(workspace_id=run.workspace_id)}

    def label(account_id: Any) -> str:
        return accounts.get(account_id, str(account_id))

    slots = report.get("slots") or {}
    return {
        "kind": report.get("kind", "generate"),
        "slots": slots,
        "empty_total": slots.get("empty", 0),
        "by_account": report.get("by_account") or [],
        "warnings": [explain(w.get("code", ""), w.get("params")) for w in report.get("warnings") or []],
        "short_themes": [
            {**s, "account_label": label(s.get("account"))} for s in report.get("short_themes") or []
        ],
        "empty_slots": [
            {**e, "account_label": label(e.get("account"))} for e in report.get("empty_slots") or []
        ],
        "moves": [
            {
                **m,
                "account_label": label(m.get("account")),
                "from": moment(m.get("from")),
                "to": moment(m["to"]) if m.get("to") else None,
            }  # fmt: skip
            for m in report.get("moves") or []
        ],
        "unplaced": [
            {
                **u,
                "account_label": label(u.get("account")),
                "reason_text": explain(u.get("reason", ""), u.get("params")),
            }
            for u in report.get("unplaced") or []
        ],
        "uncovered_years": (report.get("uncovered") or {}).get("years", []),
        "capacity": report.get("capacity") or [],
        "backlog": report.get("backlog") or {},
    }


def ids_of(values: Iterable[Any]) -> list[int]:
    """Distinct positive ids in their order (for query-string lists)."""
    out: list[int] = []
    for v in values:
        try:
            n = int(v)
        except (TypeError, ValueError):
            continue
        if 1 <= n <= MAX_ID and n not in out:
            out.append(n)
    return out


def accounts_by_ref(*, workspace: Workspace, refs: Iterable[str]) -> list[SocialAccount]:
    """Own accounts named by id or handle (for the CLI); raises Http404 naming nothing it cannot find."""
    out = []
    for ref in refs:
        ref = ref.strip()
        if not ref:
            continue
        q = Q(handle=ref)
        if ref.isdigit() and int(ref) <= MAX_ID:
            q |= Q(pk=int(ref))
        account = (
            SocialAccount.objects.filter(q, workspace=workspace, is_competitor=False).order_by("pk").first()
        )
        if account is None:
            raise Http404(ref)
        if account not in out:
            out.append(account)
    return out


def own_accounts_for_system(*, workspace: Workspace) -> QuerySet[SocialAccount]:
    """Our own accounts, for code acting as the system."""
    return SocialAccount.objects.filter(workspace=workspace, is_competitor=False).order_by("pk")


def placements_of_run(*, run: PlanRun) -> QuerySet[Placement]:
    """A run's placements in time order (for the CLI, acting as the system)."""
    return _placements(run.workspace).filter(plan_run=run).order_by("starts_at", "account_id", "pk")
