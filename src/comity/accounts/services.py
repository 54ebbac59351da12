"""Writes of the accounts app: API tokens, preferences, active authority."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import zoneinfo
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comity.accounts.enums import TokenScope
from comity.accounts.models import ApiToken
from comity.accounts.principal import SESSION_AUTHORITY_KEY, Principal
from comity.core.audit import audit_record
from comity.core.enums import AuditAction
from comity.core.errors import InvalidInput, NotAllowed
from comity.core.rules import can
from comity.core.tenancy import unscoped
from comity.lib.ids import random_code

TOKEN_PREFIX = "cmt_"  # noqa: S105 - a public prefix, not a secret
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: Principal, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """Create a token for the actor's active authority. Returns it and the plaintext (shown once)."""
    if not can(actor, "accounts.manage_own_tokens"):
        raise NotAllowed("Only members of an authority can create API tokens.")
    authority = actor.acting_authority()
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name", "Give the token a name of 1 to 100 characters.")
    unknown = sorted(set(scopes) - set(TokenScope.values))
    if unknown or not scopes:
        raise InvalidInput(
            "scopes",
            f"Choose scopes among {', '.join(TokenScope.values)}; unknown: {', '.join(unknown) or 'none given'}.",
        )
    if not 1 <= days <= settings.COMITY_TOKEN_MAX_DAYS:
        raise InvalidInput("days", f"A token lives 1 to {settings.COMITY_TOKEN_MAX_DAYS} days.")
    prefix = random_code(8)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        state_id=authority.state_id,
        user=actor.user,
        authority=authority,
        name=name,
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        scopes=sorted(set(scopes)),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        state=authority.state,
        action=AuditAction.TOKEN_CREATED,
        actor=actor.user,
        authority=authority,
        object_type="api_token",
        object_id=token.code,
        data={"name": name, "scopes": token.scopes, "expires_at": token.expires_at.isoformat()},
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


@transaction.atomic
def api_token_revoke(*, actor: Principal, token: ApiToken) -> ApiToken:
    if (
        token.user_id != getattr(actor.user, "pk", None)
        or actor.authority is None
        or token.authority_id != actor.authority.pk
    ):
        raise NotAllowed("You can only revoke your own tokens of your active authority.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            state=actor.authority.state,
            action=AuditAction.TOKEN_REVOKED,
            actor=actor.user,
            authority=actor.authority,
            object_type="api_token",
            object_id=token.code,
        )
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The token for a bearer string, or None when malformed, unknown, revoked or expired."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    prefix, sep, secret = raw[len(TOKEN_PREFIX) :].partition("_")
    if not sep or not prefix or not secret:
        return None
    # Before authentication there is no scope: the token itself decides it.
    with unscoped(reason="API token authentication: the token decides the scope"):
        token = ApiToken.objects.select_related("authority__state", "user").filter(prefix=prefix).first()
        if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(secret)):
            return None
        if not token.is_active or not token.user.is_active:
            return None
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def validate_time_zone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise InvalidInput("time_zone", f"Unknown time zone {name!r}; use an IANA name such as Europe/Paris.")


@transaction.atomic
def user_set_preferences(
    *, actor: Principal, language: str | None = None, time_zone: str | None = None
) -> Any:
    user = actor.user
    if user is None or not user.is_authenticated:
        raise NotAllowed("Log in first.")
    changed: dict[str, str] = {}
    if language is not None:
        if language not in LANGUAGE_CODES:
            raise InvalidInput(
                "language", f"Unknown language {language!r}; use one of {', '.join(sorted(LANGUAGE_CODES))}."
            )
        user.language = language
        changed["language"] = language
    if time_zone is not None:
        validate_time_zone(time_zone)
        user.time_zone = time_zone
        changed["time_zone"] = time_zone
    if changed:
        user.save(update_fields=list(changed))
        if actor.authority is not None:
            audit_record(
                state=actor.authority.state,
                action=AuditAction.PREFERENCES_CHANGED,
                actor=user,
                authority=actor.authority,
                object_type="user",
                object_id=str(user.public_id),
                data=changed,
            )
    return user


@transaction.atomic
def principal_switch_authority(*, actor: Principal, session: Any, authority_code: str) -> None:
    target = next((a for a in actor.authorities if a.code == authority_code), None)
    if target is None:
        raise NotAllowed("You are not a member of that authority.")
    session[SESSION_AUTHORITY_KEY] = target.code
    audit_record(
        state=target.state,
        action=AuditAction.AUTHORITY_SWITCHED,
        actor=actor.user,
        authority=target,
        object_type="authority",
        object_id=target.code,
    )
