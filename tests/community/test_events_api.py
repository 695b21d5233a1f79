"""The events API: the four permission cases of every endpoint, and check-in once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.access import assert_four_cases
from tests.factories import make_event, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(workspace: Any, other_workspace: Any) -> dict[str, Any]:
    event = make_event(workspace, capacity=1)
    foreign = make_event(other_workspace)
    return {
        "event": event,
        "foreign": foreign,
        "row": make_registration(event, 1, name="李雷"),
        "waiting": make_registration(event, 2),
        "foreign_row": make_registration(foreign, 3),
    }


def _base(ws: Any) -> str:
    return f"/api/v1/workspaces/{ws.slug}/events"


def test_reads_four_cases(
    api: Any, pair: dict[str, Any], workspace: Any, other_workspace: Any, analyst: Any
) -> None:
    event, foreign = pair["event"], pair["foreign"]
    listing = assert_four_cases(
        api,
        "GET",
        _base(workspace),
        f"/api/v1/workspaces/{other_workspace.slug}/events",
        permitted=analyst,
        denied=None,
    )
    assert [e["id"] for e in listing.json()["items"]] == [event.pk]
    detail = assert_four_cases(
        api,
        "GET",
        f"{_base(workspace)}/{event.pk}",
        f"{_base(workspace)}/{foreign.pk}",
        permitted=analyst,
        denied=None,
    )
    assert detail.json()["figures"] == {
        "confirmed": 1,
        "waiting": 1,
        "cancelled": 0,
        "checked_in": 0,
        "left": 0,
        "manual": 0,
    }
    regs = assert_four_cases(
        api,
        "GET",
        f"{_base(workspace)}/{event.pk}/registrations?status=waitlisted",
        f"{_base(workspace)}/{foreign.pk}/registrations",
        permitted=analyst,
        denied=None,
    )
    assert [r["id"] for r in regs.json()["items"]] == [pair["waiting"].pk]
    # The analyst has no fans.identity: pseudonyms only.
    names = {
        r["name"] for r in api(analyst).get(f"{_base(workspace)}/{event.pk}/registrations").json()["items"]
    }
    assert "李雷" not in names


def test_writes_four_cases(
    api: Any, pair: dict[str, Any], workspace: Any, operator: Any, analyst: Any
) -> None:
    start = timezone.now() + dt.timedelta(days=4)
    body = {
        "title": "线上发布会",
        "kind": "online",
        "link": "https://live.example.com/x",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=1)).isoformat(),
        "capacity": 100,
    }
    created = assert_four_cases(
        api,
        "POST",
        _base(workspace),
        f"/api/v1/workspaces/{pair['foreign'].workspace.slug}/events",
        permitted=operator,
        denied=analyst,
        data=body,
        ok=(201,),
    )
    assert created.json()["public_path"].startswith("/p/events/")
    patched = assert_four_cases(
        api,
        "PATCH",
        f"{_base(workspace)}/{pair['event'].pk}",
        f"{_base(workspace)}/{pair['foreign'].pk}",
        permitted=operator,
        denied=analyst,
        data={"capacity": 2},
        ok=(200,),
    )
    assert patched.json()["capacity"] == 2
    first = assert_four_cases(
        api,
        "POST",
        f"{_base(workspace)}/registrations/{pair['row'].pk}/checkin",
        f"{_base(workspace)}/registrations/{pair['foreign_row'].pk}/checkin",
        permitted=operator,
        denied=analyst,
        ok=(200,),
    )
    assert first.json()["first"] is True
    again = api(operator).post(f"{_base(workspace)}/registrations/{pair['row'].pk}/checkin")
    assert again.json()["first"] is False
    cancelled = assert_four_cases(
        api,
        "POST",
        f"{_base(workspace)}/registrations/{pair['waiting'].pk}/cancel",
        f"{_base(workspace)}/registrations/{pair['foreign_row'].pk}/cancel",
        permitted=operator,
        denied=analyst,
        ok=(200,),
    )
    assert cancelled.json()["status"] == "cancelled"


def test_a_refused_event_names_its_field(api: Any, workspace: Any, operator: Any) -> None:
    start = timezone.now() + dt.timedelta(days=4)
    response = api(operator).post(
        _base(workspace),
        data={
            "title": "x",
            "kind": "offline",
            "starts_at": start.isoformat(),
            "ends_at": (start - dt.timedelta(hours=1)).isoformat(),
            "capacity": 5,
        },
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    text = str(response.json())
    assert "venue" in text and "ends_at" in text
