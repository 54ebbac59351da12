from __future__ import annotations

from django.urls import path

from comity.directory import views, views_compare

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("states/<str:code>/", views.state_page, name="state"),
    path("authorities/<str:code>/", views.authority_page, name="authority"),
    path("compare/", views_compare.compare, name="compare"),
]
