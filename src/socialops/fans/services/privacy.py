"""A person's rights over their data (PIPL arts. 45 and 47): a copy of everything, and erasure.

Both need Perm.FANS_ERASE (admins). Erasure removes every row that names the person, not only
the rows with a foreign key to them: order lines stay as anonymous sales (their totals are the
shop's, not the person's) but lose the customer id; pushed WeChat messages, merge snapshots and
audit entries that hold the person's names or ids are deleted or scrubbed. The audit entry
that records the erasure names nobody: ids and counts only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.platforms.models import PushEvent
from socialops.workspaces.access import require_perm
from socialops.workspaces.audit import audit_record, snapshot
from socialops.workspaces.models import AuditEntry, Workspace
from socialops.workspaces.roles import Perm

from ..models import (
    Coupon,
    Fan,
    FollowUp,
    Interaction,
    OrderLine,
    Person,
    PersonInterest,
    PersonMerge,
    PlaybookAction,
    Redemption,
    SegmentEvent,
    SegmentEventKind,
    SegmentMembership,
)
from ..privacy import ContactUnreadable, contact_decrypt, phone_normalise

ERASED = "[erased]"
# Shorter strings (a one-letter nickname) would match unrelated text everywhere.
MIN_NEEDLE = 2
# Message texts are personal data too, but short ones ("好", "666") are everyone's words.
MIN_TEXT_NEEDLE = 8


def _check(workspace: Workspace, person: Person) -> None:
    if person.workspace_id != workspace.pk:
        raise Http404(_("Not found."))


def _rows(qs: Iterable[models.Model], exclude: set[str] | None = None) -> list[dict[str, Any]]:
    return [snapshot(obj, exclude={"workspace", *(exclude or set())}) for obj in qs]


def _contact(person: Person) -> dict[str, Any]:
    try:
        return contact_decrypt(person.contact_encrypted)
    except ContactUnreadable:
        return {"unreadable": True}


def _tier_membership(workspace: Workspace, person: Person) -> list[dict[str, Any]]:
    """The person's tier in the shape of a membership row (tiers have none: Person.tier is it)."""
    if (
        person.tier_id is None
        or SegmentMembership.objects.filter(segment_id=person.tier_id, person=person).exists()
    ):
        return []  # no tier, or a membership row an earlier version wrote for it (listed as it is)
    entered = (
        SegmentEvent.objects.filter(
            workspace=workspace, person=person, segment_id=person.tier_id, kind=SegmentEventKind.ENTERED
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return [
        {
            "segment": person.tier_id,
            "person": person.pk,
            "entered_at": entered.isoformat() if entered else None,
            "segment_name": person.tier.name if person.tier else None,
        }
    ]


def person_export(*, workspace: Workspace, actor: Any, person: Person) -> dict[str, Any]:
    """Everything we hold about one person, as JSON-safe data (the PIPL copy); audited."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_ERASE)
    _check(workspace, person)
    with transaction.atomic():
        person_data = snapshot(person, exclude={"workspace", "contact_encrypted"})
        person_data["contact"] = _contact(person)
        person_data["tier_name"] = person.tier.name if person.tier_id and person.tier else None
        coupons = Coupon.objects.filter(workspace=workspace, person=person).select_related("campaign")
        data: dict[str, Any] = {
            "format": "socialops.person_export.v1",
            "exported_at": timezone.now().isoformat(),
            "workspace": workspace.slug,
            "person": person_data,
            "fans": [
                {
                    **snapshot(f, exclude={"workspace"}),
                    "platform": f.account.platform,
                    "account": f.account.handle,
                }
                for f in Fan.objects.filter(workspace=workspace, person=person).select_related("account")
            ],
            "interactions": _rows(Interaction.objects.filter(workspace=workspace, person=person)),
            "orders": _rows(OrderLine.objects.filter(workspace=workspace, person=person)),
            "coupons": [
                {**snapshot(c, exclude={"workspace"}), "campaign_name": c.campaign.name} for c in coupons
            ],
            "redemptions": _rows(Redemption.objects.filter(workspace=workspace, person=person)),
            "interests": _rows(PersonInterest.objects.filter(workspace=workspace, person=person)),
            "segments": _tier_membership(workspace, person)
            + [
                {**snapshot(m, exclude={"workspace"}), "segment_name": m.segment.name}
                for m in SegmentMembership.objects.filter(workspace=workspace, person=person).select_related(
                    "segment"
                )
            ],
            "segment_events": [
                {**snapshot(e, exclude={"workspace"}), "segment_name": e.segment.name}
                for e in SegmentEvent.objects.filter(workspace=workspace, person=person).select_related(
                    "segment"
                )
            ],
            "follow_ups": _rows(FollowUp.objects.filter(workspace=workspace, person=person)),
            "playbook_actions": _rows(PlaybookAction.objects.filter(workspace=workspace, person=person)),
            "merges": _rows(
                PersonMerge.objects.filter(workspace=workspace, into=person), exclude={"snapshot"}
            ),
        }
        audit_record(
            workspace=workspace,
            actor=actor,
            action="person exported",
            obj=person,
            after={key: len(value) for key, value in data.items() if isinstance(value, list)},
        )
    return data


# ---- erasure ---------------------------------------------------------------------------------


def _needles(person: Person, fans: list[Fan]) -> list[str]:
    """Every string that identifies the person: names, platform ids, handles, keys, contact details."""
    found: set[str] = {
        person.display_name,
        person.union_id,
        person.customer_id,
        person.phone_hash,
        person.contact_encrypted,
    }
    for fan in fans:
        found |= {fan.external_id, fan.union_id, fan.handle, fan.display_name}
        found |= {str(tag) for tag in fan.platform_tags or [] if isinstance(tag, str) and len(tag) >= 6}
    try:
        contact = contact_decrypt(person.contact_encrypted)
    except ContactUnreadable:
        contact = {}
    for value in contact.values():
        if isinstance(value, str):
            found.add(value)
            found.add(phone_normalise(value))
    texts = Interaction.objects.filter(person=person).exclude(text="").values_list("text", flat=True)
    found |= {t for t in texts if len(t) >= MIN_TEXT_NEEDLE}
    cleaned = {s.strip() for s in found if s and len(s.strip()) >= MIN_NEEDLE}
    # Longest first: a name inside a handle is replaced after the handle.
    return sorted(cleaned, key=lambda s: (-len(s), s))


def _mentions(fields: Iterable[str], json_fields: Iterable[str], needles: list[str]) -> Q:
    """Rows whose text or JSON columns contain any needle (JSON stores non-ASCII escaped on SQLite)."""
    q = Q(pk__in=[])
    forms = set(needles) | {json.dumps(n)[1:-1] for n in needles}
    for needle in forms:
        for field in fields:
            q |= Q(**{f"{field}__contains": needle})
        for field in json_fields:
            q |= Q(**{f"_text_{field}__contains": needle})
    return q


def _with_text(qs: models.QuerySet[Any], json_fields: Iterable[str]) -> models.QuerySet[Any]:
    return qs.annotate(**{f"_text_{f}": Cast(f, TextField()) for f in json_fields})


def _scrub(value: Any, needles: list[str]) -> Any:
    """``value`` with every needle replaced, inside strings, lists and dicts (keys too)."""
    if isinstance(value, str):
        for needle in needles:
            if needle in value:
                value = value.replace(needle, ERASED)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, needles): _scrub(v, needles) for k, v in value.items()}
    return value


def _scrub_audit(workspace: Workspace, person: Person, fans: list[Fan], needles: list[str]) -> int:
    """Empty the entries about the person's own rows; scrub the needles out of every other entry."""
    own = Q(object_type="fans.person", object_id=str(person.pk))
    if fans:
        own |= Q(object_type="fans.fan", object_id__in=[str(f.pk) for f in fans])
    interaction_ids = [
        str(pk) for pk in Interaction.objects.filter(person=person).values_list("pk", flat=True)
    ]
    if interaction_ids:
        own |= Q(object_type="fans.interaction", object_id__in=interaction_ids)
    entries = AuditEntry.objects.filter(workspace=workspace)
    changed = entries.filter(own).update(object_repr=person.pseudonym, before=None, after=None)
    if not needles:
        return changed
    candidates = _with_text(entries.exclude(own), ("before", "after")).filter(
        _mentions(("object_repr",), ("before", "after"), needles)
    )
    for entry in candidates:
        entry.object_repr = _scrub(entry.object_repr, needles)
        entry.before = _scrub(entry.before, needles)
        entry.after = _scrub(entry.after, needles)
        entry.save(update_fields=["object_repr", "before", "after"])
        changed += 1
    return changed


def person_erase(*, workspace: Workspace, actor: Any, person: Person) -> dict[str, int]:
    """Delete a person and every row that names them (PIPL art. 47); returns what was removed, by kind.

    Order lines stay as anonymous sales. The audit entry of the erasure holds ids and counts only.
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_ERASE)
    _check(workspace, person)
    with transaction.atomic():
        locked = Person.objects.select_for_update().filter(pk=person.pk, workspace=workspace).first()
        if locked is None:  # erased meanwhile by another request
            raise Http404(_("Not found."))
        person = locked
        person_id, pseudonym = person.pk, person.pseudonym
        fans = list(Fan.objects.filter(person=person))
        needles = _needles(person, fans)
        platform_ids = sorted({f.external_id for f in fans} | {f.union_id for f in fans if f.union_id})
        counts: dict[str, int] = {
            "fans": len(fans),
            "interactions": Interaction.objects.filter(person=person).count(),
            "coupons": Coupon.objects.filter(person=person).count(),
        }

        # Sales stay in the shop's totals, without anyone's name on them.
        lines = OrderLine.objects.filter(workspace=workspace, person=person)
        if person.customer_id:
            lines = OrderLine.objects.filter(workspace=workspace).filter(
                Q(person=person) | Q(customer_id=person.customer_id)
            )
        counts["order_lines_anonymised"] = lines.update(person=None, customer_id="")

        # WeChat pushes keep the sender's openid and the message itself.
        pushes = PushEvent.objects.filter(workspace=workspace)
        pushed = Q(from_user__in=platform_ids) if platform_ids else Q(pk__in=[])
        if needles:
            pushed |= _mentions(("from_user",), ("payload",), needles)
        push_ids = list(_with_text(pushes, ("payload",)).filter(pushed).values_list("pk", flat=True))
        counts["push_events"] = PushEvent.objects.filter(pk__in=push_ids).delete()[0]

        # Merge records keep the merged person's fields to undo the merge: this person's cannot be undone any more.
        merges = Q(merged_person_id=person_id) | Q(snapshot__restored_person_id=person_id)
        if needles:
            merges |= _mentions((), ("snapshot",), needles)
        merge_ids = list(
            _with_text(PersonMerge.objects.filter(workspace=workspace).exclude(into=person), ("snapshot",))
            .filter(merges)
            .values_list("pk", flat=True)
        )
        counts["merges"] = PersonMerge.objects.filter(pk__in=merge_ids).delete()[0] + (
            PersonMerge.objects.filter(into=person).count()
        )

        counts["audit_entries_scrubbed"] = _scrub_audit(workspace, person, fans, needles)
        # Fans, interactions, interests, coupons (and their redemptions), segment rows, follow-ups,
        # playbook actions and merges into this person go with it (their keys cascade).
        person.delete()
        audit_record(
            workspace=workspace,
            actor=actor,
            action="person erased",
            object_type="fans.person",
            object_id=person_id,
            object_repr=pseudonym,
            after=counts,
        )
    return counts
