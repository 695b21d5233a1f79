"""Services of the goals app; see services/metrics.py and services/goals.py."""
