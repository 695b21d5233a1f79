"""Models of the insights app, one module per area (import from the module itself)."""
