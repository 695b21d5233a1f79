"""Pages of the review workflow: item decisions, revisions and their comparison, passage comments,
the review queue ("waiting for me"), notifications and the approval chains (R2.8)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from socialops.content.selectors import items as item_selectors
from socialops.content.selectors.items import theme_list
from socialops.core.view_helpers import run_and_say, submitted
from socialops.workspaces.decorators import EVERY_MEMBER, WorkspaceRequest, workspace_view
from socialops.workspaces.roles import Perm

from ..forms.workflow import (
    BaseStepFormSet,
    ChainForm,
    CommentEditForm,
    CommentForm,
    DecisionForm,
    OverrideForm,
    RequestChangesForm,
    StepFormSet,
    assignee_choices,
    step_initial,
)
from ..presenters import notification_text
from ..selectors import workflow as selectors
from ..services import chains as chain_services
from ..services import comments as comment_services
from ..services import notifications as notification_services
from ..services import revisions as revision_services
from ..services import rounds as round_services


def _detail(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    return redirect("content_detail", slug=request.workspace.slug, item_id=item_id)


def _error(request: WorkspaceRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _item(request: WorkspaceRequest, item_id: int) -> Any:
    return item_selectors.content_item_get(
        workspace=request.workspace,
        user=request.user,
        item_id=item_id,
    )


# ---- decisions on an item ---------------------------------------------------------------------


@require_POST
@workspace_view(Perm.CONTENT_EDIT)
def review_submit(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Submit the item for review."""
    item = _item(request, item_id)
    try:
        round_ = round_services.item_submit(workspace=request.workspace, actor=request.user, item=item)
    except ValidationError as exc:
        _error(request, exc)
    else:
        task = round_services.current_task(round_)
        messages.success(
            request,
            _("“%(title)s” was submitted for review; the first step is “%(step)s”.")
            % {"title": item.title, "step": task.name if task else "—"},
        )
    return _detail(request, item.pk)


@require_POST
@workspace_view(Perm.CONTENT_REVIEW)
def review_approve(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Approve the current step."""
    item = _item(request, item_id)
    form = DecisionForm(request.POST, prefix="approve")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _detail(request, item.pk)
    try:
        task = round_services.item_approve(
            workspace=request.workspace,
            actor=request.user,
            item=item,
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        if item.status == "approved":
            messages.success(request, _("“%(title)s” is approved.") % {"title": item.title})
        else:
            messages.success(
                request,
                _("You approved the step “%(step)s”; the next step has been notified.") % {"step": task.name},
            )
    return _detail(request, item.pk)


@require_POST
@workspace_view(Perm.CONTENT_REVIEW)
def review_request_changes(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Send the item back to its author with a comment."""
    item = _item(request, item_id)
    form = RequestChangesForm(request.POST, prefix="changes")
    if not form.is_valid():
        messages.error(request, _("Say what must change: the comment is required."))
        return _detail(request, item.pk)
    run_and_say(
        request,
        lambda: round_services.item_request_changes(
            workspace=request.workspace,
            actor=request.user,
            item=item,
            comment=form.cleaned_data["comment"],
        ),
        _("“%(title)s” was sent back to its author.") % {"title": item.title},
    )
    return _detail(request, item.pk)


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def review_override(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """An admin overrides the blocking findings of the latest revision, with a reason."""
    item = _item(request, item_id)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return _detail(request, item.pk)
    try:
        round_services.item_override(
            workspace=request.workspace,
            actor=request.user,
            item=item,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.warning(
            request,
            _("Override recorded: the blocking findings of the latest revision no longer prevent approval."),
        )
    return _detail(request, item.pk)


# ---- revisions and comments -------------------------------------------------------------------


@workspace_view()
def revision_list(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """The item's revisions: who saved what when; pick two to compare."""
    workspace = request.workspace
    item = _item(request, item_id)
    revisions = list(selectors.revision_list(workspace=workspace, user=request.user, item=item)[:500])
    rows = [
        {
            "revision": r,
            "changed": [selectors.field_label(k, r.snapshot) for k in r.changed_fields],
        }
        for r in revisions
    ]
    return render(
        request,
        "review/workflow/revision_list.html",
        {
            "item": item,
            "rows": rows,
            "default_a": revisions[1].number if len(revisions) > 1 else None,
            "default_b": revisions[0].number if revisions else None,
        },
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@workspace_view()
def revision_compare(request: WorkspaceRequest, item_id: int) -> HttpResponse:
    """Two revisions side by side, field by field, with the changed characters marked."""
    workspace = request.workspace
    item = _item(request, item_id)
    numbers = list(
        selectors.revision_list(workspace=workspace, user=request.user, item=item).values_list(
            "number", flat=True
        )[:500]
    )
    a, b = _int(request.GET.get("a")), _int(request.GET.get("b"))
    if a is None or b is None:
        b = numbers[0] if numbers else None
        a = numbers[1] if len(numbers) > 1 else b
    changed_only = request.GET.get("all") != "1"
    context: dict[str, Any] = {"item": item, "numbers": numbers, "a": a, "b": b, "changed_only": changed_only}
    if a is not None and b is not None:
        rev_a, rev_b, rows = selectors.revision_compare(
            workspace=workspace, user=request.user, item=item, a=a, b=b, changed_only=changed_only
        )
        context.update({"rev_a": rev_a, "rev_b": rev_b, "rows": rows})
    return render(request, "review/workflow/revision_compare.html", context)


def _revision_page(
    request: WorkspaceRequest, item: Any, revision: Any, form: CommentForm, status: int = 200
) -> HttpResponse:
    workspace = request.workspace
    comments = list(
        selectors.comment_list(workspace=workspace, user=request.user, item=item, revision=revision)
    )
    fields = selectors.quotable_fields(revision)
    labels = {key: label for key, label, _text in fields}
    texts = revision_services.flatten(revision.snapshot)
    quotable = {key for key, _label, _text in fields}
    others = [
        (selectors.field_label(k, revision.snapshot), v)
        for k, v in texts.items()
        if v and k not in quotable and not k.endswith(".extra")
    ]
    membership = request.membership
    return render(
        request,
        "review/workflow/revision_detail.html",
        {
            "item": item,
            "revision": revision,
            "fields": fields,
            "others": others,
            "comments": [{"comment": c, "field_label": labels.get(c.field, c.field)} for c in comments],
            "form": form,
            "can_comment": membership.has_perm(Perm.CONTENT_REVIEW) or membership.has_perm(Perm.CONTENT_EDIT),
            "latest": revision_services.latest_revision(item),
        },
        status=status,
    )


@workspace_view()
def revision_detail(request: WorkspaceRequest, item_id: int, number: int) -> HttpResponse:
    """One revision's text; select a passage to comment on it."""
    item = _item(request, item_id)
    revision = selectors.revision_get(
        workspace=request.workspace,
        user=request.user,
        item=item,
        number=number,
    )
    return _revision_page(request, item, revision, CommentForm())


def source_offsets(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets in the browser's copy of a text (line breaks folded to \\n) → offsets in the stored text."""
    mapping: list[int] = []  # browser position → stored position
    i = 0
    while i < len(text):
        mapping.append(i)
        i += 2 if text.startswith("\r\n", i) else 1
    mapping.append(len(text))
    if not 0 <= start <= end < len(mapping):
        return start, end
    return mapping[start], mapping[end]


def _fold(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


@require_POST
@workspace_view(write=(Perm.CONTENT_EDIT, Perm.CONTENT_REVIEW))
def comment_create(request: WorkspaceRequest, item_id: int, number: int) -> HttpResponse:
    """Post a comment on the revision or on the selected passage."""
    workspace = request.workspace
    item = _item(request, item_id)
    revision = selectors.revision_get(workspace=workspace, user=request.user, item=item, number=number)
    form = CommentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        start, end = data.get("start"), data.get("end")
        field = data.get("field") or ""
        quote = data.get("quote") or ""
        if field and start is not None and end is not None:
            stored = revision_services.flatten(revision.snapshot).get(field, "")
            start, end = source_offsets(stored, start, end)
            # The browser folds line breaks to \n; compare the quote the same way.
            if quote and _fold(stored[start:end]) != _fold(quote):
                form.add_error(None, _("The selected passage does not match this revision: select it again."))
            quote = stored[start:end]
        if not form.errors:
            try:
                comment_services.comment_create(
                    workspace=workspace,
                    actor=request.user,
                    item=item,
                    revision=revision,
                    body=data["body"],
                    field=field,
                    quote=quote if field else "",
                    start=start if field else None,
                    end=end if field else None,
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Comment added."))
                return redirect(
                    "review_revision", slug=workspace.slug, item_id=item.pk, number=revision.number
                )
    return _revision_page(request, item, revision, form, status=400)


def _comment_page_url(slug: str, comment: Any) -> str:
    """The revision page a comment stands on."""
    return reverse(
        "review_revision",
        kwargs={"slug": slug, "item_id": comment.item_id, "number": comment.revision.number},
    )


@workspace_view(write=(Perm.CONTENT_EDIT, Perm.CONTENT_REVIEW))
def comment_edit(request: WorkspaceRequest, comment_id: int) -> HttpResponse:
    """Reword one's own comment."""
    workspace = request.workspace
    comment = selectors.comment_get(workspace=workspace, user=request.user, comment_id=comment_id)
    if comment.author_id != request.user.pk:
        raise PermissionDenied(_("Only the comment's author may change it."))
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    done = submitted(
        request,
        form,
        lambda: comment_services.comment_update(
            workspace=workspace, actor=request.user, comment=comment, body=form.cleaned_data["body"]
        ),
        message=_("Comment saved."),
        to=_comment_page_url(workspace.slug, comment),
    )
    return done or render(request, "review/workflow/comment_edit.html", {"form": form, "comment": comment})


@require_POST
@workspace_view(write=(Perm.CONTENT_EDIT, Perm.CONTENT_REVIEW))
def comment_delete(request: WorkspaceRequest, comment_id: int) -> HttpResponse:
    """Delete a comment (its author, or an admin)."""
    workspace = request.workspace
    comment = selectors.comment_get(workspace=workspace, user=request.user, comment_id=comment_id)
    target = _comment_page_url(workspace.slug, comment)
    run_and_say(
        request,
        lambda: comment_services.comment_delete(workspace=workspace, actor=request.user, comment=comment),
        _("Comment deleted."),
    )
    return redirect(target)


# ---- queue and notifications ----------------------------------------------------------------


@workspace_view()
def review_queue(request: WorkspaceRequest) -> HttpResponse:
    """Items waiting for my review."""
    workspace = request.workspace
    tasks = list(selectors.review_queue(workspace=workspace, user=request.user)[:500])
    return render(
        request,
        "review/workflow/queue.html",
        {
            "tasks": tasks,
            "tab": "queue",
            "unread": selectors.notification_unread_count(workspace=workspace, user=request.user),
            "can_review": request.membership.has_perm(Perm.CONTENT_REVIEW),
        },
    )


@workspace_view()
def notification_list(request: WorkspaceRequest) -> HttpResponse:
    """My notifications: assignments, approvals, requested changes, comments."""
    workspace = request.workspace
    only_unread = request.GET.get("unread") == "1"
    notifications = list(
        selectors.notification_list(
            workspace=workspace, user=request.user, unread=True if only_unread else None
        )[:200]
    )
    return render(
        request,
        "review/workflow/notifications.html",
        {
            "rows": [{"n": n, "text": notification_text(n)} for n in notifications],
            "tab": "notifications",
            "only_unread": only_unread,
            "unread": selectors.notification_unread_count(workspace=workspace, user=request.user),
            "queue_count": selectors.review_queue_count(workspace=workspace, user=request.user),
        },
    )


@require_POST
@workspace_view(write=EVERY_MEMBER)
def notification_read(request: WorkspaceRequest, notification_id: int) -> HttpResponse:
    """Mark a notification read, then open its item (or go back to the list)."""
    workspace = request.workspace
    notification = selectors.notification_get(
        workspace=workspace, user=request.user, notification_id=notification_id
    )
    notification_services.notification_mark_read(
        workspace=workspace, actor=request.user, notification=notification
    )
    if request.POST.get("open") == "1":
        return redirect("content_detail", slug=workspace.slug, item_id=notification.item_id)
    return redirect("review_notifications", slug=workspace.slug)


@require_POST
@workspace_view(write=EVERY_MEMBER)
def notifications_read_all(request: WorkspaceRequest) -> HttpResponse:
    """Mark all my notifications read."""
    workspace = request.workspace
    count = notification_services.notifications_mark_all_read(workspace=workspace, actor=request.user)
    messages.success(request, _("%(n)d notifications marked as read.") % {"n": count})
    return redirect("review_notifications", slug=workspace.slug)


# ---- approval chains ------------------------------------------------------------------------


@workspace_view()
def chain_list(request: WorkspaceRequest) -> HttpResponse:
    """The approval chains with their steps and themes."""
    workspace = request.workspace
    chains = list(selectors.approval_chain_list(workspace=workspace, user=request.user))
    return render(request, "review/workflow/chain_list.html", {"chains": chains})


def _chain_page(request: WorkspaceRequest, chain: Any, *, title: str, submit: str) -> HttpResponse:
    workspace = request.workspace
    themes = list(theme_list(workspace=workspace, user=request.user))
    members = selectors.reviewer_choices(workspace=workspace, user=request.user)
    assignees = assignee_choices(members)
    if chain is not None:
        initial = {
            "name": chain.name,
            "is_default": chain.is_default,
            "distinct_reviewers": chain.distinct_reviewers,
            "themes": [str(t.pk) for t in chain.themes.all()],
        }
        steps_initial = step_initial(list(chain.steps.order_by("position")))
    else:
        initial = {"distinct_reviewers": True}
        steps_initial = []
    data = request.POST if request.method == "POST" else None
    form = ChainForm(data, initial=initial, themes=themes)
    formset = StepFormSet(data, initial=steps_initial, prefix="steps", form_kwargs={"assignees": assignees})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = {
            "name": form.cleaned_data["name"],
            "is_default": form.cleaned_data["is_default"],
            "distinct_reviewers": form.cleaned_data["distinct_reviewers"],
            "themes": [int(t) for t in form.cleaned_data["themes"]],
            "steps": cast(BaseStepFormSet, formset).steps(),
        }
        try:
            if chain is None:
                chain = chain_services.approval_chain_create(
                    workspace=workspace, actor=request.user, **fields
                )
            else:
                if chain.is_default and not fields["is_default"]:
                    fields.pop("is_default")  # unticking the default is not how the default changes
                chain_services.approval_chain_update(
                    workspace=workspace, actor=request.user, chain=chain, **fields
                )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Approval chain “%(name)s” saved.") % {"name": chain.name})
            return redirect("review_chains", slug=workspace.slug)
    return render(
        request,
        "review/workflow/chain_form.html",
        {"form": form, "formset": formset, "chain": chain, "title": title, "submit": submit},
        status=400 if request.method == "POST" else 200,
    )


@workspace_view(Perm.WORKSPACE_MANAGE)
def chain_create(request: WorkspaceRequest) -> HttpResponse:
    """Add an approval chain."""
    return _chain_page(request, None, title=_("New approval chain"), submit=_("Create"))


@workspace_view(Perm.WORKSPACE_MANAGE)
def chain_edit(request: WorkspaceRequest, chain_id: int) -> HttpResponse:
    """Change a chain's name, themes or steps."""
    chain = selectors.approval_chain_get(
        workspace=request.workspace,
        user=request.user,
        chain_id=chain_id,
    )
    return _chain_page(request, chain, title=_("Edit “%(name)s”") % {"name": chain.name}, submit=_("Save"))


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def chain_delete(request: WorkspaceRequest, chain_id: int) -> HttpResponse:
    """Delete a chain other than the default."""
    workspace = request.workspace
    chain = selectors.approval_chain_get(workspace=workspace, user=request.user, chain_id=chain_id)
    run_and_say(
        request,
        lambda: chain_services.approval_chain_delete(workspace=workspace, actor=request.user, chain=chain),
        _("Approval chain “%(name)s” deleted.") % {"name": chain.name},
    )
    return redirect("review_chains", slug=workspace.slug)


workflow_urlpatterns: list[URLPattern] = [
    path("content/<int:item_id>/review/submit/", review_submit, name="review_submit"),
    path("content/<int:item_id>/review/approve/", review_approve, name="review_approve"),
    path(
        "content/<int:item_id>/review/request-changes/", review_request_changes, name="review_request_changes"
    ),
    path("content/<int:item_id>/review/override/", review_override, name="review_override"),
    path("content/<int:item_id>/revisions/", revision_list, name="review_revisions"),
    path("content/<int:item_id>/revisions/compare/", revision_compare, name="review_compare"),
    path("content/<int:item_id>/revisions/<int:number>/", revision_detail, name="review_revision"),
    path(
        "content/<int:item_id>/revisions/<int:number>/comments/", comment_create, name="review_comment_create"
    ),
    path("review/comments/<int:comment_id>/edit/", comment_edit, name="review_comment_edit"),
    path("review/comments/<int:comment_id>/delete/", comment_delete, name="review_comment_delete"),
    path("review/queue/", review_queue, name="review_queue"),
    path("review/notifications/", notification_list, name="review_notifications"),
    path("review/notifications/read-all/", notifications_read_all, name="review_notifications_read_all"),
    path(
        "review/notifications/<int:notification_id>/read/", notification_read, name="review_notification_read"
    ),
    path("review/chains/", chain_list, name="review_chains"),
    path("review/chains/new/", chain_create, name="review_chain_create"),
    path("review/chains/<int:chain_id>/edit/", chain_edit, name="review_chain_edit"),
    path("review/chains/<int:chain_id>/delete/", chain_delete, name="review_chain_delete"),
]
