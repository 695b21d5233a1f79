"""Selectors of the goals app; see selectors/metrics.py and selectors/goals.py."""
