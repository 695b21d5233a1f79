"""API of the fans app: order lines, order file imports and order column mappings."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.params import FormEx, P, QueryEx

from socialops.core.api import IsoDateTime, username_of
from socialops.core.imports import ImportRejectedOut, mapped_upload_import
from socialops.core.pagination import MappedPage
from socialops.workspaces.access import ensure_perm
from socialops.workspaces.api import api_select, api_workspace
from socialops.workspaces.roles import Perm

from ..imports import MAX_HEADER_CHARS, ORDER_FIELDS, PREFIX_MAX_CHARS, OrderField
from ..models import OrderLine
from ..selectors import orders as selectors
from ..services import orders as services

router = Router(tags=["fans"])

Header = Annotated[str, Field(max_length=MAX_HEADER_CHARS)]


class OrderLineOut(Schema):
    id: int
    order_id: str
    person_id: int | None
    person: str = Field(
        ..., description="the person's name with fans.identity, else its pseudonym; '' if anonymous"
    )
    customer_id: str = Field(..., description="blank without fans.identity")
    ordered_at: dt.datetime
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal = Field(..., description="negative for cancellations and returns")
    currency: str
    product: str
    category: str
    coupon_code: str
    is_cancellation: bool
    source_import_id: int | None


class OrderImportOut(Schema):
    id: int
    file_name: str
    file_sha256: str
    mapping_name: str
    rows_total: int
    rows_created: int
    rows_unchanged: int
    rows_anonymous: int = Field(..., description="lines without a customer id, imported as anonymous sales")
    people_created: int
    created_by: str
    created_at: dt.datetime

    resolve_created_by = username_of("created_by", missing="")


class OrderMappingOptions(Schema):
    """How to read a file: delimiter, rows without a customer, currency, time zone, dates, cancellations."""

    delimiter: Literal["auto", ",", ";", "\t", "|"] = "auto"
    anonymous: Literal["count", "reject"] = Field(
        default="count",
        description="rows without a customer id: import as anonymous sales, or reject the file",
    )
    currency: str = Field(
        default="CNY", pattern=r"^[A-Za-z]{3}$", description="when no currency column is mapped"
    )
    time_zone: str = Field(
        default="", max_length=64, description="IANA name for times without a zone; blank = the workspace's"
    )
    date_order: Literal["ymd", "dmy", "mdy"] = Field(default="ymd", description="for dates like 10/03/2011")
    cancellation_prefix: str = Field(
        default="",
        max_length=PREFIX_MAX_CHARS,
        description="order ids starting with it are cancellations (e.g. C)",
    )


class OrderMappingIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    columns: dict[OrderField, Header] = Field(
        ..., max_length=len(ORDER_FIELDS), description="order field → the file's column name"
    )
    options: OrderMappingOptions = Field(default_factory=lambda: OrderMappingOptions())


class OrderMappingOut(Schema):
    id: int
    name: str
    columns: dict[str, str]
    options: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime

    resolve_created_by = username_of("created_by", missing="")


def _line_out(line: OrderLine, identity: bool) -> dict[str, Any]:
    person = line.person
    name = ""
    if person is not None:
        name = (person.display_name or person.pseudonym) if identity else person.pseudonym
    return {
        "id": line.pk,
        "order_id": line.order_id,
        "person_id": line.person_id,
        "person": name,
        "customer_id": line.customer_id if identity else "",
        "ordered_at": line.ordered_at,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "amount": line.amount,
        "currency": line.currency,
        "product": line.product,
        "category": line.category,
        "coupon_code": line.coupon_code,
        "is_cancellation": line.is_cancellation,
        "source_import_id": line.source_import_id,
    }


@router.get(
    "/workspaces/{slug}/fans/orders", response=list[OrderLineOut], summary="Order lines, newest first"
)
@paginate
def order_line_list(
    request: HttpRequest,
    slug: str,
    since: IsoDateTime | None = None,
    until: IsoDateTime | None = None,
    kind: Literal["sales", "cancellations", "anonymous"] | None = None,
    q: QueryEx[str | None, P(max_length=100, description="order id, product, or customer id")] = None,
) -> Any:
    workspace = api_workspace(request, slug)
    identity = selectors.orders_identity_visible(workspace=workspace, user=request.user)
    lines = selectors.order_line_list(
        workspace=workspace, user=request.user, since=since, until=until, kind=kind, q=q
    )
    return MappedPage(lines, lambda line: _line_out(line, identity))


@router.post(
    "/workspaces/{slug}/fans/orders/imports",
    response={200: OrderImportOut, 400: ImportRejectedOut},
    summary="Import an order or CRM file (CSV or XLSX) through a mapping or a preset, whole or not at all",
)
def order_import(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile],
    mapping: FormEx[
        str, P(min_length=1, max_length=100, description="mapping name or id, or a preset's name")
    ],
) -> Any:
    workspace = api_workspace(request, slug)
    # Checked before the upload is read, so a member without the role learns nothing from it.
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT)
    return mapped_upload_import(
        file,
        mapping=lambda: services.order_mapping_for_import(
            workspace=workspace, actor=request.user, ref=mapping
        ),
        run=lambda chosen, file_name, content: services.orders_import(
            workspace=workspace, actor=request.user, mapping=chosen, file_name=file_name, content=content
        ),
    )


@router.get(
    "/workspaces/{slug}/fans/orders/imports", response=list[OrderImportOut], summary="Order import history"
)
@paginate
def order_import_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, selectors.order_import_list)


@router.get(
    "/workspaces/{slug}/fans/order-mappings",
    response=list[OrderMappingOut],
    summary="Saved order column mappings",
)
@paginate
def order_mapping_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, selectors.order_mapping_list)


@router.post(
    "/workspaces/{slug}/fans/order-mappings",
    response={201: OrderMappingOut},
    summary="Save an order column mapping",
)
def order_mapping_create(request: HttpRequest, slug: str, payload: OrderMappingIn) -> Any:
    workspace = api_workspace(request, slug)
    mapping = services.order_mapping_create(
        workspace=workspace,
        actor=request.user,
        name=payload.name,
        columns={str(k): v for k, v in payload.columns.items()},
        options=payload.options.dict(),
    )
    return Status(201, mapping)
