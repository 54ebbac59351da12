"""Who may see and act on cases and requests.

Inside a State, a request is held by one authority (`request.authority`: the drafting authority of
an outgoing request, the central authority of an incoming one) and may be forwarded to an
executing authority (`request.executing_authority`), where one executing officer is assigned.

- Drafters, central authority officers and supervisors of the holding authority see it and act on
  it with their roles; auditors there read it.
- At the executing authority, the assigned executing officer acts on it, the supervisor there sees
  it (and assigns the executing officer); an executing officer who is not assigned sees nothing.
- Nobody of another authority or another State sees it.

`roles_on_request` is the one place that answers "with which roles does this principal act on this
request"; the transition table (comity.cases.lifecycle) intersects it with the roles it allows.
"""

from __future__ import annotations

from typing import Any

import rules

from comity.core.enums import Role
from comity.core.rules import comity_rules, has_role

HOLDER_ROLES = frozenset({Role.DRAFTER, Role.CENTRAL_AUTHORITY_OFFICER, Role.SUPERVISOR})
READER_ROLES = HOLDER_ROLES | {Role.AUDITOR}
CASE_ROLES = (Role.DRAFTER, Role.CENTRAL_AUTHORITY_OFFICER, Role.SUPERVISOR, Role.AUDITOR)


def _acts_in_state_of(principal: Any, obj: Any) -> bool:
    return (
        principal is not None
        and principal.authority is not None
        and obj is not None
        and principal.authority.state_id == obj.state_id
    )


def holds(principal: Any, request: Any) -> bool:
    """The principal acts for the authority that holds the request (hence in its State)."""
    return _acts_in_state_of(principal, request) and request.authority_id == principal.authority.pk


def executes(principal: Any, request: Any) -> bool:
    """The principal acts for the executing authority the request was forwarded to."""
    return (
        _acts_in_state_of(principal, request)
        and request.executing_authority_id is not None
        and request.executing_authority_id == principal.authority.pk
    )


def is_assigned_executing_officer(principal: Any, request: Any) -> bool:
    return (
        executes(principal, request)
        and Role.EXECUTING_OFFICER in principal.roles
        and principal.user is not None
        and request.executing_officer_id == principal.user.pk
    )


def roles_on_request(principal: Any, request: Any) -> frozenset[str]:
    """The roles with which the principal may *act* on the request (empty: none).

    Holding authority: its drafter, central authority officer and supervisor roles. Executing
    authority: `executing_officer`, only for the officer assigned. Auditors read; they never act.
    """
    roles: set[str] = set()
    if holds(principal, request):
        roles |= {str(r) for r in HOLDER_ROLES} & set(principal.roles)
    if is_assigned_executing_officer(principal, request):
        roles.add(str(Role.EXECUTING_OFFICER))
    return frozenset(roles)


@rules.predicate
def may_view_request(principal: Any, request: Any) -> bool:
    if holds(principal, request) and bool({str(r) for r in READER_ROLES} & set(principal.roles)):
        return True
    if is_assigned_executing_officer(principal, request):
        return True
    return executes(principal, request) and Role.SUPERVISOR in principal.roles


@rules.predicate
def may_act_on_request(principal: Any, request: Any) -> bool:
    return bool(roles_on_request(principal, request))


@rules.predicate
def may_assign(principal: Any, request: Any) -> bool:
    """Central authority officers and supervisors of the holding authority assign anything; the
    supervisor of the executing authority assigns its executing officer."""
    if holds(principal, request) and bool(
        {Role.CENTRAL_AUTHORITY_OFFICER, Role.SUPERVISOR} & set(principal.roles)
    ):
        return True
    return executes(principal, request) and Role.SUPERVISOR in principal.roles


@rules.predicate
def may_note(principal: Any, request: Any) -> bool:
    return bool(roles_on_request(principal, request)) or (
        executes(principal, request) and Role.SUPERVISOR in principal.roles
    )


@rules.predicate
def holds_case(principal: Any, case: Any) -> bool:
    return _acts_in_state_of(principal, case) and case.authority_id == principal.authority.pk


may_create = has_role(Role.DRAFTER, Role.CENTRAL_AUTHORITY_OFFICER)
may_register_incoming = has_role(Role.CENTRAL_AUTHORITY_OFFICER)
may_see_cases = has_role(*CASE_ROLES)

comity_rules.add_rule("cases.create", may_create)
comity_rules.add_rule("cases.register_incoming", may_register_incoming)
comity_rules.add_rule("cases.view_cases", may_see_cases)
comity_rules.add_rule("cases.view_case", may_see_cases & holds_case)
comity_rules.add_rule("cases.add_request_to_case", may_create & holds_case)
comity_rules.add_rule("cases.view_request", may_view_request)
comity_rules.add_rule("cases.transition", may_act_on_request)
comity_rules.add_rule("cases.assign", may_assign)
comity_rules.add_rule("cases.add_note", may_note)
comity_rules.add_rule("cases.set_deadline", may_note)
comity_rules.add_rule("cases.record_consultation", may_act_on_request)
