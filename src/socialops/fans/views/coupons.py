"""Pages of the fans app: coupon campaigns (funnel, codes, redemptions) and the signed redemption webhook."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from socialops.accounts.selectors import own_accounts
from socialops.core.imports import MAX_IMPORT_BYTES, ImportRejected, file_too_large
from socialops.core.view_helpers import run_and_say, submitted
from socialops.goals.selectors.strategies import strategy_effect, strategy_list
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.coupons import CampaignForm, CodesImportForm, RedeemForm, RedemptionsImportForm
from ..models import CouponCampaign, RedemptionSource
from ..presenters.coupons import funnel_chart_option
from ..selectors import coupons as sel
from ..services import coupons as svc


def _campaign_form(
    request: WorkspaceRequest, data: Any = None, initial: dict[str, Any] | None = None
) -> CampaignForm:
    workspace = request.workspace
    return CampaignForm(
        data,
        initial=initial,
        accounts=own_accounts(workspace=workspace, user=request.user),
        strategies=strategy_list(workspace=workspace, user=request.user),
    )


def _detail_url(request: WorkspaceRequest, campaign: CouponCampaign) -> str:
    return reverse(
        "coupon_campaign_detail", kwargs={"slug": request.workspace.slug, "campaign_id": campaign.pk}
    )


@workspace_view()
def coupon_campaign_list(request: WorkspaceRequest) -> HttpResponse:
    """Coupon campaigns, latest first, each with its funnel in figures."""
    workspace = request.workspace
    rows = [
        (c, sel.campaign_funnel(workspace=workspace, user=request.user, campaign=c))
        for c in sel.campaign_list(workspace=workspace, user=request.user)
    ]
    return render(request, "fans/coupons_list.html", {"rows": rows})


@workspace_view(Perm.FANS_EDIT)
def coupon_campaign_create(request: WorkspaceRequest) -> HttpResponse:
    """Start a coupon campaign."""
    workspace = request.workspace
    form = _campaign_form(request, request.POST or None, initial={"code_source": "generated", "min_spend": 0})
    done = submitted(
        request,
        form,
        lambda: svc.campaign_create(workspace=workspace, actor=request.user, **form.cleaned_data),
        message=_("Campaign created."),
        to=lambda campaign: _detail_url(request, campaign),
    )
    return done or render(request, "fans/coupons_form.html", {"form": form, "campaign": None})


@workspace_view(Perm.FANS_EDIT)
def coupon_campaign_edit(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Change a coupon campaign."""
    workspace = request.workspace
    campaign = sel.campaign_get(workspace=workspace, user=request.user, campaign_id=campaign_id)
    form = _campaign_form(request, request.POST or None, initial=svc.current_values(campaign))
    done = submitted(
        request,
        form,
        lambda: svc.campaign_update(
            workspace=workspace, actor=request.user, campaign=campaign, **form.cleaned_data
        ),
        message=_("Campaign saved."),
        to=_detail_url(request, campaign),
    )
    return done or render(request, "fans/coupons_form.html", {"form": form, "campaign": campaign})


def _detail(request: WorkspaceRequest, campaign: CouponCampaign, **extra: Any) -> HttpResponse:
    workspace, user = request.workspace, request.user
    funnel = sel.campaign_funnel(workspace=workspace, user=user, campaign=campaign)
    coupons = Paginator(sel.campaign_coupons(workspace=workspace, user=user, campaign=campaign), 50)
    redemptions = Paginator(sel.campaign_redemptions(workspace=workspace, user=user, campaign=campaign), 50)
    effect = None
    if campaign.strategy is not None:
        effect = strategy_effect(workspace=workspace, user=user, strategy=campaign.strategy)
    can_manage = user_can(workspace=workspace, user=user, perm=Perm.WORKSPACE_MANAGE)
    context = {
        "campaign": campaign,
        "funnel": funnel,
        "chart": funnel_chart_option(funnel),
        "coupons": coupons.get_page(request.GET.get("page")),
        "redemptions": redemptions.get_page(request.GET.get("rpage")),
        "effect": effect,
        "can_identity": user_can(workspace=workspace, user=user, perm=Perm.FANS_IDENTITY),
        "can_manage": can_manage,
        "webhook_url": request.build_absolute_uri(f"/hooks/coupons/{campaign.pk}/") if can_manage else "",
        "codes_form": CodesImportForm(),
        "redemptions_form": RedemptionsImportForm(),
        "redeem_form": RedeemForm(),
        **extra,
    }
    return render(request, "fans/coupons_detail.html", context, status=400 if extra.get("report") else 200)


@workspace_view()
def coupon_campaign_detail(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """One campaign: funnel chart, coupons, redemptions, imports, the webhook and the linked strategy."""
    campaign = sel.campaign_get(workspace=request.workspace, user=request.user, campaign_id=campaign_id)
    return _detail(request, campaign)


@require_POST
@workspace_view(Perm.FANS_EDIT)
def coupon_campaign_delete(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Delete a campaign that has no redemptions."""
    workspace = request.workspace
    campaign = sel.campaign_get(workspace=workspace, user=request.user, campaign_id=campaign_id)
    if run_and_say(
        request,
        lambda: svc.campaign_delete(workspace=workspace, actor=request.user, campaign=campaign),
        _("Campaign deleted."),
    ):
        return redirect("coupon_campaign_list", slug=workspace.slug)
    return redirect(_detail_url(request, campaign))


def _upload(request: HttpRequest) -> tuple[str, bytes] | None:
    upload = request.FILES.get("file")
    if upload is None:
        return None
    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        raise ImportRejected([file_too_large()])
    return upload.name or "upload", upload.read()


@require_POST
@workspace_view(Perm.FANS_EDIT)
def coupon_codes_import(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Add platform codes (pasted or a file) to an imported campaign's pool."""
    workspace = request.workspace
    campaign = sel.campaign_get(workspace=workspace, user=request.user, campaign_id=campaign_id)
    file_name = None
    try:
        uploaded = _upload(request)
        file_name, content = uploaded if uploaded else (None, None)
        n = svc.codes_import(
            workspace=workspace, actor=request.user, campaign=campaign,
            text=request.POST.get("text", ""), file_name=file_name, content=content,
        )  # fmt: skip
    except ImportRejected as exc:
        return _detail(request, campaign, report=exc.errors, report_file=file_name or _("pasted codes"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(n)s codes added.") % {"n": n})
    return redirect(_detail_url(request, campaign))


@require_POST
@workspace_view(Perm.FANS_EDIT)
def coupon_redemptions_import(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Import a file of redemptions, whole or not at all."""
    workspace = request.workspace
    campaign = sel.campaign_get(workspace=workspace, user=request.user, campaign_id=campaign_id)
    try:
        uploaded = _upload(request)
        if uploaded is None:
            messages.error(request, _("Choose a file."))
            return redirect(_detail_url(request, campaign))
        file_name, content = uploaded
        result = svc.redemptions_import(
            workspace=workspace, actor=request.user, file_name=file_name, content=content
        )
    except ImportRejected as exc:
        upload = request.FILES.get("file")
        return _detail(request, campaign, report=exc.errors, report_file=getattr(upload, "name", ""))
    messages.success(request, _("%(n)s redemptions recorded.") % {"n": result.redeemed})
    return redirect(_detail_url(request, campaign))


@require_POST
@workspace_view(Perm.FANS_EDIT)
def coupon_redeem(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Record one redemption typed in by hand."""
    workspace = request.workspace
    campaign = sel.campaign_get(workspace=workspace, user=request.user, campaign_id=campaign_id)
    form = RedeemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a code."))
    else:
        run_and_say(
            request,
            lambda: svc.coupon_redeem(
                workspace=workspace, actor=request.user, source=RedemptionSource.MANUAL, **form.cleaned_data
            ),
            _("Redemption recorded."),
        )
    return redirect(_detail_url(request, campaign))


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def coupon_secret_regenerate(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Replace the campaign's webhook secret (admins)."""
    workspace = request.workspace
    campaign = sel.campaign_get(workspace=workspace, user=request.user, campaign_id=campaign_id)
    run_and_say(
        request,
        lambda: svc.campaign_secret_regenerate(workspace=workspace, actor=request.user, campaign=campaign),
        _("New webhook secret made; the old one no longer works."),
    )
    return redirect(_detail_url(request, campaign))


@csrf_exempt
@require_POST
def coupon_webhook(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """A shop tells us a coupon was used (unauthenticated; checked by HMAC signature and timestamp)."""
    try:
        redemption = svc.coupon_webhook_receive(
            campaign_id=campaign_id,
            body=request.body,
            signature=request.headers.get("X-Socialops-Signature", ""),
            timestamp=request.headers.get("X-Socialops-Timestamp", ""),
        )
    except svc.WebhookRefused as exc:
        return JsonResponse({"message": exc.message}, status=exc.status)
    except svc.RedemptionRefused as exc:
        status = 409 if exc.reason == "redeemed" else 422
        return JsonResponse({"message": " ".join(exc.messages), "reason": exc.reason}, status=status)
    return JsonResponse({"id": redemption.pk, "redeemed_at": redemption.redeemed_at.isoformat()}, status=201)


coupons_urlpatterns: list[URLPattern] = [
    path("fans/coupons/", coupon_campaign_list, name="coupon_campaign_list"),
    path("fans/coupons/new/", coupon_campaign_create, name="coupon_campaign_create"),
    path("fans/coupons/<int:campaign_id>/", coupon_campaign_detail, name="coupon_campaign_detail"),
    path("fans/coupons/<int:campaign_id>/edit/", coupon_campaign_edit, name="coupon_campaign_edit"),
    path("fans/coupons/<int:campaign_id>/delete/", coupon_campaign_delete, name="coupon_campaign_delete"),
    path("fans/coupons/<int:campaign_id>/codes/", coupon_codes_import, name="coupon_codes_import"),
    path(
        "fans/coupons/<int:campaign_id>/redemptions/import/",
        coupon_redemptions_import,
        name="coupon_redemptions_import",
    ),
    path("fans/coupons/<int:campaign_id>/redeem/", coupon_redeem, name="coupon_redeem"),
    path("fans/coupons/<int:campaign_id>/secret/", coupon_secret_regenerate, name="coupon_secret_regenerate"),
]
