"""The choices of the assignment form (officers of the holding authority, executing authorities
of the State, executing officers of the executing authority) and the posted codes turned back
into users and authorities. Only lists; whether an assignment is allowed is request_assign's
decision (it checks the rule and the memberships again)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from comity.accounts.principal import Principal
from comity.cases.models import Request
from comity.core.enums import AuthorityKind, Role
from comity.core.errors import InvalidInput
from comity.core.models import Authority

OFFICER_ROLES = (Role.CENTRAL_AUTHORITY_OFFICER, Role.SUPERVISOR, Role.DRAFTER)


def _members(authority_id: int | None, roles: tuple[Role, ...]) -> QuerySet[Any]:
    if authority_id is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(
            memberships__authority_id=authority_id,
            memberships__role__in=roles,
            memberships__ended_at__isnull=True,
        )
        .distinct()
        .order_by("username")
    )


def _executing_authorities(request: Request) -> QuerySet[Authority]:
    return Authority.objects.filter(
        state_id=request.state_id, kind=AuthorityKind.EXECUTING_AUTHORITY
    ).order_by("name")


def assignment_choices(principal: Principal, request: Request) -> dict[str, list[tuple[str, str]]]:
    holder = principal.authority is not None and principal.authority.pk == request.authority_id
    officers = _members(request.authority_id, OFFICER_ROLES) if holder else get_user_model().objects.none()
    authorities = _executing_authorities(request) if holder and request.direction == "incoming" else []
    executing = _members(request.executing_authority_id, (Role.EXECUTING_OFFICER,))
    return {
        "officers": [(str(u.public_id), u.get_username()) for u in officers],
        "authorities": [(a.code, a.name) for a in authorities],
        "executing_officers": [(str(u.public_id), u.get_username()) for u in executing],
    }


def assignment_targets(
    principal: Principal, request: Request, *, officer: str, executing_authority: str, executing_officer: str
) -> dict[str, Any]:
    """The users and authority the posted codes name (among the form's choices)."""
    choices = assignment_choices(principal, request)
    out: dict[str, Any] = {}
    users = get_user_model().objects
    if officer:
        if officer not in dict(choices["officers"]):
            raise InvalidInput("officer", "Choose one of the officers listed.")
        out["officer"] = users.get(public_id=officer)
    if executing_authority:
        if executing_authority not in dict(choices["authorities"]):
            raise InvalidInput("executing_authority", "Choose one of the authorities listed.")
        out["executing_authority"] = Authority.objects.get(code=executing_authority)
    if executing_officer:
        if executing_officer not in dict(choices["executing_officers"]):
            raise InvalidInput("executing_officer", "Choose one of the officers listed.")
        out["executing_officer"] = users.get(public_id=executing_officer)
    return out
