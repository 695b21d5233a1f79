"""Scheduled reports: the CLI's PDF (Chinese text) and workbook (totals equal to the API's), a slot
missed while the worker was down made exactly once, the robots' payloads, the email with its
files, the API's four permission cases and the pages."""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx
import time_machine
from django.core import mail
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from socialops.analytics.models import PostRecord
from socialops.insights.models import ReportRun, ReportSchedule, RunState
from socialops.insights.presenters import growth as growth_pres
from socialops.insights.reports import delivery
from socialops.insights.reports.build import build_report
from socialops.insights.reports.svg import chart_svg
from socialops.insights.reports.xlsx import render_xlsx
from socialops.insights.services import reports as svc
from socialops.workspaces.models import AuditEntry
from tests.access import assert_four_cases
from tests.factories import PostRecordFactory, fill, make_account, make_campaign, make_theme

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2025, 3, 3)
SUNDAY = dt.date(2025, 3, 9)
# Sunday evening, Shanghai: the API's "last 7 days" are exactly Monday 3 to Sunday 9 March.
EVENING = dt.datetime(2025, 3, 9, 20, 0, tzinfo=SHANGHAI)
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key"
DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=ding-token"
FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/feishu-hook"


@pytest.fixture
def seeded(workspace: Any) -> dict[str, Any]:
    """One account, 12 posts in the week (two themes) and one a week before, daily figures for three weeks."""
    weibo = make_account(workspace, "acme_weibo", platform="weibo")
    expert, news = make_theme(workspace, "专家观点"), make_theme(workspace, "行业动态")
    for i in range(12):
        day = MONDAY + dt.timedelta(days=i % 7)
        PostRecordFactory(
            account=weibo,
            theme=expert if i % 2 else news,
            published_at=dt.datetime.combine(day, dt.time(10 + i % 5), tzinfo=SHANGHAI),
            weekday=day.isoweekday(),
            hour=10 + i % 5,
            impressions=1000 + 100 * i,
            engagements=40 + 7 * i,
            text="新品发布，欢迎关注",
        )
    PostRecordFactory(
        account=weibo,
        published_at=dt.datetime(2025, 2, 24, 10, tzinfo=SHANGHAI),
        weekday=1,
        impressions=5000,
        engagements=999,
    )
    fill(
        weibo,
        MONDAY - dt.timedelta(days=14),
        SUNDAY,
        lambda d: {
            "followers_total": 1000 + d.day,
            "new_followers": 20 + d.day % 3,
            "lost_followers": 5,
            "impressions": 3000 + 10 * d.day,
            "likes": 80,
            "comments": 10,
            "link_clicks": 30,
            "orders": 2,
        },
    )
    return {"weibo": weibo}


@pytest.fixture
def runs_later(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Queued runs are collected instead of going to the worker."""
    sent: list[int] = []
    monkeypatch.setattr(svc, "run_later", [sent.append])
    yield sent


def test_cli_writes_a_chinese_pdf_and_a_workbook_whose_totals_are_the_apis(
    seeded: dict[str, Any], admin: Any, api: Any, tmp_path: Path
) -> None:
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(EVENING, tick=False):
        call_command(
            "report", "run", "--workspace", "acme", "--template", "weekly",
            "--from", "2025-03-03", "--to", "2025-03-09", "--out", str(tmp_path), stdout=out, stderr=err,
        )  # fmt: skip
        content = api(admin).get("/api/v1/workspaces/acme/insights/content?days=7").json()
        funnel = api(admin).get("/api/v1/workspaces/acme/insights/funnel?days=7").json()
    pdf_path, xlsx_path = (Path(p) for p in out.getvalue().split())
    assert pdf_path.suffix == ".pdf" and xlsx_path.suffix == ".xlsx" and "…" in err.getvalue()

    reader = PdfReader(pdf_path)
    first = reader.pages[0].extract_text()
    assert "Acme 科技" in first and "2025-03-03" in first
    assert "专家观点" in "".join(page.extract_text() for page in reader.pages)

    book = load_workbook(xlsx_path)
    summary = book.worksheets[0]
    figures = {row[2]: row[1] for row in summary.iter_rows(min_row=7, values_only=True) if row[2]}
    assert figures["content.posts"] == content["totals"]["posts"] == 12
    assert figures["content.engagements"] == content["totals"]["engagements"]
    assert figures["content.engagement_rate"] == pytest.approx(content["totals"]["engagement_rate"]["mean"])
    exposure = next(s for s in funnel["total"]["steps"] if s["key"] == "exposure")
    assert figures["funnel.exposure"] == exposure["value"]
    assert summary.cell(row=7, column=2).number_format == "#,##0"
    assert len(book.sheetnames) > 4
    with_chart = [ws for ws in book.worksheets if ws._charts]
    assert with_chart, "the workbook has native charts"
    groups = book.worksheets[1]
    rate_cells = [c for c in groups[2] if c.number_format == "0.00%"]
    assert rate_cells


def test_a_slot_missed_while_the_worker_was_down_makes_one_run(
    workspace: Any, admin: Any, runs_later: list[int]
) -> None:
    with time_machine.travel(dt.datetime(2025, 3, 9, 12, 0, tzinfo=SHANGHAI), tick=False):
        schedule = svc.schedule_create(
            workspace=workspace, actor=admin, name="周报", template="weekly", weekday=1, time=dt.time(9, 0)
        )
        assert svc.runs_create_due() == []
    # The worker was down from Sunday to Tuesday: Monday 09:00 passed without it.
    with time_machine.travel(dt.datetime(2025, 3, 11, 10, 30, tzinfo=SHANGHAI), tick=False):
        made = svc.runs_create_due()
        assert svc.runs_create_due() == []
    with time_machine.travel(dt.datetime(2025, 3, 12, 8, 0, tzinfo=SHANGHAI), tick=False):
        assert svc.runs_create_due() == []
    runs = list(ReportRun.objects.filter(schedule=schedule))
    assert len(made) == 1 and runs == made
    assert (runs[0].period_from, runs[0].period_to) == (MONDAY, SUNDAY)
    assert AuditEntry.objects.filter(action="report_run.schedule").count() == 1
    # Its task was lost with the queue: the sweeper sends it again; a second claim does nothing.
    with time_machine.travel(dt.datetime(2025, 3, 12, 8, 5, tzinfo=SHANGHAI), tick=False):
        assert svc.runs_sweep() == [runs[0].pk]
    ReportRun.objects.filter(pk=runs[0].pk).update(state=RunState.DONE)
    assert svc.run_execute(runs[0].pk) == "done"


def test_robot_payloads_follow_each_platforms_format() -> None:
    _url, wecom = delivery.robot_request(
        kind="wecom", url=WECOM, secret="", title="T", markdown="**M**", text="X"
    )
    assert wecom == {"msgtype": "markdown", "markdown": {"content": "**M**"}}
    with time_machine.travel(dt.datetime(2025, 3, 10, 1, 0, tzinfo=dt.UTC), tick=False):
        url, ding = delivery.robot_request(
            kind="dingtalk", url=DINGTALK, secret="SEC", title="T", markdown="M", text="X"
        )
        _u, feishu = delivery.robot_request(
            kind="feishu", url=FEISHU, secret="SEC", title="T", markdown="M", text="X"
        )
    assert ding == {"msgtype": "markdown", "markdown": {"title": "T", "text": "M"}}
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["ding-token"] and query["timestamp"] == ["1741568400000"]
    assert query["sign"] == [delivery.dingtalk_sign("SEC", 1741568400000)]
    assert feishu["msg_type"] == "text" and feishu["content"] == {"text": "X"}
    assert feishu["timestamp"] == "1741568400" and feishu["sign"] == delivery.feishu_sign("SEC", 1741568400)


@respx.mock
def test_a_run_stores_its_files_emails_them_and_tells_the_robots(
    seeded: dict[str, Any], admin: Any, settings: Any, runs_later: list[int], web: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    routes = {
        "wecom": respx.post(WECOM).mock(
            return_value=httpx.Response(200, json={"errcode": 0, "errmsg": "ok"})
        ),
        "dingtalk": respx.post(url__startswith=DINGTALK).mock(
            return_value=httpx.Response(200, json={"errcode": 0})
        ),
        "feishu": respx.post(FEISHU).mock(
            return_value=httpx.Response(200, json={"code": 19021, "msg": "sign match fail"})
        ),
    }
    with time_machine.travel(dt.datetime(2025, 3, 10, 9, 30, tzinfo=SHANGHAI), tick=False):
        schedule = svc.schedule_create(
            workspace=seeded["weibo"].workspace,
            actor=admin,
            template="weekly",
            recipients=["ops@example.com", "boss@example.com"],
            robots=[
                {"kind": "wecom", "url": WECOM},
                {"kind": "dingtalk", "url": DINGTALK, "secret": "SEC"},
                {"kind": "feishu", "url": FEISHU, "secret": "SEC"},
            ],
        )
        run = svc.run_request(workspace=schedule.workspace, actor=admin, template="weekly", schedule=schedule)
        assert svc.run_execute(run.pk) == "done"
    run.refresh_from_db()
    assert (run.period_from, run.period_to) == (MONDAY, SUNDAY) and run.pdf and run.xlsx
    assert run.delivery["email"] == "sent"
    assert run.delivery["robots"] == ["sent", "sent", "failed: 19021 sign match fail"]
    (message,) = mail.outbox
    assert sorted(message.bcc) == ["boss@example.com", "ops@example.com"] and not message.to
    names = [a[0] for a in message.attachments]
    assert names == ["acme-weekly-20250303-20250309.pdf", "acme-weekly-20250303-20250309.xlsx"]
    assert message.attachments[0][1][:5] == b"%PDF-"
    wecom_body = json.loads(routes["wecom"].calls[0].request.content)
    assert wecom_body["msgtype"] == "markdown" and "Acme 科技" in wecom_body["markdown"]["content"]
    assert f"/w/acme/insights/reports/runs/{run.pk}/" in wecom_body["markdown"]["content"]
    assert "sign=" in str(routes["dingtalk"].calls[0].request.url)
    # The audit log never keeps a robot's address (it carries the robot's token).
    entry = AuditEntry.objects.get(action="report_schedule.create")
    assert "ding-token" not in json.dumps(entry.after) and entry.after["robots"] == [
        "wecom",
        "dingtalk",
        "feishu",
    ]
    # The history page lists it and downloads the same PDF again.
    page = web(admin).get("/w/acme/insights/reports/").content.decode()
    assert f"/w/acme/insights/reports/runs/{run.pk}/pdf" in page
    again = web(admin).get(f"/w/acme/insights/reports/runs/{run.pk}/pdf")
    assert b"".join(again.streaming_content) == message.attachments[0][1]


def test_api_four_cases(
    workspace: Any,
    other_workspace: Any,
    admin: Any,
    analyst: Any,
    member: Any,
    api: Any,
    runs_later: list[int],
) -> None:
    stranger = member("admin", ws=other_workspace, username="stranger")
    foreign = svc.schedule_create(workspace=other_workspace, actor=stranger, template="weekly")
    base, other = "/api/v1/workspaces/acme/insights/reports", "/api/v1/workspaces/other/insights/reports"
    made = assert_four_cases(
        api, "POST", f"{base}/schedules", f"{other}/schedules", permitted=admin, denied=analyst,
        data={"name": "周报", "template": "weekly", "weekday": 1, "time": "09:00",
              "recipients": ["ops@example.com"], "robots": [{"kind": "wecom", "url": WECOM}]},
        ok=(201,),
    ).json()  # fmt: skip
    assert made["robots"] == [{"kind": "wecom", "host": "qyapi.weixin.qq.com", "signed": False}]
    sid = made["id"]
    assert_four_cases(
        api, "PATCH", f"{base}/schedules/{sid}", f"{other}/schedules/{foreign.pk}",
        permitted=admin, denied=analyst, data={"enabled": False},
    )  # fmt: skip
    listed = assert_four_cases(
        api, "GET", f"{base}/schedules", f"{other}/schedules", permitted=analyst, denied=None
    )
    assert [s["enabled"] for s in listed.json()] == [False]
    ran = assert_four_cases(
        api, "POST", f"{base}/runs", f"{other}/runs", permitted=admin, denied=analyst,
        data={"template": "monthly", "period_from": "2025-02-01", "period_to": "2025-02-28"}, ok=(201,),
    ).json()  # fmt: skip
    assert ran["state"] == "queued" and ran["pdf_url"] is None
    foreign_run = svc.run_request(workspace=other_workspace, actor=stranger, template="weekly")
    assert_four_cases(
        api,
        "GET",
        f"{base}/runs/{ran['id']}",
        f"{other}/runs/{foreign_run.pk}",
        permitted=analyst,
        denied=None,
    )
    assert_four_cases(api, "GET", f"{base}/runs", f"{other}/runs", permitted=analyst, denied=None)
    bad = api(admin).post(f"{base}/runs", data={"template": "weekly", "period_from": "2025-03-09", "period_to": "2025-03-01"}, content_type="application/json")  # fmt: skip
    assert bad.status_code == 400
    assert_four_cases(
        api, "DELETE", f"{base}/schedules/{sid}", f"{other}/schedules/{foreign.pk}",
        permitted=admin, denied=analyst, ok=(204,),
    )  # fmt: skip
    assert (
        ReportRun.objects.filter(pk=ran["id"]).exists() and not ReportSchedule.objects.filter(pk=sid).exists()
    )


def test_pages_for_admin_and_analyst(
    workspace: Any,
    admin: Any,
    analyst: Any,
    web: Any,
    runs_later: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    created = web(admin).post(
        "/w/acme/insights/reports/schedules/new/",
        {"name": "运营周报", "template": "weekly", "weekday": "1", "time": "09:00",
         "recipients": "ops@example.com, boss@example.com", "enabled": "on",
         "robot1_kind": "dingtalk", "robot1_url": DINGTALK, "robot1_secret": "SEC"},
    )  # fmt: skip
    assert created.status_code == 302
    schedule = ReportSchedule.objects.get(workspace=workspace)
    assert (
        schedule.recipients == ["ops@example.com", "boss@example.com"]
        and schedule.robots[0]["secret"] == "SEC"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert web(admin).post(f"/w/acme/insights/reports/schedules/{schedule.pk}/run/").status_code == 302
    assert runs_later == [ReportRun.objects.get().pk]
    bad = web(admin).post("/w/acme/insights/reports/schedules/new/", {"template": "weekly", "weekday": "1", "time": "09:00", "recipients": "not-an-address"})  # fmt: skip
    assert bad.status_code == 200 and "Not an email address" in bad.content.decode()
    page = web(analyst).get("/w/acme/insights/reports/").content.decode()
    assert (
        "运营周报" in page
        and 'data-testid="schedule-new"' not in page
        and 'data-testid="nav-reports"' in page
    )
    assert "DingTalk (钉钉)" in page and DINGTALK not in page  # the robot's kind, never its token
    assert web(analyst).post(f"/w/acme/insights/reports/schedules/{schedule.pk}/run/").status_code == 403
    assert web(analyst).post("/w/acme/insights/reports/", {"template": "weekly"}).status_code == 403
    assert web(admin).get("/w/acme/insights/reports/").status_code == 200
    run = ReportRun.objects.get()
    assert web(analyst).get(f"/w/acme/insights/reports/runs/{run.pk}/").status_code == 200
    assert web(analyst).get(f"/w/acme/insights/reports/runs/{run.pk}/pdf").status_code == 404  # not made yet
    assert PostRecord.objects.count() == 0


def test_monthly_and_campaign_reports_build_their_sections(seeded: dict[str, Any], admin: Any) -> None:
    workspace = seeded["weibo"].workspace
    campaign = make_campaign(workspace, name="春季新品周", start_date=MONDAY, end_date=dt.date(2025, 3, 8))
    make_campaign(workspace, name="还没结束", start_date=MONDAY, end_date=dt.date(2025, 4, 8))
    with time_machine.travel(EVENING, tick=False):
        monthly = build_report(
            workspace=workspace,
            user=admin,
            template="monthly",
            period_from=dt.date(2025, 2, 1),
            period_to=SUNDAY,
        )
        wrap = build_report(
            workspace=workspace, user=admin, template="campaign", period_from=MONDAY, period_to=SUNDAY
        )
    assert [s.key for s in monthly.sections] == [
        "content", "growth", "funnel", "goals", "anomalies", "benchmark", "recommendations",
    ]  # fmt: skip
    posts = next(k for k in monthly.kpis if k.key == "content.posts")
    assert posts.value == 13  # the post of 24 February is in this period
    (section,) = wrap.sections
    assert [row[0] for row in section.tables[0].rows] == [campaign.name]
    book = load_workbook(io.BytesIO(render_xlsx(wrap)))
    assert book.worksheets[1].cell(row=2, column=1).value == "春季新品周"
    assert book.worksheets[1].cell(row=2, column=2).number_format == "yyyy-mm-dd"


def test_charts_are_drawn_as_svg_from_the_pages_options() -> None:
    flows = {
        "rows": [
            {"period": MONDAY, "new": 30, "lost": 10},
            {"period": MONDAY + dt.timedelta(days=7), "new": 20, "lost": 25},
        ]
    }
    svg = chart_svg(growth_pres.flows_chart_option(flows))
    assert svg.startswith("<svg") and svg.count("<rect") >= 4 + 3 and "<polyline" in svg
    assert "2025-03-03" in svg
    funnel = chart_svg(
        growth_pres.funnel_chart_option(
            {
                "steps": [
                    {"label": "曝光", "value": 20000, "has_data": True},
                    {"label": "订单", "value": 14, "has_data": True},
                ]
            }
        )
    )
    assert "曝光" in funnel and "10,000" in funnel  # a log axis with decade ticks
    assert chart_svg({}) == "" and chart_svg({"xAxis": {"type": "category", "data": []}, "series": []}) == ""
