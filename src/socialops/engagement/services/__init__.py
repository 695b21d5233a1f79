"""Services of the engagement app (every write), one module per area."""
