"""Reads of the fans app (every tenant read takes the workspace), one module per area."""
