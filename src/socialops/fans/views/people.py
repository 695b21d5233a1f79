"""Pages of the fans app: people."""

from django.urls import URLPattern

people_urlpatterns: list[URLPattern] = []
