from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("goals/", views.goal_list, name="goal_list"),
    path("strategies/", views.strategy_list, name="strategy_list"),
    path("metrics/", views.metric_list, name="metric_list"),
]
