"""Pages: themes and target mixes, content items with their variants, the media library.

Times on these pages (live start) are read and shown in the workspace's time zone.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import account_get, account_list
from socialops.core.view_helpers import form_page, run_and_say, submitted
from socialops.workspaces.decorators import WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm
from socialops.workspaces.selectors import member_users

from ..forms.items import (
    BODY_LABELS,
    FIELD_FORMS,
    AssetUploadForm,
    ContentItemForm,
    ThemeForm,
    ThemeTargetsForm,
    VariantForm,
)
from ..media import VIDEO_MAX_BYTES, MediaError
from ..models import (
    SAVED_VIEW_FILTERS,
    BodyFormat,
    ContentForm,
    ContentItem,
    Importance,
    MediaAsset,
    MediaKind,
)
from ..presenters import STATUS_LABELS, status_label
from ..selectors import items as selectors
from ..selectors.calendar import calendar_link_choices, resolve_calendar_link
from ..selectors.saved_views import saved_view_list
from ..services import items as services
from ..services import media as media_services
from ..services import themes as theme_services
from ..services import variants as variant_services
from ..services.common import VersionConflict
from .saved_views import view_query

ITEMS_PER_PAGE = 50
# The editor's preview takes what a body may hold (the item service's limit).
BODY_PREVIEW_MAX = 100_000


def _in_workspace_tz(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Read and show times in the workspace's time zone (wrapped inside workspace_view)."""

    @functools.wraps(view)
    def wrapper(request: WorkspaceRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with timezone.override(request.workspace.tz):
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            return response

    return wrapper


def _thumb_url(slug: str) -> Callable[[MediaAsset], str]:
    def url(asset: MediaAsset) -> str:
        return reverse("asset_thumbnail", kwargs={"slug": slug, "asset_id": asset.pk})

    return url


def _int_param(request: WorkspaceRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 18 else None


def _date_param(request: WorkspaceRequest, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get(name, "")[:10])
    except ValueError:
        return None


# ---- themes ---------------------------------------------------------------------------------


@workspace_view()
def theme_list(request: WorkspaceRequest) -> HttpResponse:
    """Themes with their colours and item counts, and each account's target mix."""
    workspace = request.workspace
    themes = list(selectors.theme_list(workspace=workspace, user=request.user))
    accounts = account_list(workspace=workspace, user=request.user, is_competitor=False)
    mixes = []
    for account in accounts:
        shares = selectors.theme_targets_for_account(workspace=workspace, user=request.user, account=account)
        explicit = bool(selectors.theme_targets_explicit(workspace=workspace, account=account))
        mixes.append(
            {
                "account": account,
                "explicit": explicit,
                "shares": [(t, round(shares.get(t.pk, 0.0))) for t in themes if shares.get(t.pk)],
            }
        )
    return render(request, "content/themes/theme_list.html", {"themes": themes, "mixes": mixes})


@workspace_view(Perm.CONTENT_EDIT)
def theme_create(request: WorkspaceRequest) -> HttpResponse:
    """Add a theme."""
    workspace = request.workspace
    list_url = reverse("theme_list", kwargs={"slug": workspace.slug})
    form = ThemeForm(request.POST or None)
    done = submitted(
        request,
        form,
        lambda: theme_services.theme_create(workspace=workspace, actor=request.user, **form.cleaned_data),
        message=lambda theme: _("Theme “%(name)s” added.") % {"name": theme.name},
        to=list_url,
    )
    return done or form_page(
        request, form, title=_("Add a theme"), submit=_("Add theme"), cancel_url=list_url
    )


@workspace_view(Perm.CONTENT_EDIT)
def theme_edit(request: WorkspaceRequest, theme_id: int) -> HttpResponse:
    """Edit a theme."""
    workspace = request.workspace
    theme = selectors.theme_get(workspace=workspace, user=request.user, theme_id=theme_id)
    list_url = reverse("theme_list", kwargs={"slug": workspace.slug})
    form = ThemeForm(request.POST or None, initial=ThemeForm.initial_for(theme))
    done = submitted(
        request,
        form,
        lambda: theme_services.theme_update(
            workspace=workspace, actor=request.user, theme=theme, **form.cleaned_data
        ),
        message=_("Theme saved."),
        to=list_url,
    )
    title = _("Edit theme %(name)s") % {"name": theme.name}
    return done or form_page(request, form, title=title, submit=_("Save"), cancel_url=list_url)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def theme_delete(request: WorkspaceRequest, theme_id: int) -> HttpResponse:
    """Delete a theme no item uses."""
    workspace = request.workspace
    theme = selectors.theme_get(workspace=workspace, user=request.user, theme_id=theme_id)
    run_and_say(
        request,
        lambda: theme_services.theme_delete(workspace=workspace, actor=request.user, theme=theme),
        _("Theme “%(name)s” deleted.") % {"name": theme.name},
    )
    return redirect("theme_list", slug=workspace.slug)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def theme_defaults(request: WorkspaceRequest) -> HttpResponse:
    """Add the five default themes the workspace does not have yet."""
    workspace = request.workspace
    created = theme_services.themes_create_defaults(workspace=workspace, actor=request.user)
    if created:
        messages.success(request, _("Added: %(names)s.") % {"names": "、".join(t.name for t in created)})
    else:
        messages.info(request, _("The default themes are all there already."))
    return redirect("theme_list", slug=workspace.slug)


@workspace_view(Perm.CONTENT_EDIT)
def theme_targets(request: WorkspaceRequest, account_id: int) -> HttpResponse:
    """Set an account's target theme mix (percentages adding up to 100, summed live as you type)."""
    workspace = request.workspace
    account = account_get(workspace=workspace, user=request.user, account_id=account_id)
    if account.is_competitor:
        raise Http404
    themes = list(selectors.theme_list(workspace=workspace, user=request.user))
    explicit = selectors.theme_targets_explicit(workspace=workspace, account=account)
    form = ThemeTargetsForm(request.POST or None, themes=themes, initial_shares=explicit)
    if request.method == "POST":
        equal = "equal" in request.POST
        if equal or form.is_valid():
            try:
                theme_services.theme_targets_set(
                    workspace=workspace,
                    actor=request.user,
                    account=account,
                    shares={} if equal else form.shares(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Target mix of %(account)s saved.") % {"account": account.display_name}
                )
                return redirect("theme_list", slug=workspace.slug)
    return render(
        request,
        "content/themes/theme_targets.html",
        {"form": form, "account": account, "explicit": bool(explicit), "themes": themes},
    )


# ---- content items --------------------------------------------------------------------------


@workspace_view()
@_in_workspace_tz
def content_list(request: WorkspaceRequest) -> HttpResponse:
    """Items with their status, accounts, owner and due date; filters by status, account, owner,
    form, theme, importance and text."""
    workspace = request.workspace
    form = request.GET.get("form", "")
    importance = request.GET.get("importance", "")
    status = request.GET.get("status", "")
    filters: dict[str, Any] = {
        "status": status if status in STATUS_LABELS else None,
        "owner": _int_param(request, "owner"),
        "form": form if form in ContentForm.values else None,
        "theme": _int_param(request, "theme"),
        "importance": importance if importance in Importance.values else None,
        "account": _int_param(request, "account"),
        "q": request.GET.get("q", "").strip()[:100] or None,
        "due_from": _date_param(request, "due_from"),
        "due_to": _date_param(request, "due_to"),
    }
    items = selectors.content_item_list(
        workspace=workspace,
        user=request.user,
        form=filters["form"],
        theme=filters["theme"],
        importance=filters["importance"],
        account=filters["account"],
        q=filters["q"],
        status=filters["status"],
        owner=filters["owner"],
        due_from=filters["due_from"],
        due_to=filters["due_to"],
    )
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "content/items/item_list.html",
        {
            "page": page,
            "filters": filters,
            "filtered": any(v for v in filters.values()),
            "query": query.urlencode(),
            "forms": ContentForm.choices,
            "importances": Importance.choices,
            "themes": selectors.theme_list(workspace=workspace, user=request.user),
            "accounts": account_list(workspace=workspace, user=request.user, is_competitor=False),
            "statuses": list(STATUS_LABELS.items()),
            "owners": member_users(workspace=workspace, user=request.user),
            "today": timezone.localdate(),
            "saved_views": [
                (view, view_query(view)) for view in saved_view_list(workspace=workspace, user=request.user)
            ],
            "saved_view_fields": [(k, query.get(k, "")) for k in SAVED_VIEW_FILTERS if query.get(k)],
        },
    )


CALENDAR_PAST_DAYS = 30
CALENDAR_AHEAD_DAYS = 365


def _calendar_choices(request: WorkspaceRequest, linked: list[str]) -> list[tuple[str, str]]:
    """The marketing calendar's festivals, commerce days and entries from a month ago to a year ahead,
    plus whatever the item already links to."""
    workspace = request.workspace
    today = timezone.localdate(timezone=workspace.tz)
    found = calendar_link_choices(
        workspace=workspace,
        user=request.user,
        start=today - dt.timedelta(days=CALENDAR_PAST_DAYS),
        end=today + dt.timedelta(days=CALENDAR_AHEAD_DAYS),
    )
    choices = [(c.key, f"{c.start:%Y-%m-%d} {c.name}") for c in found]
    known = {key for key, _label in choices}
    for key in linked:
        if key not in known:
            item = resolve_calendar_link(workspace=workspace, key=key)
            choices.append((key, f"{item.start:%Y-%m-%d} {item.name}" if item else key))
    return choices


def _item_form(request: WorkspaceRequest, data: Any, initial: dict[str, Any]) -> ContentItemForm:
    workspace = request.workspace
    assets = list(selectors.media_asset_list(workspace=workspace, user=request.user))
    linked = list(initial.get("calendar_links") or [])
    if data is not None:
        linked += [k for k in data.getlist("calendar_links") if isinstance(k, str) and len(k) <= 60][:20]
    form = ContentItemForm(
        data,
        initial=initial,
        themes=list(selectors.theme_list(workspace=workspace, user=request.user)),
        owners=list(selectors.owner_choices(workspace=workspace, user=request.user)),
        accounts=list(account_list(workspace=workspace, user=request.user, is_competitor=False)),
        images=[a for a in assets if a.kind == MediaKind.IMAGE],
        videos=[a for a in assets if a.kind == MediaKind.VIDEO],
        calendar_choices=_calendar_choices(request, linked),
        thumb_url=_thumb_url(workspace.slug),
    )
    # The article editor's image picker: the library's images (the same list the form offers).
    form.library_images = [a for a in assets if a.kind == MediaKind.IMAGE]  # type: ignore[attr-defined]
    return form


def _item_form_page(
    request: WorkspaceRequest,
    form: ContentItemForm,
    *,
    title: str,
    submit: str,
    cancel_url: str,
    item: Any = None,
) -> HttpResponse:
    return render(
        request,
        "content/items/item_form.html",
        {
            "form": form,
            "title": title,
            "submit": submit,
            "cancel_url": cancel_url,
            "item": item,
            "page_forms": FIELD_FORMS,
            "body_labels": BODY_LABELS,
            "has_themes": form.has_themes,
            "library_images": getattr(form, "library_images", []),
        },
    )


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def content_body_preview(request: WorkspaceRequest) -> HttpResponse:
    """The article editor's phone preview: the typed body as the 公众号 article will show it.

    Rendered from the same sanitised HTML a save stores (nothing is stored here).
    """
    body = request.POST.get("body", "")[:BODY_PREVIEW_MAX]
    body_format = request.POST.get("body_format", BodyFormat.MARKDOWN)
    html = selectors.content_body_preview(
        workspace=request.workspace,
        user=request.user,
        body=body,
        body_format=body_format if body_format in BodyFormat.values else BodyFormat.MARKDOWN,
    )
    return render(request, "content/items/_phone_preview.html", {"html": html})


@workspace_view(Perm.CONTENT_EDIT)
@_in_workspace_tz
def content_create(request: WorkspaceRequest) -> HttpResponse:
    """Create an item; the form shows the fields of the chosen form (图文, 短帖, 视频, 直播, 问答)."""
    workspace = request.workspace
    chosen = request.GET.get("form", ContentForm.ARTICLE)
    initial = {
        "form": chosen if chosen in ContentForm.values else ContentForm.ARTICLE,
        "owner": request.user.pk,
    }
    form = _item_form(request, request.POST or None, initial)
    done = submitted(
        request,
        form,
        lambda: services.content_item_create(
            workspace=workspace,
            actor=request.user,
            is_advertising=bool(form.cleaned_data.get("is_advertising")),
            **form.service_fields(),
        ),
        message=lambda item: _("“%(title)s” created.") % {"title": item.title},
        to=lambda item: reverse("content_detail", kwargs={"slug": workspace.slug, "item_id": item.pk}),
    )
    return done or _item_form_page(
        request,
        form,
        title=_("New content item"),
        submit=_("Create"),
        cancel_url=reverse("content_list", kwargs={"slug": workspace.slug}),
    )


@workspace_view(Perm.CONTENT_EDIT)
@_in_workspace_tz
def content_edit(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Edit an item; a save based on an outdated version is refused and the typed text is kept."""
    workspace = request.workspace
    item = selectors.content_item_get(workspace=workspace, user=request.user, item_id=item_id)
    initial = ContentItemForm.initial_for(item, selectors.ordered_images(item))
    form = _item_form(request, request.POST or None, initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.content_item_update(
                workspace=workspace,
                actor=request.user,
                item=item,
                expected_version=form.cleaned_data.get("version"),  # type: ignore[arg-type]
                is_advertising=bool(form.cleaned_data.get("is_advertising")),
                **form.service_fields(),
            )
        except VersionConflict as exc:
            conflict = True
            form.add_error(None, " ".join(exc.messages))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("content_detail", slug=workspace.slug, item_id=item.pk)
    response = _item_form_page(
        request,
        form,
        title=_("Edit “%(title)s”") % {"title": item.title},
        submit=_("Save"),
        cancel_url=reverse("content_detail", kwargs={"slug": workspace.slug, "item_id": item.pk}),
        item=item,
    )
    if conflict:
        response.status_code = 409
    return response


def _extra_rows(extra: Any) -> list[tuple[str, str]]:
    """A variant's platform fields as (label, value) in the reader's language: the form's own
    labels, yes/no for switches, choice labels for choices."""
    rows = []
    for key, value in (extra or {}).items():
        field = VariantForm.base_fields.get(key)
        label = str(field.label) if field is not None and field.label else key
        if isinstance(value, bool):
            shown = str(gettext_lazy("Yes") if value else gettext_lazy("No"))
        elif field is not None and getattr(field, "choices", None):
            shown = str(dict(field.choices).get(value, value))  # type: ignore[attr-defined]
        else:
            shown = "—" if value in (None, "") else str(value)
        rows.append((label, shown))
    return rows


@workspace_view()
@_in_workspace_tz
def content_detail(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """An item with its form's fields, the article preview, its media and its variants per account."""
    workspace = request.workspace
    item = selectors.content_item_get(workspace=workspace, user=request.user, item_id=item_id)
    rendered = None
    if item.form in (ContentForm.ARTICLE, ContentForm.QA) and item.body:
        rendered = selectors.content_item_rendered(workspace=workspace, user=request.user, item=item)
    variants = [
        {"variant": v, "media": selectors.ordered_media(v), "extra": _extra_rows(v.extra)}
        for v in selectors.variant_list(workspace=workspace, user=request.user, item=item)
    ]
    return render(
        request,
        "content/items/item_detail.html",
        {
            "item": item,
            "status_label": status_label(item.status),
            "images": selectors.ordered_images(item),
            "rendered": rendered,
            "variants": variants,
            "variant_accounts": selectors.variant_accounts(workspace=workspace, user=request.user, item=item),
        },
    )


@workspace_view(Perm.CONTENT_EDIT)
def content_delete(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Confirm, then delete an item with its variants and plan placements."""
    workspace = request.workspace
    item = selectors.content_item_get(workspace=workspace, user=request.user, item_id=item_id)
    if request.method == "POST":
        deleted = run_and_say(
            request,
            lambda: services.content_item_delete(workspace=workspace, actor=request.user, item=item),
            _("“%(title)s” deleted.") % {"title": item.title},
        )
        if not deleted:
            return redirect("content_detail", slug=workspace.slug, item_id=item.pk)
        return redirect("content_list", slug=workspace.slug)
    return render(
        request,
        "content/items/item_confirm_delete.html",
        {"item": item, "variant_count": item.variants.count(), "placement_count": item.placements.count()},
    )


# ---- variants -------------------------------------------------------------------------------


def _variant_form(
    request: WorkspaceRequest, data: Any, initial: dict[str, Any], platform: str
) -> VariantForm:
    workspace = request.workspace
    return VariantForm(
        data,
        initial=initial,
        platform=platform,
        assets=list(selectors.media_asset_list(workspace=workspace, user=request.user)),
        thumb_url=_thumb_url(workspace.slug),
    )


def _variant_page(
    request: WorkspaceRequest,
    form: VariantForm,
    *,
    item: ContentItem,
    account: SocialAccount,
    title: str,
    submit: str,
) -> HttpResponse:
    return render(
        request,
        "content/items/variant_form.html",
        {
            "form": form,
            "item": item,
            "account": account,
            "title": title,
            "submit": submit,
            "cancel_url": reverse(
                "content_detail",
                kwargs={"slug": request.workspace.slug, "item_id": item.pk},
            ),
        },
    )


@workspace_view(Perm.CONTENT_EDIT)
def variant_create(request: WorkspaceRequest, item_id: int, account_id: int) -> HttpResponse:
    """Write an item's variant for one account, prefilled from the item for that platform."""
    workspace = request.workspace
    item = selectors.content_item_get(workspace=workspace, user=request.user, item_id=item_id)
    account = account_get(workspace=workspace, user=request.user, account_id=account_id)
    prefill = selectors.variant_prefill(workspace=workspace, user=request.user, item=item, account=account)
    form = _variant_form(request, request.POST or None, VariantForm.initial_for(prefill), account.platform)
    done = submitted(
        request,
        form,
        lambda: variant_services.variant_create(
            workspace=workspace, actor=request.user, item=item, account=account, **form.service_fields()
        ),
        message=_("Variant for %(account)s saved.") % {"account": account.display_name},
        to=reverse("content_detail", kwargs={"slug": workspace.slug, "item_id": item.pk}),
    )
    return done or _variant_page(
        request,
        form,
        item=item,
        account=account,
        title=_("Variant of “%(item)s” for %(account)s") % {"item": item.title, "account": str(account)},
        submit=_("Create variant"),
    )


@workspace_view(Perm.CONTENT_EDIT)
def variant_edit(request: WorkspaceRequest, variant_id: int) -> HttpResponse:
    """Edit a variant; an outdated save is refused and the typed text kept."""
    workspace = request.workspace
    variant = selectors.variant_get(workspace=workspace, user=request.user, variant_id=variant_id)
    fields = VariantForm.fields_of(variant, selectors.ordered_media(variant))
    form = _variant_form(
        request,
        request.POST or None,
        VariantForm.initial_for(fields, variant.version),
        variant.account.platform,
    )
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            variant_services.variant_update(
                workspace=workspace,
                actor=request.user,
                variant=variant,
                expected_version=form.cleaned_data.get("version"),  # type: ignore[arg-type]
                **form.service_fields(),
            )
        except VersionConflict as exc:
            conflict = True
            form.add_error(None, " ".join(exc.messages))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Variant saved."))
            return redirect("content_detail", slug=workspace.slug, item_id=variant.item_id)
    response = _variant_page(
        request,
        form,
        item=variant.item,
        account=variant.account,
        title=_("Variant of “%(item)s” for %(account)s")
        % {"item": variant.item.title, "account": str(variant.account)},
        submit=_("Save"),
    )
    if conflict:
        response.status_code = 409
    return response


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def variant_delete(request: WorkspaceRequest, variant_id: int) -> HttpResponse:
    """Delete a variant."""
    workspace = request.workspace
    variant = selectors.variant_get(workspace=workspace, user=request.user, variant_id=variant_id)
    item_id = variant.item_id
    variant_services.variant_delete(workspace=workspace, actor=request.user, variant=variant)
    messages.success(request, _("Variant deleted."))
    return redirect("content_detail", slug=workspace.slug, item_id=item_id)


# ---- media library --------------------------------------------------------------------------


@workspace_view()
def asset_list(request: WorkspaceRequest) -> HttpResponse:
    """The media library: thumbnails, sizes, durations; upload and delete."""
    workspace = request.workspace
    kind = request.GET.get("kind", "")
    kind = kind if kind in MediaKind.values else ""
    assets = selectors.media_asset_list(
        workspace=workspace, user=request.user, kind=kind or None, q=request.GET.get("q") or None
    )
    page = Paginator(assets, 60).get_page(request.GET.get("page"))
    return render(
        request,
        "content/items/asset_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": MediaKind.choices,
            "q": request.GET.get("q", ""),
            "form": AssetUploadForm(),
        },
    )


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def asset_upload(request: WorkspaceRequest) -> HttpResponse:
    """Upload files; each is checked on its own and every refusal names its file."""
    workspace = request.workspace
    files = request.FILES.getlist("upload")
    if not files:
        messages.error(request, _("Choose one or more files to upload."))
    for upload in files:
        name = media_services.clean_file_name(upload.name)
        if upload.size is not None and upload.size > VIDEO_MAX_BYTES:
            # Refused before reading it into memory.
            error = MediaError("video_too_big", size=upload.size, limit=VIDEO_MAX_BYTES)
            messages.error(request, media_services.media_error_message(error, name))
            continue
        try:
            result = media_services.media_asset_upload(
                workspace=workspace, actor=request.user, file_name=name, content=upload.read()
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            continue
        if result.created:
            messages.success(request, _("“%(name)s” uploaded.") % {"name": name})
        else:
            messages.info(
                request,
                _("“%(name)s” is already in the library as “%(existing)s”; nothing was added.")
                % {"name": name, "existing": result.asset.original_name},
            )
    return redirect("asset_list", slug=workspace.slug)


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def asset_delete(request: WorkspaceRequest, asset_id: int) -> HttpResponse:
    """Delete an asset no item or variant uses."""
    workspace = request.workspace
    asset = selectors.media_asset_get(workspace=workspace, user=request.user, asset_id=asset_id)
    run_and_say(
        request,
        lambda: media_services.media_asset_delete(workspace=workspace, actor=request.user, asset=asset),
        _("“%(name)s” deleted.") % {"name": asset.original_name},
    )
    return redirect("asset_list", slug=workspace.slug)


def _stream(field: Any, content_type: str, file_name: str) -> FileResponse:
    if not field.name:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, filename=file_name)
    response["Cache-Control"] = "private, max-age=3600"
    # A file is never a page: nothing in it may run or load anything, even if opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    return response


@workspace_view()
def asset_file(request: WorkspaceRequest, asset_id: int) -> Any:
    """The asset's file, to members of its workspace only."""
    workspace = request.workspace
    asset = selectors.media_asset_get(workspace=workspace, user=request.user, asset_id=asset_id)
    return _stream(asset.file, asset.content_type, asset.original_name)


@workspace_view()
def asset_thumbnail(request: WorkspaceRequest, asset_id: int) -> Any:
    """An image asset's JPEG thumbnail (videos have none: 404), to members only."""
    workspace = request.workspace
    asset = selectors.media_asset_get(workspace=workspace, user=request.user, asset_id=asset_id)
    return _stream(asset.thumbnail, "image/jpeg", f"thumb-{asset.pk}.jpg")


items_urlpatterns: list[URLPattern] = [
    path("content/", content_list, name="content_list"),
    path("content/new/", content_create, name="content_create"),
    path("content/preview/", content_body_preview, name="content_body_preview"),
    path("content/<int:item_id>/", content_detail, name="content_detail"),
    path("content/<int:item_id>/edit/", content_edit, name="content_edit"),
    path("content/<int:item_id>/delete/", content_delete, name="content_delete"),
    path("content/<int:item_id>/variants/new/<int:account_id>/", variant_create, name="variant_create"),
    path("variants/<int:variant_id>/edit/", variant_edit, name="variant_edit"),
    path("variants/<int:variant_id>/delete/", variant_delete, name="variant_delete"),
    path("themes/", theme_list, name="theme_list"),
    path("themes/new/", theme_create, name="theme_create"),
    path("themes/defaults/", theme_defaults, name="theme_defaults"),
    path("themes/<int:theme_id>/edit/", theme_edit, name="theme_edit"),
    path("themes/<int:theme_id>/delete/", theme_delete, name="theme_delete"),
    path("themes/targets/<int:account_id>/", theme_targets, name="theme_targets"),
    path("assets/", asset_list, name="asset_list"),
    path("assets/upload/", asset_upload, name="asset_upload"),
    path("assets/<int:asset_id>/file/", asset_file, name="asset_file"),
    path("assets/<int:asset_id>/thumbnail/", asset_thumbnail, name="asset_thumbnail"),
    path("assets/<int:asset_id>/delete/", asset_delete, name="asset_delete"),
]
