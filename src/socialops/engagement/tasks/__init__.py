"""Huey jobs of the engagement app (imported here so the worker registers them)."""

from . import inbox  # noqa: F401
