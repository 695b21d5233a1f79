from django.urls import path

from .views import content

urlpatterns = [
    path("insights/content/", content.content_performance, name="insights_content"),
    path(
        "insights/content/<str:table>.<str:fmt>",
        content.content_export,
        name="insights_content_export",
    ),
]
