"""Pages of the fans app: segments."""

from django.urls import URLPattern

segments_urlpatterns: list[URLPattern] = []
