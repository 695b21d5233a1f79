"""Pages of the fans app: playbooks."""

from django.urls import URLPattern

playbooks_urlpatterns: list[URLPattern] = []
