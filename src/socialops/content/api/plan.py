"""API: cadence and capacity rules, plan generation and urgent insertion, placements and their feed."""

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import field_validator

from socialops.accounts.selectors import own_accounts
from socialops.core.api import PlanDay
from socialops.core.pagination import MappedPage
from socialops.workspaces.api import api_delete, api_object, api_workspace
from socialops.workspaces.selectors import member_users

from ..models import PlanRun
from ..selectors import plan as sel
from ..selectors.items import content_item_get
from ..services import plan as svc

router = Router(tags=["plan"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PerDay = Annotated[int, Field(ge=0, le=12)]
WeeklyLimit = Annotated[int, Field(ge=0, le=50)]
Day = Annotated[PlanDay, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]


# ---- schemas -----------------------------------------------------------------------------------


class CadenceIn(Schema):
    posts_per_weekday: (
        dict[Annotated[str, Field(max_length=1)], Annotated[list[PerDay], Field(min_length=2, max_length=2)]]
        | None
    ) = Field(
        None, max_length=7, description='{"1": [min, max], …, "7": [min, max]}; ISO weekdays, 1 = Monday'
    )
    holiday_mode: str | None = Field(None, max_length=10, description="weekend | skip | workday")
    makeup_as_workday: bool | None = None
    min_gap_minutes: int | None = Field(None, ge=0, le=1440)
    quiet_start: dt.time | None = None
    quiet_end: dt.time | None = None
    form_limits: dict[Annotated[str, Field(max_length=20)], WeeklyLimit] | None = Field(
        None, max_length=10, description='posts per week by form, e.g. {"live": 1}'
    )


class WeekdayOut(Schema):
    weekday: int
    label: str
    min: int
    max: int


class FormLimitOut(Schema):
    form: str
    label: str
    limit: int


class CadenceOut(Schema):
    account_id: int
    account: str
    days: list[WeekdayOut]
    per_week_min: int
    per_week_max: int
    holiday_mode: str
    holiday_mode_label: str
    makeup_as_workday: bool
    min_gap_minutes: int
    quiet_start: dt.time
    quiet_end: dt.time
    form_limits: list[FormLimitOut]
    is_default: bool


class CapacityIn(Schema):
    owner_id: Id | None = Field(None, description="a member; empty for the whole team")
    items_per_week: int = Field(..., ge=0, le=10_000, strict=True)

    @field_validator("items_per_week", mode="before")
    @classmethod
    def _integral_number(cls, value: Any) -> Any:
        """JSON counts 12.0 as a whole number; strings and booleans stay refused (strict)."""
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


class CapacityOut(Schema):
    id: int
    owner_id: int | None
    owner: str | None
    items_per_week: int


class GenerateIn(Schema):
    date_from: Day = Field(..., alias="from")
    date_to: Day = Field(..., alias="to")
    account_ids: list[Id] = Field(..., min_length=1, max_length=200)


class UrgentIn(Schema):
    item_id: Id
    account_id: Id
    at: dt.datetime | None = Field(
        None, description="a time; without an offset it is the workspace's local time"
    )


class PlacementIn(Schema):
    item_id: Id
    account_id: Id
    starts_at: dt.datetime = Field(..., description="without an offset it is the workspace's local time")
    locked: bool = False


class MoveIn(Schema):
    starts_at: dt.datetime = Field(..., description="without an offset it is the workspace's local time")


class PlacementOut(Schema):
    id: int
    item_id: int
    item_title: str
    account_id: int
    account: str
    theme_id: int
    theme: str
    color: str
    form: str
    form_label: str
    importance: str
    importance_label: str
    starts_at: dt.datetime
    local_time: str
    source: str
    source_label: str
    locked: bool
    plan_run_id: int | None
    explanation: list[dict[str, Any]]
    explanation_text: list[str]


class PlanFeedEventOut(Schema):
    id: str
    title: str
    start: str
    end: str
    allDay: bool
    backgroundColor: str
    borderColor: str
    textColor: str
    editable: bool
    classNames: list[str]
    extendedProps: dict[str, Any]


class MoveOut(Schema):
    item: int
    title: str
    account: int
    account_label: str
    from_: str = Field(..., alias="from")
    to: str | None


class UnplacedOut(Schema):
    item: int
    title: str
    account: int
    account_label: str
    reason: str
    reason_text: str


class ShortThemeOut(Schema):
    account: int
    account_label: str
    theme: int
    theme_name: str
    target_pct: int
    needed: int
    placed: int
    missing: int


class EmptySlotOut(Schema):
    account: int
    account_label: str
    date: str
    count: int


class RunSummaryOut(Schema):
    id: int
    kind: str
    period_start: dt.date
    period_end: dt.date
    account_ids: list[int]
    created_at: dt.datetime
    created_by: str | None
    placed: int
    empty_slots: int
    moves: int
    unplaced: int


class RunOut(RunSummaryOut):
    warnings: list[str]
    short_themes: list[ShortThemeOut]
    empty_slot_days: list[EmptySlotOut]
    move_list: list[MoveOut]
    unplaced_list: list[UnplacedOut]
    uncovered_years: list[int]
    report: dict[str, Any]
    placements: list[PlacementOut]


class FeedQuery(Schema):
    start: str = Field(..., max_length=40, description="date or ISO date-time (FullCalendar's start)")
    end: str = Field(..., max_length=40, description="date or ISO date-time, exclusive (FullCalendar's end)")
    account: Id | None = None


class ListQuery(Schema):
    start: Day | None = None
    end: Day | None = None
    account: Id | None = None
    run: Id | None = None


# ---- helpers -----------------------------------------------------------------------------------


def _cadence_out(account: Any, rule: Any) -> dict[str, Any]:
    return {"account_id": account.pk, "account": account.display_name, **sel.cadence_summary(rule)}


def _capacity_out(rule: Any) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "owner_id": rule.owner_id,
        "owner": rule.owner.get_username() if rule.owner_id else None,
        "items_per_week": rule.items_per_week,
    }


def _summary(run: PlanRun) -> dict[str, Any]:
    report = run.report or {}
    slots = report.get("slots") or {}
    placed = slots.get("filled")
    if placed is None:
        placed = (
            1
            if report.get("kind") == "urgent"
            and not any(u.get("item") == report.get("item") for u in report.get("unplaced") or [])
            else 0
        )
    return {
        "id": run.pk,
        "kind": report.get("kind", "generate"),
        "period_start": run.period_start,
        "period_end": run.period_end,
        "account_ids": sorted(a.pk for a in run.accounts.all()),
        "created_at": run.created_at,
        "created_by": run.created_by.get_username() if run.created_by is not None else None,
        "placed": placed,
        "empty_slots": slots.get("empty", 0),
        "moves": len(report.get("moves") or []),
        "unplaced": len(report.get("unplaced") or []),
    }


def _run_out(request: HttpRequest, workspace: Any, run: PlanRun) -> dict[str, Any]:
    view = sel.report_view(run)
    placements = sel.placement_list(workspace=workspace, user=request.user, run=run.pk)
    return {
        **_summary(run),
        "warnings": view["warnings"],
        "short_themes": view["short_themes"],
        "empty_slot_days": view["empty_slots"],
        "move_list": view["moves"],
        "unplaced_list": view["unplaced"],
        "uncovered_years": view["uncovered_years"],
        "report": run.report or {},
        "placements": [sel.placement_as_dict(workspace, p) for p in placements],
    }


def _feed_bound(value: str, *, end: bool) -> dt.date:
    """A FullCalendar bound (date or date-time); the exclusive end at midnight means the day before."""
    field = "end" if end else "start"
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return day - dt.timedelta(days=1) if end else day
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError({field: [_("Must be a date or a date and time (ISO 8601).")]}) from None
    if not dt.date(2000, 1, 1) <= moment.date() <= dt.date(2100, 12, 31):
        raise ValidationError({field: [_("Enter a date between 2000 and 2100.")]})
    if end and moment.time() == dt.time(0, 0):
        return moment.date() - dt.timedelta(days=1)
    return moment.date()


# ---- cadence -----------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/cadence", response=list[CadenceOut], summary="Every own account's cadence rule"
)
@paginate
def cadence_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    return [_cadence_out(a, r) for a, r in sel.cadence_rules(workspace=workspace, user=request.user)]


@router.get(
    "/workspaces/{slug}/cadence/{int:account_id}", response=CadenceOut, summary="One account's cadence rule"
)
def cadence_detail(request: HttpRequest, slug: str, account_id: Id) -> dict[str, Any]:
    workspace, account = api_object(request, slug, sel.own_account_get, account_id=account_id)
    return _cadence_out(
        account, sel.cadence_rule_get(workspace=workspace, user=request.user, account=account)
    )


@router.put(
    "/workspaces/{slug}/cadence/{int:account_id}",
    response=CadenceOut,
    summary="Set an account's cadence (fields left out keep their value)",
)
def cadence_set(request: HttpRequest, slug: str, account_id: Id, payload: CadenceIn) -> dict[str, Any]:
    workspace, account = api_object(request, slug, sel.own_account_get, account_id=account_id)
    rule = svc.cadence_rule_set(
        workspace=workspace, actor=request.user, account=account, **payload.dict(exclude_none=True)
    )
    return _cadence_out(account, rule)


# ---- capacity ----------------------------------------------------------------------------------


@router.get("/workspaces/{slug}/capacity", response=list[CapacityOut], summary="Production capacity rules")
@paginate
def capacity_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    return [_capacity_out(r) for r in sel.capacity_list(workspace=workspace, user=request.user)]


@router.post(
    "/workspaces/{slug}/capacity",
    response=CapacityOut,
    summary="Set the items per week the team (no owner) or one owner can produce",
)
def capacity_set(request: HttpRequest, slug: str, payload: CapacityIn) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    owner = None
    if payload.owner_id is not None:
        owner = next(
            (u for u in member_users(workspace=workspace, user=request.user) if u.pk == payload.owner_id),
            None,
        )
        if owner is None:
            raise ValidationError({"owner_id": [_("The owner must be a member of this workspace.")]})
    rule = svc.capacity_set(
        workspace=workspace, actor=request.user, owner=owner, items_per_week=payload.items_per_week
    )
    return _capacity_out(rule)


@router.delete(
    "/workspaces/{slug}/capacity/{int:rule_id}", response={204: None}, summary="Remove a capacity rule"
)
def capacity_delete(request: HttpRequest, slug: str, rule_id: Id) -> Status[None]:
    return api_delete(request, slug, sel.capacity_get, svc.capacity_delete, "rule", rule_id=rule_id)


# ---- runs --------------------------------------------------------------------------------------


@router.post(
    "/workspaces/{slug}/plan/generate",
    response=RunOut,
    summary="Generate the plan of a period for accounts; returns the report and the placements",
)
def plan_generate(request: HttpRequest, slug: str, payload: GenerateIn) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    own = {a.pk: a for a in own_accounts(workspace=workspace, user=request.user)}
    missing = [i for i in payload.account_ids if i not in own]
    if missing:
        raise Http404
    run = svc.plan_generate(
        workspace=workspace,
        actor=request.user,
        start=payload.date_from,
        end=payload.date_to,
        accounts=[own[i] for i in payload.account_ids],
    )
    return _run_out(request, workspace, run)


@router.post(
    "/workspaces/{slug}/plan/urgent",
    response=RunOut,
    summary="Insert an item as urgent for an account and re-flow what it displaces",
)
def plan_urgent(request: HttpRequest, slug: str, payload: UrgentIn) -> dict[str, Any]:
    workspace, item = api_object(request, slug, content_item_get, item_id=payload.item_id)
    account = sel.own_account_get(workspace=workspace, user=request.user, account_id=payload.account_id)
    run = svc.urgent_insert(
        workspace=workspace, actor=request.user, item=item, account=account, at=payload.at
    )
    return _run_out(request, workspace, run)


@router.get("/workspaces/{slug}/plan/runs", response=list[RunSummaryOut], summary="Runs, newest first")
@paginate
def plan_run_list(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    return [_summary(r) for r in sel.plan_run_list(workspace=workspace, user=request.user)[:500]]


@router.get("/workspaces/{slug}/plan/runs/{int:run_id}", response=RunOut, summary="One run with its report")
def plan_run_detail(request: HttpRequest, slug: str, run_id: Id) -> dict[str, Any]:
    workspace, run = api_object(request, slug, sel.plan_run_get, run_id=run_id)
    return _run_out(request, workspace, run)


# ---- placements --------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/placements/feed",
    response=list[PlanFeedEventOut],
    summary="FullCalendar event source: placements coloured by theme",
    description="Not paginated: FullCalendar expects a JSON array. At most 100 days per request. "
    "Times are the workspace's local time without an offset.",
)
def placement_feed(request: HttpRequest, slug: str, query: Query[FeedQuery]) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    first = _feed_bound(query.start, end=False)
    last = _feed_bound(query.end, end=True)
    if last < first:
        raise ValidationError({"end": [_("The end date cannot be before the start date.")]})
    if (last - first).days + 1 > sel.MAX_FEED_DAYS:
        raise ValidationError(
            {"end": [_("Ask for at most %(n)s days at a time.") % {"n": sel.MAX_FEED_DAYS}]}
        )
    return sel.placement_feed(
        workspace=workspace, user=request.user, start=first, end=last, account=query.account
    )


@router.get("/workspaces/{slug}/placements", response=list[PlacementOut], summary="Placements in time order")
@paginate
def placement_list(request: HttpRequest, slug: str, query: Query[ListQuery]) -> list[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    qs = sel.placement_list(
        workspace=workspace,
        user=request.user,
        start=query.start,
        end=query.end,
        account=query.account,
        run=query.run,
    )
    return MappedPage(qs, partial(sel.placement_as_dict, workspace))  # type: ignore[return-value]


@router.post("/workspaces/{slug}/placements", response={201: PlacementOut}, summary="Place an item by hand")
def placement_create(request: HttpRequest, slug: str, payload: PlacementIn) -> Status[dict[str, Any]]:
    workspace, item = api_object(request, slug, content_item_get, item_id=payload.item_id)
    account = sel.own_account_get(workspace=workspace, user=request.user, account_id=payload.account_id)
    placement = svc.placement_create(
        workspace=workspace,
        actor=request.user,
        item=item,
        account=account,
        starts_at=payload.starts_at,
        locked=payload.locked,
    )
    placement = sel.placement_get(workspace=workspace, user=request.user, placement_id=placement.pk)
    return Status(201, sel.placement_as_dict(workspace, placement))


def _placement_act(
    request: HttpRequest, slug: str, placement_id: int, action: Callable[..., Any], **fields: Any
) -> dict[str, Any]:
    """Run a placement service on the URL's placement; the placement's output after it."""
    workspace, placement = api_object(request, slug, sel.placement_get, placement_id=placement_id)
    action(workspace=workspace, actor=request.user, placement=placement, **fields)
    return sel.placement_as_dict(workspace, placement)


@router.get(
    "/workspaces/{slug}/placements/{int:placement_id}", response=PlacementOut, summary="One placement"
)
def placement_detail(request: HttpRequest, slug: str, placement_id: Id) -> dict[str, Any]:
    workspace, placement = api_object(request, slug, sel.placement_get, placement_id=placement_id)
    return sel.placement_as_dict(workspace, placement)


@router.patch(
    "/workspaces/{slug}/placements/{int:placement_id}",
    response=PlacementOut,
    summary="Move a placement (400 with the reason when the time breaks a rule)",
)
def placement_move(request: HttpRequest, slug: str, placement_id: Id, payload: MoveIn) -> dict[str, Any]:
    return _placement_act(request, slug, placement_id, svc.placement_move, starts_at=payload.starts_at)


@router.post(
    "/workspaces/{slug}/placements/{int:placement_id}/lock", response=PlacementOut, summary="Lock a placement"
)
def placement_lock(request: HttpRequest, slug: str, placement_id: Id) -> dict[str, Any]:
    return _placement_act(request, slug, placement_id, svc.placement_lock)


@router.post(
    "/workspaces/{slug}/placements/{int:placement_id}/unlock",
    response=PlacementOut,
    summary="Unlock a placement",
)
def placement_unlock(request: HttpRequest, slug: str, placement_id: Id) -> dict[str, Any]:
    return _placement_act(request, slug, placement_id, svc.placement_unlock)


@router.delete(
    "/workspaces/{slug}/placements/{int:placement_id}",
    response={204: None},
    summary="Take an item off the plan",
)
def placement_delete(request: HttpRequest, slug: str, placement_id: Id) -> Status[None]:
    return api_delete(
        request, slug, sel.placement_get, svc.placement_delete, "placement", placement_id=placement_id
    )
