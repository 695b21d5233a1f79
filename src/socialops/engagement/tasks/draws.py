"""Huey jobs of the engagement app: draws."""
