"""Pages of the fans app: orders."""

from django.urls import URLPattern

orders_urlpatterns: list[URLPattern] = []
