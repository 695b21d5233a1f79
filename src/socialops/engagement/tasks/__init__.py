"""Huey jobs of the engagement app (imported here so the worker registers them)."""

from . import campaigns, draws, inbox, polls  # noqa: F401
