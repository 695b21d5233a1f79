"""Event pages: staff pages for the admin and the analyst, the public registration page, its throttle,
the registrant's own page and cancellation link, and the four permission cases of the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from socialops.community.models.events import Event, Registration, RegistrationStatus
from socialops.community.services import events as svc
from socialops.community.views import events as views
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_event, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def _form(start: dt.datetime, **extra: Any) -> dict[str, Any]:
    return {
        "title": "用户交流会",
        "kind": "offline",
        "venue": "上海",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "3",
        "reminder_hours": "24",
        "status": "published",
        **extra,
    }


def test_admin_creates_an_event_and_sees_registrations_wait_list_and_chart(
    workspace: Any, admin: Any, web: Any
) -> None:
    start = timezone.localtime() + dt.timedelta(days=5)
    client = web(admin)
    response = client.post(f"/w/{workspace.slug}/events/new/", _form(start, capacity="1"))
    assert response.status_code == 302, response.content[:500]
    event = Event.objects.get()
    make_registration(event, 1, name="李雷")
    make_registration(event, 2, name="韩梅梅")
    body = client.get(f"/w/{workspace.slug}/events/{event.pk}/").content.decode()
    assert "李雷" in body and 'data-testid="waitlist"' in body and "韩梅梅" in body
    assert 'data-echarts="event-attendance"' in body and f"/p/events/{event.token}/" in body
    listing = client.get(f"/w/{workspace.slug}/events/").content.decode()
    assert "用户交流会" in listing


def test_an_online_event_without_link_is_refused_by_field(workspace: Any, admin: Any, web: Any) -> None:
    start = timezone.localtime() + dt.timedelta(days=5)
    response = web(admin).post(f"/w/{workspace.slug}/events/new/", _form(start, kind="online", venue=""))
    assert response.status_code == 200 and "An online event needs its link." in response.content.decode()
    assert not Event.objects.exists()


def test_the_analyst_reads_every_event_page_and_cannot_write(workspace: Any, analyst: Any, web: Any) -> None:
    event = make_event(workspace)
    row = make_registration(event, 1)
    client = web(analyst)
    for url in (f"/w/{workspace.slug}/events/", f"/w/{workspace.slug}/events/{event.pk}/"):
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 405
    assert client.get(f"/w/{workspace.slug}/events/new/").status_code == 403
    assert (
        client.post(f"/w/{workspace.slug}/events/{event.pk}/registrations/{row.pk}/checkin/").status_code
        == 403
    )
    row.refresh_from_db()
    assert row.checked_in_at is None


def test_event_page_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    event = make_event(workspace)
    foreign = make_event(other_workspace)
    assert_four_cases(
        web,
        "POST",
        f"/w/{workspace.slug}/events/{event.pk}/edit/",
        f"/w/{workspace.slug}/events/{foreign.pk}/edit/",
        permitted=admin,
        denied=member(Role.ANALYST),
        data=_form(timezone.localtime() + dt.timedelta(days=2)),
        ok=(302,),
    )


def test_public_registration_confirms_then_waitlists_and_the_link_cancels(workspace: Any, web: Any) -> None:
    event = make_event(workspace, capacity=1)
    client = web(None)
    page = client.get(f"/p/events/{event.token}/")
    assert page.status_code == 200 and 'name="phone"' in page.content.decode()

    first = client.post(f"/p/events/{event.token}/", {"name": "李雷", "phone": "13800130001"})
    assert first.status_code == 302
    own = client.get(first["Location"]).content.decode()
    assert "You are registered." in own and 'data-testid="qr"' in own
    second = client.post(f"/p/events/{event.token}/", {"name": "韩梅梅", "phone": "13800130002"})
    waiting_page = client.get(second["Location"]).content.decode()
    assert "number 1 on the wait list" in waiting_page

    cancel = client.post(first["Location"] + "cancel/")
    assert cancel.status_code == 302
    statuses = dict(Registration.objects.values_list("person__display_name", "status"))
    assert statuses == {"李雷": RegistrationStatus.CANCELLED, "韩梅梅": RegistrationStatus.CONFIRMED}
    assert "This registration is cancelled." in client.get(first["Location"]).content.decode()


def test_an_invalid_phone_message_names_the_field(workspace: Any, web: Any) -> None:
    event = make_event(workspace)
    response = web(None).post(f"/p/events/{event.token}/", {"name": "李雷", "phone": "12345"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid mobile phone number." in body and 'id="id_phone"' in body and "is-invalid" in body
    assert not Registration.objects.exists()


def test_public_registration_is_rate_limited(workspace: Any, web: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(views, "REGISTER_LIMIT", 2)
    event = make_event(workspace, capacity=10)
    client = web(None)
    codes = [
        client.post(f"/p/events/{event.token}/", {"name": "x", "phone": f"1380013{n:04d}"}).status_code
        for n in range(1, 4)
    ]
    assert codes == [302, 302, 429]
    assert Registration.objects.count() == 2


def test_a_draft_event_has_no_public_page_and_a_bad_link_is_404(workspace: Any, web: Any) -> None:
    draft = make_event(workspace, status="draft")
    assert web(None).get(f"/p/events/{draft.token}/").status_code == 404
    event = make_event(workspace)
    row = make_registration(event, 1)
    token = svc.registration_token(row)  # the check-in token is not the registrant's access link
    assert web(None).get(f"/p/events/{event.token}/r/{token}/").status_code == 404
