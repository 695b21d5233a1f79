from django.urls import path

from . import views

urlpatterns = [
    path("accounts/", views.account_list, name="account_list"),
    path("competitors/", views.competitor_list, name="competitor_list"),
]
