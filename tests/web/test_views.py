"""Every HTML view: what it shows, what it refuses, and that other States' and authorities' data
stays invisible (alice: State A / X; bob: State A / Y; charlie: State B / Z)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comity.accounts.models import ApiToken
from comity.accounts.principal import SESSION_AUTHORITY_KEY
from comity.accounts.services import api_token_create
from comity.core.enums import Role
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope, unscoped
from tests.conftest import logged_in, principal
from tests.factories import AuthorityFactory, member, secret_events

pytestmark = pytest.mark.django_db


def _token(user, name):
    actor = principal(user)
    with state_scope(actor.authority.state_id):  # as the request middleware would
        token, _secret = api_token_create(actor=actor, name=name, scopes=["read"], days=30)
    return token


def test_home_is_public_and_explains_comity(world):
    response = Client().get(reverse("web:home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "International cooperation in criminal matters" in body
    assert "Authority X" not in body


@pytest.mark.parametrize("name", ["web:dashboard", "web:tokens", "web:preferences", "web:audit"])
def test_staff_pages_need_login(world, name):
    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_dashboard_shows_only_own_authority(world):
    body = logged_in(world.alice).get(reverse("web:dashboard")).content.decode()
    assert "Authority X" in body
    assert "Authority Y" not in body
    assert "Authority Z" not in body
    assert "State B" not in body


def test_dashboard_for_user_without_membership():
    from tests.factories import UserFactory

    body = logged_in(UserFactory(username="loner")).get(reverse("web:dashboard")).content.decode()
    assert "not a member of any authority" in body


def test_switch_authority_only_to_own_memberships(world):
    member("alice", world.y, Role.DRAFTER)  # alice now also works at Y
    client = logged_in(world.alice)
    client.post(reverse("web:switch_authority"), {"authority": world.z.code})
    assert client.session.get(SESSION_AUTHORITY_KEY) is None
    client.post(reverse("web:switch_authority"), {"authority": world.y.code})
    assert client.session[SESSION_AUTHORITY_KEY] == world.y.code
    body = client.get(reverse("web:dashboard")).content.decode()
    assert "Acting for: <strong>Authority Y</strong>" in body


def test_switch_authority_refuses_get(world):
    assert logged_in(world.alice).get(reverse("web:switch_authority")).status_code == 405


def test_tokens_page_lists_only_own_tokens(world):
    _token(world.alice, "alice-token")
    _token(world.bob, "bob-token")
    _token(world.charlie, "charlie-token")
    body = logged_in(world.alice).get(reverse("web:tokens")).content.decode()
    assert "alice-token" in body
    assert "bob-token" not in body
    assert "charlie-token" not in body


def test_create_token_shows_secret_once(world):
    client = logged_in(world.alice)
    response = client.post(
        reverse("web:tokens"), {"name": "stats", "scopes": ["read", "audit:read"], "days": "30"}
    )
    assert response.status_code == 200
    secret = response.context["created_secret"]
    assert secret.startswith("cmt_")
    assert secret not in client.get(reverse("web:tokens")).content.decode()
    with state_scope(world.state_a.pk):
        token = ApiToken.objects.get(name="stats")
        assert (token.authority, token.scopes) == (world.x, ["audit:read", "read"])
        assert AuditEvent.objects.filter(action="api_token.created", object_id=token.code).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "scopes": ["read"], "days": "30"}, "name"),
        ({"name": "x" * 101, "scopes": ["read"], "days": "30"}, "name"),
        ({"name": "ok", "scopes": ["root"], "days": "30"}, "scopes"),
        ({"name": "ok", "scopes": ["read"], "days": "9999"}, "days"),
        ({"name": "ok", "scopes": ["read"], "days": "soon"}, "days"),
    ],
)
def test_create_token_bad_input_writes_nothing(world, data, field):
    response = logged_in(world.alice).post(reverse("web:tokens"), data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    body = response.content.decode()
    assert 'aria-invalid="true"' in body or f'id="id_{field}-errors"' in body
    with unscoped(reason="test: nothing written anywhere"):
        assert ApiToken.objects.count() == 0


def test_revoke_other_users_token_is_404(world):
    bob_token = _token(world.bob, "bob-token")
    charlie_token = _token(world.charlie, "charlie-token")
    client = logged_in(world.alice)
    for token in (bob_token, charlie_token):
        assert client.post(reverse("web:token_revoke", args=[token.code])).status_code == 404
    assert client.post(reverse("web:token_revoke", args=["doesnotexist"])).status_code == 404
    with unscoped(reason="test: check nothing was revoked"):
        assert ApiToken.objects.filter(revoked_at__isnull=False).count() == 0


def test_revoke_own_token(world):
    token = _token(world.alice, "alice-token")
    client = logged_in(world.alice)
    assert client.get(reverse("web:token_revoke", args=[token.code])).status_code == 405
    response = client.post(reverse("web:token_revoke", args=[token.code]))
    assert response.status_code == 302
    with state_scope(world.state_a.pk):
        assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_preferences_validate_and_save(world):
    client = logged_in(world.alice)
    response = client.post(reverse("web:preferences"), {"language": "xx", "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"language", "time_zone"}
    world.alice.refresh_from_db()
    assert (world.alice.language, world.alice.time_zone) == ("", "")
    response = client.post(reverse("web:preferences"), {"language": "fr", "time_zone": "Europe/Paris"})
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert (world.alice.language, world.alice.time_zone) == ("fr", "Europe/Paris")


def test_audit_trail_shows_only_own_authority(world):
    secret_events(world)
    response = logged_in(world.alice).get(reverse("web:audit"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "case-of-x" in body
    assert "case-of-y" not in body
    assert "case-of-z" not in body


def test_audit_trail_filter_by_object_of_other_authority_finds_nothing(world):
    secret_events(world)
    for object_id in ("case-of-y", "case-of-z"):
        response = logged_in(world.alice).get(
            reverse("web:audit"), {"object_type": "case", "object_id": object_id}
        )
        assert response.context["events"] == []


def test_audit_trail_htmx_returns_rows_only(world):
    secret_events(world)
    response = logged_in(world.alice).get(
        reverse("web:audit"), {"object_id": "case-of-x"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.startswith('<div id="audit-rows"')
    assert "case-of-x" in body
    assert "<html" not in body


def test_audit_trail_bad_filter(world):
    response = logged_in(world.alice).get(reverse("web:audit"), {"object_id": "<script>"})
    assert response.status_code == 422
    assert "object_id" in response.context["form"].errors


def test_audit_trail_consultation_is_logged(world):
    logged_in(world.alice).get(reverse("web:audit"), {"object_type": "case", "object_id": "case-of-x"})
    with state_scope(world.state_a.pk):
        event = AuditEvent.objects.get(action="audit_trail.viewed")
    assert (event.actor_ref, event.object_id, event.data["via"]) == (
        str(world.alice.public_id),
        "case-of-x",
        "web",
    )


@pytest.mark.parametrize(
    "role", [Role.DRAFTER, Role.CENTRAL_AUTHORITY_OFFICER, Role.EXECUTING_OFFICER, Role.DIRECTORY_EDITOR]
)
def test_audit_trail_forbidden_to_other_roles(role):
    user = member("dora", AuthorityFactory(), role)
    assert logged_in(user).get(reverse("web:audit")).status_code == 403


def test_language_switch_sets_rtl_for_arabic(world):
    client = logged_in(world.alice)
    client.post(reverse("set_language"), {"language": "ar", "next": "/dashboard/"})
    body = client.get(reverse("web:dashboard")).content.decode()
    assert '<html lang="ar" dir="rtl">' in body


def test_pages_carry_a_strict_csp(world):
    response = Client().get(reverse("web:home"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "<script>" not in response.content.decode()
    assert " style=" not in response.content.decode()


def test_unknown_page_is_a_friendly_404():
    response = Client().get("/no/such/page/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()
