"""Huey jobs of the community app: events."""
