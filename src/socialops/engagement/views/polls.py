"""Pages of the engagement app: polls."""

from django.urls import URLPattern

polls_urlpatterns: list[URLPattern] = []
# Public pages (no login), mounted under /p/ in config/urls.py.
polls_public_urlpatterns: list[URLPattern] = []
