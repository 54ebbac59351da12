"""Who may do what: predicates over a Principal (comity.accounts.principal), one rule set.

Interfaces ask `can(principal, "perm", obj)`; services ask again before writing.
"""

from __future__ import annotations

from typing import Any

import rules

from comity.core.enums import Role

comity_rules = rules.RuleSet()


def has_role(*roles: Role) -> rules.Predicate:
    wanted = frozenset(str(r) for r in roles)
    name = "has_role:" + ",".join(sorted(wanted))

    @rules.predicate(name)
    def predicate(principal: Any) -> bool:
        return bool(wanted & principal.roles) if principal is not None else False

    return predicate


@rules.predicate
def is_member(principal: Any) -> bool:
    return principal is not None and principal.is_member


@rules.predicate
def acts_in_browser(principal: Any) -> bool:
    """Tokens cannot manage tokens: that needs a session with MFA."""
    return principal is not None and principal.token is None


comity_rules.add_rule("web.view_dashboard", is_member)
comity_rules.add_rule("accounts.manage_own_tokens", is_member & acts_in_browser)
comity_rules.add_rule("core.view_audit_trail", has_role(Role.AUDITOR, Role.SUPERVISOR))


def can(principal: Any, permission: str, obj: Any = None) -> bool:
    return comity_rules.test_rule(permission, principal, obj)
