"""Models of the engagement app: polls and surveys, their questions and responses."""
