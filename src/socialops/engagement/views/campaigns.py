"""Pages of the engagement app: campaigns, topics and ideas, and the inbox's "keep as idea" button."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.accounts.models import Platform, SocialAccount
from socialops.content.models import Theme
from socialops.core.time import local_today
from socialops.core.view_helpers import form_page, run_and_say, submitted
from socialops.goals.models import Goal
from socialops.review.services.transitions import status_label
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.campaigns import (
    TAG_PREFIX,
    CampaignForm,
    IdeaContentForm,
    IdeaFilterForm,
    IdeaForm,
    IdeaSendForm,
    TopicForm,
)
from ..models import ThreadItem
from ..models.campaigns import Campaign, IdeaSource, Topic
from ..presenters import campaigns as pres
from ..selectors import campaigns as sel
from ..services import campaigns as svc
from ..services import ideas as idea_svc

# ---- campaigns -----------------------------------------------------------------------------------


def _campaign_form(request: WorkspaceRequest, row: Campaign | None) -> CampaignForm:
    workspace = request.workspace
    initial = None
    if row is not None:
        initial = {
            "name": row.name, "description": row.description, "goal": row.goal_id,
            "accounts": list(row.accounts.all()), "start_date": row.start_date, "end_date": row.end_date,
            "budget": row.budget, "owner": row.owner_id, "items": list(row.items.all()),
        }  # fmt: skip
    return CampaignForm(
        request.POST or None,
        initial=initial,
        goals=Goal.objects.filter(workspace=workspace).order_by("-period_start", "name"),
        accounts=SocialAccount.objects.filter(workspace=workspace, is_competitor=False).order_by(
            "display_name", "pk"
        ),
        users=get_user_model().objects.filter(memberships__workspace=workspace).order_by("username"),
        items=sel.campaign_item_choices(workspace=workspace, user=request.user),
    )


@workspace_view()
def campaign_list(request: WorkspaceRequest) -> HttpResponse:
    """Campaigns, latest first, with their state, goal and period."""
    search = request.GET.get("q", "").strip()[:100]
    today = local_today(request.workspace)
    rows = [
        (c, sel.campaign_state(c, today))
        for c in sel.campaign_list(workspace=request.workspace, user=request.user, search=search)[:500]
    ]
    return render(
        request,
        "engagement/campaigns/list.html",
        {
            "rows": [(c, state, pres.state_label(state), pres.STATE_BADGES[state]) for c, state in rows],
            "search": search,
        },
    )


@workspace_view(Perm.CAMPAIGN_EDIT)
def campaign_create(request: WorkspaceRequest) -> HttpResponse:
    """Plan a campaign."""
    form = _campaign_form(request, None)
    done = submitted(
        request,
        form,
        lambda: svc.campaign_create(workspace=request.workspace, actor=request.user, **form.cleaned_data),
        message=_("Campaign created."),
        to=lambda row: reverse(
            "campaign_detail", kwargs={"slug": request.workspace.slug, "campaign_id": row.pk}
        ),
    )
    cancel = reverse("campaign_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(request, form, title=_("New campaign"), submit=_("Save"), cancel_url=cancel)


@workspace_view()
def campaign_detail(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """One campaign: participation by day, reach of its posts, its goal during vs before, its items and topics."""
    workspace, user = request.workspace, request.user
    campaign = sel.campaign_get(workspace=workspace, user=user, campaign_id=campaign_id)
    today = local_today(workspace)
    state = sel.campaign_state(campaign, today)
    participation = sel.campaign_participation(workspace=workspace, user=user, campaign=campaign)
    items = [(i, status_label(i.status)) for i in campaign.items.order_by("deadline", "title", "pk")]
    return render(
        request,
        "engagement/campaigns/detail.html",
        {
            "campaign": campaign,
            "state": state,
            "state_label": pres.state_label(state),
            "state_badge": pres.STATE_BADGES[state],
            "accounts": list(campaign.accounts.all()),
            "participation": participation,
            "participation_chart": pres.participation_chart(participation, today),
            "reach": sel.campaign_reach(workspace=workspace, user=user, campaign=campaign),
            "movement": sel.campaign_goal_movement(
                workspace=workspace, user=user, campaign=campaign, today=today
            ),
            "items": items,
            "topics": sel.topic_list(workspace=workspace, user=user, campaign=campaign),
            "ideas_new": campaign.ideas.filter(status="new").count(),
        },
    )


@workspace_view(Perm.CAMPAIGN_EDIT)
def campaign_edit(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Change a campaign."""
    row = sel.campaign_get(workspace=request.workspace, user=request.user, campaign_id=campaign_id)
    form = _campaign_form(request, row)
    back = reverse("campaign_detail", kwargs={"slug": request.workspace.slug, "campaign_id": row.pk})
    done = submitted(
        request,
        form,
        lambda: svc.campaign_update(
            workspace=request.workspace, actor=request.user, campaign=row, **form.cleaned_data
        ),
        message=_("Campaign saved."),
        to=back,
    )
    return done or form_page(request, form, title=row.name, submit=_("Save"), cancel_url=back)


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def campaign_delete(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Delete a campaign."""
    row = sel.campaign_get(workspace=request.workspace, user=request.user, campaign_id=campaign_id)
    run_and_say(
        request,
        lambda: svc.campaign_delete(workspace=request.workspace, actor=request.user, campaign=row),
        _("Campaign deleted."),
    )
    return redirect("campaign_list", slug=request.workspace.slug)


# ---- topics --------------------------------------------------------------------------------------


def _topic_form(request: WorkspaceRequest, row: Topic | None) -> TopicForm:
    workspace = request.workspace
    platforms = set(
        SocialAccount.objects.filter(workspace=workspace, is_competitor=False).values_list(
            "platform", flat=True
        )
    )
    platforms |= set((row.tags if row else {}) or {})
    if not platforms:
        platforms = {Platform.WEIBO, Platform.MASTODON}
    ordered = [p for p in Platform.values if p in platforms]
    initial: dict[str, Any] = {}
    if row is not None:
        initial = {"name": row.name, "campaign": row.campaign_id}
        initial.update({TAG_PREFIX + p: t for p, t in (row.tags or {}).items()})
    elif request.GET.get("campaign", "").isdigit():
        initial["campaign"] = int(request.GET["campaign"])
    return TopicForm(
        request.POST or None,
        initial=initial,
        campaigns=sel.campaign_list(workspace=workspace, user=request.user),
        platforms=ordered,
    )


@workspace_view()
def topic_list(request: WorkspaceRequest) -> HttpResponse:
    """Topics with their tags and campaign."""
    rows = sel.topic_list(workspace=request.workspace, user=request.user)
    labels = dict(Platform.choices)
    topics = [(t, [(str(labels.get(p, p)), tag) for p, tag in (t.tags or {}).items()]) for t in rows]
    return render(request, "engagement/campaigns/topics.html", {"topics": topics})


@workspace_view(Perm.CAMPAIGN_EDIT)
def topic_create(request: WorkspaceRequest) -> HttpResponse:
    """Start following a topic."""
    form = _topic_form(request, None)
    done = submitted(
        request,
        form,
        lambda: svc.topic_create(workspace=request.workspace, actor=request.user, **form.service_fields()),
        message=_("Topic created."),
        to=lambda row: reverse("topic_detail", kwargs={"slug": request.workspace.slug, "topic_id": row.pk}),
    )
    cancel = reverse("topic_list", kwargs={"slug": request.workspace.slug})
    return done or form_page(request, form, title=_("New topic"), submit=_("Save"), cancel_url=cancel)


@workspace_view()
def topic_detail(request: WorkspaceRequest, topic_id: int) -> HttpResponse:
    """A topic: mentions and posts per day, the top posts, the people who talk most about it."""
    workspace, user = request.workspace, request.user
    topic = sel.topic_get(workspace=workspace, user=user, topic_id=topic_id)
    identify = user_can(workspace=workspace, user=user, perm=Perm.FANS_IDENTITY)
    counts = sel.topic_counts(workspace=workspace, user=user, topic=topic)
    labels = dict(Platform.choices)
    participants = [
        (p, pres.person_name(p, identify), n)
        for p, n in sel.topic_top_participants(workspace=workspace, user=user, topic=topic)
    ]
    top_posts = [
        (p, str(pres.SOURCE_LABELS[p.source]))
        for p in sel.topic_top_posts(workspace=workspace, user=user, topic=topic)
    ]
    return render(
        request,
        "engagement/campaigns/topic_detail.html",
        {
            "topic": topic,
            "tags": [(str(labels.get(p, p)), tag) for p, tag in (topic.tags or {}).items()],
            "counts": counts,
            "chart": pres.topic_chart(counts),
            "top_posts": top_posts,
            "participants": participants,
            "identify": identify,
        },
    )


@workspace_view(Perm.CAMPAIGN_EDIT)
def topic_edit(request: WorkspaceRequest, topic_id: int) -> HttpResponse:
    """Change a topic's name, campaign or tags."""
    row = sel.topic_get(workspace=request.workspace, user=request.user, topic_id=topic_id)
    form = _topic_form(request, row)
    back = reverse("topic_detail", kwargs={"slug": request.workspace.slug, "topic_id": row.pk})
    done = submitted(
        request,
        form,
        lambda: svc.topic_update(
            workspace=request.workspace, actor=request.user, topic=row, **form.service_fields()
        ),
        message=_("Topic saved."),
        to=back,
    )
    return done or form_page(request, form, title=row.name, submit=_("Save"), cancel_url=back)


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def topic_delete(request: WorkspaceRequest, topic_id: int) -> HttpResponse:
    """Stop following a topic."""
    row = sel.topic_get(workspace=request.workspace, user=request.user, topic_id=topic_id)
    run_and_say(
        request,
        lambda: svc.topic_delete(workspace=request.workspace, actor=request.user, topic=row),
        _("Topic deleted."),
    )
    return redirect("topic_list", slug=request.workspace.slug)


# ---- ideas ---------------------------------------------------------------------------------------


@workspace_view()
def idea_list(request: WorkspaceRequest) -> HttpResponse:
    """Ideas, filtered by status, source and campaign (or those sent to me)."""
    workspace, user = request.workspace, request.user
    filters = IdeaFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = sel.idea_list(
        workspace=workspace,
        user=user,
        status=data.get("status") or "",
        source=data.get("source") or "",
        campaign_id=data.get("campaign"),
        mine=bool(data.get("mine")),
    )
    identify = user_can(workspace=workspace, user=user, perm=Perm.FANS_IDENTITY)
    return render(
        request,
        "engagement/campaigns/ideas.html",
        {
            "ideas": [(i, pres.person_name(i.person, identify) if i.person else "") for i in rows[:500]],
            "filters": data,
            "status_choices": filters.fields["status"].choices,  # type: ignore[attr-defined]
            "source_choices": filters.fields["source"].choices,  # type: ignore[attr-defined]
            "campaigns": sel.campaign_list(workspace=workspace, user=user),
            "can_edit": user_can(workspace=workspace, user=user, perm=Perm.CAMPAIGN_EDIT),
        },
    )


@workspace_view(Perm.CAMPAIGN_EDIT)
def idea_create(request: WorkspaceRequest) -> HttpResponse:
    """Write an idea down."""
    form = IdeaForm(
        request.POST or None, campaigns=sel.campaign_list(workspace=request.workspace, user=request.user)
    )
    back = reverse("idea_list", kwargs={"slug": request.workspace.slug})
    done = submitted(
        request,
        form,
        lambda: idea_svc.idea_create(workspace=request.workspace, actor=request.user, **form.cleaned_data),
        message=_("Idea kept."),
        to=back,
    )
    return done or form_page(request, form, title=_("New idea"), submit=_("Save"), cancel_url=back)


@workspace_view(Perm.CAMPAIGN_EDIT)
def idea_to_content(request: WorkspaceRequest, idea_id: int) -> HttpResponse:
    """Turn an idea into a draft content item."""
    idea = sel.idea_get(workspace=request.workspace, user=request.user, idea_id=idea_id)
    form = IdeaContentForm(
        request.POST or None,
        initial={"title": idea.text.splitlines()[0][:200]},
        themes=Theme.objects.filter(workspace=request.workspace).order_by("name"),
    )
    back = reverse("idea_list", kwargs={"slug": request.workspace.slug})
    done = submitted(
        request,
        form,
        lambda: idea_svc.idea_to_content(
            workspace=request.workspace, actor=request.user, idea=idea, **form.cleaned_data
        ),
        message=_("Draft content item created from the idea."),
        to=back,
    )
    return done or form_page(
        request, form, title=_("Turn the idea into content"), submit=_("Create draft"), cancel_url=back
    )


@workspace_view(Perm.CAMPAIGN_EDIT)
def idea_send(request: WorkspaceRequest, idea_id: int) -> HttpResponse:
    """Send an idea to a product owner."""
    idea = sel.idea_get(workspace=request.workspace, user=request.user, idea_id=idea_id)
    form = IdeaSendForm(
        request.POST or None,
        users=get_user_model().objects.filter(memberships__workspace=request.workspace).order_by("username"),
    )
    back = reverse("idea_list", kwargs={"slug": request.workspace.slug})
    done = submitted(
        request,
        form,
        lambda: idea_svc.idea_send_to_product(
            workspace=request.workspace, actor=request.user, idea=idea, owner=form.cleaned_data["owner"]
        ),
        message=_("Idea sent to the product owner."),
        to=back,
    )
    return done or form_page(
        request, form, title=_("Send the idea to a product owner"), submit=_("Send"), cancel_url=back
    )


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def idea_dismiss(request: WorkspaceRequest, idea_id: int) -> HttpResponse:
    """Dismiss an idea."""
    idea = sel.idea_get(workspace=request.workspace, user=request.user, idea_id=idea_id)
    run_and_say(
        request,
        lambda: idea_svc.idea_dismiss(workspace=request.workspace, actor=request.user, idea=idea),
        _("Idea dismissed."),
    )
    return redirect("idea_list", slug=request.workspace.slug)


@require_POST
@workspace_view(Perm.CAMPAIGN_EDIT)
def idea_keep(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Keep a fan's inbox message as an idea (the same message twice is one idea)."""
    item = get_object_or_404(
        ThreadItem.objects.select_related("interaction", "thread"), pk=item_id, workspace=request.workspace
    )
    run_and_say(
        request,
        lambda: idea_svc.idea_collect(
            workspace=request.workspace,
            actor=request.user,
            text=item.interaction.text,
            source=IdeaSource.INBOX,
            source_id=str(item.pk),
            person=item.interaction.person,
        ),
        _("Kept as an idea."),
    )
    target = request.POST.get("next", "")
    inbox = reverse("inbox", kwargs={"slug": request.workspace.slug})
    if target.startswith(inbox):
        return redirect(target)
    messages.info(request, _("You find it under Ideas."))
    return redirect(f"{inbox}?thread={item.thread_id}")


campaigns_urlpatterns: list[URLPattern] = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/delete/", campaign_delete, name="campaign_delete"),
    path("topics/", topic_list, name="topic_list"),
    path("topics/new/", topic_create, name="topic_create"),
    path("topics/<int:topic_id>/", topic_detail, name="topic_detail"),
    path("topics/<int:topic_id>/edit/", topic_edit, name="topic_edit"),
    path("topics/<int:topic_id>/delete/", topic_delete, name="topic_delete"),
    path("ideas/", idea_list, name="idea_list"),
    path("ideas/new/", idea_create, name="idea_create"),
    path("ideas/<int:idea_id>/content/", idea_to_content, name="idea_to_content"),
    path("ideas/<int:idea_id>/send/", idea_send, name="idea_send"),
    path("ideas/<int:idea_id>/dismiss/", idea_dismiss, name="idea_dismiss"),
    path("inbox/items/<int:item_id>/keep-idea/", idea_keep, name="idea_keep"),
]
