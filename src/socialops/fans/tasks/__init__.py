"""Huey jobs of the fans app, one module per area (imported here so the worker registers them)."""

from . import people, playbooks, segments  # noqa: F401
