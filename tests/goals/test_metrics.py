"""Daily metric snapshots: the upsert services, the API and the metrics page."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from socialops.accounts.models import Platform, SocialAccount
from socialops.goals.models import MetricImport, MetricSnapshot
from socialops.goals.services.metrics import BATCH_SIZE, snapshot_upsert, snapshots_upsert_many
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import account_row

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    b"date,account,followers_total,new_followers,impressions,likes,comments\n"
    b"2024-05-01,acme_weibo,1000,10,5000,7,3\n"
    b"2024-05-02,acme_weibo,1010,10,5200,,\n"
)
BAD_CSV = (
    b"date,account,followers_total,new_followers\n"
    b"2024-05-01,acme_weibo,1000,10\n"
    b"2024-05-01,acme_weibo,1000,-3\n"
)


@pytest.fixture
def weibo(workspace: Any) -> SocialAccount:
    return account_row(workspace, "acme_weibo")


@pytest.fixture
def douyin(workspace: Any) -> SocialAccount:
    return account_row(workspace, "acme_dy", Platform.DOUYIN)


@pytest.fixture
def foreign_account(other_workspace: Any) -> SocialAccount:
    return account_row(other_workspace, "other_weibo")


@pytest.fixture
def foreign_operator(member: Any, other_workspace: Any) -> Any:
    return member(Role.OPERATOR, ws=other_workspace, username="ollie")


D1 = dt.date(2024, 5, 1)


# --- services -------------------------------------------------------------------------------


def test_upsert_created_updated_unchanged_and_audited(workspace: Any, weibo: Any, operator: Any) -> None:
    upsert = functools.partial(snapshot_upsert, workspace=workspace, actor=operator, account=weibo, date=D1)
    snap, result = upsert(values={"followers_total": 100, "revenue": "12.5"})
    assert result == "created"
    assert snap.revenue == Decimal("12.50") and snap.new_followers is None

    _snap, result = upsert(values={"followers_total": 100, "revenue": "12.50"})
    assert result == "unchanged"
    assert AuditEntry.objects.filter(workspace=workspace, action__startswith="metric_snapshot").count() == 1

    snap, result = upsert(values={"followers_total": 120, "likes": ""})
    assert result == "updated"
    snap.refresh_from_db()
    assert (snap.followers_total, snap.revenue, snap.likes) == (120, Decimal("12.50"), None)
    entry = AuditEntry.objects.get(workspace=workspace, action="metric_snapshot.update")
    assert entry.actor == operator
    assert entry.before == {"followers_total": 100} and entry.after == {"followers_total": 120}
    assert entry.object_repr == "acme_weibo 2024-05-01"


def test_upsert_blank_is_unknown_not_zero(workspace: Any, weibo: Any) -> None:
    snap, _ = snapshot_upsert(
        workspace=workspace,
        actor=None,
        account=weibo,
        date=D1,
        values={"followers_total": "100", "likes": ""},
    )
    snap.refresh_from_db()
    assert snap.likes is None and snap.engagements is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"new_followers": -1}, "new_followers"),
        ({"likes": "many"}, "likes"),
        ({"comments": 1.5}, "comments"),
        ({"revenue": "-3"}, "revenue"),
        ({"revenue": "1.234"}, "revenue"),
        ({"followers_total": 2**40}, "followers_total"),
        ({"followers": 1}, "followers"),
    ],
)
def test_upsert_rejects_bad_values_naming_the_field(
    workspace: Any, weibo: Any, values: Any, field: str
) -> None:
    with pytest.raises(ValidationError) as err:
        snapshot_upsert(workspace=workspace, actor=None, account=weibo, date=D1, values=values)
    assert field in err.value.message_dict
    assert not MetricSnapshot.objects.exists()


def test_upsert_future_date_uses_workspace_time_zone(workspace: Any, weibo: Any) -> None:
    # 17:30 UTC on 31 May is already 1 June in Shanghai, but not in UTC.
    with time_machine.travel(dt.datetime(2024, 5, 31, 17, 30, tzinfo=dt.UTC), tick=False):
        _snap, result = snapshot_upsert(
            workspace=workspace, actor=None, account=weibo, date=dt.date(2024, 6, 1), values={"posts": 1}
        )
        assert result == "created"
        workspace.timezone = "UTC"
        with pytest.raises(ValidationError) as err:
            snapshot_upsert(
                workspace=workspace, actor=None, account=weibo, date=dt.date(2024, 6, 2), values={"posts": 1}
            )
        assert "date" in err.value.message_dict


def test_upsert_refuses_other_workspace_account_and_members_without_the_role(
    workspace: Any, foreign_account: Any, weibo: Any, analyst: Any
) -> None:
    with pytest.raises(ValidationError) as err:
        snapshot_upsert(
            workspace=workspace, actor=None, account=foreign_account, date=D1, values={"posts": 1}
        )
    assert "account" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        snapshot_upsert(workspace=workspace, actor=analyst, account=weibo, date=D1, values={"posts": 1})
    assert not MetricSnapshot.objects.exists()


def test_upsert_many_bulk_in_few_queries_with_one_audit_entry(
    workspace: Any, weibo: Any, douyin: Any, django_assert_max_num_queries: Any
) -> None:
    start = dt.date(2023, 1, 1)
    rows = [
        (
            account,
            start + dt.timedelta(days=i),
            {"followers_total": 1000 + i, "new_followers": i % 7, "revenue": "9.90"},
        )
        for account in (weibo, douyin)
        for i in range(650)
    ]
    # One read, the INSERTs, one audit entry. Django caps a SQLite statement at 999 parameters
    # (about 50 rows of this table); PostgreSQL takes BATCH_SIZE rows per INSERT.
    per_insert = min(BATCH_SIZE, connection.features.max_query_params or BATCH_SIZE * 20) // 20 or 1
    inserts = -(-1300 // min(BATCH_SIZE, per_insert))
    with django_assert_max_num_queries(inserts + 4):
        counts = snapshots_upsert_many(workspace=workspace, actor=None, rows=rows, source="seed")
    assert counts == {"rows": 1300, "created": 1300, "updated": 0, "unchanged": 0}
    assert MetricSnapshot.objects.filter(workspace=workspace, source="seed").count() == 1300
    assert AuditEntry.objects.filter(workspace=workspace, action="metric_snapshot.bulk_upsert").count() == 1

    rows[0] = (weibo, start, {"followers_total": 1, "new_followers": 0, "revenue": "9.90"})
    with django_assert_max_num_queries(5):
        counts = snapshots_upsert_many(workspace=workspace, actor=None, rows=rows, source="seed")
    assert counts == {"rows": 1300, "created": 0, "updated": 1, "unchanged": 1299}
    assert MetricSnapshot.objects.get(account=weibo, date=start).followers_total == 1

    counts = snapshots_upsert_many(workspace=workspace, actor=None, rows=rows, source="seed")
    assert counts["unchanged"] == 1300
    assert AuditEntry.objects.filter(workspace=workspace, action="metric_snapshot.bulk_upsert").count() == 2


def test_upsert_many_is_all_or_nothing(
    workspace: Any, weibo: Any, foreign_account: Any, operator: Any
) -> None:
    rows = [
        (weibo, D1, {"followers_total": 1}),
        (weibo, D1, {"followers_total": 2}),
        (foreign_account, D1, {"followers_total": 3}),
        (weibo, dt.date(2024, 5, 2), {"likes": -4}),
    ]
    with pytest.raises(ValidationError) as err:
        snapshots_upsert_many(workspace=workspace, actor=operator, rows=rows, source="import")
    messages = err.value.message_dict
    assert set(messages) == {"date", "account", "likes"}
    assert "row 2" in messages["date"][0] and "row 1" in messages["date"][0]
    assert not MetricSnapshot.objects.exists()


# --- API ------------------------------------------------------------------------------------


def test_api_list_four_cases_filter_and_engagements(
    workspace: Any, weibo: Any, douyin: Any, operator: Any, foreign_operator: Any, api: Any
) -> None:
    snapshot_upsert(
        workspace=workspace, actor=None, account=weibo, date=D1, values={"likes": 3, "comments": 2}
    )
    snapshot_upsert(
        workspace=workspace, actor=None, account=weibo, date=dt.date(2024, 5, 9), values={"posts": 1}
    )
    snapshot_upsert(workspace=workspace, actor=None, account=douyin, date=D1, values={"revenue": "99.5"})
    response = assert_four_cases(
        api, "GET", "/api/v1/workspaces/acme/metrics?account=acme_weibo&since=2024-05-01&until=2024-05-05",
        "/api/v1/workspaces/other/metrics", permitted=operator, denied=None,
    )  # fmt: skip
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["account_handle"], item["date"], item["engagements"], item["shares"]) == (
        "acme_weibo",
        "2024-05-01",
        5,
        None,
    )

    everything = api(operator).get("/api/v1/workspaces/acme/metrics").json()
    assert everything["count"] == 3
    by_id = api(operator).get(f"/api/v1/workspaces/acme/metrics?account={douyin.pk}").json()
    assert [Decimal(i["revenue"]) for i in by_id["items"]] == [Decimal("99.5")]
    assert api(operator).get("/api/v1/workspaces/acme/metrics?account=nobody").status_code == 404


def test_api_put_four_cases_and_partial_update(
    workspace: Any,
    weibo: Any,
    foreign_account: Any,
    operator: Any,
    analyst: Any,
    foreign_operator: Any,
    api: Any,
) -> None:
    response = assert_four_cases(
        api, "PUT", f"/api/v1/workspaces/acme/accounts/{weibo.pk}/metrics/2024-05-01",
        f"/api/v1/workspaces/acme/accounts/{foreign_account.pk}/metrics/2024-05-01", permitted=operator,
        denied=analyst, data={"followers_total": 100, "new_followers": 4, "revenue": "10.50"},
    )  # fmt: skip
    assert response.json()["result"] == "created"
    client = api(operator)
    url = f"/api/v1/workspaces/acme/accounts/{weibo.pk}/metrics/2024-05-01"
    again = client.put(url, data={"new_followers": 5}, content_type="application/json").json()
    assert (again["result"], again["followers_total"], again["new_followers"]) == ("updated", 100, 5)
    same = client.put(url, data={"new_followers": 5}, content_type="application/json").json()
    assert same["result"] == "unchanged"
    assert MetricSnapshot.objects.filter(workspace=workspace).count() == 1
    assert not MetricSnapshot.objects.filter(account=foreign_account).exists()


def test_api_put_validation_names_the_field(workspace: Any, weibo: Any, operator: Any, api: Any) -> None:
    client = api(operator)
    url = f"/api/v1/workspaces/acme/accounts/{weibo.pk}/metrics/2024-05-01"
    negative = client.put(url, data={"new_followers": -3}, content_type="application/json")
    assert negative.status_code in (400, 422)
    assert "new_followers" in negative.json()["errors"]
    cents = client.put(url, data={"revenue": "1.999"}, content_type="application/json")
    assert cents.status_code in (400, 422) and "revenue" in cents.json()["errors"]
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    late = client.put(
        f"/api/v1/workspaces/acme/accounts/{weibo.pk}/metrics/{future}",
        data={"posts": 1},
        content_type="application/json",
    )
    assert late.status_code == 400 and "date" in late.json()["errors"]
    huge = client.put(
        f"/api/v1/workspaces/acme/accounts/{2**70}/metrics/2024-05-01",
        data={},
        content_type="application/json",
    )
    assert huge.status_code == 422
    assert not MetricSnapshot.objects.exists()


def _upload(client: Any, content: bytes, name: str = "m.csv", **extra: Any) -> Any:
    return client.post(
        "/api/v1/workspaces/acme/metrics/import", data={"file": SimpleUploadedFile(name, content), **extra}
    )


def test_api_import_four_cases_and_rejection_body(
    workspace: Any,
    weibo: Any,
    foreign_account: Any,
    operator: Any,
    analyst: Any,
    foreign_operator: Any,
    api: Any,
) -> None:
    assert _upload(api(None), GOOD_CSV).status_code == 401
    forbidden = _upload(api(analyst), GOOD_CSV)
    assert forbidden.status_code == 403 and "message" in forbidden.json()
    foreign = api(operator).post(
        "/api/v1/workspaces/other/metrics/import", data={"file": SimpleUploadedFile("m.csv", GOOD_CSV)}
    )
    assert foreign.status_code == 404 and "message" in foreign.json()
    foreign_default = _upload(api(operator), GOOD_CSV, account=str(foreign_account.pk))
    assert foreign_default.status_code == 404

    ok = _upload(api(operator), GOOD_CSV)
    assert ok.status_code == 200, ok.content
    body = ok.json()
    assert (body["rows"], body["created"], body["updated"], body["unchanged"]) == (2, 2, 0, 0)
    assert body["created_by"] == "olivia" and body["file_name"] == "m.csv"

    rejected = _upload(api(operator), BAD_CSV, name="bad.csv")
    assert rejected.status_code == 400
    errors = rejected.json()["errors"]
    assert {"line": 3, "field": "new_followers", "message": "must be ≥ 0"} in errors
    assert any(e["line"] == 3 and e["field"] == "date" and "line 2" in e["message"] for e in errors)
    assert MetricSnapshot.objects.filter(workspace=workspace).count() == 2
    assert MetricImport.objects.filter(workspace=workspace).count() == 1


def test_api_import_with_default_account(workspace: Any, weibo: Any, operator: Any, api: Any) -> None:
    content = "日期,粉丝总数\n2024-05-01,10\n".encode()
    response = _upload(api(operator), content, account="acme_weibo")
    assert response.status_code == 200
    assert MetricSnapshot.objects.get(account=weibo, date=D1).followers_total == 10


def test_api_import_history_four_cases(
    workspace: Any, weibo: Any, operator: Any, foreign_operator: Any, analyst: Any, api: Any
) -> None:
    _upload(api(operator), GOOD_CSV)
    _upload(api(operator), GOOD_CSV)
    response = assert_four_cases(
        api, "GET", "/api/v1/workspaces/acme/metrics/imports", "/api/v1/workspaces/other/metrics/imports",
        permitted=analyst, denied=None,
    )  # fmt: skip
    items = response.json()["items"]
    assert [(i["created"], i["unchanged"]) for i in items] == [(0, 2), (2, 0)]
    assert items[0]["sha256"] == items[1]["sha256"]


# --- pages ----------------------------------------------------------------------------------


def _english(client: Any) -> Any:
    client.cookies["django_language"] = "en"  # the workspace's own language would be zh-Hans
    return client


def test_page_four_cases_table_and_chart(
    workspace: Any, weibo: Any, operator: Any, foreign_operator: Any, web: Any
) -> None:
    snapshot_upsert(
        workspace=workspace,
        actor=None,
        account=weibo,
        date=D1,
        values={"followers_total": 1234, "new_followers": 5},
    )
    response = assert_four_cases(
        lambda u: _english(web(u)), "GET", "/w/acme/metrics/", "/w/other/metrics/",
        permitted=operator, denied=None, api=False,
    )  # fmt: skip
    html = response.content.decode()
    assert "1,234" in html and "2024-05-01" in html
    assert 'data-echarts="metrics-chart"' in html and 'id="metrics-chart"' in html
    assert "Import a file" in html and 'data-testid="metric-edit-form"' in html
    assert "style=" not in html.split("<body", 1)[1]


def test_page_hides_forms_from_members_without_the_role(
    workspace: Any, weibo: Any, analyst: Any, web: Any
) -> None:
    html = _english(web(analyst)).get("/w/acme/metrics/").content.decode()
    assert 'data-testid="metric-import-form"' not in html
    assert 'data-testid="metric-edit-form"' not in html
    assert 'data-testid="snapshot-table"' in html


def test_page_upload_four_cases_and_counts(
    workspace: Any, weibo: Any, operator: Any, analyst: Any, foreign_operator: Any, web: Any
) -> None:
    def client_for(user: Any) -> Any:
        client = _english(web(user))
        original = client.post

        def post(url: str, data: Any = None, **kw: Any) -> Any:
            return original(url, data={"file": SimpleUploadedFile("m.csv", GOOD_CSV)}, **kw)

        client.post = post  # type: ignore[method-assign]
        return client

    response = assert_four_cases(
        client_for, "POST", "/w/acme/metrics/import/", "/w/other/metrics/import/",
        permitted=operator, denied=analyst, data={}, ok=(302,), api=False,
    )  # fmt: skip
    assert response["Location"] == "/w/acme/metrics/"
    assert MetricSnapshot.objects.filter(workspace=workspace).count() == 2
    # The same file again: the page says nothing changed, and the history lists both runs.
    again = _english(web(operator)).post(
        "/w/acme/metrics/import/", data={"file": SimpleUploadedFile("m.csv", GOOD_CSV)}, follow=True
    )
    html = again.content.decode()
    assert "Imported m.csv: 2 rows — 0 new, 0 updated, 2 unchanged." in html
    assert html.count('<td class="text-break">') == 2
    assert MetricSnapshot.objects.filter(workspace=workspace).count() == 2


def test_page_upload_rejected_shows_line_report_and_changes_nothing(
    workspace: Any, weibo: Any, operator: Any, web: Any
) -> None:
    snapshot_upsert(workspace=workspace, actor=None, account=weibo, date=D1, values={"new_followers": 9})
    client = _english(web(operator))
    response = client.post("/w/acme/metrics/import/", data={"file": SimpleUploadedFile("bad.csv", BAD_CSV)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="import-report"' in html
    assert "“bad.csv” was not imported: 2 problems found" in html
    assert "<td>new_followers</td>" in html and "must be ≥ 0" in html
    assert 'action="/w/acme/metrics/"' in html  # filtering from here goes back to the list
    assert MetricSnapshot.objects.get(account=weibo, date=D1).new_followers == 9
    assert not MetricImport.objects.exists()


def test_page_upload_report_in_chinese(workspace: Any, weibo: Any, operator: Any, web: Any) -> None:
    client = web(operator)
    del client.cookies["django_language"]  # so the workspace's own language, zh-Hans, applies
    response = client.post("/w/acme/metrics/import/", data={"file": SimpleUploadedFile("bad.csv", BAD_CSV)})
    html = response.content.decode()
    assert "未导入" in html and "必须 ≥ 0" in html


def test_page_edit_four_cases_and_correction(
    workspace: Any,
    weibo: Any,
    foreign_account: Any,
    operator: Any,
    analyst: Any,
    foreign_operator: Any,
    web: Any,
) -> None:
    data = {"account": weibo.pk, "date": "2024-05-01", "followers_total": "100", "likes": ""}
    response = assert_four_cases(
        lambda u: _english(web(u)), "POST", "/w/acme/metrics/day/", "/w/other/metrics/day/",
        permitted=operator, denied=analyst, data=data, ok=(302,), api=False,
    )  # fmt: skip
    assert response["Location"] == f"/w/acme/metrics/?account={weibo.pk}"
    snap = MetricSnapshot.objects.get(account=weibo, date=D1)
    assert (snap.followers_total, snap.likes, snap.source) == (100, None, "manual")

    client = _english(web(operator))
    prefilled = client.get(f"/w/acme/metrics/?account={weibo.pk}&day=2024-05-01").content.decode()
    assert 'name="followers_total" value="100"' in prefilled

    bad = client.post("/w/acme/metrics/day/", data={**data, "followers_total": "-1"})
    assert bad.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in bad.content.decode()
    foreign = client.post("/w/acme/metrics/day/", data={**data, "account": foreign_account.pk})
    assert foreign.status_code == 200 and "Select a valid choice" in foreign.content.decode()
    assert MetricSnapshot.objects.get(account=weibo, date=D1).followers_total == 100
    assert not MetricSnapshot.objects.filter(account=foreign_account).exists()
