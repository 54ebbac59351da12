from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from comity.accounts.services import api_token_create
from comity.core.checks import refuse_unsafe_start
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope
from tests.conftest import logged_in, principal

pytestmark = pytest.mark.django_db


def _actions(state):
    with state_scope(state.pk):
        return list(AuditEvent.objects.filter(action__startswith="user.").values_list("action", "data"))


def test_failed_password_login_is_audited_in_the_users_state(world):
    Client().post(reverse("account_login"), {"login": "alice", "password": "wrong"})
    assert _actions(world.state_a) == [("user.login_failed", {"factor": "password"})]
    assert _actions(world.state_b) == []


def test_unknown_user_failed_login_writes_nothing(world):
    Client().post(reverse("account_login"), {"login": "nobody", "password": "wrong"})
    with state_scope([world.state_a.pk, world.state_b.pk]):
        assert not AuditEvent.objects.filter(action="user.login_failed").exists()


def test_failed_second_factor_is_audited(world):
    from tests.factories import PASSWORD

    client = Client()
    client.post(reverse("account_login"), {"login": "charlie", "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert ("user.login_failed", {"factor": "second"}) in _actions(world.state_b)


def test_removing_the_second_factor_is_audited_and_kills_tokens(world):
    actor = principal(world.alice)
    with state_scope(world.state_a.pk):
        _token, secret = api_token_create(actor=actor, name="t", scopes=["read"], days=5)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/me").status_code == 200
    from allauth.mfa.models import Authenticator
    from allauth.mfa.signals import authenticator_removed

    authenticator = Authenticator.objects.get(user=world.alice, type="totp")
    authenticator.delete()
    authenticator_removed.send(
        sender=Authenticator, request=None, user=world.alice, authenticator=authenticator
    )
    assert ("user.mfa_removed", {"type": "totp"}) in _actions(world.state_a)
    assert api.get("/api/v1/me").status_code == 401


def test_saved_language_applies_until_the_switcher_is_used(world):
    world.alice.language = "fr"
    world.alice.save()
    client = logged_in(world.alice)
    assert '<html lang="fr"' in client.get(reverse("web:dashboard")).content.decode()
    client.post(reverse("set_language"), {"language": "es", "next": "/dashboard/"})
    assert '<html lang="es"' in client.get(reverse("web:dashboard")).content.decode()


def test_saved_time_zone_applies(world):
    world.alice.time_zone = "Asia/Tokyo"
    world.alice.save()
    from django.template import Context, Template

    seen = {}

    def capture(sender, **kwargs):
        from django.utils import timezone

        seen["tz"] = timezone.get_current_timezone_name()

    from django.test.signals import template_rendered

    template_rendered.connect(capture)
    try:
        logged_in(world.alice).get(reverse("web:dashboard"))
    finally:
        template_rendered.disconnect(capture)
    assert seen["tz"] == "Asia/Tokyo"
    assert Template("{% load tz %}{% get_current_timezone as tz %}{{ tz }}").render(Context()) == "UTC"


def test_application_server_refuses_the_default_secret(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEFAULT_SECRET_KEY
    with pytest.raises(ImproperlyConfigured, match="COMITY_SECRET_KEY"):
        refuse_unsafe_start()
    settings.SECRET_KEY = "a-real-secret-" + "z" * 40
    refuse_unsafe_start()


def test_admin_cannot_delete_users_or_memberships(world):
    from comity.accounts.models import User

    operator = User.objects.create_superuser("op", "op@example.org", "x")
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import TOTP_SECRET

    TOTP.activate(operator, TOTP_SECRET)
    client = logged_in(operator)
    membership = world.alice.memberships.first()
    assert client.get(f"/ops/admin/core/membership/{membership.pk}/delete/").status_code == 403
    assert client.get(f"/ops/admin/accounts/user/{world.alice.pk}/delete/").status_code == 403
    assert client.get("/ops/admin/mfa/authenticator/").status_code == 404
    response = client.post(
        "/ops/admin/core/membership/", {"action": "end_memberships", "_selected_action": [membership.pk]}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_at is not None
    with state_scope(world.state_a.pk):
        assert AuditEvent.objects.filter(action="membership.ended", object_id=membership.code).count() == 1
