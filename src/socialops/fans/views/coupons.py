"""Pages of the fans app: coupons."""

from django.urls import URLPattern

coupons_urlpatterns: list[URLPattern] = []
