"""Fitting the customer-value model on a workspace's orders and writing each person's scores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, FloatField, Func, Q, Sum
from django.db.models.functions import Cast, TruncDate
from django.utils.translation import gettext as _

from socialops.core.time import local_today
from socialops.workspaces.access import require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .. import value_model as vm
from ..models import OrderLine, Person, ValueModelFit

# Rows per UPDATE statement when writing scores (well under SQLite's and PostgreSQL's limits
# on bound parameters, 4 per row).
WRITE_BATCH = 4000
# The largest value the expected_value column holds (max_digits=14, 2 decimals).
VALUE_CAP = 10**12 - 1


class _EpochSeconds(Func):
    """UTC seconds since 1970 of a datetime column, computed by the database (SQLite, PostgreSQL)."""

    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite stores aware datetimes as UTC text; julianday() reads it, fractions included.
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "EXTRACT(EPOCH FROM %(expressions)s)::float8"
        return self.as_sql(compiler, connection, template=template, **extra)


def _order_lines(workspace: Workspace, until: dt.date) -> tuple[Any, Any, Any, Any]:
    """The workspace's order lines of people up to ``until``: person, local day number, amount.

    Two million lines must load in seconds, so on SQLite and PostgreSQL the database returns
    plain numbers (UTC seconds, float amounts) fetched in blocks straight into numpy, with no
    per-row Python objects; the local day is then worked out in numpy. The fourth value is
    None (each row is one line); on other databases the rows are daily sums per person with
    their count of negative lines.
    """
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=workspace.tz)
    lines = OrderLine.objects.filter(workspace=workspace, person__isnull=False, ordered_at__lt=end).order_by()
    if connection.vendor in ("sqlite", "postgresql"):
        query = lines.annotate(
            utc_seconds=_EpochSeconds("ordered_at"), amount_float=Cast("amount", FloatField())
        ).values_list("person_id", "utc_seconds", "amount_float")
        sql, params = query.query.sql_with_params()
        blocks = [np.empty((0, 3))]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(100_000):
                blocks.append(np.array(rows, dtype=np.float64))
        data = np.concatenate(blocks)
        days = vm.local_days(data[:, 1], workspace.tz)
        return data[:, 0].astype(np.int64), days, data[:, 2], None
    rows = list(
        lines.annotate(day=TruncDate("ordered_at", tzinfo=workspace.tz))
        .values("person_id", "day")
        .annotate(net=Sum("amount"), refunds=Count("pk", filter=Q(amount__lt=0)))
        .values_list("person_id", "day", "net", "refunds")
    )
    n = len(rows)
    person = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
    day = np.fromiter((r[1].toordinal() for r in rows), dtype=np.int64, count=n)
    net = np.fromiter((float(r[2]) for r in rows), dtype=np.float64, count=n)
    refunds = np.fromiter((r[3] for r in rows), dtype=np.int64, count=n)
    return person, day, net, refunds


def _money(value: float) -> Decimal:
    return Decimal(str(round(min(max(value, 0.0), VALUE_CAP), 2)))


def _write_scores(workspace: Workspace, fit: vm.ValueFit) -> None:
    """Write the customers' scores and clear everyone else's, in a few large UPDATE statements."""
    rows = [
        (int(pk), float(e), float(a), _money(v))
        for pk, e, a, v in zip(
            fit.summary.customer, fit.expected_purchases, fit.p_alive, fit.expected_value, strict=True
        )
    ]
    if connection.vendor == "postgresql":
        _write_postgresql(workspace, rows)
        return
    Person.objects.filter(workspace=workspace).update(
        expected_purchases_90d=None, p_alive=None, expected_value=None
    )
    if connection.vendor == "sqlite":
        _write_values(workspace, rows)
    else:
        people = [
            Person(pk=pk, expected_purchases_90d=e, p_alive=a, expected_value=v) for pk, e, a, v in rows
        ]
        Person.objects.bulk_update(
            people, ["expected_purchases_90d", "p_alive", "expected_value"], batch_size=WRITE_BATCH
        )


_STAGED = "fans_value_scores"


def _write_postgresql(workspace: Workspace, rows: Sequence[tuple[int, float, float, Decimal]]) -> None:
    """Stage the scores in a temporary table, write only the rows that change, clear the rest.

    A person row is rewritten (with every index of the table) only when a score changes: a
    first fit writes the customers (a third of the people) instead of clearing a million rows and
    writing the customers again.
    """
    table = connection.ops.quote_name(Person._meta.db_table)
    columns = ("expected_purchases_90d", "p_alive", "expected_value")
    changed = " OR ".join(f"p.{c} IS DISTINCT FROM v.{c}" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGED}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGED} (id bigint PRIMARY KEY, expected_purchases_90d float8, "
            "p_alive float8, expected_value numeric(14, 2))"
        )
        for start in range(0, len(rows), 50 * WRITE_BATCH):
            chunk = rows[start : start + 50 * WRITE_BATCH]
            cursor.execute(
                f"INSERT INTO {_STAGED} SELECT * FROM unnest(%s::bigint[], %s::float8[], %s::float8[], %s::numeric[])",
                [list(col) for col in zip(*chunk, strict=True)],
            )
        cursor.execute(f"ANALYZE {_STAGED}")
        cursor.execute(
            f"UPDATE {table} AS p SET {', '.join(f'{c} = v.{c}' for c in columns)} "  # noqa: S608
            f"FROM {_STAGED} v WHERE p.id = v.id AND p.workspace_id = %s AND ({changed})",
            [workspace.pk],
        )
        cursor.execute(
            f"UPDATE {table} AS p SET {', '.join(f'{c} = NULL' for c in columns)} "  # noqa: S608
            f"WHERE p.workspace_id = %s AND ({' OR '.join(f'p.{c} IS NOT NULL' for c in columns)}) "
            f"AND NOT EXISTS (SELECT 1 FROM {_STAGED} v WHERE v.id = p.id)",
            [workspace.pk],
        )
        cursor.execute(f"DROP TABLE {_STAGED}")


def _write_values(workspace: Workspace, rows: Sequence[tuple[int, float, float, Decimal]]) -> None:
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), WRITE_BATCH):
            chunk = rows[start : start + WRITE_BATCH]
            values = ", ".join(["(%s, %s, %s, %s)"] * len(chunk))
            sql = (
                f"WITH v(id, e, a, ev) AS (VALUES {values}) "  # noqa: S608
                f"UPDATE {table} SET expected_purchases_90d = v.e, p_alive = v.a, expected_value = v.ev "
                f"FROM v WHERE {table}.id = v.id AND {table}.workspace_id = %s"
            )
            params: list[Any] = [x for row in chunk for x in (row[0], row[1], row[2], str(row[3]))]
            cursor.execute(sql, [*params, workspace.pk])


def _fit_error(exc: vm.ValueModelError) -> ValidationError:
    if exc.code == "too_few":
        return ValidationError(
            _(
                "Too few repeat customers to fit the value model: %(n)s bought on more than one day, "
                "at least %(min)s are needed."
            )
            % {"n": exc.repeat_customers, "min": vm.MIN_REPEAT_CUSTOMERS}
        )
    return ValidationError(
        _("The value model could not be fitted on these orders: the estimation did not converge.")
    )


def value_model_fit(
    *, workspace: Workspace, actor: Any, until: dt.date | None = None, unit: str = "day"
) -> ValueModelFit:
    """Fit BG/NBD + Gamma-Gamma on the workspace's orders up to ``until`` and score every person."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    if unit not in vm.UNITS:
        raise ValidationError({"unit": [_("Choose day or week.")]})
    until = until or local_today(workspace)
    person, day, net, refunds = _order_lines(workspace, until)
    summary = vm.summarise(person, day, net, until=until.toordinal(), unit=unit, refunds=refunds)
    # The optimisation runs outside the transaction: it can take seconds and needs no lock.
    try:
        fit = vm.fit_value_model(summary, unit=unit)
    except vm.ValueModelError as exc:
        raise _fit_error(exc) from exc
    bg, gg = fit.bgnbd, fit.gamma_gamma
    params = {
        "n_customers": summary.n_customers,
        "n_repeat_customers": summary.n_repeat,
        "r": bg.r,
        "alpha": bg.alpha,
        "a": bg.a,
        "b": bg.b,
        "p": gg.p,
        "q": gg.q,
        "gamma": gg.gamma,
        "bgnbd_loglik": bg.loglik,
        "gg_loglik": gg.loglik,
        "bgnbd_converged": bg.converged,
        "gg_converged": gg.converged,
        "horizon_days": vm.HORIZON_DAYS,
    }
    with transaction.atomic():
        obj = ValueModelFit.objects.create(
            workspace=workspace, until=until, unit=unit, n_customers=summary.n_customers, params=params
        )
        _write_scores(workspace, fit)
        audit_record(
            workspace=workspace,
            actor=actor,
            action="value_model_fit.create",
            obj=obj,
            after={"until": until.isoformat(), "unit": unit, **params},
        )
    return obj
