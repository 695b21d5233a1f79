"""Writes on social accounts and personas (each one permission-checked, validated and audited)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from socialops.core.validation import Errors, protected_delete_error, refuse_unknown_fields
from socialops.core.validation import add_error as _add
from socialops.core.validation import clean_text as _text
from socialops.workspaces.access import ensure_perm, ensure_same_workspace
from socialops.workspaces.audit import audit_delete, audit_saved, edit_snapshot, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .models import AgeBand, CityTier, Persona, Platform, SocialAccount

M = TypeVar("M", SocialAccount, Persona)

# Short labels, not essays: they are shown as badges and fed to the consistency checks.
MAX_LIST_ITEMS = 20
MAX_ITEM_LENGTH = 30

ACCOUNT_FIELDS = (
    "platform",
    "handle",
    "display_name",
    "is_competitor",
    "url",
    "positioning",
    "brand_traits",
    "market_position",
    "style_rules",
    "tone",
    "notes",
)
PERSONA_FIELDS = (
    "name",
    "age_band",
    "female_share",
    "city_tiers",
    "interests",
    "active_hours",
    "description",
)


def clean_label_list(value: Any, field: str, errors: Errors) -> list[str]:
    """Brand traits / interests: at most 20 distinct short labels, order kept."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        _add(errors, field, _("Give a list of short labels."))
        return []
    labels: list[str] = []
    for item in value:
        if not isinstance(item, str):
            _add(errors, field, _("Each entry must be text."))
            return []
        label = item.strip()
        if not label:
            continue
        if "\x00" in label:
            _add(errors, field, _("Null characters are not allowed."))
            return []
        if len(label) > MAX_ITEM_LENGTH:
            _add(
                errors,
                field,
                _("“%(label)s” is too long: at most %(max)d characters per entry.")
                % {"label": label[:40], "max": MAX_ITEM_LENGTH},
            )
            return []
        if label not in labels:
            labels.append(label)
    if len(labels) > MAX_LIST_ITEMS:
        _add(
            errors,
            field,
            _("At most %(max)d entries (got %(n)d).") % {"max": MAX_LIST_ITEMS, "n": len(labels)},
        )
        return []
    return labels


def _clean_city_tiers(value: Any, errors: Errors) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        _add(errors, "city_tiers", _("Give a list of city tiers."))
        return []
    tiers: list[str] = []
    for item in value:
        if item not in CityTier.values:
            _add(
                errors,
                "city_tiers",
                _("Unknown city tier: %(tier)s. Choose from %(choices)s.")
                % {"tier": str(item)[:40], "choices": ", ".join(CityTier.values)},
            )
            return []
        if item not in tiers:
            tiers.append(item)
    # Keep the tiers in their natural order (tier 1 first), whatever order they were picked in.
    return sorted(tiers, key=CityTier.values.index)


def _clean_hours(value: Any, errors: Errors) -> list[int]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        _add(errors, "active_hours", _("Give a list of hours from 0 to 23."))
        return []
    hours: set[int] = set()
    for item in value:
        # bool is an int in Python; True is not an hour.
        if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 23:
            _add(
                errors,
                "active_hours",
                _("Hours must be whole numbers from 0 to 23 (got %(value)s).") % {"value": str(item)[:20]},
            )
            return []
        hours.add(item)
    return sorted(hours)


def _clean_account(data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Normalise account fields, noting what is wrong in ``errors`` (checked with the rest later)."""
    cleaned: dict[str, Any] = {}
    if "platform" in data:
        platform = data["platform"]
        if platform not in Platform.values:
            _add(
                errors,
                "platform",
                _("Unknown platform: %(platform)s. Choose one of %(choices)s.")
                % {"platform": str(platform)[:40], "choices": ", ".join(Platform.values)},
            )
        cleaned["platform"] = platform
    for field in ("handle", "display_name"):
        if field in data:
            cleaned[field] = _text(data[field], field, errors, required=True)
    for field in ("url", "positioning", "market_position", "style_rules", "tone", "notes"):
        if field in data:
            cleaned[field] = _text(data[field], field, errors)
    if "is_competitor" in data:
        if not isinstance(data["is_competitor"], bool):
            _add(errors, "is_competitor", _("Enter true or false."))
        cleaned["is_competitor"] = bool(data["is_competitor"])
    if "brand_traits" in data:
        cleaned["brand_traits"] = clean_label_list(data["brand_traits"], "brand_traits", errors)
    return cleaned


def _check_account(account: SocialAccount, errors: Errors) -> None:
    """Model-level checks (lengths, URL) and the one-handle-per-platform rule; raise every field's error at once."""
    try:
        account.full_clean(exclude=["workspace"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        # A field already reported keeps its clearer message from the cleaning step.
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    duplicate = "platform" not in errors and (
        SocialAccount.objects.filter(
            workspace_id=account.workspace_id, platform=account.platform, handle__iexact=account.handle
        )
        .exclude(pk=account.pk)
        .exists()
    )
    if duplicate and "handle" not in errors:
        errors["handle"] = [
            _("This workspace already has the %(platform)s account “%(handle)s”.")
            % {"platform": account.get_platform_display(), "handle": account.handle}
        ]
    if errors:
        raise ValidationError(errors)


def _check_perm(workspace: Workspace, actor: Any) -> None:
    # actor None is the system (demo seed, imports run by jobs): no role to check, still audited.
    if actor is not None:
        ensure_perm(workspace=workspace, user=actor, perm=Perm.ACCOUNT_EDIT)


@transaction.atomic
def account_create(
    *,
    workspace: Workspace,
    actor: Any,
    platform: str,
    handle: str,
    display_name: str,
    is_competitor: bool = False,
    url: str = "",
    positioning: str = "",
    brand_traits: Iterable[str] = (),
    market_position: str = "",
    style_rules: str = "",
    tone: str = "",
    notes: str = "",
) -> SocialAccount:
    """Add one of our accounts, or a competitor's account to track."""
    _check_perm(workspace, actor)
    errors: Errors = {}
    cleaned = _clean_account(
        {
            "platform": platform,
            "handle": handle,
            "display_name": display_name,
            "is_competitor": is_competitor,
            "url": url,
            "positioning": positioning,
            "brand_traits": brand_traits,
            "market_position": market_position,
            "style_rules": style_rules,
            "tone": tone,
            "notes": notes,
        },
        errors,
    )
    account = SocialAccount(workspace=workspace, **cleaned)
    _check_account(account, errors)
    account.save()
    audit_saved(account, workspace=workspace, actor=actor, action="account.create", snap=edit_snapshot)
    return account


def _apply_checked(
    obj: M, cleaned: dict[str, Any], check: Callable[[M, Errors], None], errors: Errors
) -> None:
    """Set ``cleaned`` on ``obj`` and ``check`` it; when that fails ``obj`` is reloaded as stored."""
    for key, value in cleaned.items():
        setattr(obj, key, value)
    try:
        check(obj, errors)
    except ValidationError:
        # Leave the caller's object as it was: a failed edit must not show as applied.
        obj.refresh_from_db()
        raise


@transaction.atomic
def account_update(
    *, workspace: Workspace, actor: Any, account: SocialAccount, **fields: Any
) -> SocialAccount:
    """Change an account's profile: handle, positioning, brand traits, style and tone, …"""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, account, "account")
    refuse_unknown_fields(fields, ACCOUNT_FIELDS)
    errors: Errors = {}
    cleaned = _clean_account(fields, errors)
    before = edit_snapshot(account)
    _apply_checked(account, cleaned, _check_account, errors)
    account.save()
    audit_saved(
        account,
        workspace=workspace,
        actor=actor,
        action="account.update",
        before=before,
        snap=edit_snapshot,
    )
    return account


@transaction.atomic
def account_delete(*, workspace: Workspace, actor: Any, account: SocialAccount) -> None:
    """Delete an account with its personas and metric snapshots."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, account, "account")
    before = edit_snapshot(account)
    # The personas go with the account; name them in the log so the deletion can be reconstructed.
    before["personas"] = [snapshot(p) for p in account.personas.all()]
    try:
        audit_delete(account, workspace=workspace, actor=actor, action="account.delete", before=before)
    except ProtectedError as exc:
        # Records other apps keep on purpose (e.g. published posts) block the deletion; say so
        # instead of failing, and the transaction drops the audit entry written before it.
        message = _("This account cannot be deleted while it still has %(kinds)s.")
        raise protected_delete_error(exc, "account", message) from exc


def _clean_persona(data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """Normalise persona fields, noting what is wrong in ``errors``."""
    cleaned: dict[str, Any] = {}
    if "name" in data:
        cleaned["name"] = _text(data["name"], "name", errors, required=True)
    if "description" in data:
        cleaned["description"] = _text(data["description"], "description", errors)
    if "age_band" in data:
        if data["age_band"] not in AgeBand.values:
            _add(
                errors,
                "age_band",
                _("Unknown age band: %(value)s. Choose one of %(choices)s.")
                % {"value": str(data["age_band"])[:20], "choices": ", ".join(AgeBand.values)},
            )
        cleaned["age_band"] = data["age_band"]
    if "female_share" in data:
        share = data["female_share"]
        if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
            _add(errors, "female_share", _("Enter a whole percentage from 0 to 100."))
        cleaned["female_share"] = share
    if "city_tiers" in data:
        cleaned["city_tiers"] = _clean_city_tiers(data["city_tiers"], errors)
    if "interests" in data:
        cleaned["interests"] = clean_label_list(data["interests"], "interests", errors)
    if "active_hours" in data:
        cleaned["active_hours"] = _clean_hours(data["active_hours"], errors)
    return cleaned


def _check_persona(persona: Persona, errors: Errors) -> None:
    """Model-level checks (lengths); raise every field's error at once."""
    try:
        persona.full_clean(exclude=["workspace", "account"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def persona_create(
    *,
    workspace: Workspace,
    actor: Any,
    account: SocialAccount,
    name: str,
    age_band: str,
    female_share: int = 50,
    city_tiers: Iterable[str] = (),
    interests: Iterable[str] = (),
    active_hours: Iterable[int] = (),
    description: str = "",
) -> Persona:
    """Describe a target-audience persona of an account."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, account, "account")
    errors: Errors = {}
    cleaned = _clean_persona(
        {
            "name": name,
            "age_band": age_band,
            "female_share": female_share,
            "city_tiers": city_tiers,
            "interests": interests,
            "active_hours": active_hours,
            "description": description,
        },
        errors,
    )
    persona = Persona(workspace=workspace, account=account, **cleaned)
    _check_persona(persona, errors)
    persona.save()
    audit_saved(persona, workspace=workspace, actor=actor, action="persona.create")
    return persona


@transaction.atomic
def persona_update(*, workspace: Workspace, actor: Any, persona: Persona, **fields: Any) -> Persona:
    """Change a persona's audience description."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, persona, "persona")
    refuse_unknown_fields(fields, PERSONA_FIELDS)
    errors: Errors = {}
    cleaned = _clean_persona(fields, errors)
    before = snapshot(persona)
    _apply_checked(persona, cleaned, _check_persona, errors)
    persona.save()
    audit_saved(persona, workspace=workspace, actor=actor, action="persona.update", before=before)
    return persona


@transaction.atomic
def persona_delete(*, workspace: Workspace, actor: Any, persona: Persona) -> None:
    """Delete a persona."""
    _check_perm(workspace, actor)
    ensure_same_workspace(workspace, persona, "persona")
    audit_delete(persona, workspace=workspace, actor=actor, action="persona.delete")
