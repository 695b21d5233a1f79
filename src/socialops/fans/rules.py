"""Segment rules: a JSON tree of conditions, validated with readable messages, compiled to one Q.

A rule tree is ``{"all": [node, ...]}`` or ``{"any": [node, ...]}`` where a node is another such
group or a condition ``{"field": ..., "op": ..., "value": ...}`` (windowed fields also take
``"days"``, and ``interactions`` an optional ``"kind"``). An empty group matches everyone.

Compiling gives a ``Q`` over Person that the database evaluates for every person at once (column
lookups, ``Exists`` semi/anti-joins and ``IN (… GROUP BY … HAVING …)`` for windowed
aggregates) — never a Python loop per person. Every
compiled predicate is TRUE or FALSE, never NULL, so ``~Q`` of a rule is exactly its complement:
the tier ladder relies on that to put each person in exactly one tier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socialops.accounts.models import Platform, SocialAccount
from socialops.workspaces.models import Workspace

from .models import (
    Fan,
    Interaction,
    InteractionKind,
    OrderLine,
    PersonInterest,
    Segment,
    SegmentKind,
    SegmentMembership,
)

# Nesting and size limits: a rule tree is edited by people, and a deeper one is a mistake.
MAX_DEPTH = 4
MAX_CONDITIONS = 40
MAX_DAYS = 3650

NUMERIC_OPS = ("gte", "gt", "lte", "lt", "eq", "ne")
SET_OPS = ("eq", "ne")

OP_LABELS: dict[str, Promise] = {
    "gte": gettext_lazy("at least"),
    "gt": gettext_lazy("more than"),
    "lte": gettext_lazy("at most"),
    "lt": gettext_lazy("less than"),
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
}
# Set-like fields read better as "has" / "has not".
SET_OP_LABELS: dict[str, Promise] = {"eq": gettext_lazy("has"), "ne": gettext_lazy("has not")}


@dataclass(frozen=True)
class RuleField:
    """One field a condition can test: its label, value type and extra parameters."""

    key: str
    label: Promise
    type: str  # count, money, score, number, probability, days, bool, tag, platform, account, segment
    params: tuple[str, ...] = ()  # "days" (a window), "kind" (an interaction kind)
    help: Promise | str = ""

    @property
    def ops(self) -> tuple[str, ...]:
        """The operators this field accepts."""
        if self.type == "bool":
            return ("eq",)
        if self.type in ("tag", "platform", "account", "segment"):
            return SET_OPS
        return NUMERIC_OPS

    @property
    def numeric(self) -> bool:
        """True when the value is a number compared with gte/lte/…."""
        return self.type in ("count", "money", "score", "number", "probability", "days")


FIELDS: dict[str, RuleField] = {
    f.key: f
    for f in (
        RuleField("interactions_30d", gettext_lazy("Interactions in the last 30 days"), "count"),
        RuleField("interactions_90d", gettext_lazy("Interactions in the last 90 days"), "count"),
        RuleField(
            "interactions",
            gettext_lazy("Interactions in a window"),
            "count",
            ("days", "kind"),
            gettext_lazy("Interactions (of one kind, if chosen) in the last N days."),
        ),
        RuleField(
            "follow_age_days",
            gettext_lazy("Days since first follow"),
            "days",
            help=gettext_lazy("Days since the earliest follow of any of the person's fans."),
        ),
        RuleField("is_following", gettext_lazy("Follows one of our accounts"), "bool"),
        RuleField("total_spend", gettext_lazy("Total spend (all time)"), "money"),
        RuleField("orders_count", gettext_lazy("Orders (all time)"), "count"),
        RuleField("spend", gettext_lazy("Spend in a window"), "money", ("days",)),
        RuleField("orders", gettext_lazy("Orders in a window"), "count", ("days",)),
        RuleField("rfm_recency", gettext_lazy("R score (recency, 1–5)"), "score"),
        RuleField("rfm_frequency", gettext_lazy("F score (frequency, 1–5)"), "score"),
        RuleField("rfm_monetary", gettext_lazy("M score (monetary, 1–5)"), "score"),
        RuleField("expected_value", gettext_lazy("Expected value in 90 days"), "money"),
        RuleField("p_alive", gettext_lazy("Probability still a customer (0–1)"), "probability"),
        RuleField("expected_purchases_90d", gettext_lazy("Expected purchases in 90 days"), "number"),
        RuleField("interest", gettext_lazy("Interest tag"), "tag"),
        RuleField("platform", gettext_lazy("Platform"), "platform"),
        RuleField("account", gettext_lazy("Account"), "account"),
        RuleField("segment", gettext_lazy("Member of segment or tier"), "segment"),
        RuleField(
            "last_active_days",
            gettext_lazy("Days since last interaction"),
            "days",
            help=gettext_lazy("People who never interacted match no condition on this field."),
        ),
        RuleField("last_order_days", gettext_lazy("Days since last order"), "days"),
    )
}

# Fields that are Person columns compared directly.
_COLUMNS = {
    "interactions_30d", "interactions_90d", "total_spend", "orders_count", "rfm_recency",
    "rfm_frequency", "rfm_monetary", "expected_value", "p_alive", "expected_purchases_90d",
}  # fmt: skip
# "N days ago" fields backed by a Person datetime column.
_DAYS_COLUMNS = {"last_active_days": "last_active_at", "last_order_days": "last_order_at"}


def catalogue(*, workspace: Workspace) -> list[dict[str, Any]]:
    """The fields with labels, types, operators and choices, for the builder page and the API."""
    accounts = [
        {"value": a.pk, "label": str(a)}
        for a in SocialAccount.objects.filter(workspace=workspace, is_competitor=False)
    ]
    segments = [
        {"value": s.pk, "label": s.name}
        for s in Segment.objects.filter(workspace=workspace).order_by("kind", "rank", "name")
    ]
    tags = sorted(
        set(PersonInterest.objects.filter(workspace=workspace).values_list("tag", flat=True)[:2000])
    )
    choices: dict[str, list[dict[str, Any]]] = {
        "platform": [{"value": v, "label": str(label)} for v, label in Platform.choices],
        "account": accounts,
        "segment": segments,
        "tag": [{"value": t, "label": t} for t in tags],
        "bool": [{"value": True, "label": _("yes")}, {"value": False, "label": _("no")}],
    }
    labels = SET_OP_LABELS
    rows = []
    for f in FIELDS.values():
        rows.append(
            {
                "key": f.key,
                "label": str(f.label),
                "type": f.type,
                "params": list(f.params),
                "help": str(f.help),
                "ops": [
                    {"value": op, "label": str((labels if f.ops == SET_OPS else OP_LABELS)[op])}
                    for op in f.ops
                ],
                "choices": choices.get(f.type, []),
            }
        )
    return rows


def kind_choices() -> list[tuple[str, str]]:
    """Interaction kinds for the ``kind`` parameter ("" = any kind)."""
    return [("", _("any kind")), *((v, str(label)) for v, label in InteractionKind.choices)]


# ---- validation ------------------------------------------------------------------------------


def rules_group(node: Any) -> tuple[str, list[Any]] | None:
    """("all"|"any", children) when the node is a group, else None (a condition)."""
    if isinstance(node, dict) and len(node) == 1:
        ((key, children),) = node.items()
        if key in ("all", "any") and isinstance(children, list):
            return key, children
    return None


def iter_conditions(rules: Any) -> list[dict[str, Any]]:
    """Every condition of a tree, depth first (the numbering the messages use)."""
    out: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        group = rules_group(node)
        if group is not None:
            for child in group[1]:
                walk(child)
        elif isinstance(node, dict):
            out.append(node)

    walk(rules)
    return out


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and abs(number) < Decimal("1e12") else None


def _check_condition(
    n: int, cond: dict[str, Any], workspace: Workspace, segment: Segment | None, errors: list[str]
) -> None:
    """Append the problems of condition number ``n`` (each message names the condition and field)."""
    extra = set(cond) - {"field", "op", "value", "days", "kind"}
    field_key = cond.get("field")
    field = FIELDS.get(field_key) if isinstance(field_key, str) else None
    if field is None:
        errors.append(_("Condition %(n)s: unknown field %(field)s") % {"n": n, "field": field_key})
        return
    say = {"n": n, "field": field.label}
    if extra:
        errors.append(
            _("Condition %(n)s (%(field)s): unknown keys %(keys)s")
            % {**say, "keys": ", ".join(sorted(extra))}
        )
    op = cond.get("op")
    if op not in field.ops:
        errors.append(_("Condition %(n)s (%(field)s): unknown operator %(op)s") % {**say, "op": op})
    value = cond.get("value")
    if field.numeric:
        number = _number(value)
        if number is None:
            errors.append(_("Condition %(n)s (%(field)s): enter a number") % say)
        elif field.type in ("count", "days") and (number < 0 or number != number.to_integral_value()):
            errors.append(_("Condition %(n)s (%(field)s): enter a whole number, 0 or more") % say)
        elif field.type == "score" and not 1 <= number <= 5:
            errors.append(_("Condition %(n)s (%(field)s): a score is between 1 and 5") % say)
        elif field.type == "probability" and not 0 <= number <= 1:
            errors.append(_("Condition %(n)s (%(field)s): a probability is between 0 and 1") % say)
    elif field.type == "bool":
        if not isinstance(value, bool):
            errors.append(_("Condition %(n)s (%(field)s): choose yes or no") % say)
    elif field.type == "tag":
        if not isinstance(value, str) or not value.strip() or len(value) > 60:
            errors.append(_("Condition %(n)s (%(field)s): enter a tag of at most 60 characters") % say)
    elif field.type == "platform":
        if value not in Platform.values:
            errors.append(
                _("Condition %(n)s (%(field)s): unknown platform %(value)s") % {**say, "value": value}
            )
    elif field.type == "account":
        account_id = _int(value)
        ok = (
            account_id is not None
            and SocialAccount.objects.filter(workspace=workspace, pk=account_id, is_competitor=False).exists()
        )
        if not ok:
            errors.append(_("Condition %(n)s (%(field)s): choose one of our accounts") % say)
    elif field.type == "segment":
        target = _int(value)
        if target is None or not Segment.objects.filter(workspace=workspace, pk=target).exists():
            errors.append(_("Condition %(n)s (%(field)s): choose a segment of this workspace") % say)
        elif segment is not None and segment.pk is not None and _depends_on(workspace, target, segment.pk):
            errors.append(_("Condition %(n)s (%(field)s): a segment cannot depend on itself") % say)
    if "days" in field.params:
        days = _int(cond.get("days"))
        if days is None or not 1 <= days <= MAX_DAYS:
            errors.append(_("Condition %(n)s (%(field)s): the window is 1 to 3650 days") % say)
    elif "days" in cond:
        errors.append(_("Condition %(n)s (%(field)s): this field takes no window") % say)
    kind = cond.get("kind")
    if kind not in ("", None) and ("kind" not in field.params or kind not in InteractionKind.values):
        errors.append(_("Condition %(n)s (%(field)s): unknown interaction kind") % say)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 <= number < 2**31 else None


def segment_dependencies(rules: Any) -> set[int]:
    """The segments a rule tree refers to (``segment`` conditions)."""
    out = set()
    for cond in iter_conditions(rules):
        if cond.get("field") == "segment" and _int(cond.get("value")) is not None:
            out.add(int(cond["value"]))
    return out


def _depends_on(workspace: Workspace, start: int, target: int) -> bool:
    """True when segment ``start`` is ``target`` or refers to it, directly or through others."""
    rules = dict(Segment.objects.filter(workspace=workspace).values_list("pk", "rules"))
    seen, stack = set(), [start]
    while stack:
        current = stack.pop()
        if current == target:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(segment_dependencies(rules.get(current, {})))
    return False


def rules_validate(rules: Any, *, workspace: Workspace, segment: Segment | None = None) -> list[str]:
    """Every problem of a rule tree as a translated sentence naming the condition and field ([] = valid)."""
    errors: list[str] = []
    if rules_group(rules) is None:
        return [_('Rules must be {"all": [...]} or {"any": [...]}.')]
    counter = {"n": 0}

    def walk(node: Any, depth: int) -> None:
        group = rules_group(node)
        if group is not None:
            if depth > MAX_DEPTH:
                errors.append(_("Groups can be nested at most %(depth)s deep.") % {"depth": MAX_DEPTH})
                return
            for child in group[1]:
                walk(child, depth + 1)
            return
        counter["n"] += 1
        if not isinstance(node, dict):
            errors.append(_("Condition %(n)s: not a condition") % {"n": counter["n"]})
            return
        _check_condition(counter["n"], node, workspace, segment, errors)

    walk(rules, 1)
    if counter["n"] > MAX_CONDITIONS:
        errors.append(_("Use at most %(max)s conditions.") % {"max": MAX_CONDITIONS})
    return errors


# ---- compilation -----------------------------------------------------------------------------


def _holds(op: str, left: Any, right: Any) -> bool:
    """``left op right`` in Python (is a person with no rows in the window, i.e. 0, a match?)."""
    return {
        "gte": left >= right, "gt": left > right, "lte": left <= right,
        "lt": left < right, "eq": left == right, "ne": left != right,
    }[op]  # fmt: skip


def _days_ago(column_or_exists: str, op: str, days: int, now: dt.datetime) -> Q:
    """ "N days ago ``op`` days" on a datetime column; people without a date match nothing."""
    cutoff = now - dt.timedelta(days=days)
    day_before = cutoff - dt.timedelta(days=1)
    c = column_or_exists
    match op:
        case "gte":  # at least N days ago
            return Q(**{f"{c}__lte": cutoff})
        case "gt":
            return Q(**{f"{c}__lt": day_before})
        case "lte":
            return Q(**{f"{c}__gte": cutoff})
        case "lt":
            return Q(**{f"{c}__gt": cutoff})
        case "eq":
            return Q(**{f"{c}__gt": day_before, f"{c}__lte": cutoff})
        case _:  # ne: has a date, and not on that day
            return Q(**{f"{c}__isnull": False}) & ~Q(**{f"{c}__gt": day_before, f"{c}__lte": cutoff})


def _follow_age(op: str, days: int, now: dt.datetime, workspace: Workspace) -> Q:
    """Days since the earliest follow, as Exists tests (no NULLs: never-followed matches nothing)."""
    fans = Fan.objects.filter(workspace=workspace, person=OuterRef("pk"), followed_at__isnull=False)
    cutoff = now - dt.timedelta(days=days)
    day_before = cutoff - dt.timedelta(days=1)

    def before(limit: dt.datetime, strict: bool) -> Q:
        return Q(Exists(fans.filter(**{"followed_at__lt" if strict else "followed_at__lte": limit})))

    any_follow = Q(Exists(fans))
    match op:
        case "gte":  # the earliest follow is at or before the cutoff
            return before(cutoff, False)
        case "gt":
            return before(day_before, True)
        case "lte":  # every follow is at or after the cutoff
            return any_follow & ~before(cutoff, True)
        case "lt":
            return any_follow & ~before(cutoff, False)
        case "eq":
            return before(cutoff, False) & ~before(day_before, False)
        case _:
            return any_follow & ~(before(cutoff, False) & ~before(day_before, False))


def _windowed(
    field: str, cond: dict[str, Any], op: str, value: Any, now: dt.datetime, workspace: Workspace
) -> Q:
    """A windowed count or sum compared with ``value``; people without rows in the window count as 0.

    Written as ``pk IN (SELECT person_id … GROUP BY person_id HAVING agg op value)`` — one hash
    aggregate over the window, which PostgreSQL joins as a semi-join — rather than a correlated
    aggregate per person. When 0 itself satisfies the comparison, people without any row in the
    window (an anti-join through NOT EXISTS) are added. Never NULL: person ids in the subquery
    are never NULL.
    """
    since = now - dt.timedelta(days=int(cond["days"]))
    rows: QuerySet[Any]
    if field == "interactions":
        rows = Interaction.objects.filter(workspace=workspace, occurred_at__gte=since, occurred_at__lte=now)
        if cond.get("kind"):
            rows = rows.filter(kind=cond["kind"])
        aggregate: Any = Count("pk")
    else:
        rows = OrderLine.objects.filter(
            workspace=workspace, person__isnull=False, ordered_at__gte=since, ordered_at__lte=now
        )
        if field == "spend":
            aggregate = Sum("amount")
        else:  # orders: distinct order ids with a positive, non-cancellation line in the window
            rows = rows.filter(amount__gt=0, is_cancellation=False)
            aggregate = Count("order_id", distinct=True)
    grouped = rows.order_by().values("person_id").annotate(agg=aggregate)
    if op == "ne":
        grouped = grouped.exclude(agg=value)
    else:
        grouped = grouped.filter(**{f"agg__{'exact' if op == 'eq' else op}": value})
    q = Q(pk__in=grouped.values("person_id"))
    if _holds(op, 0, value):
        q |= ~Q(Exists(rows.filter(person=OuterRef("pk"))))
    return q


def _condition(cond: dict[str, Any], workspace: Workspace, now: dt.datetime) -> Q:
    key, op = cond["field"], cond["op"]
    value: Any = cond.get("value")
    field = FIELDS[key]
    if key in _COLUMNS:
        number = _number(value)
        typed: Any = int(number) if field.type in ("count", "score") else number  # type: ignore[arg-type]
        if field.type in ("probability", "number"):
            typed = float(number)  # type: ignore[arg-type]
        if op == "ne":
            return ~Q(**{key: typed})
        return Q(**{f"{key}__{'exact' if op == 'eq' else op}": typed})
    if key in _DAYS_COLUMNS:
        return _days_ago(_DAYS_COLUMNS[key], op, int(_number(value) or 0), now)
    if key == "follow_age_days":
        return _follow_age(op, int(_number(value) or 0), now, workspace)
    if key in ("interactions", "spend", "orders"):
        number = _number(value) or Decimal(0)
        return _windowed(key, cond, op, int(number) if key != "spend" else number, now, workspace)
    positive: Q
    if key == "is_following":
        has = Q(Exists(Fan.objects.filter(workspace=workspace, person=OuterRef("pk"), is_following=True)))
        return has if value else ~has
    if key == "interest":
        positive = Q(
            Exists(
                PersonInterest.objects.filter(workspace=workspace, person=OuterRef("pk"), tag=value.strip())
            )
        )
    elif key == "platform":
        positive = Q(
            Exists(Fan.objects.filter(workspace=workspace, person=OuterRef("pk"), account__platform=value))
        )
    elif key == "account":
        positive = Q(
            Exists(Fan.objects.filter(workspace=workspace, person=OuterRef("pk"), account_id=int(value)))
        )
    else:  # segment: a tier by Person.tier (written first in a refresh), a segment by its members
        target = (
            Segment.objects.filter(workspace=workspace, pk=int(value)).values_list("kind", flat=True).first()
        )
        if target == SegmentKind.TIER:
            positive = Q(tier_id=int(value))
        else:
            positive = Q(
                Exists(SegmentMembership.objects.filter(segment_id=int(value), person=OuterRef("pk")))
            )
    return ~positive if op == "ne" else positive


def rules_compile(rules: Any, *, workspace: Workspace, now: dt.datetime) -> Q:
    """A validated rule tree as one Q over Person (the caller filters the workspace's people with it)."""
    group = rules_group(rules)
    if group is None:
        cond = rules
        return _condition(cond, workspace, now)
    mode, children = group
    q = Q()
    for child in children:
        part = rules_compile(child, workspace=workspace, now=now)
        if mode == "all":
            q &= part
        elif not part:
            return Q()  # an empty group matches everyone, so "any" of it does too
        else:
            q |= part
    return q  # an empty group (Q()) matches everyone


def rules_describe(rules: Any) -> str:
    """The rule tree as one readable line, e.g. "Interactions in the last 30 days at least 3 and …"."""
    group = rules_group(rules)
    if group is None:
        if not isinstance(rules, dict) or rules.get("field") not in FIELDS:
            return "?"
        field = FIELDS[rules["field"]]
        labels = SET_OP_LABELS if field.ops == SET_OPS else OP_LABELS
        op = str(labels.get(rules.get("op", ""), rules.get("op", "")))
        value = rules.get("value")
        if field.type == "bool":
            return f"{field.label}: {_('yes') if value else _('no')}"
        text = f"{field.label} {op} {value}"
        if "days" in field.params and rules.get("days"):
            text += " " + _("(last %(days)s days)") % {"days": rules["days"]}
        if rules.get("kind"):
            text += f" [{InteractionKind(rules['kind']).label}]"
        return text
    mode, children = group
    if not children:
        return _("everyone")
    joiner = _(" and ") if mode == "all" else _(" or ")
    parts = []
    for child in children:
        text, inner = rules_describe(child), rules_group(child)
        parts.append(f"({text})" if inner is not None and len(inner[1]) > 1 else text)
    return joiner.join(parts)
