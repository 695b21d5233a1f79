"""Pages of the fans app: the fan list, a person's profile and timeline, merge, export and erase."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.core.view_helpers import run_and_say
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.people import PersonFilterForm, PersonMergeForm
from ..models import Person
from ..presenters import people as pres
from ..selectors import people as sel
from ..services import merges as merge_svc
from ..services import privacy as privacy_svc

LIST_PAGE = 50


def _detail_url(request: WorkspaceRequest, person_id: int) -> str:
    return reverse("person_detail", kwargs={"slug": request.workspace.slug, "person_id": person_id})


def _identify(request: WorkspaceRequest) -> bool:
    return request.membership.has_perm(Perm.FANS_IDENTITY)


def _timeline(request: WorkspaceRequest, person: Person, page: int) -> dict[str, Any]:
    identify = _identify(request)
    timeline = sel.person_timeline(workspace=request.workspace, user=request.user, person=person, page=page)
    return {
        "person": person,
        "timeline": timeline,
        "entries": [pres.timeline_row(e, person, identify) for e in timeline.entries],
    }


def _page_number(request: WorkspaceRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 10_000))
    except ValueError:
        return 1


@workspace_view()
def person_list(request: WorkspaceRequest) -> HttpResponse:
    """Fans: one row per person with tier, platforms, last activity, orders, spend and predicted value."""
    workspace = request.workspace
    identify = _identify(request)
    form = PersonFilterForm(
        request.GET or None,
        choices=sel.filter_choices(workspace=workspace, user=request.user),
        identify=identify,
    )
    filters = form.filters() if request.GET else {"sort": sel.SORT_VALUE}
    qs = sel.person_list(workspace=workspace, user=request.user, **filters)
    page = Paginator(qs, LIST_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "person": p,
            "name": pres.person_name(p, identify),
            "platforms": pres.platforms_of(p),
            "p_alive": pres.pct(p.p_alive),
        }
        for p in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "fans/people_list.html",
        {
            "form": form,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(v for k, v in filters.items() if k != "sort"),
            "identify": identify,
        },
    )


@workspace_view()
def person_detail(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """One person: identities, tier, scores, interests, predicted value, timeline and monthly activity."""
    workspace = request.workspace
    person = sel.person_get(workspace=workspace, user=request.user, person_id=person_id)
    identify = _identify(request)
    months = sel.person_monthly_activity(workspace=workspace, user=request.user, person=person)
    interests = sel.person_interests(workspace=workspace, user=request.user, person=person)
    top = max((i.weight for i in interests), default=0) or 1
    merges = sel.person_merges(workspace=workspace, user=request.user, person=person)
    return render(
        request,
        "fans/people_detail.html",
        {
            **_timeline(request, person, _page_number(request)),
            "name": pres.person_name(person, identify),
            "identify": identify,
            "fans": pres.fan_rows(person, identify),
            "interests": [
                {"tag": i.tag, "weight": i.weight, "size": 0.8 + 0.6 * i.weight / top} for i in interests
            ],
            "chart": pres.activity_chart_option(months),
            "p_alive": pres.pct(person.p_alive),
            "merges": [{"merge": m, "label": pres.merge_label(m, identify)} for m in merges],
            "merge_form": PersonMergeForm(),
            "can_edit": user_can(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT),
            "can_erase": user_can(workspace=workspace, user=request.user, perm=Perm.FANS_ERASE),
        },
    )


@workspace_view()
def person_timeline(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """One more page of a person's timeline (the profile's "More" button loads it with htmx)."""
    person = sel.person_get(workspace=request.workspace, user=request.user, person_id=person_id)
    return render(request, "fans/people_timeline.html", _timeline(request, person, _page_number(request)))


@require_POST
@workspace_view(Perm.FANS_EDIT)
def person_merge(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """Merge another person (picked by id) into this one."""
    workspace = request.workspace
    person = sel.person_get(workspace=workspace, user=request.user, person_id=person_id)
    form = PersonMergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(request, person.pk))
    try:
        other = sel.person_get(workspace=workspace, user=request.user, person_id=form.cleaned_data["other"])
    except Http404:
        messages.error(request, _("No person with this id in this workspace."))
        return redirect(_detail_url(request, person.pk))
    if other.pk == person.pk:
        messages.error(request, _("A person cannot be merged with themselves."))
        return redirect(_detail_url(request, person.pk))
    run_and_say(
        request,
        lambda: merge_svc.person_merge(
            workspace=workspace,
            actor=request.user,
            keep=person,
            merge=other,
            reason=form.cleaned_data["reason"],
        ),
        _("%(other)s was merged into this person.") % {"other": other.pseudonym},
    )
    return redirect(_detail_url(request, person.pk))


@require_POST
@workspace_view(Perm.FANS_EDIT)
def person_unmerge(request: WorkspaceRequest, merge_id: int) -> HttpResponse:
    """Undo a merge: the merged person comes back with what was theirs."""
    workspace = request.workspace
    merge = sel.merge_get(workspace=workspace, user=request.user, merge_id=merge_id)
    run_and_say(
        request,
        lambda: merge_svc.person_unmerge(workspace=workspace, actor=request.user, merge_record=merge),
        _("The merge was undone: #%(id)06d is a person of their own again.") % {"id": merge.merged_person_id},
    )
    return redirect(_detail_url(request, merge.into_id))


@require_POST
@workspace_view(Perm.FANS_ERASE)
def person_export(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """Download everything we hold about the person as JSON (a PIPL access request); audited."""
    workspace = request.workspace
    person = sel.person_get(workspace=workspace, user=request.user, person_id=person_id)
    data = privacy_svc.person_export(workspace=workspace, actor=request.user, person=person)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk:06d}.json"'
    return response


@require_POST
@workspace_view(Perm.FANS_ERASE)
def person_erase(request: WorkspaceRequest, person_id: int) -> HttpResponse:
    """Erase the person and every row that names them (PIPL deletion request)."""
    workspace = request.workspace
    person = sel.person_get(workspace=workspace, user=request.user, person_id=person_id)
    pseudonym = person.pseudonym
    privacy_svc.person_erase(workspace=workspace, actor=request.user, person=person)
    messages.success(
        request, _("%(person)s and everything that named them were erased.") % {"person": pseudonym}
    )
    return redirect("person_list", slug=workspace.slug)


people_urlpatterns: list[URLPattern] = [
    path("fans/", person_list, name="person_list"),
    path("fans/people/<int:person_id>/", person_detail, name="person_detail"),
    path("fans/people/<int:person_id>/timeline/", person_timeline, name="person_timeline"),
    path("fans/people/<int:person_id>/merge/", person_merge, name="person_merge"),
    path("fans/people/merges/<int:merge_id>/undo/", person_unmerge, name="person_unmerge"),
    path("fans/people/<int:person_id>/export/", person_export, name="person_export"),
    path("fans/people/<int:person_id>/erase/", person_erase, name="person_erase"),
]
