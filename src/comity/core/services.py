"""Writes of the core app: States, authorities, memberships."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comity.core.audit import audit_record
from comity.core.enums import AuditAction, AuthorityKind, Role, StateKind
from comity.core.errors import InvalidInput
from comity.core.models import Authority, Membership, State


def is_hosted(state: State) -> bool:
    hosted = settings.COMITY_HOSTED_STATES
    return not hosted or state.code in hosted


@transaction.atomic
def state_ensure(*, code: str, name: str, kind: StateKind = StateKind.STATE) -> State:
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise InvalidInput("code", f"{code!r} is not an ISO 3166-1 alpha-3 code.")
    state, created = State.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})
    if not created and (state.name, state.kind) != (name, kind):
        state.name, state.kind = name, kind
        state.save(update_fields=["name", "kind"])
    return state


@transaction.atomic
def authority_ensure(*, state: State, name: str, kind: AuthorityKind) -> Authority:
    if kind not in AuthorityKind.values:
        raise InvalidInput("kind", f"Unknown authority kind {kind!r}.")
    authority, _ = Authority.objects.get_or_create(state=state, name=name, defaults={"kind": kind})
    return authority


@transaction.atomic
def membership_create(*, actor: Any, user: Any, authority: Authority, role: Role | str) -> Membership:
    """Give `user` a role at `authority` (idempotent while the membership is active)."""
    if role not in Role.values:
        raise InvalidInput("role", f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    if not is_hosted(authority.state):
        raise InvalidInput("authority", f"{authority.state.code} is not hosted by this installation.")
    existing = Membership.objects.filter(
        user=user, authority=authority, role=role, ended_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    membership = Membership.objects.create(user=user, authority=authority, role=role)
    audit_record(
        state=authority.state,
        action=AuditAction.MEMBERSHIP_CREATED,
        actor=actor,
        authority=authority,
        object_type="membership",
        object_id=membership.code,
        data={"user": str(user.public_id), "role": str(role)},
    )
    return membership


@transaction.atomic
def membership_end(*, actor: Any, membership: Membership) -> Membership:
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        audit_record(
            state=membership.authority.state,
            action=AuditAction.MEMBERSHIP_ENDED,
            actor=actor,
            authority=membership.authority,
            object_type="membership",
            object_id=membership.code,
        )
    return membership
