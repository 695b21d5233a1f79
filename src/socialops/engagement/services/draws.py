"""Writes on lucky draws: rules, freezing the entrant list, drawing the winners, each validated and audited.

A draw's life is one way: open (the seed commitment is public) → frozen (the entrant list and
its hash are fixed; nothing changes them afterwards) → drawn (the seed is revealed and the
winners are the ones engagement.draw_algorithm picks). Telling the winners is in draw_notices.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.core.actors import SYSTEM, user_or_none
from socialops.core.validation import Errors, add_error, clean_text
from socialops.fans.models import (
    CouponCampaign,
    Fan,
    Interaction,
    InteractionKind,
    Person,
    Segment,
    SegmentKind,
    SegmentMembership,
)
from socialops.workspaces.access import ensure_same_workspace, require_perm, user_can
from socialops.workspaces.audit import audit_record, audit_saved, edit_snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .. import draw_algorithm as algo
from ..models.campaigns import Campaign
from ..models.draws import DEFAULT_MESSAGE, Draw, DrawEntrant, DrawStatus, DrawWinner

DRAW_FIELDS = (
    "name", "prize", "winners_count", "campaign", "coupon_campaign", "closes_at", "accounts",
    "require_follow", "keyword", "keyword_from", "keyword_until", "poll_id", "segment",
    "staff_identities", "message",
)  # fmt: skip
MAX_WINNERS = 1000
KEYWORD_KINDS = (InteractionKind.COMMENT, InteractionKind.REPLY, InteractionKind.MENTION)
# Called with the draw's id after the transaction that drew its winners commits (tasks connect it).
notify_later: list[Callable[[int], None]] = []


def _check(workspace: Workspace, actor: Any) -> None:
    require_perm(workspace=workspace, actor=actor, perm=Perm.CAMPAIGN_EDIT)


def _snap(draw: Draw) -> dict[str, Any]:
    # Neither the seed (field "secret", left out by the audit log) nor the pseudonym key is copied.
    data = edit_snapshot(draw)
    data.pop("pseudonym_key", None)
    return data


def _aware(value: Any, field: str, errors: Errors, *, required: bool) -> dt.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value) if value.strip() else None
    if value is None:
        if required:
            add_error(errors, field, _("Enter a date and time."))
        return None
    if not isinstance(value, dt.datetime):
        add_error(errors, field, _("Enter a date and time."))
        return None
    # Far-off years overflow when converted between time zones; no draw runs then.
    if not 2000 <= value.year <= 2100:
        add_error(errors, field, _("Enter a date between 2000 and 2100."))
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def staff_lines(text: str) -> list[str]:
    """The staff identities of a draw: one platform user id or handle a line, without a leading @."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        value = line.strip().lstrip("@").strip()
        if value and value not in seen:
            seen.append(value)
    return seen


def _same_workspace(value: Any, model: type[Any], workspace: Workspace, field: str, errors: Errors) -> None:
    if value is not None and (not isinstance(value, model) or value.workspace_id != workspace.pk):
        add_error(errors, field, _("Not found."))


def _validate(workspace: Workspace, actor: Any, data: dict[str, Any], draw: Draw | None) -> dict[str, Any]:
    """Check a draw's fields together; returns them cleaned or raises ValidationError by field."""
    errors: Errors = {}
    name = clean_text(data["name"], "name", errors, max_length=150, required=True)
    prize = clean_text(data["prize"], "prize", errors, max_length=2000, required=True)
    count = data["winners_count"]
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        add_error(errors, "winners_count", _("Draw at least one winner."))
    elif count > MAX_WINNERS:
        add_error(errors, "winners_count", _("At most %(n)s winners.") % {"n": MAX_WINNERS})
    _same_workspace(data.get("campaign"), Campaign, workspace, "campaign", errors)
    coupon = data.get("coupon_campaign")
    _same_workspace(coupon, CouponCampaign, workspace, "coupon_campaign", errors)
    changed_coupon = coupon is not None and coupon != (draw.coupon_campaign if draw else None)
    # A coupon prize spends the coupon campaign's budget: the fans' editors decide that.
    if (
        changed_coupon
        and actor is not None
        and not user_can(workspace=workspace, user=actor, perm=Perm.FANS_EDIT)
    ):
        add_error(errors, "coupon_campaign", _("Your role may not give coupons; ask a fans editor."))
    closes_at = _aware(data["closes_at"], "closes_at", errors, required=True)
    if closes_at is not None and draw is None and closes_at <= timezone.now():
        add_error(errors, "closes_at", _("The close time must be in the future."))
    accounts = list(data.get("accounts") or [])
    for account in accounts:
        if not isinstance(account, SocialAccount) or account.workspace_id != workspace.pk:
            add_error(errors, "accounts", _("Choose accounts of this workspace."))
            break
        if account.is_competitor:
            add_error(errors, "accounts", _("Choose our own accounts, not competitors'."))
            break
    keyword = clean_text(data.get("keyword") or "", "keyword", errors, max_length=50)
    keyword_from = _aware(data.get("keyword_from"), "keyword_from", errors, required=False)
    keyword_until = _aware(data.get("keyword_until"), "keyword_until", errors, required=False)
    if keyword_from and keyword_until and keyword_until <= keyword_from:
        add_error(errors, "keyword_until", _("The end of the period must be after its start."))
    poll_id = data.get("poll_id")
    if poll_id is not None and (isinstance(poll_id, bool) or not isinstance(poll_id, int) or poll_id < 1):
        add_error(errors, "poll_id", _("Enter a poll number."))
    _same_workspace(data.get("segment"), Segment, workspace, "segment", errors)
    staff = "\n".join(staff_lines(data.get("staff_identities") or ""))
    if len(staff) > 5000:
        add_error(errors, "staff_identities", _("The list is too long."))
    message = clean_text(data.get("message") or DEFAULT_MESSAGE, "message", errors, max_length=1000)
    if not (data.get("require_follow") or keyword or poll_id or data.get("segment")):
        add_error(errors, "require_follow", _("Choose at least one rule of entry."))
    if errors:
        raise ValidationError(errors)
    return {
        **{k: data[k] for k in DRAW_FIELDS if k in data},
        "name": name, "prize": prize, "closes_at": closes_at, "accounts": accounts,
        "require_follow": bool(data.get("require_follow")), "keyword": keyword,
        "keyword_from": keyword_from, "keyword_until": keyword_until, "poll_id": poll_id,
        "staff_identities": staff, "message": message,
    }  # fmt: skip


@transaction.atomic
def draw_create(*, workspace: Workspace, actor: Any, **fields: Any) -> Draw:
    """Open a draw: its rules, and a fresh secret seed whose SHA-256 is published at once (the commitment)."""
    _check(workspace, actor)
    unknown = set(fields) - set(DRAW_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    data = {"winners_count": 1, "closes_at": None, "name": "", "prize": "", **fields}
    cleaned = _validate(workspace, actor, data, None)
    accounts = cleaned.pop("accounts")
    seed = secrets.token_hex(32)
    draw = Draw.objects.create(
        workspace=workspace,
        created_by=user_or_none(actor),
        public_token=secrets.token_urlsafe(16)[:22],
        secret=seed,
        seed_hash=algo.seed_hash(seed),
        pseudonym_key=secrets.token_hex(32),
        **cleaned,
    )
    draw.accounts.set(accounts)
    audit_saved(draw, workspace=workspace, actor=actor, action="engagement.draw.create", snap=_snap)
    return draw


def current_values(draw: Draw) -> dict[str, Any]:
    """The draw's editable fields, as the update service and the form take them."""
    values = {name: getattr(draw, name) for name in DRAW_FIELDS if name != "accounts"}
    values["accounts"] = list(draw.accounts.all())
    return values


def _locked(draw: Draw) -> Draw:
    return Draw.objects.select_for_update().get(pk=draw.pk)


@transaction.atomic
def draw_update(*, workspace: Workspace, actor: Any, draw: Draw, **changes: Any) -> Draw:
    """Change a draw's rules while it takes entries; the seed and its commitment never change."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, draw, "draw")
    unknown = set(changes) - set(DRAW_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This field cannot be changed.")] for f in sorted(unknown)})
    locked = _locked(draw)
    if locked.status != DrawStatus.OPEN:
        raise ValidationError(
            {"draw": [_("The entrants are frozen; the draw's rules cannot change any more.")]}
        )
    cleaned = _validate(workspace, actor, {**current_values(locked), **changes}, locked)
    accounts = cleaned.pop("accounts")
    before = _snap(locked)
    for name, value in cleaned.items():
        setattr(locked, name, value)
    locked.save()
    locked.accounts.set(accounts)
    audit_saved(
        locked, workspace=workspace, actor=actor, action="engagement.draw.update", before=before, snap=_snap
    )
    return locked


@transaction.atomic
def draw_delete(*, workspace: Workspace, actor: Any, draw: Draw) -> None:
    """Delete a draw that still takes entries (a frozen or drawn one stays, for the record)."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, draw, "draw")
    locked = _locked(draw)
    if locked.status != DrawStatus.OPEN:
        raise ValidationError({"draw": [_("The entrants are frozen; the draw is kept for the record.")]})
    audit_record(
        workspace=workspace, actor=actor, action="engagement.draw.delete", obj=locked, before=_snap(locked)
    )
    locked.delete()


# ---- who may enter ------------------------------------------------------------------------------


def draw_accounts(draw: Draw) -> list[SocialAccount]:
    """The accounts the follow and keyword rules look at: those chosen, else all our own accounts."""
    chosen = list(draw.accounts.all())
    if chosen:
        return chosen
    return list(SocialAccount.objects.filter(workspace_id=draw.workspace_id, is_competitor=False))


def staff_person_ids(draw: Draw) -> set[int]:
    """People with a fan whose platform user id or handle is on the draw's staff list."""
    lines = staff_lines(draw.staff_identities)
    if not lines:
        return set()
    handles = lines + [f"@{v}" for v in lines]
    rows = Fan.objects.filter(workspace_id=draw.workspace_id).filter(
        Q(external_id__in=lines) | Q(handle__in=handles)
    )
    return set(rows.values_list("person_id", flat=True))


def eligible_person_ids(draw: Draw, *, now: dt.datetime | None = None) -> list[int]:
    """The people the draw's rules let in (each once), staff left out, in id order."""
    workspace_id = draw.workspace_id
    people = Person.objects.filter(workspace_id=workspace_id)
    accounts = draw_accounts(draw)
    if draw.require_follow:
        followers = Fan.objects.filter(workspace_id=workspace_id, account__in=accounts, is_following=True)
        people = people.filter(pk__in=followers.values("person_id"))
    if draw.keyword:
        start = draw.keyword_from or draw.created_at
        end = min(draw.keyword_until or draw.closes_at, now or timezone.now(), draw.closes_at)
        said = Interaction.objects.filter(
            workspace_id=workspace_id,
            kind__in=KEYWORD_KINDS,
            account__in=accounts,
            occurred_at__gte=start,
            occurred_at__lte=end,
            text__icontains=draw.keyword,
        )
        people = people.filter(pk__in=said.values("person_id"))
    if draw.poll_id:
        # The poll's id is stored as a number by convention; a string copy counts too.
        voted = Interaction.objects.filter(workspace_id=workspace_id, kind=InteractionKind.VOTE).filter(
            Q(meta__poll=draw.poll_id) | Q(meta__poll=str(draw.poll_id))
        )
        people = people.filter(pk__in=voted.values("person_id"))
    if draw.segment_id:
        segment = draw.segment
        assert segment is not None
        if segment.kind == SegmentKind.TIER:
            people = people.filter(tier_id=segment.pk)
        else:
            members = SegmentMembership.objects.filter(segment_id=segment.pk)
            people = people.filter(pk__in=members.values("person_id"))
    staff = staff_person_ids(draw)
    ids = sorted(set(people.values_list("pk", flat=True)) - staff)
    return ids


# ---- freezing and drawing -----------------------------------------------------------------------


def entrants_of(draw: Draw) -> list[algo.Entrant]:
    """The frozen entrant list as the algorithm reads it."""
    rows = DrawEntrant.objects.filter(draw=draw).values_list("entrant_id", "pseudonym")
    return [algo.Entrant(eid, pseudonym) for eid, pseudonym in rows]


@transaction.atomic
def draw_freeze(*, workspace: Workspace, actor: Any, draw: Draw, now: dt.datetime | None = None) -> Draw:
    """Fix the entrant list (one row a person, under an entrant id) and publish its SHA-256; final."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, draw, "draw")
    locked = _locked(draw)
    if locked.status != DrawStatus.OPEN:
        raise ValidationError({"draw": [_("The entrants are frozen already.")]})
    now = now or timezone.now()
    rows = []
    for person_id in eligible_person_ids(locked, now=now):
        entrant_id = algo.entrant_id_for(locked.pseudonym_key, person_id)
        rows.append(
            DrawEntrant(
                workspace=workspace,
                draw=locked,
                person_id=person_id,
                entrant_id=entrant_id,
                pseudonym=algo.pseudonym_for(entrant_id),
            )
        )
    DrawEntrant.objects.bulk_create(rows, batch_size=1000)
    locked.entrants_hash = algo.list_hash(algo.Entrant(r.entrant_id, r.pseudonym) for r in rows)
    locked.entrant_count = len(rows)
    locked.status = DrawStatus.FROZEN
    locked.frozen_at = now
    locked.save(update_fields=["entrants_hash", "entrant_count", "status", "frozen_at", "updated_at"])
    audit_record(
        workspace=workspace,
        actor=actor,
        action="engagement.draw.freeze",
        obj=locked,
        after={"entrants": len(rows), "entrants_hash": locked.entrants_hash},
    )
    return locked


@transaction.atomic
def draw_run(*, workspace: Workspace, actor: Any, draw: Draw) -> Draw:
    """Reveal the seed and pick the winners from the frozen list by the published algorithm."""
    _check(workspace, actor)
    ensure_same_workspace(workspace, draw, "draw")
    locked = _locked(draw)
    if locked.status == DrawStatus.OPEN:
        raise ValidationError({"draw": [_("Freeze the entrants before drawing the winners.")]})
    if locked.status == DrawStatus.DRAWN:
        raise ValidationError({"draw": [_("The winners are drawn already.")]})
    entrants = entrants_of(locked)
    if algo.list_hash(entrants) != locked.entrants_hash:
        # The stored list no longer matches what was published: drawing would not verify.
        raise ValidationError(
            {"draw": [_("The entrant list does not match its commitment; nothing was drawn.")]}
        )
    by_id = {e.entrant_id: e.pk for e in DrawEntrant.objects.filter(draw=locked).only("pk", "entrant_id")}
    picked = algo.winners(locked.secret, entrants, locked.winners_count)
    DrawWinner.objects.bulk_create(
        DrawWinner(workspace=workspace, draw=locked, entrant_id=by_id[e.entrant_id], rank=rank)
        for rank, e in enumerate(picked, start=1)
    )
    locked.status = DrawStatus.DRAWN
    locked.drawn_at = timezone.now()
    locked.save(update_fields=["status", "drawn_at", "updated_at"])
    audit_record(
        workspace=workspace,
        actor=actor,
        action="engagement.draw.run",
        obj=locked,
        after={"seed": locked.secret, "winners": [e.entrant_id for e in picked]},
    )
    for notify in notify_later:
        transaction.on_commit(functools.partial(notify, locked.pk))
    return locked


def draws_close_due(*, now: dt.datetime | None = None) -> int:
    """Freeze every open draw whose close time has passed (the job); how many were frozen."""
    now = now or timezone.now()
    frozen = 0
    for draw in Draw.objects.filter(status=DrawStatus.OPEN, closes_at__lte=now).select_related("workspace")[
        :200
    ]:
        try:
            draw_freeze(workspace=draw.workspace, actor=SYSTEM, draw=draw, now=now)
        except ValidationError:
            continue  # frozen meanwhile by a person's button
        frozen += 1
    return frozen
