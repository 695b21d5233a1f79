"""Writes on content items (R2.1): create, change (with the advertising flag), delete.

Every function checks Perm.CONTENT_EDIT (unless the actor is the system), validates with
field-named messages, writes an audit entry in the same transaction and tells higher apps the
item was saved (``common.after_save``: review records a revision and runs the checks there).
Items carry a version: a save based on an older version is refused with who changed it and when.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.actors import user_or_none
from socialops.core.validation import Errors, protected_delete_error, refuse_unknown_fields
from socialops.core.validation import add_error as _add
from socialops.core.validation import clean_text as _text
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, edit_snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import BodyFormat, ContentForm, ContentItem, Importance, MediaAsset, MediaKind, Theme
from ..rendering import stored_html
from ..selectors.calendar import resolve_calendar_link
from ..selectors.items import ordered_images
from .common import (
    after_save,
    check_expected_version,
    clean_bool,
    id_of,
    is_id,
    set_ordered,
)

TITLE_MAX = 200
DIGEST_MAX = 300
BODY_MAX = 100_000
SHORT_POST_BODY_MAX = 5_000
SHORT_POST_IMAGES_MAX = 9
ARTICLE_IMAGES_MAX = 30
HOST_MAX = 100
OUTLINE_MAX = 20_000
ACCOUNTS_MAX = 100
CALENDAR_LINKS_MAX = 20
# Short posts and Q&A often have no headline: their title (the item's name in lists and the
# calendar) defaults to the start of the body.
DERIVED_TITLE_LENGTH = 30

CALENDAR_LINK_RE = re.compile(r"^(?:(?:festival|commerce):[a-z0-9_]{1,40}:\d{4}|entry:[1-9]\d{0,17})$")

ITEM_FIELDS = (
    "title",
    "form",
    "theme",
    "owner",
    "importance",
    "deadline",
    "evergreen",
    "accounts",
    "calendar_links",
    "digest",
    "body",
    "body_format",
    "cover",
    "images",
    "video",
    "live_starts_at",
    "live_host",
    "live_outline",
)
# Fields only some forms use. On create, a value for another form is an error; when an update
# changes the form, the old form's own fields are cleared unless the caller sets them.
FORM_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "images": frozenset({ContentForm.ARTICLE, ContentForm.SHORT_POST, ContentForm.QA}),
    "video": frozenset({ContentForm.VIDEO}),
    "live_starts_at": frozenset({ContentForm.LIVE}),
    "live_host": frozenset({ContentForm.LIVE}),
    "live_outline": frozenset({ContentForm.LIVE}),
}


def _asset(workspace: Workspace, value: Any, field: str, kind: str, errors: Errors) -> MediaAsset | None:
    if value is None or value == "":
        return None
    value = id_of(value)
    asset = MediaAsset.objects.filter(workspace=workspace, pk=value).first() if is_id(value) else None
    if asset is None:
        _add(
            errors, field, _("Not found in this workspace's media library: %(id)s.") % {"id": str(value)[:20]}
        )
        return None
    if asset.kind != kind:
        message = (
            _("“%(name)s” is not an image.") if kind == MediaKind.IMAGE else _("“%(name)s” is not a video.")
        )
        _add(errors, field, message % {"name": asset.original_name})
        return None
    return asset


def _listed_ids(values: Any, field: str, errors: Errors, not_a_list: str, limit: int) -> list[Any]:
    """The distinct ids among ``values`` in their order, stopping once past ``limit``.

    [] for None, and [] with ``not_a_list`` as the field's error when ``values`` is no list.
    """
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        _add(errors, field, not_a_list)
        return []
    ids: list[Any] = []
    for value in values:
        value = id_of(value)
        if value not in ids:
            ids.append(value)
        if len(ids) > limit:
            break
    return ids


def clean_assets(
    workspace: Workspace, values: Any, field: str, kind: str | None, errors: Errors, limit: int
) -> list[MediaAsset]:
    """This workspace's media assets with these ids, in order and all of ``kind`` (None: any); else a field error."""
    ids = _listed_ids(values, field, errors, _("Give a list of media assets."), limit)
    if not ids:
        return []
    if len(ids) > limit:
        _add(errors, field, _("At most %(max)d files.") % {"max": limit})
        return []
    bad = [v for v in ids if not is_id(v)]
    found = {
        a.pk: a for a in MediaAsset.objects.filter(workspace=workspace, pk__in=[v for v in ids if is_id(v)])
    }
    missing = bad + [v for v in ids if is_id(v) and v not in found]
    if missing:
        _add(
            errors,
            field,
            _("Not found in this workspace's media library: %(ids)s.")
            % {"ids": ", ".join(str(v)[:20] for v in missing[:5])},
        )
        return []
    assets = [found[v] for v in ids]
    if kind is not None:
        wrong = [a.original_name for a in assets if a.kind != kind]
        if wrong:
            _add(
                errors,
                field,
                _("Not images: %(names)s.") % {"names": "、".join(wrong[:5])}
                if kind == MediaKind.IMAGE
                else _("Not videos: %(names)s.") % {"names": "、".join(wrong[:5])},
            )
            return []
    return assets


def _accounts(workspace: Workspace, values: Any, errors: Errors) -> list[SocialAccount]:
    ids = _listed_ids(values, "accounts", errors, _("Give a list of accounts."), ACCOUNTS_MAX)
    if not ids:
        return []
    if len(ids) > ACCOUNTS_MAX:
        _add(errors, "accounts", _("At most %(max)d accounts.") % {"max": ACCOUNTS_MAX})
        return []
    found = {
        a.pk: a
        for a in SocialAccount.objects.filter(workspace=workspace, pk__in=[v for v in ids if is_id(v)])
    }
    missing = [v for v in ids if v not in found]
    if missing:
        _add(
            errors,
            "accounts",
            _("Unknown accounts: %(ids)s.") % {"ids": ", ".join(str(v)[:20] for v in missing[:5])},
        )
        return []
    competitors = [found[v].display_name for v in ids if found[v].is_competitor]
    if competitors:
        _add(
            errors,
            "accounts",
            _("Competitors' accounts cannot carry our content: %(names)s.")
            % {"names": "、".join(competitors)},
        )
        return []
    return [found[v] for v in ids]


def _calendar_links(workspace: Workspace, values: Any, errors: Errors) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        _add(errors, "calendar_links", _("Give a list of calendar links."))
        return []
    links: list[str] = []
    for value in values:
        key = value.strip() if isinstance(value, str) else value
        if not isinstance(key, str) or not CALENDAR_LINK_RE.match(key):
            _add(
                errors,
                "calendar_links",
                _(
                    "“%(key)s” is not a calendar link. Use festival:<code>:<year>, "
                    "commerce:<code>:<year> or entry:<id>, e.g. festival:mid_autumn:2026."
                )
                % {"key": str(value)[:60]},
            )
            return []
        if key not in links:
            links.append(key)
    if len(links) > CALENDAR_LINKS_MAX:
        _add(errors, "calendar_links", _("At most %(max)d calendar links.") % {"max": CALENDAR_LINKS_MAX})
        return []
    for key in links:
        try:
            found = resolve_calendar_link(workspace=workspace, key=key)
        except Exception:  # the resolver signals an unknown key by raising or by returning None
            found = None
        if found is None:
            _add(
                errors,
                "calendar_links",
                _("“%(key)s” is not on this workspace's marketing calendar.") % {"key": key},
            )
            return []
    return links


def _owner(workspace: Workspace, value: Any, errors: Errors) -> Any:
    if value is None or value == "":
        return None
    user_id = id_of(value)
    user = (
        get_user_model().objects.filter(pk=user_id, memberships__workspace=workspace).first()
        if is_id(user_id)
        else None
    )
    if user is None:
        _add(errors, "owner", _("The owner must be a member of this workspace."))
    return user


def _theme(workspace: Workspace, value: Any, errors: Errors) -> Theme | None:
    theme_id = id_of(value)
    theme = Theme.objects.filter(workspace=workspace, pk=theme_id).first() if is_id(theme_id) else None
    if theme is None:
        _add(
            errors,
            "theme",
            _("Choose one of this workspace's themes.") if value in (None, "") else _("Unknown theme."),
        )
    return theme


def _date(value: Any, field: str, errors: Errors) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        _add(errors, field, _("Enter a date (YYYY-MM-DD)."))
        return None
    return value


def _datetime(value: Any, field: str, errors: Errors, workspace: Workspace) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, dt.datetime):
        _add(errors, field, _("Enter a date and time."))
        return None
    if timezone.is_naive(value):
        # A time without a zone is the workspace's local time (what the team sees on its calendar).
        value = timezone.make_aware(value, workspace.tz)
    return value


def _item_state(item: ContentItem) -> dict[str, Any]:
    """The item's editable fields as the service sees them (m2m as lists of objects)."""
    state = {name: getattr(item, name) for name in ITEM_FIELDS if name not in ("accounts", "images")}
    state["accounts"] = list(item.accounts.all()) if item.pk else []
    state["images"] = ordered_images(item) if item.pk else []
    return state


def _clean_item(workspace: Workspace, data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Field by field: types, lengths, and that every referenced object is this workspace's."""
    cleaned: dict[str, Any] = {}
    if "form" in data:
        form = data["form"]
        if form not in ContentForm.values:
            _add(
                errors,
                "form",
                _("Unknown form: %(value)s. Choose one of %(choices)s.")
                % {"value": str(form)[:40], "choices": ", ".join(ContentForm.values)},
            )
        cleaned["form"] = form
    if "title" in data:
        cleaned["title"] = _text(data["title"], "title", errors, max_length=TITLE_MAX)
    if "theme" in data:
        cleaned["theme"] = _theme(workspace, data["theme"], errors)
    if "owner" in data:
        cleaned["owner"] = _owner(workspace, data["owner"], errors)
    if "importance" in data:
        if data["importance"] not in Importance.values:
            _add(
                errors,
                "importance",
                _("Unknown importance: %(value)s. Choose one of %(choices)s.")
                % {"value": str(data["importance"])[:40], "choices": ", ".join(Importance.values)},
            )
        cleaned["importance"] = data["importance"]
    if "deadline" in data:
        cleaned["deadline"] = _date(data["deadline"], "deadline", errors)
    if "evergreen" in data:
        cleaned["evergreen"] = clean_bool(data["evergreen"], "evergreen", errors)
    if "accounts" in data:
        cleaned["accounts"] = _accounts(workspace, data["accounts"], errors)
    if "calendar_links" in data:
        cleaned["calendar_links"] = _calendar_links(workspace, data["calendar_links"], errors)
    if "digest" in data:
        cleaned["digest"] = _text(data["digest"], "digest", errors, max_length=DIGEST_MAX)
    if "body" in data:
        cleaned["body"] = _text(data["body"], "body", errors, max_length=BODY_MAX)
    if "body_format" in data:
        if data["body_format"] not in BodyFormat.values:
            _add(
                errors,
                "body_format",
                _("Unknown body format: %(value)s. Choose one of %(choices)s.")
                % {"value": str(data["body_format"])[:40], "choices": ", ".join(BodyFormat.values)},
            )
        cleaned["body_format"] = data["body_format"]
    if "cover" in data:
        cleaned["cover"] = _asset(workspace, data["cover"], "cover", MediaKind.IMAGE, errors)
    if "images" in data:
        cleaned["images"] = clean_assets(
            workspace, data["images"], "images", MediaKind.IMAGE, errors, ARTICLE_IMAGES_MAX
        )
    if "video" in data:
        cleaned["video"] = _asset(workspace, data["video"], "video", MediaKind.VIDEO, errors)
    if "live_starts_at" in data:
        cleaned["live_starts_at"] = _datetime(data["live_starts_at"], "live_starts_at", errors, workspace)
    if "live_host" in data:
        cleaned["live_host"] = _text(data["live_host"], "live_host", errors, max_length=HOST_MAX)
    if "live_outline" in data:
        cleaned["live_outline"] = _text(data["live_outline"], "live_outline", errors, max_length=OUTLINE_MAX)
    return cleaned


def _empty(value: Any) -> bool:
    return value in (None, "", [], ())


def _check_item_state(
    state: dict[str, Any], errors: Errors, *, given: set[str], live_time_changed: bool
) -> None:
    """Rules of the whole item: what its form needs, and deadline-or-evergreen."""
    form = state.get("form")
    if form not in ContentForm.values:
        return  # already reported
    for field, forms in FORM_ONLY_FIELDS.items():
        if form not in forms and not _empty(state.get(field)):
            if field in given:
                _add(
                    errors,
                    field,
                    _("Not used by the form “%(form)s”; leave it empty.") % {"form": ContentForm(form).label},
                )
            else:
                # The form changed: the previous form's own fields go with it.
                state[field] = (
                    [] if field == "images" else (None if field in ("video", "live_starts_at") else "")
                )
    body = state.get("body") or ""
    if not state.get("title") and form in (ContentForm.SHORT_POST, ContentForm.QA) and body:
        first_line = body.strip().splitlines()[0].strip()
        state["title"] = first_line[:DERIVED_TITLE_LENGTH] + (
            "…" if len(first_line) > DERIVED_TITLE_LENGTH else ""
        )
    if not state.get("title") and "title" not in errors:
        _add(errors, "title", _("This field is required."))
    if form == ContentForm.ARTICLE:
        if not body and "body" not in errors:
            _add(errors, "body", _("An article needs a body (Markdown)."))
    elif form == ContentForm.SHORT_POST:
        if not body and "body" not in errors:
            _add(errors, "body", _("A short post needs its text."))
        elif len(body) > SHORT_POST_BODY_MAX and "body" not in errors:
            _add(
                errors,
                "body",
                _("A short post has at most %(max)d characters (this has %(n)d).")
                % {"max": SHORT_POST_BODY_MAX, "n": len(body)},
            )
        if len(state.get("images") or []) > SHORT_POST_IMAGES_MAX and "images" not in errors:
            _add(
                errors,
                "images",
                _("A short post has at most %(max)d images (this has %(n)d).")
                % {"max": SHORT_POST_IMAGES_MAX, "n": len(state["images"])},
            )
    elif form == ContentForm.VIDEO:
        if state.get("video") is None and "video" not in errors:
            _add(errors, "video", _("A video item needs a video file from the media library."))
    elif form == ContentForm.LIVE:
        starts = state.get("live_starts_at")
        if starts is None and "live_starts_at" not in errors:
            _add(errors, "live_starts_at", _("A live stream needs its start time."))
        elif starts is not None and live_time_changed and starts <= timezone.now():
            _add(errors, "live_starts_at", _("The live stream must start in the future."))
        if not state.get("live_host") and "live_host" not in errors:
            _add(errors, "live_host", _("A live stream needs a host."))
        if not state.get("live_outline") and "live_outline" not in errors:
            _add(
                errors, "live_outline", _("Plan the live stream's topic outline ahead (直播需提前策划话题).")
            )
    elif form == ContentForm.QA and not body and "body" not in errors:
        _add(errors, "body", _("Write the question the Q&A is about."))
    deadline, evergreen = state.get("deadline"), state.get("evergreen")
    if deadline is not None and evergreen and "deadline" not in errors:
        _add(errors, "deadline", _("An evergreen item has no deadline: clear one of the two."))
    elif deadline is None and not evergreen and "deadline" not in errors:
        _add(errors, "deadline", _("Give a deadline, or mark the item evergreen."))


def _gate_body(workspace: Workspace, state: dict[str, Any], errors: Errors) -> None:
    """A rich-text body is stored sanitised: the article allow-list, images of this library only.

    This is the gate every write goes through (page and API alike): a pasted ``<script>``, an
    event handler or a ``javascript:`` link never reaches the database, the pages or a platform.
    """
    if state.get("body_format") != BodyFormat.HTML:
        return
    if state.get("form") not in (ContentForm.ARTICLE, None) and "body_format" not in errors:
        _add(errors, "body_format", _("Rich text is for articles; other forms are written as plain text."))
        return
    images = set(
        MediaAsset.objects.filter(workspace=workspace, kind=MediaKind.IMAGE).values_list("pk", flat=True)
    )
    state["body"] = stored_html(
        state.get("body") or "",
        image_url=lambda asset_id: f"asset:{asset_id}" if asset_id in images else None,
    )
    if state.get("form") == ContentForm.ARTICLE and not state["body"] and "body" not in errors:
        _add(errors, "body", _("An article needs a body."))


def _apply_item(item: ContentItem, state: dict[str, Any]) -> None:
    for key, value in state.items():
        if key not in ("accounts", "images"):
            setattr(item, key, value)


@transaction.atomic
def content_item_create(
    *,
    workspace: Workspace,
    actor: Any,
    title: str,
    form: str,
    theme: Theme | int | None,
    owner: Any = None,
    importance: str = Importance.NORMAL,
    deadline: dt.date | None = None,
    evergreen: bool = False,
    accounts: Iterable[Any] = (),
    calendar_links: Iterable[str] = (),
    digest: str = "",
    body: str = "",
    body_format: str = BodyFormat.MARKDOWN,
    cover: MediaAsset | int | None = None,
    images: Iterable[Any] = (),
    video: MediaAsset | int | None = None,
    live_starts_at: dt.datetime | None = None,
    live_host: str = "",
    live_outline: str = "",
    is_advertising: bool = False,
) -> ContentItem:
    """Create a content item in one form (article, short post, video, live stream or Q&A)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    data = {
        "title": title,
        "form": form,
        "theme": theme,
        "owner": owner if owner is not None else user_or_none(actor),
        "importance": importance,
        "deadline": deadline,
        "evergreen": evergreen,
        "accounts": accounts,
        "calendar_links": calendar_links,
        "digest": digest,
        "body": body,
        "body_format": body_format,
        "cover": cover,
        "images": images,
        "video": video,
        "live_starts_at": live_starts_at,
        "live_host": live_host,
        "live_outline": live_outline,
    }
    errors: Errors = {}
    state = _clean_item(workspace, data, errors)
    given = {k for k, v in data.items() if not _empty(v) and k in FORM_ONLY_FIELDS}
    _check_item_state(state, errors, given=given, live_time_changed=True)
    _gate_body(workspace, state, errors)
    advertising = clean_bool(is_advertising, "is_advertising", errors)
    if errors:
        raise ValidationError(errors)
    item = ContentItem(workspace=workspace, created_by=user_or_none(actor), is_advertising=advertising)
    _apply_item(item, state)
    item.save()
    item.accounts.set(state["accounts"])
    set_ordered(item.images, state["images"])
    audit_saved(item, workspace=workspace, actor=actor, action="content_item.create", snap=edit_snapshot)
    after_save(workspace, actor, item, "item.create")
    return item


@transaction.atomic
def content_item_update(
    *,
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    expected_version: int,
    is_advertising: bool | None = None,
    **fields: Any,
) -> ContentItem:
    """Change an item and its advertising flag (None: leave it); refused when saved since ``expected_version``."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, item, "item")
    refuse_unknown_fields(fields, ITEM_FIELDS)
    check_expected_version(workspace, actor, ContentItem, item, expected_version)
    item.refresh_from_db()
    before = edit_snapshot(item)
    errors: Errors = {}
    cleaned = _clean_item(workspace, fields, errors)
    state = _item_state(item)
    old_starts = state.get("live_starts_at")
    state.update(cleaned)
    given = {k for k, v in fields.items() if not _empty(v) and k in FORM_ONLY_FIELDS}
    if "live_starts_at" in cleaned and cleaned["live_starts_at"] is None and "live_starts_at" in fields:
        given.discard("live_starts_at")
    live_time_changed = state.get("live_starts_at") != old_starts or (
        "form" in cleaned and cleaned["form"] != item.form
    )
    _check_item_state(state, errors, given=given, live_time_changed=live_time_changed)
    _gate_body(workspace, state, errors)
    if is_advertising is not None:
        clean_bool(is_advertising, "is_advertising", errors)
    if errors:
        raise ValidationError(errors)
    accounts_before = sorted(a.pk for a in _item_state(item)["accounts"])
    images_before = [a.pk for a in ordered_images(item)]
    changed = any(getattr(item, k) != v for k, v in state.items() if k not in ("accounts", "images"))
    changed = changed or sorted(a.pk for a in state["accounts"]) != accounts_before
    changed = changed or [a.pk for a in state["images"]] != images_before
    if changed:
        _apply_item(item, state)
        item.version += 1
        item.save()
        item.accounts.set(state["accounts"])
        if [a.pk for a in state["images"]] != images_before:
            set_ordered(item.images, state["images"])
        audit_saved(
            item,
            workspace=workspace,
            actor=actor,
            action="content_item.update",
            before=before,
            snap=edit_snapshot,
        )
    advertised = is_advertising is not None and _advertising_write(workspace, actor, item, is_advertising)
    if changed or advertised:
        after_save(workspace, actor, item, "item.update" if changed else "item.advertising")
    return item


def _advertising_write(workspace: Workspace, actor: Any, item: ContentItem, is_advertising: bool) -> bool:
    """Store the flag on the locked row with its own audit entry; False when it already was so.

    The flag is not part of the item's version: ticking it changes what the checks require
    (the platform's ad disclosure), not the text someone else may be editing.
    """
    current = ContentItem.objects.select_for_update().get(pk=item.pk)
    item.is_advertising = is_advertising
    if current.is_advertising == is_advertising:
        return False
    ContentItem.objects.filter(pk=item.pk).update(is_advertising=is_advertising, updated_at=timezone.now())
    audit_record(
        workspace=workspace,
        actor=actor,
        action="content_item.advertising",
        obj=item,
        before={"is_advertising": not is_advertising},
        after={"is_advertising": is_advertising},
    )
    return True


@transaction.atomic
def content_item_advertising_set(
    *, workspace: Workspace, actor: Any, item: ContentItem, is_advertising: bool
) -> ContentItem:
    """Mark an item as advertising/sponsored (it then needs the platform's ad disclosure) or not."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, item, "item")
    if not isinstance(is_advertising, bool):
        raise ValidationError({"is_advertising": [_("Enter true or false.")]})
    if _advertising_write(workspace, actor, item, is_advertising):
        after_save(workspace, actor, item, "item.advertising")
    return item


@transaction.atomic
def content_item_delete(*, workspace: Workspace, actor: Any, item: ContentItem) -> None:
    """Delete an item with its variants and plan placements."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, item, "item")
    before = edit_snapshot(item)
    # The variants go with the item; keep them in the log so the deletion can be reconstructed.
    before["variants"] = [edit_snapshot(v) for v in item.variants.all()]
    try:
        audit_delete(item, workspace=workspace, actor=actor, action="content_item.delete", before=before)
    except ProtectedError as exc:
        message = _("This item cannot be deleted while it still has %(kinds)s.")
        raise protected_delete_error(exc, "item", message) from exc
