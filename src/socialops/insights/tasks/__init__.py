"""Huey jobs of the insights app (imported here so the worker registers them)."""

from . import reports  # noqa: F401
