"""What every app shares and nothing app-specific: imports no socialops app (see docs/architecture.md)."""
