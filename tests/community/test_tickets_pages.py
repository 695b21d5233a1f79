"""Ticket pages (admin and analyst), the button on an inbox thread, the public feedback form and its
throttle, the report page, and the API's four permission cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from socialops.community.models.events import Ticket, TicketAlert, TicketChange
from socialops.community.views import tickets as views
from socialops.engagement.models import Thread
from socialops.fans.models import InteractionKind, InteractionSource
from socialops.fans.services.people import interaction_record
from tests.access import assert_four_cases
from tests.factories import make_account, make_fan, make_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()


def _w(workspace: Any, path: str) -> str:
    return f"/w/{workspace.slug}/tickets/{path}"


def test_admin_opens_filters_updates_and_reports(workspace: Any, admin: Any, web: Any) -> None:
    client = web(admin)
    created = client.post(
        _w(workspace, "new/"), {"title": "积分没有到账", "category": "complaint", "priority": "high"}
    )
    assert created.status_code == 302
    ticket = Ticket.objects.get()
    make_ticket(workspace, "如何开发票", category="question")
    listing = client.get(_w(workspace, "?category=complaint")).content.decode()
    assert "积分没有到账" in listing and "如何开发票" not in listing
    saved = client.post(
        _w(workspace, f"{ticket.pk}/"),
        {"status": "resolved", "priority": "high", "category": "complaint", "note": "已补发"},
    )
    assert saved.status_code == 302
    detail = client.get(_w(workspace, f"{ticket.pk}/")).content.decode()
    assert "已补发" in detail and 'data-testid="ticket-history"' in detail
    report = client.get(_w(workspace, "report/")).content.decode()
    assert 'data-figure="resolved">1<' in report and 'data-echarts="ticket-resolution"' in report


def test_the_analyst_reads_ticket_pages_and_cannot_write(workspace: Any, analyst: Any, web: Any) -> None:
    ticket = make_ticket(workspace)
    client = web(analyst)
    for path in ("", f"{ticket.pk}/", "report/"):
        assert client.get(_w(workspace, path)).status_code == 200
    assert client.post(_w(workspace, f"{ticket.pk}/"), {"status": "closed"}).status_code == 403
    assert client.post(_w(workspace, "")).status_code == 405
    assert client.get(_w(workspace, "new/")).status_code == 403
    assert TicketChange.objects.count() == 1


def test_ticket_page_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, analyst: Any, web: Any
) -> None:
    ticket = make_ticket(workspace)
    foreign = make_ticket(other_workspace)
    assert_four_cases(
        web, "POST", _w(workspace, f"{ticket.pk}/"), _w(workspace, f"{foreign.pk}/"),
        permitted=admin, denied=analyst, data={"status": "waiting", "priority": "normal", "category": "question"}, ok=(302,),
    )  # fmt: skip


def test_the_inbox_thread_button_opens_a_ticket(workspace: Any, operator: Any, web: Any) -> None:
    fan = make_fan(make_account(workspace, "acme_weibo", "weibo"), "uid-1", display_name="张小花")
    interaction_record(
        workspace=workspace, fan=fan, kind=InteractionKind.COMMENT, occurred_at=timezone.now(),
        source=InteractionSource.PULL, text="包装破损了，怎么退换？", external_id="c-1", post_external_id="p-1",
    )  # fmt: skip
    thread = Thread.objects.get()
    client = web(operator)
    inbox = client.get(f"/w/{workspace.slug}/inbox/?thread={thread.pk}").content.decode()
    assert 'data-testid="thread-ticket"' in inbox
    response = client.post(_w(workspace, f"from-thread/{thread.pk}/"))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and ticket.thread_id == thread.pk


def test_public_feedback_opens_a_ticket_names_fields_and_is_throttled(
    workspace: Any, web: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views, "FEEDBACK_LIMIT", 2)
    client = web(None)
    url = f"/p/feedback/{views.feedback_token(workspace)}/"
    assert client.get(url).status_code == 200
    empty = client.post(url, {"category": "suggestion", "title": ""})
    assert empty.status_code == 200 and "is-invalid" in empty.content.decode()
    sent = client.post(url, {"category": "suggestion", "title": "希望有夜景教程"})
    assert sent.status_code == 302
    assert client.post(url, {"category": "suggestion", "title": "再来一个"}).status_code == 429
    assert list(Ticket.objects.values_list("title", "channel")) == [("希望有夜景教程", "form")]


def test_api_four_cases(api: Any, workspace: Any, other_workspace: Any, operator: Any, analyst: Any) -> None:
    ticket = make_ticket(workspace)
    foreign = make_ticket(other_workspace)
    base = f"/api/v1/workspaces/{workspace.slug}/tickets"
    other = f"/api/v1/workspaces/{other_workspace.slug}/tickets"
    listing = assert_four_cases(api, "GET", base, other, permitted=analyst, denied=None)
    assert [t["id"] for t in listing.json()["items"]] == [ticket.pk]
    detail = assert_four_cases(
        api, "GET", f"{base}/{ticket.pk}", f"{base}/{foreign.pk}", permitted=analyst, denied=None
    )
    assert detail.json()["history"][0]["to_status"] == "open"
    assert_four_cases(api, "GET", f"{base}/report", f"{other}/report", permitted=analyst, denied=None)
    assert_four_cases(api, "GET", f"{base}/alerts", f"{other}/alerts", permitted=analyst, denied=None)
    created = assert_four_cases(
        api,
        "POST",
        base,
        other,
        permitted=operator,
        denied=analyst,
        data={"title": "App 闪退", "category": "bug", "priority": "high"},
        ok=(201,),
    )
    assert created.json()["channel"] == "manual"
    patched = assert_four_cases(
        api,
        "PATCH",
        f"{base}/{ticket.pk}",
        f"{base}/{foreign.pk}",
        permitted=operator,
        denied=analyst,
        data={"status": "in_progress", "assignee": operator.pk},
        ok=(200,),
    )
    assert patched.json()["assignee_id"] == operator.pk
    idea = assert_four_cases(
        api,
        "POST",
        f"{base}/{ticket.pk}/idea",
        f"{base}/{foreign.pk}/idea",
        permitted=operator,
        denied=analyst,
        ok=(200,),
    )
    assert idea.json()["source"] == "ticket"
    refused = api(operator).patch(
        f"{base}/{ticket.pk}", data={"status": "done"}, content_type="application/json"
    )
    assert refused.status_code in (400, 422) and "status" in str(refused.json())


def test_the_feedback_form_answers_only_its_token(workspace: Any, admin: Any, web: Any) -> None:
    listing = web(admin).get(_w(workspace, "")).content.decode()
    token = views.feedback_token(workspace)
    assert f"/p/feedback/{token}/" in listing and f"/p/feedback/{workspace.slug}/" not in listing
    public = web(None)
    assert public.get(f"/p/feedback/{workspace.slug}/").status_code == 404
    assert public.get(f"/p/feedback/{token[:-1]}x/").status_code == 404
    assert public.post(f"/p/feedback/{workspace.slug}/", {"category": "bug", "title": "x"}).status_code == 404
    assert not Ticket.objects.exists()


def _alerts(workspace: Any, user: Any) -> list[TicketAlert]:
    return [
        TicketAlert.objects.create(workspace=workspace, user=user, ticket=make_ticket(workspace, f"工单 {n}"), detail=f"工单 {n} 已超时")
        for n in (1, 2, 3)
    ]  # fmt: skip


def test_ticket_alerts_are_marked_read_one_and_all_on_the_page(workspace: Any, admin: Any, web: Any) -> None:
    first, *_rest = _alerts(workspace, admin)
    client = web(admin)
    page = client.get(_w(workspace, "")).content.decode()
    assert page.count('data-testid="ticket-alert-read"') == 3 and "ticket-alerts-read-all" in page
    assert client.post(_w(workspace, "alerts/read/"), {"alert": first.pk}).status_code == 302
    page = client.get(_w(workspace, "")).content.decode()
    assert "工单 1 已超时" not in page and "工单 2 已超时" in page
    client.post(_w(workspace, "alerts/read/"))
    assert 'data-testid="ticket-alerts"' not in client.get(_w(workspace, "")).content.decode()
    assert not TicketAlert.objects.filter(read_at__isnull=True).exists()


def test_ticket_alerts_are_marked_read_through_the_api(
    api: Any, workspace: Any, admin: Any, operator: Any
) -> None:
    first, *_rest = _alerts(workspace, admin)
    theirs = TicketAlert.objects.create(workspace=workspace, user=operator, ticket=first.ticket, detail="x")
    client = api(admin)
    url = f"/api/v1/workspaces/{workspace.slug}/tickets/alerts/read"
    one = client.post(url, {"ids": [first.pk, theirs.pk]}, content_type="application/json")
    assert one.status_code == 200 and one.json() == {"marked": 1}
    assert client.post(url, {}, content_type="application/json").json() == {"marked": 2}
    assert client.get(f"/api/v1/workspaces/{workspace.slug}/tickets/alerts").json()["items"] == []
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_target_column_reads_as_a_resolution_target_in_chinese(
    workspace: Any, admin: Any, web: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    make_ticket(workspace)
    client = web(admin)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(_w(workspace, "")).content.decode()
    assert "目标解决时间" in page and "目标值" not in page
