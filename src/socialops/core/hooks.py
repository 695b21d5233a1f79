"""Named extension points: how a lower app lets a higher one react without importing it.

The app tree (docs/architecture.md) forbids upward imports. When a lower app needs something
only a higher app knows (the planner wants best posting hours from analytics; saving an item
should run review's checks), the lower app declares a ``Hook`` and calls it; the higher app
connects a function to it in its ``AppConfig.ready()``. Calls are synchronous and run inside
the caller's transaction, so a receiver's writes land or roll back with the caller's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Hook:
    """One extension point: receivers connected by higher apps, called in connection order."""

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Callable[..., Any]] = []

    def connect(self, receiver: Callable[..., Any]) -> Callable[..., Any]:
        """Add ``receiver`` once (connecting the same function again is a no-op); usable as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable[..., Any]) -> None:
        """Remove ``receiver`` if connected (tests use this to isolate a lower app)."""
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    @property
    def connected(self) -> bool:
        """True when at least one receiver is connected."""
        return bool(self._receivers)

    def send(self, **kwargs: Any) -> list[Any]:
        """Call every receiver with ``kwargs``; their results in order. Exceptions propagate."""
        return [receiver(**kwargs) for receiver in list(self._receivers)]

    def first(self, default: Any = None, **kwargs: Any) -> Any:
        """The first receiver's result, or ``default`` when none is connected (for providers)."""
        if not self._receivers:
            return default
        return self._receivers[0](**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name} ({len(self._receivers)} receivers)>"
