"""Pages of the goals app; see views/metrics.py and views/goals.py."""
