"""Reads of the accounts app, restricted to what the principal may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from comity.accounts.models import ApiToken
from comity.accounts.principal import Principal


def api_tokens_visible(principal: Principal) -> QuerySet[ApiToken]:
    """The principal's own tokens at the active authority (the State scope is already open)."""
    if principal.authority is None or principal.user is None:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=principal.user.pk, authority_id=principal.authority.pk)


def access_api_token(principal: Principal, code: str) -> ApiToken:
    """The token, or the same 404 whether it does not exist or is not the principal's."""
    token = api_tokens_visible(principal).filter(code=code).first()
    if token is None:
        raise Http404("No such token.")
    return token
