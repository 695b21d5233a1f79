"""API: themes and target mixes, content items, per-platform variants, the media library."""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from socialops.accounts.selectors import account_get
from socialops.core.api import attribute, choice_label, username_of
from socialops.workspaces.api import api_create, api_delete, api_object, api_select, api_workspace

from ..media import VIDEO_MAX_BYTES, MediaError
from ..models import ContentItem, ContentVariant, MediaAsset, Theme
from ..selectors import items as selectors
from ..services import items as services
from ..services import media as media_services
from ..services import themes as theme_services
from ..services import variants as variant_services
from ..services.common import VersionConflict

router = Router(tags=["content"])

# The schema bounds sizes (so no input can hurt the server); the services give the precise,
# field-named messages as 400s, and a stale version is a 409.
ObjectId = Annotated[int, Path(ge=1, le=2**53)]
RefId = Annotated[int, Field(ge=1, le=2**53)]
ShortText = Annotated[str, Field(max_length=200)]
ExtraKey = Annotated[str, Field(max_length=50)]
ExtraValue = bool | Annotated[str, Field(max_length=1000)] | None
Version = Annotated[int, Field(ge=1, le=2**31)]


class MessageOut(Schema):
    message: str
    errors: dict[str, list[str]] = {}


# ---- themes ---------------------------------------------------------------------------------


class ThemeOut(Schema):
    id: int
    name: str
    color: str
    description: str
    needs_expert_review: bool
    position: int
    item_count: int = 0
    created_at: dt.datetime


class ThemeIn(Schema):
    name: str = Field(..., max_length=200)
    color: str = Field("#1f77b4", max_length=20)
    description: str = Field("", max_length=5000)
    needs_expert_review: bool = False
    position: int | None = Field(None, ge=0, le=1000)


class ThemePatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    color: str | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=5000)
    needs_expert_review: bool | None = None
    position: int | None = Field(None, ge=0, le=1000)


class ThemeShareOut(Schema):
    theme_id: int
    theme_name: str
    share: float


class ThemeTargetsOut(Schema):
    account_id: int
    explicit: bool = Field(..., description="False when no mix was set and every theme gets an equal share")
    shares: list[ThemeShareOut]


class ThemeShareIn(Schema):
    theme_id: RefId
    share: int = Field(..., ge=0, le=100)


class ThemeTargetsIn(Schema):
    shares: list[ThemeShareIn] = Field(default_factory=list, max_length=200)


@router.get("/workspaces/{slug}/themes", response=list[ThemeOut], summary="Content themes in their order")
@paginate
def theme_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, selectors.theme_list)


@router.post("/workspaces/{slug}/themes", response={201: ThemeOut})
def theme_create(request: HttpRequest, slug: str, payload: ThemeIn) -> Status[Theme]:
    return api_create(request, slug, theme_services.theme_create, **payload.dict())


@router.post(
    "/workspaces/{slug}/themes/defaults",
    response=list[ThemeOut],
    summary="Add the five default themes the workspace lacks (returns those added)",
)
def theme_defaults(request: HttpRequest, slug: str) -> list[Theme]:
    workspace = api_workspace(request, slug)
    return theme_services.themes_create_defaults(workspace=workspace, actor=request.user)


@router.get("/workspaces/{slug}/themes/{theme_id}", response=ThemeOut)
def theme_detail(request: HttpRequest, slug: str, theme_id: ObjectId) -> Theme:
    return api_select(request, slug, selectors.theme_get, theme_id=theme_id)


@router.patch("/workspaces/{slug}/themes/{theme_id}", response=ThemeOut)
def theme_patch(request: HttpRequest, slug: str, theme_id: ObjectId, payload: ThemePatchIn) -> Theme:
    workspace, theme = api_object(request, slug, selectors.theme_get, theme_id=theme_id)
    fields = payload.dict(exclude_unset=True, exclude_none=True)
    theme_services.theme_update(workspace=workspace, actor=request.user, theme=theme, **fields)
    return selectors.theme_get(workspace=workspace, user=request.user, theme_id=theme.pk)


@router.delete("/workspaces/{slug}/themes/{theme_id}", response={204: None})
def theme_delete(request: HttpRequest, slug: str, theme_id: ObjectId) -> Status[None]:
    return api_delete(
        request, slug, selectors.theme_get, theme_services.theme_delete, "theme", theme_id=theme_id
    )


def _targets_out(workspace: Any, user: Any, account: Any) -> dict[str, Any]:
    shares = selectors.theme_targets_for_account(workspace=workspace, user=user, account=account)
    names = dict(selectors.theme_list(workspace=workspace, user=user).values_list("pk", "name"))
    return {
        "account_id": account.pk,
        "explicit": bool(selectors.theme_targets_explicit(workspace=workspace, account=account)),
        "shares": [{"theme_id": k, "theme_name": names.get(k, ""), "share": v} for k, v in shares.items()],
    }


@router.get(
    "/workspaces/{slug}/accounts/{account_id}/theme-targets",
    response=ThemeTargetsOut,
    summary="An account's target theme mix (equal shares when none was set)",
)
def theme_targets_get(request: HttpRequest, slug: str, account_id: ObjectId) -> dict[str, Any]:
    workspace, account = api_object(request, slug, account_get, account_id=account_id)
    return _targets_out(workspace, request.user, account)


@router.put(
    "/workspaces/{slug}/accounts/{account_id}/theme-targets",
    response=ThemeTargetsOut,
    summary="Set an account's target theme mix (shares add up to 100; an empty list means equal shares)",
)
def theme_targets_put(
    request: HttpRequest, slug: str, account_id: ObjectId, payload: ThemeTargetsIn
) -> dict[str, Any]:
    workspace, account = api_object(request, slug, account_get, account_id=account_id)
    shares: dict[int, int] = {}
    for entry in payload.shares:
        if entry.theme_id in shares:
            raise ValidationError({"shares": [_("Theme %(id)s is listed twice.") % {"id": entry.theme_id}]})
        shares[entry.theme_id] = entry.share
    theme_services.theme_targets_set(workspace=workspace, actor=request.user, account=account, shares=shares)
    return _targets_out(workspace, request.user, account)


# ---- content items --------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    title: str
    form: str
    form_label: str
    theme_id: int
    theme_name: str
    owner_id: int | None
    owner: str | None
    status: str
    importance: str
    importance_label: str
    deadline: dt.date | None
    evergreen: bool
    account_ids: list[int]
    calendar_links: list[str]
    digest: str
    body: str
    body_format: str
    cover_id: int | None
    image_ids: list[int]
    video_id: int | None
    live_starts_at: dt.datetime | None
    live_host: str
    live_outline: str
    is_advertising: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    resolve_form_label = choice_label("form")
    resolve_importance_label = choice_label("importance")
    resolve_theme_name = attribute("theme.name")
    resolve_owner = username_of("owner")

    @staticmethod
    def resolve_account_ids(obj: ContentItem) -> list[int]:
        return sorted(a.pk for a in obj.accounts.all())

    @staticmethod
    def resolve_image_ids(obj: ContentItem) -> list[int]:
        return [a.pk for a in selectors.ordered_images(obj)]


class ItemIn(Schema):
    title: str = Field("", max_length=400)
    form: str = Field(..., max_length=40)
    theme_id: RefId
    owner_id: RefId | None = None
    importance: str = Field("normal", max_length=40)
    deadline: dt.date | None = None
    evergreen: bool = False
    account_ids: list[RefId] = Field(default_factory=list, max_length=200)
    calendar_links: list[ShortText] = Field(default_factory=list, max_length=50)
    digest: str = Field("", max_length=1000)
    body: str = Field("", max_length=200_000)
    body_format: str = Field(
        "markdown",
        max_length=20,
        description='"markdown", or "html" for a rich-text article (sanitised on save, see docs/editor.md)',
    )
    cover_id: RefId | None = None
    image_ids: list[RefId] = Field(default_factory=list, max_length=50)
    video_id: RefId | None = None
    live_starts_at: dt.datetime | None = Field(None, description="Without a zone: the workspace's local time")
    live_host: str = Field("", max_length=400)
    live_outline: str = Field("", max_length=40_000)
    is_advertising: bool = Field(False, description="Advertising/sponsored: the ad disclosure check applies")


class ItemPatchIn(Schema):
    version: Version = Field(..., description="The version you edited; a newer stored version gives 409")
    title: str | None = Field(None, max_length=400)
    form: str | None = Field(None, max_length=40)
    theme_id: RefId | None = None
    owner_id: RefId | None = None
    importance: str | None = Field(None, max_length=40)
    deadline: dt.date | None = None
    evergreen: bool | None = None
    account_ids: list[RefId] | None = Field(None, max_length=200)
    calendar_links: list[ShortText] | None = Field(None, max_length=50)
    digest: str | None = Field(None, max_length=1000)
    body: str | None = Field(None, max_length=200_000)
    body_format: str | None = Field(None, max_length=20)
    cover_id: RefId | None = None
    image_ids: list[RefId] | None = Field(None, max_length=50)
    video_id: RefId | None = None
    live_starts_at: dt.datetime | None = None
    live_host: str | None = Field(None, max_length=400)
    live_outline: str | None = Field(None, max_length=40_000)
    is_advertising: bool | None = None


class RenderedOut(Schema):
    article_html: str = Field(
        ..., description="For the 公众号: sanitised, inline styles limited to typography"
    )
    preview_html: str = Field(
        ...,
        description="The same for our pages: without style attributes for Markdown; a rich-text body keeps its allowed styles",
    )
    asset_ids: list[int] = Field(..., description="Library images the body uses, in order")


# API names → service names.
_ITEM_RENAMES = {
    "theme_id": "theme",
    "owner_id": "owner",
    "account_ids": "accounts",
    "cover_id": "cover",
    "image_ids": "images",
    "video_id": "video",
}


def _item_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {_ITEM_RENAMES.get(k, k): v for k, v in data.items()}


def _conflict_response(exc: VersionConflict) -> Status[dict[str, Any]]:
    errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return Status(409, {"message": " ".join(m for msgs in errors.values() for m in msgs), "errors": errors})


@router.get("/workspaces/{slug}/items", response=list[ItemOut], summary="Content items, newest change first")
@paginate
def item_list(
    request: HttpRequest,
    slug: str,
    form: Annotated[str | None, Query(max_length=40)] = None,
    theme_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    importance: Annotated[str | None, Query(max_length=40)] = None,
    account_id: Annotated[int | None, Query(ge=1, le=2**53)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Any:
    workspace = api_workspace(request, slug)
    return selectors.content_item_list(
        workspace=workspace,
        user=request.user,
        form=form,
        theme=theme_id,
        status=status,
        importance=importance,
        account=account_id,
        q=q,
    )


@router.post("/workspaces/{slug}/items", response={201: ItemOut})
def item_create(request: HttpRequest, slug: str, payload: ItemIn) -> Status[ContentItem]:
    workspace = api_workspace(request, slug)
    fields = payload.dict()
    is_advertising = fields.pop("is_advertising")
    item = services.content_item_create(
        workspace=workspace, actor=request.user, is_advertising=is_advertising, **_item_fields(fields)
    )
    return Status(201, selectors.content_item_get(workspace=workspace, user=request.user, item_id=item.pk))


@router.get("/workspaces/{slug}/items/{item_id}", response=ItemOut)
def item_detail(request: HttpRequest, slug: str, item_id: ObjectId) -> ContentItem:
    return api_select(request, slug, selectors.content_item_get, item_id=item_id)


@router.patch(
    "/workspaces/{slug}/items/{item_id}",
    response={200: ItemOut, 409: MessageOut},
    summary="Change an item (send the version you edited; 409 if someone saved since)",
)
def item_patch(request: HttpRequest, slug: str, item_id: ObjectId, payload: ItemPatchIn) -> Any:
    workspace, item = api_object(request, slug, selectors.content_item_get, item_id=item_id)
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version")
    is_advertising = fields.pop("is_advertising", None)
    try:
        services.content_item_update(
            workspace=workspace,
            actor=request.user,
            item=item,
            expected_version=version,
            is_advertising=is_advertising,
            **_item_fields(fields),
        )
    except VersionConflict as exc:
        return _conflict_response(exc)
    return selectors.content_item_get(workspace=workspace, user=request.user, item_id=item.pk)


@router.delete("/workspaces/{slug}/items/{item_id}", response={204: None})
def item_delete(request: HttpRequest, slug: str, item_id: ObjectId) -> Status[None]:
    return api_delete(
        request, slug, selectors.content_item_get, services.content_item_delete, "item", item_id=item_id
    )


@router.get(
    "/workspaces/{slug}/items/{item_id}/rendered",
    response=RenderedOut,
    summary="The body as 公众号 article HTML (library images as member-only URLs)",
)
def item_rendered(request: HttpRequest, slug: str, item_id: ObjectId) -> dict[str, Any]:
    workspace, item = api_object(request, slug, selectors.content_item_get, item_id=item_id)
    return selectors.content_item_rendered(
        workspace=workspace, user=request.user, item=item, absolute=request.build_absolute_uri
    )


# ---- variants -------------------------------------------------------------------------------


class VariantOut(Schema):
    id: int
    item_id: int
    account_id: int
    platform: str
    title: str
    body: str
    digest: str
    author: str
    hashtags: list[str]
    link_url: str
    media_ids: list[int]
    extra: dict[str, Any]
    version: int
    updated_at: dt.datetime

    resolve_platform = attribute("account.platform")

    @staticmethod
    def resolve_media_ids(obj: ContentVariant) -> list[int]:
        return [a.pk for a in selectors.ordered_media(obj)]


class VariantIn(Schema):
    account_id: RefId
    from_item: bool = Field(
        False, description="Prefill the fields you leave out from the item, for the platform"
    )
    title: str | None = Field(None, max_length=400)
    body: str | None = Field(None, max_length=100_000)
    digest: str | None = Field(None, max_length=1000)
    author: str | None = Field(None, max_length=200)
    hashtags: list[ShortText] | None = Field(None, max_length=100)
    link_url: str | None = Field(None, max_length=1000)
    media_ids: list[RefId] | None = Field(None, max_length=50)
    extra: dict[ExtraKey, ExtraValue] | None = Field(None, max_length=20)


class VariantPatchIn(Schema):
    version: Version
    title: str | None = Field(None, max_length=400)
    body: str | None = Field(None, max_length=100_000)
    digest: str | None = Field(None, max_length=1000)
    author: str | None = Field(None, max_length=200)
    hashtags: list[ShortText] | None = Field(None, max_length=100)
    link_url: str | None = Field(None, max_length=1000)
    media_ids: list[RefId] | None = Field(None, max_length=50)
    extra: dict[ExtraKey, ExtraValue] | None = Field(None, max_length=20)


@router.get("/workspaces/{slug}/items/{item_id}/variants", response=list[VariantOut])
@paginate
def variant_list(request: HttpRequest, slug: str, item_id: ObjectId) -> Any:
    workspace, item = api_object(request, slug, selectors.content_item_get, item_id=item_id)
    return selectors.variant_list(workspace=workspace, user=request.user, item=item)


@router.post("/workspaces/{slug}/items/{item_id}/variants", response={201: VariantOut})
def variant_create(
    request: HttpRequest, slug: str, item_id: ObjectId, payload: VariantIn
) -> Status[ContentVariant]:
    workspace, item = api_object(request, slug, selectors.content_item_get, item_id=item_id)
    try:
        account = account_get(workspace=workspace, user=request.user, account_id=payload.account_id)
    except Http404:
        raise ValidationError({"account_id": [_("Not found.")]}) from None
    given = payload.dict(exclude={"account_id", "from_item"}, exclude_none=True)
    fields: dict[str, Any] = {}
    if payload.from_item:
        prefill = selectors.variant_prefill(
            workspace=workspace, user=request.user, item=item, account=account
        )
        fields.update(prefill)
    if "media_ids" in given:
        given["media"] = given.pop("media_ids")
    fields.update(given)
    variant = variant_services.variant_create(
        workspace=workspace, actor=request.user, item=item, account=account, **fields
    )
    return Status(201, variant)


@router.get("/workspaces/{slug}/variants/{variant_id}", response=VariantOut)
def variant_detail(request: HttpRequest, slug: str, variant_id: ObjectId) -> ContentVariant:
    return api_select(request, slug, selectors.variant_get, variant_id=variant_id)


@router.patch("/workspaces/{slug}/variants/{variant_id}", response={200: VariantOut, 409: MessageOut})
def variant_patch(request: HttpRequest, slug: str, variant_id: ObjectId, payload: VariantPatchIn) -> Any:
    workspace, variant = api_object(request, slug, selectors.variant_get, variant_id=variant_id)
    fields = payload.dict(exclude_unset=True)
    version = fields.pop("version")
    if "media_ids" in fields:
        fields["media"] = fields.pop("media_ids")
    try:
        return variant_services.variant_update(
            workspace=workspace, actor=request.user, variant=variant, expected_version=version, **fields
        )
    except VersionConflict as exc:
        return _conflict_response(exc)


@router.delete("/workspaces/{slug}/variants/{variant_id}", response={204: None})
def variant_delete(request: HttpRequest, slug: str, variant_id: ObjectId) -> Status[None]:
    return api_delete(
        request,
        slug,
        selectors.variant_get,
        variant_services.variant_delete,
        "variant",
        variant_id=variant_id,
    )


# ---- media assets ---------------------------------------------------------------------------


class AssetOut(Schema):
    id: int
    kind: str
    kind_label: str
    original_name: str
    content_type: str
    size_bytes: int
    width: int | None
    height: int | None
    duration_seconds: float | None
    sha256: str
    created_at: dt.datetime
    file_url: str
    thumbnail_url: str | None

    resolve_kind_label = choice_label("kind")

    @staticmethod
    def resolve_file_url(obj: MediaAsset) -> str:
        return reverse("asset_file", kwargs={"slug": obj.workspace.slug, "asset_id": obj.pk})

    @staticmethod
    def resolve_thumbnail_url(obj: MediaAsset) -> str | None:
        if not obj.thumbnail:
            return None
        return reverse("asset_thumbnail", kwargs={"slug": obj.workspace.slug, "asset_id": obj.pk})


class AssetUploadOut(AssetOut):
    created: bool = Field(..., description="False when the same file was already in the library")


@router.get("/workspaces/{slug}/assets", response=list[AssetOut], summary="The media library, newest first")
@paginate
def asset_list(
    request: HttpRequest,
    slug: str,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> Any:
    workspace = api_workspace(request, slug)
    return selectors.media_asset_list(workspace=workspace, user=request.user, kind=kind, q=q).select_related(
        "workspace"
    )


@router.post(
    "/workspaces/{slug}/assets",
    response={201: AssetUploadOut, 200: AssetUploadOut},
    summary="Upload an image or video (multipart field 'file'); 200 with created=false for a file already there",
)
def asset_upload(request: HttpRequest, slug: str, file: File[UploadedFile]) -> Any:
    workspace = api_workspace(request, slug)
    name = media_services.clean_file_name(file.name)
    if file.size is not None and file.size > VIDEO_MAX_BYTES:
        message = media_services.media_error_message(
            MediaError("video_too_big", size=file.size, limit=VIDEO_MAX_BYTES), name
        )
        raise HttpError(400, message)
    result = media_services.media_asset_upload(
        workspace=workspace, actor=request.user, file_name=name, content=file.read()
    )
    asset = result.asset
    asset.created = result.created  # type: ignore[attr-defined]
    return Status(201 if result.created else 200, asset)


@router.get("/workspaces/{slug}/assets/{asset_id}", response=AssetOut)
def asset_detail(request: HttpRequest, slug: str, asset_id: ObjectId) -> MediaAsset:
    return api_select(request, slug, selectors.media_asset_get, asset_id=asset_id)


@router.get(
    "/workspaces/{slug}/assets/{asset_id}/file",
    summary="The asset's file (binary)",
    response={200: None},
    openapi_extra={
        # The integer key replaces ninja's own 200 entry; a "200" string key would sit beside it
        # and make the document's JSON carry the key twice, which Swagger UI refuses to parse.
        "responses": {200: {"description": "The file", "content": {"application/octet-stream": {}}}}
    },
)
def asset_file(request: HttpRequest, slug: str, asset_id: ObjectId) -> FileResponse:
    asset = api_select(request, slug, selectors.media_asset_get, asset_id=asset_id)
    try:
        handle = asset.file.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(handle, content_type=asset.content_type, filename=asset.original_name)


@router.delete("/workspaces/{slug}/assets/{asset_id}", response={204: None})
def asset_delete(request: HttpRequest, slug: str, asset_id: ObjectId) -> Status[None]:
    return api_delete(
        request,
        slug,
        selectors.media_asset_get,
        media_services.media_asset_delete,
        "asset",
        asset_id=asset_id,
    )
