"""Forms of the insights app, one module per area."""
