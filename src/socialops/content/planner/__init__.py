"""The publishing-plan generator (R2.4–R2.6): cadence slots at the best hours, filled from the backlog.

Pure and deterministic: dataclasses in, dataclasses out; no Django, no clock, no randomness, no
iteration over sets. Times are naive local datetimes in the workspace's time zone (the caller
converts). Explanations and report entries are codes with parameters, rendered to text in the
reader's language elsewhere (content/presenters.py). The algorithm, its guarantees and its
cost are described in docs/plan-generator.md.
"""

from .generator import generate
from .rules import form_limit_violation, hour_order, time_violations
from .types import (
    FORMS,
    MAX_FORM_LIMIT,
    MAX_GAP_MINUTES,
    MAX_POSTS_PER_DAY,
    SLOT_CODES,
    AccountInput,
    BacklogItem,
    BestHours,
    Cadence,
    Capacity,
    DayRule,
    KeptPlacement,
    LinkedDate,
    Placed,
    Plan,
    PlanError,
    PlanInput,
    Slot,
    entry,
    iso_minutes,
    week_of,
)
from .urgent import insert_urgent, plan_from_placements

# The planner's public names, so callers write ``planner.generate(...)``, ``planner.Cadence``.
__all__ = [
    "FORMS",
    "MAX_FORM_LIMIT",
    "MAX_GAP_MINUTES",
    "MAX_POSTS_PER_DAY",
    "SLOT_CODES",
    "AccountInput",
    "BacklogItem",
    "BestHours",
    "Cadence",
    "Capacity",
    "DayRule",
    "KeptPlacement",
    "LinkedDate",
    "Placed",
    "Plan",
    "PlanError",
    "PlanInput",
    "Slot",
    "entry",
    "form_limit_violation",
    "generate",
    "hour_order",
    "insert_urgent",
    "iso_minutes",
    "plan_from_placements",
    "time_violations",
    "week_of",
]
