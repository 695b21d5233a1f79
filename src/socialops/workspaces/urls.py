from django.urls import path

from . import views

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/<int:member_id>/", views.member_update, name="member_update"),
    path("audit/", views.audit_list, name="audit_list"),
    path("settings/", views.workspace_settings, name="workspace_settings"),
]
