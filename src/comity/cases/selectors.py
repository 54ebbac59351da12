"""Reads of case management, restricted to what the principal may see (comity.cases.rules).

`requests_visible` is the one restriction every other selector starts from:
- same State (the scope is open, and the filter says it again);
- holding authority: its drafters, central authority officers, supervisors and auditors;
- executing authority: the assigned executing officer and the supervisor there; an executing
  officer who is not assigned sees nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from comity.accounts.principal import Principal
from comity.cases.enums import OPEN_STATUSES, Direction, EventKind, RequestStatus
from comity.cases.models import Case, Request, RequestEvent
from comity.cases.rules import READER_ROLES
from comity.core.enums import Role
from comity.core.rules import can


def _visibility(principal: Principal) -> Q | None:
    authority = principal.authority
    if authority is None or principal.user is None:
        return None
    roles = set(principal.roles)
    parts = Q(pk__in=[])
    if {str(r) for r in READER_ROLES} & roles:
        parts |= Q(authority_id=authority.pk)
    if Role.SUPERVISOR in roles:
        parts |= Q(executing_authority_id=authority.pk)
    if Role.EXECUTING_OFFICER in roles:
        parts |= Q(executing_authority_id=authority.pk, executing_officer_id=principal.user.pk)
    return Q(state_id=authority.state_id) & parts


def requests_visible(principal: Principal) -> QuerySet[Request]:
    """Every request the principal may see, most recently updated first."""
    where = _visibility(principal)
    if where is None:
        return Request.objects.none()
    return (
        Request.objects.filter(where)
        .select_related("requesting_state", "requested_state", "authority", "case", "assigned_officer")
        .order_by("-updated_at", "pk")
    )


def access_request(principal: Principal, code: str) -> Request:
    """The request, or the same 404 whether it does not exist or is not the principal's to see."""
    request = requests_visible(principal).filter(code=str(code)[:16]).first()
    if request is None or not can(principal, "cases.view_request", request):
        raise Http404("No such request.")
    return request


def request_timeline(request: Request) -> QuerySet[RequestEvent]:
    """The request's events in order (the caller got `request` through access_request)."""
    return (
        RequestEvent.objects.filter(state_id=request.state_id, request=request)
        .select_related("actor", "authority")
        .order_by("created_at", "pk")
    )


def cases_visible(principal: Principal) -> QuerySet[Case]:
    if principal.authority is None or not can(principal, "cases.view_cases"):
        return Case.objects.none()
    return Case.objects.filter(
        state_id=principal.authority.state_id, authority_id=principal.authority.pk
    ).order_by("-created_at", "pk")


def access_case(principal: Principal, code: str) -> Case:
    case = cases_visible(principal).filter(code=str(code)[:16]).first()
    if case is None:
        raise Http404("No such case.")
    return case


def case_requests(principal: Principal, case: Case) -> QuerySet[Request]:
    """The requests of `case` the principal may see."""
    return requests_visible(principal).filter(case=case)


def my_tasks(principal: Principal) -> QuerySet[Request]:
    """Open requests assigned to the principal (as officer or executing officer), earliest due first."""
    if principal.user is None:
        return Request.objects.none()
    me = principal.user.pk
    return (
        requests_visible(principal)
        .filter(Q(assigned_officer_id=me) | Q(executing_officer_id=me), status__in=OPEN_STATUSES)
        .order_by("due_on", "-updated_at", "pk")
    )


def awaiting_review(principal: Principal) -> QuerySet[Request]:
    """Outgoing requests in review (for approvers)."""
    return requests_visible(principal).filter(direction=Direction.OUTGOING, status=RequestStatus.IN_REVIEW)


def awaiting_registration(principal: Principal) -> QuerySet[Request]:
    """Incoming requests received and not yet registered, oldest first."""
    return (
        requests_visible(principal)
        .filter(direction=Direction.INCOMING, status=RequestStatus.RECEIVED)
        .order_by("received_at", "pk")
    )


def overdue(principal: Principal, *, today: dt.date | None = None) -> QuerySet[Request]:
    """Open requests whose earliest open deadline has passed."""
    day = today or timezone.localdate()
    return (
        requests_visible(principal).filter(status__in=OPEN_STATUSES, due_on__lt=day).order_by("due_on", "pk")
    )


def requests_filtered(
    principal: Principal,
    *,
    requested_state: str | None = None,
    requesting_state: str | None = None,
    status: str | None = None,
    request_type: str | None = None,
    direction: str | None = None,
    open_only: bool = False,
    search: str | None = None,
) -> QuerySet[Request]:
    """The visible requests filtered by State (ISO3), status, type, direction, and a search in
    titles and references (case-insensitive substring)."""
    qs = requests_visible(principal)
    filters: dict[str, Any] = {}
    if requested_state:
        filters["requested_state__code"] = requested_state.upper()
    if requesting_state:
        filters["requesting_state__code"] = requesting_state.upper()
    if status:
        filters["status"] = status
    if request_type:
        filters["request_type"] = request_type
    if direction:
        filters["direction"] = direction
    if filters:
        qs = qs.filter(**filters)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if search and search.strip():
        term = search.strip()[:100]
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(our_reference__icontains=term)
            | Q(their_reference__icontains=term)
            | Q(case__reference__icontains=term)
            | Q(code=term)
        )
    return qs


def info_rounds(request: Request) -> int:
    """How many requests for additional information the request has had."""
    return RequestEvent.objects.filter(
        state_id=request.state_id, request=request, kind=EventKind.INFO_REQUESTED
    ).count()
