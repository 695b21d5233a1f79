"""API: platform connections (secrets are write-only), connector kinds, manual packages."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from socialops.accounts import selectors as account_selectors
from socialops.core.api import attribute, choice_label, username_of
from socialops.workspaces.api import api_object, api_select, api_workspace

from . import selectors
from .models import ManualTask, ManualTaskStatus, PlatformConnection
from .services import connections as connection_services
from .services import manual as manual_services
from .services import sandbox as sandbox_services

router = Router(tags=["platforms"])

ObjectId = Annotated[int, Path(ge=1, le=2**53)]
Secret = Annotated[str, Field(max_length=5000)]


class SecretsState(Schema):
    """Which secrets are stored; the values are never returned."""

    access_token: bool
    refresh_token: bool
    client_id: bool
    client_secret: bool
    signing_secret: bool


class ConnectionOut(Schema):
    id: int
    account_id: int
    account_handle: str
    kind: str
    kind_label: str
    base_url: str
    status: str
    status_label: str
    is_publishable: bool
    last_error: str
    last_error_at: dt.datetime | None
    last_checked_at: dt.datetime | None
    last_check_ok: bool | None
    token_expires_at: dt.datetime | None
    external_account_id: str
    external_handle: str
    secrets: SecretsState
    capabilities: list[str]
    updated_at: dt.datetime

    resolve_account_handle = attribute("account.handle")
    resolve_kind_label = choice_label("kind")
    resolve_status_label = choice_label("status")

    @staticmethod
    def resolve_secrets(obj: PlatformConnection) -> dict[str, bool]:
        return selectors.secrets_state(obj)

    @staticmethod
    def resolve_capabilities(obj: PlatformConnection) -> list[str]:
        return [c["code"] for c in selectors.capabilities_of(obj.kind)]


class ConnectionIn(Schema):
    kind: str = Field(..., max_length=40)
    base_url: str = Field("", max_length=400)
    # Omitted or null: keep the stored value. Secrets are accepted here and never sent back.
    access_token: Secret | None = None
    refresh_token: Secret | None = None
    client_id: str | None = Field(None, max_length=400)
    client_secret: Secret | None = None
    signing_secret: Secret | None = None
    encoding_aes_key: Secret | None = None
    # The platform's id of the account where the token comes with one (Douyin open_id, Weibo uid).
    account_id: str | None = Field(None, max_length=200)
    token_expires_at: dt.datetime | None = None


class SandboxConnectIn(Schema):
    base_url: str | None = Field(None, max_length=400)


class ConnectionCheckOut(Schema):
    ok: bool
    message: str
    handle: str
    checked_at: dt.datetime | None
    connection: ConnectionOut


class CapabilityOut(Schema):
    code: str
    label: str


class ConnectorKindOut(Schema):
    kind: str
    label: str
    needs_base_url: bool
    platforms: list[str]
    capabilities: list[CapabilityOut]
    # Connection fields the kind uses (true: required).
    fields: dict[str, bool]


class ManualMediaOut(Schema):
    filename: str
    content_type: str
    url: str
    description: str
    asset_id: int | None = None


class ManualTaskOut(Schema):
    id: int
    account_id: int
    account_handle: str
    platform: str
    idempotency_key: str
    title: str
    text: str
    link_url: str
    hashtags: list[str]
    media: list[ManualMediaOut]
    reference: str
    content_item_id: int | None
    due_at: dt.datetime | None
    assignee: str | None
    status: str
    status_label: str
    posted_url: str
    external_id: str
    posted_at: dt.datetime | None
    posted_by: str | None
    checklist: list[str]
    created_at: dt.datetime

    resolve_account_handle = attribute("account.handle")
    resolve_platform = attribute("account.platform")

    @staticmethod
    def resolve_media(obj: ManualTask) -> list[dict[str, Any]]:
        return [
            {
                "filename": str(m.get("filename", "")),
                "content_type": str(m.get("content_type", "")),
                "url": str(m.get("url", "")),
                "description": str(m.get("description", "")),
                "asset_id": m.get("asset_id"),
            }
            for m in obj.media
        ]

    resolve_assignee = username_of("assignee")
    resolve_status_label = choice_label("status")
    resolve_posted_by = username_of("posted_by")

    @staticmethod
    def resolve_checklist(obj: ManualTask) -> list[str]:
        return selectors.manual_checklist(obj)


class MarkPostedIn(Schema):
    url: str = Field(..., max_length=1000)
    external_id: str = Field("", max_length=500)


def _account(request: HttpRequest, slug: str, account_id: int) -> Any:
    return api_object(request, slug, account_selectors.account_get, account_id=account_id)


def _connection(request: HttpRequest, slug: str, account_id: int) -> tuple[Any, PlatformConnection]:
    """The URL's workspace and the connection of its account `account_id` (404 without either)."""
    workspace, account = _account(request, slug, account_id)
    return workspace, selectors.connection_get_for_account(
        workspace=workspace, user=request.user, account=account
    )


@router.get(
    "/workspaces/{slug}/connector-kinds",
    response=list[ConnectorKindOut],
    summary="Connector kinds with their capabilities",
)
@paginate
def connector_kind_list(request: HttpRequest, slug: str) -> Any:
    api_workspace(request, slug)
    return selectors.connector_kinds()


@router.get("/workspaces/{slug}/connections", response=list[ConnectionOut], summary="Platform connections")
@paginate
def connection_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, selectors.connection_list)


@router.get("/workspaces/{slug}/accounts/{account_id}/connection", response=ConnectionOut)
def connection_detail(request: HttpRequest, slug: str, account_id: ObjectId) -> Any:
    return _connection(request, slug, account_id)[1]


@router.put(
    "/workspaces/{slug}/accounts/{account_id}/connection",
    response={200: ConnectionOut, 201: ConnectionOut},
    summary="Connect an account or change its connection (null secrets keep the stored ones)",
)
def connection_put(
    request: HttpRequest, slug: str, account_id: ObjectId, payload: ConnectionIn
) -> Status[PlatformConnection]:
    workspace, account = _account(request, slug, account_id)
    existed = connection_services.connection_get_for_account(account) is not None
    connection = connection_services.connection_save(
        workspace=workspace, actor=request.user, account=account, **payload.dict()
    )
    return Status(200 if existed else 201, connection)


@router.delete("/workspaces/{slug}/accounts/{account_id}/connection", response={204: None})
def connection_delete(request: HttpRequest, slug: str, account_id: ObjectId) -> Status[None]:
    workspace, connection = _connection(request, slug, account_id)
    connection_services.connection_delete(workspace=workspace, actor=request.user, connection=connection)
    return Status(204, None)


@router.post(
    "/workspaces/{slug}/accounts/{account_id}/connection/test",
    response=ConnectionCheckOut,
    summary="Test the stored credentials with the platform's cheapest read",
)
def connection_test(request: HttpRequest, slug: str, account_id: ObjectId) -> Any:
    workspace, connection = _connection(request, slug, account_id)
    result = connection_services.connection_test(
        workspace=workspace, actor=request.user, connection=connection
    )
    connection.refresh_from_db()
    return {
        "ok": result.ok,
        "message": result.message,
        "handle": result.handle,
        "checked_at": result.checked_at,
        "connection": connection,
    }


@router.post("/workspaces/{slug}/accounts/{account_id}/connection/pause", response=ConnectionOut)
def connection_pause(request: HttpRequest, slug: str, account_id: ObjectId) -> Any:
    workspace, connection = _connection(request, slug, account_id)
    return connection_services.connection_set_paused(
        workspace=workspace, actor=request.user, connection=connection, paused=True
    )


@router.post("/workspaces/{slug}/accounts/{account_id}/connection/resume", response=ConnectionOut)
def connection_resume(request: HttpRequest, slug: str, account_id: ObjectId) -> Any:
    workspace, connection = _connection(request, slug, account_id)
    return connection_services.connection_set_paused(
        workspace=workspace, actor=request.user, connection=connection, paused=False
    )


@router.post(
    "/workspaces/{slug}/accounts/{account_id}/connection/sandbox",
    response=ConnectionOut,
    summary="Connect the account to the local sandbox platform (it issues the tokens)",
)
def connection_sandbox(
    request: HttpRequest, slug: str, account_id: ObjectId, payload: SandboxConnectIn
) -> Any:
    workspace, account = _account(request, slug, account_id)
    connection = sandbox_services.sandbox_connect(
        workspace=workspace, actor=request.user, account=account, base_url=payload.base_url
    )
    return connection


@router.get(
    "/workspaces/{slug}/manual-tasks", response=list[ManualTaskOut], summary="Manual posting packages"
)
@paginate
def manual_task_list(
    request: HttpRequest,
    slug: str,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Any:
    workspace = api_workspace(request, slug)
    wanted = status if status in ManualTaskStatus.values else None
    if status and wanted is None:
        return []
    return selectors.manual_task_list(workspace=workspace, user=request.user, status=wanted)


@router.get("/workspaces/{slug}/manual-tasks/{task_id}", response=ManualTaskOut)
def manual_task_detail(request: HttpRequest, slug: str, task_id: ObjectId) -> Any:
    return api_select(request, slug, selectors.manual_task_get, task_id=task_id)


@router.post(
    "/workspaces/{slug}/manual-tasks/{task_id}/posted",
    response=ManualTaskOut,
    summary="Mark a package posted with the post's URL",
)
def manual_task_posted(request: HttpRequest, slug: str, task_id: ObjectId, payload: MarkPostedIn) -> Any:
    workspace, task = api_object(request, slug, selectors.manual_task_get, task_id=task_id)
    task = manual_services.manual_task_mark_posted(
        workspace=workspace, actor=request.user, task=task, url=payload.url, external_id=payload.external_id
    )
    return task
