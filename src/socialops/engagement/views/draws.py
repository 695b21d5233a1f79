"""Pages of the engagement app: draws."""

from django.urls import URLPattern

draws_urlpatterns: list[URLPattern] = []
# Public pages (no login), mounted under /p/ in config/urls.py.
draws_public_urlpatterns: list[URLPattern] = []
