from __future__ import annotations

import pyotp
import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse

from comity.core.enums import Role
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope
from tests.factories import PASSWORD, TOTP_SECRET, AuthorityFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return member("olga", AuthorityFactory(), Role.CENTRAL_AUTHORITY_OFFICER)


def _password_step(client: Client, login: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": login, "password": password})


def test_login_asks_for_totp_then_lets_in(officer):
    client = Client()
    response = _password_step(client, "olga")
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # Password alone does not open the dashboard.
    assert client.get(reverse("web:dashboard")).status_code == 302
    code = pyotp.TOTP(TOTP_SECRET).now()
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert response.url == reverse("web:dashboard")
    assert client.get(reverse("web:dashboard")).status_code == 200
    with state_scope(officer.memberships.get().authority.state_id):
        assert AuditEvent.objects.filter(action="user.logged_in", actor=officer).count() == 1


def test_wrong_totp_is_refused(officer):
    client = Client()
    _password_step(client, "olga")
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert client.get(reverse("web:dashboard")).status_code == 302


def test_login_by_email_works(officer):
    client = Client()
    assert _password_step(client, "olga@example.org").url == reverse("mfa_authenticate")


def test_user_without_mfa_must_set_it_up_first():
    user = member("newbie", AuthorityFactory(), Role.DRAFTER, mfa=False)
    client = Client()
    response = _password_step(client, "newbie")
    assert response.status_code == 302
    for path in (reverse("web:dashboard"), reverse("web:tokens"), reverse("web:audit"), "/ops/admin/"):
        response = client.get(path)
        assert (response.status_code, response.url) == (302, reverse("mfa_activate_totp")), path
    # Setting up a factor asks for the password again (allauth's reauthentication), then works.
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert user.authenticator_set.filter(type="totp").exists()


def test_failed_logins_lock_the_account(officer, settings):
    client = Client()
    for _ in range(5):
        response = _password_step(client, "olga", "wrong password")
        assert response.status_code == 200
    # Even the right password is refused now, from any client.
    response = _password_step(Client(), "olga")
    assert response.status_code in (200, 429)
    assert response.status_code == 429 or "mfa_authenticate" not in getattr(response, "url", "")
    assert "too many" in response.content.decode().lower()


def test_passwords_are_hashed_with_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    from comity.accounts.models import User

    user = User.objects.create_user("argon", password="a long enough password")
    assert identify_hasher(user.password).algorithm == "argon2"


def test_production_settings_put_argon2_first():
    from comity import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_signup_is_closed():
    response = Client().post(
        reverse("account_signup"),
        {"username": "intruder", "email": "i@example.org", "password1": "x" * 20, "password2": "x" * 20},
    )
    from comity.accounts.models import User

    assert not User.objects.filter(username="intruder").exists()
    assert response.status_code == 200
    assert "closed" in response.content.decode().lower()


def test_superuser_without_membership_sees_no_state_data(world):
    from comity.accounts.models import User
    from tests.conftest import logged_in

    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(root, TOTP_SECRET)
    client = logged_in(root)
    assert client.get(reverse("web:audit")).status_code == 403
    assert client.get(reverse("web:tokens")).status_code == 403
    # The admin is for operators, and it does not show State-owned data at all.
    response = client.get("/ops/admin/")
    assert response.status_code == 200
    assert "Audit" not in response.content.decode()
    assert "Api token" not in response.content.decode()


def test_admin_is_closed_to_staff_of_authorities(world):
    from tests.conftest import logged_in

    response = logged_in(world.alice).get("/ops/admin/")
    assert response.status_code == 302
    assert "/ops/admin/login/" in response.url
