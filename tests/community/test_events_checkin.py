"""The door: a registration's signed QR code checks in once; a second scan says when it already did."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from socialops.community.models.events import Registration
from socialops.community.presenters.events import registrant_name
from socialops.community.services import events as svc
from socialops.workspaces.roles import Role
from tests.factories import make_event, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def _qr_url(event: Any, row: Registration) -> str:
    access = svc.registration_token(row, svc.ACCESS_SALT)
    return f"/p/events/{event.token}/r/{access}/qr.svg"


def test_a_registrations_qr_code_checks_in_once_and_a_second_scan_says_already(
    workspace: Any, operator: Any, web: Any
) -> None:
    event = make_event(workspace)
    row = make_registration(event, 1, name="李雷")

    # The registrant's page shows the QR code, an SVG encoding the signed check-in URL.
    qr = web(None).get(_qr_url(event, row))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<svg")
    token = svc.registration_token(row)
    checkin = f"/w/{workspace.slug}/events/checkin/{token}/"

    staff = web(operator)
    page = staff.get(checkin)
    assert page.status_code == 200
    assert "李雷" in page.content.decode() and 'data-testid="checkin-submit"' in page.content.decode()

    first = staff.post(checkin)
    assert 'data-testid="checkin-done"' in first.content.decode()
    row.refresh_from_db()
    assert row.checked_in_at is not None and row.checked_in_by == operator
    clock = timezone.localtime(row.checked_in_at, workspace.tz).strftime("%H:%M")

    for second in (staff.get(checkin), staff.post(checkin)):
        body = second.content.decode()
        assert f"Already checked in at {clock}" in body
        assert 'data-testid="checkin-submit"' not in body
    checked_at = row.checked_in_at
    row.refresh_from_db()
    assert row.checked_in_at == checked_at


def test_a_forged_or_foreign_token_is_a_404_and_the_checkin_needs_the_role(
    workspace: Any, other_workspace: Any, operator: Any, analyst: Any, web: Any, member: Any
) -> None:
    row = make_registration(make_event(workspace), 1)
    token = svc.registration_token(row)
    assert web(operator).get(f"/w/{workspace.slug}/events/checkin/{token}x/").status_code == 404
    assert web(analyst).get(f"/w/{workspace.slug}/events/checkin/{token}/").status_code == 403
    stranger = member(Role.OPERATOR, ws=other_workspace)
    assert web(stranger).get(f"/w/{other_workspace.slug}/events/checkin/{token}/").status_code == 404
    anonymous = web(None).get(f"/w/{workspace.slug}/events/checkin/{token}/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    # The registrant's own link cannot be used to check in (another salt).
    access = svc.registration_token(row, svc.ACCESS_SALT)
    assert web(operator).get(f"/w/{workspace.slug}/events/checkin/{access}/").status_code == 404


def test_without_fans_identity_the_registrant_is_the_pseudonym(workspace: Any) -> None:
    row = make_registration(make_event(workspace), 1, name="韩梅梅")
    assert registrant_name(row, identity=True) == "韩梅梅"
    assert registrant_name(row, identity=False) == row.person.pseudonym


def test_manual_checkin_from_the_event_page_with_search(workspace: Any, operator: Any, web: Any) -> None:
    event = make_event(workspace)
    row = make_registration(event, 1, name="王芳")
    make_registration(event, 2, name="张伟")
    page = web(operator).get(f"/w/{workspace.slug}/events/{event.pk}/?q=王芳")
    body = page.content.decode()
    assert "王芳" in body and "张伟" not in body
    url = f"/w/{workspace.slug}/events/{event.pk}/registrations/{row.pk}/checkin/"
    assert web(operator).post(url).status_code == 302
    web(operator).post(url)
    row.refresh_from_db()
    assert row.checked_in_at is not None
