"""Models of the community app, one module per area (import from the module itself)."""

from . import events, groups, moderation  # noqa: F401
