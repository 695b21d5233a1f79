"""Value types of the best-time-to-post model, shared by analytics and the plan generator."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class BestHours:
    """Where an account's posts do best, by ISO weekday (1=Mon … 7=Sun) and local hour.

    ``source`` is "learned" when the account's own post history was enough, otherwise
    "platform_default". ``scores`` maps (weekday, hour) to a relative score (1.0 = the account's
    average); hours absent from it are unknown and rank below every known hour.
    """

    source: str
    posts: int
    scores: dict[tuple[int, int], float] = field(default_factory=dict)

    def ranked_hours(self, weekday: int) -> list[int]:
        """Hours of that weekday, best first (ties: earlier hour first, so the order is deterministic)."""
        known = [(h, s) for (w, h), s in self.scores.items() if w == weekday]
        known.sort(key=lambda hs: (-hs[1], hs[0]))
        return [h for h, _s in known]

    def score(self, weekday: int, hour: int) -> float | None:
        return self.scores.get((weekday, hour))
