"""Writes on goals and strategies (R1.3, R1.5), each validated and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.validation import refuse_unknown_fields
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_saved, snapshot
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm

from ..metrics import CATALOGUE, SUM
from ..models import Goal, GoalKind, Strategy, StrategyKind

# Dates outside this range are typos (and keep date arithmetic far from date.min/max).
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)

GOAL_FIELDS = (
    "kind", "name", "metric", "baseline", "target", "period_start", "period_end", "owner", "accounts", "description",
)  # fmt: skip
STRATEGY_FIELDS = ("kind", "name", "goals", "start_date", "end_date", "description", "owner")


def _decimal(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append(_("Enter a number."))
        return None
    if abs(number) >= Decimal("1e12"):
        errors.setdefault(field, []).append(_("This number is too large."))
        return None
    return number.quantize(Decimal("0.0001"))


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_period(
    start: Any, end: Any, start_field: str, end_field: str, errors: dict[str, list[str]]
) -> None:
    # Longer periods make a daily forecast meaningless and usually mean a typo in the year.
    for value, name in ((start, start_field), (end, end_field)):
        if not isinstance(value, dt.date):
            errors.setdefault(name, []).append(_("Enter a valid date."))
        elif not EARLIEST <= value <= LATEST:
            errors.setdefault(name, []).append(_("Enter a date between 2000 and 2100."))
    if start_field in errors or end_field in errors:
        return
    if end < start:
        errors.setdefault(end_field, []).append(_("The end date cannot be before the start date."))
    elif end >= _add_years(start, 2):
        errors.setdefault(end_field, []).append(_("A period can be at most two years long."))


def _check_owner(workspace: Workspace, owner: Any, errors: dict[str, list[str]]) -> None:
    if owner is not None and not Membership.objects.filter(workspace=workspace, user_id=owner.pk).exists():
        errors.setdefault("owner", []).append(_("The owner must be a member of this workspace."))


def _check_text(name: Any, description: Any, errors: dict[str, list[str]]) -> None:
    if not isinstance(name, str) or not name.strip():
        errors.setdefault("name", []).append(_("This field is required."))
    elif len(name.strip()) > 150:
        errors.setdefault("name", []).append(_("Use at most 150 characters."))
    if not isinstance(description, str) or len(description) > 5000:
        errors.setdefault("description", []).append(_("Use at most 5000 characters."))


def _validate_goal(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Check a goal's fields together; returns them cleaned or raises ValidationError naming each field."""
    errors: dict[str, list[str]] = {}
    kind = data["kind"]
    if kind not in GoalKind.values:
        errors["kind"] = [_("Choose one of: user growth, content dissemination, marketing conversion.")]
    _check_text(data["name"], data["description"], errors)

    metric = CATALOGUE.get(data["metric"]) if isinstance(data["metric"], str) else None
    if metric is None or not metric.kinds:
        errors["metric"] = [_("Unknown metric.")]
    elif "kind" not in errors and kind not in metric.kinds:
        errors["metric"] = [
            _("%(metric)s cannot be used for a goal of kind “%(kind)s”.")
            % {"metric": metric.label, "kind": GoalKind(kind).label}
        ]

    baseline = _decimal(data["baseline"], "baseline", errors)
    target = _decimal(data["target"], "target", errors)
    if metric is not None and baseline is not None and target is not None and "metric" not in errors:
        if metric.is_rate:
            for value, name in ((baseline, "baseline"), (target, "target")):
                if not Decimal(0) <= value <= Decimal(1):
                    errors.setdefault(name, []).append(
                        _("A rate is a fraction between 0 and 1 (for example 0.035 for 3.5%).")
                    )
        if target == baseline:
            errors.setdefault("target", []).append(_("The target must differ from the baseline."))
        elif metric.aggregation == SUM and metric.nonnegative and target <= 0:
            errors.setdefault("target", []).append(_("The target must be greater than zero."))
        elif metric.aggregation != SUM and target < baseline:
            # The status rule assumes more is better; a goal to go down would be judged backwards.
            errors.setdefault("target", []).append(
                _("The target must be above the baseline (goals that aim lower are not supported).")
            )
        if metric.nonnegative and baseline < 0:
            errors.setdefault("baseline", []).append(_("The baseline cannot be negative."))

    _check_period(data["period_start"], data["period_end"], "period_start", "period_end", errors)
    _check_owner(workspace, data["owner"], errors)

    accounts = list(data["accounts"] or ())
    for account in accounts:
        if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
            errors.setdefault("accounts", []).append(_("Choose accounts of this workspace."))
            break
        if account.is_competitor:
            errors.setdefault("accounts", []).append(
                _("%(account)s is a competitor's account; goals are for our own accounts.")
                % {"account": account}
            )
            break
    if errors:
        raise ValidationError(errors)
    return {
        **data,
        "name": data["name"].strip(),
        "baseline": baseline,
        "target": target,
        "accounts": accounts,
    }


def _validate_strategy(workspace: Workspace, data: dict[str, Any]) -> dict[str, Any]:
    """Check a strategy's fields together; returns them cleaned or raises ValidationError."""
    errors: dict[str, list[str]] = {}
    if data["kind"] not in StrategyKind.values:
        errors["kind"] = [_("Choose a valid kind of strategy.")]
    _check_text(data["name"], data["description"], errors)
    goals = list(data["goals"] or ())
    if not goals:
        errors["goals"] = [_("Link at least one goal: the effect is measured on the goals' metrics.")]
    elif any(not isinstance(g, Goal) or g.workspace_id != workspace.pk for g in goals):
        errors["goals"] = [_("Choose goals of this workspace.")]
    _check_period(data["start_date"], data["end_date"], "start_date", "end_date", errors)
    _check_owner(workspace, data["owner"], errors)
    if errors:
        raise ValidationError(errors)
    return {**data, "name": data["name"].strip(), "goals": goals}


# Goals and strategies share one life cycle: validated whole, saved with their many-to-many links,
# audited as "<name>.create", "<name>.update" and "<name>.delete".
@dataclass(frozen=True)
class _Kind:
    name: str  # the field a "not found" names and the audit actions' prefix
    fields: tuple[str, ...]  # what an update may change
    links: str  # the many-to-many field among them
    validate: Callable[[Workspace, dict[str, Any]], dict[str, Any]]


_GOAL = _Kind("goal", GOAL_FIELDS, "accounts", _validate_goal)
_STRATEGY = _Kind("strategy", STRATEGY_FIELDS, "goals", _validate_strategy)


def _kind(obj: Goal | Strategy) -> _Kind:
    return _GOAL if isinstance(obj, Goal) else _STRATEGY


def current_values(obj: Goal | Strategy) -> dict[str, Any]:
    """A goal's or strategy's editable fields as they are now (the linked accounts or goals as a list)."""
    kind = _kind(obj)
    values = {f: getattr(obj, f) for f in kind.fields if f != kind.links}
    values[kind.links] = list(getattr(obj, kind.links).all())
    return values


def _save(
    obj: Goal | Strategy,
    data: dict[str, Any],
    *,
    workspace: Workspace,
    actor: Any,
    action: str,
    set_links: bool = True,
    before: dict[str, Any] | None = None,
) -> None:
    """Validate ``data`` as ``obj``'s whole state, write it (the links only when ``set_links``), audit."""
    kind = _kind(obj)
    data = kind.validate(workspace, data)
    linked = data.pop(kind.links)
    for key, value in data.items():
        setattr(obj, key, value)
    obj.full_clean(exclude=["workspace"])
    obj.save()
    if set_links:
        getattr(obj, kind.links).set(linked)
    audit_saved(obj, workspace=workspace, actor=actor, action=f"{kind.name}.{action}", before=before)


def _create(obj: Goal | Strategy, data: dict[str, Any], *, workspace: Workspace, actor: Any) -> None:
    require_perm(workspace=workspace, actor=actor, perm=Perm.GOAL_EDIT)
    _save(obj, data, workspace=workspace, actor=actor, action="create")


def _update(obj: Goal | Strategy, fields: dict[str, Any], *, workspace: Workspace, actor: Any) -> None:
    kind = _kind(obj)
    require_perm(workspace=workspace, actor=actor, perm=Perm.GOAL_EDIT)
    ensure_same_workspace(workspace, obj, kind.name)
    refuse_unknown_fields(fields, kind.fields)
    before = snapshot(obj)
    _save(
        obj,
        {**current_values(obj), **fields},
        workspace=workspace,
        actor=actor,
        action="update",
        set_links=kind.links in fields,
        before=before,
    )


def _delete(obj: Goal | Strategy, *, workspace: Workspace, actor: Any) -> None:
    kind = _kind(obj)
    require_perm(workspace=workspace, actor=actor, perm=Perm.GOAL_EDIT)
    ensure_same_workspace(workspace, obj, kind.name)
    audit_delete(obj, workspace=workspace, actor=actor, action=f"{kind.name}.delete")


@transaction.atomic
def goal_create(
    *,
    workspace: Workspace,
    actor: Any,
    kind: str,
    name: str,
    metric: str,
    baseline: Any,
    target: Any,
    period_start: dt.date,
    period_end: dt.date,
    owner: Any = None,
    accounts: Iterable[SocialAccount] = (),
    description: str = "",
) -> Goal:
    """Create a goal: a target for one metric over a period (no accounts = all our own accounts)."""
    goal = Goal(workspace=workspace)
    data = {
        "kind": kind, "name": name, "metric": metric, "baseline": baseline, "target": target,
        "period_start": period_start, "period_end": period_end, "owner": owner,
        "accounts": accounts, "description": description,
    }  # fmt: skip
    _create(goal, data, workspace=workspace, actor=actor)
    return goal


@transaction.atomic
def goal_update(*, workspace: Workspace, actor: Any, goal: Goal, **fields: Any) -> Goal:
    """Change any of a goal's fields; the whole goal is validated again."""
    _update(goal, fields, workspace=workspace, actor=actor)
    return goal


@transaction.atomic
def goal_delete(*, workspace: Workspace, actor: Any, goal: Goal) -> None:
    """Delete a goal; strategies linked to it stay, without this goal."""
    _delete(goal, workspace=workspace, actor=actor)


@transaction.atomic
def strategy_create(
    *,
    workspace: Workspace,
    actor: Any,
    kind: str,
    name: str,
    goals: Iterable[Goal],
    start_date: dt.date,
    end_date: dt.date,
    description: str = "",
    owner: Any = None,
) -> Strategy:
    """Create a strategy (a measure taken for goals over a date range)."""
    strategy = Strategy(workspace=workspace)
    data = {
        "kind": kind, "name": name, "goals": goals, "start_date": start_date, "end_date": end_date,
        "description": description, "owner": owner,
    }  # fmt: skip
    _create(strategy, data, workspace=workspace, actor=actor)
    return strategy


@transaction.atomic
def strategy_update(*, workspace: Workspace, actor: Any, strategy: Strategy, **fields: Any) -> Strategy:
    """Change any of a strategy's fields; the whole strategy is validated again."""
    _update(strategy, fields, workspace=workspace, actor=actor)
    return strategy


@transaction.atomic
def strategy_delete(*, workspace: Workspace, actor: Any, strategy: Strategy) -> None:
    """Delete a strategy; its goals stay."""
    _delete(strategy, workspace=workspace, actor=actor)
