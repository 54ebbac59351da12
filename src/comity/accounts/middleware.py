"""Per-request principal and tenancy scope; MFA required for every staff member."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone, translation

from comity.accounts.principal import Principal, principal_for_session, principal_for_token
from comity.accounts.services import api_token_authenticate
from comity.core.tenancy import state_scope

API_PREFIX = "/api/"


class TenancyMiddleware:
    """Resolves `request.principal` and runs the rest of the request inside its State scope.

    API requests authenticate only by bearer token (sessions are ignored there, so no CSRF
    surface); everything else uses the session. Whatever happens, a scope is open: an empty one
    for visitors, so a State-owned query in a public page returns nothing rather than everything.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        principal = self.resolve(request)
        request.principal = principal  # type: ignore[attr-defined]
        with state_scope(principal.state_ids):
            return self.get_response(request)

    @staticmethod
    def resolve(request: HttpRequest) -> Principal:
        if request.path.startswith(API_PREFIX):
            header = request.headers.get("Authorization", "")
            scheme, _, credentials = header.partition(" ")
            if scheme.lower() == "bearer" and credentials.strip():
                token = api_token_authenticate(credentials.strip())
                if token is not None:
                    return principal_for_token(token)
            return Principal(user=None)
        return principal_for_session(request.user, request.session)


class UserPreferencesMiddleware:
    """A logged-in user's language (unless they just chose one with the switcher) and time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if user.language and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            if user.time_zone:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class RequireMFAMiddleware:
    """A logged-in user without a second factor may only set one up (or log out)."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and not is_mfa_enabled(user)
        ):
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
