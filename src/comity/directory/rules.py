"""Who may change the directory: a State's directory editor proposes; a supervisor of that State
or the secretariat reviews; nobody approves their own proposal (four eyes)."""

from __future__ import annotations

from typing import Any

import rules

from comity.core.enums import Role, StateKind
from comity.core.models import State
from comity.core.rules import comity_rules


def _state_id(obj: Any) -> int | None:
    """The State an object belongs to (or the State itself)."""
    if isinstance(obj, State):
        return obj.pk
    return getattr(obj, "state_id", None)


@rules.predicate
def is_directory_editor_of(principal: Any, obj: Any) -> bool:
    """Directory editor acting for an authority of the same State as `obj`."""
    if principal is None or principal.authority is None:
        return False
    return Role.DIRECTORY_EDITOR in principal.roles and principal.authority.state_id == _state_id(obj)


@rules.predicate
def is_reviewer_of(principal: Any, obj: Any) -> bool:
    """A supervisor of the State `obj` belongs to, or a secretariat editor (any State)."""
    if principal is None or principal.authority is None:
        return False
    if Role.SECRETARIAT_EDITOR in principal.roles and principal.authority.state.kind == StateKind.SECRETARIAT:
        return True
    return Role.SUPERVISOR in principal.roles and principal.authority.state_id == _state_id(obj)


@rules.predicate
def is_not_proposer(principal: Any, change: Any) -> bool:
    return principal is not None and principal.user is not None and change.proposed_by_id != principal.user.pk


@rules.predicate
def may_see_directory_changes(principal: Any) -> bool:
    if principal is None or principal.authority is None:
        return False
    return bool(
        {Role.DIRECTORY_EDITOR, Role.SUPERVISOR} & principal.roles
        or (
            Role.SECRETARIAT_EDITOR in principal.roles
            and principal.authority.state.kind == StateKind.SECRETARIAT
        )
    )


comity_rules.add_rule("directory.propose_change", is_directory_editor_of)
comity_rules.add_rule("directory.review_change", is_reviewer_of & is_not_proposer)
comity_rules.add_rule("directory.view_changes", may_see_directory_changes)
