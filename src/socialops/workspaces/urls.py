from django.urls import path

from . import views

# Outside any workspace: where a signed-in person lands, and the switcher.
root_urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/", views.workspace_list, name="workspace_list"),
]

# Under /w/<slug>/.
urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/<int:member_id>/", views.member_update, name="member_update"),
    path("audit/", views.audit_list, name="audit_list"),
    path("settings/", views.workspace_settings, name="workspace_settings"),
]
