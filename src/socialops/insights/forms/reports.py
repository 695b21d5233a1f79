"""Forms of the report pages: a schedule, and a report run now for a period."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from socialops.core.forms import BootstrapFormMixin

from ..models import ReportSchedule, ReportTemplate, RobotKind, Weekday

ROBOT_ROWS = 3


class ReportScheduleForm(BootstrapFormMixin, forms.Form):
    """Template, weekday and time (the workspace's time zone), email recipients and up to three robots."""

    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    template = forms.ChoiceField(label=_("Template"), choices=ReportTemplate.choices)
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=Weekday.choices, coerce=int)
    time = forms.TimeField(
        label=_("Time"), initial=dt.time(9, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    recipients = forms.CharField(
        label=_("Email recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address per line (or separated by commas)."),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, schedule: ReportSchedule | None = None, **kwargs: Any) -> None:
        if schedule is not None and "initial" not in kwargs:
            initial: dict[str, Any] = {
                "name": schedule.name,
                "template": schedule.template,
                "weekday": schedule.weekday,
                "time": schedule.time,
                "recipients": "\n".join(schedule.recipients),
                "enabled": schedule.enabled,
            }
            for i, robot in enumerate(schedule.robots[:ROBOT_ROWS], start=1):
                initial.update({f"robot{i}_kind": robot["kind"], f"robot{i}_url": robot["url"],
                                f"robot{i}_secret": robot.get("secret", "")})  # fmt: skip
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for i in range(1, ROBOT_ROWS + 1):
            self.fields[f"robot{i}_kind"] = forms.ChoiceField(
                label=_("Robot %(n)d") % {"n": i}, choices=RobotKind.choices, required=False
            )
            self.fields[f"robot{i}_url"] = forms.URLField(
                label=_("Webhook address"), required=False, assume_scheme="https", max_length=500
            )
            self.fields[f"robot{i}_secret"] = forms.CharField(
                label=_("Signing secret (DingTalk, Feishu)"), required=False, max_length=200
            )
        # The mixin styled the fields that existed in super().__init__; the robot rows get it here.
        for name, field in self.fields.items():
            if name.startswith("robot"):
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs["class"] = css

    def robot_rows(self) -> list[list[Any]]:
        """The robot fields by row, for the template."""
        return [
            [self[f"robot{i}_kind"], self[f"robot{i}_url"], self[f"robot{i}_secret"]]
            for i in range(1, ROBOT_ROWS + 1)
        ]

    def service_fields(self) -> dict[str, Any]:
        """What the schedule services take."""
        data = self.cleaned_data
        robots = [
            {"kind": data[f"robot{i}_kind"], "url": data[f"robot{i}_url"], "secret": data[f"robot{i}_secret"]}
            for i in range(1, ROBOT_ROWS + 1)
            if data.get(f"robot{i}_url")
        ]
        return {
            "name": data["name"],
            "template": data["template"],
            "weekday": data["weekday"],
            "time": data["time"],
            "recipients": [a for a in re.split(r"[\s,;，；]+", data["recipients"]) if a],
            "robots": robots,
            "enabled": data["enabled"],
        }


class ReportRunForm(BootstrapFormMixin, forms.Form):
    """A report now: a template and, optionally, its period (default: the last whole week or month)."""

    template = forms.ChoiceField(label=_("Template"), choices=ReportTemplate.choices)
    period_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
