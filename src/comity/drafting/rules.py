"""Who may draft requests: drafters and central authority officers write them; a draft is seen
and edited only at the authority that holds it, by its drafters, central authority officers and
supervisors (never by another authority, never by another State)."""

from __future__ import annotations

from typing import Any

import rules

from comity.core.enums import Role
from comity.core.rules import comity_rules, has_role

DRAFTING_ROLES = (Role.DRAFTER, Role.CENTRAL_AUTHORITY_OFFICER, Role.SUPERVISOR)

may_draft = has_role(Role.DRAFTER, Role.CENTRAL_AUTHORITY_OFFICER)
may_see_drafts = has_role(*DRAFTING_ROLES)


@rules.predicate
def holds_draft(principal: Any, draft: Any) -> bool:
    """The principal acts for the authority that holds `draft` (hence for its State too)."""
    if principal is None or principal.authority is None or draft is None:
        return False
    return bool(
        draft.authority_id == principal.authority.pk and draft.state_id == principal.authority.state_id
    )


comity_rules.add_rule("drafting.create_draft", may_draft)
comity_rules.add_rule("drafting.view_drafts", may_see_drafts)
comity_rules.add_rule("drafting.view_draft", may_see_drafts & holds_draft)
comity_rules.add_rule("drafting.change_draft", may_see_drafts & holds_draft)
