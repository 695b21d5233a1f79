"""API of the fans app: coupon campaigns, their codes and funnel, issuing and redemptions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Path, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from socialops.core.imports import (
    MAX_IMPORT_BYTES,
    ImportRejected,
    ImportRejectedOut,
    file_too_large,
    rejected_report,
)
from socialops.core.pagination import MappedPage
from socialops.goals.models import Strategy
from socialops.workspaces.access import ensure_perm, user_can
from socialops.workspaces.api import api_object, api_workspace
from socialops.workspaces.roles import Perm
from socialops.workspaces.selectors import member_rows

from ..models import Coupon, CouponCampaign, Person, Redemption, RedemptionSource
from ..selectors import coupons as sel
from ..services import conversions
from ..services import coupons as svc

router = Router(tags=["fans"])

MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e10"), max_digits=12, decimal_places=2)]
CampaignId = Path(..., ge=1, le=MAX_ID)


class CouponFunnelOut(Schema):
    issued: int
    redeemed: int
    revenue: float
    unissued: int
    redemption_rate: float | None


class CouponCampaignOut(Schema):
    id: int
    name: str
    account_id: int
    strategy_id: int | None
    value: float
    min_spend: float
    valid_from: dt.datetime
    valid_until: dt.datetime
    budget_count: int
    code_source: str
    code_prefix: str
    funnel: CouponFunnelOut
    # Shown to admins only (blank for everyone else).
    webhook_secret: str
    webhook_path: str


class CouponCampaignIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    account_id: Id
    strategy_id: Id | None = None
    value: Money
    min_spend: Money = Decimal(0)
    valid_from: dt.datetime
    valid_until: dt.datetime
    budget_count: int = Field(..., ge=0, le=10_000_000)
    code_source: str = Field("generated", max_length=10)
    code_prefix: str = Field("", max_length=8)


class CouponCampaignPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    account_id: Id | None = None
    strategy_id: Id | None = None
    value: Money | None = None
    min_spend: Money | None = None
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    budget_count: int | None = Field(None, ge=0, le=10_000_000)
    code_source: str | None = Field(None, max_length=10)
    code_prefix: str | None = Field(None, max_length=8)


class CouponOut(Schema):
    id: int
    code: str
    person_id: int | None
    person: str | None
    issued_at: dt.datetime | None
    redeemed_at: dt.datetime | None
    issued_by_run_id: int | None


class CouponRedemptionOut(Schema):
    id: int
    code: str
    campaign_id: int
    person_id: int | None
    order_id: str
    order_amount: float | None
    redeemed_at: dt.datetime
    source: str


class CouponCodesIn(Schema):
    codes: list[Annotated[str, Field(max_length=200)]] = Field(..., min_length=1, max_length=100_000)


class CouponCodesOut(Schema):
    added: int


class CouponIssueIn(Schema):
    person_id: Id


class CouponIssueOut(Schema):
    coupon: CouponOut
    created: bool


class CouponRedeemIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    order_id: str = Field("", max_length=100)
    order_amount: Money | None = None
    redeemed_at: dt.datetime | None = None


class CouponRedemptionsImportOut(Schema):
    rows: int
    redeemed: int


class CouponConversionsOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int


# ---- helpers ---------------------------------------------------------------------------------


def _campaign_out(request: HttpRequest, workspace: Any, campaign: CouponCampaign) -> dict[str, Any]:
    funnel = sel.campaign_funnel(workspace=workspace, user=request.user, campaign=campaign)
    admin = user_can(workspace=workspace, user=request.user, perm=Perm.WORKSPACE_MANAGE)
    return {
        **{
            f: getattr(campaign, f)
            for f in ("id", "name", "account_id", "strategy_id", "valid_from", "valid_until")
        },
        **{f: getattr(campaign, f) for f in ("budget_count", "code_source", "code_prefix")},
        "value": float(campaign.value),
        "min_spend": float(campaign.min_spend),
        "funnel": {
            "issued": funnel.issued,
            "redeemed": funnel.redeemed,
            "revenue": float(funnel.revenue),
            "unissued": funnel.unissued,
            "redemption_rate": funnel.redemption_rate,
        },
        "webhook_secret": campaign.webhook_secret if admin else "",
        "webhook_path": f"/hooks/coupons/{campaign.pk}/",
    }


def _person_label(request: HttpRequest, workspace: Any, person: Person | None) -> str | None:
    if person is None:
        return None
    if user_can(workspace=workspace, user=request.user, perm=Perm.FANS_IDENTITY):
        return person.display_name or person.pseudonym
    return person.pseudonym


def _coupon_out(request: HttpRequest, workspace: Any, coupon: Coupon) -> dict[str, Any]:
    return {
        "id": coupon.pk,
        "code": coupon.code,
        "person_id": coupon.person_id,
        "person": _person_label(request, workspace, coupon.person),
        "issued_at": coupon.issued_at,
        "redeemed_at": coupon.redeemed_at,
        "issued_by_run_id": coupon.issued_by_run_id,
    }


def _redemption_out(redemption: Redemption) -> dict[str, Any]:
    return {
        "id": redemption.pk,
        "code": redemption.coupon.code,
        "campaign_id": redemption.coupon.campaign_id,
        "person_id": redemption.person_id,
        "order_id": redemption.order_id,
        "order_amount": float(redemption.order_amount) if redemption.order_amount is not None else None,
        "redeemed_at": redemption.redeemed_at,
        "source": redemption.source,
    }


def _service_fields(request: HttpRequest, workspace: Any, data: dict[str, Any]) -> dict[str, Any]:
    """API field names → service keyword arguments (ids resolved within this workspace, else 404)."""
    if "account_id" in data:
        from socialops.accounts.models import SocialAccount

        data["account"] = get_object_or_404(
            member_rows(SocialAccount, workspace=workspace, user=request.user), pk=data.pop("account_id")
        )
    if "strategy_id" in data:
        pk = data.pop("strategy_id")
        data["strategy"] = (
            get_object_or_404(member_rows(Strategy, workspace=workspace, user=request.user), pk=pk)
            if pk
            else None
        )
    return data


# ---- campaigns -------------------------------------------------------------------------------


@router.get(
    "/workspaces/{slug}/fans/coupons/campaigns", response=list[CouponCampaignOut], summary="Coupon campaigns"
)
@paginate
def coupon_campaign_list(request: HttpRequest, slug: str) -> Any:
    workspace = api_workspace(request, slug)
    qs = sel.campaign_list(workspace=workspace, user=request.user)
    return MappedPage(qs, lambda c: _campaign_out(request, workspace, c))


@router.post("/workspaces/{slug}/fans/coupons/campaigns", response={201: CouponCampaignOut})
def coupon_campaign_create(
    request: HttpRequest, slug: str, payload: CouponCampaignIn
) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT)
    campaign = svc.campaign_create(
        workspace=workspace, actor=request.user, **_service_fields(request, workspace, payload.dict())
    )
    return Status(201, _campaign_out(request, workspace, campaign))


@router.get("/workspaces/{slug}/fans/coupons/campaigns/{int:campaign_id}", response=CouponCampaignOut)
def coupon_campaign_detail(request: HttpRequest, slug: str, campaign_id: int = CampaignId) -> dict[str, Any]:
    workspace, campaign = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    return _campaign_out(request, workspace, campaign)


@router.patch("/workspaces/{slug}/fans/coupons/campaigns/{int:campaign_id}", response=CouponCampaignOut)
def coupon_campaign_patch(
    request: HttpRequest, slug: str, payload: CouponCampaignPatch, campaign_id: int = CampaignId
) -> dict[str, Any]:
    workspace, campaign = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT)
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "strategy_id"}
    updated = svc.campaign_update(
        workspace=workspace,
        actor=request.user,
        campaign=campaign,
        **_service_fields(request, workspace, data),
    )
    return _campaign_out(request, workspace, updated)


@router.delete("/workspaces/{slug}/fans/coupons/campaigns/{int:campaign_id}", response={204: None})
def coupon_campaign_delete(request: HttpRequest, slug: str, campaign_id: int = CampaignId) -> Status[None]:
    workspace, campaign = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    svc.campaign_delete(workspace=workspace, actor=request.user, campaign=campaign)
    return Status(204, None)


@router.post("/workspaces/{slug}/fans/coupons/campaigns/{int:campaign_id}/secret", response=CouponCampaignOut)
def coupon_campaign_secret(request: HttpRequest, slug: str, campaign_id: int = CampaignId) -> dict[str, Any]:
    """Replace the webhook secret (admins); the answer carries the new one."""
    workspace, campaign = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    svc.campaign_secret_regenerate(workspace=workspace, actor=request.user, campaign=campaign)
    return _campaign_out(request, workspace, campaign)


@router.get("/workspaces/{slug}/fans/coupons/campaigns/{int:campaign_id}/coupons", response=list[CouponOut])
@paginate
def coupon_list(request: HttpRequest, slug: str, campaign_id: int = CampaignId) -> Any:
    workspace, campaign = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    qs = sel.campaign_coupons(workspace=workspace, user=request.user, campaign=campaign)
    return MappedPage(qs, lambda c: _coupon_out(request, workspace, c))


@router.get(
    "/workspaces/{slug}/fans/coupons/campaigns/{int:campaign_id}/redemptions",
    response=list[CouponRedemptionOut],
)
@paginate
def coupon_redemption_list(request: HttpRequest, slug: str, campaign_id: int = CampaignId) -> Any:
    workspace, campaign = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    return MappedPage(
        sel.campaign_redemptions(workspace=workspace, user=request.user, campaign=campaign), _redemption_out
    )


@router.post(
    "/workspaces/{slug}/fans/coupons/campaigns/{int:campaign_id}/codes",
    response={200: CouponCodesOut, 400: ImportRejectedOut},
    summary="Add imported platform codes (whole list or nothing; a duplicate names its line)",
)
def coupon_codes_import(
    request: HttpRequest, slug: str, payload: CouponCodesIn, campaign_id: int = CampaignId
) -> Any:
    workspace, campaign = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT)
    try:
        added = svc.codes_import(
            workspace=workspace, actor=request.user, campaign=campaign, text="\n".join(payload.codes)
        )
    except ImportRejected as exc:
        return Status(400, rejected_report(exc.errors))
    return Status(200, {"added": added})


@router.post(
    "/workspaces/{slug}/fans/coupons/campaigns/{int:campaign_id}/issue",
    response={200: CouponIssueOut, 201: CouponIssueOut},
    summary="Give a person the campaign's coupon (their existing one if they have it)",
)
def coupon_issue(
    request: HttpRequest, slug: str, payload: CouponIssueIn, campaign_id: int = CampaignId
) -> Any:
    workspace, campaign = api_object(request, slug, sel.campaign_get, campaign_id=campaign_id)
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT)
    person = get_object_or_404(
        member_rows(Person, workspace=workspace, user=request.user), pk=payload.person_id
    )
    coupon, created = svc.coupon_issue(
        workspace=workspace, actor=request.user, campaign=campaign, person=person
    )
    return Status(
        201 if created else 200, {"coupon": _coupon_out(request, workspace, coupon), "created": created}
    )


# ---- redemptions -----------------------------------------------------------------------------


@router.post(
    "/workspaces/{slug}/fans/coupons/redeem",
    response={201: CouponRedemptionOut},
    summary="Record a coupon's use (400 with the reason: unknown, not issued, already redeemed, expired…)",
)
def coupon_redeem(request: HttpRequest, slug: str, payload: CouponRedeemIn) -> Status[dict[str, Any]]:
    workspace = api_workspace(request, slug)
    redemption = svc.coupon_redeem(
        workspace=workspace, actor=request.user, source=RedemptionSource.API, **payload.dict()
    )
    return Status(201, _redemption_out(redemption))


@router.post(
    "/workspaces/{slug}/fans/coupons/redemptions/import",
    response={200: CouponRedemptionsImportOut, 400: ImportRejectedOut},
    summary="Import redemptions from CSV/XLSX (code, order_id, amount, time), whole or not at all",
)
def coupon_redemptions_import(request: HttpRequest, slug: str, file: File[UploadedFile]) -> Any:
    workspace = api_workspace(request, slug)
    ensure_perm(workspace=workspace, user=request.user, perm=Perm.FANS_EDIT)
    if file.size is not None and file.size > MAX_IMPORT_BYTES:
        return Status(400, rejected_report([file_too_large()]))
    try:
        result = svc.redemptions_import(
            workspace=workspace, actor=request.user, file_name=file.name or "upload", content=file.read()
        )
    except ImportRejected as exc:
        return Status(400, rejected_report(exc.errors))
    return Status(200, {"rows": result.rows, "redeemed": result.redeemed})


@router.post(
    "/workspaces/{slug}/fans/coupons/conversions/recompute",
    response=CouponConversionsOut,
    summary="Rewrite the accounts' coupon conversion figures from the redemptions",
)
def coupon_conversions_recompute(request: HttpRequest, slug: str) -> dict[str, int]:
    workspace = api_workspace(request, slug)
    return conversions.conversions_recompute(workspace=workspace, actor=request.user)
