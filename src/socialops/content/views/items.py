"""Pages: items."""

from django.urls import URLPattern

items_urlpatterns: list[URLPattern] = []
