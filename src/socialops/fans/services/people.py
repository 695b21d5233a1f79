"""Recording people: the one entry point for fans and interactions, and person matching.

Orders, the inbox, communities and the platform syncs all record people through this module:
``fan_record`` (a platform identity on one of our accounts, with its person),
``interaction_record`` (one thing a person did, stored once per platform id),
``person_for_customer`` (the person of a CRM customer id); merging two people found to be one
human is in ``services.merges``.

Recording is the system's business (what a platform or an import reported), so those services
take no actor; bulk callers (syncs, imports) pass ``audit=False`` and audit their run once.
Audit entries hold record ids only, never names, handles or phone numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.actors import SYSTEM
from socialops.workspaces.access import ensure_same_workspace
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace

from ..hooks import interaction_recorded
from ..models import (
    Fan,
    Interaction,
    InteractionKind,
    InteractionSource,
    Person,
)
from ..privacy import contact_encrypt, phone_hash, phone_normalise
from .merges import person_merge

# Kinds that are not activity: an unfollow does not make a person "active".
NOT_ACTIVITY = frozenset({InteractionKind.UNFOLLOW})


def _clip(value: Any, field: models.Field[Any, Any]) -> str:
    """A platform string stripped and cut to the column's length (an odd value is stored, not refused)."""
    text = value.strip() if isinstance(value, str) else ""
    return text[: field.max_length] if field.max_length else text


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


# ---- people by key -----------------------------------------------------------------------------


def _person_by_key(
    workspace: Workspace, key: str, value: str, *, display_name: str = "", seen_at: dt.datetime | None = None
) -> tuple[Person, bool]:
    """The workspace's person holding ``key`` = ``value``, created when none does (race-safe)."""
    found = Person.objects.filter(workspace=workspace, **{key: value}).first()
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            person = Person.objects.create(
                workspace=workspace,
                display_name=display_name,
                first_seen_at=seen_at,
                **{key: value},
            )
        return person, True
    except IntegrityError:
        # A concurrent call created the person with this key first: use theirs.
        return Person.objects.get(workspace=workspace, **{key: value}), False


def person_for_customer(
    *, workspace: Workspace, customer_id: str, display_name: str = "", audit: bool = True
) -> tuple[Person, bool]:
    """The person with this CRM customer id, created when new (race-safe); (person, created)."""
    customer_id = _clip(customer_id, _field(Person, "customer_id"))
    if not customer_id:
        raise ValidationError({"customer_id": [_("This field is required.")]})
    with transaction.atomic():
        person, created = _person_by_key(
            workspace,
            "customer_id",
            customer_id,
            display_name=_clip(display_name, _field(Person, "display_name")),
        )
        if created and audit:
            audit_record(
                workspace=workspace,
                actor=SYSTEM,
                action="person.create",
                obj=person,
                after={"source": "customer"},
            )
    return person, created


def person_for_phone(
    *, workspace: Workspace, phone: str, display_name: str = "", audit: bool = True
) -> tuple[Person, bool]:
    """The person with this phone number (matched by its keyed hash), created when new; (person, created).

    For people who give their number on our public pages (event registration). A new person keeps the
    number encrypted as contact details; a known one is left as it is.
    """
    digest = phone_hash(phone)
    if not digest:
        raise ValidationError({"phone": [_("Enter a valid mobile phone number.")]})
    with transaction.atomic():
        person, created = _person_by_key(
            workspace, "phone_hash", digest, display_name=_clip(display_name, _field(Person, "display_name"))
        )
        if created:
            contact = {"name": display_name, "phone": phone_normalise(phone)}
            Person.objects.filter(pk=person.pk).update(contact_encrypted=contact_encrypt(contact))
            person.refresh_from_db(fields=["contact_encrypted"])
            if audit:
                audit_record(
                    workspace=workspace,
                    actor=SYSTEM,
                    action="person.create",
                    obj=person,
                    after={"source": "phone"},
                )
    return person, created


def person_interaction_record(
    *,
    workspace: Workspace,
    person: Person,
    kind: str,
    occurred_at: dt.datetime,
    source: str,
    text: str = "",
    external_id: str = "",
    meta: dict[str, Any] | None = None,
    audit: bool = True,
) -> tuple[Interaction, bool]:
    """Store one thing a person did outside any platform account (our public pages); (interaction, created).

    ``external_id`` names the source row (e.g. "registration:12") and makes the call idempotent: the
    person's row is locked while it looks, so two calls for the same source store one interaction.
    """
    ensure_same_workspace(workspace, person, "person")
    errors: dict[str, list[str]] = {}
    if kind not in InteractionKind.values:
        errors["kind"] = [_("Unknown interaction kind.")]
    if source not in InteractionSource.values:
        errors["source"] = [_("Unknown interaction source.")]
    if not isinstance(occurred_at, dt.datetime) or timezone.is_naive(occurred_at):
        errors["occurred_at"] = [_("Enter a valid date/time.")]
    if errors:
        raise ValidationError(errors)
    external_id = _clip(external_id, _field(Interaction, "external_id"))
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if external_id:
            existing = Interaction.objects.filter(
                workspace=workspace, person=locked, account__isnull=True, external_id=external_id
            ).first()
            if existing is not None:
                return existing, False
        interaction = Interaction.objects.create(
            workspace=workspace,
            person=locked,
            kind=kind,
            occurred_at=occurred_at,
            text=text if isinstance(text, str) else "",
            external_id=external_id,
            source=source,
            meta=meta or {},
        )
        people = Person.objects.filter(pk=locked.pk)
        now = timezone.now()
        people.filter(Q(first_seen_at__isnull=True) | Q(first_seen_at__gt=occurred_at)).update(
            first_seen_at=occurred_at, updated_at=now
        )
        if kind not in NOT_ACTIVITY:
            people.filter(Q(last_active_at__isnull=True) | Q(last_active_at__lt=occurred_at)).update(
                last_active_at=occurred_at, updated_at=now
            )
        interaction_recorded.send(interaction=interaction)
        if audit:
            audit_record(
                workspace=workspace,
                actor=SYSTEM,
                action="interaction.create",
                obj=interaction,
                after={"kind": kind, "person": locked.pk, "source": source},
            )
    return interaction, True


# ---- fans --------------------------------------------------------------------------------------


def _existing_fan(account: SocialAccount, external_id: str) -> Fan | None:
    return Fan.objects.select_related("person").filter(account=account, external_id=external_id).first()


def _create_fan(
    workspace: Workspace, account: SocialAccount, external_id: str, fields: dict[str, Any], union_id: str
) -> tuple[Fan, bool]:
    """Insert the fan with its person in one savepoint; a concurrent insert wins and is returned."""
    seen = fields.get("last_seen_at") or fields.get("followed_at")
    try:
        with transaction.atomic():
            if union_id:
                person, _created = _person_by_key(
                    workspace, "union_id", union_id, display_name=fields["display_name"][:100], seen_at=seen
                )
            else:
                person = Person.objects.create(
                    workspace=workspace, display_name=fields["display_name"][:100], first_seen_at=seen
                )
            fan = Fan.objects.create(
                workspace=workspace,
                account=account,
                person=person,
                external_id=external_id,
                union_id=union_id,
                **fields,
            )
        return fan, True
    except IntegrityError:
        # Two calls raced to record the same identity: the savepoint dropped our person too.
        winner = _existing_fan(account, external_id)
        if winner is None:
            raise
        return winner, False


def _link_union_id(workspace: Workspace, fan: Fan, union_id: str) -> None:
    """A unionid learned for an existing fan: its person takes it, or is merged into the person holding it."""
    person = fan.person
    if person.union_id == union_id:
        return
    holder = Person.objects.filter(workspace=workspace, union_id=union_id).exclude(pk=person.pk).first()
    if holder is None:
        if person.union_id:
            return  # Another unionid already: two WeChat users cannot be one; leave it to a person to merge.
        try:
            with transaction.atomic():
                Person.objects.filter(pk=person.pk).update(union_id=union_id, updated_at=timezone.now())
            person.union_id = union_id
            return
        except IntegrityError:
            holder = Person.objects.filter(workspace=workspace, union_id=union_id).first()
            if holder is None:
                raise
    try:
        with transaction.atomic():
            person_merge(
                workspace=workspace, actor=SYSTEM, keep=holder, merge=person, reason="WeChat unionid"
            )
    except ValidationError:
        # The two cannot be merged automatically (e.g. both hold a coupon of one campaign): the
        # fan keeps its unionid and a member can merge by hand after sorting the conflict out.
        return
    fan.person = holder


def fan_record(
    *,
    workspace: Workspace,
    account: SocialAccount,
    external_id: str,
    handle: str = "",
    display_name: str = "",
    union_id: str = "",
    tags: Sequence[str] | None = None,
    followed_at: dt.datetime | None = None,
    seen_at: dt.datetime | None = None,
    following: bool | None = None,
    audit: bool = True,
) -> Fan:
    """Get or create the fan of (account, external_id) with its person, and bring its details up to date.

    A new fan joins the person holding its WeChat unionid, else a new person. Blank handle, name
    or unionid and ``tags=None`` leave what is stored; ``following`` True/False sets the follow
    state (``followed_at`` alone also means following). Two concurrent calls make one fan.
    """
    ensure_same_workspace(workspace, account, "account")
    external_id = _clip(external_id, _field(Fan, "external_id"))
    if not external_id:
        raise ValidationError({"external_id": [_("This field is required.")]})
    handle = _clip(handle, _field(Fan, "handle"))
    display_name = _clip(display_name, _field(Fan, "display_name"))
    union_id = _clip(union_id, _field(Fan, "union_id"))
    tag_list = None if tags is None else [str(t).strip()[:60] for t in tags if str(t).strip()]
    if followed_at is not None and following is None:
        following = True

    with transaction.atomic():
        fan = _existing_fan(account, external_id)
        created = False
        if fan is None:
            fields: dict[str, Any] = {
                "handle": handle,
                "display_name": display_name,
                "platform_tags": tag_list or [],
                "is_following": bool(following),
                "followed_at": followed_at if following else None,
                "last_seen_at": seen_at,
            }
            fan, created = _create_fan(workspace, account, external_id, fields, union_id)
        if created:
            if audit:
                audit_record(
                    workspace=workspace,
                    actor=SYSTEM,
                    action="fan.create",
                    obj=fan,
                    object_repr=f"fan {fan.pk}",
                    after={"account": account.pk, "person": fan.person_id},
                )
            return fan

        changed: list[str] = []
        if handle and fan.handle != handle:
            fan.handle = handle
            changed.append("handle")
        if display_name and fan.display_name != display_name:
            fan.display_name = display_name
            changed.append("display_name")
        if tag_list is not None and fan.platform_tags != tag_list:
            fan.platform_tags = tag_list
            changed.append("platform_tags")
        if following is True and not fan.is_following:
            fan.is_following = True
            fan.followed_at = followed_at or fan.followed_at
            changed += ["is_following", "followed_at"]
        elif following is True and followed_at is not None and fan.followed_at is None:
            fan.followed_at = followed_at
            changed.append("followed_at")
        elif following is False and fan.is_following:
            fan.is_following = False
            fan.unfollowed_at = seen_at or timezone.now()
            changed += ["is_following", "unfollowed_at"]
        if seen_at is not None and (fan.last_seen_at is None or seen_at > fan.last_seen_at):
            fan.last_seen_at = seen_at
            changed.append("last_seen_at")
        if union_id and fan.union_id != union_id:
            fan.union_id = union_id
            changed.append("union_id")
        if changed:
            fan.save(update_fields=[*changed, "updated_at"])
        if union_id:
            before_person = fan.person_id
            _link_union_id(workspace, fan, union_id)
            if fan.person_id != before_person:
                changed.append("person")
        if changed and audit:
            # Field names only: the values are names and handles, which the log must not hold.
            audit_record(
                workspace=workspace,
                actor=SYSTEM,
                action="fan.update",
                obj=fan,
                object_repr=f"fan {fan.pk}",
                after={"fields": sorted(changed)},
            )
    return fan


# ---- interactions ------------------------------------------------------------------------------


def _touch(fan: Fan, kind: str, occurred_at: dt.datetime) -> None:
    """Move the person's and the fan's activity times and the follow state forward (never back)."""
    now = timezone.now()
    people = Person.objects.filter(pk=fan.person_id)
    people.filter(Q(first_seen_at__isnull=True) | Q(first_seen_at__gt=occurred_at)).update(
        first_seen_at=occurred_at, updated_at=now
    )
    if kind not in NOT_ACTIVITY:
        people.filter(Q(last_active_at__isnull=True) | Q(last_active_at__lt=occurred_at)).update(
            last_active_at=occurred_at, updated_at=now
        )
    fans = Fan.objects.filter(pk=fan.pk)
    fans.filter(Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=occurred_at)).update(
        last_seen_at=occurred_at, updated_at=now
    )
    # A follow or unfollow older than the fan's last change of state is history, not news.
    if kind == InteractionKind.FOLLOW:
        fans.filter(Q(unfollowed_at__isnull=True) | Q(unfollowed_at__lte=occurred_at)).update(
            is_following=True, followed_at=occurred_at, updated_at=now
        )
    elif kind == InteractionKind.UNFOLLOW:
        fans.filter(Q(followed_at__isnull=True) | Q(followed_at__lte=occurred_at)).update(
            is_following=False, unfollowed_at=occurred_at, updated_at=now
        )
    fan.refresh_from_db(fields=["is_following", "followed_at", "unfollowed_at", "last_seen_at"])


def interaction_record(
    *,
    workspace: Workspace,
    fan: Fan,
    kind: str,
    occurred_at: dt.datetime,
    source: str,
    text: str = "",
    external_id: str = "",
    post_external_id: str = "",
    meta: dict[str, Any] | None = None,
    audit: bool = True,
) -> tuple[Interaction, bool]:
    """Store one thing a fan did, once per (account, platform id); (interaction, created).

    A pull and a push of the same message race to one row: the loser gets the stored one back
    with created False. A new row moves the person's first/last activity and the fan's follow state.
    """
    ensure_same_workspace(workspace, fan, "fan")
    errors: dict[str, list[str]] = {}
    if kind not in InteractionKind.values:
        errors["kind"] = [_("Unknown interaction kind.")]
    if source not in InteractionSource.values:
        errors["source"] = [_("Unknown interaction source.")]
    if not isinstance(occurred_at, dt.datetime) or timezone.is_naive(occurred_at):
        errors["occurred_at"] = [_("Enter a valid date/time.")]
    if errors:
        raise ValidationError(errors)
    external_id = _clip(external_id, _field(Interaction, "external_id"))
    post_external_id = _clip(post_external_id, _field(Interaction, "post_external_id"))
    text = text if isinstance(text, str) else ""
    # The fan's person as stored now: a merge since the caller loaded the fan may have moved it.
    fan.person_id = Fan.objects.filter(pk=fan.pk).values_list("person_id", flat=True).get()

    def stored() -> Interaction | None:
        if not external_id:
            return None
        return Interaction.objects.filter(account_id=fan.account_id, external_id=external_id).first()

    with transaction.atomic():
        existing = stored()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                interaction = Interaction.objects.create(
                    workspace=workspace,
                    person_id=fan.person_id,
                    fan=fan,
                    account_id=fan.account_id,
                    kind=kind,
                    occurred_at=occurred_at,
                    text=text,
                    external_id=external_id,
                    post_external_id=post_external_id,
                    source=source,
                    meta=meta or {},
                )
        except IntegrityError:
            existing = stored()
            if existing is None:
                raise
            return existing, False
        _touch(fan, kind, occurred_at)
        interaction_recorded.send(interaction=interaction)
        if audit:
            audit_record(
                workspace=workspace,
                actor=SYSTEM,
                action="interaction.create",
                obj=interaction,
                after={"kind": kind, "fan": fan.pk, "person": fan.person_id, "source": source},
            )
    return interaction, True
