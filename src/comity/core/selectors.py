"""Reads of the core app, already restricted to what the principal may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from comity.core.models import AuditEvent
from comity.core.rules import can


def audit_events_visible(principal: Any) -> QuerySet[AuditEvent]:
    """Events of the principal's active authority, for auditors and supervisors; else none.

    The State scope (opened by the middleware) already excludes other States; this narrows to
    the authority, so a member of authority X never reads what happened at authority Y.
    """
    if not can(principal, "core.view_audit_trail") or principal.authority is None:
        return AuditEvent.objects.none()
    return (
        AuditEvent.objects.filter(authority_id=principal.authority.pk)
        .select_related("actor")
        .order_by("-seq")
    )


def audit_trail(principal: Any, *, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    return audit_events_visible(principal).filter(object_type=object_type, object_id=object_id)
