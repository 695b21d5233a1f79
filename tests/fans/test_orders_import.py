"""Order file imports: the real Online Retail sample, idempotence, whole-or-nothing, XLSX, the CLI."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.utils import translation

from socialops.cli import main as socialops_main
from socialops.fans.models import OrderImport, OrderLine, OrderMapping, Person
from socialops.fans.services import orders as services
from socialops.workspaces.models import AuditEntry
from tests.factories import make_person
from tests.shared_data import shared_file

pytestmark = pytest.mark.django_db

RETAIL = "online_retail_sample_20k.csv"


@pytest.fixture(scope="module")
def retail_bytes() -> bytes:
    return shared_file(RETAIL).read_bytes()


def _import(
    workspace: Any, content: bytes, *, mapping: str = "online-retail", name: str = RETAIL, actor: Any = None
) -> OrderImport:
    chosen = services.order_mapping_for_import(workspace=workspace, actor=actor, ref=mapping)
    return services.orders_import(
        workspace=workspace, actor=actor, mapping=chosen, file_name=name, content=content
    )


def test_the_retail_sample_lands_with_its_counts_then_a_second_run_changes_nothing(
    workspace: Any, retail_bytes: bytes, operator: Any
) -> None:
    existing = make_person(workspace, "老客户", customer_id="12621")
    record = _import(workspace, retail_bytes, actor=operator)

    assert (record.rows_total, record.rows_created, record.rows_unchanged) == (20000, 20000, 0)
    assert record.rows_anonymous == 5078
    assert OrderLine.objects.filter(workspace=workspace).count() == 20000
    assert OrderLine.objects.filter(workspace=workspace, is_cancellation=True).count() == 350
    assert OrderLine.objects.filter(workspace=workspace, person__isnull=True).count() == 5078
    # Cancellations take money back: every one is negative.
    assert not OrderLine.objects.filter(is_cancellation=True, amount__gte=0).exists()
    # One person per customer id; the one that existed is reused, untouched.
    customers = OrderLine.objects.exclude(customer_id="").values("customer_id").distinct().count()
    assert Person.objects.filter(workspace=workspace).count() == customers
    assert record.people_created == customers - 1
    existing.refresh_from_db()
    assert existing.display_name == "老客户" and existing.order_lines.exists()
    # Names of new customers are in the workspace's language (zh-Hans here: "客户 16938" once
    # the zh-Hans catalogue holds the orders part).
    with translation.override(workspace.locale):
        expected = translation.gettext("Customer %(id)s") % {"id": "16938"}
    assert Person.objects.get(workspace=workspace, customer_id="16938").display_name == expected
    # The preset's currency and time zone: GBP, UK local time.
    line = OrderLine.objects.get(order_id="557055", product="JUMBO BAG DOILEY PATTERNS")
    assert line.currency == "GBP" and line.amount == Decimal("41.60") and line.quantity == 20
    assert line.ordered_at.isoformat() == "2011-06-16T13:45:00+00:00"  # 14:45 BST
    assert record.mapping_name == "online-retail" and record.created_by == operator
    assert "5078 lines have no customer id" in services.order_import_summary(record)
    assert AuditEntry.objects.filter(action="order_import.create").count() == 1
    spend = OrderLine.objects.filter(workspace=workspace).aggregate(total=Sum("amount"))["total"]

    again = _import(workspace, retail_bytes, actor=operator)
    assert (again.rows_total, again.rows_created, again.rows_unchanged) == (20000, 0, 20000)
    assert again.people_created == 0
    assert OrderLine.objects.filter(workspace=workspace).count() == 20000
    assert OrderLine.objects.filter(workspace=workspace).aggregate(total=Sum("amount"))["total"] == spend
    assert "0 new, 20000 unchanged" in services.order_import_summary(again)


def test_rows_without_a_customer_are_rejected_when_the_mapping_says_so(
    workspace: Any, retail_bytes: bytes
) -> None:
    strict = services.order_mapping_create(
        workspace=workspace,
        actor=None,
        name="strict",
        columns=dict(services.PRESETS["online-retail"]["columns"]),
        options={**services.PRESETS["online-retail"]["options"], "anonymous": "reject"},
    )
    with pytest.raises(services.OrdersImportRejected) as rejected:
        services.orders_import(
            workspace=workspace, actor=None, mapping=strict, file_name=RETAIL, content=retail_bytes
        )
    errors = rejected.value.errors
    # The first 1,000 are listed, then how many more: 5,078 in all.
    assert str(errors[0]) == "line 2, CustomerID: has no customer id"
    assert str(errors[-1]) == "whole file: 4078 more errors not shown"
    assert not OrderLine.objects.exists() and not Person.objects.exists() and not OrderImport.objects.exists()


def test_a_bad_date_on_line_7_rejects_the_whole_file(workspace: Any, retail_bytes: bytes) -> None:
    lines = retail_bytes.decode().splitlines()
    cells = next(csv.reader([lines[6]]))  # line 7 of the file (the header is line 1)
    cells[4] = "2011-02-30 10:00:00"
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    lines[6] = out.getvalue()
    with pytest.raises(services.OrdersImportRejected) as rejected:
        _import(workspace, ("\n".join(lines) + "\n").encode(), name="bad.csv")
    assert [str(e) for e in rejected.value.errors] == ["line 7, InvoiceDate: is not a real calendar date"]
    assert not OrderLine.objects.exists() and not Person.objects.exists() and not OrderImport.objects.exists()


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]


def test_an_xlsx_file_imports_and_matches_its_csv_twin(workspace: Any) -> None:
    import datetime as dt

    rows: list[list[Any]] = [
        [
            "536365",
            "85123A",
            "WHITE HANGING HEART T-LIGHT HOLDER",
            6,
            dt.datetime(2010, 12, 1, 8, 26),
            2.55,
            17850,
            "United Kingdom",
        ],
        [
            "536365",
            "85123A",
            "WHITE HANGING HEART T-LIGHT HOLDER",
            6,
            dt.datetime(2010, 12, 1, 8, 26),
            2.55,
            17850,
            "United Kingdom",
        ],
        ["C536379", "D", "Discount", -1, dt.datetime(2010, 12, 1, 9, 41), 27.5, 14527, "United Kingdom"],
        ["536414", "22139", None, 56, dt.datetime(2010, 12, 1, 11, 52), 0, None, "United Kingdom"],
    ]
    record = _import(workspace, _xlsx([HEADER, *rows]), name="orders.xlsx")
    assert (record.rows_total, record.rows_created, record.rows_anonymous, record.people_created) == (
        4,
        4,
        1,
        2,
    )
    # Two identical lines are two lines (the occurrence keeps them apart).
    assert OrderLine.objects.filter(order_id="536365").count() == 2
    discount = OrderLine.objects.get(order_id="C536379")
    assert discount.is_cancellation and discount.amount == Decimal("-27.50")
    assert discount.person is not None and discount.person.customer_id == "14527"

    csv_text = "\n".join(
        [
            ",".join(HEADER),
            "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
            "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom",
        ]
    )
    twin = _import(workspace, csv_text.encode(), name="orders.csv")
    assert (twin.rows_created, twin.rows_unchanged) == (0, 2)


def test_a_file_without_the_mapped_columns_is_rejected_naming_them(workspace: Any) -> None:
    with pytest.raises(services.OrdersImportRejected) as rejected:
        _import(workspace, b"order,when\n1,2024-01-01\n", name="x.csv")
    fields = {e.field for e in rejected.value.errors}
    assert {"order_id", "ordered_at", "quantity", "unit_price", "customer_id", "product"} <= fields


def test_own_mapping_with_amount_column_day_first_dates_and_currency_column(workspace: Any) -> None:
    mapping = services.order_mapping_create(
        workspace=workspace,
        actor=None,
        name="有赞导出",
        columns={
            "order_id": "订单号",
            "customer_id": "会员ID",
            "ordered_at": "下单时间",
            "amount": "实付金额",
            "currency": "币种",
            "category": "类目",
            "coupon_code": "优惠码",
        },
        options={"date_order": "dmy", "anonymous": "reject"},
    )
    content = (
        "订单号,会员ID,下单时间,实付金额,币种,类目,优惠码\n"
        'E1,m-1,31/05/2024 20:30,"1,299.00",cny,护肤,SUMMER\n'
        "E2,m-2,01/06/2024 09:00,-50,CNY,护肤,\n"
    ).encode()
    record = services.orders_import(
        workspace=workspace, actor=None, mapping=mapping, file_name="yz.csv", content=content
    )
    assert record.rows_created == 2 and record.rows_anonymous == 0
    first = OrderLine.objects.get(order_id="E1")
    assert first.amount == Decimal("1299.00") and first.currency == "CNY" and first.coupon_code == "SUMMER"
    assert first.ordered_at.isoformat() == "2024-05-31T12:30:00+00:00"  # Asia/Shanghai, the workspace's zone
    refund = OrderLine.objects.get(order_id="E2")
    assert refund.is_cancellation and refund.amount == Decimal("-50.00")


def test_each_bad_cell_is_named_by_line_and_column(workspace: Any) -> None:
    mapping = services.order_mapping_for_import(workspace=workspace, actor=None, ref="online-retail")
    content = (
        ",".join(HEADER)
        + "\n"
        + "536365,1,A,six,2010-12-01 08:26:00,2.55,17850,UK\n"
        + "536366,1,A,1,yesterday,2.555555,17850,UK\n"
        + "536367,1,A,1,2010-12-01 08:26:00,,17850,UK\n"
        + ",1,A,1,2010-12-01 08:26:00,1,17850,UK\n"
    ).encode()
    with pytest.raises(services.OrdersImportRejected) as rejected:
        services.orders_import(
            workspace=workspace, actor=None, mapping=mapping, file_name="b.csv", content=content
        )
    assert [str(e) for e in rejected.value.errors] == [
        "line 2, Quantity: must be a number",
        "line 3, InvoiceDate: must be a date and time like 2024-05-31 20:30",
        "line 3, UnitPrice: has more than 4 decimal places",
        "line 4, UnitPrice: is required",
        "line 5, InvoiceNo: is required",
    ]


def test_mapping_rules(workspace: Any, analyst: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.order_mapping_create(
            workspace=workspace,
            actor=None,
            name="x",
            columns={"order_id": "A", "ordered_at": "B"},
            options={"anonymous": "maybe", "currency": "pounds", "time_zone": "Mars/Base"},
        )
    messages = refused.value.message_dict
    assert messages["columns"] == [
        "Map the line amount column, or the unit price (and the quantity) columns."
    ]
    assert len(messages["options"]) == 3
    with pytest.raises(Exception) as denied:
        services.order_mapping_create(workspace=workspace, actor=analyst, name="x", columns={"order_id": "A"})
    assert denied.type.__name__ == "PermissionDenied"
    with pytest.raises(ValidationError):
        services.order_mapping_for_import(workspace=workspace, actor=None, ref="nope")


def _cli(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", "orders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_imports_with_the_preset_name_and_a_progress_bar(workspace: Any, operator: Any) -> None:
    path = shared_file(RETAIL)
    out, err = _cli(str(path), "--workspace", "acme", "--mapping", "online-retail", "--actor", "olivia")
    assert "Imported online_retail_sample_20k.csv: 20000 lines — 20000 new, 0 unchanged" in out
    assert "5078 lines have no customer id" in out
    assert "writing" in err and "20000/20000" in err
    assert OrderMapping.objects.get(workspace=workspace).created_by == operator


def test_cli_rejected_file_prints_every_problem_and_exits_1(
    workspace: Any, tmp_path: Path, capsys: Any, keep_db_connection: None
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        ",".join(HEADER) + "\n" + "1,A,x,1,2011-01-01 10:00,1,1,UK\n" + "2,A,x,1,not a date,1,1,UK\n",
        encoding="utf-8",
    )
    with pytest.raises(SystemExit) as exit_info:
        socialops_main(
            [
                "import",
                "orders",
                str(path),
                "--workspace",
                "acme",
                "--mapping",
                "online-retail",
                "--no-progress",
            ]
        )
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "line 3, InvoiceDate: must be a date and time like 2024-05-31 20:30" in err
    assert "bad.csv was not imported: 1 problem; nothing was changed." in err
    assert not OrderLine.objects.exists()


def test_cli_refuses_a_member_without_the_permission(workspace: Any, analyst: Any, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(",".join(HEADER) + "\n1,A,x,1,2011-01-01 10:00,1,1,UK\n", encoding="utf-8")
    with pytest.raises(CommandError, match="may not import orders"):
        _cli(str(path), "--workspace", "acme", "--mapping", "online-retail", "--actor", "andy")


def test_phone_and_name_are_kept_hashed_and_encrypted_on_the_customer(workspace: Any) -> None:
    from socialops.fans.privacy import contact_decrypt, phone_hash

    mapping = services.order_mapping_create(
        workspace=workspace,
        actor=None,
        name="crm",
        columns={
            "order_id": "订单号",
            "customer_id": "会员ID",
            "ordered_at": "下单时间",
            "amount": "金额",
            "phone": "手机",
            "name": "姓名",
        },
    )
    known = make_person(workspace, "老客户", customer_id="m-1")
    content = (
        "订单号,会员ID,下单时间,金额,手机,姓名\n"
        "E1,m-1,2024-05-01 10:00,10,138 1234 5678,王芳\n"
        "E2,m-2,2024-05-01 11:00,20,+86 13812345678,李雷\n"  # the same number: only the first keeps it
        "E3,,2024-05-01 12:00,30,13900000000,匿名\n"
    ).encode()
    services.orders_import(
        workspace=workspace, actor=None, mapping=mapping, file_name="crm.csv", content=content
    )
    known.refresh_from_db()
    assert known.phone_hash == phone_hash("13812345678") and known.display_name == "老客户"
    assert contact_decrypt(known.contact_encrypted) == {"name": "王芳", "phone": "13812345678"}
    second = Person.objects.get(workspace=workspace, customer_id="m-2")
    assert second.phone_hash == "" and contact_decrypt(second.contact_encrypted)["name"] == "李雷"
    # Nothing of the anonymous line's contact is stored anywhere.
    assert not Person.objects.filter(phone_hash=phone_hash("13900000000")).exists()
    assert "13900000000" not in str(list(OrderLine.objects.values()))

    with pytest.raises(services.OrdersImportRejected) as rejected:
        services.orders_import(
            workspace=workspace,
            actor=None,
            mapping=mapping,
            file_name="bad.csv",
            content="订单号,会员ID,下单时间,金额,手机,姓名\nE9,m-9,2024-05-01 10:00,10,12345,张三\n".encode(),
        )
    assert [str(e) for e in rejected.value.errors] == ["line 2, 手机: is not a phone number"]
