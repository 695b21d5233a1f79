"""Pages of the publishing plan: the calendar (FullCalendar), runs, cadence, capacity, by-hand actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.accounts.selectors import own_accounts
from socialops.core.view_helpers import apply_form, submitted
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm
from socialops.workspaces.selectors import member_users

from ..forms.plan import CadenceForm, CapacityForm, GenerateForm, PlacementForm, UrgentForm
from ..presenters import CALENDAR_STATES, status_label
from ..selectors import plan as sel
from ..services import plan as svc

DEFAULT_DAYS = 28


def _calendar_url(workspace: Any, day: dt.date) -> str:
    return f"{reverse('plan_calendar', args=[workspace.slug])}?date={day.isoformat()}"


def _fc_locale() -> str:
    """FullCalendar's locale code for the active language."""
    return "zh-cn" if (get_language() or "").lower().startswith("zh") else "en"


def _generate_form(request: WorkspaceRequest, data: Any = None) -> GenerateForm:
    workspace = request.workspace
    accounts = own_accounts(workspace=workspace, user=request.user)
    today = sel.local_now(workspace).date()
    initial = {"start": today, "end": today + dt.timedelta(days=DEFAULT_DAYS - 1), "accounts": list(accounts)}
    return GenerateForm(data, initial=initial, accounts=accounts)


def _initial_date(request: WorkspaceRequest, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return default


def _js_messages() -> dict[str, str]:
    """Strings planner.js shows, in the reader's language (static files are not translated)."""
    return {
        "moved": _("Moved. It now counts as placed by hand, so regeneration keeps it."),
        "moveFailed": _("Not moved:"),
        "failed": _("Something went wrong; please reload the page."),
        "lock": _("Lock"),
        "unlock": _("Unlock"),
        "remove": _("Take off the plan"),
        "removeConfirm": _("Take this item off the plan? It goes back to the backlog."),
        "removed": _("Taken off the plan."),
        "locked": _("Locked"),
        "lockedDone": _("Locked: regeneration and urgent insertions leave it where it is."),
        "unlockedDone": _("Unlocked."),
        "why": _("Why here"),
        "account": _("Account"),
        "time": _("Time"),
        "theme": _("Theme"),
        "form": _("Form"),
        "importance": _("Importance"),
        "source": _("Placed by"),
        "item": _("Open the item"),
        "status": _("Status"),
    }


@workspace_view()
def plan_calendar(request: WorkspaceRequest) -> HttpResponse:
    """The publishing calendar: placements by theme colour over holidays and festivals, drag to move."""
    return _calendar_page(request)


def _calendar_page(request: WorkspaceRequest, form: GenerateForm | None = None) -> HttpResponse:
    workspace = request.workspace
    slug = workspace.slug
    latest = sel.plan_run_latest(workspace=workspace, user=request.user)
    report = sel.report_view(latest) if latest else None
    today = sel.local_now(workspace).date()
    accounts = list(own_accounts(workspace=workspace, user=request.user))
    can_edit = user_can(workspace=workspace, user=request.user, perm=Perm.CONTENT_EDIT)
    return render(
        request,
        "content/plan/calendar.html",
        {
            "accounts": accounts,
            "latest": latest,
            "report": report,
            "form": form or _generate_form(request),
            "can_edit": can_edit,
            "calendar": {
                "feed_url": f"/api/v1/workspaces/{slug}/placements/feed",
                "background_url": f"/api/v1/workspaces/{slug}/calendar/feed",
                "placement_url": f"/api/v1/workspaces/{slug}/placements/",
                "item_url": reverse("content_list", args=[slug]),
                "locale": _fc_locale(),
                "initial_date": _initial_date(request, today).isoformat(),
            },
            "js_messages": _js_messages(),
            "legend": [(code, status_label(code)) for code in CALENDAR_STATES],
        },
        status=400 if form is not None else 200,
    )


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def plan_generate(request: WorkspaceRequest) -> HttpResponse:
    """Run the generator for the chosen period and accounts, then show the calendar and the report."""
    workspace = request.workspace
    form = _generate_form(request, request.POST)
    run = apply_form(
        form,
        lambda: svc.plan_generate(
            workspace=workspace,
            actor=request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            accounts=list(form.cleaned_data["accounts"]),
        ),
    )
    if run is not None:
        filled = run.report["slots"]["filled"]
        messages.success(
            request,
            ngettext("Plan generated: %(n)s post placed.", "Plan generated: %(n)s posts placed.", filled)
            % {"n": filled},
        )
        return redirect(_calendar_url(workspace, run.period_start))
    return _calendar_page(request, form=form)


@workspace_view()
def plan_run_list(request: WorkspaceRequest) -> HttpResponse:
    """Runs of the generator and urgent insertions, newest first."""
    runs = sel.plan_run_list(workspace=request.workspace, user=request.user)[:100]
    return render(request, "content/plan/run_list.html", {"runs": [(r, sel.report_view(r)) for r in runs]})


@workspace_view()
def plan_run_detail(request: WorkspaceRequest, run_id: int) -> HttpResponse:
    """One run's report: empty slots, short themes, capacity, moves, unplaced items, uncovered years."""
    workspace = request.workspace
    run = sel.plan_run_get(workspace=workspace, user=request.user, run_id=run_id)
    placements = [
        sel.placement_as_dict(workspace, p)
        for p in sel.placement_list(workspace=workspace, user=request.user, run=run.pk)[:500]
    ]
    return render(
        request,
        "content/plan/run_detail.html",
        {
            "run": run,
            "report": sel.report_view(run),
            "placements": placements,
            "accounts": list(run.accounts.all()),
        },
    )


# ---- cadence -----------------------------------------------------------------------------------


@workspace_view()
def plan_cadence(request: WorkspaceRequest) -> HttpResponse:
    """Every own account's cadence at a glance."""
    rows = [
        (a, sel.cadence_summary(r))
        for a, r in sel.cadence_rules(workspace=request.workspace, user=request.user)
    ]
    return render(request, "content/plan/cadence_list.html", {"rows": rows})


@workspace_view(Perm.CONTENT_EDIT)
def plan_cadence_edit(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Edit one account's cadence rule."""
    workspace = request.workspace
    account = sel.own_account_get(workspace=workspace, user=request.user, account_id=account_id)
    rule = sel.cadence_rule_get(workspace=workspace, user=request.user, account=account)
    form = CadenceForm(request.POST or None, initial=CadenceForm.initial_for(rule))
    done = submitted(
        request,
        form,
        lambda: svc.cadence_rule_set(
            workspace=workspace, actor=request.user, account=account, **form.service_kwargs()
        ),
        message=_("Cadence of %(account)s saved.") % {"account": account.display_name},
        to=reverse("plan_cadence", args=[workspace.slug]),
    )
    return done or render(
        request, "content/plan/cadence_form.html", {"form": form, "account": account, "rule": rule}
    )


# ---- capacity ----------------------------------------------------------------------------------


def _capacity_page(request: WorkspaceRequest, form: CapacityForm | None = None) -> HttpResponse:
    workspace = request.workspace
    users = member_users(workspace=workspace, user=request.user)
    rules = sel.capacity_list(workspace=workspace, user=request.user)
    return render(
        request,
        "content/plan/capacity.html",
        {"form": form or CapacityForm(users=users), "rules": rules},
        status=400 if form is not None else 200,
    )


@workspace_view()
def plan_capacity(request: WorkspaceRequest) -> HttpResponse:
    """What the team and each owner can produce per week."""
    return _capacity_page(request)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def plan_capacity_set(request: WorkspaceRequest) -> HttpResponse:
    """Set the team's or an owner's items per week."""
    workspace = request.workspace
    form = CapacityForm(request.POST, users=member_users(workspace=workspace, user=request.user))
    done = submitted(
        request,
        form,
        lambda: svc.capacity_set(
            workspace=workspace,
            actor=request.user,
            owner=form.cleaned_data["owner"],
            items_per_week=form.cleaned_data["items_per_week"],
        ),
        message=_("Capacity saved."),
        to=reverse("plan_capacity", args=[workspace.slug]),
    )
    return done or _capacity_page(request, form)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def plan_capacity_delete(request: WorkspaceRequest, rule_id: int) -> HttpResponse:
    """Remove a capacity rule."""
    workspace = request.workspace
    rule = sel.capacity_get(workspace=workspace, user=request.user, rule_id=rule_id)
    svc.capacity_delete(workspace=workspace, actor=request.user, rule=rule)
    messages.success(request, _("Capacity rule removed."))
    return redirect("plan_capacity", slug=workspace.slug)


# ---- by hand -----------------------------------------------------------------------------------

# The two by-hand forms share one page; only its words and its button differ.
BY_HAND_PAGES: dict[str, dict[str, Any]] = {
    "place": {
        "title": gettext_lazy("Place by hand"),
        "intro": gettext_lazy(
            "The same rules as the generator apply: not in the past, not in quiet hours, at least the minimum gap from the account's other posts, not after the item's deadline, within the weekly form limits. Regeneration keeps posts placed by hand."
        ),
        "submit": gettext_lazy("Place"),
        "button": "btn-primary",
    },
    "urgent": {
        "title": gettext_lazy("Insert urgent item"),
        "intro": gettext_lazy(
            "The item takes the account's earliest suitable slot (or the time you give); the generator's posts it displaces move to the next suitable slots. Every move is listed afterwards, and anything that no longer fits is reported — nothing is dropped silently. Posts placed or locked by hand never move."
        ),
        "submit": gettext_lazy("Insert"),
        "button": "btn-danger",
    },
}


def _suggestions(request: WorkspaceRequest, form: Any) -> list[dict[str, str]]:
    """After a refused time: the nearest free times for that item and account, to place with one click."""
    if (
        "starts_at" not in form.errors
        or not form.cleaned_data.get("item")
        or not form.cleaned_data.get("account")
    ):
        return []
    # The refusal took the time out of cleaned_data: read the submitted one again.
    try:
        near = form.fields["starts_at"].clean(form.data.get("starts_at"))
    except ValidationError:
        near = None
    slots = svc.free_slots(
        workspace=request.workspace,
        account=form.cleaned_data["account"],
        item=form.cleaned_data["item"],
        near=near,
    )
    return [{"value": t.strftime("%Y-%m-%dT%H:%M"), "label": t.strftime("%m-%d %H:%M")} for t in slots]


def _by_hand_page(request: WorkspaceRequest, form: Any, kind: str) -> HttpResponse:
    """The page of one by-hand form (400 after a refused submit), with the nearest free times."""
    context = {"form": form, "testid": f"{kind}-form", **BY_HAND_PAGES[kind]}
    if kind == "place" and form.is_bound:
        context["suggestions"] = _suggestions(request, form)
        context["offer_slots"] = True
    return render(request, "content/plan/by_hand_form.html", context, status=400 if form.errors else 200)


@workspace_view(Perm.CONTENT_EDIT)
def plan_place(request: WorkspaceRequest) -> HttpResponse:
    """Place an item by hand on an account at a time."""
    workspace = request.workspace
    items = sel.placeable_items(workspace=workspace, user=request.user)
    accounts = own_accounts(workspace=workspace, user=request.user)
    initial = {
        "item": request.GET.get("item"),
        "account": request.GET.get("account"),
        "starts_at": request.GET.get("starts_at"),
    }
    form = PlacementForm(request.POST or None, initial=initial, items=items, accounts=accounts)
    done = submitted(
        request,
        form,
        lambda: svc.placement_create(workspace=workspace, actor=request.user, **form.cleaned_data),
        message=_("Placed by hand; regeneration keeps it."),
        to=lambda placement: _calendar_url(workspace, sel.to_local(workspace, placement.starts_at).date()),
    )
    return done or _by_hand_page(request, form, "place")


@workspace_view(Perm.CONTENT_EDIT)
def plan_urgent(request: WorkspaceRequest) -> HttpResponse:
    """Insert an item as urgent; the page that follows lists every move it caused."""
    workspace = request.workspace
    items = sel.placeable_items(workspace=workspace, user=request.user)
    accounts = own_accounts(workspace=workspace, user=request.user)
    initial = {"item": request.GET.get("item"), "account": request.GET.get("account")}
    form = UrgentForm(request.POST or None, initial=initial, items=items, accounts=accounts)
    run = apply_form(
        form, lambda: svc.urgent_insert(workspace=workspace, actor=request.user, **form.cleaned_data)
    )
    if run is not None:
        moves = len(run.report.get("moves") or [])
        messages.success(
            request,
            ngettext(
                "Inserted as urgent; %(n)s move in the plan.",
                "Inserted as urgent; %(n)s moves in the plan.",
                moves,
            )
            % {"n": moves},
        )
        return redirect("plan_run_detail", slug=workspace.slug, run_id=run.pk)
    return _by_hand_page(request, form, "urgent")


plan_urlpatterns: list[URLPattern] = [
    path("calendar/", plan_calendar, name="plan_calendar"),
    path("calendar/generate/", plan_generate, name="plan_generate"),
    path("calendar/runs/", plan_run_list, name="plan_run_list"),
    path("calendar/runs/<int:run_id>/", plan_run_detail, name="plan_run_detail"),
    path("calendar/cadence/", plan_cadence, name="plan_cadence"),
    path("calendar/cadence/<int:account_id>/", plan_cadence_edit, name="plan_cadence_edit"),
    path("calendar/capacity/", plan_capacity, name="plan_capacity"),
    path("calendar/capacity/set/", plan_capacity_set, name="plan_capacity_set"),
    path("calendar/capacity/<int:rule_id>/delete/", plan_capacity_delete, name="plan_capacity_delete"),
    path("calendar/place/", plan_place, name="plan_place"),
    path("calendar/urgent/", plan_urgent, name="plan_urgent"),
]
