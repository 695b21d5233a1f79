"""Pages of the fans app: the tier ladder and segments, the segment builder, a segment's members."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.view_helpers import run_and_say
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from .. import rules as rules_mod
from ..forms.segments import SegmentForm, builder_rows, rules_from_post
from ..models import Segment, SegmentKind
from ..presenters import segments as pres
from ..selectors import segments as sel
from ..services import segments as svc

MEMBERS_PAGE = 50
EVENTS_SHOWN = 50


def _url(name: str, slug: str, **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": slug, **kwargs})


def _person_url(slug: str, person_id: int) -> str:
    # The profile page belongs to the people area; its address is fixed by the issue.
    return f"/w/{slug}/fans/people/{person_id}/"


@workspace_view()
def segment_list(request: WorkspaceRequest) -> HttpResponse:
    """The tier ladder with sizes and their history, then the saved segments."""
    workspace = request.workspace
    tiers = list(sel.segment_list(workspace=workspace, user=request.user, kind=SegmentKind.TIER))
    total = sum(t.size for t in tiers)
    ladder = [
        {
            "tier": t,
            "share": round(100 * t.size / total, 1) if total else 0,
            "rules": pres.describe(t, last_tier=i == len(tiers) - 1),
        }
        for i, t in enumerate(tiers)
    ]
    segments = [
        {"segment": s, "rules": pres.describe(s)}
        for s in sel.segment_list(workspace=workspace, user=request.user, kind=SegmentKind.SEGMENT)
    ]
    history = sel.size_history(workspace=workspace, user=request.user)
    refreshed = max((t.refreshed_at for t in tiers if t.refreshed_at), default=None)
    return render(
        request,
        "fans/segments_list.html",
        {
            "ladder": ladder,
            "segments": segments,
            "total": total,
            "refreshed_at": refreshed,
            "chart": pres.tier_chart_option(history),
            "can_edit": user_can(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT),
        },
    )


def _builder_context(request: WorkspaceRequest, rules: Any) -> dict[str, Any]:
    """The builder's rows and the field catalogue they choose from."""
    catalogue = rules_mod.catalogue(workspace=request.workspace)
    by_key = {f["key"]: f for f in catalogue}
    match, rows = builder_rows(rules)
    for i, row in enumerate(rows):
        row["i"] = i
        row["spec"] = by_key.get(row.get("field", ""))
        row["value_text"] = "" if row.get("value") is None else str(row.get("value"))
        choices = [str(c["value"]) for c in (row["spec"] or {}).get("choices", [])]
        if row["spec"] and row["spec"]["type"] in ("platform", "account", "segment") and choices:
            # After the field changed, a value of the old field would be shown as the first choice.
            row["value_text"] = row["value_text"] if row["value_text"] in choices else choices[0]
    slug = request.workspace.slug
    return {
        "builder_url": _url("segment_builder", slug),
        "match": match,
        "rows": rows,
        "row_count": len(rows),
        "catalogue": catalogue,
        "kinds": rules_mod.kind_choices(),
    }


def _count(request: WorkspaceRequest, rules: Any, segment: Segment | None) -> dict[str, Any]:
    try:
        return {"count": svc.segment_preview_count(workspace=request.workspace, rules=rules, segment=segment)}
    except ValidationError as exc:
        return {"count": None, "problems": exc.message_dict.get("rules", exc.messages)}


def _builder_page(
    request: WorkspaceRequest, form: SegmentForm, rules: Any, segment: Segment | None
) -> HttpResponse:
    slug = request.workspace.slug
    return render(
        request,
        "fans/segments_form.html",
        {
            "form": form,
            "segment": segment,
            "rules_errors": form.errors.get("rules", []),
            "count_url": _url("segment_count", slug) + (f"?segment={segment.pk}" if segment else ""),
            "cancel_url": _url("segment_detail", slug, segment_id=segment.pk)
            if segment
            else _url("segment_list", slug),
            **_builder_context(request, rules),
            **_count(request, rules, segment),
        },
    )


def _save(request: WorkspaceRequest, segment: Segment | None) -> HttpResponse:
    """The builder page: GET shows it; POST adds/removes a row (without JavaScript) or saves."""
    workspace = request.workspace
    if request.method != "POST":
        if segment is None:
            rules: Any = {"all": [{"field": "interactions_30d", "op": "gte", "value": 1}]}
            form = SegmentForm(
                initial={"kind": request.GET.get("kind") or SegmentKind.SEGMENT, "color": "#1f77b4"}
            )
        else:
            rules = segment.rules
            form = SegmentForm(
                initial={f: getattr(segment, f) for f in ("name", "description", "kind", "rank", "color")}
            )
        return _builder_page(request, form, rules, segment)
    rules = rules_from_post(request.POST)
    form = SegmentForm(request.POST)
    if request.POST.get("add") or request.POST.get("remove"):
        # Editing the rows, not saving: the fields keep what was typed, without errors yet.
        typed = SegmentForm(initial={f: request.POST.get(f) for f in SegmentForm.base_fields})
        return _builder_page(request, typed, rules, segment)
    if form.is_valid():
        fields = {**form.cleaned_data, "rules": rules}
        if fields["rank"] is None:
            del fields["rank"]  # a new tier goes to the end of the ladder; an edit keeps its rank
        try:
            if segment is None:
                saved = svc.segment_create(workspace=workspace, actor=request.user, **fields)
            else:
                saved = svc.segment_update(workspace=workspace, actor=request.user, segment=segment, **fields)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved. Sizes update at the next refresh."))
            return redirect(_url("segment_detail", workspace.slug, segment_id=saved.pk))
    return _builder_page(request, form, rules, segment)


@workspace_view(Perm.FANS_EDIT)
def segment_create(request: WorkspaceRequest) -> HttpResponse:
    """Build a new segment (or tier) from conditions, with a live count of who matches."""
    return _save(request, None)


@workspace_view(Perm.FANS_EDIT)
def segment_edit(request: WorkspaceRequest, segment_id: int) -> HttpResponse:
    """Change a segment's name, conditions or place in the ladder."""
    segment = sel.segment_get(workspace=request.workspace, user=request.user, segment_id=segment_id)
    return _save(request, segment)


@require_POST
@workspace_view(Perm.FANS_EDIT)
def segment_builder(request: WorkspaceRequest) -> HttpResponse:
    """htmx: the builder's rows again after a field changed or a row was added or removed."""
    rules = rules_from_post(request.POST)
    segment = _segment_param(request)
    return render(
        request,
        "fans/segments_builder.html",
        {**_builder_context(request, rules), **_count(request, rules, segment), "oob": True},
    )


def _segment_param(request: WorkspaceRequest) -> Segment | None:
    raw = request.GET.get("segment", "")
    if not raw.isdigit():
        return None
    return sel.segment_get(workspace=request.workspace, user=request.user, segment_id=int(raw))


@require_POST
@workspace_view(Perm.FANS_EDIT)
def segment_count(request: WorkspaceRequest) -> HttpResponse:
    """htmx: how many people the conditions being edited match now."""
    rules = rules_from_post(request.POST)
    return render(request, "fans/segments_count.html", _count(request, rules, _segment_param(request)))


@workspace_view()
def segment_detail(request: WorkspaceRequest, segment_id: int) -> HttpResponse:
    """One segment: its rules, size history, members (paged) and who entered or left."""
    workspace, user = request.workspace, request.user
    segment = sel.segment_get(workspace=workspace, user=user, segment_id=segment_id)
    identity = sel.identity_visible(workspace=workspace, user=user)
    page = Paginator(
        sel.segment_members(workspace=workspace, user=user, segment=segment), MEMBERS_PAGE
    ).get_page(request.GET.get("page"))
    members = [
        {
            "person": p,
            "name": pres.person_name(p, identity=identity),
            "url": _person_url(workspace.slug, p.pk),
        }
        for p in page
    ]
    events = [
        {
            "event": e,
            "name": pres.person_name(e.person, identity=identity),
            "url": _person_url(workspace.slug, e.person_id),
        }
        for e in sel.segment_events(workspace=workspace, user=user, segment=segment).select_related("person")[
            :EVENTS_SHOWN
        ]
    ]
    tiers = list(
        sel.segment_list(workspace=workspace, user=user, kind=SegmentKind.TIER).values_list("pk", flat=True)
    )
    last_tier = segment.kind == SegmentKind.TIER and tiers and tiers[-1] == segment.pk
    history = sel.size_history(workspace=workspace, user=user, segment=segment)
    return render(
        request,
        "fans/segments_detail.html",
        {
            "segment": segment,
            "rules_text": pres.describe(segment, last_tier=bool(last_tier)),
            "members": members,
            "page": page,
            "events": events,
            "chart": pres.segment_size_option(history),
            "can_edit": user_can(workspace=workspace, user=user, perm=Perm.FANS_EDIT),
        },
    )


@require_POST
@workspace_view(Perm.FANS_EDIT)
def segment_delete(request: WorkspaceRequest, segment_id: int) -> HttpResponse:
    """Delete a segment or tier (refused while other rules or playbooks use it)."""
    workspace = request.workspace
    segment = sel.segment_get(workspace=workspace, user=request.user, segment_id=segment_id)
    done = run_and_say(
        request,
        lambda: svc.segment_delete(workspace=workspace, actor=request.user, segment=segment),
        _("Deleted."),
    )
    if not done:
        return redirect(_url("segment_detail", workspace.slug, segment_id=segment_id))
    return redirect(_url("segment_list", workspace.slug))


@require_POST
@workspace_view(Perm.FANS_EDIT)
def segments_refresh(request: WorkspaceRequest) -> HttpResponse:
    """Refresh now: scores, tiers and segments are recomputed in the background."""
    workspace = request.workspace
    run_and_say(
        request,
        lambda: svc.segments_refresh_request(workspace=workspace, actor=request.user),
        _("Refresh started; sizes update in a minute."),
    )
    return redirect(_url("segment_list", workspace.slug))


segments_urlpatterns: list[URLPattern] = [
    path("fans/segments/", segment_list, name="segment_list"),
    path("fans/segments/new/", segment_create, name="segment_create"),
    path("fans/segments/builder/", segment_builder, name="segment_builder"),
    path("fans/segments/count/", segment_count, name="segment_count"),
    path("fans/segments/refresh/", segments_refresh, name="segments_refresh"),
    path("fans/segments/<int:segment_id>/", segment_detail, name="segment_detail"),
    path("fans/segments/<int:segment_id>/edit/", segment_edit, name="segment_edit"),
    path("fans/segments/<int:segment_id>/delete/", segment_delete, name="segment_delete"),
]
