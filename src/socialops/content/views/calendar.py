"""Pages: calendar."""

from django.urls import URLPattern

calendar_urlpatterns: list[URLPattern] = []
