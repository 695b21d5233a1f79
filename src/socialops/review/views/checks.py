"""Pages of the checks: the workspace's term lists and settings, an item's findings, the live
check of the editors (htmx) and a playground to try a text (R2.7, R3.6).

Every member reads; reviewers (content.review) and admins (workspace.manage) edit the lists.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.accounts.selectors import account_get
from socialops.content.models import ContentItem
from socialops.content.selectors import items as item_selectors
from socialops.core.view_helpers import apply_form, submitted
from socialops.textkit.platform_rules import forms as platform_forms
from socialops.workspaces.access import user_can
from socialops.workspaces.decorators import EVERY_MEMBER, WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.checks import (
    AdLawEntryForm,
    BannedTermForm,
    BrandTermForm,
    CheckSettingsForm,
    LiveCheckForm,
    RecheckForm,
    SensitiveImportForm,
    SensitiveListForm,
    SensitiveTermForm,
    TryForm,
)
from ..models import AdLawEntryKind
from ..presenters import (
    finding_rows,
    highlighted_fields,
    platform_form_label,
    severity_counts,
)
from ..selectors import checks as selectors
from ..services import originality as originality_services
from ..services import runner as check_runner
from ..services import terms as term_services

TERMS_PER_PAGE = 200


# Who may change the term lists and the check settings (the same rule as selectors.can_edit_terms).
TERM_EDITORS = (Perm.CONTENT_REVIEW, Perm.WORKSPACE_MANAGE)


def _can_edit(request: WorkspaceRequest) -> bool:
    return selectors.can_edit_terms(workspace=request.workspace, user=request.user)


def _require_edit(request: WorkspaceRequest) -> None:
    if not _can_edit(request):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))


def _deleted(
    request: WorkspaceRequest, delete: Callable[[], None], message: str, to: str, **url_kwargs: Any
) -> HttpResponse:
    """The end of every delete view: edit rights, the service, a message, and back to the list."""
    _require_edit(request)
    delete()
    messages.success(request, message)
    return redirect(to, slug=request.workspace.slug, **url_kwargs)


def _edit_page(
    request: WorkspaceRequest,
    form: Any,
    save: Callable[[], Any],
    *,
    back_url: str,
    labels: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """Edit one row of a list: a valid save goes back to ``back_url``, otherwise the form page again.

    ``labels`` (title and breadcrumbs) is read after the save was tried, so it names the row as the
    service left it.
    """
    if request.method == "POST":
        done = submitted(request, form, save, message=_("Saved."), to=back_url)
        if done is not None:
            return done
    return render(request, "review/checks/form_page.html", {"form": form, "back_url": back_url, **labels()})


# ---------------------------------------------------------------------------------------------
# Overview, settings, playground, link results


@workspace_view()
def checks_home(request: WorkspaceRequest) -> HttpResponse:
    """The checks and the workspace's lists at a glance."""
    ws = request.workspace
    user = request.user
    entries = selectors.adlaw_entry_list(workspace=ws, user=user)
    counts = {kind: entries.filter(kind=kind).count() for kind in AdLawEntryKind.values}
    return render(
        request,
        "review/checks/home.html",
        {
            "adlaw_counts": counts,
            "sensitive_lists": selectors.sensitive_list_list(workspace=ws, user=user),
            "brand_count": selectors.brand_term_list(workspace=ws, user=user).count(),
            "banned_count": selectors.banned_term_list(workspace=ws, user=user).count(),
            "settings": selectors.check_settings_get(workspace=ws, user=user),
            "index": selectors.originality_index_info(workspace=ws, user=user),
            "failed_links": selectors.link_check_list(workspace=ws, user=user, failed_only=True).count(),
            "can_edit": _can_edit(request),
        },
    )


@workspace_view(write=TERM_EDITORS)
def checks_settings(request: WorkspaceRequest) -> HttpResponse:
    """The originality thresholds (reviewers and admins change them)."""
    ws = request.workspace
    current = selectors.check_settings_get(workspace=ws, user=request.user)
    initial = {
        "originality_threshold": current.originality_threshold,
        "originality_block_threshold": current.originality_block_threshold,
    }
    form = CheckSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        _require_edit(request)
        saved = apply_form(
            form,
            lambda: originality_services.check_settings_update(
                workspace=ws, actor=request.user, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, _("Settings saved."))
            return redirect("checks_settings", slug=ws.slug)
    return render(
        request,
        "review/checks/settings.html",
        {
            "form": form,
            "can_edit": _can_edit(request),
            "index": selectors.originality_index_info(workspace=ws, user=request.user),
        },
    )


# A browser without script submits the form to the page itself: it shows again, nothing is stored.
@workspace_view(write=EVERY_MEMBER)
def checks_try(request: WorkspaceRequest) -> HttpResponse:
    """Paste a text and see every check as you type (the same live check as the editors)."""
    return render(request, "review/checks/try.html", {"form": TryForm()})


@workspace_view()
def checks_links(request: WorkspaceRequest) -> HttpResponse:
    """The reachability results of the workspace's links, failures first when asked."""
    ws = request.workspace
    failed = request.GET.get("failed") == "1"
    page = Paginator(
        selectors.link_check_list(workspace=ws, user=request.user, failed_only=failed), 100
    ).get_page(request.GET.get("page"))
    return render(request, "review/checks/links.html", {"page": page, "failed": failed})


# ---------------------------------------------------------------------------------------------
# The live check of the editors (htmx)


def _live_context(request: WorkspaceRequest, form: LiveCheckForm) -> dict[str, Any]:
    ws = request.workspace
    item: ContentItem | None = None
    item_id = request.GET.get("item")
    if item_id and item_id.isdigit() and len(item_id) <= 18:
        item = item_selectors.content_item_get(workspace=ws, user=request.user, item_id=int(item_id))
    platform = form.cleaned_data.get("platform") or None
    account_id = request.GET.get("account")
    if account_id and account_id.isdigit() and len(account_id) <= 18:
        platform = account_get(workspace=ws, user=request.user, account_id=int(account_id)).platform
    texts = form.texts()
    if platform == "channels" and form.cleaned_data.get("short_title"):
        texts["title"] = form.cleaned_data["short_title"]
    content_form = form.cleaned_data.get("form") or (item.form if item else None)
    check_form = form.cleaned_data.get("platform_form") or None
    if platform and check_form not in platform_forms(platform):
        check_form = check_runner.platform_form_for(platform, content_form)
    if "is_advertising" in request.POST:
        is_ad = bool(form.cleaned_data.get("is_advertising"))
    else:
        is_ad = bool(item.is_advertising) if item is not None else False
    findings = check_runner.run_checks(
        workspace=ws,
        text_fields=texts,
        platform=platform,
        form=check_form,
        is_advertising=is_ad,
        hashtags=form.hashtag_list(),
        exclude_item=item,
    )
    return {
        "findings": finding_rows(findings, texts),
        "fields": highlighted_fields(texts, findings),
        "counts": severity_counts(findings),
        "item": item,
        "platform_label": platform_form_label(platform, check_form) if platform else "",
    }


@require_POST
@workspace_view(write=EVERY_MEMBER)
def checks_live(request: WorkspaceRequest) -> HttpResponse:
    """The findings panel for the text being typed (returned to htmx; nothing is stored)."""
    form = LiveCheckForm(request.POST)
    if not form.is_valid():
        return render(request, "review/checks/_live_error.html", {"form": form}, status=200)
    return render(request, "review/checks/_panel.html", _live_context(request, form))


# ---------------------------------------------------------------------------------------------
# An item's findings


@workspace_view(write=(Perm.CONTENT_EDIT, Perm.CONTENT_REVIEW))
def item_checks(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Every finding of an item and its variants, in place in the texts, with similar posts side by side."""
    ws = request.workspace
    item = item_selectors.content_item_get(workspace=ws, user=request.user, item_id=item_id)
    # Re-running replaces the stored findings: for those who edit or review content, not readers.
    can_recheck = any(
        user_can(workspace=ws, user=request.user, perm=perm)
        for perm in (Perm.CONTENT_EDIT, Perm.CONTENT_REVIEW)
    )
    if request.method == "POST":
        if not can_recheck:
            raise PermissionDenied(_("Your role in this workspace does not allow this."))
        form = RecheckForm(request.POST)
        if form.is_valid():
            check_runner.run_item_checks(workspace=ws, item=item)
            messages.success(request, _("Checks run again."))
        return redirect("item_checks", slug=ws.slug, item_id=item.pk)
    run, findings = check_runner.item_checks_current(workspace=ws, item=item)
    targets = []
    for target in check_runner.check_targets(workspace=ws, item=item):
        vid = target.variant.pk if target.variant is not None else None
        own = [f for f in findings if f.variant_id == vid]
        texts = dict(target.text_fields)
        targets.append(
            {
                "target": target,
                "label": target.variant.account.display_name
                if target.variant is not None
                else _("The item itself"),
                "platform_label": platform_form_label(target.platform, target.form)
                if target.platform
                else "",
                "fields": highlighted_fields(texts, own),
                "findings": finding_rows(own, texts),
                "counts": severity_counts(own),
            }
        )
    return render(
        request,
        "review/checks/item_checks.html",
        {
            "item": item,
            "run": run,
            "targets": targets,
            "counts": severity_counts(findings),
            "can_recheck": can_recheck,
        },
    )


# ---------------------------------------------------------------------------------------------
# Advertising-Law lists


@workspace_view(write=TERM_EDITORS)
def checks_adlaw(request: WorkspaceRequest) -> HttpResponse:
    """The workspace's extra terms, removed terms and allowed names (and adding one)."""
    ws = request.workspace
    form = AdLawEntryForm(request.POST or None)
    if request.method == "POST":
        _require_edit(request)
        entry = apply_form(
            form,
            lambda: term_services.adlaw_entry_create(workspace=ws, actor=request.user, **form.cleaned_data),
        )
        if entry is not None:
            messages.success(request, _("“%(term)s” added.") % {"term": entry.term})
            return redirect("checks_adlaw", slug=ws.slug)
    entries = selectors.adlaw_entry_list(workspace=ws, user=request.user)
    groups = [
        {"kind": kind, "label": label, "entries": [e for e in entries if e.kind == kind]}
        for kind, label in AdLawEntryKind.choices
    ]
    return render(
        request, "review/checks/adlaw.html", {"form": form, "groups": groups, "can_edit": _can_edit(request)}
    )


@require_POST
@workspace_view(write=TERM_EDITORS)
def checks_adlaw_delete(request: WorkspaceRequest, entry_id: int) -> HttpResponse:
    """Remove an entry."""
    ws = request.workspace
    entry = selectors.adlaw_entry_get(workspace=ws, user=request.user, entry_id=entry_id)
    return _deleted(
        request,
        lambda: term_services.adlaw_entry_delete(workspace=ws, actor=request.user, entry=entry),
        _("“%(term)s” removed.") % {"term": entry.term},
        "checks_adlaw",
    )


# ---------------------------------------------------------------------------------------------
# Sensitive-word lists


@workspace_view(write=TERM_EDITORS)
def checks_sensitive(request: WorkspaceRequest) -> HttpResponse:
    """The sensitive-word lists (and creating one)."""
    ws = request.workspace
    form = SensitiveListForm(request.POST or None)
    if request.method == "POST":
        _require_edit(request)
        lst = apply_form(
            form,
            lambda: term_services.sensitive_list_create(
                workspace=ws, actor=request.user, **form.cleaned_data
            ),
        )
        if lst is not None:
            messages.success(request, _("List “%(name)s” created.") % {"name": lst.name})
            return redirect("checks_sensitive_detail", slug=ws.slug, list_id=lst.pk)
    return render(
        request,
        "review/checks/sensitive_lists.html",
        {
            "form": form,
            "lists": selectors.sensitive_list_list(workspace=ws, user=request.user),
            "can_edit": _can_edit(request),
        },
    )


def _sensitive_page(
    request: WorkspaceRequest,
    lst: Any,
    *,
    term_form: SensitiveTermForm | None = None,
    import_form: SensitiveImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    ws = request.workspace
    q = (request.GET.get("q") or "")[:50]
    terms = selectors.sensitive_term_list(workspace=ws, user=request.user, sensitive_list=lst, q=q or None)
    page = Paginator(terms, TERMS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/checks/sensitive_detail.html",
        {
            "list": lst,
            "page": page,
            "q": q,
            "term_form": term_form or SensitiveTermForm(),
            "import_form": import_form or SensitiveImportForm(),
            "can_edit": _can_edit(request),
        },
        status=status,
    )


@workspace_view()
def checks_sensitive_detail(request: WorkspaceRequest, list_id: int) -> HttpResponse:
    """A list's words, with forms to add one and to import a file."""
    lst = selectors.sensitive_list_get(workspace=request.workspace, user=request.user, list_id=list_id)
    return _sensitive_page(request, lst)


@workspace_view(write=TERM_EDITORS)
def checks_sensitive_edit(request: WorkspaceRequest, list_id: int) -> HttpResponse:
    """Rename a list or change its severity."""
    ws = request.workspace
    lst = selectors.sensitive_list_get(workspace=ws, user=request.user, list_id=list_id)
    _require_edit(request)
    initial = {"name": lst.name, "severity": lst.severity, "description": lst.description}
    form = SensitiveListForm(request.POST or None, initial=initial)
    return _edit_page(
        request,
        form,
        lambda: term_services.sensitive_list_update(
            workspace=ws, actor=request.user, sensitive_list=lst, **form.cleaned_data
        ),
        back_url=reverse("checks_sensitive_detail", kwargs={"slug": ws.slug, "list_id": lst.pk}),
        labels=lambda: {
            "title": _("Edit the list “%(name)s”") % {"name": lst.name},
            "back_label": lst.name,
            "parent_url": reverse("checks_sensitive", kwargs={"slug": ws.slug}),
            "parent_label": _("Sensitive words"),
        },
    )


@require_POST
@workspace_view(write=TERM_EDITORS)
def checks_sensitive_delete(request: WorkspaceRequest, list_id: int) -> HttpResponse:
    """Delete a list with its words."""
    ws = request.workspace
    lst = selectors.sensitive_list_get(workspace=ws, user=request.user, list_id=list_id)
    return _deleted(
        request,
        lambda: term_services.sensitive_list_delete(workspace=ws, actor=request.user, sensitive_list=lst),
        _("List “%(name)s” deleted.") % {"name": lst.name},
        "checks_sensitive",
    )


@require_POST
@workspace_view(write=TERM_EDITORS)
def checks_sensitive_term_add(request: WorkspaceRequest, list_id: int) -> HttpResponse:
    """Add one word to a list."""
    ws = request.workspace
    lst = selectors.sensitive_list_get(workspace=ws, user=request.user, list_id=list_id)
    _require_edit(request)
    form = SensitiveTermForm(request.POST)
    term = apply_form(
        form,
        lambda: term_services.sensitive_term_create(
            workspace=ws, actor=request.user, sensitive_list=lst, term=form.cleaned_data["term"]
        ),
    )
    if term is not None:
        messages.success(request, _("“%(term)s” added.") % {"term": term.term})
        return redirect("checks_sensitive_detail", slug=ws.slug, list_id=lst.pk)
    return _sensitive_page(request, lst, term_form=form, status=400)


@require_POST
@workspace_view(write=TERM_EDITORS)
def checks_sensitive_term_delete(request: WorkspaceRequest, list_id: int, term_id: int) -> HttpResponse:
    """Remove one word."""
    ws = request.workspace
    lst = selectors.sensitive_list_get(workspace=ws, user=request.user, list_id=list_id)
    term = selectors.sensitive_term_get(workspace=ws, user=request.user, sensitive_list=lst, term_id=term_id)
    return _deleted(
        request,
        lambda: term_services.sensitive_term_delete(workspace=ws, actor=request.user, term=term),
        _("“%(term)s” removed.") % {"term": term.term},
        "checks_sensitive_detail",
        list_id=lst.pk,
    )


@require_POST
@workspace_view(write=TERM_EDITORS)
def checks_sensitive_import(request: WorkspaceRequest, list_id: int) -> HttpResponse:
    """Import a text file into a list: whole or not at all, bad lines named by number."""
    ws = request.workspace
    lst = selectors.sensitive_list_get(workspace=ws, user=request.user, list_id=list_id)
    _require_edit(request)
    form = SensitiveImportForm(request.POST, request.FILES)
    result = apply_form(
        form,
        lambda: term_services.sensitive_list_import(
            workspace=ws,
            actor=request.user,
            sensitive_list=lst,
            content=form.cleaned_data["file"].read(),
            replace=form.cleaned_data["replace"],
        ),
    )
    if result is not None:
        messages.success(
            request,
            _("Imported: %(added)s added, %(removed)s removed, %(unchanged)s already on the list.")
            % {"added": result.added, "removed": result.removed, "unchanged": result.unchanged},
        )
        return redirect("checks_sensitive_detail", slug=ws.slug, list_id=lst.pk)
    return _sensitive_page(request, lst, import_form=form, status=400)


# ---------------------------------------------------------------------------------------------
# Brand terms and banned slang


def _brand_page(
    request: WorkspaceRequest,
    *,
    brand_form: BrandTermForm | None = None,
    banned_form: BannedTermForm | None = None,
    status: int = 200,
) -> HttpResponse:
    ws = request.workspace
    return render(
        request,
        "review/checks/brand.html",
        {
            "brand_terms": selectors.brand_term_list(workspace=ws, user=request.user),
            "banned_terms": selectors.banned_term_list(workspace=ws, user=request.user),
            "brand_form": brand_form or BrandTermForm(),
            "banned_form": banned_form or BannedTermForm(),
            "can_edit": _can_edit(request),
        },
        status=status,
    )


@workspace_view(write=TERM_EDITORS)
def checks_brand(request: WorkspaceRequest) -> HttpResponse:
    """Brand names with their exact spelling, and banned slang (adding a brand name)."""
    ws = request.workspace
    if request.method != "POST":
        return _brand_page(request)
    _require_edit(request)
    form = BrandTermForm(request.POST)
    term = apply_form(
        form,
        lambda: term_services.brand_term_create(workspace=ws, actor=request.user, **form.service_fields()),
    )
    if term is not None:
        messages.success(request, _("“%(term)s” added.") % {"term": term.preferred})
        return redirect("checks_brand", slug=ws.slug)
    return _brand_page(request, brand_form=form)


@workspace_view(write=TERM_EDITORS)
def checks_brand_edit(request: WorkspaceRequest, term_id: int) -> HttpResponse:
    """Change a brand name's spelling, variants or severity."""
    ws = request.workspace
    term = selectors.brand_term_get(workspace=ws, user=request.user, term_id=term_id)
    _require_edit(request)
    initial = {
        "preferred": term.preferred,
        "forbidden": "\n".join(term.forbidden or []),
        "severity": term.severity,
        "note": term.note,
    }
    form = BrandTermForm(request.POST or None, initial=initial)
    return _edit_page(
        request,
        form,
        lambda: term_services.brand_term_update(
            workspace=ws, actor=request.user, brand_term=term, **form.service_fields()
        ),
        back_url=reverse("checks_brand", kwargs={"slug": ws.slug}),
        labels=lambda: {
            "title": _("Edit “%(term)s”") % {"term": term.preferred},
            "back_label": _("Brand terms"),
        },
    )


@require_POST
@workspace_view(write=TERM_EDITORS)
def checks_brand_delete(request: WorkspaceRequest, term_id: int) -> HttpResponse:
    """Delete a brand name's rule."""
    ws = request.workspace
    term = selectors.brand_term_get(workspace=ws, user=request.user, term_id=term_id)
    return _deleted(
        request,
        lambda: term_services.brand_term_delete(workspace=ws, actor=request.user, brand_term=term),
        _("“%(term)s” removed.") % {"term": term.preferred},
        "checks_brand",
    )


@require_POST
@workspace_view(write=TERM_EDITORS)
def checks_banned_create(request: WorkspaceRequest) -> HttpResponse:
    """Ban a word."""
    ws = request.workspace
    _require_edit(request)
    form = BannedTermForm(request.POST)
    term = apply_form(
        form, lambda: term_services.banned_term_create(workspace=ws, actor=request.user, **form.cleaned_data)
    )
    if term is not None:
        messages.success(request, _("“%(term)s” added.") % {"term": term.term})
        return redirect("checks_brand", slug=ws.slug)
    return _brand_page(request, banned_form=form, status=400)


@require_POST
@workspace_view(write=TERM_EDITORS)
def checks_banned_delete(request: WorkspaceRequest, term_id: int) -> HttpResponse:
    """Lift a ban."""
    ws = request.workspace
    term = selectors.banned_term_get(workspace=ws, user=request.user, term_id=term_id)
    return _deleted(
        request,
        lambda: term_services.banned_term_delete(workspace=ws, actor=request.user, banned_term=term),
        _("“%(term)s” removed.") % {"term": term.term},
        "checks_brand",
    )


checks_urlpatterns: list[URLPattern] = [
    path("checks/", checks_home, name="checks_home"),
    path("checks/try/", checks_try, name="checks_try"),
    path("checks/live/", checks_live, name="checks_live"),
    path("checks/settings/", checks_settings, name="checks_settings"),
    path("checks/links/", checks_links, name="checks_links"),
    path("checks/adlaw/", checks_adlaw, name="checks_adlaw"),
    path("checks/adlaw/<int:entry_id>/delete/", checks_adlaw_delete, name="checks_adlaw_delete"),
    path("checks/sensitive/", checks_sensitive, name="checks_sensitive"),
    path("checks/sensitive/<int:list_id>/", checks_sensitive_detail, name="checks_sensitive_detail"),
    path("checks/sensitive/<int:list_id>/edit/", checks_sensitive_edit, name="checks_sensitive_edit"),
    path("checks/sensitive/<int:list_id>/delete/", checks_sensitive_delete, name="checks_sensitive_delete"),
    path(
        "checks/sensitive/<int:list_id>/terms/", checks_sensitive_term_add, name="checks_sensitive_term_add"
    ),
    path(
        "checks/sensitive/<int:list_id>/terms/<int:term_id>/delete/",
        checks_sensitive_term_delete,
        name="checks_sensitive_term_delete",
    ),
    path("checks/sensitive/<int:list_id>/import/", checks_sensitive_import, name="checks_sensitive_import"),
    path("checks/brand/", checks_brand, name="checks_brand"),
    path("checks/brand/<int:term_id>/edit/", checks_brand_edit, name="checks_brand_edit"),
    path("checks/brand/<int:term_id>/delete/", checks_brand_delete, name="checks_brand_delete"),
    path("checks/banned/", checks_banned_create, name="checks_banned_create"),
    path("checks/banned/<int:term_id>/delete/", checks_banned_delete, name="checks_banned_delete"),
    path("content/<int:item_id>/checks/", item_checks, name="item_checks"),
]
