"""Saved views of the content library: a member saves the current filters under a name, sees them as
quick links on the library page, opens and deletes them; each member sees only their own."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from socialops.content.models import SavedView
from socialops.content.services.saved_views import saved_view_create
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_item

pytestmark = pytest.mark.django_db

API = "/api/v1/workspaces/acme/content/saved-views"
OTHER_API = "/api/v1/workspaces/other/content/saved-views"


def _view(workspace: Any, user: Any, name: str = "本周到期", **filters: str) -> SavedView:
    return saved_view_create(
        workspace=workspace, actor=user, name=name, filters=filters or {"due_from": "2026-03-09"}
    )


def test_saving_filters_the_library_and_deleting(workspace: Any, operator: Any, web: Any, theme: Any) -> None:
    make_item(workspace, theme, "三月新品", deadline=dt.date(2026, 3, 12))
    make_item(workspace, theme, "四月活动", deadline=dt.date(2026, 4, 20))
    client = web(operator)
    listed = client.get("/w/acme/content/?due_from=2026-03-01&due_to=2026-03-31")
    text = listed.content.decode()
    assert "三月新品" in text and "四月活动" not in text
    assert 'data-testid="save-view"' in text

    saved = client.post(
        "/w/acme/content/views/", {"name": "March", "due_from": "2026-03-01", "due_to": "2026-03-31"}
    )
    assert saved.status_code == 302 and "due_from=2026-03-01" in saved["Location"]
    view = SavedView.objects.get(workspace=workspace, user=operator)
    assert view.filters == {"due_from": "2026-03-01", "due_to": "2026-03-31"}
    assert AuditEntry.objects.filter(workspace=workspace, action="saved_view.create").exists()

    library = client.get("/w/acme/content/").content.decode()
    assert 'data-testid="saved-views"' in library and "March" in library
    assert "?due_from=2026-03-01&amp;due_to=2026-03-31" in library

    deleted = client.post(f"/w/acme/content/views/{view.pk}/delete/")
    assert deleted.status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()
    assert AuditEntry.objects.filter(workspace=workspace, action="saved_view.delete").exists()


def test_views_are_personal(workspace: Any, member: Any, web: Any) -> None:
    mine, theirs = member(Role.OPERATOR), member(Role.OPERATOR)
    view = _view(workspace, theirs, "Theirs")
    assert "Theirs" not in web(mine).get("/w/acme/content/").content.decode()
    assert web(mine).post(f"/w/acme/content/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_the_same_name_replaces_and_bad_input_is_refused(workspace: Any, operator: Any) -> None:
    first = _view(workspace, operator, "Mine", status="draft")
    second = _view(workspace, operator, "Mine", q="新品", ignored="x")
    assert first.pk == second.pk and second.filters == {"q": "新品"}
    with pytest.raises(ValidationError):
        _view(workspace, operator, "  ", status="draft")
    with pytest.raises(ValidationError):
        saved_view_create(workspace=workspace, actor=operator, name="Nothing", filters={})
    with pytest.raises(ValidationError):
        _view(workspace, operator, "Bad date", due_from="next week")


def test_api_list_four_cases(
    workspace: Any, other_workspace: Any, analyst: Any, operator: Any, api: Any
) -> None:
    _view(workspace, operator, "Drafts", status="draft")
    response = assert_four_cases(api, "GET", API, OTHER_API, permitted=operator, denied=None)
    assert [v["name"] for v in response.json()] == ["Drafts"]
    assert response.json()[0]["filters"] == {"status": "draft"}


def test_api_create_four_cases(
    workspace: Any, other_workspace: Any, analyst: Any, operator: Any, api: Any
) -> None:
    data = {"name": "本周", "filters": {"due_from": "2026-03-09", "due_to": "2026-03-15", "owner": "3"}}
    response = assert_four_cases(
        api, "POST", API, OTHER_API, permitted=operator, denied=analyst, data=data, ok=(201,)
    )
    assert response.json()["filters"] == {"due_from": "2026-03-09", "due_to": "2026-03-15", "owner": "3"}
    bad = api(operator).post(API, data={"name": "x", "filters": {}}, content_type="application/json")
    assert bad.status_code == 400


def test_api_delete_four_cases(
    workspace: Any, other_workspace: Any, member: Any, analyst: Any, operator: Any, api: Any
) -> None:
    view = _view(workspace, operator)
    outsider = member(Role.OPERATOR, ws=other_workspace)
    foreign = _view(other_workspace, outsider)
    assert_four_cases(
        api,
        "DELETE",
        f"{API}/{view.pk}",
        f"{OTHER_API}/{foreign.pk}",
        permitted=operator,
        denied=analyst,
        ok=(204,),
    )
    assert not SavedView.objects.filter(pk=view.pk).exists()
