from __future__ import annotations

from django.urls import path  # noqa: F401 - the directory pages are added here

app_name = "directory"

urlpatterns: list = []
