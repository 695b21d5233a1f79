"""Huey jobs of the community app (imported here so the worker registers them)."""

from . import events, groups  # noqa: F401
