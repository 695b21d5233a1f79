"""Forms of the fans pages, one module per area."""
