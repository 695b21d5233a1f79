"""views of the content app, one module per area."""
