"""Models of the insights app, one module per area (import from the module itself)."""

from .recommendations import Recommendation, RecommendationStatus
from .reports import ReportRun, ReportSchedule, ReportTemplate, RobotKind, RunState, Weekday

__all__ = [
    "Recommendation",
    "RecommendationStatus",
    "ReportRun",
    "ReportSchedule",
    "ReportTemplate",
    "RobotKind",
    "RunState",
    "Weekday",
]
