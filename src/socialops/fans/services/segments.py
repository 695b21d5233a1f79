"""Writes on segments and tiers, the default tier ladder, and the refresh that fills them.

A refresh runs in one transaction: scores (fans.scoring) → tiers (one UPDATE per tier, each
person in exactly one) → every segment's membership diffed against its rules with
INSERT … SELECT / DELETE statements that also write the entered/left events → today's sizes.
Nothing in it loops over people in Python; a refresh that finds nothing changed writes no event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from socialops.core.actors import user_or_none
from socialops.core.validation import refuse_unknown_fields
from socialops.workspaces.access import ensure_same_workspace, require_perm
from socialops.workspaces.audit import audit_delete, audit_record, audit_saved, edit_snapshot
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .. import rules as rules_mod
from ..models import (
    Person,
    Segment,
    SegmentDailySize,
    SegmentEvent,
    SegmentEventKind,
    SegmentKind,
    SegmentMembership,
)
from ..scoring import scores_apply, scores_refresh, scores_shadow_sql, scores_stage

SEGMENT_FIELDS = ("name", "description", "kind", "rank", "rules", "color")
COLOR_DEFAULT = "#6c757d"

# progress(step label, steps done, steps in all): the CLI draws a bar from it.
Progress = Callable[[str, int, int], None]


def _validate(workspace: Workspace, segment: Segment, data: dict[str, Any]) -> dict[str, Any]:
    """Check a segment's fields together; returns them cleaned or raises ValidationError naming each."""
    errors: dict[str, list[str]] = {}
    name = data["name"].strip() if isinstance(data["name"], str) else ""
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 60:
        errors["name"] = [_("Use at most 60 characters.")]
    elif Segment.objects.filter(workspace=workspace, name=name).exclude(pk=segment.pk).exists():
        errors["name"] = [_("A segment or tier with this name exists.")]
    if data["kind"] not in SegmentKind.values:
        errors["kind"] = [_("Choose tier or segment.")]
    description = data["description"] if isinstance(data["description"], str) else ""
    if len(description) > 2000:
        errors["description"] = [_("Use at most 2000 characters.")]
    color = data["color"] or ""
    if color and not (
        isinstance(color, str)
        and len(color) == 7
        and color[0] == "#"
        and all(c in "0123456789abcdefABCDEF" for c in color[1:])
    ):
        errors["color"] = [_("Enter a colour like #1f77b4.")]
    rank = data["rank"]
    if not isinstance(rank, int) or isinstance(rank, bool) or not 0 <= rank <= 1000:
        errors["rank"] = [_("Enter a whole number from 0 to 1000.")]
    problems = rules_mod.rules_validate(data["rules"], workspace=workspace, segment=segment)
    if not problems and data["kind"] == SegmentKind.TIER and rules_mod.segment_dependencies(data["rules"]):
        # Tiers are assigned before segments are refreshed: a tier cannot depend on memberships.
        problems.append(_("A tier's rules cannot refer to segments or tiers."))
    if problems:
        errors["rules"] = problems
    if errors:
        raise ValidationError(errors)
    return {**data, "name": name, "description": description, "color": color}


def _save(
    segment: Segment, data: dict[str, Any], *, workspace: Workspace, actor: Any, action: str, before: Any
) -> None:
    data = _validate(workspace, segment, data)
    for key, value in data.items():
        setattr(segment, key, value)
    segment.full_clean(exclude=["workspace", "created_by"])
    segment.save()
    audit_saved(segment, workspace=workspace, actor=actor, action=action, before=before, snap=edit_snapshot)


@transaction.atomic
def segment_create(
    *,
    workspace: Workspace,
    actor: Any,
    name: str,
    rules: Any,
    description: str = "",
    kind: str = SegmentKind.SEGMENT,
    rank: int | None = None,
    color: str = "",
) -> Segment:
    """Create a segment (or a tier: appended to the ladder unless ``rank`` says where)."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    if rank is None:
        last = Segment.objects.filter(workspace=workspace, kind=kind).order_by("-rank").first()
        rank = last.rank + 1 if last else 0
    segment = Segment(workspace=workspace, created_by=user_or_none(actor))
    data = {
        "name": name,
        "rules": rules,
        "description": description,
        "kind": kind,
        "rank": rank,
        "color": color,
    }
    _save(segment, data, workspace=workspace, actor=actor, action="segment.create", before=None)
    return segment


@transaction.atomic
def segment_update(*, workspace: Workspace, actor: Any, segment: Segment, **fields: Any) -> Segment:
    """Change a segment's name, description, rules, colour, kind or rank; validated whole again."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    ensure_same_workspace(workspace, segment, "segment")
    refuse_unknown_fields(fields, SEGMENT_FIELDS)
    before = edit_snapshot(segment)
    data = {f: getattr(segment, f) for f in SEGMENT_FIELDS}
    data.update(fields)
    _save(segment, data, workspace=workspace, actor=actor, action="segment.update", before=before)
    return segment


@transaction.atomic
def segment_delete(*, workspace: Workspace, actor: Any, segment: Segment) -> None:
    """Delete a segment or tier with its members and history; refused while rules or playbooks use it."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    ensure_same_workspace(workspace, segment, "segment")
    users = [
        s.name
        for s in Segment.objects.filter(workspace=workspace).exclude(pk=segment.pk)
        if segment.pk in rules_mod.segment_dependencies(s.rules)
    ]
    if users:
        raise ValidationError(
            {
                "segment": [
                    _("Used in the rules of: %(names)s. Change those first.") % {"names": ", ".join(users)}
                ]
            }
        )
    playbooks = list(segment.playbooks.values_list("name", flat=True)[:5])
    if playbooks:
        raise ValidationError(
            {
                "segment": [
                    _("Used by the playbooks: %(names)s. Change those first.")
                    % {"names": ", ".join(playbooks)}
                ]
            }
        )
    audit_delete(segment, workspace=workspace, actor=actor, action="segment.delete", snap=edit_snapshot)


# ---- the default ladder ----------------------------------------------------------------------


def _default_ladder() -> list[dict[str, Any]]:
    """The five default tiers, best first; names in the active language. See docs/segments.md."""
    return [
        {
            "name": _("Core fans"),
            "color": "#d62728",
            "description": _("Very active and spending, or top RFM scores."),
            "rules": {
                "any": [
                    {
                        "all": [
                            {"field": "interactions_30d", "op": "gte", "value": 8},
                            {"field": "total_spend", "op": "gte", "value": 500},
                        ]
                    },
                    {
                        "all": [
                            {"field": "rfm_recency", "op": "gte", "value": 4},
                            {"field": "rfm_frequency", "op": "gte", "value": 4},
                            {"field": "rfm_monetary", "op": "gte", "value": 4},
                        ]
                    },
                ]
            },
        },
        {
            "name": _("Active fans"),
            "color": "#ff7f0e",
            "description": _("At least 3 interactions in the last 30 days."),
            "rules": {"all": [{"field": "interactions_30d", "op": "gte", "value": 3}]},
        },
        {
            "name": _("Ordinary fans"),
            "color": "#2ca02c",
            "description": _("Some activity in the last 90 days."),
            "rules": {"all": [{"field": "interactions_90d", "op": "gte", "value": 1}]},
        },
        {
            "name": _("Dormant fans"),
            "color": "#7f7f7f",
            "description": _("No activity in 90 days, but interacted or bought before."),
            "rules": {
                "any": [
                    {"field": "last_active_days", "op": "gte", "value": 90},
                    {"field": "orders_count", "op": "gte", "value": 1},
                ]
            },
        },
        {
            "name": _("Potential customers"),
            "color": "#1f77b4",
            "description": _("Everyone else: followers and contacts who have not interacted or bought yet."),
            "rules": {"all": []},
        },
    ]


@transaction.atomic
def default_ladder_ensure(workspace: Workspace, actor: Any = None) -> list[Segment]:
    """Create the default tier ladder when the workspace has no tiers; returns the ladder."""
    tiers = list(Segment.objects.filter(workspace=workspace, kind=SegmentKind.TIER).order_by("rank", "pk"))
    if tiers:
        return tiers
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    with translation.override(workspace.locale or None):
        ladder = _default_ladder()
    for rank, spec in enumerate(ladder):
        name = spec["name"]
        if Segment.objects.filter(workspace=workspace, name=name).exists():
            name = f"{name} ({_('tier')})"
        tier = Segment(workspace=workspace, kind=SegmentKind.TIER, rank=rank, **{**spec, "name": name})
        tier.save()
        audit_saved(tier, workspace=workspace, actor=actor, action="segment.create", snap=edit_snapshot)
        tiers.append(tier)
    return tiers


# ---- refresh ---------------------------------------------------------------------------------


def _order_segments(segments: list[Segment]) -> list[Segment]:
    """Segments after those their rules refer to (tiers first; a cycle, refused on save, keeps order)."""
    by_id = {s.pk: s for s in segments}
    done: list[Segment] = []
    seen: set[int] = set()

    def visit(s: Segment, stack: set[int]) -> None:
        if s.pk in seen or s.pk in stack:
            return
        stack.add(s.pk)
        for dep in sorted(rules_mod.segment_dependencies(s.rules)):
            if dep in by_id:
                visit(by_id[dep], stack)
        seen.add(s.pk)
        done.append(s)

    for s in segments:
        visit(s, set())
    return done


def _people(workspace: Workspace) -> QuerySet[Person]:
    return Person.objects.filter(workspace=workspace).order_by()


_MOVES = "fans_segment_refresh_moves"


def _tiers_assign(
    workspace: Workspace, tiers: list[Segment], now: dt.datetime, *, staged: bool = False
) -> dict[int, tuple[int, int, int]]:
    """Person.tier = the first tier (by rank) whose rules match; the last tier takes everyone left.

    One pass over the people computes every person's tier as one CASE over the compiled rules
    (compiled rules are never NULL, so "the first that matches" is exact and the tiers partition
    the people) and keeps only the people whose tier changes, with their old and new tier, in a
    temporary table. From it one UPDATE writes Person.tier and INSERT … SELECT writes the
    left/entered events of just those people. Tiers have no SegmentMembership rows: Person.tier
    is the membership (playbooks, rules, pages and the export read it).

    ``staged`` (PostgreSQL): the new scores are still in the scores' temporary table. The ladder
    is then evaluated over the people as they will be (``scoring.scores_shadow_sql``) for every
    person, and one UPDATE writes the scores and the tier together, so a first refresh rewrites
    each person row once instead of twice.

    Returns {tier id: (size, entered, left)}.
    """
    q = connection.ops.quote_name
    person, mem, ev = (
        q(Person._meta.db_table),
        q(SegmentMembership._meta.db_table),
        q(SegmentEvent._meta.db_table),
    )
    whens: list[When] = []
    fallback: int | None = None
    for i, tier in enumerate(tiers):
        match = (
            Q() if i == len(tiers) - 1 else rules_mod.rules_compile(tier.rules, workspace=workspace, now=now)
        )
        if not match:  # matches everyone left: the tiers after it stay empty
            fallback = tier.pk
            break
        whens.append(When(match, then=Value(tier.pk)))
    new_tier = (
        Case(*whens, default=Value(fallback), output_field=BigIntegerField())
        if whens
        else Value(fallback, output_field=BigIntegerField())
    )
    # The people whose tier changes, with their old (tier_id) and new tier (staged: everyone).
    people = _people(workspace).annotate(new_tier=new_tier)
    if not staged:
        people = people.filter(Q(tier__isnull=True) | ~Q(tier=F("new_tier")))
    sql, params = people.values_list("pk", "tier_id", "new_tier").query.sql_with_params()
    # Staged, the table holds every person; only rows whose tier differs are moves.
    moved = " AND m.tier_id IS DISTINCT FROM m.new_tier" if staged else ""
    at = connection.ops.adapt_datetimefield_value(now)
    tier_ids = [t.pk for t in tiers]
    with connection.cursor() as c:
        c.execute(f"DROP TABLE IF EXISTS {_MOVES}")
        if staged:
            c.execute(
                f"CREATE TEMPORARY TABLE {_MOVES} (id, tier_id, new_tier) AS {scores_shadow_sql()}{sql}",
                params,
            )
            c.execute(f"ANALYZE {_MOVES}")
            scores_apply(tiers_table=_MOVES)
        else:
            c.execute(
                f"CREATE TEMPORARY TABLE {_MOVES} (id bigint PRIMARY KEY, tier_id bigint, new_tier bigint)"
            )
            c.execute(f"INSERT INTO {_MOVES} (id, tier_id, new_tier) {sql}", params)
            if connection.vendor == "postgresql":
                c.execute(f"ANALYZE {_MOVES}")
            c.execute(f"UPDATE {person} SET tier_id = m.new_tier FROM {_MOVES} m WHERE {person}.id = m.id")
        c.execute(
            f"INSERT INTO {ev} (workspace_id, segment_id, person_id, kind, at) "
            f"SELECT %s, m.tier_id, m.id, %s, %s FROM {_MOVES} m WHERE m.tier_id IS NOT NULL{moved}",
            [workspace.pk, SegmentEventKind.LEFT.value, at],
        )
        c.execute(
            f"INSERT INTO {ev} (workspace_id, segment_id, person_id, kind, at) "
            f"SELECT %s, m.new_tier, m.id, %s, %s FROM {_MOVES} m WHERE m.new_tier IS NOT NULL{moved}",
            [workspace.pk, SegmentEventKind.ENTERED.value, at],
        )
        if tier_ids:
            # A tier's members are the people whose Person.tier it is: no SegmentMembership rows
            # (a million of them, with their foreign-key checks, doubled a first refresh). Rows
            # that an earlier version wrote for tiers go on the next refresh.
            c.execute(
                f"DELETE FROM {mem} WHERE segment_id IN ({', '.join(['%s'] * len(tier_ids))})",
                tier_ids,
            )
        c.execute(
            f"SELECT new_tier, COUNT(*) FROM {_MOVES} m WHERE m.new_tier IS NOT NULL{moved} GROUP BY new_tier"
        )
        entered = dict(c.fetchall())
        c.execute(
            f"SELECT tier_id, COUNT(*) FROM {_MOVES} m WHERE m.tier_id IS NOT NULL{moved} GROUP BY tier_id"
        )
        left = dict(c.fetchall())
        c.execute(f"DROP TABLE {_MOVES}")
    sizes = dict(
        _people(workspace)
        .filter(tier__isnull=False)
        .values_list("tier")
        .annotate(n=Count("pk"))
        .values_list("tier", "n")
    )
    return {t: (sizes.get(t, 0), entered.get(t, 0), left.get(t, 0)) for t in tier_ids}


def _target(workspace: Workspace, segment: Segment, now: dt.datetime) -> QuerySet[Person]:
    if segment.kind == SegmentKind.TIER:
        return _people(workspace).filter(tier=segment)
    return _people(workspace).filter(rules_mod.rules_compile(segment.rules, workspace=workspace, now=now))


_TARGET = "fans_segment_refresh_target"


def _members_sync(workspace: Workspace, segment: Segment, now: dt.datetime) -> tuple[int, int, int]:
    """Make the segment's members its rules' people, writing entered/left events; (size, entered, left).

    The matching ids go to a temporary table once; new members and leavers are then found by
    anti-joins against it, and events and memberships written with INSERT … SELECT.
    """
    q = connection.ops.quote_name
    mem, ev = q(SegmentMembership._meta.db_table), q(SegmentEvent._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(now)
    sql, params = _target(workspace, segment, now).values_list("pk").query.sql_with_params()
    with connection.cursor() as c:
        c.execute(f"DELETE FROM {_TARGET}")
        c.execute(f"INSERT INTO {_TARGET} (id) {sql}", params)
        if connection.vendor == "postgresql":
            c.execute(f"ANALYZE {_TARGET}")
        new = f"FROM {_TARGET} t WHERE NOT EXISTS (SELECT 1 FROM {mem} m WHERE m.segment_id = %s AND m.person_id = t.id)"
        c.execute(
            f"INSERT INTO {ev} (workspace_id, segment_id, person_id, kind, at) SELECT %s, %s, t.id, %s, %s {new}",
            [workspace.pk, segment.pk, SegmentEventKind.ENTERED.value, at, segment.pk],
        )
        entered = c.rowcount
        c.execute(
            f"INSERT INTO {mem} (workspace_id, segment_id, person_id, entered_at) SELECT %s, %s, t.id, %s {new}",
            [workspace.pk, segment.pk, at, segment.pk],
        )
        gone = f"NOT EXISTS (SELECT 1 FROM {_TARGET} t WHERE t.id = {mem}.person_id)"
        c.execute(
            f"INSERT INTO {ev} (workspace_id, segment_id, person_id, kind, at) "
            f"SELECT %s, %s, person_id, %s, %s FROM {mem} WHERE segment_id = %s AND {gone}",
            [workspace.pk, segment.pk, SegmentEventKind.LEFT.value, at, segment.pk],
        )
        left = c.rowcount
        c.execute(f"DELETE FROM {mem} WHERE segment_id = %s AND {gone}", [segment.pk])
        c.execute(f"SELECT COUNT(*) FROM {_TARGET}")
        size = int(c.fetchone()[0])
    return size, entered, left


# PostgreSQL settings for the refresh transaction only (SET LOCAL ends with it). The scores'
# hash aggregates and window sorts hold one row per person: with the default 4 MB work_mem they
# spill to disk in several batches at a million people. JIT compilation of these one-off
# statements cost about a second each in measurements (benchmarks/segmentation.py) and saved
# nothing, as the plans are scans and hash aggregates already.
REFRESH_WORK_MEM = "128MB"


def _session_for_refresh() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as c:
        c.execute(f"SET LOCAL work_mem = '{REFRESH_WORK_MEM}'")
        c.execute("SET LOCAL jit = off")


def segments_refresh(
    *,
    workspace: Workspace,
    actor: Any = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Scores, tiers, every segment's members (with entered/left events) and today's sizes.

    Returns one row per tier and segment: id, name, kind, size, entered, left.
    """
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    now = now or timezone.now()
    today = now.astimezone(workspace.tz).date()  # the local day of ``now`` (a backfill passes a past now)
    with transaction.atomic():
        _session_for_refresh()
        tiers = default_ladder_ensure(workspace)
        segments = list(Segment.objects.filter(workspace=workspace, kind=SegmentKind.SEGMENT))
        ordered = tiers + _order_segments(segments)
        total = 2 + len(ordered) - len(tiers) + 1
        step = _stepper(progress, total)
        step(_("Scores"))
        # PostgreSQL: the scores are staged and written with the tiers in one UPDATE (see
        # _tiers_assign); elsewhere they are written first and the ladder reads them back.
        staged = connection.vendor == "postgresql"
        if staged:
            scores_stage(workspace=workspace, now=now)
        else:
            scores_refresh(workspace=workspace, now=now)
        step(_("Tiers"))
        results: list[dict[str, Any]] = []
        for tier, (size, entered, left) in zip(
            tiers, _tiers_assign(workspace, tiers, now, staged=staged).values(), strict=True
        ):
            results.append(
                {
                    "id": tier.pk,
                    "name": tier.name,
                    "kind": str(tier.kind),
                    "size": size,
                    "entered": entered,
                    "left": left,
                }
            )
        with connection.cursor() as c:
            c.execute(f"DROP TABLE IF EXISTS {_TARGET}")
            c.execute(f"CREATE TEMPORARY TABLE {_TARGET} (id bigint PRIMARY KEY)")
        try:
            for segment in ordered[len(tiers) :]:
                step(segment.name)
                size, entered, left = _members_sync(workspace, segment, now)
                results.append(
                    {
                        "id": segment.pk,
                        "name": segment.name,
                        "kind": str(segment.kind),
                        "size": size,
                        "entered": entered,
                        "left": left,
                    }
                )
        finally:
            with connection.cursor() as c:
                c.execute(f"DROP TABLE IF EXISTS {_TARGET}")
        step(_("Sizes"))
        for row, segment in zip(results, ordered, strict=True):
            SegmentDailySize.objects.update_or_create(
                segment=segment, date=today, defaults={"workspace": workspace, "size": row["size"]}
            )
            Segment.objects.filter(pk=segment.pk).update(size=row["size"], refreshed_at=now)
        audit_record(
            workspace=workspace,
            actor=actor,
            action="segments.refresh",
            object_type="fans.segment",
            object_repr=_("Segments refresh"),
            after={
                "segments": len(results),
                "entered": sum(r["entered"] for r in results),
                "left": sum(r["left"] for r in results),
            },
        )
        step(_("Done"))
    return results


def _stepper(progress: Progress | None, total: int) -> Callable[[str], None]:
    state = {"done": -1}

    def step(label: str) -> None:
        state["done"] += 1
        if progress is not None:
            progress(str(label), min(state["done"], total), total)

    return step


@transaction.atomic
def segments_refresh_request(*, workspace: Workspace, actor: Any) -> None:
    """ "Refresh now" from a page or the API: checked and audited here, run by a job after commit."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    audit_record(
        workspace=workspace,
        actor=actor,
        action="segments.refresh_request",
        object_type="fans.segment",
        object_repr=_("Segments refresh"),
    )
    from ..tasks import segments as tasks

    workspace_id = workspace.pk
    transaction.on_commit(lambda: tasks.segments_refresh_workspace(workspace_id))


def segment_preview_count(*, workspace: Workspace, rules: Any, segment: Segment | None = None) -> int:
    """How many people the rules match now (the builder's live count); ValidationError when invalid.

    It reads the scores of the last refresh, exactly as the next refresh would before rescoring.
    """
    problems = rules_mod.rules_validate(rules, workspace=workspace, segment=segment)
    if problems:
        raise ValidationError({"rules": problems})
    q = rules_mod.rules_compile(rules, workspace=workspace, now=timezone.now())
    return _people(workspace).filter(q).count()
