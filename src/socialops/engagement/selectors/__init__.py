"""Selectors of the engagement app (every read), one module per area."""
