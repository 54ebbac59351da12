from django.urls import path

from comity.exchange import views

app_name = "node"

urlpatterns = [
    path("info", views.info, name="info"),
    path("keys", views.key_set, name="keys"),
    path("messages", views.messages, name="messages"),
    path("blobs/<str:sha256>", views.blob, name="blob"),
]
