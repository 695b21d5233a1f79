"""Pages of the engagement app, one module per area."""
