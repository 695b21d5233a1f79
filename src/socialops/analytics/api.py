"""API: column mappings (and presets), post history, post imports, best time to post."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.params import FormEx, P, PathEx

from socialops.content.models import ContentForm
from socialops.core.api import username_of
from socialops.core.imports import INT64_MAX, ImportRejectedOut, mapped_upload_import
from socialops.workspaces.access import ensure_perm
from socialops.workspaces.api import api_delete, api_object, api_select, api_workspace
from socialops.workspaces.roles import Perm

from . import selectors, services
from .besttime import best_time_table
from .imports import (
    MAX_HEADER_CHARS,
    MAX_TYPE_MAP_ENTRIES,
    POST_TYPE_MAX_CHARS,
    PRESETS,
    TARGET_FIELDS,
    TargetField,
)

router = Router(tags=["analytics"])

Id = PathEx[int, P(ge=1, le=INT64_MAX)]
Target = TargetField
Header = Annotated[str, Field(max_length=MAX_HEADER_CHARS)]
PostType = Annotated[str, Field(min_length=1, max_length=POST_TYPE_MAX_CHARS)]
FormValue = Literal["article", "short_post", "video", "live", "qa"]
assert set(FormValue.__args__) == set(ContentForm.values)  # type: ignore[attr-defined]


class MappingOptions(Schema):
    """How to read a file: delimiter, weekday numbering, post type → content form, engagement source."""

    delimiter: Literal["auto", ",", ";", "\t", "|"] = "auto"
    weekday_numbering: Literal["iso", "sun1"] = Field(
        default="iso", description="iso: 1 = Monday … 7 = Sunday; sun1: 1 = Sunday … 7 = Saturday"
    )
    type_to_form: dict[PostType, FormValue] = Field(
        default_factory=dict, max_length=MAX_TYPE_MAP_ENTRIES, description='e.g. {"Photo": "short_post"}'
    )
    engagements_from: str = Field(
        default="column",
        min_length=1,
        max_length=MAX_HEADER_CHARS,
        description='"column" (the column mapped to engagements), "sum" (likes + comments + shares + saves) '
        "or a column name",
    )


class MappingIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    columns: dict[Target, Header] = Field(
        ..., max_length=len(TARGET_FIELDS), description="target field → the file's column name"
    )
    options: MappingOptions = Field(default_factory=lambda: MappingOptions())


class MappingPatch(Schema):
    """Fields left out stay as they are."""

    name: str | None = Field(None, min_length=1, max_length=80)
    columns: dict[Target, Header] | None = Field(None, max_length=len(TARGET_FIELDS))
    options: MappingOptions | None = None


class MappingOut(Schema):
    id: int
    name: str
    columns: dict[str, str]
    options: dict[str, Any]
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime

    resolve_created_by = username_of("created_by", missing="")


class PresetOut(Schema):
    key: str
    label: str
    columns: dict[str, str]
    options: dict[str, Any]


class PostOut(Schema):
    id: int
    external_id: str
    published_at: dt.datetime | None
    month: int | None
    weekday: int = Field(..., description="ISO weekday, 1 = Monday … 7 = Sunday (local time)")
    hour: int = Field(..., description="local hour 0–23")
    post_type: str
    form: str
    paid: bool | None
    reach: int | None
    impressions: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    clicks: int | None
    engagements: int | None
    source: str
    updated_at: dt.datetime


class PostImportOut(Schema):
    id: int
    account_id: int
    mapping_id: int | None
    file_name: str
    sha256: str
    rows: int
    created: int
    updated: int
    unchanged: int
    created_by: str
    created_at: dt.datetime

    resolve_created_by = username_of("created_by", missing="")


class CellOut(Schema):
    weekday: int = Field(..., description="ISO weekday, 1 = Monday")
    hour: int
    posts: int
    mean_engagement: float | None
    rate_posts: int = Field(..., description="posts with a known reach above 0 (those in the rate)")
    mean_engagement_rate: float | None = Field(None, description="mean of engagements ÷ reach")
    score: float | None = Field(None, description="the planner's score, 1.0 = the account's average")


class TopHourOut(Schema):
    weekday: int
    hour: int
    score: float
    posts: int


class BestTimeOut(Schema):
    source: Literal["learned", "platform_default"]
    source_label: str
    posts: int
    engaged_posts: int
    qualifying_cells: int
    threshold: dict[str, int]
    score_metric: str
    mean_engagement: float | None
    mean_engagement_rate: float | None
    cells: list[CellOut]
    top_hours: list[TopHourOut]


# --- column mappings -------------------------------------------------------------------------


@router.get("/workspaces/{slug}/column-mappings", response=list[MappingOut], summary="Saved column mappings")
@paginate
def mapping_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, selectors.column_mapping_list)


@router.post(
    "/workspaces/{slug}/column-mappings", response={201: MappingOut}, summary="Save a column mapping"
)
def mapping_create(request: HttpRequest, slug: str, payload: MappingIn) -> Any:
    workspace = api_workspace(request, slug)
    mapping = services.column_mapping_create(
        workspace=workspace,
        actor=request.user,
        name=payload.name,
        columns={str(k): v for k, v in payload.columns.items()},
        options=payload.options.dict(),
    )
    return Status(201, mapping)


@router.get(
    "/workspaces/{slug}/column-mappings/presets",
    response=list[PresetOut],
    summary="Built-in mappings for known export layouts",
)
@paginate
def preset_list(request: HttpRequest, slug: str) -> Any:
    api_workspace(request, slug)
    return [
        {"key": key, "label": str(spec["label"]), "columns": spec["columns"], "options": spec["options"]}
        for key, spec in PRESETS.items()
    ]


@router.post(
    "/workspaces/{slug}/column-mappings/presets/{preset}",
    response={200: MappingOut, 201: MappingOut},
    summary="Save a built-in mapping under its preset name (200 when it is already saved)",
)
def preset_create(request: HttpRequest, slug: str, preset: PathEx[str, P(max_length=50)]) -> Any:
    workspace = api_workspace(request, slug)
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.METRICS_EDIT)
    existed = selectors.column_mapping_find(workspace=workspace, ref=preset) if preset in PRESETS else None
    mapping = services.column_mapping_preset(workspace=workspace, actor=request.user, preset=preset)
    return Status(200 if existed is not None and existed.pk == mapping.pk else 201, mapping)


@router.get(
    "/workspaces/{slug}/column-mappings/{mapping_id}", response=MappingOut, summary="One column mapping"
)
def mapping_get(request: HttpRequest, slug: str, mapping_id: Id) -> Any:
    return api_select(request, slug, selectors.column_mapping_get, mapping_id=mapping_id)


@router.patch(
    "/workspaces/{slug}/column-mappings/{mapping_id}", response=MappingOut, summary="Change a column mapping"
)
def mapping_update(request: HttpRequest, slug: str, mapping_id: Id, payload: MappingPatch) -> Any:
    workspace, mapping = api_object(request, slug, selectors.column_mapping_get, mapping_id=mapping_id)
    return services.column_mapping_update(
        workspace=workspace,
        actor=request.user,
        mapping=mapping,
        name=payload.name,
        columns=None if payload.columns is None else {str(k): v for k, v in payload.columns.items()},
        options=None if payload.options is None else payload.options.dict(),
    )


@router.delete(
    "/workspaces/{slug}/column-mappings/{mapping_id}", response={204: None}, summary="Delete a column mapping"
)
def mapping_delete(request: HttpRequest, slug: str, mapping_id: Id) -> Any:
    return api_delete(
        request,
        slug,
        selectors.column_mapping_get,
        services.column_mapping_delete,
        "mapping",
        mapping_id=mapping_id,
    )


# --- posts -----------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/accounts/{account_id}/posts",
    response=list[PostOut],
    summary="An account's post history",
)
@paginate
def post_list(request: HttpRequest, slug: str, account_id: Id) -> Any:
    workspace, account = api_object(request, slug, selectors.analytics_account_get, account_id=account_id)
    return selectors.post_list(workspace=workspace, user=request.user, account=account)


@router.post(
    "/workspaces/{slug}/accounts/{account_id}/posts/import",
    response={200: PostImportOut, 400: ImportRejectedOut},
    summary="Import an account's post export (CSV or XLSX) through a saved mapping, whole or not at all",
)
def post_import(
    request: HttpRequest,
    slug: str,
    account_id: Id,
    file: File[UploadedFile],
    mapping: FormEx[
        str, P(min_length=1, max_length=100, description="mapping id or name, or a preset's name")
    ],
) -> Any:
    workspace, account = api_object(request, slug, selectors.analytics_account_get, account_id=account_id)
    # Checked before the upload is read, so a member without the role learns nothing from it.
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.METRICS_EDIT)
    return mapped_upload_import(
        file,
        mapping=lambda: services.mapping_for_import(workspace=workspace, actor=request.user, ref=mapping),
        run=lambda chosen, file_name, content: services.posts_import(
            workspace=workspace,
            actor=request.user,
            account=account,
            mapping=chosen,
            file_name=file_name,
            content=content,
        ),
    )


@router.get(
    "/workspaces/{slug}/accounts/{account_id}/posts/imports",
    response=list[PostImportOut],
    summary="An account's post import history",
)
@paginate
def post_import_list(request: HttpRequest, slug: str, account_id: Id) -> Any:
    workspace, account = api_object(request, slug, selectors.analytics_account_get, account_id=account_id)
    return selectors.post_import_list(workspace=workspace, user=request.user, account=account)


@router.get(
    "/workspaces/{slug}/accounts/{account_id}/best-time",
    response=BestTimeOut,
    summary="Engagement by weekday × hour and the account's best hours (learned or platform default)",
)
def best_time(request: HttpRequest, slug: str, account_id: Id) -> Any:
    workspace, account = api_object(request, slug, selectors.analytics_account_get, account_id=account_id)
    return best_time_table(workspace=workspace, user=request.user, account=account)
