"""Huey jobs of the engagement app: polls."""
