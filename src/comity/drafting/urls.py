from __future__ import annotations

from django.urls import path

from comity.drafting import views, views_steps

app_name = "drafting"

urlpatterns = [
    path("", views.draft_list, name="list"),
    path("new/", views.draft_new, name="new"),
    path("import/", views.draft_import_view, name="import"),
    path("<str:code>/steps/<slug:slug>/", views_steps.draft_step, name="step"),
    path("<str:code>/steps/<slug:slug>/validate/", views_steps.draft_step_validate, name="validate"),
    path("<str:code>/legal-basis/", views_steps.draft_legal_basis_take, name="legal_basis"),
    path("<str:code>/review/", views_steps.draft_review, name="review"),
    path("<str:code>/checklist/", views_steps.draft_checklist, name="checklist"),
    path("<str:code>/export/", views.draft_export_view, name="export"),
    path("<str:code>/delete/", views.draft_delete_view, name="delete"),
]
