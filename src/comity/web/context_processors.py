from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from comity.core.enums import Role
from comity.core.rules import can


def comity(request: HttpRequest) -> dict[str, Any]:
    principal = getattr(request, "principal", None)
    return {
        "principal": principal,
        "nav": {
            "dashboard": can(principal, "web.view_dashboard"),
            "audit": can(principal, "core.view_audit_trail"),
            "tokens": can(principal, "accounts.manage_own_tokens"),
            "directory_changes": can(principal, "directory.view_changes"),
            "drafts": can(principal, "drafting.view_drafts"),
            # Case roles, and executing officers (who see the requests assigned to them).
            "cases": can(principal, "cases.view_cases")
            or bool(principal is not None and principal.has_role(Role.EXECUTING_OFFICER)),
        },
        "role_labels": dict(Role.choices),
    }
