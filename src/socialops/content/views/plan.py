"""Pages: plan."""

from django.urls import URLPattern

plan_urlpatterns: list[URLPattern] = []
