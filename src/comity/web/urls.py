from __future__ import annotations

from django.urls import path

from comity.web import views
from comity.web.views import directory_changes

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/authority/", views.switch_authority, name="switch_authority"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("me/tokens/<str:code>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/preferences/", views.preferences, name="preferences"),
    path("audit/", views.audit_trail, name="audit"),
    path("me/directory/", directory_changes.directory_changes, name="directory_changes"),
    path(
        "me/directory/<str:code>/review/",
        directory_changes.directory_change_decide,
        name="directory_change_decide",
    ),
]
