"""Writes on the per-account variants of a content item (R2.2): its text, media and platform fields.

Every function checks Perm.CONTENT_EDIT (unless the actor is the system), validates with
field-named messages, writes an audit entry in the same transaction and tells higher apps the
item was saved (``common.after_save``). A variant carries a version like its item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from socialops.accounts.models import Platform, SocialAccount
from socialops.core.validation import Errors, refuse_unknown_fields
from socialops.core.validation import add_error as _add
from socialops.core.validation import clean_text as _text
from socialops.textkit.platform_rules import max_length
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_record, audit_saved, edit_snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from ..models import ContentItem, ContentVariant
from ..selectors.items import ordered_media
from .common import (
    after_save,
    check_expected_version,
    check_our_account,
    set_ordered,
)
from .items import DIGEST_MAX, TITLE_MAX, clean_assets

VARIANT_BODY_MAX = 50_000
VARIANT_AUTHOR_MAX = 50
VARIANT_MEDIA_MAX = 18
HASHTAGS_MAX = 30
HASHTAG_LENGTH_MAX = 50
LINK_MAX = 500
# 视频号's short title limit, from the platform-rule table (the one place limits are kept).
SHORT_TITLE_MAX = max_length("channels", "title", "video") or 16
VARIANT_FIELDS = ("title", "body", "digest", "author", "hashtags", "link_url", "media", "extra")

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
        cleaned["media"] = clean_assets(workspace, data["media"], "media", None, errors, VARIANT_MEDIA_MAX)
    if "extra" in data:
        cleaned["extra"] = _clean_extra(platform, data["extra"], errors)
    return cleaned


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
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, item, "item")
    check_our_account(workspace, account)
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
    audit_saved(variant, workspace=workspace, actor=actor, action="variant.create", snap=edit_snapshot)
    after_save(workspace, actor, item, "variant.create")
    return variant


@transaction.atomic
def variant_update(
    *, workspace: Workspace, actor: Any, variant: ContentVariant, expected_version: int, **fields: Any
) -> ContentVariant:
    """Change a variant; refused when someone saved a newer version since ``expected_version``."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, variant, "variant")
    refuse_unknown_fields(fields, VARIANT_FIELDS)
    check_expected_version(workspace, actor, ContentVariant, variant, expected_version)
    variant.refresh_from_db()
    errors: Errors = {}
    cleaned = _clean_variant(workspace, variant.account.platform, fields, errors)
    if errors:
        raise ValidationError(errors)
    before = edit_snapshot(variant)
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
    audit_saved(
        variant,
        workspace=workspace,
        actor=actor,
        action="variant.update",
        before=before,
        snap=edit_snapshot,
    )
    after_save(workspace, actor, variant.item, "variant.update")
    return variant


@transaction.atomic
def variant_delete(*, workspace: Workspace, actor: Any, variant: ContentVariant) -> None:
    """Delete a variant (the item and its other variants stay)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, variant, "variant")
    audit_record(
        workspace=workspace,
        actor=actor,
        action="variant.delete",
        obj=variant,
        before=edit_snapshot(variant),
    )
    item = variant.item
    variant.delete()
    after_save(workspace, actor, item, "variant.delete")
