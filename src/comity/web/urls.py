from __future__ import annotations

from django.urls import path

from comity.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/authority/", views.switch_authority, name="switch_authority"),
    path("me/tokens/", views.tokens, name="tokens"),
    path("me/tokens/<str:code>/revoke/", views.token_revoke, name="token_revoke"),
    path("me/preferences/", views.preferences, name="preferences"),
    path("audit/", views.audit_trail, name="audit"),
]
