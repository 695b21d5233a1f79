"""Models of the content app, one module per area."""

from .calendar import (
    CalendarEntry,
    CalendarEntryKind,
    HolidayOverride,
    HolidayOverrideKind,
    OfficialScheduleYear,
)
from .items import (
    BodyFormat,
    ContentForm,
    ContentItem,
    ContentVariant,
    Importance,
    MediaAsset,
    MediaKind,
    Theme,
    ThemeTarget,
)
from .plan import CadenceRule, CapacityRule, HolidayMode, Placement, PlacementSource, PlanRun
from .saved_views import SAVED_VIEW_FILTERS, SavedView

__all__ = [
    "BodyFormat",
    "CadenceRule",
    "CalendarEntry",
    "CalendarEntryKind",
    "CapacityRule",
    "ContentForm",
    "ContentItem",
    "ContentVariant",
    "HolidayMode",
    "HolidayOverride",
    "HolidayOverrideKind",
    "Importance",
    "MediaAsset",
    "MediaKind",
    "OfficialScheduleYear",
    "Placement",
    "PlacementSource",
    "PlanRun",
    "SAVED_VIEW_FILTERS",
    "SavedView",
    "Theme",
    "ThemeTarget",
]
