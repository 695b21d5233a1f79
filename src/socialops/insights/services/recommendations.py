"""Writes on recommendations: propose theme-share changes from content performance, accept or reject them.

Accepting changes the account's theme target shares through content's ``theme_targets_set`` (the
mix the plan generator reads), so the next plan run uses it; both writes are audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.accounts.models import SocialAccount
from socialops.accounts.selectors import accounts_for_system
from socialops.content.models import Theme
from socialops.content.selectors.items import theme_targets_for_system
from socialops.content.services.themes import theme_targets_set
from socialops.core.actors import user_or_none
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_saved, snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .. import stats
from ..models import Recommendation, RecommendationStatus
from ..presenters.content import verdict
from ..selectors.content import DEFAULT_DAYS, group_performance, post_points

# Percentage points a recommendation moves a theme's share by.
STEP = 10


def whole_shares(mix: dict[int, float]) -> dict[int, int]:
    """Percent shares as whole numbers summing to 100 (largest remainder), as theme_targets_set wants."""
    if not mix:
        return {}
    floors = {t: int(v) for t, v in mix.items()}
    left = 100 - sum(floors.values())
    for t in sorted(mix, key=lambda t: (-(mix[t] - floors[t]), t))[: max(left, 0)]:
        floors[t] += 1
    return floors


def shifted(mix: dict[int, int], theme_id: int, delta: int) -> dict[int, int] | None:
    """The mix with ``theme_id`` moved by ``delta`` points and the others moved the other way in
    proportion to their shares (equally when they all have 0); None when nothing can move."""
    current = mix.get(theme_id, 0)
    others = {t: s for t, s in mix.items() if t != theme_id}
    if not others:
        return None
    room = sum(others.values()) if delta > 0 else current
    move = min(abs(delta), room)
    if move <= 0:
        return None
    sign = 1 if delta > 0 else -1
    total = sum(others.values())
    weights = {t: (s / total if total else 1 / len(others)) for t, s in others.items()}
    if sign > 0:
        # Taking from the others: no share goes below 0.
        raw = {t: others[t] - move * w for t, w in weights.items()}
    else:
        raw = {t: others[t] + move * w for t, w in weights.items()}
    raw[theme_id] = current + sign * move
    return whole_shares(raw)


def _sentence(
    comparison: dict[str, Any], theme: Theme, account: SocialAccount, before: int, after: int
) -> str:
    evidence = verdict(comparison, f"{theme.name} @ {account.display_name}", _("the other themes"))
    if after > before:
        change = _("Raise its target share from %(a)d%% to %(b)d%%.") % {"a": before, "b": after}
    else:
        change = _("Lower its target share from %(a)d%% to %(b)d%%.") % {"a": before, "b": after}
    return f"{evidence} {change}"


@transaction.atomic
def recommendations_generate(
    *, workspace: Workspace, actor: Any, days: int = DEFAULT_DAYS, today: dt.date | None = None
) -> list[Recommendation]:
    """Propose a share change for every theme of every account of ours whose engagement rate differs
    significantly from the account's other themes (Welch's t, p < 0.05, at least 20 posts each side)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    themes = {t.pk: t for t in Theme.objects.filter(workspace=workspace)}
    made: list[Recommendation] = []
    for account in accounts_for_system(workspace=workspace, is_competitor=False):
        points = post_points(
            workspace=workspace, user=actor, account=account, days=days, today=today, system=True
        )
        mix = whole_shares(theme_targets_for_system(workspace=workspace, account=account))
        for row in group_performance(points, "theme"):
            comparison = row["vs_rest"]
            if not comparison["significant"] or not row["key"] or int(row["key"]) not in themes:
                continue
            theme = themes[int(row["key"])]
            if Recommendation.objects.filter(
                workspace=workspace, account=account, theme=theme, status=RecommendationStatus.PROPOSED
            ).exists():
                continue
            delta = STEP if comparison["outcome"] == stats.HIGHER else -STEP
            after = shifted(mix, theme.pk, delta)
            if after is None:
                continue
            rec = Recommendation.objects.create(
                workspace=workspace,
                account=account,
                theme=theme,
                direction="raise" if delta > 0 else "lower",
                summary=_sentence(comparison, theme, account, mix.get(theme.pk, 0), after[theme.pk]),
                evidence={**comparison, "days": days, "theme_posts": row["posts"]},
                change={
                    "before": {str(k): v for k, v in mix.items()},
                    "after": {str(k): v for k, v in after.items()},
                },
            )
            audit_saved(rec, workspace=workspace, actor=actor, action="recommendation.create")
            made.append(rec)
    return made


def _decide(workspace: Workspace, actor: Any, rec: Recommendation, status: str) -> dict[str, Any]:
    require_perm(workspace=workspace, actor=actor, perm=Perm.CONTENT_EDIT)
    ensure_same_workspace(workspace, rec, "recommendation")
    if rec.status != RecommendationStatus.PROPOSED:
        raise ValidationError({"status": [_("This recommendation has already been decided.")]})
    before = snapshot(rec)
    rec.status = status
    rec.decided_at = timezone.now()
    rec.decided_by = user_or_none(actor)
    return before


@transaction.atomic
def recommendation_accept(
    *, workspace: Workspace, actor: Any, recommendation: Recommendation
) -> Recommendation:
    """Accept: move the theme's target share as proposed (from today's mix) through content's service."""
    rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    before = _decide(workspace, actor, rec, RecommendationStatus.ACCEPTED)
    # The mix may have changed since the proposal: apply the same move to the mix of today.
    mix = whole_shares(theme_targets_for_system(workspace=workspace, account=rec.account))
    planned = int(rec.change["after"][str(rec.theme_id)]) - int(
        rec.change["before"].get(str(rec.theme_id), 0)
    )
    after = shifted(mix, rec.theme_id, planned)
    if after is None:
        raise ValidationError(
            {"status": [_("The account's current theme mix leaves no room for this change.")]}
        )
    theme_targets_set(workspace=workspace, actor=actor, account=rec.account, shares=after)
    rec.change = {**rec.change, "applied": {str(k): v for k, v in after.items()}}
    rec.save()
    audit_saved(rec, workspace=workspace, actor=actor, action="recommendation.accept", before=before)
    return rec


@transaction.atomic
def recommendation_reject(
    *, workspace: Workspace, actor: Any, recommendation: Recommendation
) -> Recommendation:
    """Reject: keep the shares as they are and record who decided."""
    rec = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    before = _decide(workspace, actor, rec, RecommendationStatus.REJECTED)
    rec.save()
    audit_saved(rec, workspace=workspace, actor=actor, action="recommendation.reject", before=before)
    return rec
