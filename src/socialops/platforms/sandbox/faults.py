"""The sandbox's fault injection: the knobs (changeable at run time) and the errors a handler raises."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass
class Faults:
    """Fault injection and simulation knobs; all changeable at run time through POST /sandbox/faults."""

    latency_ms: int = 0  # added to every API request
    latency_jitter_ms: int = 0  # plus a random 0..jitter
    error_rate: float = 0.0  # share of API requests answered with error_status (nothing done)
    error_next: int = 0  # the next N API requests get error_status
    error_status: int = 503
    burst_429: int = 0  # the next N API requests get 429 with Retry-After
    retry_after_s: int = 1
    timeout_after_accept_rate: float = 0.0  # share of POST /statuses recorded, then never answered
    timeout_next: int = 0  # the next N POST /statuses are recorded, then never answered
    hang_seconds: float = 30.0  # how long an unanswered request hangs before the connection drops
    token_ttl: int = 0  # seconds an access token lives (0: for ever)
    rate_limit: int = 300  # requests per token per window (0: unlimited), as Mastodon's 300/5 min
    rate_window_s: int = 300
    media_processing_ms: int = 0  # media answers 202 and polls 206 until processed
    max_characters: int = 500
    max_media: int = 4
    seed: int = 0  # engagement simulation
    time_offset_s: float = 0.0  # the sandbox clock runs this far ahead (ages posts, expires tokens)

    def update(self, data: dict[str, Any]) -> list[str]:
        """Apply known fields from ``data``; return the errors for bad ones (nothing applied then)."""
        errors = []
        changes: dict[str, Any] = {}
        fields = {f.name: f for f in dataclasses.fields(self)}
        for name, value in data.items():
            if name not in fields:
                errors.append(f"unknown knob: {name}")
                continue
            kind = type(getattr(self, name))
            try:
                if isinstance(value, bool):
                    raise ValueError
                converted = kind(value)
            except (TypeError, ValueError):
                errors.append(f"{name}: expected {kind.__name__}")
                continue
            if converted < 0:
                errors.append(f"{name}: must not be negative")
                continue
            if name.endswith("_rate") and converted > 1:
                errors.append(f"{name}: a share between 0 and 1")
                continue
            changes[name] = converted
        if not errors:
            for name, value in changes.items():
                setattr(self, name, value)
        return errors

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class HttpError(Exception):
    def __init__(self, status: int, error: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
        self.headers = headers or {}


class Hang(Exception):
    """Do not answer: the request was accepted, the answer is lost."""
