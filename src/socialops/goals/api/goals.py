"""API: goals with progress and forecast, strategies with their effect, the metric catalogue."""

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from socialops.core.api import choice_label, username_of
from socialops.workspaces.api import api_delete, api_object, api_select, api_workspace

from ..metrics import CATALOGUE, catalogue_rows
from ..models import Goal, Strategy
from ..selectors import goals as sel
from ..selectors import strategies as strat
from ..services import goals as svc

router = Router(tags=["goals"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Amount = Annotated[float, Field(ge=-1e11, le=1e11, allow_inf_nan=False)]


class _Lazy(Sequence[Any]):
    """A queryset mapped to output dicts only for the page the paginator slices out.

    Progress and forecast cost a query or two per goal, so they are computed for one page only.
    """

    def __init__(self, qs: Any, fn: Callable[[Any], dict[str, Any]]) -> None:
        self.qs, self.fn = qs, fn

    def __len__(self) -> int:
        return int(self.qs.count())

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self.fn(obj) for obj in self.qs[index]]
        return self.fn(self.qs[index])

    def __iter__(self) -> Iterator[Any]:
        return (self.fn(obj) for obj in self.qs)


# ---- schemas ---------------------------------------------------------------------------------


class CatalogueOut(Schema):
    key: str
    label: str
    unit: str
    unit_label: str
    aggregation: str
    aggregation_label: str
    kinds: list[str]
    derived: bool
    description: str


class TrackRecordOut(Schema):
    """Past weekly cutoffs of the goal's own series whose outcome is known, and how many of their
    ranges contained it (docs/forecast.md)."""

    cutoffs: int
    hits: int


class ProgressOut(Schema):
    today: dt.date
    days_total: int
    days_elapsed: int
    actual: float | None
    actual_date: dt.date | None
    progress_pct: float | None
    expected: float | None
    expected_pct: float | None
    forecast: float | None
    forecast_low: float | None
    forecast_high: float | None
    interval: float
    status: str
    status_label: str
    reason: str
    method: str
    data_days: int
    finished: bool
    track_record: TrackRecordOut
    calendar_note: str


class SeriesOut(Schema):
    dates: list[str]
    actual: list[float | None]
    target: list[float | None]
    expected: list[float | None]
    forecast: list[float | None]
    forecast_low: list[float | None]
    forecast_high: list[float | None]


class ProgressDetailOut(ProgressOut):
    goal_id: int
    metric: str
    baseline: float
    target: float
    series: SeriesOut


class GoalOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    metric: str
    metric_label: str
    unit: str
    baseline: float
    target: float
    period_start: dt.date
    period_end: dt.date
    owner_id: int | None
    owner: str | None
    account_ids: list[int]
    description: str
    progress: ProgressOut


class GoalIn(Schema):
    kind: str = Field(..., max_length=20)
    name: str = Field(..., min_length=1, max_length=150)
    metric: str = Field(..., max_length=40)
    baseline: Amount = 0
    target: Amount
    period_start: dt.date
    period_end: dt.date
    owner_id: Id | None = None
    account_ids: list[Id] = Field(default_factory=list, max_length=200)
    description: str = Field("", max_length=5000)


class GoalPatch(Schema):
    kind: str | None = Field(None, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=150)
    metric: str | None = Field(None, max_length=40)
    baseline: Amount | None = None
    target: Amount | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    owner_id: Id | None = None
    account_ids: list[Id] | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)


class StrategyOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    description: str
    goal_ids: list[int]
    start_date: dt.date
    end_date: dt.date
    owner_id: int | None
    owner: str | None

    resolve_kind_label = choice_label("kind")
    resolve_owner = username_of("owner")

    @staticmethod
    def resolve_goal_ids(strategy: Strategy) -> list[int]:
        return sorted(g.pk for g in strategy.goals.all())


class StrategyIn(Schema):
    kind: str = Field(..., max_length=20)
    name: str = Field(..., min_length=1, max_length=150)
    goal_ids: list[Id] = Field(..., max_length=200)
    start_date: dt.date
    end_date: dt.date
    description: str = Field("", max_length=5000)
    owner_id: Id | None = None


class StrategyPatch(Schema):
    kind: str | None = Field(None, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=150)
    goal_ids: list[Id] | None = Field(None, max_length=200)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    description: str | None = Field(None, max_length=5000)
    owner_id: Id | None = None


class EffectRowOut(Schema):
    goal_id: int
    goal_name: str
    metric: str
    metric_label: str
    before: float | None
    during: float | None
    change: float | None
    change_pct: float | None
    reason: str


class StrategyRef(Schema):
    id: int
    name: str


class EffectOut(Schema):
    strategy_id: int
    state: str
    state_label: str
    days: int
    whole_weeks: bool
    before_start: dt.date | None
    before_end: dt.date | None
    during_start: dt.date | None
    during_end: dt.date | None
    rows: list[EffectRowOut]
    overlapping: list[StrategyRef]
    caveat: str


# ---- helpers ---------------------------------------------------------------------------------


def _goal_out(request: HttpRequest, workspace: Any, goal: Goal) -> dict[str, Any]:
    metric = CATALOGUE.get(goal.metric)
    progress = sel.goal_progress(workspace=workspace, user=request.user, goal=goal)
    return {
        "id": goal.pk,
        "kind": goal.kind,
        "kind_label": goal.get_kind_display(),
        "name": goal.name,
        "metric": goal.metric,
        "metric_label": str(metric.label) if metric else goal.metric,
        "unit": metric.unit if metric else "",
        "baseline": float(goal.baseline),
        "target": float(goal.target),
        "period_start": goal.period_start,
        "period_end": goal.period_end,
        "owner_id": goal.owner_id,
        "owner": goal.owner.get_username() if goal.owner else None,
        "account_ids": sorted(a.pk for a in goal.accounts.all()),
        "description": goal.description,
        "progress": progress.summary(),
    }


def _goal_read(request: HttpRequest, workspace: Any, goal_id: int) -> dict[str, Any]:
    """The goal as output, read through its selector (so after a write its accounts are fresh)."""
    return _goal_out(
        request, workspace, sel.goal_get(workspace=workspace, user=request.user, goal_id=goal_id)
    )


def _service_fields(request: HttpRequest, workspace: Any, data: dict[str, Any]) -> dict[str, Any]:
    """API field names → service keyword arguments (ids resolved to this workspace's objects)."""
    if "owner_id" in data:
        data["owner"] = sel.member_user_resolve(
            workspace=workspace, user=request.user, user_id=data.pop("owner_id")
        )
    if "account_ids" in data:
        data["accounts"] = sel.accounts_resolve(
            workspace=workspace, user=request.user, ids=data.pop("account_ids")
        )
    if "goal_ids" in data:
        data["goals"] = sel.goals_resolve(workspace=workspace, user=request.user, ids=data.pop("goal_ids"))
    return data


def _patch_data(payload: Schema, nullable: set[str]) -> dict[str, Any]:
    # Fields sent as null clear only where clearing makes sense (the owner); elsewhere null = unchanged.
    data = payload.dict(exclude_unset=True)
    return {k: v for k, v in data.items() if v is not None or k in nullable}


# ---- catalogue -------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/metrics/catalogue", response=list[CatalogueOut], summary="The metric catalogue"
)
@paginate
def metric_catalogue(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    api_workspace(request, slug)
    return catalogue_rows()


# ---- goals -----------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/goals", response=list[GoalOut], summary="Goals with progress, forecast and status"
)
@paginate
def goal_list(request: HttpRequest, slug: str, kind: str = Query("", max_length=20)) -> Any:
    workspace = api_workspace(request, slug)
    qs = sel.goal_list(workspace=workspace, user=request.user, kind=kind or None)
    return _Lazy(qs, lambda g: _goal_out(request, workspace, g))


@router.post("/workspaces/{slug}/goals", response={201: GoalOut})
def goal_create(request: HttpRequest, slug: str, payload: GoalIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    fields = _service_fields(request, workspace, payload.dict())
    goal = svc.goal_create(workspace=workspace, actor=request.user, **fields)
    return Status(201, _goal_read(request, workspace, goal.pk))


@router.get("/workspaces/{slug}/goals/{int:goal_id}", response=GoalOut)
def goal_detail(request: HttpRequest, slug: str, goal_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    return _goal_read(request, api_workspace(request, slug), goal_id)


@router.patch("/workspaces/{slug}/goals/{int:goal_id}", response=GoalOut)
def goal_patch(
    request: HttpRequest, slug: str, payload: GoalPatch, goal_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    workspace, goal = api_object(request, slug, sel.goal_get, goal_id=goal_id)
    fields = _service_fields(request, workspace, _patch_data(payload, {"owner_id"}))
    svc.goal_update(workspace=workspace, actor=request.user, goal=goal, **fields)
    return _goal_read(request, workspace, goal.pk)


@router.delete("/workspaces/{slug}/goals/{int:goal_id}", response={204: None})
def goal_delete(request: HttpRequest, slug: str, goal_id: int = Path(..., ge=1, le=MAX_ID)) -> Status[None]:
    return api_delete(request, slug, sel.goal_get, svc.goal_delete, "goal", goal_id=goal_id)


@router.get(
    "/workspaces/{slug}/goals/{int:goal_id}/progress",
    response=ProgressDetailOut,
    summary="Progress, forecast with 80% range, status and the daily series for the chart",
)
def goal_progress(
    request: HttpRequest, slug: str, goal_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    workspace, goal = api_object(request, slug, sel.goal_get, goal_id=goal_id)
    progress = sel.goal_progress(workspace=workspace, user=request.user, goal=goal)
    return {
        **progress.summary(),
        "goal_id": goal.pk,
        "metric": goal.metric,
        "baseline": progress.baseline,
        "target": progress.target,
        "series": progress.series
        or {
            k: []
            for k in ("dates", "actual", "target", "expected", "forecast", "forecast_low", "forecast_high")
        },
    }


# ---- strategies ------------------------------------------------------------------------------


@router.get("/workspaces/{slug}/strategies", response=list[StrategyOut])
@paginate
def strategy_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, strat.strategy_list)


@router.post("/workspaces/{slug}/strategies", response={201: StrategyOut})
def strategy_create(request: HttpRequest, slug: str, payload: StrategyIn) -> Status[Strategy]:
    workspace = api_workspace(request, slug)
    fields = _service_fields(request, workspace, payload.dict())
    strategy = svc.strategy_create(workspace=workspace, actor=request.user, **fields)
    return Status(201, strat.strategy_get(workspace=workspace, user=request.user, strategy_id=strategy.pk))


@router.get("/workspaces/{slug}/strategies/{int:strategy_id}", response=StrategyOut)
def strategy_detail(
    request: HttpRequest, slug: str, strategy_id: int = Path(..., ge=1, le=MAX_ID)
) -> Strategy:
    return api_select(request, slug, strat.strategy_get, strategy_id=strategy_id)


@router.patch("/workspaces/{slug}/strategies/{int:strategy_id}", response=StrategyOut)
def strategy_patch(
    request: HttpRequest, slug: str, payload: StrategyPatch, strategy_id: int = Path(..., ge=1, le=MAX_ID)
) -> Strategy:
    workspace, strategy = api_object(request, slug, strat.strategy_get, strategy_id=strategy_id)
    fields = _service_fields(request, workspace, _patch_data(payload, {"owner_id"}))
    svc.strategy_update(workspace=workspace, actor=request.user, strategy=strategy, **fields)
    # Read again: the strategy's prefetched goals are stale after the update.
    return strat.strategy_get(workspace=workspace, user=request.user, strategy_id=strategy.pk)


@router.delete("/workspaces/{slug}/strategies/{int:strategy_id}", response={204: None})
def strategy_delete(
    request: HttpRequest, slug: str, strategy_id: int = Path(..., ge=1, le=MAX_ID)
) -> Status[None]:
    return api_delete(
        request, slug, strat.strategy_get, svc.strategy_delete, "strategy", strategy_id=strategy_id
    )


@router.get(
    "/workspaces/{slug}/strategies/{int:strategy_id}/effect",
    response=EffectOut,
    summary="Before/after comparison of the linked goals' metrics, with its caveat",
)
def strategy_effect(
    request: HttpRequest, slug: str, strategy_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    workspace, strategy = api_object(request, slug, strat.strategy_get, strategy_id=strategy_id)
    effect = strat.strategy_effect(workspace=workspace, user=request.user, strategy=strategy)
    return {
        "strategy_id": strategy.pk,
        "state": effect.state,
        "state_label": effect.state_label,
        "days": effect.days,
        "whole_weeks": effect.whole_weeks,
        "before_start": effect.before_start,
        "before_end": effect.before_end,
        "during_start": effect.during_start,
        "during_end": effect.during_end,
        "rows": [
            {
                "goal_id": r.goal.pk,
                "goal_name": r.goal.name,
                "metric": r.goal.metric,
                "metric_label": str(r.metric.label) if r.metric else r.goal.metric,
                "before": sel.clean_number(r.before),
                "during": sel.clean_number(r.during),
                "change": sel.clean_number(r.change),
                "change_pct": sel.clean_number(r.change_pct),
                "reason": r.reason,
            }
            for r in effect.rows
        ],
        "overlapping": [{"id": s.pk, "name": s.name} for s in effect.overlapping],
        "caveat": effect.caveat,
    }
