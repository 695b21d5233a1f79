"""Charts and code → sentence rendering of the fans app, one module per area."""
