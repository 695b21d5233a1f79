"""The groups API: the four permission cases of every endpoint, and what it returns."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialops.community.models.groups import AppealState
from tests.community.groups_data import manual_group

pytestmark = pytest.mark.django_db


def _calls(
    workspace: Any, group: Any, action: Any
) -> list[tuple[str, str, dict[str, Any] | None, str | None]]:
    """(method, url, body, permission needed) of every endpoint."""
    base = f"/api/v1/workspaces/{workspace.slug}"
    return [
        ("get", f"{base}/groups", None, None),
        ("get", f"{base}/groups/{group.pk}", None, None),
        ("get", f"{base}/groups/{group.pk}/members", None, None),
        ("get", f"{base}/moderation-actions?status=attention", None, None),
        ("post", f"{base}/groups", {"kind": "manual", "name": "新群"}, "edit"),
        ("post", f"{base}/moderation-actions/{action.pk}/appeal", {"text": "误判"}, "moderate"),
        ("post", f"{base}/moderation-actions/{action.pk}/appeal-decision", {"accept": False}, "moderate"),
        ("post", f"{base}/moderation-actions/{action.pk}/undo", None, "moderate"),
    ]


def _send(client: Any, method: str, url: str, body: dict[str, Any] | None) -> Any:
    if method == "get":
        return client.get(url)
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_anonymous_is_refused(api: Any, workspace: Any) -> None:
    group, action = manual_group(workspace)
    for method, url, body, _perm in _calls(workspace, group, action):
        assert _send(api(None), method, url, body).status_code == 401, url


def test_member_without_the_role_reads_but_cannot_write(api: Any, workspace: Any, analyst: Any) -> None:
    group, action = manual_group(workspace)
    for method, url, body, perm in _calls(workspace, group, action):
        status = _send(api(analyst), method, url, body).status_code
        assert status == (403 if perm else 200), url


def test_permitted_member(api: Any, workspace: Any, admin: Any) -> None:
    group, action = manual_group(workspace)
    results = [_send(api(admin), m, u, b) for m, u, b, _p in _calls(workspace, group, action)]
    assert [r.status_code for r in results] == [200, 200, 200, 200, 201, 200, 200, 200]
    listed = results[0].json()
    assert listed["count"] == 1 and listed["items"][0]["members"] == 3
    assert len(results[1].json()["days"]) == 30
    assert results[5].json()["appeal_state"] == AppealState.PENDING
    assert results[6].json()["appeal_state"] == AppealState.REJECTED
    assert results[7].json()["status"] == "undone"


def test_another_workspace_is_not_found(
    api: Any, workspace: Any, other_workspace: Any, make_user: Any
) -> None:
    from tests.factories import add_member

    group, action = manual_group(workspace)
    outsider = make_user("outsider")
    add_member(other_workspace, outsider)
    for method, url, body, _perm in _calls(workspace, group, action):
        assert _send(api(outsider), method, url, body).status_code == 404, url
    # Their own workspace's URL with our ids is a 404 too.
    _g, _a = manual_group(other_workspace, "别人的群")
    for method, url, body, _perm in _calls(other_workspace, group, action)[1:3]:
        assert _send(api(outsider), method, url, body).status_code == 404, url
