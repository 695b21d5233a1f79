"""Writes on themes and their target mix, content items and their per-platform variants (R2.1, R2.2).

Every function checks Perm.CONTENT_EDIT (unless the actor is the system), validates with
field-named messages and writes an audit entry in the same transaction. Items and variants
carry a version: a save based on an older version is refused with who changed it and when,
so two people editing the same article never silently overwrite each other.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max, Model, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import Platform, SocialAccount
from socialops.core.actors import user_or_none
from socialops.core.validation import Errors
from socialops.core.validation import add_error as _add
from socialops.core.validation import clean_text as _text
from socialops.textkit.platform_rules import max_length
from socialops.workspaces.access import ensure_perm, ensure_same_workspace
from socialops.workspaces.audit import audit_record, snapshot
from socialops.workspaces.models import AuditEntry, Workspace
from socialops.workspaces.roles import Perm

from ..models import (
    ContentForm,
    ContentItem,
    ContentVariant,
    Importance,
    MediaAsset,
    MediaKind,
    Theme,
    ThemeTarget,
)
from ..selectors.items import ordered_images, ordered_media

THEME_NAME_MAX = 50
THEME_DESCRIPTION_MAX = 2000
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
VARIANT_BODY_MAX = 50_000
VARIANT_AUTHOR_MAX = 50
VARIANT_MEDIA_MAX = 18
HASHTAGS_MAX = 30
HASHTAG_LENGTH_MAX = 50
LINK_MAX = 500
# 视频号's short title limit, from the platform-rule table (the one place limits are kept).
SHORT_TITLE_MAX = max_length("channels", "title", "video") or 16
# Short posts and Q&A often have no headline: their title (the item's name in lists and the
# calendar) defaults to the start of the body.
DERIVED_TITLE_LENGTH = 30

COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
CALENDAR_LINK_RE = re.compile(r"^(?:(?:festival|commerce):[a-z0-9_]{1,40}:\d{4}|entry:[1-9]\d{0,17})$")

# (key, Chinese name, English name, colour, needs expert review): the seed plan's five themes.
DEFAULT_THEMES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("industry_news", "行业动态", "Industry news", "#1f77b4", False),
    ("product", "产品介绍", "Product introductions", "#ff7f0e", False),
    ("user_stories", "用户故事", "User stories", "#2ca02c", False),
    ("expert", "专家观点", "Expert opinions", "#9467bd", True),
    ("tips", "实用技巧", "Practical tips", "#17becf", False),
)

THEME_FIELDS = ("name", "color", "description", "needs_expert_review", "position")
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
    "cover",
    "images",
    "video",
    "live_starts_at",
    "live_host",
    "live_outline",
)
VARIANT_FIELDS = ("title", "body", "digest", "author", "hashtags", "link_url", "media", "extra")

# Fields only some forms use. On create, a value for another form is an error; when an update
# changes the form, the old form's own fields are cleared unless the caller sets them.
FORM_ONLY_FIELDS: dict[str, frozenset[str]] = {
    "images": frozenset({ContentForm.ARTICLE, ContentForm.SHORT_POST, ContentForm.QA}),
    "video": frozenset({ContentForm.VIDEO}),
    "live_starts_at": frozenset({ContentForm.LIVE}),
    "live_host": frozenset({ContentForm.LIVE}),
    "live_outline": frozenset({ContentForm.LIVE}),
}


class VersionConflict(ValidationError):
    """A save based on an older version than the stored one (someone else saved in between)."""


def set_ordered(manager: Any, objects: list[Any]) -> None:
    """Replace a many-to-many set keeping the given order (the through rows' ids record it).

    ``add(*objects)`` inserts in no particular order, and a short post's nine images must
    appear in the order the writer chose, so they are added one by one.
    """
    manager.clear()
    for obj in objects:
        manager.add(obj)


def _check_perm(workspace: Workspace, actor: Any) -> None:
    # actor None is the system (demo seed, imports, jobs): no role to check, still audited.
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.CONTENT_EDIT)


def _bool(value: Any, field: str, errors: Errors) -> bool:
    if not isinstance(value, bool):
        _add(errors, field, _("Enter true or false."))
        return False
    return value


def _ids(value: Any) -> Any:
    """A model instance or an id → the id (what callers pass differs: forms objects, API ids)."""
    return value.pk if isinstance(value, Model) else value


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _last_change(workspace: Workspace, obj: Model) -> tuple[str, dt.datetime | None]:
    """Who saved the object last and when, from the audit log (every save writes one entry)."""
    entry = (
        AuditEntry.objects.filter(
            workspace=workspace, object_type=obj._meta.label_lower, object_id=str(obj.pk)
        )
        .order_by("-id")  # insertion order: the last save, even if clocks disagree
        .first()
    )
    if entry is None:
        return "", getattr(obj, "updated_at", None)
    return entry.actor_name, entry.created_at


def _conflict(workspace: Workspace, actor: Any, obj: Model, expected: Any, current: int) -> VersionConflict:
    who, when = _last_change(workspace, obj)
    if actor is not None and who and who == getattr(actor, "username", None):
        who = _("you (in another window)")
    elif not who or who == "system":
        who = _("an automatic process") if who == "system" else _("someone else")
    when_text = timezone.localtime(when, workspace.tz).strftime("%Y-%m-%d %H:%M") if when else "?"
    message = _(
        "“%(title)s” was changed by %(who)s at %(when)s since you opened it "
        "(you edited version %(expected)s, it is now version %(current)d). Nothing was saved: "
        "keep your text, open the current version and apply your changes to it."
    ) % {"title": str(obj)[:80], "who": who, "when": when_text, "expected": expected, "current": current}
    return VersionConflict({"version": [message]}, code="conflict")


def _locked_version(model: type[Model], obj: Model) -> int:
    """Lock the row for this transaction and return its stored version."""
    row = model._default_manager.select_for_update().filter(pk=obj.pk).values_list("version", flat=True)  # type: ignore[attr-defined]
    version = row.first()
    if version is None:
        raise ValidationError({"version": [_("This was deleted in the meantime.")]})
    return int(version)


def _check_expected_version(
    workspace: Workspace, actor: Any, model: type[Model], obj: Model, expected_version: Any
) -> None:
    if not _is_id(expected_version):
        raise ValidationError({"version": [_("Give the version you edited (a whole number).")]})
    current = _locked_version(model, obj)
    if current != expected_version:
        raise _conflict(workspace, actor, obj, expected_version, current)


def _after_save(workspace: Workspace, actor: Any, item: ContentItem, action: str) -> None:
    """Record a revision, run the checks and send an approved item back to review (review app, R2.7/R2.8).

    Runs in the save's transaction: a save without its revision and findings never lands.
    """
    from socialops.review.services.workflow import item_saved

    item_saved(workspace=workspace, actor=actor, item=item, action=action)


# ---- themes ---------------------------------------------------------------------------------


def _clean_theme(
    workspace: Workspace, data: dict[str, Any], errors: Errors, theme: Theme | None
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "name" in data:
        name = _text(data["name"], "name", errors, max_length=THEME_NAME_MAX, required=True)
        others = Theme.objects.filter(workspace=workspace, name__iexact=name)
        if theme is not None:
            others = others.exclude(pk=theme.pk)
        clash = others.exists()
        if name and clash:
            _add(errors, "name", _("This workspace already has a theme “%(name)s”.") % {"name": name})
        cleaned["name"] = name
    if "color" in data:
        color = data["color"]
        if not isinstance(color, str) or not COLOR_RE.match(color.strip()):
            _add(errors, "color", _("Use a colour like #1f77b4."))
        else:
            cleaned["color"] = color.strip().lower()
    if "description" in data:
        cleaned["description"] = _text(
            data["description"], "description", errors, max_length=THEME_DESCRIPTION_MAX
        )
    if "needs_expert_review" in data:
        cleaned["needs_expert_review"] = _bool(data["needs_expert_review"], "needs_expert_review", errors)
    if "position" in data and data["position"] is not None:
        position = data["position"]
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position <= 1000:
            _add(errors, "position", _("Enter a whole number from 0 to 1000."))
        else:
            cleaned["position"] = position
    return cleaned


def _next_theme_position(workspace: Workspace) -> int:
    top = Theme.objects.filter(workspace=workspace).aggregate(top=Max("position"))["top"]
    return 0 if top is None else min(int(top) + 1, 1000)


@transaction.atomic
def theme_create(
    *,
    workspace: Workspace,
    actor: Any,
    name: str,
    color: str = "#1f77b4",
    description: str = "",
    needs_expert_review: bool = False,
    position: int | None = None,
) -> Theme:
    """Add a content theme (内容主题) with its calendar colour."""
    _check_perm(workspace, actor)
    errors: Errors = {}
    cleaned = _clean_theme(
        workspace,
        {
            "name": name,
            "color": color,
            "description": description,
            "needs_expert_review": needs_expert_review,
            "position": position,
        },
        errors,
        None,
    )
    if errors:
        raise ValidationError(errors)
    cleaned.setdefault("position", _next_theme_position(workspace))
    theme = Theme.objects.create(workspace=workspace, **cleaned)
    audit_record(workspace=workspace, actor=actor, action="theme.create", obj=theme, after=snapshot(theme))
    return theme


@transaction.atomic
def theme_update(*, workspace: Workspace, actor: Any, theme: Theme, **fields: Any) -> Theme:
    """Rename a theme, change its colour, description, order or expert sign-off."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, theme, "theme")
    unknown = set(fields) - set(THEME_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    errors: Errors = {}
    cleaned = _clean_theme(workspace, fields, errors, theme)
    if errors:
        raise ValidationError(errors)
    before = snapshot(theme)
    for key, value in cleaned.items():
        setattr(theme, key, value)
    theme.save()
    audit_record(
        workspace=workspace,
        actor=actor,
        action="theme.update",
        obj=theme,
        before=before,
        after=snapshot(theme),
    )
    return theme


@transaction.atomic
def theme_delete(*, workspace: Workspace, actor: Any, theme: Theme) -> None:
    """Delete a theme no content item uses and no account's target mix gives a share."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, theme, "theme")
    items = list(
        ContentItem.objects.filter(workspace=workspace, theme=theme).values_list("title", flat=True)[:4]
    )
    if items:
        count = ContentItem.objects.filter(workspace=workspace, theme=theme).count()
        shown = "、".join(f"“{t}”" for t in items[:3])
        raise ValidationError(
            {
                "theme": [
                    _(
                        "“%(theme)s” cannot be deleted: %(count)d content items use it (%(items)s). "
                        "Move them to another theme first."
                    )
                    % {"theme": theme.name, "count": count, "items": shown}
                ]
            }
        )
    targeted = list(
        ThemeTarget.objects.filter(workspace=workspace, theme=theme, share__gt=0)
        .select_related("account")
        .order_by("account__display_name")
    )
    if targeted:
        names = "、".join(t.account.display_name for t in targeted[:5])
        raise ValidationError(
            {
                "theme": [
                    _(
                        "“%(theme)s” cannot be deleted: it has a target share in the mix of %(accounts)s. "
                        "Set those accounts' target shares without it first."
                    )
                    % {"theme": theme.name, "accounts": names}
                ]
            }
        )
    audit_record(workspace=workspace, actor=actor, action="theme.delete", obj=theme, before=snapshot(theme))
    try:
        theme.delete()
    except (ProtectedError, RestrictedError) as exc:
        # Records that keep the theme on purpose (its items, other apps' rows) block the deletion.
        blocking = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in blocking})
        raise ValidationError(
            {
                "theme": [
                    _("This theme cannot be deleted while it still has %(kinds)s.")
                    % {"kinds": ", ".join(kinds)}
                ]
            }
        ) from exc


@transaction.atomic
def themes_create_defaults(*, workspace: Workspace, actor: Any) -> list[Theme]:
    """Add the five default themes the workspace lacks, named in its language; returns those added."""
    _check_perm(workspace, actor)
    chinese = (workspace.locale or "").lower().startswith("zh")
    existing = {n.lower() for n in Theme.objects.filter(workspace=workspace).values_list("name", flat=True)}
    position = _next_theme_position(workspace)
    created: list[Theme] = []
    for _key, zh_name, en_name, color, expert in DEFAULT_THEMES:
        # Either language's name counts as present, so switching the workspace language never duplicates.
        if zh_name.lower() in existing or en_name.lower() in existing:
            continue
        theme = Theme.objects.create(
            workspace=workspace,
            name=zh_name if chinese else en_name,
            color=color,
            needs_expert_review=expert,
            position=position,
        )
        position = min(position + 1, 1000)
        audit_record(
            workspace=workspace, actor=actor, action="theme.create", obj=theme, after=snapshot(theme)
        )
        created.append(theme)
    return created


def _check_our_account(workspace: Workspace, account: Any, field: str = "account") -> SocialAccount:
    if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
        raise ValidationError({field: [_("Not found.")]})
    if account.is_competitor:
        raise ValidationError(
            {
                field: [
                    _("“%(name)s” is a competitor's account, not one of ours.")
                    % {"name": account.display_name}
                ]
            }
        )
    return account


@transaction.atomic
def theme_targets_set(
    *, workspace: Workspace, actor: Any, account: SocialAccount, shares: dict[int, int]
) -> dict[int, int]:
    """Set an account's target theme mix (percent per theme id, summing to 100); empty = equal shares."""
    _check_perm(workspace, actor)
    _check_our_account(workspace, account)
    if not isinstance(shares, dict):
        raise ValidationError({"shares": [_("Give a share per theme.")]})
    themes = {t.pk: t for t in Theme.objects.filter(workspace=workspace)}
    errors: Errors = {}
    cleaned: dict[int, int] = {}
    for key, value in shares.items():
        theme_id = int(key) if isinstance(key, str) and key.isdigit() and len(key) < 19 else key
        if not _is_id(theme_id) or theme_id not in themes:
            _add(errors, "shares", _("Unknown theme: %(id)s.") % {"id": str(key)[:20]})
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            _add(
                errors,
                f"share_{theme_id}",
                _("The share of “%(theme)s” must be a whole percentage from 0 to 100.")
                % {"theme": themes[theme_id].name},
            )
            continue
        if value:
            cleaned[theme_id] = value
    total = sum(cleaned.values())
    if not errors and cleaned and total != 100:
        _add(
            errors,
            "shares",
            _("The shares must add up to 100%% (they add up to %(total)d%%).") % {"total": total},
        )
    if errors:
        raise ValidationError(errors)
    existing = ThemeTarget.objects.filter(workspace=workspace, account=account)
    before = {str(t.theme_id): t.share for t in existing}
    existing.delete()
    ThemeTarget.objects.bulk_create(
        ThemeTarget(workspace=workspace, account=account, theme_id=theme_id, share=share)
        for theme_id, share in sorted(cleaned.items())
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="theme_targets.set",
        obj=account,
        before={"shares": before},
        after={"shares": {str(k): v for k, v in sorted(cleaned.items())}},
    )
    return dict(sorted(cleaned.items()))


# ---- content items --------------------------------------------------------------------------


def _asset(workspace: Workspace, value: Any, field: str, kind: str, errors: Errors) -> MediaAsset | None:
    if value is None or value == "":
        return None
    value = _ids(value)
    asset = MediaAsset.objects.filter(workspace=workspace, pk=value).first() if _is_id(value) else None
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


def _assets(
    workspace: Workspace, values: Any, field: str, kind: str | None, errors: Errors, limit: int
) -> list[MediaAsset]:
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        _add(errors, field, _("Give a list of media assets."))
        return []
    ids: list[Any] = []
    for value in values:
        value = _ids(value)
        if value not in ids:
            ids.append(value)
        if len(ids) > limit:
            break
    if len(ids) > limit:
        _add(errors, field, _("At most %(max)d files.") % {"max": limit})
        return []
    bad = [v for v in ids if not _is_id(v)]
    found = {
        a.pk: a for a in MediaAsset.objects.filter(workspace=workspace, pk__in=[v for v in ids if _is_id(v)])
    }
    missing = bad + [v for v in ids if _is_id(v) and v not in found]
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
    if values is None:
        return []
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        _add(errors, "accounts", _("Give a list of accounts."))
        return []
    ids: list[Any] = []
    for value in values:
        value = _ids(value)
        if value not in ids:
            ids.append(value)
        if len(ids) > ACCOUNTS_MAX:
            _add(errors, "accounts", _("At most %(max)d accounts.") % {"max": ACCOUNTS_MAX})
            return []
    found = {
        a.pk: a
        for a in SocialAccount.objects.filter(workspace=workspace, pk__in=[v for v in ids if _is_id(v)])
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


def _calendar_resolver() -> Any:
    """The marketing calendar's link resolver, when that part of the app provides one."""
    try:
        from socialops.content.selectors.calendar import resolve_calendar_link  # type: ignore[attr-defined]
    except ImportError:
        return None
    return resolve_calendar_link


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
    resolve = _calendar_resolver()
    if resolve is not None:
        for key in links:
            try:
                found = resolve(workspace=workspace, key=key)
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
    user_id = _ids(value)
    user = (
        get_user_model().objects.filter(pk=user_id, memberships__workspace=workspace).first()
        if _is_id(user_id)
        else None
    )
    if user is None:
        _add(errors, "owner", _("The owner must be a member of this workspace."))
    return user


def _theme(workspace: Workspace, value: Any, errors: Errors) -> Theme | None:
    theme_id = _ids(value)
    theme = Theme.objects.filter(workspace=workspace, pk=theme_id).first() if _is_id(theme_id) else None
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
        cleaned["evergreen"] = _bool(data["evergreen"], "evergreen", errors)
    if "accounts" in data:
        cleaned["accounts"] = _accounts(workspace, data["accounts"], errors)
    if "calendar_links" in data:
        cleaned["calendar_links"] = _calendar_links(workspace, data["calendar_links"], errors)
    if "digest" in data:
        cleaned["digest"] = _text(data["digest"], "digest", errors, max_length=DIGEST_MAX)
    if "body" in data:
        cleaned["body"] = _text(data["body"], "body", errors, max_length=BODY_MAX)
    if "cover" in data:
        cleaned["cover"] = _asset(workspace, data["cover"], "cover", MediaKind.IMAGE, errors)
    if "images" in data:
        cleaned["images"] = _assets(
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


def _item_snapshot(item: ContentItem) -> dict[str, Any]:
    # updated_at changes on every save; leaving it out keeps each audit entry a diff of the edit.
    return snapshot(item, exclude={"updated_at"})


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
    cover: MediaAsset | int | None = None,
    images: Iterable[Any] = (),
    video: MediaAsset | int | None = None,
    live_starts_at: dt.datetime | None = None,
    live_host: str = "",
    live_outline: str = "",
) -> ContentItem:
    """Create a content item in one form (article, short post, video, live stream or Q&A)."""
    _check_perm(workspace, actor)
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
    if errors:
        raise ValidationError(errors)
    item = ContentItem(workspace=workspace, created_by=user_or_none(actor))
    _apply_item(item, state)
    item.save()
    item.accounts.set(state["accounts"])
    set_ordered(item.images, state["images"])
    audit_record(
        workspace=workspace, actor=actor, action="content_item.create", obj=item, after=_item_snapshot(item)
    )
    _after_save(workspace, actor, item, "item.create")
    return item


@transaction.atomic
def content_item_update(
    *, workspace: Workspace, actor: Any, item: ContentItem, expected_version: int, **fields: Any
) -> ContentItem:
    """Change an item; refused when someone saved a newer version since ``expected_version``."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, item, "item")
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    _check_expected_version(workspace, actor, ContentItem, item, expected_version)
    item.refresh_from_db()
    before = _item_snapshot(item)
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
    if errors:
        raise ValidationError(errors)
    accounts_before = sorted(a.pk for a in _item_state(item)["accounts"])
    images_before = [a.pk for a in ordered_images(item)]
    changed = any(getattr(item, k) != v for k, v in state.items() if k not in ("accounts", "images"))
    changed = changed or sorted(a.pk for a in state["accounts"]) != accounts_before
    changed = changed or [a.pk for a in state["images"]] != images_before
    if not changed:
        return item
    _apply_item(item, state)
    item.version += 1
    item.save()
    item.accounts.set(state["accounts"])
    if [a.pk for a in state["images"]] != images_before:
        set_ordered(item.images, state["images"])
    audit_record(
        workspace=workspace,
        actor=actor,
        action="content_item.update",
        obj=item,
        before=before,
        after=_item_snapshot(item),
    )
    _after_save(workspace, actor, item, "item.update")
    return item


@transaction.atomic
def content_item_delete(*, workspace: Workspace, actor: Any, item: ContentItem) -> None:
    """Delete an item with its variants and plan placements."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, item, "item")
    before = _item_snapshot(item)
    # The variants go with the item; keep them in the log so the deletion can be reconstructed.
    before["variants"] = [snapshot(v, exclude={"updated_at"}) for v in item.variants.all()]
    audit_record(workspace=workspace, actor=actor, action="content_item.delete", obj=item, before=before)
    try:
        item.delete()
    except ProtectedError as exc:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        raise ValidationError(
            {
                "item": [
                    _("This item cannot be deleted while it still has %(kinds)s.")
                    % {"kinds": ", ".join(kinds)}
                ]
            }
        ) from exc


# ---- variants -------------------------------------------------------------------------------

# Platform-specific fields a variant may carry in ``extra``, with their type. A platform not
# listed takes none: an unknown key is refused rather than stored and silently ignored.
EXTRA_FIELDS: dict[str, dict[str, str]] = {
    Platform.WECHAT_MP: {
        "need_open_comment": "bool",
        "only_fans_can_comment": "bool",
        "content_source_url": "url",
        # 发布 (freepublish: on the account's page, no push) or 群发 (mass send: pushed to followers).
        "send_mode": "choice:freepublish,mass",
        # A mass send to one follower tag instead of everyone.
        "tag_id": "int",
        # Mass-send quota: 订阅号 once a day, 服务号 four times a month.
        "account_type": "choice:subscription,service",
    },
    Platform.CHANNELS: {"short_title": "short_title"},
    # The app's safe domain (安全域名): statuses/share needs a link to it in every post.
    Platform.WEIBO: {"safe_domain": "host"},
}
HOST_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _clean_extra(platform: str, value: Any, errors: Errors) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        _add(errors, "extra", _("Give the platform fields as an object."))
        return {}
    allowed = EXTRA_FIELDS.get(platform, {})
    cleaned: dict[str, Any] = {}
    for key, raw in value.items():
        kind = allowed.get(key) if isinstance(key, str) else None
        if kind is None:
            supported = ", ".join(allowed) or _("none")
            _add(
                errors,
                "extra",
                _("“%(key)s” is not a field of %(platform)s variants (supported: %(supported)s).")
                % {"key": str(key)[:40], "platform": Platform(platform).label, "supported": supported},
            )
            continue
        if kind == "bool":
            if not isinstance(raw, bool):
                _add(errors, "extra", _("%(key)s must be true or false.") % {"key": key})
                continue
            cleaned[key] = raw
        elif kind == "url":
            url = _text(raw, "extra", errors, max_length=LINK_MAX)
            if url and not _valid_url(url):
                _add(errors, "extra", _("%(key)s must be an http(s) address.") % {"key": key})
                continue
            if url:
                cleaned[key] = url
        elif kind == "short_title":
            text = _text(raw, "extra", errors, max_length=SHORT_TITLE_MAX)
            if text:
                cleaned[key] = text
        elif kind.startswith("choice:"):
            options = kind.split(":", 1)[1].split(",")
            if raw not in options:
                _add(
                    errors,
                    "extra",
                    _("%(key)s must be one of %(options)s.") % {"key": key, "options": ", ".join(options)},
                )
                continue
            cleaned[key] = raw
        elif kind == "int":
            if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= 2**31:
                _add(errors, "extra", _("%(key)s must be a whole number of at least 0.") % {"key": key})
                continue
            cleaned[key] = raw
        elif kind == "host":
            host = (
                _text(raw, "extra", errors, max_length=253)
                .lower()
                .removeprefix("https://")
                .removeprefix("http://")
            )
            host = host.rstrip("/")
            if host and not HOST_RE.match(host):
                _add(
                    errors,
                    "extra",
                    _("%(key)s must be a domain name such as shop.example.com.") % {"key": key},
                )
                continue
            if host:
                cleaned[key] = host
    return cleaned


def _valid_url(url: str) -> bool:
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


def _clean_hashtags(value: Any, errors: Errors) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        # "#新品# #科技" or "新品, 科技": split on spaces, commas and the #s themselves.
        value = re.split(r"[\s,，、#]+", value)
    if not isinstance(value, Iterable):
        _add(errors, "hashtags", _("Give a list of hashtags."))
        return []
    tags: list[str] = []
    for item in value:
        if not isinstance(item, str):
            _add(errors, "hashtags", _("Each hashtag must be text."))
            return []
        tag = item.strip().strip("#").strip()
        if not tag:
            continue
        if "\x00" in tag or len(tag) > HASHTAG_LENGTH_MAX:
            _add(
                errors,
                "hashtags",
                _("“%(tag)s” is too long: at most %(max)d characters per hashtag.")
                % {"tag": tag[:40], "max": HASHTAG_LENGTH_MAX},
            )
            return []
        if tag not in tags:
            tags.append(tag)
    if len(tags) > HASHTAGS_MAX:
        _add(errors, "hashtags", _("At most %(max)d hashtags.") % {"max": HASHTAGS_MAX})
        return []
    return tags


def _clean_variant(
    workspace: Workspace, platform: str, data: dict[str, Any], errors: Errors
) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "title" in data:
        cleaned["title"] = _text(data["title"], "title", errors, max_length=TITLE_MAX)
    if "body" in data:
        cleaned["body"] = _text(data["body"], "body", errors, max_length=VARIANT_BODY_MAX)
    if "digest" in data:
        cleaned["digest"] = _text(data["digest"], "digest", errors, max_length=DIGEST_MAX)
    if "author" in data:
        cleaned["author"] = _text(data["author"], "author", errors, max_length=VARIANT_AUTHOR_MAX)
    if "hashtags" in data:
        cleaned["hashtags"] = _clean_hashtags(data["hashtags"], errors)
    if "link_url" in data:
        url = _text(data["link_url"], "link_url", errors, max_length=LINK_MAX)
        if url and "link_url" not in errors and not _valid_url(url):
            _add(errors, "link_url", _("Enter an http(s) address."))
        cleaned["link_url"] = url
    if "media" in data:
        cleaned["media"] = _assets(workspace, data["media"], "media", None, errors, VARIANT_MEDIA_MAX)
    if "extra" in data:
        cleaned["extra"] = _clean_extra(platform, data["extra"], errors)
    return cleaned


def _variant_snapshot(variant: ContentVariant) -> dict[str, Any]:
    return snapshot(variant, exclude={"updated_at"})


@transaction.atomic
def variant_create(
    *,
    workspace: Workspace,
    actor: Any,
    item: ContentItem,
    account: SocialAccount,
    title: str = "",
    body: str = "",
    digest: str = "",
    author: str = "",
    hashtags: Iterable[str] = (),
    link_url: str = "",
    media: Iterable[Any] = (),
    extra: dict[str, Any] | None = None,
) -> ContentVariant:
    """Write the version of an item for one of our accounts (empty fields fall back to the item's)."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, item, "item")
    _check_our_account(workspace, account)
    listed = list(item.accounts.values_list("pk", flat=True))
    if listed and account.pk not in listed:
        raise ValidationError(
            {
                "account": [
                    _("“%(item)s” is not meant for %(account)s: add the account to the item first.")
                    % {"item": item.title, "account": account.display_name}
                ]
            }
        )
    if ContentVariant.objects.filter(workspace=workspace, item=item, account=account).exists():
        raise ValidationError(
            {
                "account": [
                    _("“%(item)s” already has a variant for %(account)s: edit that one.")
                    % {"item": item.title, "account": account.display_name}
                ]
            }
        )
    errors: Errors = {}
    cleaned = _clean_variant(
        workspace,
        account.platform,
        {
            "title": title,
            "body": body,
            "digest": digest,
            "author": author,
            "hashtags": hashtags,
            "link_url": link_url,
            "media": media,
            "extra": extra,
        },
        errors,
    )
    if errors:
        raise ValidationError(errors)
    media_assets = cleaned.pop("media")
    variant = ContentVariant.objects.create(workspace=workspace, item=item, account=account, **cleaned)
    set_ordered(variant.media, media_assets)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="variant.create",
        obj=variant,
        after=_variant_snapshot(variant),
    )
    _after_save(workspace, actor, item, "variant.create")
    return variant


@transaction.atomic
def variant_update(
    *, workspace: Workspace, actor: Any, variant: ContentVariant, expected_version: int, **fields: Any
) -> ContentVariant:
    """Change a variant; refused when someone saved a newer version since ``expected_version``."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, variant, "variant")
    unknown = set(fields) - set(VARIANT_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    _check_expected_version(workspace, actor, ContentVariant, variant, expected_version)
    variant.refresh_from_db()
    errors: Errors = {}
    cleaned = _clean_variant(workspace, variant.account.platform, fields, errors)
    if errors:
        raise ValidationError(errors)
    before = _variant_snapshot(variant)
    media_assets = cleaned.pop("media", None)
    changed = any(getattr(variant, k) != v for k, v in cleaned.items())
    if media_assets is not None:
        changed = changed or [a.pk for a in media_assets] != [a.pk for a in ordered_media(variant)]
    if not changed:
        return variant
    for key, value in cleaned.items():
        setattr(variant, key, value)
    variant.version += 1
    variant.save()
    if media_assets is not None:
        set_ordered(variant.media, media_assets)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="variant.update",
        obj=variant,
        before=before,
        after=_variant_snapshot(variant),
    )
    _after_save(workspace, actor, variant.item, "variant.update")
    return variant


@transaction.atomic
def variant_delete(*, workspace: Workspace, actor: Any, variant: ContentVariant) -> None:
    """Delete a variant (the item and its other variants stay)."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, variant, "variant")
    audit_record(
        workspace=workspace,
        actor=actor,
        action="variant.delete",
        obj=variant,
        before=_variant_snapshot(variant),
    )
    item = variant.item
    variant.delete()
    _after_save(workspace, actor, item, "variant.delete")
