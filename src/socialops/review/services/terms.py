"""The workspace's term lists (R2.7): Advertising-Law extra/removed terms and allowed names,
sensitive-word lists, brand terms and banned slang.

They are edited by members with ``content.review`` or ``workspace.manage``; every write bumps
``CheckSettings.terms_version`` in the same transaction, so no cached checker outlives it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from socialops.core.actors import user_or_none
from socialops.core.validation import refuse_unknown_fields
from socialops.textkit.normalize import fold_compact
from socialops.textkit.terms import (
    MAX_TERM_LENGTH,
    load_terms,
)
from socialops.workspaces.access import ensure_same_workspace
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, snapshot
from socialops.workspaces.models import Workspace

from ..models import (
    AdLawEntry,
    AdLawEntryKind,
    BannedTerm,
    BrandTerm,
    FindingSeverity,
    SensitiveList,
    SensitiveTerm,
)
from ..presenters import term_file_error
from ._common import bump_terms_version, ensure_can_edit_terms

MAX_BRAND_VARIANTS = 50


def _term(value: Any, field_name: str, *, max_length: int = MAX_TERM_LENGTH) -> str:
    """A single term: stripped, 1..max_length characters, a letter/digit/CJK, no control characters."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError({field_name: [_("Enter a term.")]})
    if len(text) > max_length:
        raise ValidationError(
            {
                field_name: [
                    _("At most %(limit)s characters (this one has %(length)s).")
                    % {"limit": max_length, "length": len(text)}
                ]
            }
        )
    if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in text):
        raise ValidationError({field_name: [_("The term contains control characters.")]})
    if not any(c.isalnum() for c in fold_compact(text)):
        raise ValidationError({field_name: [_("The term needs a letter, a digit or a Chinese character.")]})
    return text


def _severity(value: Any, field_name: str = "severity") -> str:
    if value not in FindingSeverity.values:
        raise ValidationError(
            {
                field_name: [
                    _("Unknown severity: %(value)s. Choose one of %(choices)s.")
                    % {"value": str(value)[:20], "choices": ", ".join(FindingSeverity.values)}
                ]
            }
        )
    return str(value)


def _short_text(value: Any, field_name: str, max_length: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > max_length:
        raise ValidationError({field_name: [_("At most %(limit)s characters.") % {"limit": max_length}]})
    return text


def _term_row_saved(
    workspace: Workspace, actor: Any, obj: Any, action: str, *, before: dict[str, Any] | None = None
) -> None:
    """What every term-list create and update ends with: a new terms version and the audit entry."""
    bump_terms_version(workspace)
    audit_saved(obj, workspace=workspace, actor=actor, action=action, before=before)


def _refuse_taken(rows: QuerySet[Any], exclude_pk: int | None, field_name: str, message: str) -> None:
    """Refuse a value that one of ``rows`` other than ``exclude_pk`` (the row being edited) has."""
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    if rows.exists():
        raise ValidationError({field_name: [message]})


def _delete_term_row(
    workspace: Workspace,
    actor: Any,
    obj: Any,
    field_name: str,
    action: str,
    *,
    extra_before: Callable[[], dict[str, Any]] | None = None,
) -> None:
    """What every term-list delete does: check, audit the row as it was, delete it, new terms version."""
    ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, obj, field_name)
    before = {**snapshot(obj), **(extra_before() if extra_before else {})}
    audit_delete(obj, workspace=workspace, actor=actor, action=action, before=before)
    bump_terms_version(workspace)


@transaction.atomic(durable=True)
def adlaw_entry_create(
    *, workspace: Workspace, actor: Any, kind: str, term: str, severity: str = "block", note: str = ""
) -> AdLawEntry:
    """Add an extra forbidden term, a removed term or an allowed brand/product name."""
    ensure_can_edit_terms(workspace, actor)
    if kind not in AdLawEntryKind.values:
        raise ValidationError(
            {
                "kind": [
                    _("Unknown kind: %(value)s. Choose one of %(choices)s.")
                    % {"value": str(kind)[:30], "choices": ", ".join(AdLawEntryKind.values)}
                ]
            }
        )
    clean = _term(term, "term")
    sev = _severity(severity) if kind == AdLawEntryKind.EXTRA else FindingSeverity.BLOCK
    key = fold_compact(clean)
    if AdLawEntry.objects.filter(workspace=workspace, kind=kind, key=key).exists():
        raise ValidationError({"term": [_("“%(term)s” is already on this list.") % {"term": clean}]})
    entry = AdLawEntry.objects.create(
        workspace=workspace,
        kind=kind,
        term=clean,
        key=key,
        severity=sev,
        note=_short_text(note, "note", 200),
        created_by=user_or_none(actor),
    )
    _term_row_saved(workspace, actor, entry, "adlaw_entry.create")
    return entry


@transaction.atomic(durable=True)
def adlaw_entry_delete(*, workspace: Workspace, actor: Any, entry: AdLawEntry) -> None:
    """Remove an entry from the workspace's Advertising-Law lists."""
    _delete_term_row(workspace, actor, entry, "entry", "adlaw_entry.delete")


def _list_name(workspace: Workspace, value: Any, *, exclude_pk: int | None = None) -> str:
    name = _short_text(value, "name", 50)
    if not name:
        raise ValidationError({"name": [_("Give the list a name.")]})
    rows = SensitiveList.objects.filter(workspace=workspace, name=name)
    _refuse_taken(rows, exclude_pk, "name", _("A list with this name already exists."))
    return name


@transaction.atomic(durable=True)
def sensitive_list_create(
    *, workspace: Workspace, actor: Any, name: str, severity: str = "warn", description: str = ""
) -> SensitiveList:
    """Create a sensitive-word list with its own severity."""
    ensure_can_edit_terms(workspace, actor)
    lst = SensitiveList.objects.create(
        workspace=workspace,
        name=_list_name(workspace, name),
        severity=_severity(severity),
        description=_short_text(description, "description", 200),
    )
    _term_row_saved(workspace, actor, lst, "sensitive_list.create")
    return lst


@transaction.atomic(durable=True)
def sensitive_list_update(
    *, workspace: Workspace, actor: Any, sensitive_list: SensitiveList, **fields: Any
) -> SensitiveList:
    """Rename a list, change its severity or description."""
    ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, sensitive_list, "sensitive_list")
    refuse_unknown_fields(fields, {"name", "severity", "description"})
    before = snapshot(sensitive_list)
    if "name" in fields:
        sensitive_list.name = _list_name(workspace, fields["name"], exclude_pk=sensitive_list.pk)
    if "severity" in fields:
        sensitive_list.severity = _severity(fields["severity"])
    if "description" in fields:
        sensitive_list.description = _short_text(fields["description"], "description", 200)
    sensitive_list.save()
    _term_row_saved(workspace, actor, sensitive_list, "sensitive_list.update", before=before)
    return sensitive_list


@transaction.atomic(durable=True)
def sensitive_list_delete(*, workspace: Workspace, actor: Any, sensitive_list: SensitiveList) -> None:
    """Delete a list with all its words."""
    _delete_term_row(
        workspace,
        actor,
        sensitive_list,
        "sensitive_list",
        "sensitive_list.delete",
        extra_before=lambda: {"terms": sensitive_list.terms.count()},
    )


@transaction.atomic(durable=True)
def sensitive_term_create(
    *, workspace: Workspace, actor: Any, sensitive_list: SensitiveList, term: str
) -> SensitiveTerm:
    """Add one word to a list."""
    ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, sensitive_list, "sensitive_list")
    clean = _term(term, "term")
    key = fold_compact(clean)
    if SensitiveTerm.objects.filter(workspace=workspace, term_list=sensitive_list, key=key).exists():
        raise ValidationError({"term": [_("“%(term)s” is already on this list.") % {"term": clean}]})
    obj = SensitiveTerm.objects.create(workspace=workspace, term_list=sensitive_list, term=clean, key=key)
    _term_row_saved(workspace, actor, obj, "sensitive_term.create")
    return obj


@transaction.atomic(durable=True)
def sensitive_term_delete(*, workspace: Workspace, actor: Any, term: SensitiveTerm) -> None:
    """Remove one word from its list."""
    _delete_term_row(workspace, actor, term, "term", "sensitive_term.delete")


@dataclass(frozen=True)
class TermImportResult:
    """What an import of a word list changed."""

    added: int
    removed: int
    unchanged: int
    duplicates: int


@transaction.atomic(durable=True)
def sensitive_list_import(
    *,
    workspace: Workspace,
    actor: Any,
    sensitive_list: SensitiveList,
    content: bytes | str,
    replace: bool = False,
) -> TermImportResult:
    """Import a one-word-a-line text file into a list, whole or not at all.

    Bad lines are reported with their line numbers and nothing changes. Words already on the
    list are left alone, so importing the same file again changes nothing. With ``replace`` the
    list becomes exactly the file's words.
    """
    ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, sensitive_list, "sensitive_list")
    result = load_terms(content)
    if result.errors:
        raise ValidationError({"file": [term_file_error(e.code, e.line, e.params) for e in result.errors]})
    existing = dict(
        SensitiveTerm.objects.filter(workspace=workspace, term_list=sensitive_list).values_list("key", "pk")
    )
    wanted: dict[str, str] = {}
    for term in result.terms:
        wanted.setdefault(fold_compact(term), term)
    to_add = [t for k, t in wanted.items() if k not in existing]
    to_remove = [pk for k, pk in existing.items() if k not in wanted] if replace else []
    unchanged = len(wanted) - len(to_add)
    if to_add or to_remove:
        if to_remove:
            SensitiveTerm.objects.filter(pk__in=to_remove).delete()
        SensitiveTerm.objects.bulk_create(
            [
                SensitiveTerm(workspace=workspace, term_list=sensitive_list, term=t, key=fold_compact(t))
                for t in to_add
            ],
            batch_size=1000,
        )
        bump_terms_version(workspace)
        sha = hashlib.sha256(content if isinstance(content, bytes) else content.encode("utf-8")).hexdigest()
        audit_record(
            workspace=workspace,
            actor=actor,
            action="sensitive_list.import",
            obj=sensitive_list,
            after={"added": len(to_add), "removed": len(to_remove), "replace": replace, "sha256": sha},
        )
    return TermImportResult(len(to_add), len(to_remove), unchanged, result.duplicates)


def _variants(value: Any, preferred_key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ValidationError({"forbidden": [_("Give the forbidden variants as a list.")]})
    if len(value) > MAX_BRAND_VARIANTS:
        raise ValidationError({"forbidden": [_("At most %(n)s variants.") % {"n": MAX_BRAND_VARIANTS}]})
    out: dict[str, str] = {}
    for raw in value:
        variant = _term(raw, "forbidden", max_length=100)
        key = fold_compact(variant)
        if key == preferred_key:
            raise ValidationError(
                {
                    "forbidden": [
                        _(
                            "“%(variant)s” differs from the preferred spelling only in case, width or "
                            "spaces; those are reported anyway."
                        )
                        % {"variant": variant}
                    ]
                }
            )
        out.setdefault(key, variant)
    return list(out.values())


def _brand_key(workspace: Workspace, preferred: str, *, exclude_pk: int | None = None) -> str:
    key = fold_compact(preferred)
    rows = BrandTerm.objects.filter(workspace=workspace, key=key)
    _refuse_taken(rows, exclude_pk, "preferred", _("This name already has a rule."))
    return key


@transaction.atomic(durable=True)
def brand_term_create(
    *,
    workspace: Workspace,
    actor: Any,
    preferred: str,
    forbidden: Sequence[str] = (),
    severity: str = "warn",
    note: str = "",
) -> BrandTerm:
    """Add a brand or product name's exact spelling and the variants people get wrong."""
    ensure_can_edit_terms(workspace, actor)
    clean = _term(preferred, "preferred", max_length=100)
    key = _brand_key(workspace, clean)
    obj = BrandTerm.objects.create(
        workspace=workspace,
        preferred=clean,
        key=key,
        forbidden=_variants(list(forbidden), key),
        severity=_severity(severity),
        note=_short_text(note, "note", 200),
    )
    _term_row_saved(workspace, actor, obj, "brand_term.create")
    return obj


@transaction.atomic(durable=True)
def brand_term_update(*, workspace: Workspace, actor: Any, brand_term: BrandTerm, **fields: Any) -> BrandTerm:
    """Change a brand term's spelling, variants, severity or note."""
    ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, brand_term, "brand_term")
    refuse_unknown_fields(fields, {"preferred", "forbidden", "severity", "note"})
    before = snapshot(brand_term)
    if "preferred" in fields:
        brand_term.preferred = _term(fields["preferred"], "preferred", max_length=100)
        brand_term.key = _brand_key(workspace, brand_term.preferred, exclude_pk=brand_term.pk)
    if "forbidden" in fields or "preferred" in fields:
        brand_term.forbidden = _variants(fields.get("forbidden", brand_term.forbidden), brand_term.key)
    if "severity" in fields:
        brand_term.severity = _severity(fields["severity"])
    if "note" in fields:
        brand_term.note = _short_text(fields["note"], "note", 200)
    brand_term.save()
    _term_row_saved(workspace, actor, brand_term, "brand_term.update", before=before)
    return brand_term


@transaction.atomic(durable=True)
def brand_term_delete(*, workspace: Workspace, actor: Any, brand_term: BrandTerm) -> None:
    """Delete a brand term."""
    _delete_term_row(workspace, actor, brand_term, "brand_term", "brand_term.delete")


@transaction.atomic(durable=True)
def banned_term_create(
    *,
    workspace: Workspace,
    actor: Any,
    term: str,
    replacement: str = "",
    severity: str = "warn",
    note: str = "",
) -> BannedTerm:
    """Ban a word (slang the brand never uses), optionally with the word to use instead."""
    ensure_can_edit_terms(workspace, actor)
    clean = _term(term, "term")
    key = fold_compact(clean)
    if BannedTerm.objects.filter(workspace=workspace, key=key).exists():
        raise ValidationError({"term": [_("“%(term)s” is already on this list.") % {"term": clean}]})
    obj = BannedTerm.objects.create(
        workspace=workspace,
        term=clean,
        key=key,
        replacement=_short_text(replacement, "replacement", MAX_TERM_LENGTH),
        severity=_severity(severity),
        note=_short_text(note, "note", 200),
    )
    _term_row_saved(workspace, actor, obj, "banned_term.create")
    return obj


@transaction.atomic(durable=True)
def banned_term_delete(*, workspace: Workspace, actor: Any, banned_term: BannedTerm) -> None:
    """Lift a ban."""
    _delete_term_row(workspace, actor, banned_term, "banned_term", "banned_term.delete")
