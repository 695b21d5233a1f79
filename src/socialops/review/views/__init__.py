"""views of the review app: checks.py and workflow.py."""
