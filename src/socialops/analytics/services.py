"""Writes of the analytics app: saved column mappings and post-level history imports (R2.4, R4.2)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.actors import user_or_none
from socialops.core.imports import (
    ImportRejected,
    Progress,
    TwoPassProgress,
    batches,
    clean_file_name,
    clean_mapping_name,
    import_record_fields,
    mapping_errors_as_rows,
    save_mapping,
)
from socialops.workspaces.access import ensure_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, edit_snapshot, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .hooks import posts_imported
from .imports import PRESETS, TARGET_FIELDS, ParsedPost, clean_mapping, parse_posts_file
from .models import ColumnMapping, PostImport, PostRecord
from .selectors import column_mapping_find

# Rows per bulk INSERT/UPDATE, as in the metrics import (SQLite's bound-parameter limit).
BATCH_SIZE = 500
NAME_MAX_CHARS = 80  # ColumnMapping.name
FILE_NAME_MAX_CHARS = 255  # PostImport.file_name


class PostsImportRejected(ImportRejected):
    """A post file had problems; nothing was written. ``errors`` lists every one of them."""


def _check_actor(workspace: Workspace, actor: Any) -> None:
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.METRICS_EDIT)


def _clean_name(workspace: Workspace, name: Any, *, exclude_pk: int | None = None) -> str:
    saved = ColumnMapping.objects.filter(workspace=workspace)
    return clean_mapping_name(name, saved=saved, max_chars=NAME_MAX_CHARS, exclude_pk=exclude_pk)


def _mapping_snapshot(mapping: ColumnMapping) -> dict[str, Any]:
    """A mapping as the audit log keeps it: what it maps, not when it was saved."""
    return snapshot(mapping, exclude={"created_at", "updated_at"})


def _clean(columns: Any, options: Any) -> tuple[dict[str, str], dict[str, Any]]:
    clean_columns, clean_options, errors = clean_mapping(columns, options)
    if errors:
        raise ValidationError(errors)
    return clean_columns, clean_options


@transaction.atomic
def column_mapping_create(
    *,
    workspace: Workspace,
    actor: Any,
    name: str,
    columns: dict[str, str],
    options: dict[str, Any] | None = None,
) -> ColumnMapping:
    """Save a mapping from an export's columns to post fields under a name."""
    _check_actor(workspace, actor)
    errors: dict[str, list[str]] = {}
    try:
        name = _clean_name(workspace, name)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    clean_columns, clean_options, mapping_errors = clean_mapping(columns, options)
    errors.update(mapping_errors)
    if errors:
        raise ValidationError(errors)
    mapping = ColumnMapping(
        workspace=workspace,
        name=name,
        columns=clean_columns,
        options=clean_options,
        created_by=user_or_none(actor),
    )
    save_mapping(mapping, name)
    audit_saved(
        mapping, workspace=workspace, actor=actor, action="column_mapping.create", snap=_mapping_snapshot
    )
    return mapping


@transaction.atomic
def column_mapping_update(
    *,
    workspace: Workspace,
    actor: Any,
    mapping: ColumnMapping,
    name: str | None = None,
    columns: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
) -> ColumnMapping:
    """Rename a mapping or change its columns or options (arguments left None stay as they are)."""
    _check_actor(workspace, actor)
    if mapping.workspace_id != workspace.pk:
        raise ValidationError({"mapping": [_("Choose a mapping of this workspace.")]})
    mapping = ColumnMapping.objects.select_for_update().get(pk=mapping.pk)
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
    after = _mapping_snapshot(mapping)
    if after == before:
        return mapping
    save_mapping(mapping, name)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="column_mapping.update",
        obj=mapping,
        before=before,
        after=after,
    )
    return mapping


@transaction.atomic
def column_mapping_delete(*, workspace: Workspace, actor: Any, mapping: ColumnMapping) -> None:
    """Delete a mapping; the import runs that used it keep their record without it."""
    _check_actor(workspace, actor)
    if mapping.workspace_id != workspace.pk:
        raise ValidationError({"mapping": [_("Choose a mapping of this workspace.")]})
    audit_delete(
        mapping, workspace=workspace, actor=actor, action="column_mapping.delete", snap=_mapping_snapshot
    )


@transaction.atomic
def column_mapping_preset(*, workspace: Workspace, actor: Any, preset: str) -> ColumnMapping:
    """Save a built-in mapping under its preset name; when it is already saved unchanged, return that one."""
    _check_actor(workspace, actor)
    spec = PRESETS.get(preset) if isinstance(preset, str) else None
    if spec is None:
        raise ValidationError(
            {"preset": [_("Unknown preset; choose one of: %(presets)s.") % {"presets": ", ".join(PRESETS)}]}
        )
    columns, options = _clean(spec["columns"], spec["options"])
    existing = ColumnMapping.objects.filter(workspace=workspace, name__iexact=preset).first()
    if existing is not None and existing.columns == columns and existing.options == options:
        return existing
    return column_mapping_create(
        workspace=workspace, actor=actor, name=preset, columns=columns, options=options
    )


def mapping_for_import(*, workspace: Workspace, actor: Any, ref: Any) -> ColumnMapping:
    """The saved mapping named (or numbered) ``ref``; a preset's name not yet saved is saved first.

    So `socialops import posts FILE --mapping facebook-page-export` works on a fresh workspace.
    """
    _check_actor(workspace, actor)
    mapping = column_mapping_find(workspace=workspace, ref=ref)
    if mapping is not None:
        return mapping
    if isinstance(ref, str) and ref.strip() in PRESETS:
        return column_mapping_preset(workspace=workspace, actor=actor, preset=ref.strip())
    names = list(ColumnMapping.objects.filter(workspace=workspace).values_list("name", flat=True)[:20])
    raise ValidationError(
        {
            "mapping": [
                _(
                    "No column mapping “%(ref)s” in this workspace. Saved mappings: %(names)s; presets: %(presets)s."
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
# Post imports


def _write_posts(
    *,
    workspace: Workspace,
    account: SocialAccount,
    rows: Sequence[ParsedPost],
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Upsert validated rows with one read and a few bulk writes; call inside a transaction."""
    counts = {"rows": len(rows), "created": 0, "updated": 0, "unchanged": 0}
    # One read of the account's posts rather than an IN list that could pass SQLite's limit.
    existing = {
        post.external_id: post
        for post in PostRecord.objects.select_for_update().filter(workspace=workspace, account=account)
    }
    now = timezone.now()
    to_create: list[PostRecord] = []
    to_update: list[PostRecord] = []
    changed_fields: set[str] = set()
    for row in rows:
        post = existing.get(row.external_id)
        if post is None:
            to_create.append(
                PostRecord(
                    workspace=workspace,
                    account=account,
                    external_id=row.external_id,
                    source="import",
                    **row.values,
                )
            )
            continue
        changed = [name for name, value in row.values.items() if getattr(post, name) != value]
        if not changed:
            counts["unchanged"] += 1
            continue
        for name in changed:
            setattr(post, name, row.values[name])
        post.source = "import"
        post.updated_at = now  # bulk_update does not run auto_now
        changed_fields.update(changed)
        to_update.append(post)

    done = counts["unchanged"]
    if on_progress is not None:
        on_progress(done)
    for batch in batches(to_create, BATCH_SIZE):
        PostRecord.objects.bulk_create(batch)
        done += len(batch)
        if on_progress is not None:
            on_progress(done)
    update_fields = [*sorted(changed_fields), "source", "updated_at"]
    for batch in batches(to_update, BATCH_SIZE):
        PostRecord.objects.bulk_update(batch, update_fields)
        done += len(batch)
        if on_progress is not None:
            on_progress(done)
    counts["created"] = len(to_create)
    counts["updated"] = len(to_update)
    return counts


# Over 80 lines, but one straight path (check, read outside the write lock, write in one
# transaction) that reads best in one place, like goals' metrics_import.
def posts_import(
    *,
    workspace: Workspace,
    actor: Any,
    account: SocialAccount,
    mapping: ColumnMapping,
    file_name: str,
    content: bytes,
    progress: Progress | None = None,
) -> PostImport:
    """Import an account's post export (CSV/XLSX) through a saved mapping, whole or not at all.

    Raises PostsImportRejected listing every bad row. Importing the same file again changes
    nothing (every row counts as unchanged); each run is recorded with the file's SHA-256.
    """
    _check_actor(workspace, actor)
    if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
        raise ValidationError({"account": [_("Choose an account of this workspace.")]})
    if not isinstance(mapping, ColumnMapping) or mapping.workspace_id != workspace.pk:
        raise ValidationError({"mapping": [_("Choose a mapping of this workspace.")]})
    file_name = clean_file_name(file_name, FILE_NAME_MAX_CHARS)
    # A mapping saved before a rule was added is checked again rather than trusted.
    columns, options, mapping_errors = clean_mapping(mapping.columns, mapping.options)
    if mapping_errors:
        raise PostsImportRejected(mapping_errors_as_rows(mapping_errors))

    # Reading and validating happen before the write transaction opens (SQLite's write lock);
    # progress runs over two passes of the rows, validating and then writing, like the metrics import.
    passes = TwoPassProgress(progress)
    parsed = parse_posts_file(
        workspace=workspace,
        file_name=file_name,
        content=content,
        columns=columns,
        options=options,
        progress=passes.validating,
    )
    if parsed.errors:
        raise PostsImportRejected(parsed.errors)
    passes.rows = len(parsed.rows)

    try:
        with transaction.atomic():
            counts = _write_posts(
                workspace=workspace, account=account, rows=parsed.rows, on_progress=passes.writing
            )
            record = PostImport.objects.create(
                workspace=workspace,
                account=account,
                mapping=mapping,
                file_name=file_name,
                created_by=user_or_none(actor),
                **import_record_fields(content, counts),
            )
            audit_record(
                workspace=workspace,
                actor=actor,
                action="post_import.create",
                obj=record,
                after=snapshot(record, exclude={"created_at"}),
            )
            if counts["created"] or counts["updated"]:
                # New or changed post texts concern higher apps (review's originality index).
                posts_imported.send(workspace=workspace, actor=actor, record=record)
    except IntegrityError as exc:
        # Another import of the same account added the same post since we read.
        raise ValidationError(
            {"__all__": [_("These posts were changed by someone else at the same time; try again.")]}
        ) from exc
    return record


# Fields a caller may set on one post through post_record_upsert: what an import may fill but the
# key (external_id), plus the links to our own content and where the figures came from.
POST_RECORD_FIELDS = frozenset({*TARGET_FIELDS, "theme", "content_item", "source"} - {"external_id"})


@transaction.atomic
def post_record_upsert(
    *, workspace: Workspace, actor: Any, account: SocialAccount, external_id: str, **fields: Any
) -> tuple[PostRecord, str]:
    """Create or update one post of an account by its platform id: "created", "updated" or "unchanged"."""
    _check_actor(workspace, actor)
    errors: dict[str, list[str]] = {}
    if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
        errors["account"] = [_("Choose an account of this workspace.")]
    if not isinstance(external_id, str) or not external_id.strip() or len(external_id) > 128:
        errors["external_id"] = [_("Give the post's platform id (at most 128 characters).")]
    unknown = sorted(set(fields) - POST_RECORD_FIELDS)
    if unknown:
        errors["__all__"] = [_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)}]
    for name in ("theme", "content_item"):
        value = fields.get(name)
        if value is not None and getattr(value, "workspace_id", None) != workspace.pk:
            errors[name] = [_("Choose one of this workspace.")]
    if errors:
        raise ValidationError(errors)
    existing = (
        PostRecord.objects.select_for_update()
        .filter(workspace=workspace, account=account, external_id=external_id)
        .first()
    )
    if existing is None:
        record = PostRecord(workspace=workspace, account=account, external_id=external_id, **fields)
        record.full_clean(validate_unique=False, validate_constraints=False)
        record.save()
        audit_record(
            workspace=workspace,
            actor=actor,
            action="post_record.create",
            obj=record,
            object_repr=f"{account.handle} {external_id}",
            after=edit_snapshot(record),
        )
        return record, "created"
    changed = {name: value for name, value in fields.items() if getattr(existing, name) != value}
    if not changed:
        return existing, "unchanged"
    before = edit_snapshot(existing)
    for name, value in changed.items():
        setattr(existing, name, value)
    existing.full_clean(validate_unique=False, validate_constraints=False)
    existing.save()
    audit_record(
        workspace=workspace,
        actor=actor,
        action="post_record.update",
        obj=existing,
        object_repr=f"{account.handle} {external_id}",
        before=before,
        after=edit_snapshot(existing),
    )
    return existing, "updated"
