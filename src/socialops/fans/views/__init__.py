"""Pages of the fans app, one module per area; each exports its ``<area>_urlpatterns``."""
