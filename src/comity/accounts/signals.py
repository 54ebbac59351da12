"""Login and logout go into the audit chain of the user's State."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.dispatch import receiver

from comity.accounts.principal import active_memberships
from comity.core.audit import audit_record
from comity.core.enums import AuditAction


def _record(user: Any, action: AuditAction) -> None:
    if user is None or not getattr(user, "pk", None):
        return
    memberships = active_memberships(user)
    seen: set[int] = set()
    with transaction.atomic():
        for membership in memberships:
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
            )


@receiver(user_logged_in, dispatch_uid="comity.audit.login")
def _on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record(user, AuditAction.LOGIN)


@receiver(user_logged_out, dispatch_uid="comity.audit.logout")
def _on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record(user, AuditAction.LOGOUT)
