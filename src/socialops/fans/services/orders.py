"""Writes of the orders area: saved order column mappings and order file imports (issue 11, section 1)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socialops.core.actors import user_or_none
from socialops.core.imports import (
    ImportRejected,
    Progress,
    TwoPassProgress,
    batches,
    clean_file_name,
    clean_mapping_name,
    mapping_errors_as_rows,
    save_mapping,
)
from socialops.workspaces.access import require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..imports import PRESETS, ParsedOrderLine, clean_mapping, parse_orders_file
from ..models import OrderImport, OrderLine, OrderMapping, Person
from ..privacy import contact_encrypt, phone_hash
from ..selectors.orders import order_mapping_find

# Rows per bulk INSERT and per IN list (SQLite's bound-parameter limit).
BATCH_SIZE = 500
NAME_MAX_CHARS = 60  # OrderMapping.name
FILE_NAME_MAX_CHARS = 200  # OrderImport.file_name


class OrdersImportRejected(ImportRejected):
    """An order file had problems; nothing was written. ``errors`` lists every one of them."""


def _clean_name(workspace: Workspace, name: Any, *, exclude_pk: int | None = None) -> str:
    saved = OrderMapping.objects.filter(workspace=workspace)
    return clean_mapping_name(name, saved=saved, max_chars=NAME_MAX_CHARS, exclude_pk=exclude_pk)


def _mapping_snapshot(mapping: OrderMapping) -> dict[str, Any]:
    """A mapping as the audit log keeps it: what it maps, not when it was saved."""
    return snapshot(mapping, exclude={"created_at", "updated_at"})


def _check_workspace(workspace: Workspace, mapping: Any) -> None:
    if not isinstance(mapping, OrderMapping) or mapping.workspace_id != workspace.pk:
        raise ValidationError({"mapping": [_("Choose a mapping of this workspace.")]})


@transaction.atomic
def order_mapping_create(
    *,
    workspace: Workspace,
    actor: Any,
    name: str,
    columns: dict[str, str],
    options: dict[str, Any] | None = None,
) -> OrderMapping:
    """Save a mapping from an order file's columns to order fields under a name."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    errors: dict[str, list[str]] = {}
    try:
        name = _clean_name(workspace, name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    clean_columns, clean_options, mapping_errors = clean_mapping(columns, options)
    errors.update(mapping_errors)
    if errors:
        raise ValidationError(errors)
    mapping = OrderMapping(
        workspace=workspace,
        name=name,
        columns=clean_columns,
        options=clean_options,
        created_by=user_or_none(actor),
    )
    save_mapping(mapping, mapping.name)
    audit_saved(
        mapping, workspace=workspace, actor=actor, action="order_mapping.create", snap=_mapping_snapshot
    )
    return mapping


@transaction.atomic
def order_mapping_update(
    *,
    workspace: Workspace,
    actor: Any,
    mapping: OrderMapping,
    name: str | None = None,
    columns: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> OrderMapping:
    """Rename a mapping or change its columns or options (arguments left None stay as they are)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    _check_workspace(workspace, mapping)
    mapping = OrderMapping.objects.select_for_update().get(pk=mapping.pk)
    before = _mapping_snapshot(mapping)
    errors: dict[str, list[str]] = {}
    if name is not None:
        try:
            mapping.name = _clean_name(workspace, name, exclude_pk=mapping.pk)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    clean_columns, clean_options, mapping_errors = clean_mapping(
        mapping.columns if columns is None else columns,
        mapping.options if options is None else options,
    )
    errors.update(mapping_errors)
    if errors:
        raise ValidationError(errors)
    mapping.columns, mapping.options = clean_columns, clean_options
    if _mapping_snapshot(mapping) == before:
        return mapping
    save_mapping(mapping, mapping.name)
    audit_saved(
        mapping,
        workspace=workspace,
        actor=actor,
        action="order_mapping.update",
        before=before,
        snap=_mapping_snapshot,
    )
    return mapping


@transaction.atomic
def order_mapping_delete(*, workspace: Workspace, actor: Any, mapping: OrderMapping) -> None:
    """Delete a mapping; the import runs that used it keep its name in their record."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    _check_workspace(workspace, mapping)
    audit_delete(
        mapping, workspace=workspace, actor=actor, action="order_mapping.delete", snap=_mapping_snapshot
    )


@transaction.atomic
def order_mapping_preset(*, workspace: Workspace, actor: Any, preset: str) -> OrderMapping:
    """Save a built-in mapping under its preset name; when it is already saved, return that one."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    spec = PRESETS.get(preset) if isinstance(preset, str) else None
    if spec is None:
        raise ValidationError(
            {"preset": [_("Unknown preset; choose one of: %(presets)s.") % {"presets": ", ".join(PRESETS)}]}
        )
    existing = OrderMapping.objects.filter(workspace=workspace, name__iexact=preset).first()
    if existing is not None:
        return existing
    return order_mapping_create(
        workspace=workspace, actor=actor, name=preset, columns=spec["columns"], options=spec["options"]
    )


def order_mapping_for_import(*, workspace: Workspace, actor: Any, ref: Any) -> OrderMapping:
    """The saved mapping named (or numbered) ``ref``; a preset's name not yet saved is saved first.

    So `socialops import orders FILE --mapping online-retail` works on a fresh workspace.
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    mapping = order_mapping_find(workspace=workspace, ref=ref)
    if mapping is not None:
        return mapping
    if isinstance(ref, str) and ref.strip() in PRESETS:
        return order_mapping_preset(workspace=workspace, actor=actor, preset=ref.strip())
    names = list(OrderMapping.objects.filter(workspace=workspace).values_list("name", flat=True)[:20])
    raise ValidationError(
        {
            "mapping": [
                _(
                    "No order mapping “%(ref)s” in this workspace. Saved mappings: %(names)s; presets: %(presets)s."
                )
                % {
                    "ref": str(ref)[:100],
                    "names": ", ".join(names) or _("none"),
                    "presets": ", ".join(PRESETS),
                }
            ]
        }
    )


# ---------------------------------------------------------------------------------------------
# Order imports


def _people_by_customer(workspace: Workspace, customer_ids: Sequence[str]) -> dict[str, Person]:
    """customer id → person for those of ``customer_ids`` that have one (a few bulk reads)."""
    found: dict[str, Person] = {}
    for batch in batches(customer_ids, BATCH_SIZE):
        people = Person.objects.filter(workspace=workspace, customer_id__in=batch).only(
            "pk", "customer_id", "phone_hash", "contact_encrypted"
        )
        found.update((person.customer_id, person) for person in people)
    return found


def _phone_hashes_taken(workspace: Workspace, hashes: Sequence[str]) -> set[str]:
    taken: set[str] = set()
    for batch in batches(hashes, BATCH_SIZE):
        taken.update(
            Person.objects.filter(workspace=workspace, phone_hash__in=batch).values_list(
                "phone_hash", flat=True
            )
        )
    return taken


def _match_people(
    workspace: Workspace, customer_ids: set[str], contacts: dict[str, dict[str, str]]
) -> tuple[dict[str, int], int]:
    """(customer id → person id, people created): every customer id gets a person, in bulk.

    One read of who exists, one insert of the missing (a concurrent import creating the same
    customer is ignored, not an error), one read of those inserted. A person's phone hash and
    encrypted contact are filled in from the file only where blank; nothing else on a person
    changes. A phone number another person already has is not given to a second one.
    """
    wanted = sorted(customer_ids)
    people = _people_by_customer(workspace, wanted)
    hashes = {cid: phone_hash(c["phone"]) for cid, c in contacts.items() if c.get("phone")}
    taken = _phone_hashes_taken(workspace, sorted(set(hashes.values())))

    def claim(cid: str) -> str:
        digest = hashes.get(cid, "")
        if not digest or digest in taken:
            return ""
        taken.add(digest)
        return digest

    now = timezone.now()
    filled: list[Person] = []
    for cid in wanted:
        person = people.get(cid)
        if person is None or cid not in contacts:
            continue
        changed = False
        if not person.phone_hash and (digest := claim(cid)):
            person.phone_hash, changed = digest, True
        if not person.contact_encrypted:
            person.contact_encrypted, changed = contact_encrypt(contacts[cid]), True
        if changed:
            person.updated_at = now  # bulk_update does not run auto_now
            filled.append(person)
    for batch in batches(filled, BATCH_SIZE):
        Person.objects.bulk_update(batch, ["phone_hash", "contact_encrypted", "updated_at"])

    missing = [cid for cid in wanted if cid not in people]
    if missing:
        # Names are stored in the workspace's language, whoever runs the import.
        with translation.override(workspace.locale):
            template = _("Customer %(id)s")
        new = [
            Person(
                workspace=workspace,
                customer_id=cid,
                display_name=(template % {"id": cid})[:100],
                phone_hash=claim(cid),
                contact_encrypted=contact_encrypt(contacts.get(cid, {})),
            )
            for cid in missing
        ]
        for batch in batches(new, BATCH_SIZE):
            Person.objects.bulk_create(batch, ignore_conflicts=True)
        people.update(_people_by_customer(workspace, missing))
        # A phone hash claimed meanwhile by another import makes its row a silent conflict: again without it.
        retry = [p for p in new if p.customer_id not in people]
        for person in retry:
            person.phone_hash = ""
        for batch in batches(retry, BATCH_SIZE):
            Person.objects.bulk_create(batch, ignore_conflicts=True)
        if retry:
            people.update(_people_by_customer(workspace, [p.customer_id for p in retry]))
    return {cid: person.pk for cid, person in people.items()}, len(missing)


def _existing_keys(workspace: Workspace, order_ids: Sequence[str]) -> set[tuple[str, str]]:
    keys: set[tuple[str, str]] = set()
    for batch in batches(order_ids, BATCH_SIZE):
        keys.update(
            OrderLine.objects.filter(workspace=workspace, order_id__in=batch).values_list(
                "order_id", "line_key"
            )
        )
    return keys


def _write_lines(
    *,
    workspace: Workspace,
    record: OrderImport,
    rows: Sequence[ParsedOrderLine],
    people: dict[str, int],
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Insert the lines not yet stored; call inside a transaction. Returns the counts."""
    existing = _existing_keys(workspace, sorted({row.order_id for row in rows}))
    to_create = [
        OrderLine(
            workspace=workspace,
            order_id=row.order_id,
            line_key=row.line_key,
            customer_id=row.customer_id,
            person_id=people.get(row.customer_id) if row.customer_id else None,
            source_import=record,
            **row.values,
        )
        for row in rows
        if (row.order_id, row.line_key) not in existing
    ]
    done = len(rows) - len(to_create)
    if on_progress is not None:
        on_progress(done)
    for batch in batches(to_create, BATCH_SIZE):
        OrderLine.objects.bulk_create(batch)
        done += len(batch)
        if on_progress is not None:
            on_progress(done)
    return {
        "rows": len(rows),
        "created": len(to_create),
        "updated": 0,
        "unchanged": len(rows) - len(to_create),
    }


def orders_import(
    *,
    workspace: Workspace,
    actor: Any,
    mapping: OrderMapping,
    file_name: str,
    content: bytes,
    progress: Progress | None = None,
) -> OrderImport:
    """Import an order or CRM file (CSV/XLSX) through a saved mapping, whole or not at all.

    Raises OrdersImportRejected listing every bad line. Importing the same file again creates
    nothing (every line counts as unchanged); each run is recorded with the file's SHA-256.
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    _check_workspace(workspace, mapping)
    file_name = clean_file_name(file_name, FILE_NAME_MAX_CHARS)
    # A mapping saved before a rule was added is checked again rather than trusted.
    columns, options, mapping_errors = clean_mapping(mapping.columns, mapping.options)
    if mapping_errors:
        raise OrdersImportRejected(mapping_errors_as_rows(mapping_errors))
    # Reading and validating happen before the write transaction opens (SQLite's write lock).
    passes = TwoPassProgress(progress)
    parsed = parse_orders_file(
        workspace=workspace,
        file_name=file_name,
        content=content,
        columns=columns,
        options=options,
        progress=passes.validating,
    )
    if parsed.errors:
        raise OrdersImportRejected(parsed.errors)
    passes.rows = len(parsed.rows)

    try:
        with transaction.atomic():
            people, people_created = _match_people(workspace, parsed.customer_ids, parsed.contacts)
            record = OrderImport.objects.create(
                workspace=workspace,
                file_name=file_name,
                file_sha256=hashlib.sha256(content).hexdigest(),
                mapping_name=mapping.name,
                created_by=user_or_none(actor),
            )
            counts = _write_lines(
                workspace=workspace,
                record=record,
                rows=parsed.rows,
                people=people,
                on_progress=passes.writing,
            )
            record.rows_total = counts["rows"]
            record.rows_created = counts["created"]
            record.rows_unchanged = counts["unchanged"]
            record.rows_anonymous = parsed.anonymous
            record.people_created = people_created
            record.save(
                update_fields=[
                    "rows_total",
                    "rows_created",
                    "rows_unchanged",
                    "rows_anonymous",
                    "people_created",
                ]
            )
            audit_record(
                workspace=workspace,
                actor=actor,
                action="order_import.create",
                obj=record,
                after=snapshot(record, exclude={"created_at"}),
            )
    except IntegrityError as exc:
        # Another import of the same lines got there since we read.
        raise ValidationError(
            {"__all__": [_("These orders were imported by someone else at the same time; try again.")]}
        ) from exc
    record.cancellations = parsed.cancellations  # type: ignore[attr-defined]  # for the report only
    return record


def order_import_summary(record: OrderImport) -> str:
    """What an order import run changed, in a sentence (with the anonymous lines and new customers)."""
    text = _(
        "Imported %(file)s: %(rows)s lines — %(created)s new, %(unchanged)s unchanged; "
        "%(people)s new customers."
    ) % {
        "file": record.file_name,
        "rows": record.rows_total,
        "created": record.rows_created,
        "unchanged": record.rows_unchanged,
        "people": record.people_created,
    }
    if record.rows_anonymous:
        text += " " + ngettext(
            "%(n)s line has no customer id (anonymous sales).",
            "%(n)s lines have no customer id (anonymous sales).",
            record.rows_anonymous,
        ) % {"n": record.rows_anonymous}
    return text
