from __future__ import annotations

from django.urls import path

from comity.exchange import views_ops

app_name = "exchange"

urlpatterns = [
    path("", views_ops.index, name="index"),
    path("inbox/<uuid:message_id>/retry/", views_ops.retry, {"box": "inbox"}, name="inbox_retry"),
    path("inbox/<uuid:message_id>/discard/", views_ops.discard, {"box": "inbox"}, name="inbox_discard"),
    path("outbox/<uuid:message_id>/retry/", views_ops.retry, {"box": "outbox"}, name="outbox_retry"),
    path("outbox/<uuid:message_id>/discard/", views_ops.discard, {"box": "outbox"}, name="outbox_discard"),
]
