"""Every API endpoint: token authentication, scopes, roles, errors as JSON, and leak tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from comity.accounts.models import ApiToken
from comity.accounts.services import api_token_create, api_token_revoke
from comity.core.audit import audit_record
from comity.core.enums import Role
from comity.core.models import AuditEvent
from comity.core.services import membership_end
from comity.core.tenancy import state_scope
from tests.conftest import principal
from tests.factories import AuthorityFactory, member, secret_events

pytestmark = pytest.mark.django_db


def token_for(user, scopes=("read", "write", "audit:read"), days=30):
    actor = principal(user)
    with state_scope(actor.authority.state_id):
        token, secret = api_token_create(actor=actor, name="t", scopes=list(scopes), days=days)
    return token, secret


def api(secret=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return Client(**headers)


def test_health_is_public():
    response = api().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_openapi_document():
    response = api().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "Comity API"
    assert "/api/v1/me" in doc["paths"]
    assert "/api/v1/audit/events" in doc["paths"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer nonsense", "Bearer cmt_abc_def", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500],
)
def test_unauthenticated_requests_get_401_json(header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_session_does_not_authenticate_the_api(world):
    from tests.conftest import logged_in

    response = logged_in(world.alice).get("/api/v1/me")
    assert response.status_code == 401


def test_me(world):
    _token, secret = token_for(world.alice)
    body = api(secret).get("/api/v1/me").json()
    assert body["username"] == "alice"
    assert body["authority"] == {
        "code": world.x.code,
        "name": "Authority X",
        "kind": "central_authority",
        "state": "AAA",
    }
    assert body["roles"] == ["auditor", "supervisor"]
    assert body["token"]["scopes"] == ["audit:read", "read", "write"]


def test_wrong_secret_with_right_prefix_is_refused(world):
    _token, secret = token_for(world.alice)
    forged = secret[:-4] + ("aaaa" if not secret.endswith("aaaa") else "bbbb")
    assert api(forged).get("/api/v1/me").status_code == 401


def test_expired_and_revoked_tokens_are_refused(world):
    token, secret = token_for(world.alice)
    with state_scope(world.state_a.pk):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api(secret).get("/api/v1/me").status_code == 401
    token2, secret2 = token_for(world.alice)
    with state_scope(world.state_a.pk):
        api_token_revoke(actor=principal(world.alice), token=token2)
    assert api(secret2).get("/api/v1/me").status_code == 401


def test_token_dies_with_the_membership(world):
    _token, secret = token_for(world.alice)
    for membership in world.alice.memberships.all():
        membership_end(actor=None, membership=membership)
    response = api(secret).get("/api/v1/me")
    assert response.status_code == 401


def test_scope_is_enforced(world):
    _token, secret = token_for(world.alice, scopes=("read",))
    response = api(secret).get("/api/v1/audit/events")
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "This token lacks the 'audit:read' scope."}
    response = api(secret).patch(
        "/api/v1/me/preferences", {"language": "fr"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_role_is_enforced_whatever_the_scopes():
    drafter = member("dave", AuthorityFactory(), Role.DRAFTER)
    _token, secret = token_for(drafter)
    response = api(secret).get("/api/v1/audit/events")
    assert response.status_code == 403
    assert response.json()["message"] == "Your role does not allow this."


def test_audit_events_leak_nothing_across_authorities_and_states(world):
    secret_events(world)
    _token, secret = token_for(world.alice)
    rows = api(secret).get("/api/v1/audit/events", {"limit": 200}).json()
    ids = {row["object_id"] for row in rows}
    assert "case-of-x" in ids
    assert "case-of-y" not in ids
    assert "case-of-z" not in ids
    assert {row["authority"] for row in rows} == {world.x.code}
    for other in ("case-of-y", "case-of-z"):
        assert (
            api(secret).get("/api/v1/audit/events", {"object_type": "case", "object_id": other}).json() == []
        )


def test_audit_events_pagination_and_consultation_logged(world):
    for i in range(5):
        audit_record(
            state=world.state_a, action="test.page", authority=world.x, object_type="case", object_id=f"c{i}"
        )
    _token, secret = token_for(world.alice)
    first = api(secret).get("/api/v1/audit/events", {"object_type": "case", "limit": 2}).json()
    assert [r["object_id"] for r in first] == ["c4", "c3"]
    second = (
        api(secret)
        .get("/api/v1/audit/events", {"object_type": "case", "limit": 2, "before_seq": first[-1]["seq"]})
        .json()
    )
    assert [r["object_id"] for r in second] == ["c2", "c1"]
    with state_scope(world.state_a.pk):
        assert AuditEvent.objects.filter(action="audit_trail.viewed", data__via="api").count() == 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 10_000}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"object_id": "x" * 65}, "object_id"),
        ({"object_id": "<script>"}, "object_id"),
        ({"before_seq": -1}, "before_seq"),
    ],
)
def test_audit_events_bad_query_is_422(world, params, field):
    _token, secret = token_for(world.alice)
    response = api(secret).get("/api/v1/audit/events", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["message"]
    assert [e["field"] for e in body["errors"]] == [field]


def test_preferences_update(world):
    _token, secret = token_for(world.alice)
    response = api(secret).patch(
        "/api/v1/me/preferences",
        {"language": "es", "time_zone": "America/Mexico_City"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert (response.json()["language"], response.json()["time_zone"]) == ("es", "America/Mexico_City")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "malformed_json"),
        ("[1, 2]", 422, "validation_error"),
        ('{"language": 12}', 422, "validation_error"),
        ('{"language": "xx"}', 422, "invalid_input"),
        ('{"time_zone": "Mars/Olympus"}', 422, "invalid_input"),
        ('{"language": "' + "e" * 11 + '"}', 422, "validation_error"),
        ('{"unknown_field": 1}', 422, "validation_error"),
        ('{"language": "fr", "time_zone": "Nowhere/Else"}', 422, "invalid_input"),
    ],
)
def test_preferences_bad_input_is_a_clear_4xx_and_writes_nothing(world, body, status, code):
    _token, secret = token_for(world.alice)
    response = api(secret).patch("/api/v1/me/preferences", body, content_type="application/json")
    assert response.status_code == status
    payload = response.json()
    assert payload["code"] == code
    assert payload["message"]
    world.alice.refresh_from_db()
    assert (world.alice.language, world.alice.time_zone) == ("", "")
    with state_scope(world.state_a.pk):
        assert not AuditEvent.objects.filter(action="user.preferences_changed").exists()


def test_unknown_endpoint_and_method_are_json(world):
    response = api().get("/api/v1/nothing-here")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = api().get("/api/v2/me")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    _token, secret = token_for(world.alice)
    response = api(secret).delete("/api/v1/me")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_oversized_body_is_413(world):
    _token, secret = token_for(world.alice)
    body = '{"language": "' + "e" * 3_000_000 + '"}'
    response = api(secret).patch("/api/v1/me/preferences", body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (413, "too_large")
