"""Metrics file imports: whole or nothing, line-numbered errors, idempotent, CSV/XLSX flavours, CLI."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from socialops.cli import main as socialops_main
from socialops.goals.imports import RowError
from socialops.goals.models import MetricImport, MetricSnapshot
from socialops.goals.services import metrics as metric_services
from socialops.goals.services.metrics import MetricsImportRejected, metrics_import, snapshot_upsert
from socialops.workspaces.models import AuditEntry
from tests.factories import account_row
from tests.goals import test_metrics as shared

# The accounts and members of the metrics tests, shared rather than written twice.
weibo, douyin, foreign_account = shared.weibo, shared.douyin, shared.foreign_account

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def _xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(
    workspace: Any, content: bytes, name: str = "m.csv", actor: Any = None, **kw: Any
) -> MetricImport:
    return metrics_import(workspace=workspace, actor=actor, file_name=name, content=content, **kw)


def _reject(workspace: Any, content: bytes, name: str = "m.csv", **kw: Any) -> list[RowError]:
    with pytest.raises(MetricsImportRejected) as err:
        _import(workspace, content, name, **kw)
    return err.value.errors


def _state(workspace: Any) -> list[tuple[Any, ...]]:
    return list(
        MetricSnapshot.objects.filter(workspace=workspace)
        .order_by("account_id", "date")
        .values_list("account_id", "date", "followers_total", "new_followers", "impressions", "source")
    )


# --- the Done-means case ---------------------------------------------------------------------


def test_bad_file_is_rejected_whole_with_line_numbers_and_fixed_file_lands_once(
    workspace: Any, weibo: Any, douyin: Any, operator: Any
) -> None:
    snapshot_upsert(
        workspace=workspace,
        actor=None,
        account=weibo,
        date=dt.date(2024, 5, 1),
        values={"followers_total": 999},
    )
    before = _state(workspace)

    errors = _reject(workspace, (DATA / "metrics_bad.csv").read_bytes(), "metrics_bad.csv", actor=operator)
    found = {(e.line, e.field): e.message for e in errors}
    assert found[(3, "date")] == "is not a real calendar date"
    assert found[(4, "new_followers")] == "must be ≥ 0"
    assert found[(5, "account")] == "unknown account “nobody”"
    assert found[(6, "date")] == "same account and day as line 2"
    assert found[(7, "followers_total")] == "must be a whole number"
    assert found[(8, "date")] == "is in the future"
    assert len(errors) == 6  # line 2 is fine; every other line is reported, not just the first
    assert [str(e) for e in errors][1] == "line 4, new_followers: must be ≥ 0"

    truncated = _xlsx([["date", "account", "followers_total"], [dt.datetime(2024, 5, 2), "acme_weibo", 5]])
    errors = _reject(workspace, truncated[: len(truncated) // 2], "export.xlsx", actor=operator)
    assert len(errors) == 1
    assert errors[0].line is None and errors[0].field == "file"
    assert "truncated or damaged" in errors[0].message

    # Nothing was written by either attempt: the same rows with the same values, no import recorded.
    assert _state(workspace) == before
    assert not MetricImport.objects.exists()
    assert not AuditEntry.objects.filter(action="metric_import.create").exists()

    good = (DATA / "metrics_good.csv").read_bytes()
    first = _import(workspace, good, "metrics_good.csv", actor=operator)
    assert (first.rows, first.created, first.updated, first.unchanged) == (6, 5, 1, 0)
    after_first = _state(workspace)
    assert len(after_first) == 6
    assert MetricSnapshot.objects.get(account=weibo, date=dt.date(2024, 5, 1)).followers_total == 1000
    blank = MetricSnapshot.objects.get(account=weibo, date=dt.date(2024, 5, 4))
    assert blank.impressions is None  # a blank cell is unknown, not 0

    second = _import(workspace, good, "metrics_good.csv", actor=operator)
    assert (second.rows, second.created, second.updated, second.unchanged) == (6, 0, 0, 6)
    assert _state(workspace) == after_first
    runs = list(MetricImport.objects.filter(workspace=workspace).order_by("id"))
    assert len(runs) == 2 and runs[0].sha256 == runs[1].sha256 and len(runs[0].sha256) == 64
    assert runs[1].created_by == operator
    assert AuditEntry.objects.filter(workspace=workspace, action="metric_import.create").count() == 2


def test_failure_midway_in_the_write_leaves_nothing(workspace: Any, weibo: Any, monkeypatch: Any) -> None:
    snapshot_upsert(
        workspace=workspace, actor=None, account=weibo, date=dt.date(2024, 5, 1), values={"posts": 1}
    )
    before = _state(workspace)
    monkeypatch.setattr(metric_services, "BATCH_SIZE", 1)
    real_bulk_create = MetricSnapshot.objects.bulk_create
    calls = {"n": 0}

    def failing_bulk_create(objs: Any, *args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(MetricSnapshot.objects, "bulk_create", failing_bulk_create)
    content = (
        b"date,account,posts\n2024-05-01,acme_weibo,2\n2024-05-02,acme_weibo,3\n2024-05-03,acme_weibo,4\n"
    )
    with pytest.raises(RuntimeError):
        _import(workspace, content)
    assert calls["n"] == 2
    assert _state(workspace) == before
    assert MetricSnapshot.objects.get(account=weibo, date=dt.date(2024, 5, 1)).posts == 1
    assert not MetricImport.objects.exists()


# --- file flavours ---------------------------------------------------------------------------


def test_csv_with_bom_and_semicolons(workspace: Any, weibo: Any) -> None:
    content = "\ufeffdate;account;followers_total;revenue\n2024-05-01;acme_weibo;1 200;1234,56\n".encode()
    errors = _reject(workspace, content)
    # "1234,56" is a European decimal comma, which we do not guess at: the column is named.
    assert [(e.line, e.field) for e in errors] == [(2, "revenue")]
    content = "\ufeffdate;account;followers_total;revenue\n2024-05-01;acme_weibo;1 200;1234.56\n".encode()
    result = _import(workspace, content)
    assert result.created == 1
    snap = MetricSnapshot.objects.get(account=weibo)
    assert (snap.followers_total, snap.revenue, snap.source) == (1200, Decimal("1234.56"), "import")


def test_chinese_headers_in_gb18030_from_excel(workspace: Any, weibo: Any, douyin: Any) -> None:
    text = (
        "日期,账号,粉丝总数,新增粉丝,取关粉丝,展示量,阅读,点赞,评论,分享,收藏,链接点击,线索,优惠券核销,订单,销售额（元）,发文数\n"
        '2024/5/1,acme_dy,"12,345",120,8,56000,30000,900,80,40,25,300,12,6,5,"1,999.90",3\n'
    )
    result = _import(workspace, text.encode("gb18030"), "抖音数据.csv")
    assert result.created == 1 and result.file_name == "抖音数据.csv"
    snap = MetricSnapshot.objects.get(account=douyin, date=dt.date(2024, 5, 1))
    assert snap.followers_total == 12345 and snap.impressions == 56000 and snap.reach == 30000
    assert snap.engagements == 900 + 80 + 40 + 25
    assert (snap.coupon_redemptions, snap.orders, snap.revenue, snap.posts) == (6, 5, Decimal("1999.90"), 3)


def test_tab_separated_with_default_account(workspace: Any, weibo: Any) -> None:
    content = b"date\tfollowers\tlikes\n2024-05-01\t10\t\n2024-05-02\t11\t4\n"
    result = _import(workspace, content, "m.tsv", account=weibo)
    assert result.created == 2
    assert MetricSnapshot.objects.get(date=dt.date(2024, 5, 1)).likes is None  # blank cell = unknown, not 0
    assert MetricSnapshot.objects.get(date=dt.date(2024, 5, 2)).likes == 4


def test_xlsx_with_real_date_cells(workspace: Any, weibo: Any, douyin: Any, tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_bytes(
        _xlsx(
            [
                ["日期", "账号", "粉丝总数", "曝光量", "销售额"],
                [dt.datetime(2024, 5, 1), "acme_weibo", 100, 5000, 12.5],
                [dt.date(2024, 5, 2), weibo.pk, 101.0, None, 0.1 + 0.2],
                [],
                ["2024-05-03", "acme_dy", 7, 8, None],
            ]
        )
    )
    result = _import(workspace, path.read_bytes(), path.name)
    assert (result.rows, result.created) == (3, 3)
    first = MetricSnapshot.objects.get(account=weibo, date=dt.date(2024, 5, 1))
    assert (first.followers_total, first.impressions, first.revenue) == (100, 5000, Decimal("12.50"))
    second = MetricSnapshot.objects.get(account=weibo, date=dt.date(2024, 5, 2))
    assert (second.followers_total, second.impressions, second.revenue) == (101, None, Decimal("0.30"))


def test_xlsx_errors_name_the_spreadsheet_row(workspace: Any, weibo: Any) -> None:
    content = _xlsx(
        [
            ["date", "account", "new_followers"],
            [dt.datetime(2024, 5, 1), "acme_weibo", 1],
            [None, None, None],
            [dt.datetime(2024, 5, 2), "acme_weibo", -2],
            [45000, "acme_weibo", 2.5],
        ]
    )
    errors = _reject(workspace, content, "e.xlsx")
    assert [(e.line, e.field, e.message) for e in errors] == [
        (4, "new_followers", "must be ≥ 0"),
        (5, "date", "must be a date written YYYY-MM-DD or YYYY/MM/DD"),
        (5, "new_followers", "must be a whole number"),
    ]
    assert not MetricSnapshot.objects.exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", [(None, "file", "The file is empty.")]),
        (b"\n\n", [(None, "file", "The file is empty.")]),
        (b"date,account,likes\n", [(None, "file", "The file has a header but no rows.")]),
        (b"date,account,likes,mood\n2024-05-01,acme_weibo,1,good\n", [(1, "mood", "unknown column")]),
        (
            b"date,likes\n2024-05-01,1\n",
            [(1, "account", "the file needs an account column, or choose an account for it")],
        ),
        (b"date,account\n2024-05-01,acme_weibo\n", [(1, "", "the file has no metric columns")]),
        (
            b"date,account,likes,\xe7\x82\xb9\xe8\xb5\x9e\n2024-05-01,acme_weibo,1,1\n",
            [(1, "点赞", "same column as “likes”")],
        ),
        (
            b"date,account,likes\n2024-05-01,acme_weibo,1,234\n",
            [(2, "", "the row has more values than the header has columns")],
        ),
        (b"date,account,likes\n,acme_weibo,1\n", [(2, "date", "is required")]),
    ],
)
def test_file_level_and_header_errors(workspace: Any, weibo: Any, content: bytes, expected: Any) -> None:
    errors = _reject(workspace, content)
    assert [(e.line, e.field, e.message) for e in errors] == expected


def test_ambiguous_handle_and_old_excel(workspace: Any, weibo: Any) -> None:
    account_row(workspace, "acme_weibo", "douyin")
    errors = _reject(workspace, b"date,account,likes\n2024-05-01,acme_weibo,1\n")
    assert errors[0].message == "“acme_weibo” matches several accounts; use the account id"
    assert _import(workspace, f"date,account,likes\n2024-05-01,{weibo.pk},1\n".encode()).created == 1
    old = _reject(workspace, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls")
    assert "(.xls)" in old[0].message


def test_other_workspace_account_is_unknown_and_roles_apply(
    workspace: Any, weibo: Any, foreign_account: Any, analyst: Any
) -> None:
    errors = _reject(workspace, f"date,account,likes\n2024-05-01,{foreign_account.pk},1\n".encode())
    assert errors[0].message == f"unknown account “{foreign_account.pk}”"
    errors = _reject(workspace, b"date,account,likes\n2024-05-01,other_weibo,1\n")
    assert errors[0].field == "account"
    with pytest.raises(PermissionDenied):
        _import(workspace, b"date,account,likes\n2024-05-01,acme_weibo,1\n", actor=analyst)
    with pytest.raises(ValidationError):
        _import(workspace, b"date,likes\n2024-05-01,1\n", account=foreign_account)
    assert not MetricSnapshot.objects.exists()


def test_progress_reports_validation_then_writing(workspace: Any, weibo: Any) -> None:
    seen: list[tuple[int, int]] = []
    content = b"date,account,likes\n" + b"".join(
        f"2024-0{m}-1{d},acme_weibo,{d}\n".encode() for m in (1, 2) for d in range(5)
    )
    _import(workspace, content, progress=lambda done, total: seen.append((done, total)))
    assert seen[0][1] == 20 and seen[-1] == (20, 20)
    assert (10, 20) in seen


# --- command line ----------------------------------------------------------------------------


def test_cli_imports_and_prints_counts(workspace: Any, weibo: Any, operator: Any, tmp_path: Path) -> None:
    path = tmp_path / "weibo.csv"
    path.write_bytes(b"date,followers_total\n2024-05-01,10\n2024-05-02,12\n")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_data",
        "metrics",
        str(path),
        "--workspace",
        "acme",
        "--account",
        "acme_weibo",
        "--actor",
        "olivia",
        stdout=out,
        stderr=err,
    )
    assert "Imported weibo.csv: 2 rows — 2 new, 0 updated, 0 unchanged." in out.getvalue()
    assert "writing" in err.getvalue() and "2/2" in err.getvalue()  # the progress bar
    assert MetricImport.objects.get().created_by == operator

    out = io.StringIO()
    call_command(
        "import_data",
        "metrics",
        str(path),
        "--workspace",
        "acme",
        "--account",
        str(weibo.pk),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "0 new, 0 updated, 2 unchanged" in out.getvalue()


def test_cli_rejection_prints_report_and_exits_1(
    workspace: Any, weibo: Any, tmp_path: Path, capsys: Any, keep_db_connection: None
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes((DATA / "metrics_bad.csv").read_bytes())
    with pytest.raises(SystemExit) as exit_info:
        socialops_main(["import", "metrics", str(path), "--workspace", "acme", "--no-progress"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "line 4, new_followers: must be ≥ 0" in err
    assert "line 6, date: same account and day as line 2" in err
    assert "bad.csv was not imported: 6 problems; nothing was changed." in err
    assert not MetricSnapshot.objects.exists()


def test_cli_argument_errors(workspace: Any, weibo: Any, analyst: Any, tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_bytes(b"date,account,likes\n2024-05-01,acme_weibo,1\n")
    with pytest.raises(CommandError, match="No workspace 'nope'"):
        call_command("import_data", "metrics", str(path), "--workspace", "nope")
    with pytest.raises(CommandError, match="unknown account"):
        call_command("import_data", "metrics", str(path), "--workspace", "acme", "--account", "ghost")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_data", "metrics", str(tmp_path / "none.csv"), "--workspace", "acme")
    with pytest.raises(CommandError, match="may not import"):
        call_command(
            "import_data",
            "metrics",
            str(path),
            "--workspace",
            "acme",
            "--actor",
            "andy",
            stderr=io.StringIO(),
        )
    assert not MetricSnapshot.objects.exists()
