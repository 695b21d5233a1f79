"""Pages of the community app: groups."""

from django.urls import URLPattern

groups_urlpatterns: list[URLPattern] = []
# Public pages (no login), mounted under /p/ in config/urls.py.
groups_public_urlpatterns: list[URLPattern] = []
