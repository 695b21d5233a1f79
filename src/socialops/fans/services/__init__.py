"""Services of the fans app (every write), one module per area."""
