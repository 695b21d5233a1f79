"""Huey jobs of the community app: groups."""
