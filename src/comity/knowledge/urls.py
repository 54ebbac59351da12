from __future__ import annotations

from django.urls import path

from comity.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.search_page, name="search"),
    path("articles/", views.articles_page, name="articles"),
    path("digest/", views.digest_page, name="digest"),
    path("digest/pdf/", views.digest_pdf, name="digest_pdf"),
    path("<str:code>/", views.entry_page, name="entry"),
]
