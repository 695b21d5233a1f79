"""Writes on ideas: feedback collected anywhere (poll answers, inbox messages, member tickets).

``idea_collect`` is what other parts call when feedback arrives; collecting the same source
twice returns the first idea.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from socialops.fans.models import Person
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_saved
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models.campaigns import Campaign, Idea, IdeaSource

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
