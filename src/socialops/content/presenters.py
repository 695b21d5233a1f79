"""The plan generator's codes as sentences in the reader's language (explanations, warnings, reasons).

The planner and the plan services return ``{"code": ..., "params": {...}}`` entries; they are
stored as codes and said here when someone reads them, so a team member sees them in their own
language. ``PLAN_MESSAGES`` is the one code → sentence table (core.messages.MessageTable); the
few sentences that depend on a count are ngettext templates keyed on ``n`` in ``PLAN_PLURALS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from socialops.core.messages import MessageTable

from .models import ContentForm, HolidayMode

# An item's workflow state (review and publishing set it; content stores the code), in the
# reader's language, and the order the calendar legend lists them in.
STATUS_LABELS = {
    "draft": gettext_lazy("Draft"),
    "in_review": gettext_lazy("In review"),
    "changes_requested": gettext_lazy("Changes requested"),
    "approved": gettext_lazy("Approved"),
    "scheduled": gettext_lazy("Scheduled"),
    "publishing": gettext_lazy("Publishing"),
    "published": gettext_lazy("Published"),
    "failed": gettext_lazy("Failed"),
    "unknown": gettext_lazy("Outcome unknown"),
    "archived": gettext_lazy("Archived"),
}
# The states the calendar styles apart (publishing and unknown share "in flight"/"failed" looks).
CALENDAR_STATES = ("draft", "in_review", "changes_requested", "approved", "scheduled", "published", "failed")


def status_label(status: Any) -> str:
    """An item state code in the active language (unknown codes as themselves)."""
    return str(STATUS_LABELS.get(status, status))


def calendar_state(status: Any) -> str:
    """The calendar style an item state is drawn with (publishing looks scheduled, unknown failed)."""
    return {"publishing": "scheduled", "unknown": "failed", "archived": "published"}.get(status, status)


def form_label(form: Any) -> str:
    """A content form code in the active language (unknown codes as themselves)."""
    return str(ContentForm(form).label) if form in ContentForm.values else str(form)


def _mode_label(mode: Any) -> str:
    return str(HolidayMode(mode).label) if mode in HolidayMode.values else str(mode)


def _weekday_label(key: Any) -> str:
    return str(WEEKDAYS[int(key) - 1]) if isinstance(key, int) and 1 <= key <= 7 else str(key)


def moment(value: Any) -> str:
    """A stored local time (YYYY-MM-DDTHH:MM) as people write it."""
    return str(value).replace("T", " ")


def _hour(value: Any) -> str:
    return f"{int(value):02d}:00" if isinstance(value, int) else str(value)


def _source_label(source: Any) -> str:
    if source == "learned":
        return _("learned from its own posts")
    return _("the platform's default hours")


_LINK_ON_THE_DAY = gettext_lazy("Linked to %(name)s on %(date)s: placed on the day.")

PLAN_MESSAGES = MessageTable(
    {
        # Why a placement is where it is.
        "theme_under_target": gettext_lazy(
            "Theme “%(theme)s” was %(gap)s%% under its target share of %(target)s%%."
        ),
        "theme_on_target": gettext_lazy(
            "Theme “%(theme)s” keeps the mix at its target share of %(target)s%%."
        ),
        "theme_unavailable": gettext_lazy("Themes further under target had nothing ready: %(themes)s."),
        "form_spread": gettext_lazy(
            "A %(form)s, so two posts of the same form (%(previous)s) do not follow each other."
        ),
        "best_hour": gettext_lazy(
            "%(hour)s is this account's no. %(rank)s hour on %(weekday)s (%(source)s)."
        ),
        "default_hour": gettext_lazy(
            "%(hour)s is a commonly active hour (no engagement data ranks this hour)."
        ),
        "chosen_time": gettext_lazy("At the time chosen by hand (%(at)s)."),
        "holiday": gettext_lazy("%(date)s is a public holiday (%(name)s), planned as: %(mode)s."),
        "makeup_workday": gettext_lazy("%(date)s is a make-up workday (调休), planned like its weekend day."),
        "makeup_workday.as_workday": gettext_lazy(
            "%(date)s is a make-up workday (调休), planned like a workday."
        ),
        "uncovered": gettext_lazy(
            "No official holiday data for %(year)s: this date is planned by its weekday."
        ),
        "extra_slot": gettext_lazy(
            "An extra post within the cadence's maximum: the backlog has enough to spare."
        ),
        "festival_link": _LINK_ON_THE_DAY,
        "hot_topic_link": _LINK_ON_THE_DAY,
        "deadline_soon": gettext_lazy("Due within two days: placed ahead of the theme mix."),
        "urgent": gettext_lazy("Urgent item: placed at the earliest slot."),
        "important": gettext_lazy("Important item: placed ahead of normal items of its theme."),
        "urgent_inserted": gettext_lazy(
            "Inserted as urgent; the items it displaced moved to the next suitable slots."
        ),
        "reflowed": gettext_lazy("Moved from %(from)s to make room for an urgent item."),
        "moved": gettext_lazy("Moved by hand from %(from)s."),
        "manual": gettext_lazy("Placed by hand."),
        "kept": gettext_lazy("Placed or locked by hand; regeneration keeps it."),
        "fixed_time": gettext_lazy("A live stream at its planned start time (%(at)s)."),
        # Warnings of a run.
        "no_theme_targets": gettext_lazy("%(account)s has no theme targets: all themes share equally."),
        "capacity_reached": gettext_lazy(
            "Week of %(week)s: the team's capacity of %(limit)s items is used up; %(n)s held back."
        ),
        "capacity_reached.owner": gettext_lazy(
            "Week of %(week)s: an owner's capacity of %(limit)s items is used up; %(n)s held back."
        ),
        "uncovered_year": gettext_lazy(
            "No official holiday data for %(year)s: dates in it are planned by weekday until an admin enters the schedule."
        ),
        # Rules a time breaks.
        "past": gettext_lazy("This time is in the past."),
        "quiet_hours": gettext_lazy("%(at)s is within this account's quiet hours (%(start)s–%(end)s)."),
        "gap": gettext_lazy("Less than %(minutes)s minutes from this account's post at %(other)s."),
        "after_deadline": gettext_lazy("This is after the item's deadline (%(deadline)s)."),
        "form_limit": gettext_lazy("This account posts at most %(limit)s × %(form)s a week."),
        "already_placed": gettext_lazy(
            "This item is already placed on this account by hand (%(at)s); drag it there instead."
        ),
        # Reasons an item was not placed.
        "deadline_missed": gettext_lazy("No slot before its deadline %(deadline)s."),
        "deadline_passed": gettext_lazy("Its deadline has passed."),
        "link_missed": gettext_lazy("No slot on or shortly before %(name)s (%(date)s)."),
        "link_passed": gettext_lazy("Its calendar date (%(name)s) has passed."),
        "deadline_before_link": gettext_lazy(
            "Its deadline is before its calendar date %(name)s (%(date)s); fix one of the two."
        ),
        "fixed_time_conflict": gettext_lazy("Its set time %(at)s cannot be used: %(detail)s"),
        "no_suitable_slot": gettext_lazy("No suitable slot before its deadline; nothing was moved."),
        "no_slot_left": gettext_lazy("No later slot was free; it is back in the backlog."),
    },
    param_words={
        "form": form_label,
        "previous": form_label,
        "hour": _hour,
        "weekday": _weekday_label,
        "source": _source_label,
        "mode": _mode_label,
        "at": moment,
        "from": moment,
        "other": moment,
    },
)

# Sentences whose wording depends on a count, keyed on the ``n`` parameter.
PLAN_PLURALS: dict[str, Any] = {
    "festival_link": ngettext_lazy(
        "Linked to %(name)s on %(date)s: placed %(n)s day before.",
        "Linked to %(name)s on %(date)s: placed %(n)s days before.",
        "n",
    ),
    "deadline": ngettext_lazy(
        "Due by %(deadline)s (%(n)s day left).", "Due by %(deadline)s (%(n)s days left).", "n"
    ),
    "empty_slots": ngettext_lazy(
        "%(account)s: %(n)s slot stays empty – the backlog or the team's capacity cannot fill the cadence "
        "(%(cadence)s posts a week); this plan proposes %(planned)s a week.",
        "%(account)s: %(n)s slots stay empty – the backlog or the team's capacity cannot fill the cadence "
        "(%(cadence)s posts a week); this plan proposes %(planned)s a week.",
        "n",
    ),
    "cadence_unfit": ngettext_lazy(
        "%(account)s: %(n)s post of the cadence does not fit between quiet hours with the minimum gap.",
        "%(account)s: %(n)s posts of the cadence do not fit between quiet hours with the minimum gap.",
        "n",
    ),
    "off_target_items": ngettext_lazy(
        "%(account)s: %(n)s item has a theme without a target share on this account and was not planned there.",
        "%(account)s: %(n)s items have a theme without a target share on this account and were not planned there.",
        "n",
    ),
}
PLAN_PLURALS["hot_topic_link"] = PLAN_PLURALS["festival_link"]

# Stored parameter → template placeholder, where the planner's name differs from the sentence's.
_RENAMED: dict[str, dict[str, str]] = {
    "theme_under_target": {"gap": "gap_pct", "target": "target_pct"},
    "theme_on_target": {"target": "target_pct"},
    "no_theme_targets": {"account": "label"},
    "empty_slots": {"account": "label", "n": "count", "planned": "suggested"},
    "cadence_unfit": {"account": "label", "n": "count"},
    "off_target_items": {"account": "label", "n": "count"},
    "capacity_reached": {"n": "held_back"},
    "deadline": {"n": "days_left"},
    "festival_link": {"n": "days_before"},
    "hot_topic_link": {"n": "days_before"},
}


def _values(code: str, params: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(params)
    for placeholder, stored in _RENAMED.get(code, {}).items():
        values[placeholder] = params.get(stored)
    if code == "holiday":
        values["name"] = params.get("name") or _("day off")
    if code == "fixed_time_conflict":
        problem = params.get("problem")
        values["detail"] = (
            explain(problem["code"], problem.get("params")) if isinstance(problem, dict) else ""
        )
    return values


# Codes whose sentence is chosen by a parameter: which table key to say them with.
_VARIANT: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "makeup_workday": lambda p: "makeup_workday.as_workday" if p.get("as_workday") else "makeup_workday",
    "capacity_reached": lambda p: "capacity_reached" if p.get("owner") is None else "capacity_reached.owner",
}


def explain(code: str, params: Mapping[str, Any] | None = None) -> str:
    """One code with its parameters as a sentence in the active language."""
    params = params or {}
    values = _values(code, params)
    plural = PLAN_PLURALS.get(code)
    if plural is not None and (values.get("n") or code not in ("festival_link", "hot_topic_link")):
        try:
            values["n"] = values.get("n") or 0
            return str(plural % PLAN_MESSAGES.localize(values))
        except (KeyError, TypeError, ValueError):
            # A stored entry from an older version with other parameters still reads as something.
            return code
    key = _VARIANT[code](params) if code in _VARIANT else code
    return PLAN_MESSAGES.render(key, values)


def explanation_text(entries: Iterable[Any]) -> list[str]:
    """A placement's explanation entries as sentences in the active language."""
    out = []
    for e in entries:
        if isinstance(e, dict) and isinstance(e.get("code"), str):
            out.append(explain(e["code"], e.get("params") if isinstance(e.get("params"), dict) else {}))
    return out
