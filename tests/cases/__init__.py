"""Helpers of the case management tests: the alice/bob/charlie world with case roles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from comity.accounts.principal import Principal
from comity.cases import services
from comity.cases.models import Request
from comity.core.enums import Role
from comity.core.models import Authority
from comity.core.tenancy import state_scope
from tests.factories import World, make_world, member

ALL_ROLES = (
    Role.DRAFTER,
    Role.CENTRAL_AUTHORITY_OFFICER,
    Role.SUPERVISOR,
    Role.EXECUTING_OFFICER,
    Role.AUDITOR,
)


def as_(user: Any, authority: Authority, *roles: Role | str) -> Principal:
    """A principal acting for `authority` with exactly `roles` (no session needed)."""
    return Principal(user=user, authority=authority, roles=frozenset(str(r) for r in roles))


def document(
    requested: str = "BBB", requesting: str = "AAA", request_type: str = "mla", **extra: Any
) -> dict[str, Any]:
    return {
        "request_type": request_type,
        "language": "en",
        "requested_state": requested,
        "requesting_authority": {"name": "Authority", "state": requesting},
        "reference": "REF-1",
        **extra,
    }


@dataclass
class CaseWorld:
    """World + people. State A: X (central authority) and Y (executing authority); State B: Z.

    alice: central authority officer at X. dana: drafter at X. sam: supervisor at X.
    ed: executing officer at Y (assigned where tests say so). eve: another executing officer at Y.
    vic: supervisor at Y. w: a second executing authority W of State A, with walt its executing
    officer. charlie: central authority officer at Z (State B). audrey: auditor at X.
    """

    w: World
    dana: Any
    sam: Any
    ed: Any
    eve: Any
    vic: Any
    walt: Any
    audrey: Any
    authority_w: Authority

    @property
    def alice(self) -> Principal:
        return as_(self.w.alice, self.w.x, Role.CENTRAL_AUTHORITY_OFFICER)

    @property
    def charlie(self) -> Principal:
        return as_(self.w.charlie, self.w.z, Role.CENTRAL_AUTHORITY_OFFICER)

    @property
    def drafter(self) -> Principal:
        return as_(self.dana, self.w.x, Role.DRAFTER)

    @property
    def supervisor(self) -> Principal:
        return as_(self.sam, self.w.x, Role.SUPERVISOR)

    @property
    def auditor(self) -> Principal:
        return as_(self.audrey, self.w.x, Role.AUDITOR)

    @property
    def executing(self) -> Principal:
        return as_(self.ed, self.w.y, Role.EXECUTING_OFFICER)

    @property
    def other_executing(self) -> Principal:
        return as_(self.eve, self.w.y, Role.EXECUTING_OFFICER)

    @property
    def executing_supervisor(self) -> Principal:
        return as_(self.vic, self.w.y, Role.SUPERVISOR)

    @property
    def foreign_executing(self) -> Principal:
        return as_(self.walt, self.authority_w, Role.EXECUTING_OFFICER)


def make_case_world() -> CaseWorld:
    w = make_world(Role.CENTRAL_AUTHORITY_OFFICER)
    authority_w = Authority.objects.create(state=w.state_a, name="Authority W", kind="executing_authority")
    return CaseWorld(
        w=w,
        dana=member("dana", w.x, Role.DRAFTER),
        sam=member("sam", w.x, Role.SUPERVISOR),
        ed=member("ed", w.y, Role.EXECUTING_OFFICER),
        eve=member("eve", w.y, Role.EXECUTING_OFFICER),
        vic=member("vic", w.y, Role.SUPERVISOR),
        walt=member("walt", authority_w, Role.EXECUTING_OFFICER),
        audrey=member("audrey", w.x, Role.AUDITOR),
        authority_w=authority_w,
    )


def outgoing(cw: CaseWorld, **extra: Any) -> Request:
    with state_scope(cw.w.state_a.pk):
        return services.request_create_outgoing(
            actor=cw.alice, case=None, document=document(**extra), title="Bank records of ACME"
        )


def incoming(
    cw: CaseWorld, request_type: str = "mla", their_reference: str = "B-77", **extra: Any
) -> Request:
    with state_scope(cw.w.state_a.pk):
        return services.request_register_incoming(
            actor=cw.alice,
            document=document(requested="AAA", requesting="BBB", request_type=request_type, **extra),
            their_reference=their_reference,
            received_on=dt.date(2026, 1, 5),
        )
