"""Per-person scores of a whole workspace in one set-based statement (the first step of a refresh).

Writes on Person: interactions_30d / interactions_90d, orders_count (distinct order ids whose lines net to more than zero), total_spend (net of
cancellations and returns), last_order_at (the latest such order) and the RFM quintile scores
1–5 among people with orders (NTILE over last order time, order count and spend, ties broken by
id so a refresh is deterministic); people without orders get no RFM scores.

Interactions are read only in the 90-day window (``occurred_at >= now - 90 days``), one pass
and one hash aggregate giving both counts (``COUNT(*) FILTER``). ``last_active_at`` and
``first_seen_at`` are kept by the write path (``fans.services.people.interaction_record`` moves
them for every new interaction, merges combine them), so the refresh does not scan a year of
interactions for the latest one: it only moves ``last_active_at`` forward when the window holds
a later interaction than the stored one (rows written around interaction_record, e.g. by a
bulk import), never back, and like interaction_record it does not count an unfollow as activity.

Why raw SQL: the refresh must handle a million people, twenty million interactions and two
million order lines in seconds. The ORM cannot express ``UPDATE … FROM (aggregate)`` — its
``update()`` with ``Subquery`` runs one correlated aggregate per person and per column (nine
subqueries × a million rows), and a Python loop is out of the question. One
``WITH … UPDATE … FROM`` statement aggregates each table once (hash aggregates, window functions
for the quintiles) into a temporary table — a SELECT PostgreSQL may run with parallel workers —
and one ``UPDATE … FROM`` writes only the rows whose values changed (``IS DISTINCT FROM``), so a
refresh with no new data writes nothing. The SQL is parameterised and every table is filtered by
the workspace. PostgreSQL and SQLite (≥ 3.33, for UPDATE FROM; ≥ 3.39 for IS DISTINCT FROM —
older SQLite uses ``IS NOT``, its null-safe spelling) run the same statement.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone

from socialops.workspaces.models import Workspace

from .models import Interaction, InteractionKind, OrderLine, Person

# (Person column, the computed column of the statement) in the order they are written.
_COLUMNS = (
    ("interactions_30d", "c30"),
    ("interactions_90d", "c90"),
    ("orders_count", "n_orders"),
    ("total_spend", "spend"),
    ("last_order_at", "last_order"),
    ("rfm_recency", "r"),
    ("rfm_frequency", "f"),
    ("rfm_monetary", "m"),
)


# The new figures are computed into a temporary table first: PostgreSQL runs the SELECT of a
# CREATE TABLE AS with parallel workers, which it never does for the SELECT inside an UPDATE.
_SCORES = SCORES_TABLE = "fans_scores_refresh"


def _sql() -> tuple[str, str]:
    """(the SELECT of every person's new figures, the UPDATE that writes the changed ones)."""
    q = connection.ops.quote_name
    person, interaction, line = (
        q(Person._meta.db_table),
        q(Interaction._meta.db_table),
        q(OrderLine._meta.db_table),
    )
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    sets = ", ".join(f"{q(col)} = s.{alias}" for col, alias in _COLUMNS)
    changed = " OR ".join(f"{person}.{q(col)} {distinct} s.{alias}" for col, alias in _COLUMNS)
    # last_active_at only moves forward, as interaction_record moves it (see the module docstring).
    last = f"{person}.{q('last_active_at')}"
    later = f"CASE WHEN s.last_at IS NOT NULL AND ({last} IS NULL OR {last} < s.last_at) THEN s.last_at ELSE {last} END"
    return (
        f"""
WITH ia AS (
    SELECT person_id,
           COUNT(*) FILTER (WHERE occurred_at >= %(since30)s) AS c30,
           COUNT(*) AS c90,
           MAX(occurred_at) FILTER (WHERE kind <> %(unfollow)s) AS last_at
    FROM {interaction}
    WHERE workspace_id = %(ws)s AND occurred_at >= %(since90)s AND occurred_at <= %(now)s
    GROUP BY person_id
),
o AS (
    SELECT person_id, order_id, SUM(amount) AS net, MAX(ordered_at) AS at
    FROM {line}
    WHERE workspace_id = %(ws)s AND person_id IS NOT NULL AND ordered_at <= %(now)s
    GROUP BY person_id, order_id
),
oa AS (
    SELECT person_id,
           SUM(CASE WHEN net > 0 THEN 1 ELSE 0 END) AS n_orders,
           ROUND(SUM(net), 2) AS spend,
           MAX(CASE WHEN net > 0 THEN at END) AS last_order
    FROM o
    GROUP BY person_id
),
rfm AS (
    SELECT person_id,
           NTILE(5) OVER (ORDER BY last_order, person_id) AS r,
           NTILE(5) OVER (ORDER BY n_orders, person_id) AS f,
           NTILE(5) OVER (ORDER BY spend, person_id) AS m
    FROM oa
    WHERE n_orders > 0
)
SELECT p.id,
       COALESCE(ia.c30, 0) AS c30,
       COALESCE(ia.c90, 0) AS c90,
       ia.last_at,
       COALESCE(oa.n_orders, 0) AS n_orders,
       COALESCE(oa.spend, 0) AS spend,
       oa.last_order,
       rfm.r, rfm.f, rfm.m
FROM {person} p
LEFT JOIN ia ON ia.person_id = p.id
LEFT JOIN oa ON oa.person_id = p.id
LEFT JOIN rfm ON rfm.person_id = p.id
WHERE p.workspace_id = %(ws)s
""",
        f"""
UPDATE {person} SET {sets}, {q("last_active_at")} = {later}
FROM {_SCORES} s
WHERE {person}.id = s.id AND ({changed} OR {person}.{q("last_active_at")} {distinct} {later})
""",
    )


def _params(workspace: Workspace, now: dt.datetime) -> dict[str, Any]:
    adapt = connection.ops.adapt_datetimefield_value
    return {
        "ws": workspace.pk,
        "now": adapt(now),
        "since30": adapt(now - dt.timedelta(days=30)),
        "since90": adapt(now - dt.timedelta(days=90)),
        "unfollow": InteractionKind.UNFOLLOW.value,
    }


def scores_stage(*, workspace: Workspace, now: dt.datetime) -> None:
    """Compute every person's new figures into the temporary table ``SCORES_TABLE`` (not written yet)."""
    select, _update = _sql()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_SCORES}")
        cursor.execute(f"CREATE TEMPORARY TABLE {_SCORES} AS {select}", _params(workspace, now))
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {_SCORES}")


def scores_shadow_sql() -> str:
    """``WITH "fans_person" AS (…)``: the people as they will be once the staged scores are written.

    A statement compiled by the ORM over Person (the tier rules) run after this prefix reads the
    new scores instead of the stored ones: in a non-recursive WITH the name of the CTE shadows the
    table in the statement, while inside its own definition it still names the table. PostgreSQL
    only (SQLite takes a CTE that names itself for a recursive one).
    """
    q = connection.ops.quote_name
    person = Person._meta.db_table
    staged = dict(_COLUMNS)
    last = f"p.{q('last_active_at')}"
    columns = []
    for field in Person._meta.concrete_fields:
        column = str(field.column)
        if column in staged:
            columns.append(f"s.{staged[column]} AS {q(column)}")
        elif column == "last_active_at":
            columns.append(
                f"CASE WHEN s.last_at IS NOT NULL AND ({last} IS NULL OR {last} < s.last_at) "
                f"THEN s.last_at ELSE {last} END AS {q(column)}"
            )
        else:
            columns.append(f"p.{q(column)}")
    return f"WITH {q(person)} AS (SELECT {', '.join(columns)} FROM {q(person)} p JOIN {_SCORES} s ON s.id = p.id) "


def scores_apply(*, tiers_table: str | None = None) -> int:
    """Write the staged figures (and, from ``tiers_table`` (id, new_tier), the new tiers) to the
    rows that change, in one UPDATE; drops the staged table. Returns how many rows changed."""
    _select, update = _sql()
    q = connection.ops.quote_name
    person = q(Person._meta.db_table)
    if tiers_table is not None:
        assert f"FROM {_SCORES} s\nWHERE {person}.id = s.id AND (" in update  # the join goes there
        update = update.replace(
            f"FROM {_SCORES} s\nWHERE {person}.id = s.id AND (",
            f"FROM {_SCORES} s JOIN {tiers_table} t ON t.id = s.id\n"
            f"WHERE {person}.id = s.id AND ({person}.{q('tier_id')} IS DISTINCT FROM t.new_tier OR ",
        ).replace(f"UPDATE {person} SET ", f"UPDATE {person} SET {q('tier_id')} = t.new_tier, ")
    with connection.cursor() as cursor:
        cursor.execute(update)
        changed = max(cursor.rowcount, 0)
        cursor.execute(f"DROP TABLE {_SCORES}")
    return changed


def scores_refresh(*, workspace: Workspace, now: dt.datetime | None = None) -> int:
    """Recompute every person's activity, order and RFM figures; returns how many rows changed."""
    scores_stage(workspace=workspace, now=now or timezone.now())
    return scores_apply()
