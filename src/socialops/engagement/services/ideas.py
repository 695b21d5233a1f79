"""Writes on ideas: feedback collected anywhere (poll answers, inbox messages, member tickets).

``idea_collect`` is what other parts call when feedback arrives; collecting the same source
twice returns the first idea. A new idea is then turned into a draft content item, sent to a
product owner, or dismissed, once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.content.models import ContentForm, ContentItem
from socialops.content.services.items import TITLE_MAX, content_item_create
from socialops.fans.models import Person
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_saved, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models.campaigns import Campaign, Idea, IdeaSource, IdeaStatus
from ..models.threads import InboxAlertKind
from .threads import alert_member

IDEA_LENGTH = 4000


@transaction.atomic
def idea_collect(
    *,
    workspace: Workspace,
    actor: Any,
    text: str,
    source: str,
    source_id: str = "",
    person: Person | None = None,
    campaign: Campaign | None = None,
) -> Idea:
    """Keep a piece of feedback as an idea with its source (the same source twice is one idea)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    if source not in IdeaSource.values:
        raise ValidationError({"source": _("Unknown source.")})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the idea.")})
    if "\x00" in text:  # PostgreSQL refuses NUL in text
        raise ValidationError({"text": _("Null characters are not allowed.")})
    if len(text) > IDEA_LENGTH:
        raise ValidationError({"text": _("At most %(n)d characters.") % {"n": IDEA_LENGTH}})
    if person is not None:
        ensure_same_workspace(workspace, person, "person")
    if campaign is not None:
        ensure_same_workspace(workspace, campaign, "campaign")
    source_id = str(source_id or "")
    if source_id:
        existing = Idea.objects.filter(workspace=workspace, source=source, source_id=source_id).first()
        if existing is not None:
            return existing
    row = Idea(
        workspace=workspace,
        text=text,
        source=source,
        source_id=source_id,
        person=person,
        campaign=campaign,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # collected concurrently: the other call's idea stands
        return Idea.objects.get(workspace=workspace, source=source, source_id=source_id)
    audit_saved(row, workspace=workspace, actor=actor, action="idea.collect")
    return row


def _idea_snapshot(row: Idea) -> dict[str, Any]:
    return snapshot(row)


def _open(idea: Idea) -> Idea:
    """The idea, locked, if nothing has been done with it yet (else a refusal naming its status)."""
    row = Idea.objects.select_for_update().get(pk=idea.pk)
    if row.status != IdeaStatus.NEW:
        raise ValidationError(
            {"status": _("This idea is already “%(status)s”.") % {"status": row.get_status_display()}}
        )
    return row


@transaction.atomic
def idea_create(*, workspace: Workspace, actor: Any, text: str, campaign: Campaign | None = None) -> Idea:
    """An idea a member writes down themselves (source: manual)."""
    return idea_collect(
        workspace=workspace, actor=actor, text=text, source=IdeaSource.MANUAL, campaign=campaign
    )


@transaction.atomic
def idea_to_content(
    *,
    workspace: Workspace,
    actor: Any,
    idea: Idea,
    theme: Any,
    form: str = ContentForm.SHORT_POST,
    title: str = "",
    deadline: dt.date | None = None,
) -> ContentItem:
    """Turn an idea into a draft content item (through the content app's service); the idea keeps the link."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, idea, "idea")
    row = _open(idea)
    before = _idea_snapshot(row)
    title = (title or "").strip() or row.text.splitlines()[0][:TITLE_MAX]
    # Without a deadline the draft waits in the backlog as evergreen until someone plans it.
    item = content_item_create(
        workspace=workspace,
        actor=actor,
        title=title,
        form=form,
        theme=theme,
        body=row.text,
        deadline=deadline,
        evergreen=deadline is None,
    )
    row.content_item = item
    row.status = IdeaStatus.CONTENT
    row.save(update_fields=["content_item", "status"])
    audit_saved(
        row, workspace=workspace, actor=actor, action="idea.to_content", before=before, snap=_idea_snapshot
    )
    return item


@transaction.atomic
def idea_send_to_product(*, workspace: Workspace, actor: Any, idea: Idea, owner: Any) -> Idea:
    """Send an idea to a product owner (a member of the workspace), who finds it under "sent to me"."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, idea, "idea")
    pk = getattr(owner, "pk", owner)
    user = (
        get_user_model().objects.filter(pk=pk, is_active=True, memberships__workspace=workspace).first()
        if isinstance(pk, int)
        else None
    )
    if user is None:
        raise ValidationError({"product_owner": _("Choose a member of this workspace.")})
    row = _open(idea)
    before = _idea_snapshot(row)
    row.product_owner = user
    row.status = IdeaStatus.PRODUCT
    row.sent_at = timezone.now()
    row.save(update_fields=["product_owner", "status", "sent_at"])
    audit_saved(row, workspace=workspace, actor=actor, action="idea.send", before=before, snap=_idea_snapshot)
    # The owner hears about it where the inbox's other notices are (review's notifications are
    # about content items, so the inbox alert is the notice an idea can use).
    alert_member(workspace, user.pk, InboxAlertKind.IDEA, row.text[:200])
    return row


@transaction.atomic
def idea_dismiss(*, workspace: Workspace, actor: Any, idea: Idea) -> Idea:
    """Dismiss an idea nobody will act on (kept, so the same feedback is not collected again)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)
    ensure_same_workspace(workspace, idea, "idea")
    row = _open(idea)
    before = _idea_snapshot(row)
    row.status = IdeaStatus.DISMISSED
    row.save(update_fields=["status"])
    audit_saved(
        row, workspace=workspace, actor=actor, action="idea.dismiss", before=before, snap=_idea_snapshot
    )
    return row
