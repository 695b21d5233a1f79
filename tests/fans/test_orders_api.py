"""Order lines, order imports and order mappings: the API and the pages, with the four permission cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from socialops.fans.models import OrderImport, OrderLine, OrderMapping
from socialops.fans.services import orders as services
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_order_line, make_person

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workspaces"
HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
GOOD_CSV = (
    HEADER
    + "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
    + "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527,United Kingdom\n"
    + "536414,22139,,56,2010-12-01 11:52:00,0,NA,United Kingdom\n"
).encode()
BAD_CSV = (
    HEADER
    + "536365,85123A,A,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n"
    + "536366,85123A,B,6,2010-12-32 08:26:00,2.55,17850,United Kingdom\n"
).encode()
MAPPING = {
    "name": "有赞",
    "columns": {
        "order_id": "订单号",
        "ordered_at": "下单时间",
        "amount": "实付金额",
        "customer_id": "会员ID",
    },
    "options": {"anonymous": "reject", "currency": "cny"},
}


@pytest.fixture
def community(member: Any) -> Any:
    return member(Role.COMMUNITY, username="cora")


@pytest.fixture
def foreign_operator(member: Any, other_workspace: Any) -> Any:
    return member(Role.OPERATOR, ws=other_workspace, username="ollie")


def _upload_client(api: Any, content: bytes = GOOD_CSV, mapping: str = "online-retail") -> Any:
    """api(user) whose POSTs upload ``content`` as a multipart form with the mapping."""

    def client_for(user: Any) -> Any:
        client = api(user)
        original = client.post

        def post(url: str, data: Any = None, **kw: Any) -> Any:
            kw.pop("content_type", None)
            return original(url, data={"file": SimpleUploadedFile("o.csv", content), "mapping": mapping})

        client.post = post
        return client

    client_for.is_api = getattr(api, "is_api", True)  # type: ignore[attr-defined]
    return client_for


def test_api_import_four_cases_report_and_rejection(
    workspace: Any, api: Any, operator: Any, analyst: Any, foreign_operator: Any
) -> None:
    response = assert_four_cases(
        _upload_client(api), "POST", f"{BASE}/acme/fans/orders/imports", f"{BASE}/other/fans/orders/imports",
        permitted=operator, denied=analyst, data={},
    )  # fmt: skip
    body = response.json()
    assert (body["rows_total"], body["rows_created"], body["rows_anonymous"], body["people_created"]) == (
        3,
        3,
        1,
        2,
    )
    assert body["created_by"] == "olivia" and body["mapping_name"] == "online-retail"
    assert OrderLine.objects.filter(workspace=workspace).count() == 3

    again = _upload_client(api)(operator).post(f"{BASE}/acme/fans/orders/imports")
    assert (again.json()["rows_created"], again.json()["rows_unchanged"]) == (0, 3)

    rejected = _upload_client(api, BAD_CSV)(operator).post(f"{BASE}/acme/fans/orders/imports")
    assert rejected.status_code == 400
    assert rejected.json()["errors"] == [
        {"line": 3, "field": "InvoiceDate", "message": "is not a real calendar date"}
    ]
    unknown = _upload_client(api, mapping="nope")(operator).post(f"{BASE}/acme/fans/orders/imports")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "mapping"
    assert OrderImport.objects.count() == 2


def test_api_import_history(workspace: Any, api: Any, analyst: Any, foreign_operator: Any) -> None:
    mapping = services.order_mapping_for_import(workspace=workspace, actor=None, ref="online-retail")
    services.orders_import(
        workspace=workspace, actor=None, mapping=mapping, file_name="o.csv", content=GOOD_CSV
    )
    response = assert_four_cases(
        api, "GET", f"{BASE}/acme/fans/orders/imports", f"{BASE}/other/fans/orders/imports",
        permitted=analyst, denied=None,
    )  # fmt: skip
    assert response.json()["items"][0]["rows_anonymous"] == 1


def test_api_order_lines_show_customer_ids_only_with_the_identity_permission(
    workspace: Any, other_workspace: Any, api: Any, analyst: Any, community: Any
) -> None:
    person = make_person(workspace, "王芳", customer_id="C-77")
    make_order_line(workspace, person, "88.00", order_id="A1", product="面霜")
    make_order_line(workspace, None, "-10.00", order_id="A2", is_cancellation=True)
    make_order_line(other_workspace, None, "1.00", order_id="X1")

    response = assert_four_cases(
        api, "GET", f"{BASE}/acme/fans/orders", f"{BASE}/other-nope/fans/orders",
        permitted=analyst, denied=None,
    )  # fmt: skip
    body = response.json()
    assert body["count"] == 2
    hidden = {i["order_id"]: i for i in body["items"]}["A1"]
    assert (
        hidden["customer_id"] == ""
        and hidden["person"] == person.pseudonym
        and "王芳" not in response.content.decode()
    )

    shown = api(community).get(f"{BASE}/acme/fans/orders?q=C-77").json()
    assert (
        shown["count"] == 1
        and shown["items"][0]["customer_id"] == "C-77"
        and shown["items"][0]["person"] == "王芳"
    )
    # Without the permission a customer id finds nothing (its existence does not leak).
    assert api(analyst).get(f"{BASE}/acme/fans/orders?q=C-77").json()["count"] == 0
    cancellations = api(analyst).get(f"{BASE}/acme/fans/orders?kind=cancellations").json()
    assert [i["order_id"] for i in cancellations["items"]] == ["A2"]


def test_api_order_mappings_list_and_create(
    workspace: Any, other_workspace: Any, api: Any, operator: Any, analyst: Any, foreign_operator: Any
) -> None:
    response = assert_four_cases(
        api, "POST", f"{BASE}/acme/fans/order-mappings", f"{BASE}/other/fans/order-mappings",
        permitted=operator, denied=analyst, data=MAPPING, ok=(201,),
    )  # fmt: skip
    body = response.json()
    assert body["options"]["currency"] == "CNY" and body["options"]["anonymous"] == "reject"
    assert body["created_by"] == "olivia"
    services.order_mapping_preset(workspace=other_workspace, actor=None, preset="online-retail")

    response = assert_four_cases(
        api, "GET", f"{BASE}/acme/fans/order-mappings", f"{BASE}/other/fans/order-mappings",
        permitted=analyst, denied=None,
    )  # fmt: skip
    assert [i["name"] for i in response.json()["items"]] == ["有赞"]
    duplicate = api(operator).post(
        f"{BASE}/acme/fans/order-mappings", data=MAPPING, content_type="application/json"
    )
    assert duplicate.status_code == 400 and "already exists" in duplicate.json()["message"]
    incomplete = api(operator).post(
        f"{BASE}/acme/fans/order-mappings",
        data={"name": "x", "columns": {"order_id": "a"}},
        content_type="application/json",
    )
    assert incomplete.status_code == 400


# --- pages ----------------------------------------------------------------------------------


def test_order_list_page_four_cases_and_pseudonyms(
    workspace: Any, web: Any, analyst: Any, community: Any, foreign_operator: Any
) -> None:
    person = make_person(workspace, "王芳", customer_id="C-77")
    make_order_line(workspace, person, "88.00", order_id="A1", product="面霜")
    make_order_line(workspace, None, "-10.00", order_id="A2", is_cancellation=True)
    response = assert_four_cases(
        web, "GET", "/w/acme/fans/orders/", "/w/other/fans/orders/", permitted=analyst, denied=None,
    )  # fmt: skip
    html = response.content.decode()
    assert "A1" in html and "面霜" in html and person.pseudonym in html
    assert "C-77" not in html and "王芳" not in html
    assert 'data-testid="order-import-link"' not in html and 'data-testid="import-history"' in html
    html = web(community).get("/w/acme/fans/orders/?kind=cancellations").content.decode()
    assert "A2" in html and "A1" not in html
    assert "C-77" in web(community).get("/w/acme/fans/orders/").content.decode()


def test_import_page_four_cases_report_and_rejected_table(
    workspace: Any, web: Any, operator: Any, analyst: Any, foreign_operator: Any
) -> None:
    assert_four_cases(
        web, "GET", "/w/acme/fans/orders/import/", "/w/other/fans/orders/import/",
        permitted=operator, denied=analyst,
    )  # fmt: skip

    def client_for(user: Any) -> Any:
        client = web(user)
        original = client.post

        def post(url: str, data: Any = None, **kw: Any) -> Any:
            upload = SimpleUploadedFile("o.csv", GOOD_CSV)
            return original(url, data={"file": upload, "mapping": "preset:online-retail"}, **kw)

        client.post = post
        return client

    client_for.is_api = False  # type: ignore[attr-defined]
    response = assert_four_cases(
        client_for, "POST", "/w/acme/fans/orders/import/", "/w/other/fans/orders/import/",
        permitted=operator, denied=analyst, data={}, ok=(302,),
    )  # fmt: skip
    report = web(operator).get(response["Location"]).content.decode()
    assert 'data-testid="import-result"' in report and 'data-testid="anonymous-count">1<' in report
    assert "1 line has no customer id (anonymous sales)." in report

    mapping = OrderMapping.objects.get(workspace=workspace, name="online-retail")
    bad = web(operator).post(
        "/w/acme/fans/orders/import/",
        data={"file": SimpleUploadedFile("bad.csv", BAD_CSV), "mapping": str(mapping.pk)},
    )
    html = bad.content.decode()
    assert bad.status_code == 200 and 'data-testid="import-report"' in html
    assert (
        "InvoiceDate" in html
        and "is not a real calendar date" in html
        and '<td class="text-nowrap">3</td>' in html
    )
    assert OrderLine.objects.count() == 3


def test_mapping_pages_four_cases(
    workspace: Any, other_workspace: Any, web: Any, operator: Any, analyst: Any, foreign_operator: Any
) -> None:
    response = assert_four_cases(
        web, "GET", "/w/acme/fans/orders/mappings/", "/w/other/fans/orders/mappings/",
        permitted=analyst, denied=None,
    )  # fmt: skip
    assert "online-retail" in response.content.decode() and "New mapping" not in response.content.decode()
    filled = web(operator).get("/w/acme/fans/orders/mappings/new/?preset=online-retail").content.decode()
    assert 'value="InvoiceNo"' in filled and 'value="Europe/London"' in filled and 'value="GBP"' in filled

    form = {
        "name": "有赞",
        "col_order_id": "订单号",
        "col_ordered_at": "下单时间",
        "col_amount": "实付金额",
        "anonymous": "count",
        "currency": "CNY",
        "time_zone": "",
        "date_order": "ymd",
        "cancellation_prefix": "",
        "delimiter": "auto",
    }
    response = assert_four_cases(
        web, "POST", "/w/acme/fans/orders/mappings/new/", "/w/other/fans/orders/mappings/new/",
        permitted=operator, denied=analyst, data=form, ok=(302,),
    )  # fmt: skip
    mapping = OrderMapping.objects.get(workspace=workspace)
    assert mapping.columns == {"order_id": "订单号", "ordered_at": "下单时间", "amount": "实付金额"}
    foreign = services.order_mapping_preset(workspace=other_workspace, actor=None, preset="online-retail")

    edit = f"/w/acme/fans/orders/mappings/{mapping.pk}/"
    foreign_edit = f"/w/acme/fans/orders/mappings/{foreign.pk}/"
    assert_four_cases(web, "GET", edit, foreign_edit, permitted=operator, denied=analyst)
    assert_four_cases(
        web, "POST", edit, foreign_edit, permitted=operator, denied=analyst,
        data={**form, "time_zone": "Europe/London"}, ok=(302,),
    )  # fmt: skip
    mapping.refresh_from_db()
    assert mapping.options["time_zone"] == "Europe/London"
    invalid = web(operator).post(edit, data={**form, "col_amount": ""})
    assert invalid.status_code == 200 and "Map the line amount column" in invalid.content.decode()

    assert_four_cases(
        web, "POST", f"{edit}delete/", f"{foreign_edit}delete/", permitted=operator, denied=analyst, ok=(302,),
        data={},
    )  # fmt: skip
    assert not OrderMapping.objects.filter(pk=mapping.pk).exists()
    assert OrderMapping.objects.filter(pk=foreign.pk).exists()
