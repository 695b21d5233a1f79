"""Pages of the engagement app: campaigns."""

from django.urls import URLPattern

campaigns_urlpatterns: list[URLPattern] = []
