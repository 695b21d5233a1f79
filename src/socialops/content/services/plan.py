"""Writes of the publishing plan (R2.4–R2.6): cadence and capacity rules, generator runs, placements.

Each service checks the permission, validates, writes and records the audit entry in one
transaction. The plan itself is computed by the pure planner (content/planner.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.actors import user_or_none
from socialops.workspaces.access import require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, edit_snapshot, snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm

from .. import hooks, planner
from ..models import (
    CadenceRule,
    CapacityRule,
    ContentForm,
    ContentItem,
    HolidayMode,
    Placement,
    PlacementSource,
    PlanRun,
)
from ..presenters import explain
from ..selectors import plan as sel
from ..selectors.calendar import EARLIEST, LATEST, check_range

# Longer runs are split by the team anyway; this keeps one run well under a few seconds.
MAX_PERIOD_DAYS = 186
MAX_ACCOUNTS = 200
# How far ahead an urgent insertion may re-flow when no plan reaches further.
URGENT_HORIZON_DAYS = 28


def _explained(problems: list[dict[str, Any]]) -> list[str]:
    return [explain(p["code"], p["params"]) for p in problems]


# ---- cadence -----------------------------------------------------------------------------------


def _fits_per_day(min_gap: int, quiet_start: dt.time, quiet_end: dt.time) -> int:
    """How many posts fit in one day on whole hours outside quiet hours with the minimum gap."""
    cadence = planner.Cadence(min_gap_minutes=min_gap, quiet_start=quiet_start, quiet_end=quiet_end)
    fitted: list[int] = []
    for hour in range(24):
        if cadence.is_quiet(dt.time(hour)):
            continue
        if not fitted or (hour - fitted[-1]) * 60 >= min_gap:
            fitted.append(hour)
    return len(fitted)


def _clean_posts(value: Any, errors: dict[str, list[str]]) -> dict[str, list[int]]:
    cleaned: dict[str, list[int]] = {}
    if not isinstance(value, Mapping):
        errors["posts_per_weekday"] = [
            _('Give the posts per weekday as {"1": [min, max], …, "7": [min, max]}.')
        ]
        return cleaned
    keys = {str(k) for k in value}
    if keys != {str(n) for n in range(1, 8)}:
        errors["posts_per_weekday"] = [
            _("Give a minimum and a maximum for each weekday 1 (Monday) to 7 (Sunday).")
        ]
        return cleaned
    for key in range(1, 8):
        pair = value.get(str(key), value.get(key))  # type: ignore[call-overload]
        if (
            not isinstance(pair, list | tuple)
            or len(pair) != 2
            or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
        ):
            errors["posts_per_weekday"] = [_("Each weekday needs two whole numbers: minimum and maximum.")]
            return cleaned
        low, high = pair
        if not 0 <= low <= high <= planner.MAX_POSTS_PER_DAY:
            errors["posts_per_weekday"] = [
                _("For each weekday: 0 ≤ minimum ≤ maximum ≤ %(max)s posts.")
                % {"max": planner.MAX_POSTS_PER_DAY}
            ]
            return cleaned
        cleaned[str(key)] = [low, high]
    return cleaned


def _clean_limits(value: Any, errors: dict[str, list[str]]) -> dict[str, int]:
    if not isinstance(value, Mapping):
        errors["form_limits"] = [_("Give the weekly limits as {form: number}.")]
        return {}
    cleaned: dict[str, int] = {}
    for form, limit in value.items():
        if form not in ContentForm.values:
            errors["form_limits"] = [
                _("Unknown form; use one of: %(forms)s.") % {"forms": ", ".join(ContentForm.values)}
            ]
            return {}
        if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= planner.MAX_FORM_LIMIT:
            errors["form_limits"] = [
                _("A weekly limit is a whole number from 0 to %(max)s.") % {"max": planner.MAX_FORM_LIMIT}
            ]
            return {}
        cleaned[str(form)] = limit
    return dict(sorted(cleaned.items()))


@transaction.atomic
def cadence_rule_set(
    *,
    workspace: Workspace,
    actor: Any,
    account: SocialAccount,
    posts_per_weekday: Mapping[Any, Any] | None = None,
    holiday_mode: str | None = None,
    makeup_as_workday: bool | None = None,
    min_gap_minutes: int | None = None,
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
    form_limits: Mapping[str, Any] | None = None,
) -> CadenceRule:
    """Set an account's cadence (fields left None keep their current or default value)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    if account.workspace_id != workspace.pk:
        raise ValidationError({"account": [_("Not found.")]})
    if account.is_competitor:
        raise ValidationError({"account": [_("Competitors' accounts are not planned.")]})
    rule = CadenceRule.objects.select_for_update().filter(workspace=workspace, account=account).first()
    created = rule is None
    if rule is None:
        rule = CadenceRule(workspace=workspace, account=account)
    before = None if created else edit_snapshot(rule)
    errors: dict[str, list[str]] = {}
    posts = _clean_posts(rule.posts_per_weekday if posts_per_weekday is None else posts_per_weekday, errors)
    mode = rule.holiday_mode if holiday_mode is None else holiday_mode
    if mode not in HolidayMode.values:
        errors["holiday_mode"] = [
            _("Choose how public holidays count: like a weekend, no posts, or like a workday.")
        ]
    gap = rule.min_gap_minutes if min_gap_minutes is None else min_gap_minutes
    if not isinstance(gap, int) or isinstance(gap, bool) or not 0 <= gap <= planner.MAX_GAP_MINUTES:
        errors["min_gap_minutes"] = [
            _("The minimum gap is a whole number of minutes from 0 to %(max)s.")
            % {"max": planner.MAX_GAP_MINUTES}
        ]
    start = rule.quiet_start if quiet_start is None else quiet_start
    end = rule.quiet_end if quiet_end is None else quiet_end
    for value, name in ((start, "quiet_start"), (end, "quiet_end")):
        if not isinstance(value, dt.time):
            errors[name] = [_("Enter a time of day (HH:MM).")]
    # Quiet hours are wall-clock times of the workspace's zone; an offset sent with them means nothing.
    if isinstance(start, dt.time):
        start = start.replace(tzinfo=None)
    if isinstance(end, dt.time):
        end = end.replace(tzinfo=None)
    limits = _clean_limits(rule.form_limits if form_limits is None else form_limits, errors)
    if not errors:
        fits = _fits_per_day(gap, start, end)
        highest = max(high for _low, high in posts.values())
        if highest > fits:
            errors["posts_per_weekday"] = [
                _(
                    "At most %(n)s posts fit in a day outside quiet hours (%(start)s–%(end)s) with a %(gap)s-minute gap; "
                    "lower the maximum, the gap or the quiet hours."
                )
                % {"n": fits, "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M"), "gap": gap}
            ]
    if errors:
        raise ValidationError(errors)
    rule.posts_per_weekday = posts
    rule.holiday_mode = mode
    if makeup_as_workday is not None:
        rule.makeup_as_workday = bool(makeup_as_workday)
    rule.min_gap_minutes = gap
    rule.quiet_start = start.replace(second=0, microsecond=0)
    rule.quiet_end = end.replace(second=0, microsecond=0)
    rule.form_limits = limits
    rule.save()
    audit_saved(
        rule,
        workspace=workspace,
        actor=actor,
        action="cadence.create" if created else "cadence.update",
        before=before,
        snap=edit_snapshot,
    )
    return rule


# ---- capacity ----------------------------------------------------------------------------------


@transaction.atomic
def capacity_set(*, workspace: Workspace, actor: Any, owner: Any = None, items_per_week: int) -> CapacityRule:
    """Set what the team (owner None) or one owner can produce per week; replaces the previous figure."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    errors: dict[str, list[str]] = {}
    if owner is not None and not Membership.objects.filter(workspace=workspace, user_id=owner.pk).exists():
        errors["owner"] = [_("The owner must be a member of this workspace.")]
    if (
        not isinstance(items_per_week, int)
        or isinstance(items_per_week, bool)
        or not 0 <= items_per_week <= 10_000
    ):
        errors["items_per_week"] = [_("Enter a whole number of items from 0 to 10000.")]
    if errors:
        raise ValidationError(errors)
    rule = (
        CapacityRule.objects.select_for_update()
        .filter(workspace=workspace, owner_id=owner.pk if owner is not None else None)
        .first()
    )
    before = snapshot(rule) if rule is not None else None
    if rule is None:
        rule = CapacityRule(workspace=workspace, owner=owner, items_per_week=items_per_week)
    rule.items_per_week = items_per_week
    rule.save()
    audit_saved(
        rule,
        workspace=workspace,
        actor=actor,
        action="capacity.create" if before is None else "capacity.update",
        before=before,
    )
    return rule


@transaction.atomic
def capacity_delete(*, workspace: Workspace, actor: Any, rule: CapacityRule) -> None:
    """Remove a capacity rule (that owner, or the team, then has no limit)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    if rule.workspace_id != workspace.pk:
        raise ValidationError({"rule": [_("Not found.")]})
    audit_delete(rule, workspace=workspace, actor=actor, action="capacity.delete")


# ---- generator runs ----------------------------------------------------------------------------


def _check_accounts(workspace: Workspace, accounts: Iterable[Any]) -> list[SocialAccount]:
    chosen: list[SocialAccount] = []
    for account in accounts:
        if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
            raise ValidationError({"accounts": [_("Choose accounts of this workspace.")]})
        if account.is_competitor:
            raise ValidationError(
                {"accounts": [_("%(account)s is a competitor's account; only our own accounts are planned.") % {
                    "account": account}]}
            )  # fmt: skip
        if account not in chosen:
            chosen.append(account)
    if not chosen:
        raise ValidationError({"accounts": [_("Choose at least one account.")]})
    if len(chosen) > MAX_ACCOUNTS:
        raise ValidationError(
            {"accounts": [_("Plan at most %(n)s accounts at a time.") % {"n": MAX_ACCOUNTS}]}
        )
    return sorted(chosen, key=lambda a: a.pk)


def _placement_rows(
    workspace: Workspace, plan: planner.Plan, run: PlanRun, source: str = PlacementSource.GENERATOR
) -> list[Placement]:
    return [
        Placement(
            workspace=workspace,
            account_id=p.account_id,
            item_id=p.item_id,
            starts_at=sel.to_aware(workspace, p.starts_at),
            source=source,
            explanation=p.explanation,
            plan_run=run,
        )
        for p in plan.placements
        if not p.kept
    ]


@transaction.atomic
def plan_generate(
    *, workspace: Workspace, actor: Any, start: dt.date, end: dt.date, accounts: Iterable[SocialAccount]
) -> PlanRun:
    """Plan a period for accounts: replace the generator's earlier placements there (a person's and
    locked ones stay), store the new placements and the run's report."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    check_range(start, end, max_days=MAX_PERIOD_DAYS, too_long=_("Plan at most %(n)s days at a time."))
    chosen = _check_accounts(workspace, accounts)
    inp = sel.plan_input_for_system(workspace=workspace, start=start, end=end, accounts=chosen)
    plan = planner.generate(inp)
    replaced = sel.replaceable_placements(workspace=workspace, accounts=chosen, start=start, end=end)
    replaced_count = replaced.count()
    replaced.delete()
    report = {"kind": "generate", **plan.report}
    run = PlanRun.objects.create(
        workspace=workspace,
        period_start=start,
        period_end=end,
        report=report,
        created_by=user_or_none(actor),
    )
    run.accounts.set(chosen)
    created = Placement.objects.bulk_create(_placement_rows(workspace, plan, run), batch_size=500)
    approved = set(
        ContentItem.objects.filter(
            workspace=workspace, pk__in={p.item_id for p in created}, status="approved"
        ).values_list("pk", flat=True)
    )
    for placement in created:
        if placement.item_id in approved and placement.pk is not None:
            # An approved item placed by the generator is scheduled like one placed by hand.
            hooks.placement_changed.send(
                workspace=workspace, actor=actor, placement=placement, action="placement.create"
            )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="plan.generate",
        obj=run,
        after={
            "period_start": start,
            "period_end": end,
            "accounts": [a.pk for a in chosen],
            "placed": report["slots"]["filled"],
            "replaced": replaced_count,
            "empty_slots": report["slots"]["empty"],
        },
    )
    return run


# ---- placements --------------------------------------------------------------------------------


def _check_placement(workspace: Workspace, placement: Placement) -> None:
    if placement.workspace_id != workspace.pk:
        raise ValidationError({"placement": [_("Not found.")]})


def _local_time(workspace: Workspace, starts_at: Any, field: str = "starts_at") -> dt.datetime:
    """A time as the workspace's wall-clock time (a time without an offset already is one)."""
    if not isinstance(starts_at, dt.datetime):
        raise ValidationError({field: [_("Enter a date and time.")]})
    if not EARLIEST.year <= starts_at.year <= LATEST.year:
        raise ValidationError({field: [_("Enter a date between 2000 and 2100.")]})
    aware = sel.to_aware(workspace, starts_at)
    local = sel.to_local(workspace, aware)
    if not EARLIEST <= local.date() <= LATEST:
        raise ValidationError({field: [_("Enter a date between 2000 and 2100.")]})
    return local.replace(second=0, microsecond=0)


def _time_problems(
    workspace: Workspace, account: SocialAccount, item: ContentItem, local: dt.datetime, exclude: int | None
) -> list[str]:
    """Every rule the time breaks for this account and item (same rules as the generator's)."""
    rule = sel.cadence_rule_for_system(workspace=workspace, account=account)
    cadence = sel.cadence_of(rule)
    around = sel.day_bounds(
        workspace, local.date() - dt.timedelta(days=7), local.date() + dt.timedelta(days=7)
    )
    others = (
        Placement.objects.filter(
            workspace=workspace, account=account, starts_at__gte=around[0], starts_at__lt=around[1]
        )
        .exclude(pk=exclude or 0)
        .select_related("item")
    )
    times = [(sel.to_local(workspace, p.starts_at), p.item.form) for p in others]
    deadline = item.deadline if not item.evergreen else None
    problems = planner.time_violations(
        cadence, local, others=[t for t, _f in times], now=sel.local_now(workspace), deadline=deadline
    )
    limit = planner.form_limit_violation(cadence, item.form, local, times)
    if limit is not None:
        problems.append(limit)
    return _explained(problems)


# How far and how finely free_slots looks around a refused time.
SLOT_SEARCH_DAYS = 14
SLOT_STEP_MINUTES = 30


def free_slots(
    *,
    workspace: Workspace,
    account: SocialAccount,
    item: ContentItem,
    near: dt.datetime | None = None,
    count: int = 3,
    exclude: int | None = None,
) -> list[dt.datetime]:
    """The ``count`` free times (local, on the half hour) nearest ``near`` — or the next ones from
    now — where the account's cadence lets this item go (read-only; same rules as placing)."""
    now = sel.local_now(workspace)
    start = _local_time(workspace, near) if near is not None else now
    rule = sel.cadence_rule_for_system(workspace=workspace, account=account)
    cadence = sel.cadence_of(rule)
    span = dt.timedelta(days=SLOT_SEARCH_DAYS)
    around = sel.day_bounds(workspace, (start - span).date(), (start + span).date() + dt.timedelta(days=1))
    others = (
        Placement.objects.filter(
            workspace=workspace, account=account, starts_at__gte=around[0], starts_at__lt=around[1]
        )
        .exclude(pk=exclude or 0)
        .select_related("item")
    )
    times = [(sel.to_local(workspace, p.starts_at), p.item.form) for p in others]
    deadline = item.deadline if not item.evergreen else None
    step = dt.timedelta(minutes=SLOT_STEP_MINUTES)
    base = start.replace(minute=0, second=0, microsecond=0)
    if near is None:
        base += dt.timedelta(hours=1)
    offsets = range(0, int(span / step))
    candidates = []
    for k in offsets:
        candidates.append(base + k * step)
        if near is not None and k:
            candidates.append(base - k * step)
    found: list[dt.datetime] = []
    for moment in candidates:
        if moment <= now:
            continue
        problems = planner.time_violations(
            cadence, moment, others=[t for t, _f in times], now=now, deadline=deadline
        )
        if problems or planner.form_limit_violation(cadence, item.form, moment, times) is not None:
            continue
        found.append(moment)
        if len(found) >= count:
            break
    return sorted(found)


def _placement_after(placement: Placement) -> dict[str, Any]:
    # The explanation is derived data and updated_at changes on every save: neither is an edit.
    return snapshot(placement, exclude={"explanation", "updated_at"})


@transaction.atomic
def placement_move(
    *, workspace: Workspace, actor: Any, placement: Placement, starts_at: dt.datetime
) -> Placement:
    """Move a placement (a drag on the calendar): same rules as the generator; it becomes a person's,
    so regeneration keeps it."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    _check_placement(workspace, placement)
    local = _local_time(workspace, starts_at)
    problems = _time_problems(workspace, placement.account, placement.item, local, placement.pk)
    if problems:
        raise ValidationError({"starts_at": problems})
    before = _placement_after(placement)
    old = sel.to_local(workspace, placement.starts_at)
    reasons = [e for e in placement.explanation or [] if e.get("code") not in planner.SLOT_CODES | {"moved"}]
    placement.explanation = [*reasons, planner.entry("moved", **{"from": planner.iso_minutes(old)})]
    placement.starts_at = sel.to_aware(workspace, local)
    placement.source = PlacementSource.MANUAL
    placement.save()
    audit_saved(
        placement,
        workspace=workspace,
        actor=actor,
        action="placement.move",
        before=before,
        snap=_placement_after,
    )
    hooks.placement_changed.send(
        workspace=workspace, actor=actor, placement=placement, action="placement.move"
    )
    return placement


def _set_lock(workspace: Workspace, actor: Any, placement: Placement, locked: bool) -> Placement:
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    _check_placement(workspace, placement)
    before = _placement_after(placement)
    placement.locked = locked
    placement.save(update_fields=["locked", "updated_at"])
    audit_saved(
        placement,
        workspace=workspace,
        actor=actor,
        action="placement.lock" if locked else "placement.unlock",
        before=before,
        snap=_placement_after,
    )
    return placement


@transaction.atomic
def placement_lock(*, workspace: Workspace, actor: Any, placement: Placement) -> Placement:
    """Lock a placement: regeneration and urgent insertions leave it where it is."""
    return _set_lock(workspace, actor, placement, True)


@transaction.atomic
def placement_unlock(*, workspace: Workspace, actor: Any, placement: Placement) -> Placement:
    """Unlock a placement (a generator placement may then be re-planned)."""
    return _set_lock(workspace, actor, placement, False)


def _check_item_account(workspace: Workspace, item: ContentItem, account: SocialAccount) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(item, ContentItem) or item.workspace_id != workspace.pk:
        errors["item"] = [_("Choose an item of this workspace.")]
    if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
        errors["account"] = [_("Choose an account of this workspace.")]
    elif account.is_competitor:
        errors["account"] = [_("Competitors' accounts are not planned.")]
    if errors:
        raise ValidationError(errors)
    if item.status in ("published", "archived"):
        raise ValidationError({"item": [_("This item is already published or archived.")]})
    targets = list(item.accounts.values_list("pk", flat=True))
    if targets and account.pk not in targets:
        raise ValidationError(
            {"account": [_("This item is not meant for this account (see the item's accounts).")]}
        )


@transaction.atomic
def placement_create(
    *,
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    account: SocialAccount,
    starts_at: dt.datetime,
    locked: bool = False,
) -> Placement:
    """Place an item by hand for an account at a time (regeneration keeps it)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    _check_item_account(workspace, item, account)
    local = _local_time(workspace, starts_at)
    existing = Placement.objects.filter(workspace=workspace, item=item, account=account).first()
    if existing is not None:
        raise ValidationError(
            {"item": [_("This item is already planned for this account at %(at)s; move it instead.") % {
                "at": sel.to_local(workspace, existing.starts_at).strftime("%Y-%m-%d %H:%M")}]}
        )  # fmt: skip
    problems = _time_problems(workspace, account, item, local, None)
    if problems:
        raise ValidationError({"starts_at": problems})
    placement = Placement.objects.create(
        workspace=workspace,
        account=account,
        item=item,
        starts_at=sel.to_aware(workspace, local),
        source=PlacementSource.MANUAL,
        locked=bool(locked),
        explanation=[planner.entry("manual")],
    )
    audit_saved(placement, workspace=workspace, actor=actor, action="placement.create", snap=_placement_after)
    hooks.placement_changed.send(
        workspace=workspace, actor=actor, placement=placement, action="placement.create"
    )
    return placement


@transaction.atomic
def placement_delete(*, workspace: Workspace, actor: Any, placement: Placement) -> None:
    """Take an item off the plan (it goes back to the backlog)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    _check_placement(workspace, placement)
    hooks.placement_changed.send(
        workspace=workspace, actor=actor, placement=placement, action="placement.delete"
    )
    audit_delete(
        placement, workspace=workspace, actor=actor, action="placement.delete", snap=_placement_after
    )


# Long on purpose: loading the plan around the item, running the pure insertion and writing
# every move with its audit entry are one transaction and read best in one place.
@transaction.atomic
def urgent_insert(
    *,
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    account: SocialAccount,
    at: dt.datetime | None = None,
) -> PlanRun:
    """Insert an item as urgent for an account: at the earliest suitable slot (or ``at``), re-flowing
    the generator's placements it displaces; every move and anything that no longer fits is reported."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    _check_item_account(workspace, item, account)
    local_at = _local_time(workspace, at, "at") if at is not None else None
    now = sel.local_now(workspace)
    today = now.date()
    last_planned = (
        Placement.objects.filter(workspace=workspace, account=account, starts_at__gte=timezone.now())
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    end = today + dt.timedelta(days=URGENT_HORIZON_DAYS - 1)
    if last_planned is not None:
        end = max(end, sel.to_local(workspace, last_planned).date())
    if local_at is not None:
        end = max(end, local_at.date())
    end = min(end, today + dt.timedelta(days=MAX_PERIOD_DAYS - 1))
    if local_at is not None and local_at.date() > end:
        raise ValidationError(
            {"at": [_("Choose a time within the next %(n)s days.") % {"n": MAX_PERIOD_DAYS}]}
        )
    state, rows = sel.urgent_state_for_system(
        workspace=workspace, account=account, start=today, end=end, extra=[item]
    )
    urgent = sel.backlog_item_of(workspace, item)
    try:
        result = planner.insert_urgent(state, urgent, account.pk, local_at)
    except planner.PlanError as exc:
        raise ValidationError({"at": [explain(exc.code, exc.params)]}) from None
    report = {
        "kind": "urgent",
        "item": item.pk,
        "title": item.title,
        "account": account.pk,
        "at": planner.iso_minutes(local_at) if local_at else None,
        "moves": result.report["moves"],
        "unplaced": result.report["unplaced"],
    }
    run = PlanRun.objects.create(
        workspace=workspace,
        period_start=today,
        period_end=end,
        report=report,
        created_by=user_or_none(actor),
    )
    run.accounts.set([account])
    by_ref = {p.ref: p for p in result.placements if p.ref is not None}
    for ref, row in rows.items():
        if row.source != PlacementSource.GENERATOR or row.locked:
            continue
        moved = by_ref.get(ref)
        if moved is None:
            if any(u["item"] == row.item_id for u in result.report["unplaced"]):
                hooks.placement_changed.send(
                    workspace=workspace, actor=actor, placement=row, action="placement.delete"
                )
                row.delete()
            continue
        new_time = sel.to_aware(workspace, moved.starts_at)
        if new_time != row.starts_at:
            row.starts_at = new_time
            row.explanation = moved.explanation
            row.plan_run = run
            row.save(update_fields=["starts_at", "explanation", "plan_run", "updated_at"])
            hooks.placement_changed.send(
                workspace=workspace, actor=actor, placement=row, action="placement.move"
            )
    placed = next(
        (p for p in result.placements if p.item_id == item.pk and p.account_id == account.pk and p.movable),
        None,
    )
    if placed is not None:
        Placement.objects.filter(workspace=workspace, item=item, account=account).delete()
        inserted = Placement.objects.create(
            workspace=workspace,
            account=account,
            item=item,
            starts_at=sel.to_aware(workspace, placed.starts_at),
            source=PlacementSource.MANUAL,
            explanation=placed.explanation,
            plan_run=run,
        )
        hooks.placement_changed.send(
            workspace=workspace, actor=actor, placement=inserted, action="placement.create"
        )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="plan.urgent_insert",
        obj=run,
        after={
            "item": item.pk,
            "account": account.pk,
            "at": report["at"],
            "moves": len(report["moves"]),
            "unplaced": [u["item"] for u in report["unplaced"]],
        },
    )
    return run
