"""Pages of the community app: member feedback tickets (list, detail, report) and the public feedback form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core import throttle
from socialops.core.view_helpers import apply_form, run_and_say
from socialops.engagement.selectors import threads as thread_sel
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import EVERY_MEMBER, WorkspaceRequest, workspace_view
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..forms.tickets import FeedbackForm, TicketForm, TicketUpdateForm
from ..models.events import TicketCategory, TicketChannel, TicketPriority, TicketStatus
from ..presenters import tickets as pres
from ..selectors import tickets as sel
from ..services import tickets as svc

PAGE_SIZE = 50
PERIODS = (30, 90, 365)
FEEDBACK_LIMIT = 5
FEEDBACK_WINDOW = 600


@workspace_view()
def ticket_list(request: WorkspaceRequest) -> HttpResponse:
    """Tickets with filters (status, category, priority, assignee, overdue, search) and the caller's alerts."""
    workspace, user = request.workspace, request.user
    g = request.GET
    status = g.get("status", "active")
    status = status if status in ("active", "", *TicketStatus.values) else "active"
    category = g.get("category", "") if g.get("category", "") in TicketCategory.values else ""
    priority = g.get("priority", "") if g.get("priority", "") in TicketPriority.values else ""
    assignee = int(g["assignee"]) if g.get("assignee", "").isdigit() else None
    overdue = g.get("overdue") == "1"
    search = g.get("q", "").strip()[:100]
    rows = sel.ticket_list(
        workspace=workspace,
        user=user,
        status=status,
        category=category,
        priority=priority,
        assignee_id=assignee,
        overdue=overdue,
        search=search,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(g.get("page"))
    now = timezone.now()
    filters = {"status": status, "category": category, "priority": priority, "q": search}
    if assignee:
        filters["assignee"] = str(assignee)
    if overdue:
        filters["overdue"] = "1"
    context: dict[str, Any] = {
        "page": page,
        "rows": [pres.ticket_row(t, now) for t in page],
        "filters": filters,
        "query": urlencode({k: v for k, v in filters.items() if v}),
        "statuses": TicketStatus.choices,
        "categories": TicketCategory.choices,
        "priorities": TicketPriority.choices,
        "members": [m.user for m in svc.editors(workspace)],
        "alerts": list(sel.ticket_alerts(workspace=workspace, user=user)[:5]),
        "can_edit": user_can(workspace=workspace, user=user, perm=Perm.COMMUNITY_EDIT),
        "feedback_url": request.build_absolute_uri(
            reverse("ticket_feedback", kwargs={"token": feedback_token(workspace)})
        ),
    }
    return render(request, "community/tickets/list.html", context)


@workspace_view(Perm.COMMUNITY_EDIT)
def ticket_create(request: WorkspaceRequest) -> HttpResponse:
    """A ticket entered by a member."""
    workspace = request.workspace
    form = TicketForm(request.POST or None, workspace=workspace)
    if request.method == "POST":
        ticket = apply_form(
            form,
            lambda: svc.ticket_create(
                workspace=workspace, actor=request.user, channel=TicketChannel.MANUAL, **form.cleaned_data
            ),
        )
        if ticket is not None:
            messages.success(request, _("Ticket opened."))
            return redirect("ticket_detail", slug=workspace.slug, ticket_id=ticket.pk)
    return render(
        request,
        "web/form_page.html",
        {
            "form": form,
            "title": _("New ticket"),
            "submit": _("Open the ticket"),
            "cancel_url": reverse("ticket_list", kwargs={"slug": workspace.slug}),
        },
    )


@require_POST
@workspace_view(Perm.COMMUNITY_EDIT)
def ticket_from_thread(request: WorkspaceRequest, thread_id: int) -> HttpResponse:
    """Open a ticket from an inbox thread (the button on the thread)."""
    workspace = request.workspace
    thread = thread_sel.thread_get(workspace=workspace, user=request.user, thread_id=thread_id)
    ticket = svc.ticket_from_thread(workspace=workspace, actor=request.user, thread=thread)
    messages.success(request, _("Ticket opened from the thread."))
    return redirect("ticket_detail", slug=workspace.slug, ticket_id=ticket.pk)


@workspace_view(None, write=(Perm.COMMUNITY_EDIT,))
def ticket_detail(request: WorkspaceRequest, ticket_id: int) -> HttpResponse:
    """One ticket: details, target, history; members who may edit change status, owner and priority here."""
    workspace, user = request.workspace, request.user
    ticket = sel.ticket_get(workspace=workspace, user=user, ticket_id=ticket_id)
    initial = {
        "status": ticket.status,
        "assignee": ticket.assignee_id,
        "priority": ticket.priority,
        "category": ticket.category,
    }
    form = TicketUpdateForm(request.POST or None, workspace=workspace, initial=initial)
    if request.method == "POST":
        done = apply_form(
            form,
            lambda: svc.ticket_update(
                workspace=workspace,
                actor=user,
                ticket=ticket,
                note=form.cleaned_data.get("note") or "",
                **{k: form.cleaned_data[k] for k in ("status", "assignee", "priority", "category")},
            ),
        )
        if done is not None:
            messages.success(request, _("Ticket saved."))
            return redirect("ticket_detail", slug=workspace.slug, ticket_id=ticket.pk)
    identity = user_can(workspace=workspace, user=user, perm=Perm.FANS_IDENTITY)
    person = ticket.person
    context = {
        "ticket": ticket,
        "row": pres.ticket_row(ticket, timezone.now()),
        "person_name": (person.display_name or person.pseudonym)
        if person and identity
        else (person.pseudonym if person else ""),
        "history": list(sel.ticket_history(workspace=workspace, user=user, ticket=ticket)),
        "form": form,
        "can_edit": user_can(workspace=workspace, user=user, perm=Perm.COMMUNITY_EDIT),
        "can_idea": user_can(workspace=workspace, user=user, perm=Perm.CAMPAIGN_EDIT),
    }
    return render(request, "community/tickets/detail.html", context)


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def ticket_idea(request: WorkspaceRequest, ticket_id: int) -> HttpResponse:
    """Keep the ticket's feedback as an idea (engagement's ideas)."""
    workspace = request.workspace
    ticket = sel.ticket_get(workspace=workspace, user=request.user, ticket_id=ticket_id)
    run_and_say(
        request,
        lambda: svc.ticket_keep_as_idea(workspace=workspace, actor=request.user, ticket=ticket),
        _("Kept as an idea."),
    )
    return redirect("ticket_detail", slug=workspace.slug, ticket_id=ticket.pk)


@workspace_view()
def ticket_report(request: WorkspaceRequest) -> HttpResponse:
    """Resolution time by category (median and 90th percentile) over the last 30 / 90 / 365 days."""
    raw = request.GET.get("days", "90")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 90
    report = sel.resolution_report(workspace=request.workspace, user=request.user, days=days)
    chart = pres.resolution_chart(report["categories"]) if report["resolved"] else None
    return render(
        request,
        "community/tickets/report.html",
        {"report": report, "chart": chart, "days": days, "periods": PERIODS},
    )


# The public form is addressed by a signed workspace id, not the slug: a slug is easy to guess
# and would let anyone open tickets in any workspace.
FEEDBACK_SALT = "community.feedback"


def feedback_token(workspace: Workspace) -> str:
    """The unguessable token of a workspace's public feedback form."""
    return signing.Signer(salt=FEEDBACK_SALT).sign(str(workspace.pk))


def _feedback_workspace(token: str) -> Workspace:
    try:
        workspace_id = int(signing.Signer(salt=FEEDBACK_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    return get_object_or_404(Workspace, pk=workspace_id)


@require_POST
@workspace_view(write=EVERY_MEMBER)
def ticket_alerts_read(request: WorkspaceRequest) -> HttpResponse:
    """Mark one of one's overdue-ticket alerts read (``alert`` in the form), or all of them."""
    raw = request.POST.get("alert", "")
    ids = [int(raw)] if raw.isdigit() else None
    svc.ticket_alert_mark_read(workspace=request.workspace, actor=request.user, alert_ids=ids)
    return redirect("ticket_list", slug=request.workspace.slug)


def ticket_feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The public feedback form of a workspace (no login, rate-limited): each answer opens a ticket."""
    workspace = _feedback_workspace(token)
    form = FeedbackForm(request.POST or None)
    context: dict[str, Any] = {
        "form": form,
        "public_owner": workspace.name,
        "sent": request.GET.get("sent") == "1",
    }
    if request.method == "POST":
        if not throttle.allow(
            "ticket.feedback", throttle.client_address(request), limit=FEEDBACK_LIMIT, per=FEEDBACK_WINDOW
        ):
            context["refused"] = _("Too many messages from this address. Please try again in a few minutes.")
            return render(request, "community/tickets/feedback.html", context, status=429)
        ticket = apply_form(
            form,
            lambda: svc.ticket_create(
                workspace=workspace,
                actor=None,
                channel=TicketChannel.FORM,
                title=form.cleaned_data["title"],
                description=form.cleaned_data.get("description") or "",
                category=form.cleaned_data["category"],
            ),
        )
        if ticket is not None:
            return redirect(reverse("ticket_feedback", kwargs={"token": token}) + "?sent=1")
    return render(request, "community/tickets/feedback.html", context)


tickets_urlpatterns: list[URLPattern] = [
    path("tickets/", ticket_list, name="ticket_list"),
    path("tickets/new/", ticket_create, name="ticket_create"),
    path("tickets/report/", ticket_report, name="ticket_report"),
    path("tickets/alerts/read/", ticket_alerts_read, name="ticket_alerts_read"),
    path("tickets/from-thread/<int:thread_id>/", ticket_from_thread, name="ticket_from_thread"),
    path("tickets/<int:ticket_id>/", ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/idea/", ticket_idea, name="ticket_idea"),
]
tickets_public_urlpatterns: list[URLPattern] = [
    path("feedback/<str:token>/", ticket_feedback, name="ticket_feedback"),
]
