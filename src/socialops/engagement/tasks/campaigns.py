"""Huey jobs of the engagement app: campaigns."""
