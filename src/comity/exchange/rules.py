"""Who may see the exchange messages of a State and act on the parked and refused ones.

Central authority officers and supervisors of a central authority. Messages belong to a State;
inside it, a message about a request is for the authority that holds the request, and a message
that concerns no request here yet (a parked submission, an unknown request) is for the State's
receiving central authority (the one `comity.exchange.apply.central_authority` chooses).
"""

from __future__ import annotations

from typing import Any

import rules

from comity.core.enums import AuthorityKind, Role
from comity.core.rules import comity_rules, has_role

OPERATOR_ROLES = (Role.CENTRAL_AUTHORITY_OFFICER, Role.SUPERVISOR)


@rules.predicate
def at_central_authority(principal: Any) -> bool:
    return (
        principal is not None
        and principal.authority is not None
        and principal.authority.kind == AuthorityKind.CENTRAL_AUTHORITY
    )


def receiving_authority_id(state_id: int) -> int | None:
    """The central authority that receives what concerns no request of this node yet."""
    from comity.core.models import Authority

    return (
        Authority.objects.filter(state_id=state_id, kind=AuthorityKind.CENTRAL_AUTHORITY)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def request_of(message: Any) -> Any:
    """The request a message concerns in its State: linked, or found by its global id (a parked
    message is not linked, but may concern a request held here)."""
    if message.request_id is not None:
        return message.request
    if message.request_global_id is None:
        return None
    from comity.cases.models import Request

    return (
        Request.objects.filter(state_id=message.state_id, global_id=message.request_global_id)
        .only("pk", "authority_id")
        .first()
    )


@rules.predicate
def answers_for_message(principal: Any, message: Any) -> bool:
    """The message is of the principal's State and for the principal's authority."""
    if principal is None or principal.authority is None or message is None:
        return False
    if principal.authority.state_id != message.state_id:
        return False
    request = request_of(message)
    if request is not None:
        return bool(request.authority_id == principal.authority.pk)
    return receiving_authority_id(message.state_id) == principal.authority.pk


may_operate = has_role(*OPERATOR_ROLES) & at_central_authority

comity_rules.add_rule("exchange.view_messages", may_operate)
comity_rules.add_rule("exchange.act_on_message", may_operate & answers_for_message)
