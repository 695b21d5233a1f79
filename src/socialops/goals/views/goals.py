"""Pages: dashboard, goals (progress and forecast), strategies (measured effect)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.accounts.selectors import own_accounts
from socialops.core.view_helpers import submitted
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm
from socialops.workspaces.selectors import member_users

from .. import presenters
from ..forms.goals import GoalForm, StrategyForm
from ..models import Goal, Strategy
from ..selectors import goals as sel
from ..selectors import strategies as strat
from ..selectors.competitors import competitor_comparison
from ..services import goals as svc


def _url(name: str, slug: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": slug, **kwargs})


def _goal_cards(request: WorkspaceRequest, goals: list[Goal]) -> list[dict[str, Any]]:
    """Each goal with its progress and chart option (chart ids are unique on the page)."""
    cards = []
    for goal in goals:
        progress = sel.goal_progress(workspace=request.workspace, user=request.user, goal=goal)
        cards.append(
            {
                "goal": goal,
                "progress": progress,
                "chart_id": f"goal-chart-{goal.pk}",
                "chart": presenters.goal_chart_option(progress, compact=True),
            }
        )
    return cards


COMPETITOR_CHARTS = ("followers", "posts_per_week", "engagement_rate", "followers_trend")


def _competitors(request: WorkspaceRequest) -> dict[str, Any]:
    """Our accounts beside competitors' (followers, posts per week, engagement rate)."""
    comparison = competitor_comparison(workspace=request.workspace, user=request.user)
    has_data = bool(comparison["has_data"] and comparison["has_competitors"])
    options = presenters.competitor_chart_options(comparison) if has_data else {}
    charts = [
        {"id": f"competitor-chart-{key}", "option": options[key]}
        for key in COMPETITOR_CHARTS
        if key in options
    ]
    return {
        "has_data": has_data,
        "charts": charts,
        "accounts": comparison["accounts"],
        "days": comparison["days"],
    }


@workspace_view()
def dashboard(request: WorkspaceRequest) -> HttpResponse:
    """The workspace at a glance: headline figures, goal cards with forecasts, competitors."""
    workspace = request.workspace
    goals = list(sel.goal_list(workspace=workspace, user=request.user))
    return render(
        request,
        "goals/dashboard.html",
        {
            "headline": sel.dashboard_headline(workspace=workspace, user=request.user),
            "cards": _goal_cards(request, goals),
            "competitors": _competitors(request),
        },
    )


# ---- goals -----------------------------------------------------------------------------------


@workspace_view()
def goal_list(request: WorkspaceRequest) -> HttpResponse:
    """Goals grouped by kind (growth, dissemination, conversion), each with progress and status."""
    workspace = request.workspace
    groups = []
    for kind, label, goals in sel.goals_by_kind(workspace=workspace, user=request.user):
        rows = [(g, sel.goal_progress(workspace=workspace, user=request.user, goal=g)) for g in goals]
        groups.append({"kind": kind, "label": label, "rows": rows})
    empty = not any(g["rows"] for g in groups)
    return render(request, "goals/goal_list.html", {"groups": groups, "empty": empty})


@workspace_view()
def goal_detail(request: WorkspaceRequest, goal_id: int) -> HttpResponse:
    """One goal: figures, status, chart (actual, target, expected pace, forecast band), strategies."""
    workspace = request.workspace
    goal = sel.goal_get(workspace=workspace, user=request.user, goal_id=goal_id)
    progress = sel.goal_progress(workspace=workspace, user=request.user, goal=goal)
    strategies = []
    for strategy in goal.strategies.order_by("-start_date", "name"):
        effect = strat.strategy_effect(workspace=workspace, user=request.user, strategy=strategy)
        rows = [r for r in effect.rows if r.goal.pk == goal.pk]
        strategies.append({"strategy": strategy, "effect": effect, "row": rows[0] if rows else None})
    return render(
        request,
        "goals/goal_detail.html",
        {
            "goal": goal,
            "progress": progress,
            "chart": presenters.goal_chart_option(progress),
            "strategies": strategies,
            "accounts": list(goal.accounts.all()),
        },
    )


def _goal_form(
    request: WorkspaceRequest, data: Any = None, initial: dict[str, Any] | None = None
) -> GoalForm:
    workspace = request.workspace
    return GoalForm(
        data,
        initial=initial,
        users=member_users(workspace=workspace, user=request.user),
        accounts=own_accounts(workspace=workspace, user=request.user),
    )


@workspace_view(Perm.GOAL_EDIT)
def goal_create(request: WorkspaceRequest) -> HttpResponse:
    """Set a new goal."""
    workspace = request.workspace
    initial = {"kind": request.GET.get("kind") or "growth", "baseline": 0}
    form = _goal_form(request, request.POST or None, initial=initial)
    done = submitted(
        request,
        form,
        lambda: svc.goal_create(workspace=workspace, actor=request.user, **form.cleaned_data),
        message=_("Goal created."),
        to=lambda goal: _url("goal_detail", workspace.slug, goal_id=goal.pk),
    )
    return done or render(request, "goals/goal_form.html", {"form": form, "goal": None})


@workspace_view(Perm.GOAL_EDIT)
def goal_edit(request: WorkspaceRequest, goal_id: int) -> HttpResponse:
    """Change a goal."""
    workspace = request.workspace
    goal = sel.goal_get(workspace=workspace, user=request.user, goal_id=goal_id)
    form = _goal_form(request, request.POST or None, initial=svc.current_values(goal))
    done = submitted(
        request,
        form,
        lambda: svc.goal_update(workspace=workspace, actor=request.user, goal=goal, **form.cleaned_data),
        message=_("Goal saved."),
        to=_url("goal_detail", workspace.slug, goal_id=goal.pk),
    )
    return done or render(request, "goals/goal_form.html", {"form": form, "goal": goal})


@require_POST
@workspace_view(Perm.GOAL_EDIT)
def goal_delete(request: WorkspaceRequest, goal_id: int) -> HttpResponse:
    """Delete a goal."""
    workspace = request.workspace
    goal = sel.goal_get(workspace=workspace, user=request.user, goal_id=goal_id)
    svc.goal_delete(workspace=workspace, actor=request.user, goal=goal)
    messages.success(request, _("Goal deleted."))
    return redirect("goal_list", slug=workspace.slug)


# ---- strategies ------------------------------------------------------------------------------


@workspace_view()
def strategy_list(request: WorkspaceRequest) -> HttpResponse:
    """Strategies and measures, newest first, each with its goals, dates and measured effect."""
    workspace = request.workspace
    rows = [
        (s, strat.strategy_effect(workspace=workspace, user=request.user, strategy=s))
        for s in strat.strategy_list(workspace=workspace, user=request.user)
    ]
    has_goals = sel.goal_list(workspace=workspace, user=request.user).exists()
    return render(request, "goals/strategy_list.html", {"rows": rows, "has_goals": has_goals})


@workspace_view()
def strategy_detail(request: WorkspaceRequest, strategy_id: int) -> HttpResponse:
    """One strategy with its measured effect on each linked goal's metric, and the caveat."""
    workspace = request.workspace
    strategy = strat.strategy_get(workspace=workspace, user=request.user, strategy_id=strategy_id)
    effect = strat.strategy_effect(workspace=workspace, user=request.user, strategy=strategy)
    return render(request, "goals/strategy_detail.html", {"strategy": strategy, "effect": effect})


def _strategy_form(
    request: WorkspaceRequest, data: Any = None, initial: dict[str, Any] | None = None
) -> StrategyForm:
    workspace = request.workspace
    return StrategyForm(
        data,
        initial=initial,
        users=member_users(workspace=workspace, user=request.user),
        goals=sel.goal_list(workspace=workspace, user=request.user),
    )


@workspace_view(Perm.GOAL_EDIT)
def strategy_create(request: WorkspaceRequest) -> HttpResponse:
    """Record a new strategy or measure."""
    workspace = request.workspace
    initial: dict[str, Any] = {"kind": "content"}
    goal_id = request.GET.get("goal")
    if goal_id and goal_id.isdigit():
        initial["goals"] = list(sel.goal_list(workspace=workspace, user=request.user).filter(pk=int(goal_id)))
    form = _strategy_form(request, request.POST or None, initial=initial)
    done = submitted(
        request,
        form,
        lambda: svc.strategy_create(workspace=workspace, actor=request.user, **form.cleaned_data),
        message=_("Strategy created."),
        to=lambda strategy: _url("strategy_detail", workspace.slug, strategy_id=strategy.pk),
    )
    return done or render(request, "goals/strategy_form.html", {"form": form, "strategy": None})


@workspace_view(Perm.GOAL_EDIT)
def strategy_edit(request: WorkspaceRequest, strategy_id: int) -> HttpResponse:
    """Change a strategy."""
    workspace = request.workspace
    strategy: Strategy = strat.strategy_get(workspace=workspace, user=request.user, strategy_id=strategy_id)
    form = _strategy_form(request, request.POST or None, initial=svc.current_values(strategy))
    done = submitted(
        request,
        form,
        lambda: svc.strategy_update(
            workspace=workspace, actor=request.user, strategy=strategy, **form.cleaned_data
        ),
        message=_("Strategy saved."),
        to=_url("strategy_detail", workspace.slug, strategy_id=strategy.pk),
    )
    return done or render(request, "goals/strategy_form.html", {"form": form, "strategy": strategy})


@require_POST
@workspace_view(Perm.GOAL_EDIT)
def strategy_delete(request: WorkspaceRequest, strategy_id: int) -> HttpResponse:
    """Delete a strategy."""
    workspace = request.workspace
    strategy = strat.strategy_get(workspace=workspace, user=request.user, strategy_id=strategy_id)
    svc.strategy_delete(workspace=workspace, actor=request.user, strategy=strategy)
    messages.success(request, _("Strategy deleted."))
    return redirect("strategy_list", slug=workspace.slug)


goals_urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("goals/", goal_list, name="goal_list"),
    path("goals/new/", goal_create, name="goal_create"),
    path("goals/<int:goal_id>/", goal_detail, name="goal_detail"),
    path("goals/<int:goal_id>/edit/", goal_edit, name="goal_edit"),
    path("goals/<int:goal_id>/delete/", goal_delete, name="goal_delete"),
    path("strategies/", strategy_list, name="strategy_list"),
    path("strategies/new/", strategy_create, name="strategy_create"),
    path("strategies/<int:strategy_id>/", strategy_detail, name="strategy_detail"),
    path("strategies/<int:strategy_id>/edit/", strategy_edit, name="strategy_edit"),
    path("strategies/<int:strategy_id>/delete/", strategy_delete, name="strategy_delete"),
]
