"""/api/v1: health, the caller's identity and preferences, the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import ConfigDict, Field, StringConstraints

from comity.accounts.services import user_set_preferences
from comity.api.base import require
from comity.core.audit import audit_record
from comity.core.enums import AuditAction
from comity.core.selectors import audit_events_visible

router = Router(tags=["core"])

Code = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class Health(Schema):
    status: str
    version: str


@router.get("/health", response=Health, auth=None, summary="Is the node up?")
def health(request: HttpRequest) -> dict[str, str]:
    from comity import __version__

    return {"status": "ok", "version": __version__}


class AuthorityOut(Schema):
    code: str
    name: str
    kind: str
    state: str


class TokenOut(Schema):
    name: str
    scopes: list[str]
    expires_at: dt.datetime


class Me(Schema):
    user: str
    username: str
    language: str
    time_zone: str
    authority: AuthorityOut | None
    roles: list[str]
    token: TokenOut


@router.get("/me", response=Me, summary="Who the token acts as")
def me(request: HttpRequest) -> dict[str, object]:
    principal = require(request, scope="read")
    user = principal.user
    authority = principal.authority
    token = principal.token
    if token is None:  # TokenAuth lets no request without a token reach here
        raise HttpError(401, "A token is required.")
    return {
        "user": str(user.public_id),
        "username": user.username,
        "language": user.language,
        "time_zone": user.time_zone,
        "authority": None
        if authority is None
        else {
            "code": authority.code,
            "name": authority.name,
            "kind": authority.kind,
            "state": authority.state.code,
        },
        "roles": sorted(principal.roles),
        "token": {"name": token.name, "scopes": token.scopes, "expires_at": token.expires_at},
    }


class PreferencesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    language: Annotated[str, StringConstraints(max_length=10)] | None = None
    time_zone: Annotated[str, StringConstraints(max_length=64)] | None = None


@router.patch("/me/preferences", response=Me, summary="Change the caller's language or time zone")
def me_preferences(request: HttpRequest, payload: PreferencesIn) -> dict[str, object]:
    principal = require(request, scope="write")
    user_set_preferences(actor=principal, language=payload.language, time_zone=payload.time_zone)
    return me(request)


class AuditEventOut(Schema):
    seq: int
    created_at: dt.datetime
    actor: str
    authority: str
    action: str
    object_type: str
    object_id: str
    data: dict[str, object]
    hash: str


class AuditQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    object_type: Code | None = None
    object_id: Code | None = None
    before_seq: int | None = Field(default=None, ge=1)
    limit: int = Field(default=50, ge=1, le=200)


@router.get(
    "/audit/events",
    response=list[AuditEventOut],
    summary="Audit events of the caller's authority (auditors, supervisors)",
)
def audit_events(request: HttpRequest, filters: Query[AuditQuery]) -> list[dict[str, object]]:
    principal = require(request, scope="audit:read", permission="core.view_audit_trail")
    events = audit_events_visible(principal)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        events = events.filter(object_id=filters.object_id)
    if filters.before_seq:
        events = events.filter(seq__lt=filters.before_seq)
    rows = list(events[: filters.limit])
    authority = principal.acting_authority()
    audit_record(
        state=authority.state,
        action=AuditAction.AUDIT_TRAIL_VIEWED,
        actor=principal.user,
        authority=authority,
        object_type=filters.object_type or "",
        object_id=filters.object_id or "",
        data={"via": "api", "count": len(rows)},
    )
    return [
        {
            "seq": e.seq,
            "created_at": e.created_at,
            "actor": e.actor_ref,
            "authority": e.authority_ref,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "data": e.data,
            "hash": e.hash,
        }
        for e in rows
    ]
