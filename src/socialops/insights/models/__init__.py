"""Models of the insights app, one module per area (import from the module itself)."""

from .recommendations import Recommendation, RecommendationStatus

__all__ = ["Recommendation", "RecommendationStatus"]
