from __future__ import annotations

from django.urls import path

from comity.cases import views, views_actions, views_lists

app_name = "cases"

urlpatterns = [
    path("", views_lists.dashboard, name="dashboard"),
    path("requests/", views_lists.request_list, name="list"),
    path("requests/export/<str:fmt>/", views_lists.request_export, name="export"),
    path("new/", views.request_new, name="new"),
    path("register/", views.register_incoming, name="register"),
    path("requests/<str:code>/", views.request_detail, name="detail"),
    path("requests/<str:code>/transition/", views_actions.transition, name="transition"),
    path("requests/<str:code>/assign/", views_actions.assign, name="assign"),
    path("requests/<str:code>/note/", views_actions.note, name="note"),
    path("requests/<str:code>/info-request/", views_actions.info_request, name="info_request"),
    path("requests/<str:code>/info-provide/", views_actions.info_provide, name="info_provide"),
    path("requests/<str:code>/consultation/", views_actions.consultation, name="consultation"),
    path("requests/<str:code>/deadline/", views_actions.deadline, name="deadline"),
    path("requests/<str:code>/message/", views_actions.message, name="message"),
    path("requests/<str:code>/result/", views_actions.result, name="result"),
]
