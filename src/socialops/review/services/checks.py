"""Checks of content (R2.7, R3.6): the workspace's term lists, running every check, storing findings.

* Term lists (Advertising-Law extra/removed terms and allowed names, sensitive-word lists, brand
  terms, banned slang) are edited by members with ``content.review`` or ``workspace.manage``;
  every write bumps ``CheckSettings.terms_version`` in the same transaction.
* ``run_checks`` runs every check on some texts and returns ``CheckFinding``s (messages in the
  active language); ``run_item_checks`` runs them on an item and each of its variants and
  stores the findings; ``item_has_blocking_findings`` answers the review workflow.
* Link reachability runs in a Huey task (``review.tasks.check_links``); its results are stored
  as ``LinkCheck`` rows and become findings the next time checks run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import Platform
from socialops.content.models import ContentItem, ContentVariant, MediaAsset, MediaKind
from socialops.core.actors import user_or_none
from socialops.textkit import disclosure as tk_disclosure
from socialops.textkit import platform_rules as tk_platform
from socialops.textkit.adlaw import AdLawChecker, AdLawTerm
from socialops.textkit.findings import Finding, Severity, severity_rank
from socialops.textkit.links import LinkStatus, check_urls, find_urls, reachability_findings
from socialops.textkit.normalize import fold_compact
from socialops.textkit.originality import diff as text_diff
from socialops.textkit.terms import (
    MAX_TERM_LENGTH,
    BrandChecker,
    BrandRule,
    SensitiveChecker,
    TermList,
    load_terms,
)
from socialops.textkit.terms import BannedTerm as TkBannedTerm
from socialops.workspaces.access import ensure_perm, ensure_same_workspace, membership_get
from socialops.workspaces.audit import audit_record, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .. import originality
from ..check_messages import GENERIC_PLATFORM, render_message, term_file_error
from ..models import (
    AdLawEntry,
    AdLawEntryKind,
    BannedTerm,
    BrandTerm,
    CheckSettings,
    FindingSeverity,
    ItemCheckRun,
    ItemFinding,
    LinkCheck,
    SensitiveList,
    SensitiveTerm,
)

#: Order of fields in a findings list.
FIELD_ORDER = ("title", "digest", "author", "body", "live_outline", "hashtags", "link_url", "images", "video")
#: Text fields a check request may carry.
TEXT_FIELDS = ("title", "digest", "author", "body", "live_outline")
#: At most this many similar posts per checked text.
ORIGINALITY_TOP_K = 3
MAX_BRAND_VARIANTS = 50
MAX_LINKS_PER_ITEM = 50


# ---------------------------------------------------------------------------------------------
# The finding


@dataclass(frozen=True)
class CheckFinding:
    """One finding of a check on one field of a text (an item's, a variant's, or a draft's).

    ``start``/``end`` are offsets into the checked field's text (Python ``str`` indices, end
    exclusive; both None when the finding has no span). ``message`` is rendered in the active
    language from ``message_code`` and ``params`` every time it is read.
    """

    field: str
    check: str
    severity: str
    start: int | None
    end: int | None
    matched: str
    message_code: str
    params: Mapping[str, Any] = dc_field(default_factory=dict)
    suggestion: str | None = None
    #: The variant the finding is about (None: the item itself, or a draft).
    variant_id: int | None = None
    #: The platform whose rules applied ("" when none did).
    platform: str = ""
    #: Originality: the similar post and the side-by-side diff segments.
    related: Mapping[str, Any] = dc_field(default_factory=dict)

    @property
    def message(self) -> str:
        """The message in the active language."""
        return render_message(self.message_code, self.params)

    @property
    def blocking(self) -> bool:
        """True for block findings (they prevent approval unless an admin overrides)."""
        return self.severity == FindingSeverity.BLOCK

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the API and the command line)."""
        return {
            "variant_id": self.variant_id,
            "platform": self.platform,
            "field": self.field,
            "check": self.check,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "message": self.message,
            "message_code": self.message_code,
            "params": dict(self.params),
            "suggestion": self.suggestion,
            "related": dict(self.related),
        }


def _sort_key(f: CheckFinding) -> tuple[Any, ...]:
    field_rank = FIELD_ORDER.index(f.field) if f.field in FIELD_ORDER else len(FIELD_ORDER)
    return (
        f.variant_id or 0,
        field_rank,
        -1 if f.start is None else f.start,
        severity_rank(f.severity),
        -1 if f.end is None else -f.end,
        f.message_code,
    )


def _from_textkit(
    f: Finding,
    *,
    field_name: str | None = None,
    variant_id: int | None,
    platform: str,
    params: Mapping[str, Any] | None = None,
) -> CheckFinding:
    return CheckFinding(
        field=field_name or f.field,
        check=f.check,
        severity=f.severity,
        start=f.start,
        end=f.end,
        matched=f.text,
        message_code=f.message_code,
        params={**dict(f.params), **(params or {})},
        suggestion=f.suggestion,
        variant_id=variant_id,
        platform=platform,
    )


# ---------------------------------------------------------------------------------------------
# Permissions and the version counter


def _ensure_can_edit_terms(workspace: Workspace, actor: Any) -> None:
    """Term lists are edited by reviewers (content.review) and admins (workspace.manage)."""
    if actor is None:
        return  # system and seed
    membership = membership_get(workspace=workspace, user=actor)
    if not (membership.has_perm(Perm.CONTENT_REVIEW) or membership.has_perm(Perm.WORKSPACE_MANAGE)):
        raise PermissionDenied(_("Your role in this workspace does not allow this."))


def _bump_terms_version(workspace: Workspace) -> None:
    """Mark every cached checker of the workspace out of date (call inside the write's transaction)."""
    import uuid

    settings_row, _created = CheckSettings.objects.get_or_create(workspace=workspace)
    CheckSettings.objects.filter(pk=settings_row.pk).update(
        terms_version=F("terms_version") + 1, cache_token=uuid.uuid4()
    )


def _user(actor: Any) -> Any:
    return user_or_none(actor)


# ---------------------------------------------------------------------------------------------
# Validation helpers


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


# ---------------------------------------------------------------------------------------------
# Advertising-Law entries


@transaction.atomic
def adlaw_entry_create(
    *, workspace: Workspace, actor: Any, kind: str, term: str, severity: str = "block", note: str = ""
) -> AdLawEntry:
    """Add an extra forbidden term, a removed term or an allowed brand/product name."""
    _ensure_can_edit_terms(workspace, actor)
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
        created_by=_user(actor),
    )
    _bump_terms_version(workspace)
    audit_record(
        workspace=workspace, actor=actor, action="adlaw_entry.create", obj=entry, after=snapshot(entry)
    )
    return entry


@transaction.atomic
def adlaw_entry_delete(*, workspace: Workspace, actor: Any, entry: AdLawEntry) -> None:
    """Remove an entry from the workspace's Advertising-Law lists."""
    _ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, entry, "entry")
    before = snapshot(entry)
    audit_record(workspace=workspace, actor=actor, action="adlaw_entry.delete", obj=entry, before=before)
    entry.delete()
    _bump_terms_version(workspace)


# ---------------------------------------------------------------------------------------------
# Sensitive-word lists


def _list_name(workspace: Workspace, value: Any, *, exclude_pk: int | None = None) -> str:
    name = _short_text(value, "name", 50)
    if not name:
        raise ValidationError({"name": [_("Give the list a name.")]})
    clash = SensitiveList.objects.filter(workspace=workspace, name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": [_("A list with this name already exists.")]})
    return name


@transaction.atomic
def sensitive_list_create(
    *, workspace: Workspace, actor: Any, name: str, severity: str = "warn", description: str = ""
) -> SensitiveList:
    """Create a sensitive-word list with its own severity."""
    _ensure_can_edit_terms(workspace, actor)
    lst = SensitiveList.objects.create(
        workspace=workspace,
        name=_list_name(workspace, name),
        severity=_severity(severity),
        description=_short_text(description, "description", 200),
    )
    _bump_terms_version(workspace)
    audit_record(
        workspace=workspace, actor=actor, action="sensitive_list.create", obj=lst, after=snapshot(lst)
    )
    return lst


@transaction.atomic
def sensitive_list_update(
    *, workspace: Workspace, actor: Any, sensitive_list: SensitiveList, **fields: Any
) -> SensitiveList:
    """Rename a list, change its severity or description."""
    _ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, sensitive_list, "sensitive_list")
    unknown = set(fields) - {"name", "severity", "description"}
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    before = snapshot(sensitive_list)
    if "name" in fields:
        sensitive_list.name = _list_name(workspace, fields["name"], exclude_pk=sensitive_list.pk)
    if "severity" in fields:
        sensitive_list.severity = _severity(fields["severity"])
    if "description" in fields:
        sensitive_list.description = _short_text(fields["description"], "description", 200)
    sensitive_list.save()
    _bump_terms_version(workspace)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="sensitive_list.update",
        obj=sensitive_list,
        before=before,
        after=snapshot(sensitive_list),
    )
    return sensitive_list


@transaction.atomic
def sensitive_list_delete(*, workspace: Workspace, actor: Any, sensitive_list: SensitiveList) -> None:
    """Delete a list with all its words."""
    _ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, sensitive_list, "sensitive_list")
    before = {**snapshot(sensitive_list), "terms": sensitive_list.terms.count()}
    audit_record(
        workspace=workspace, actor=actor, action="sensitive_list.delete", obj=sensitive_list, before=before
    )
    sensitive_list.delete()
    _bump_terms_version(workspace)


@transaction.atomic
def sensitive_term_create(
    *, workspace: Workspace, actor: Any, sensitive_list: SensitiveList, term: str
) -> SensitiveTerm:
    """Add one word to a list."""
    _ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, sensitive_list, "sensitive_list")
    clean = _term(term, "term")
    key = fold_compact(clean)
    if SensitiveTerm.objects.filter(workspace=workspace, term_list=sensitive_list, key=key).exists():
        raise ValidationError({"term": [_("“%(term)s” is already on this list.") % {"term": clean}]})
    obj = SensitiveTerm.objects.create(workspace=workspace, term_list=sensitive_list, term=clean, key=key)
    _bump_terms_version(workspace)
    audit_record(
        workspace=workspace, actor=actor, action="sensitive_term.create", obj=obj, after=snapshot(obj)
    )
    return obj


@transaction.atomic
def sensitive_term_delete(*, workspace: Workspace, actor: Any, term: SensitiveTerm) -> None:
    """Remove one word from its list."""
    _ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, term, "term")
    audit_record(
        workspace=workspace, actor=actor, action="sensitive_term.delete", obj=term, before=snapshot(term)
    )
    term.delete()
    _bump_terms_version(workspace)


@dataclass(frozen=True)
class TermImportResult:
    """What an import of a word list changed."""

    added: int
    removed: int
    unchanged: int
    duplicates: int


@transaction.atomic
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
    _ensure_can_edit_terms(workspace, actor)
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
        _bump_terms_version(workspace)
        sha = hashlib.sha256(content if isinstance(content, bytes) else content.encode("utf-8")).hexdigest()
        audit_record(
            workspace=workspace,
            actor=actor,
            action="sensitive_list.import",
            obj=sensitive_list,
            after={"added": len(to_add), "removed": len(to_remove), "replace": replace, "sha256": sha},
        )
    return TermImportResult(len(to_add), len(to_remove), unchanged, result.duplicates)


# ---------------------------------------------------------------------------------------------
# Brand terms and banned slang


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
    clash = BrandTerm.objects.filter(workspace=workspace, key=key)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"preferred": [_("This name already has a rule.")]})
    return key


@transaction.atomic
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
    _ensure_can_edit_terms(workspace, actor)
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
    _bump_terms_version(workspace)
    audit_record(workspace=workspace, actor=actor, action="brand_term.create", obj=obj, after=snapshot(obj))
    return obj


@transaction.atomic
def brand_term_update(*, workspace: Workspace, actor: Any, brand_term: BrandTerm, **fields: Any) -> BrandTerm:
    """Change a brand term's spelling, variants, severity or note."""
    _ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, brand_term, "brand_term")
    unknown = set(fields) - {"preferred", "forbidden", "severity", "note"}
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
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
    _bump_terms_version(workspace)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="brand_term.update",
        obj=brand_term,
        before=before,
        after=snapshot(brand_term),
    )
    return brand_term


@transaction.atomic
def brand_term_delete(*, workspace: Workspace, actor: Any, brand_term: BrandTerm) -> None:
    """Delete a brand term."""
    _ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, brand_term, "brand_term")
    audit_record(
        workspace=workspace,
        actor=actor,
        action="brand_term.delete",
        obj=brand_term,
        before=snapshot(brand_term),
    )
    brand_term.delete()
    _bump_terms_version(workspace)


@transaction.atomic
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
    _ensure_can_edit_terms(workspace, actor)
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
    _bump_terms_version(workspace)
    audit_record(workspace=workspace, actor=actor, action="banned_term.create", obj=obj, after=snapshot(obj))
    return obj


@transaction.atomic
def banned_term_delete(*, workspace: Workspace, actor: Any, banned_term: BannedTerm) -> None:
    """Lift a ban."""
    _ensure_can_edit_terms(workspace, actor)
    ensure_same_workspace(workspace, banned_term, "banned_term")
    audit_record(
        workspace=workspace,
        actor=actor,
        action="banned_term.delete",
        obj=banned_term,
        before=snapshot(banned_term),
    )
    banned_term.delete()
    _bump_terms_version(workspace)


# ---------------------------------------------------------------------------------------------
# Settings


def _threshold(value: Any, field_name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError({field_name: [_("Enter a number between 0.3 and 1.")]})
    number = float(value)
    if not 0.3 <= number <= 1.0:
        raise ValidationError({field_name: [_("Enter a number between 0.3 and 1.")]})
    return round(number, 3)


@transaction.atomic
def check_settings_update(
    *,
    workspace: Workspace,
    actor: Any,
    originality_threshold: float | None = None,
    originality_block_threshold: float | None = None,
) -> CheckSettings:
    """Change the originality thresholds; a new threshold rebuilds the originality index."""
    _ensure_can_edit_terms(workspace, actor)
    row, _created = CheckSettings.objects.select_for_update().get_or_create(workspace=workspace)
    before = snapshot(row, exclude={"updated_at", "cache_token"})
    old_threshold = row.originality_threshold
    if originality_threshold is not None:
        row.originality_threshold = _threshold(originality_threshold, "originality_threshold")
    if originality_block_threshold is not None:
        row.originality_block_threshold = _threshold(
            originality_block_threshold, "originality_block_threshold"
        )
    row.save()
    audit_record(
        workspace=workspace,
        actor=actor,
        action="check_settings.update",
        obj=row,
        before=before,
        after=snapshot(row, exclude={"updated_at", "cache_token"}),
    )
    if row.originality_threshold != old_threshold:
        from ..tasks import rebuild_originality_index

        workspace_id = workspace.pk
        transaction.on_commit(lambda: rebuild_originality_index(workspace_id))
    return row


def check_settings_for(workspace: Workspace) -> CheckSettings:
    """The workspace's settings row, or an unsaved one with the defaults."""
    return CheckSettings.objects.filter(workspace=workspace).first() or CheckSettings(workspace=workspace)


# ---------------------------------------------------------------------------------------------
# Advertising flag of an item


@transaction.atomic
def content_item_advertising_set(
    *, workspace: Workspace, actor: Any, item: ContentItem, is_advertising: bool
) -> ContentItem:
    """Mark an item as advertising/sponsored (it then needs the platform's ad disclosure) or not."""
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, item, "item")
    if not isinstance(is_advertising, bool):
        raise ValidationError({"is_advertising": [_("Enter true or false.")]})
    current = ContentItem.objects.select_for_update().get(pk=item.pk)
    if current.is_advertising == is_advertising:
        item.is_advertising = is_advertising
        return item
    ContentItem.objects.filter(pk=item.pk).update(is_advertising=is_advertising, updated_at=timezone.now())
    item.is_advertising = is_advertising
    audit_record(
        workspace=workspace,
        actor=actor,
        action="content_item.advertising",
        obj=item,
        before={"is_advertising": not is_advertising},
        after={"is_advertising": is_advertising},
    )
    run_item_checks(workspace=workspace, item=item)
    return item


# ---------------------------------------------------------------------------------------------
# Building the checkers of a workspace (cached per terms version)


@dataclass(frozen=True)
class WorkspaceCheckers:
    """The checkers built from one version of a workspace's term lists."""

    adlaw: AdLawChecker
    sensitive: SensitiveChecker
    brand: BrandChecker


_checkers_cache: OrderedDict[tuple[int, int, str], WorkspaceCheckers] = OrderedDict()
_checkers_lock = threading.Lock()
CHECKERS_CACHE_SIZE = 64


def _build_checkers(workspace: Workspace) -> WorkspaceCheckers:
    extra: list[AdLawTerm] = []
    removed: list[str] = []
    names: list[str] = []
    for kind, term, severity in AdLawEntry.objects.filter(workspace=workspace).values_list(
        "kind", "term", "severity"
    ):
        if kind == AdLawEntryKind.EXTRA:
            extra.append(AdLawTerm(term, cast(Severity, severity), "custom_term"))
        elif kind == AdLawEntryKind.REMOVED:
            removed.append(term)
        else:
            names.append(term)
    lists = {
        pk: (name, severity)
        for pk, name, severity in SensitiveList.objects.filter(workspace=workspace).values_list(
            "pk", "name", "severity"
        )
    }
    terms: dict[int, list[str]] = {pk: [] for pk in lists}
    for list_id, term in SensitiveTerm.objects.filter(workspace=workspace).values_list(
        "term_list_id", "term"
    ):
        terms.setdefault(list_id, []).append(term)
    term_lists = [
        TermList(name, tuple(terms.get(pk, ())), cast(Severity, severity))
        for pk, (name, severity) in lists.items()
    ]
    rules = [
        BrandRule(preferred, tuple(forbidden or ()), cast(Severity, severity))
        for preferred, forbidden, severity in BrandTerm.objects.filter(workspace=workspace).values_list(
            "preferred", "forbidden", "severity"
        )
    ]
    banned = [
        TkBannedTerm(term, replacement or None, cast(Severity, severity))
        for term, replacement, severity in BannedTerm.objects.filter(workspace=workspace).values_list(
            "term", "replacement", "severity"
        )
    ]
    return WorkspaceCheckers(
        adlaw=AdLawChecker(extra_terms=extra, removed_terms=removed, allowed_names=names),
        sensitive=SensitiveChecker(term_lists),
        brand=BrandChecker(rules, banned),
    )


def workspace_checkers(workspace: Workspace, settings_row: CheckSettings | None = None) -> WorkspaceCheckers:
    """The workspace's checkers, built from the database or taken from this process's cache.

    The cache key carries the terms version and its token; every term-list write changes both
    in its transaction, so a cached checker is never older than the lists.
    """
    row = settings_row if settings_row is not None else check_settings_for(workspace)
    if row.pk is None:
        return _build_checkers(workspace)
    key = (workspace.pk, row.terms_version, str(row.cache_token))
    with _checkers_lock:
        hit = _checkers_cache.get(key)
        if hit is not None:
            _checkers_cache.move_to_end(key)
            return hit
    built = _build_checkers(workspace)
    with _checkers_lock:
        _checkers_cache[key] = built
        while len(_checkers_cache) > CHECKERS_CACHE_SIZE:
            _checkers_cache.popitem(last=False)
    return built


# ---------------------------------------------------------------------------------------------
# Running the checks


ImageSpec = tuple[int, int, int]
VideoSpec = tuple[int, float]


def platform_form_for(
    platform: str,
    content_form: str | None,
    *,
    has_images: bool = False,
    image_count: int = 0,
    has_video: bool = False,
) -> str | None:
    """The platform's form (textkit rules) for one of our content forms; None when the platform has no rules.

    A Weibo variant is an API share (140 汉字, one picture) unless it carries several pictures or
    a video, which only the app's long form takes.
    """
    known = tk_platform.forms(platform)
    if not known:
        return None
    cf = content_form or ""
    mapping: dict[str, str] = {
        Platform.WEIBO: "long" if image_count > 1 or has_video else "post",
        Platform.XIAOHONGSHU: "video" if cf in ("video", "live") else "note",
        Platform.DOUYIN: "video" if cf in ("video", "live") else "image_text",
        Platform.TELEGRAM: "media" if cf in ("video", "live") or has_images else "message",
    }
    chosen = mapping.get(platform, known[0])
    return chosen if chosen in known else known[0]


def _link_statuses(workspace: Workspace, urls: Iterable[str]) -> list[LinkStatus]:
    """Stored reachability results of these URLs (those checked at least once)."""
    hashes = {_url_hash(u): u for u in urls}
    if not hashes:
        return []
    out = []
    for row in LinkCheck.objects.filter(workspace=workspace, url_hash__in=list(hashes)):
        out.append(
            LinkStatus(
                row.url, row.ok, row.status, row.final_url or None, None, row.error or None, row.elapsed_ms
            )
        )
    return out


def _url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _originality_findings(
    workspace: Workspace,
    text: str,
    settings_row: CheckSettings,
    *,
    exclude_item: ContentItem | None,
    variant_id: int | None,
    platform: str,
) -> list[CheckFinding]:
    from socialops.analytics.models import PostRecord

    exclude: set[int] = set()
    if exclude_item is not None and exclude_item.pk:
        exclude = set(
            PostRecord.objects.filter(workspace=workspace, content_item=exclude_item).values_list(
                "pk", flat=True
            )
        )
    out = []
    for sp in originality.similar_posts(
        workspace,
        text,
        threshold=settings_row.originality_threshold,
        exclude_posts=exclude,
        top_k=ORIGINALITY_TOP_K,
    ):
        post = sp.post
        competitor = post.account.is_competitor
        severity = (
            FindingSeverity.BLOCK
            if competitor and sp.similarity >= settings_row.originality_block_threshold
            else FindingSeverity.WARN
        )
        spans = sp.shared_spans or ((0, len(text)),)
        start, end = spans[0][0], spans[-1][1]
        d = text_diff(text, post.text)
        date = post.published_at.date().isoformat() if post.published_at else "—"
        out.append(
            CheckFinding(
                field="body",
                check="originality",
                severity=severity,
                start=start,
                end=end,
                matched=text[start:end],
                message_code="originality.similar_competitor" if competitor else "originality.similar",
                params={
                    "percent": int(round(sp.similarity * 100)),
                    "similarity": round(sp.similarity, 4),
                    "account": post.account.display_name,
                    "date": date,
                    "post_id": post.pk,
                },
                variant_id=variant_id,
                platform=platform,
                related={
                    "post_id": post.pk,
                    "account": post.account.display_name,
                    "account_id": post.account_id,
                    "competitor": competitor,
                    "published_at": post.published_at.isoformat() if post.published_at else None,
                    "external_id": post.external_id,
                    "similarity": round(sp.similarity, 4),
                    "shared_spans": [list(s) for s in sp.shared_spans],
                    "post_text": post.text,
                    "segments_a": [list(s) for s in d.segments_a()],
                    "segments_b": [list(s) for s in d.segments_b()],
                },
            )
        )
    return out


def run_checks(
    *,
    workspace: Workspace,
    text_fields: Mapping[str, str],
    platform: str | None = None,
    form: str | None = None,
    is_advertising: bool = False,
    images: Sequence[ImageSpec] = (),
    video: VideoSpec | None = None,
    hashtags: Sequence[str] = (),
    exclude_item: ContentItem | None = None,
    variant_id: int | None = None,
    settings_row: CheckSettings | None = None,
) -> list[CheckFinding]:
    """Every check on some texts of one workspace, in reading order.

    ``text_fields`` maps field names (title, digest, author, body, live_outline) to texts; each
    gets the Advertising-Law, sensitive-word, brand and link-syntax checks, plus the stored
    reachability results of its links. With a ``platform`` (and its ``form``, else the
    platform's first) the platform's limits apply to title/digest/author/body, the images
    ``(bytes, width, height)``, the video ``(bytes, seconds)`` and the hashtags. An
    advertising text needs the platform's disclosure (the Chinese platforms' rule when the
    platform is unknown). The body is compared with the workspace's published history (ours
    and competitors'); posts of ``exclude_item`` are left out.
    """
    row = settings_row if settings_row is not None else check_settings_for(workspace)
    checkers = workspace_checkers(workspace, row)
    plat = platform or ""
    texts = {k: v for k, v in text_fields.items() if isinstance(v, str)}
    tk: list[tuple[Finding, str | None, dict[str, Any]]] = []
    urls: dict[str, list[str]] = {}
    for name, text in texts.items():
        if not text:
            continue
        for f in checkers.adlaw.check(text, field=name):
            tk.append((f, None, {}))
        for f in checkers.sensitive.check(text, field=name):
            tk.append((f, None, {}))
        for f in checkers.brand.check(text, field=name):
            tk.append((f, None, {}))
        for f in check_urls(text, field=name):
            tk.append((f, None, {}))
        found = [u.url for u in find_urls(text)]
        if found:
            urls[name] = found
    if urls:
        statuses = _link_statuses(workspace, [u for us in urls.values() for u in us])
        if statuses:
            for name in urls:
                for f in reachability_findings(texts[name], statuses, field=name):
                    tk.append((f, None, {}))
    if platform and tk_platform.forms(platform):
        known = tk_platform.forms(platform)
        chosen = form if form in known else known[0]
        for f in tk_platform.check_platform(
            platform,
            chosen,
            title=texts.get("title"),
            body=texts.get("body"),
            digest=texts.get("digest"),
            author=texts.get("author"),
            images=images,
            video=video,
            hashtags=hashtags,
        ):
            tk.append((f, None, {}))
    if is_advertising:
        rule_platform = platform if platform in tk_disclosure.RULES else "wechat_mp"
        extra = {} if platform in tk_disclosure.RULES else {"platform": GENERIC_PLATFORM}
        for f in tk_disclosure.check_disclosure(
            rule_platform, texts.get("body", ""), is_ad=True, title=texts.get("title") or None, field="body"
        ):
            tk.append((f, None, extra))
    out = [
        _from_textkit(f, field_name=fn, variant_id=variant_id, platform=plat, params=extra)
        for f, fn, extra in tk
    ]
    body = texts.get("body", "")
    if body and originality.long_enough(body):
        out.extend(
            _originality_findings(
                workspace, body, row, exclude_item=exclude_item, variant_id=variant_id, platform=plat
            )
        )
    return sorted(out, key=_sort_key)


# ---------------------------------------------------------------------------------------------
# Items and their variants


def _image_specs(assets: Iterable[MediaAsset]) -> list[ImageSpec]:
    return [(a.size_bytes, a.width or 0, a.height or 0) for a in assets if a.kind == MediaKind.IMAGE]


def _video_spec(asset: MediaAsset | None) -> VideoSpec | None:
    if asset is None:
        return None
    return (asset.size_bytes, float(asset.duration_seconds or 0.0))


def _item_inputs(item: ContentItem) -> dict[str, Any]:
    from socialops.content.selectors.items import ordered_images

    return {
        "text_fields": {
            "title": item.title,
            "digest": item.digest,
            "body": item.body,
            "live_outline": item.live_outline,
        },
        "images": ordered_images(item),
        "video": item.video,
    }


def _variant_inputs(item: ContentItem, variant: ContentVariant) -> dict[str, Any]:
    """What a variant publishes: its own fields, falling back to the item's where it has none."""
    from socialops.content.selectors.items import ordered_images, ordered_media

    platform = variant.account.platform
    media = ordered_media(variant)
    images = [a for a in media if a.kind == MediaKind.IMAGE]
    videos = [a for a in media if a.kind == MediaKind.VIDEO]
    if not media:
        images = ordered_images(item)
        videos = [item.video] if item.video else []
    form = platform_form_for(
        platform, item.form, has_images=bool(images), image_count=len(images), has_video=bool(videos)
    )
    rules = tk_platform.RULES.get((platform, form)) if form else None
    title = (variant.extra or {}).get("short_title") if platform == Platform.CHANNELS else None
    title = title or variant.title or (item.title if rules is not None and rules.title is not None else "")
    fields = {
        "title": title,
        "body": variant.body or item.body,
        "digest": variant.digest or (item.digest if rules is not None and rules.digest is not None else ""),
        "author": variant.author,
    }
    return {
        "platform": platform,
        "form": form,
        "text_fields": fields,
        "images": images,
        "video": videos[0] if videos else None,
        # Variants store bare topic names; the post carries them in the platform's syntax.
        "hashtags": [tk_platform.as_platform_hashtag(platform, form, tag) for tag in variant.hashtags or []],
        "links": [u for u in (variant.link_url, (variant.extra or {}).get("content_source_url")) if u],
    }


@dataclass(frozen=True)
class CheckTarget:
    """One checked text of an item: the item itself or a variant, with the texts as checked."""

    variant: ContentVariant | None
    platform: str
    form: str | None
    text_fields: Mapping[str, str]


def check_targets(*, workspace: Workspace, item: ContentItem) -> list[CheckTarget]:
    """The item and each variant with the texts the checks see (for showing findings in place)."""
    ensure_same_workspace(workspace, item, "item")
    out = [CheckTarget(None, "", None, _item_inputs(item)["text_fields"])]
    for variant in item.variants.select_related("account").order_by("pk"):
        v = _variant_inputs(item, variant)
        out.append(CheckTarget(variant, v["platform"], v["form"], v["text_fields"]))
    return out


def _inputs_hash(
    workspace: Workspace, item: ContentItem, variants: Sequence[ContentVariant], row: CheckSettings
) -> str:
    data = {
        "item": [item.pk, item.version, item.is_advertising, item.form],
        "variants": [[v.pk, v.version, v.account_id] for v in variants],
        "terms": [row.terms_version, str(row.cache_token) if row.pk else ""],
        "thresholds": [row.originality_threshold, row.originality_block_threshold],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def item_link_urls(item: ContentItem) -> list[str]:
    """Every link an item and its variants publish (in the texts and the link fields)."""
    seen: dict[str, None] = {}
    texts = [item.title, item.digest, item.body, item.live_outline]
    extra_links: list[str] = []
    for variant in item.variants.select_related("account"):
        texts += [variant.title, variant.digest, variant.body]
        extra_links += [u for u in (variant.link_url, (variant.extra or {}).get("content_source_url")) if u]
    for text in texts:
        for u in find_urls(text or ""):
            seen.setdefault(u.url, None)
    for url in extra_links:
        seen.setdefault(url, None)
    return list(seen)[:MAX_LINKS_PER_ITEM]


def _links_to_check(workspace: Workspace, urls: Sequence[str]) -> list[str]:
    """The URLs without a reachability result younger than REVIEW_LINKCHECK_MAX_AGE."""
    if not urls:
        return []
    max_age = float(getattr(settings, "REVIEW_LINKCHECK_MAX_AGE", 6 * 3600))
    since = timezone.now() - dt.timedelta(seconds=max_age)
    fresh = set(
        LinkCheck.objects.filter(
            workspace=workspace, url_hash__in=[_url_hash(u) for u in urls], checked_at__gte=since
        ).values_list("url_hash", flat=True)
    )
    return [u for u in urls if _url_hash(u) not in fresh]


def _link_field_findings(
    workspace: Workspace, links: Sequence[str], *, variant_id: int | None, platform: str
) -> list[CheckFinding]:
    """Reachability findings of the variant's link fields (the link, the 公众号 “read more” link)."""
    statuses = _link_statuses(workspace, links)
    out = []
    for url in links:
        for f in reachability_findings(url, statuses, field="link_url"):
            out.append(_from_textkit(f, variant_id=variant_id, platform=platform))
    return out


@transaction.atomic
def run_item_checks(
    *, workspace: Workspace, item: ContentItem, enqueue_links: bool = True
) -> list[CheckFinding]:
    """Check an item and each of its variants (with that variant's platform) and store the findings.

    The findings replace the item's previous ones, so pages and the API show them. Links whose
    reachability is unknown or old are checked by ``review.tasks.check_links`` after commit.
    """
    item = ContentItem.objects.select_related("video").get(pk=item.pk, workspace=workspace)
    row = check_settings_for(workspace)
    variants = list(item.variants.select_related("account").order_by("pk"))
    findings: list[CheckFinding] = []
    base = _item_inputs(item)
    findings += run_checks(
        workspace=workspace,
        text_fields=base["text_fields"],
        is_advertising=item.is_advertising,
        exclude_item=item,
        settings_row=row,
    )
    for variant in variants:
        v = _variant_inputs(item, variant)
        findings += run_checks(
            workspace=workspace,
            text_fields=v["text_fields"],
            platform=v["platform"],
            form=v["form"],
            is_advertising=item.is_advertising,
            images=_image_specs(v["images"]),
            video=_video_spec(v["video"]),
            hashtags=v["hashtags"],
            exclude_item=item,
            variant_id=variant.pk,
            settings_row=row,
        )
        findings += _link_field_findings(workspace, v["links"], variant_id=variant.pk, platform=v["platform"])
    findings.sort(key=_sort_key)
    _store(workspace, item, findings, _inputs_hash(workspace, item, variants, row))
    if enqueue_links:
        pending = _links_to_check(workspace, item_link_urls(item))
        if pending:
            from ..tasks import check_links

            workspace_id, item_id = workspace.pk, item.pk
            transaction.on_commit(lambda: check_links(workspace_id, item_id))
    return findings


def _store(
    workspace: Workspace, item: ContentItem, findings: Sequence[CheckFinding], inputs_hash: str
) -> ItemCheckRun:
    # Findings are derived from the item and the term lists (both audited) and replaced on every
    # save, so they are not audited themselves; the same goes for link results and the index.
    ItemFinding.objects.filter(workspace=workspace, item=item).delete()
    ItemFinding.objects.bulk_create(
        [
            ItemFinding(
                workspace=workspace,
                item=item,
                variant_id=f.variant_id,
                platform=f.platform,
                position=i,
                field=f.field,
                check_name=f.check,
                severity=f.severity,
                start=f.start,
                end=f.end,
                matched=f.matched,
                message_code=f.message_code,
                params=dict(f.params),
                suggestion=f.suggestion,
                related=dict(f.related),
            )
            for i, f in enumerate(findings)
        ],
        batch_size=500,
    )
    counts = {s: sum(1 for f in findings if f.severity == s) for s in FindingSeverity.values}
    run, _created = ItemCheckRun.objects.update_or_create(
        item=item,
        defaults={
            "workspace": workspace,
            "item_version": item.version,
            "inputs_hash": inputs_hash,
            "block_count": counts["block"],
            "warn_count": counts["warn"],
            "info_count": counts["info"],
            "checked_at": timezone.now(),
        },
    )
    return run


def stored_findings(*, workspace: Workspace, item: ContentItem) -> list[CheckFinding]:
    """The findings stored by the item's last check run, in reading order."""
    return [
        CheckFinding(
            field=r.field,
            check=r.check_name,
            severity=r.severity,
            start=r.start,
            end=r.end,
            matched=r.matched,
            message_code=r.message_code,
            params=r.params or {},
            suggestion=r.suggestion,
            variant_id=r.variant_id,
            platform=r.platform,
            related=r.related or {},
        )
        for r in ItemFinding.objects.filter(workspace=workspace, item=item).order_by("position")
    ]


def item_checks_current(
    *, workspace: Workspace, item: ContentItem
) -> tuple[ItemCheckRun, list[CheckFinding]]:
    """The item's check run and findings, re-running the checks when anything they depend on changed."""
    row = check_settings_for(workspace)
    variants = list(item.variants.order_by("pk"))
    current = _inputs_hash(workspace, item, variants, row)
    run = ItemCheckRun.objects.filter(workspace=workspace, item=item).first()
    if run is None or run.inputs_hash != current:
        run_item_checks(workspace=workspace, item=item)
        run = ItemCheckRun.objects.get(workspace=workspace, item=item)
    return run, stored_findings(workspace=workspace, item=item)


def item_has_blocking_findings(*, workspace: Workspace, item: ContentItem) -> bool:
    """True when the item (or one of its variants) has a blocking finding as it is now."""
    run, _findings = item_checks_current(workspace=workspace, item=item)
    return run.block_count > 0


# ---------------------------------------------------------------------------------------------
# Link reachability results


@transaction.atomic
def link_checks_record(*, workspace: Workspace, statuses: Sequence[LinkStatus]) -> list[LinkCheck]:
    """Store reachability results (one row per URL, replaced by each new check)."""
    now = timezone.now()
    out = []
    for st in statuses:
        row, _created = LinkCheck.objects.update_or_create(
            workspace=workspace,
            url_hash=_url_hash(st.url),
            defaults={
                "url": st.url[:2000],
                "ok": st.ok,
                "status": st.status if st.status is not None and 0 <= st.status < 1000 else None,
                "error": (st.error or "")[:30],
                "final_url": (st.final_url or "")[:2000],
                "elapsed_ms": max(0, st.elapsed_ms),
                "checked_at": now,
            },
        )
        out.append(row)
    return out


def links_pending(*, workspace: Workspace, item: ContentItem) -> list[str]:
    """The item's links that need a (new) reachability check."""
    return _links_to_check(workspace, item_link_urls(item))


# ---------------------------------------------------------------------------------------------
# The originality index


def originality_index_update(*, workspace: Workspace) -> None:
    """Bring the workspace's originality index up to date with its posts (system job)."""
    originality.update(workspace, check_settings_for(workspace).originality_threshold)


def originality_index_rebuild(*, workspace: Workspace) -> None:
    """Rebuild the workspace's originality index from scratch (system job)."""
    originality.rebuild(workspace, check_settings_for(workspace).originality_threshold)


def originality_index_stale(*, workspace: Workspace) -> bool:
    """Whether posts were imported or changed since the index was last updated."""
    return originality.is_stale(workspace, check_settings_for(workspace).originality_threshold)
