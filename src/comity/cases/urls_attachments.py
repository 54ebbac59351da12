from __future__ import annotations

from django.urls import path

from comity.cases import views_attachments

app_name = "cases_attachments"

urlpatterns = [
    path("requests/<str:code>/attachments/", views_attachments.attachment_upload, name="upload"),
    path("attachments/<str:code>/download/", views_attachments.attachment_download, name="download"),
]
