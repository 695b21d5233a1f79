"""Pages of the community app: events."""

from django.urls import URLPattern

events_urlpatterns: list[URLPattern] = []
# Public pages (no login), mounted under /p/ in config/urls.py.
events_public_urlpatterns: list[URLPattern] = []
