"""The marketing calendar: official holiday overrides, covered years, and entries people add (R2.3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialops.core.models import CreatedAtModel, CreatedByModel
from socialops.workspaces.models import Workspace


class HolidayOverrideKind(models.TextChoices):
    """What an entered official-schedule day is."""

    HOLIDAY = "holiday", _("Public holiday (day off)")
    MAKEUP_WORKDAY = "makeup_workday", _("Make-up workday (调休上班)")
    WORKDAY = "workday", _("Ordinary workday")


class HolidayOverride(CreatedByModel, CreatedAtModel):
    """One day of an official holiday schedule entered by an admin (for years the library lacks, or corrections)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="holiday_overrides")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=HolidayOverrideKind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["workspace", "date"], name="uniq_holiday_override")]
        verbose_name = _("holiday schedule day")

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class OfficialScheduleYear(CreatedAtModel):
    """A year whose official holiday schedule has been entered in full by an admin, so it counts as covered."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="schedule_years")
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["workspace", "year"], name="uniq_schedule_year")]
        verbose_name = _("covered year")

    def __str__(self) -> str:
        return str(self.year)


class CalendarEntryKind(models.TextChoices):
    """Kinds of calendar entry a person adds (festivals and commerce days are computed, not stored)."""

    HOT_TOPIC = "hot_topic", _("Hot topic")
    BRAND_EVENT = "brand_event", _("Brand event")
    COMMERCE = "commerce", _("Commerce day")
    FESTIVAL = "festival", _("Festival")


class CalendarEntry(CreatedByModel, CreatedAtModel):
    """A hot topic (热点), brand event or extra festival/commerce day a person put on the calendar."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="calendar_entries")
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarEntryKind.choices)
    name = models.CharField(_("name"), max_length=100)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["start_date", "name"]
        indexes = [models.Index(fields=["workspace", "start_date"], name="calentry_ws_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="calentry_order"
            ),
        ]
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")

    def __str__(self) -> str:
        return self.name
