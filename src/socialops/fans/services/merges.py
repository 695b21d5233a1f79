"""Merging two people found to be one human, and undoing it exactly (every moved row goes back).

Audit entries hold record ids only, never names, handles or phone numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.core.actors import user_or_none
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import Coupon, Person, PersonMerge, Segment, SegmentKind, SegmentMembership

# The matching keys of a person: each unique in a workspace when set.
PERSON_KEYS = ("union_id", "customer_id", "phone_hash")
# Fields of the kept person a merge fills from the merged one when the kept one has none.
FILLED_FIELDS = ("display_name", "contact_encrypted")
# Rows of these tables would collide with the kept person's own (same tag and source, same
# segment): the merged person's clashing rows are dropped and kept whole in the snapshot instead.
# (Coupons clash too, but two coupons of one campaign refuse the merge: see _merge_refusal.)
UNIQUE_WITH: dict[str, tuple[str, ...]] = {
    "fans.personinterest.person": ("tag", "source"),
    "fans.segmentmembership.person": ("segment_id",),
}
# Rows moved back per query (keeps each IN list well under database parameter limits).
CHUNK = 500


# ---- merge and unmerge -------------------------------------------------------------------------


def _row_data(obj: models.Model) -> dict[str, Any]:
    """A row's concrete columns as JSON-safe values (attname → value), enough to recreate it."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif isinstance(value, models.Model):
            value = value.pk
        elif value is not None and not isinstance(value, str | int | float | bool | list | dict):
            value = str(value)  # Decimal
        data[field.attname] = value
    return data


def _row_values(model: type[models.Model], data: dict[str, Any]) -> dict[str, Any]:
    """``_row_data`` turned back into Python values for ``model(**values)``."""
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.attname in data:
            raw = data[field.attname]
            values[field.attname] = raw if raw is None or field.is_relation else field.to_python(raw)
    return values


def _person_relations() -> list[tuple[str, type[models.Model], str]]:
    """Every (label, model, field) whose rows point at a person: fans, interactions, order lines,
    coupons, redemptions, interests, segment memberships and events, follow-ups, playbook actions,
    earlier merges into the person, and whatever later apps add, so a merge leaves nothing behind."""
    relations = []
    for rel in Person._meta.related_objects:
        if rel.one_to_many or rel.one_to_one:
            model = rel.related_model
            assert isinstance(model, type)
            relations.append((f"{model._meta.label_lower}.{rel.field.name}", model, rel.field.name))
    return sorted(relations, key=lambda r: r[0])


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _merge_refusal(keep: Person, merge: Person) -> str | None:
    """Why these two cannot be one person, or None."""
    for key in PERSON_KEYS:
        mine, theirs = getattr(keep, key), getattr(merge, key)
        if mine and theirs and mine != theirs:
            labels = {
                "union_id": _("WeChat unionid"),
                "customer_id": _("customer id"),
                "phone_hash": _("phone number"),
            }
            return _("The two people have different %(key)s values, so they are not the same person.") % {
                "key": labels[key]
            }
    campaigns = Coupon.objects.filter(person=keep).values("campaign_id")
    if Coupon.objects.filter(person=merge, campaign_id__in=campaigns).exists():
        return _(
            "Both people hold a coupon of the same campaign, and a person may hold only one. "
            "Withdraw one of the coupons first."
        )
    return None


def person_merge(
    *, workspace: Workspace, actor: Any, keep: Person, merge: Person, reason: str = ""
) -> PersonMerge:
    """Merge ``merge`` into ``keep``: every row of the merged person moves, and it is kept so unmerge can undo it."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    ensure_same_workspace(workspace, keep, "keep")
    ensure_same_workspace(workspace, merge, "merge")
    if keep.pk == merge.pk:
        raise ValidationError({"merge": [_("A person cannot be merged into themselves.")]})
    with transaction.atomic():
        locked = {
            p.pk: p
            for p in Person.objects.select_for_update().filter(
                workspace=workspace, pk__in=[keep.pk, merge.pk]
            )
        }
        if len(locked) != 2:
            raise ValidationError({"merge": [_("Not found.")]})
        keep, merge = locked[keep.pk], locked[merge.pk]
        refusal = _merge_refusal(keep, merge)
        if refusal:
            raise ValidationError(refusal)

        moved: dict[str, list[int]] = {}
        dropped: dict[str, list[dict[str, Any]]] = {}
        for label, model, field in _person_relations():
            rows = model._default_manager.filter(**{field: merge})
            unique = UNIQUE_WITH.get(label)
            if unique:
                mine = set(model._default_manager.filter(**{field: keep}).values_list(*unique))
                clashing = [row for row in rows if tuple(getattr(row, f) for f in unique) in mine]
                if model is SegmentMembership and keep.tier_id is not None:
                    # A person is in exactly one tier: the kept person's tier stays, the other goes.
                    clashing += [
                        row for row in rows.filter(segment__kind=SegmentKind.TIER) if row not in clashing
                    ]
                if clashing:
                    dropped[label] = [_row_data(row) for row in clashing]
                    model._default_manager.filter(pk__in=[row.pk for row in clashing]).delete()
            moved[label] = sorted(rows.values_list("pk", flat=True))
            rows.update(**{field: keep})

        keep_data = _row_data(keep)
        keep_before = {
            name: keep_data[name]
            for name in ("first_seen_at", "last_active_at", *FILLED_FIELDS, *PERSON_KEYS)
        }
        person_data = _row_data(merge)
        merged_pk = merge.pk
        for key in PERSON_KEYS:
            if getattr(merge, key) and not getattr(keep, key):
                setattr(keep, key, getattr(merge, key))
        for name in FILLED_FIELDS:
            if getattr(merge, name) and not getattr(keep, name):
                setattr(keep, name, getattr(merge, name))
        firsts = [t for t in (keep.first_seen_at, merge.first_seen_at) if t is not None]
        lasts = [t for t in (keep.last_active_at, merge.last_active_at) if t is not None]
        keep.first_seen_at = min(firsts) if firsts else None
        keep.last_active_at = max(lasts) if lasts else None
        # Deleted before the kept person takes its keys: each key is unique in the workspace.
        merge.delete()
        keep.save()

        record = PersonMerge.objects.create(
            workspace=workspace,
            into=keep,
            merged_person_id=merged_pk,
            snapshot={
                "person": person_data,
                "moved": moved,
                "dropped": dropped,
                "keep_before": keep_before,
                "keep_after": {name: _row_data(keep)[name] for name in keep_before},
            },
            reason=reason[:200],
            merged_by=user_or_none(actor),
        )
        audit_record(
            workspace=workspace,
            actor=actor,
            action="person.merge",
            obj=record,
            after={
                "into": keep.pk,
                "merged": merged_pk,
                "moved": {label: len(ids) for label, ids in moved.items() if ids},
                "dropped": {label: len(rows) for label, rows in dropped.items()},
            },
        )
    return record


def person_unmerge(*, workspace: Workspace, actor: Any, merge_record: PersonMerge) -> Person:
    """Undo a merge: the merged person comes back (same id when free) and every moved row goes back to it."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    ensure_same_workspace(workspace, merge_record, "merge_record")
    with transaction.atomic():
        record = PersonMerge.objects.select_for_update().get(pk=merge_record.pk)
        if record.undone_at is not None:
            raise ValidationError(_("This merge has already been undone."))
        keep = Person.objects.select_for_update().get(pk=record.into_id)
        snap = record.snapshot
        values = _row_values(Person, snap["person"])
        values.pop("id", None)

        # The kept person gives back what it only had from the merged one.
        before, after = snap.get("keep_before", {}), snap.get("keep_after", {})
        current = _row_data(keep)
        restore = {
            name: before[name] for name in before if current.get(name) == after.get(name) != before[name]
        }
        for name, raw in _row_values(Person, restore).items():
            setattr(keep, name, raw)
        if restore:
            keep.save()
        for key in PERSON_KEYS:
            if values.get(key) and Person.objects.filter(workspace=workspace, **{key: values[key]}).exists():
                raise ValidationError(
                    _(
                        "Another person now holds a matching key of the merged person, so the merge cannot be undone."
                    )
                )

        taken = Person.objects.filter(pk=record.merged_person_id).exists()
        pk = None if taken else record.merged_person_id
        tier_id = values.pop("tier_id", None)
        restored = Person(pk=pk, **values)
        restored.workspace_id = workspace.pk
        # Its tier, unless the tier has been deleted since (the next refresh puts it in one).
        if tier_id and Segment.objects.filter(workspace=workspace, pk=tier_id).exists():
            restored.tier_id = tier_id
        restored.save(force_insert=True)
        # auto_now_add replaced the original creation time on insert.
        Person.objects.filter(pk=restored.pk).update(
            created_at=values.get("created_at") or restored.created_at
        )

        back: dict[str, int] = {}
        relations = {label: (model, field) for label, model, field in _person_relations()}
        for label, ids in snap.get("moved", {}).items():
            model, field = relations[label]
            count = 0
            for chunk in _chunks(ids):
                count += model._default_manager.filter(pk__in=chunk, **{field: keep}).update(
                    **{field: restored}
                )
            back[label] = count
        for label, rows in snap.get("dropped", {}).items():
            model, field = relations[label]
            for data in rows:
                row_values = _row_values(model, data)
                row_values[f"{field}_id"] = restored.pk
                row_pk = row_values.pop("id")
                if model._default_manager.filter(pk=row_pk).exists():
                    row_pk = None
                try:
                    with transaction.atomic():
                        model(pk=row_pk, **row_values).save(force_insert=True)
                except IntegrityError:
                    continue  # Its segment or tag row exists again for the restored person.

        record.undone_at = timezone.now()
        record.snapshot = {**snap, "restored_person_id": restored.pk}
        record.save(update_fields=["undone_at", "snapshot"])
        audit_record(
            workspace=workspace,
            actor=actor,
            action="person.unmerge",
            obj=record,
            after={
                "into": keep.pk,
                "restored": restored.pk,
                "moved_back": {k: v for k, v in back.items() if v},
            },
        )
    return restored
