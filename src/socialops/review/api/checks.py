"""API of the checks: run them on a text, read an item's findings, manage the term lists (R2.7, R3.6).

Every member reads and runs checks; reviewers (content.review) and admins (workspace.manage)
edit the term lists and settings.
"""

import datetime as dt
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from ninja.params import FormEx, P

from socialops.content.models import ContentItem
from socialops.content.selectors import items as item_selectors
from socialops.core.api import choice_label
from socialops.textkit.platform_rules import PLATFORMS
from socialops.textkit.platform_rules import forms as platform_forms
from socialops.workspaces.api import api_create, api_delete, api_object, api_select, api_workspace

from ..forms.checks import IMPORT_MAX_BYTES, LIVE_TEXT_MAX
from ..models import AdLawEntry, BannedTerm, BrandTerm, CheckSettings, SensitiveList, SensitiveTerm
from ..selectors import checks as selectors
from ..services import originality as originality_services
from ..services import runner as check_runner
from ..services import terms as term_services

router = Router(tags=["checks"])

ObjectId = Annotated[int, Path(ge=1, le=2**53)]
Term = Annotated[str, Field(max_length=200)]
Severity = Annotated[str, Field(max_length=20, description="block, warn or info")]


# ---- running checks -------------------------------------------------------------------------


class ImageIn(Schema):
    bytes: int = Field(..., ge=0, le=10**12)
    width: int = Field(..., ge=0, le=100_000)
    height: int = Field(..., ge=0, le=100_000)


class VideoIn(Schema):
    bytes: int = Field(..., ge=0, le=10**13)
    seconds: float = Field(..., ge=0, le=10**6)


class CheckIn(Schema):
    title: str = Field("", max_length=1000)
    digest: str = Field("", max_length=2000)
    author: str = Field("", max_length=200)
    body: str = Field("", max_length=LIVE_TEXT_MAX)
    hashtags: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=50)
    platform: str | None = Field(
        None, max_length=20, description="e.g. wechat_mp, weibo, xiaohongshu, douyin (platform rules apply)"
    )
    form: str | None = Field(
        None, max_length=20, description="The platform's form, e.g. weibo: post or long (default: its first)"
    )
    is_advertising: bool = Field(
        False, description="The text is an ad: the platform's disclosure is required"
    )
    images: list[ImageIn] = Field(default_factory=list, max_length=50)
    video: VideoIn | None = None
    item_id: int | None = Field(
        None, ge=1, le=2**53, description="Leave this item's own published posts out of the originality check"
    )


class FindingOut(Schema):
    variant_id: int | None = Field(
        None, description="The variant the finding is about (None: the item or the text)"
    )
    platform: str
    field: str
    check: str = Field(..., description="adlaw, sensitive, brand, platform, link, disclosure or originality")
    severity: str = Field(..., description="block, warn or info")
    start: int | None = Field(None, description="Offset of the span in the field's text (code points)")
    end: int | None = None
    matched: str
    message: str = Field(..., description="In the caller's language")
    message_code: str
    params: dict[str, Any]
    suggestion: str | None
    related: dict[str, Any] = Field(
        ..., description="Originality: the similar post, its text, similarity and the diff segments"
    )


class CheckOut(Schema):
    count: int
    blocking: bool
    findings: list[FindingOut]


@router.post(
    "/workspaces/{slug}/checks",
    response=CheckOut,
    summary="Run every check on a text (nothing is stored)",
)
def run_checks(request: HttpRequest, slug: str, payload: CheckIn) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    item: ContentItem | None = None
    if payload.item_id is not None:
        item = item_selectors.content_item_get(
            workspace=workspace, user=request.user, item_id=payload.item_id
        )
    if payload.platform is not None and payload.platform not in PLATFORMS:
        raise ValidationError(
            {
                "platform": [
                    _("Unknown platform: %(value)s. Choose one of %(choices)s.")
                    % {"value": payload.platform, "choices": ", ".join(PLATFORMS)}
                ]
            }
        )
    if payload.form is not None:
        known = platform_forms(payload.platform) if payload.platform else ()
        if payload.form not in known:
            raise ValidationError(
                {
                    "form": [
                        _("Unknown form for this platform: %(value)s. Choose one of %(choices)s.")
                        % {"value": payload.form, "choices": ", ".join(known) or "—"}
                    ]
                }
            )
    findings = check_runner.run_checks(
        workspace=workspace,
        text_fields={
            "title": payload.title,
            "digest": payload.digest,
            "author": payload.author,
            "body": payload.body,
        },
        platform=payload.platform,
        form=payload.form,
        is_advertising=payload.is_advertising,
        images=[(i.bytes, i.width, i.height) for i in payload.images],
        video=(payload.video.bytes, payload.video.seconds) if payload.video else None,
        hashtags=payload.hashtags,
        exclude_item=item,
    )
    return {
        "count": len(findings),
        "blocking": any(f.blocking for f in findings),
        "findings": [f.to_dict() for f in findings],
    }


@router.get(
    "/workspaces/{slug}/items/{item_id}/findings",
    response=list[FindingOut],
    summary="The findings of an item and its variants as they are now (checks re-run when out of date)",
)
@paginate
def item_findings(
    request: HttpRequest,
    slug: str,
    item_id: ObjectId,
    severity: Annotated[str | None, Query(max_length=10)] = None,
) -> Any:
    workspace, item = api_object(request, slug, item_selectors.content_item_get, item_id=item_id)
    _run, findings = check_runner.item_checks_current(workspace=workspace, item=item)
    return [f.to_dict() for f in findings if severity is None or f.severity == severity]


# ---- settings -------------------------------------------------------------------------------


class SettingsOut(Schema):
    originality_threshold: float
    originality_block_threshold: float
    terms_version: int
    originality_index_posts: int | None = None
    originality_index_built_at: dt.datetime | None = None


class SettingsPatchIn(Schema):
    originality_threshold: float | None = Field(None, ge=0.3, le=1.0)
    originality_block_threshold: float | None = Field(None, ge=0.3, le=1.0)


def _settings_out(workspace: Any, user: Any, row: CheckSettings) -> dict[str, Any]:
    index = selectors.originality_index_info(workspace=workspace, user=user)
    return {
        "originality_threshold": row.originality_threshold,
        "originality_block_threshold": row.originality_block_threshold,
        "terms_version": row.terms_version,
        "originality_index_posts": index["doc_count"] if index else None,
        "originality_index_built_at": index["built_at"] if index else None,
    }


@router.get("/workspaces/{slug}/checks/settings", response=SettingsOut, summary="Originality thresholds")
def settings_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    return _settings_out(
        workspace, request.user, selectors.check_settings_get(workspace=workspace, user=request.user)
    )


@router.patch("/workspaces/{slug}/checks/settings", response=SettingsOut)
def settings_patch(request: HttpRequest, slug: str, payload: SettingsPatchIn) -> dict[str, Any]:
    workspace = api_workspace(request, slug)
    row = originality_services.check_settings_update(
        workspace=workspace, actor=request.user, **payload.dict(exclude_none=True)
    )
    return _settings_out(workspace, request.user, row)


# ---- Advertising-Law entries ----------------------------------------------------------------


class AdLawEntryOut(Schema):
    id: int
    kind: str
    kind_label: str
    term: str
    severity: str
    note: str
    created_at: dt.datetime

    resolve_kind_label = choice_label("kind")


class AdLawEntryIn(Schema):
    kind: str = Field(..., max_length=20, description="extra, removed or allowed_name")
    term: Term
    severity: Severity = "block"
    note: str = Field("", max_length=400)


@router.get("/workspaces/{slug}/checks/adlaw-entries", response=list[AdLawEntryOut])
@paginate
def adlaw_entry_list(
    request: HttpRequest, slug: str, kind: Annotated[str | None, Query(max_length=20)] = None
) -> Any:
    return api_select(request, slug, selectors.adlaw_entry_list, kind=kind)


@router.post("/workspaces/{slug}/checks/adlaw-entries", response={201: AdLawEntryOut})
def adlaw_entry_create(request: HttpRequest, slug: str, payload: AdLawEntryIn) -> Status[AdLawEntry]:
    return api_create(request, slug, term_services.adlaw_entry_create, **payload.dict())


@router.delete("/workspaces/{slug}/checks/adlaw-entries/{entry_id}", response={204: None})
def adlaw_entry_delete(request: HttpRequest, slug: str, entry_id: ObjectId) -> Status[None]:
    return api_delete(
        request, slug, selectors.adlaw_entry_get, term_services.adlaw_entry_delete, "entry", entry_id=entry_id
    )


# ---- sensitive-word lists -------------------------------------------------------------------


class SensitiveListOut(Schema):
    id: int
    name: str
    severity: str
    description: str
    term_count: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime


class SensitiveListIn(Schema):
    name: str = Field(..., max_length=200)
    severity: Severity = "warn"
    description: str = Field("", max_length=400)


class SensitiveListPatchIn(Schema):
    name: str | None = Field(None, max_length=200)
    severity: Severity | None = None
    description: str | None = Field(None, max_length=400)


class SensitiveTermOut(Schema):
    id: int
    term: str
    created_at: dt.datetime


class SensitiveTermIn(Schema):
    term: Term


class TermImportOut(Schema):
    added: int
    removed: int
    unchanged: int
    duplicates: int = Field(..., description="Lines repeating an earlier word of the same file")


def _list(request: HttpRequest, slug: str, list_id: int) -> tuple[Any, SensitiveList]:
    return api_object(request, slug, selectors.sensitive_list_get, list_id=list_id)


@router.get("/workspaces/{slug}/checks/sensitive-lists", response=list[SensitiveListOut])
@paginate
def sensitive_list_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, selectors.sensitive_list_list)


@router.post("/workspaces/{slug}/checks/sensitive-lists", response={201: SensitiveListOut})
def sensitive_list_create(request: HttpRequest, slug: str, payload: SensitiveListIn) -> Status[SensitiveList]:
    workspace = api_workspace(request, slug)
    lst = term_services.sensitive_list_create(workspace=workspace, actor=request.user, **payload.dict())
    return Status(201, selectors.sensitive_list_get(workspace=workspace, user=request.user, list_id=lst.pk))


@router.get("/workspaces/{slug}/checks/sensitive-lists/{list_id}", response=SensitiveListOut)
def sensitive_list_detail(request: HttpRequest, slug: str, list_id: ObjectId) -> SensitiveList:
    return _list(request, slug, list_id)[1]


@router.patch("/workspaces/{slug}/checks/sensitive-lists/{list_id}", response=SensitiveListOut)
def sensitive_list_patch(
    request: HttpRequest, slug: str, list_id: ObjectId, payload: SensitiveListPatchIn
) -> SensitiveList:
    workspace, lst = _list(request, slug, list_id)
    term_services.sensitive_list_update(
        workspace=workspace, actor=request.user, sensitive_list=lst, **payload.dict(exclude_none=True)
    )
    return selectors.sensitive_list_get(workspace=workspace, user=request.user, list_id=lst.pk)


@router.delete("/workspaces/{slug}/checks/sensitive-lists/{list_id}", response={204: None})
def sensitive_list_delete(request: HttpRequest, slug: str, list_id: ObjectId) -> Status[None]:
    return api_delete(
        request,
        slug,
        selectors.sensitive_list_get,
        term_services.sensitive_list_delete,
        "sensitive_list",
        list_id=list_id,
    )


@router.get("/workspaces/{slug}/checks/sensitive-lists/{list_id}/terms", response=list[SensitiveTermOut])
@paginate
def sensitive_term_list(
    request: HttpRequest, slug: str, list_id: ObjectId, q: Annotated[str | None, Query(max_length=50)] = None
) -> Any:
    workspace, lst = _list(request, slug, list_id)
    return selectors.sensitive_term_list(workspace=workspace, user=request.user, sensitive_list=lst, q=q)


@router.post("/workspaces/{slug}/checks/sensitive-lists/{list_id}/terms", response={201: SensitiveTermOut})
def sensitive_term_create(
    request: HttpRequest, slug: str, list_id: ObjectId, payload: SensitiveTermIn
) -> Status[SensitiveTerm]:
    workspace, lst = _list(request, slug, list_id)
    term = term_services.sensitive_term_create(
        workspace=workspace, actor=request.user, sensitive_list=lst, term=payload.term
    )
    return Status(201, term)


@router.delete("/workspaces/{slug}/checks/sensitive-lists/{list_id}/terms/{term_id}", response={204: None})
def sensitive_term_delete(
    request: HttpRequest, slug: str, list_id: ObjectId, term_id: ObjectId
) -> Status[None]:
    workspace, lst = _list(request, slug, list_id)
    term = selectors.sensitive_term_get(
        workspace=workspace, user=request.user, sensitive_list=lst, term_id=term_id
    )
    term_services.sensitive_term_delete(workspace=workspace, actor=request.user, term=term)
    return Status(204, None)


@router.post(
    "/workspaces/{slug}/checks/sensitive-lists/{list_id}/import",
    response=TermImportOut,
    summary="Import a UTF-8 text file, one word a line (whole or nothing; bad lines named by number)",
)
def sensitive_list_import(
    request: HttpRequest,
    slug: str,
    list_id: ObjectId,
    file: File[UploadedFile],
    replace: FormEx[bool, P(description="Remove the words the file does not have")] = False,
) -> Any:
    workspace, lst = _list(request, slug, list_id)
    # Checked before the upload is read, so a member without the role learns nothing from it.
    if not selectors.can_edit_terms(workspace=workspace, user=request.user):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))
    if file.size is not None and file.size > IMPORT_MAX_BYTES:
        raise ValidationError({"file": [_("The file is larger than 5 MB.")]})
    result = term_services.sensitive_list_import(
        workspace=workspace, actor=request.user, sensitive_list=lst, content=file.read(), replace=replace
    )
    return result.__dict__


# ---- brand terms and banned slang -----------------------------------------------------------


class BrandTermOut(Schema):
    id: int
    preferred: str
    forbidden: list[str]
    severity: str
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime


class BrandTermIn(Schema):
    preferred: str = Field(..., max_length=200)
    forbidden: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    severity: Severity = "warn"
    note: str = Field("", max_length=400)


class BrandTermPatchIn(Schema):
    preferred: str | None = Field(None, max_length=200)
    forbidden: list[Annotated[str, Field(max_length=200)]] | None = Field(None, max_length=50)
    severity: Severity | None = None
    note: str | None = Field(None, max_length=400)


class BannedTermOut(Schema):
    id: int
    term: str
    replacement: str
    severity: str
    note: str
    created_at: dt.datetime


class BannedTermIn(Schema):
    term: Term
    replacement: str = Field("", max_length=200)
    severity: Severity = "warn"
    note: str = Field("", max_length=400)


@router.get("/workspaces/{slug}/checks/brand-terms", response=list[BrandTermOut])
@paginate
def brand_term_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, selectors.brand_term_list)


@router.post("/workspaces/{slug}/checks/brand-terms", response={201: BrandTermOut})
def brand_term_create(request: HttpRequest, slug: str, payload: BrandTermIn) -> Status[BrandTerm]:
    return api_create(request, slug, term_services.brand_term_create, **payload.dict())


@router.patch("/workspaces/{slug}/checks/brand-terms/{term_id}", response=BrandTermOut)
def brand_term_patch(
    request: HttpRequest, slug: str, term_id: ObjectId, payload: BrandTermPatchIn
) -> BrandTerm:
    workspace, term = api_object(request, slug, selectors.brand_term_get, term_id=term_id)
    return term_services.brand_term_update(
        workspace=workspace, actor=request.user, brand_term=term, **payload.dict(exclude_none=True)
    )


@router.delete("/workspaces/{slug}/checks/brand-terms/{term_id}", response={204: None})
def brand_term_delete(request: HttpRequest, slug: str, term_id: ObjectId) -> Status[None]:
    return api_delete(
        request,
        slug,
        selectors.brand_term_get,
        term_services.brand_term_delete,
        "brand_term",
        term_id=term_id,
    )


@router.get("/workspaces/{slug}/checks/banned-terms", response=list[BannedTermOut])
@paginate
def banned_term_list(request: HttpRequest, slug: str) -> Any:
    return api_select(request, slug, selectors.banned_term_list)


@router.post("/workspaces/{slug}/checks/banned-terms", response={201: BannedTermOut})
def banned_term_create(request: HttpRequest, slug: str, payload: BannedTermIn) -> Status[BannedTerm]:
    return api_create(request, slug, term_services.banned_term_create, **payload.dict())


@router.delete("/workspaces/{slug}/checks/banned-terms/{term_id}", response={204: None})
def banned_term_delete(request: HttpRequest, slug: str, term_id: ObjectId) -> Status[None]:
    return api_delete(
        request,
        slug,
        selectors.banned_term_get,
        term_services.banned_term_delete,
        "banned_term",
        term_id=term_id,
    )


# ---- link results ---------------------------------------------------------------------------


class LinkCheckOut(Schema):
    url: str
    ok: bool
    status: int | None
    error: str
    final_url: str
    elapsed_ms: int
    checked_at: dt.datetime


@router.get(
    "/workspaces/{slug}/checks/links",
    response=list[LinkCheckOut],
    summary="Reachability results of the workspace's links (checked in the background after saves)",
)
@paginate
def link_check_list(request: HttpRequest, slug: str, failed: bool = False) -> Any:
    return api_select(request, slug, selectors.link_check_list, failed_only=failed)
