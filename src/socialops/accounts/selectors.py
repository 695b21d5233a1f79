"""Reads of accounts and personas (any member may read); the competitor comparison is in goals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.workspaces.access import membership_get
from socialops.workspaces.models import Workspace

from . import hooks
from .models import Persona, SocialAccount

OURS_COLOR = "#0d6efd"


def _accounts(workspace: Workspace, is_competitor: bool | None) -> QuerySet[SocialAccount]:
    qs = SocialAccount.objects.filter(workspace=workspace)
    if is_competitor is not None:
        qs = qs.filter(is_competitor=is_competitor)
    return qs.order_by("is_competitor", "platform", "handle")


def account_list(
    *, workspace: Workspace, user: Any, is_competitor: bool | None = None, with_latest_followers: bool = False
) -> QuerySet[SocialAccount]:
    """The workspace's accounts, ours first; optionally each with its latest follower count.

    With ``with_latest_followers`` every account carries ``latest_followers`` and
    ``latest_followers_date`` from its newest snapshot that has a follower figure (None if none),
    fetched in the same query. Snapshots belong to goals, above accounts: the figures come through
    ``hooks.latest_followers``, which goals connects (unconnected, the accounts are unannotated).
    """
    membership_get(workspace=workspace, user=user)
    qs = _accounts(workspace, is_competitor)
    if with_latest_followers:
        qs = hooks.latest_followers.first(default=qs, workspace=workspace, accounts=qs)
    return qs


def own_accounts(*, workspace: Workspace, user: Any) -> QuerySet[SocialAccount]:
    """Our own accounts (not competitors), by platform and handle: what goals and plans are for."""
    membership_get(workspace=workspace, user=user)
    return _accounts(workspace, False).order_by("platform", "handle")


def accounts_for_system(
    *, workspace: Workspace, is_competitor: bool | None = None
) -> QuerySet[SocialAccount]:
    """The workspace's accounts for code acting as the system (CLI, jobs): no member to check."""
    return _accounts(workspace, is_competitor)


def account_get(
    *, workspace: Workspace, user: Any, account_id: int, with_latest_followers: bool = False
) -> SocialAccount:
    """One account of this workspace, or Http404 (see account_list for ``with_latest_followers``)."""
    accounts = account_list(workspace=workspace, user=user, with_latest_followers=with_latest_followers)
    return get_object_or_404(accounts, pk=account_id)


def account_get_by_ref(*, workspace: Workspace, user: Any, ref: str | int) -> SocialAccount:
    """The account named by its id or its handle (a leading @ is ignored).

    An id wins over a handle that happens to be the same digits. A handle used on several
    platforms is ambiguous: the caller is asked for the id instead of being given a guess.
    """
    accounts = account_list(workspace=workspace, user=user)
    text = str(ref).strip()
    if text.isdigit():
        by_id = accounts.filter(pk=int(text)).first()
        if by_id is not None:
            return by_id
    handle = text.removeprefix("@")
    matches = list(accounts.filter(handle__iexact=handle)) if handle else []
    if not matches:
        raise Http404(
            _("No account with the id or handle “%(ref)s” in this workspace.") % {"ref": text[:100]}
        )
    if len(matches) > 1:
        listing = ", ".join(f"{a.pk} ({a.get_platform_display()})" for a in matches)
        raise ValidationError(
            {
                "account": [
                    _(
                        "The handle “%(handle)s” is used on several platforms; give the account id instead: %(ids)s."
                    )
                    % {"handle": handle[:100], "ids": listing}
                ]
            }
        )
    return matches[0]


def persona_list(*, workspace: Workspace, user: Any, account: SocialAccount) -> QuerySet[Persona]:
    """Personas of one account of this workspace."""
    membership_get(workspace=workspace, user=user)
    if account.workspace_id != workspace.pk:
        raise Http404(_("Not found."))
    return Persona.objects.filter(workspace=workspace, account=account).order_by("name", "pk")


def persona_get(*, workspace: Workspace, user: Any, persona_id: int) -> Persona:
    """One persona of this workspace, or Http404."""
    membership_get(workspace=workspace, user=user)
    return get_object_or_404(
        Persona.objects.filter(workspace=workspace).select_related("account"), pk=persona_id
    )


def workspace_today(workspace: Workspace) -> dt.date:
    """Today's date in the workspace's time zone (snapshots are local days)."""
    return timezone.now().astimezone(workspace.tz).date()


def persona_hours_chart(persona: Persona) -> dict[str, Any]:
    """A one-row 24-hour heat strip of the persona's active hours, as an ECharts option."""
    active = set(persona.active_hours or [])
    hours = [str(h) for h in range(24)]
    return {
        "tooltip": {"show": False},
        "grid": {"left": 4, "right": 4, "top": 4, "bottom": 24},
        "xAxis": {
            "type": "category",
            "data": hours,
            "splitArea": {"show": True},
            "axisTick": {"show": False},
        },
        "yAxis": {"type": "category", "data": [""], "show": False},
        "visualMap": {"min": 0, "max": 1, "show": False, "inRange": {"color": ["#e9ecef", OURS_COLOR]}},
        "series": [
            {
                "name": _("Active hours"),
                "type": "heatmap",
                "data": [[h, 0, 1 if h in active else 0] for h in range(24)],
                "itemStyle": {"borderColor": "#ffffff", "borderWidth": 2},
            }
        ],
    }
