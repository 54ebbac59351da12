"""Logins, failed logins and changes of second factor go into the audit chain of the user's State(s)."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver

from comity.accounts.principal import active_memberships
from comity.core.audit import audit_record
from comity.core.enums import AuditAction


def _record(user: Any, action: AuditAction, data: dict[str, Any] | None = None) -> None:
    """One event per authority the user belongs to: each of their States sees it in its chain."""
    if user is None or not getattr(user, "pk", None):
        return
    seen: set[int] = set()
    with transaction.atomic():
        for membership in active_memberships(user):
            if membership.authority_id in seen:
                continue
            seen.add(membership.authority_id)
            audit_record(
                state=membership.authority.state,
                action=action,
                actor=user,
                authority=membership.authority,
                object_type="user",
                object_id=str(user.public_id),
                data=data,
            )


@receiver(user_logged_in, dispatch_uid="comity.audit.login")
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record(user, AuditAction.LOGIN)


@receiver(user_logged_out, dispatch_uid="comity.audit.logout")
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record(user, AuditAction.LOGOUT)


@receiver(user_login_failed, dispatch_uid="comity.audit.login_failed")
def _on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    login = str(credentials.get("username") or credentials.get("email") or "")[:254]
    if not login:
        return
    user = get_user_model().objects.filter(Q(username=login) | Q(email__iexact=login)).first()
    _record(user, AuditAction.LOGIN_FAILED, {"factor": "password"})


@receiver(mfa_signals.authentication_failed, dispatch_uid="comity.audit.mfa_failed")
def _on_mfa_failed(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _record(user, AuditAction.LOGIN_FAILED, {"factor": "second"})


def _authenticator_type(kwargs: dict[str, Any]) -> dict[str, Any]:
    authenticator = kwargs.get("authenticator")
    return {"type": getattr(authenticator, "type", "")}


@receiver(mfa_signals.authenticator_added, dispatch_uid="comity.audit.mfa_added")
def _on_mfa_added(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _record(user, AuditAction.MFA_ADDED, _authenticator_type(kwargs))


@receiver(mfa_signals.authenticator_removed, dispatch_uid="comity.audit.mfa_removed")
def _on_mfa_removed(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _record(user, AuditAction.MFA_REMOVED, _authenticator_type(kwargs))


@receiver(mfa_signals.authenticator_reset, dispatch_uid="comity.audit.mfa_reset")
def _on_mfa_reset(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _record(user, AuditAction.MFA_RESET, _authenticator_type(kwargs))
