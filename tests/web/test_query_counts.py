"""N+1 guards: a list costs the same number of queries with 1 item and with 3."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comity.accounts.services import api_token_create
from comity.core.audit import audit_record
from comity.core.tenancy import state_scope
from tests.conftest import logged_in, principal

pytestmark = pytest.mark.django_db


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **extra).status_code == 200
    return len(ctx.captured_queries)


def test_audit_trail_query_count_does_not_grow(world):
    client = logged_in(world.alice)
    audit_record(state=world.state_a, action="test.one", actor=world.alice, authority=world.x)
    one = _queries(client, reverse("web:audit"))
    for _ in range(3):
        audit_record(state=world.state_a, action="test.more", actor=world.bob, authority=world.x)
    assert _queries(client, reverse("web:audit")) == one


def test_tokens_page_query_count_does_not_grow(world):
    client = logged_in(world.alice)
    actor = principal(world.alice)
    with state_scope(world.state_a.pk):
        api_token_create(actor=actor, name="one", scopes=["read"], days=3)
        one = _queries(client, reverse("web:tokens"))
        for i in range(3):
            api_token_create(actor=actor, name=f"more{i}", scopes=["read"], days=3)
    assert _queries(client, reverse("web:tokens")) == one


def test_api_audit_events_query_count_does_not_grow(world):
    from django.test import Client

    actor = principal(world.alice)
    with state_scope(world.state_a.pk):
        _token, secret = api_token_create(actor=actor, name="t", scopes=["audit:read"], days=3)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.get("/api/v1/me")  # first use records last_used_at (once per 5 minutes)
    audit_record(state=world.state_a, action="test.one", authority=world.x)
    one = _queries(client, "/api/v1/audit/events")
    for _ in range(3):
        audit_record(state=world.state_a, action="test.more", authority=world.x)
    assert _queries(client, "/api/v1/audit/events") == one
