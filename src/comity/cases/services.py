"""Writes of case management: cases, requests, assignment, notes, information rounds,
consultations and deadlines. Status changes go through comity.cases.lifecycle.request_transition.

Every write checks its rule, validates before writing, runs in one transaction with its timeline
event (RequestEvent) and its audit event, and raises InvalidInput / NotAllowed with nothing
written. Audit data names what happened (codes, references, dates), never a request's content.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from comity.accounts.principal import Principal
from comity.cases import deadlines
from comity.cases.enums import (
    OPEN_STATUSES,
    ConsultationOutcome,
    DeadlineKind,
    Direction,
    EventKind,
    RequestStatus,
)
from comity.cases.lifecycle import request_transition
from comity.cases.models import Case, Deadline, Request, RequestEvent
from comity.core.audit import audit_record
from comity.core.enums import AuditAction, AuthorityKind, Role
from comity.core.errors import InvalidInput, NotAllowed
from comity.core.models import Authority, Membership, State
from comity.core.rules import can
from comity.drafting.schema import RequestDocument
from comity.drafting.services import validate_document
from comity.exchange.outbox import exchange_event

MAX_TEXT = 20_000


def _text(value: str, *, field: str = "text", required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(field, "This cannot be empty.")
    if len(value) > MAX_TEXT:
        raise InvalidInput(field, f"At most {MAX_TEXT} characters.")
    return value


def _event(
    request: Request, kind: str, actor: Principal | None, text: str = "", data: dict[str, Any] | None = None
) -> RequestEvent:
    event = RequestEvent.objects.create(
        state_id=request.state_id,
        request=request,
        kind=kind,
        actor=actor.user if actor is not None else None,
        authority=actor.authority if actor is not None else None,
        text=text,
        data=data or {},
    )
    exchange_event(event)
    return event


def _audit(
    request: Request, action: AuditAction, actor: Principal, data: dict[str, Any] | None = None
) -> None:
    audit_record(
        state=request.state,
        action=action,
        actor=actor.user,
        authority=actor.authority,
        object_type="request",
        object_id=request.code,
        data=data or {},
    )


def _document(document: dict[str, Any] | RequestDocument) -> dict[str, Any]:
    if isinstance(document, RequestDocument):
        document = document.model_dump(mode="json", exclude_none=True)
    return validate_document(document)


@transaction.atomic
def case_create(*, actor: Principal, reference: str, title: str) -> Case:
    """A new case at the actor's authority; `reference` is unique within the State."""
    if not can(actor, "cases.create"):
        raise NotAllowed("Only drafters and central authority officers can open cases.")
    authority = actor.acting_authority()
    reference = _text(reference, field="reference")[:100]
    title = _text(title, field="title")[:300]
    if Case.objects.filter(state_id=authority.state_id, reference=reference).exists():
        raise InvalidInput("reference", f"A case with reference {reference!r} exists already.")
    case = Case.objects.create(
        state_id=authority.state_id,
        authority=authority,
        reference=reference,
        title=title,
        created_by=actor.user,
    )
    audit_record(
        state=authority.state,
        action=AuditAction.CASE_CREATED,
        actor=actor.user,
        authority=authority,
        object_type="case",
        object_id=case.code,
        data={"reference": reference},
    )
    return case


@transaction.atomic
def request_create_outgoing(
    *, actor: Principal, case: Case | None, document: dict[str, Any] | RequestDocument, title: str
) -> Request:
    """A new outgoing request (status draft) at the actor's authority, from a request document
    (typically a draft's), validated with the schema. `case`, when given, is one of the actor's
    authority's cases."""
    if not can(actor, "cases.create"):
        raise NotAllowed("Only drafters and central authority officers can create requests.")
    authority = actor.acting_authority()
    if case is not None and not can(actor, "cases.add_request_to_case", case):
        raise NotAllowed("This case is held by another authority.")
    doc = _document(document)
    requesting = (doc.get("requesting_authority") or {}).get("state", authority.state.code)
    if requesting != authority.state.code:
        raise InvalidInput(
            "requesting_authority.state",
            f"The requesting State must be your own State ({authority.state.code}).",
        )
    target = State.objects.filter(code=doc["requested_state"]).first()
    if target is None or target.pk == authority.state_id:
        raise InvalidInput("requested_state", "The requested State must be another State of the directory.")
    request = Request.objects.create(
        state_id=authority.state_id,
        case=case,
        direction=Direction.OUTGOING,
        request_type=doc["request_type"],
        status=RequestStatus.DRAFT,
        requesting_state_id=authority.state_id,
        requested_state=target,
        authority=authority,
        title=_text(title, field="title")[:300],
        our_reference=str(doc.get("reference") or "")[:100],
        document=doc,
        urgent=bool((doc.get("urgency") or {}).get("required")),
        confidential=bool((doc.get("confidentiality") or {}).get("required")),
        use_limitation=str((doc.get("statements") or {}).get("use_limitation") or ""),  # 18(19)
        created_by=actor.user,
    )
    _event(request, EventKind.CREATED, actor)
    _audit(
        request,
        AuditAction.REQUEST_CREATED,
        actor,
        {
            "direction": Direction.OUTGOING,
            "request_type": request.request_type,
            "requested_state": target.code,
        },
    )
    return request


@transaction.atomic
def request_register_incoming(
    *,
    actor: Principal,
    document: dict[str, Any] | RequestDocument,
    their_reference: str,
    received_on: dt.date,
    authority: Authority | None = None,
    title: str | None = None,
    global_id: uuid.UUID | None = None,
) -> Request:
    """Record the arrival of an incoming request (status `received`).

    The one entry point for incoming requests: by hand (a central authority officer enters a
    request that came on paper or by e-mail) and, later, by the exchange, which calls it with the
    Principal of the receiving central authority's exchange account. `authority` is the receiving
    authority (default: the actor's); a central authority may record it for another authority of
    its State. The requested State must be ours; the requesting State comes from the document.
    A suggested deadline in the document (18(24)) becomes a `requested` deadline. `global_id`:
    the requesting State's id of the request, when it came by the exchange.
    """
    if not can(actor, "cases.register_incoming"):
        raise NotAllowed("Only central authority officers can register incoming requests.")
    own = actor.acting_authority()
    authority = authority or own
    if authority.pk != own.pk and (
        authority.state_id != own.state_id or own.kind != AuthorityKind.CENTRAL_AUTHORITY
    ):
        raise NotAllowed("You can only register incoming requests for your own authority.")
    doc = _document(document)
    state = authority.state
    if doc["requested_state"] != state.code:
        raise InvalidInput(
            "requested_state", f"This request is addressed to {doc['requested_state']}, not to {state.code}."
        )
    requesting_code = (doc.get("requesting_authority") or {}).get("state")
    requesting = State.objects.filter(code=requesting_code).first() if requesting_code else None
    if requesting is None or requesting.pk == state.pk:
        raise InvalidInput(
            "requesting_authority.state", "Name the requesting State (another State of the directory)."
        )
    their_reference = _text(their_reference, field="their_reference", required=False)[:100]
    if not isinstance(received_on, dt.date) or received_on > timezone.localdate():
        raise InvalidInput("received_on", "The date of receipt cannot be in the future.")
    received_at = timezone.make_aware(dt.datetime.combine(received_on, dt.time(12)))
    request = Request.objects.create(
        state_id=state.pk,
        direction=Direction.INCOMING,
        request_type=doc["request_type"],
        status=RequestStatus.RECEIVED,
        requesting_state=requesting,
        requested_state=state,
        authority=authority,
        title=_text(title or doc.get("reference") or their_reference or doc["request_type"], field="title")[
            :300
        ],
        their_reference=their_reference,
        document=doc,
        urgent=bool((doc.get("urgency") or {}).get("required")),
        confidential=bool((doc.get("confidentiality") or {}).get("required")),
        use_limitation=str((doc.get("statements") or {}).get("use_limitation") or ""),  # 18(19)
        created_by=actor.user,
        received_at=received_at,
        **({"global_id": global_id} if global_id is not None else {}),
    )
    _event(
        request,
        EventKind.CREATED,
        actor,
        data={"their_reference": their_reference, "received_on": received_on.isoformat()},
    )
    _audit(
        request,
        AuditAction.REQUEST_RECEIVED,
        actor,
        {
            "request_type": request.request_type,
            "requesting_state": requesting.code,
            "their_reference": their_reference,
            "received_on": received_on.isoformat(),
        },
    )
    suggested = (doc.get("deadline") or {}).get("date")
    if suggested:
        deadlines.deadline_add(
            request=request,
            kind=DeadlineKind.REQUESTED,
            due_on=dt.date.fromisoformat(suggested),
            reason="Deadline suggested by the requesting State (18(24)).",
            actor=actor.user,
            authority=actor.authority,
        )
    return request


def _member(user: Any, authority: Authority, roles: tuple[Role, ...], field: str) -> Any:
    if user is None:
        return None
    if not Membership.objects.filter(
        user=user, authority=authority, role__in=roles, ended_at__isnull=True
    ).exists():
        raise InvalidInput(
            field, f"{user} is not a {' or '.join(str(r.label) for r in roles)} of {authority}."
        )
    return user


@transaction.atomic
def request_assign(
    *,
    actor: Principal,
    request: Request,
    officer: Any = None,
    executing_authority: Authority | None = None,
    executing_officer: Any = None,
) -> Request:
    """Assign the handling officer, forward to an executing authority (event `forwarded`; a
    registered incoming request then moves to in_execution) and/or assign the executing officer.

    Central authority officers and supervisors of the holding authority may do all three; the
    supervisor of the executing authority only assigns its executing officer.
    """
    if not can(actor, "cases.assign", request):
        raise NotAllowed("You cannot assign this request.")
    request = Request.objects.select_for_update().select_related("state").get(pk=request.pk)
    holder = actor.authority is not None and actor.authority.pk == request.authority_id
    if not holder and (officer is not None or executing_authority is not None):
        raise NotAllowed("Only the authority holding the request assigns its officer or forwards it.")
    if request.status not in OPEN_STATUSES and request.status != RequestStatus.DRAFT:
        raise InvalidInput("status", "This request is no longer open.")
    if officer is None and executing_authority is None and executing_officer is None:
        raise InvalidInput("officer", "Name an officer, an executing authority or an executing officer.")
    changes: dict[str, Any] = {}
    if officer is not None:
        request.assigned_officer = _member(
            officer,
            request.authority,
            (Role.CENTRAL_AUTHORITY_OFFICER, Role.SUPERVISOR, Role.DRAFTER),
            "officer",
        )
        changes["officer"] = str(officer.public_id)
        _event(request, EventKind.ASSIGNED, actor, data={"officer": str(officer.public_id)})
    if executing_authority is not None:
        if request.direction != Direction.INCOMING:
            raise InvalidInput("executing_authority", "Only incoming requests are forwarded for execution.")
        if executing_authority.state_id != request.state_id:
            raise InvalidInput("executing_authority", "The executing authority must be of your own State.")
        if executing_authority.pk != request.executing_authority_id:
            request.executing_authority = executing_authority
            request.executing_officer = None
            changes["executing_authority"] = executing_authority.code
            _event(
                request, EventKind.FORWARDED, actor, data={"executing_authority": executing_authority.code}
            )
    if executing_officer is not None:
        if request.executing_authority is None:
            raise InvalidInput("executing_officer", "Forward the request to an executing authority first.")
        request.executing_officer = _member(
            executing_officer, request.executing_authority, (Role.EXECUTING_OFFICER,), "executing_officer"
        )
        changes["executing_officer"] = str(executing_officer.public_id)
        _event(
            request, EventKind.ASSIGNED, actor, data={"executing_officer": str(executing_officer.public_id)}
        )
    request.save(update_fields=["assigned_officer", "executing_authority", "executing_officer", "updated_at"])
    _audit(request, AuditAction.REQUEST_ASSIGNED, actor, changes)
    if "executing_authority" in changes and request.status == RequestStatus.REGISTERED:
        request = request_transition(actor=actor, request=request, to_status=RequestStatus.IN_EXECUTION)
    return request


@transaction.atomic
def request_add_note(*, actor: Principal, request: Request, text: str) -> RequestEvent:
    if not can(actor, "cases.add_note", request):
        raise NotAllowed("You cannot add notes to this request.")
    event = _event(request, EventKind.NOTE, actor, _text(text))
    _audit(request, AuditAction.REQUEST_NOTE_ADDED, actor)
    return event


def _rounds(request: Request) -> int:
    return RequestEvent.objects.filter(request=request, kind=EventKind.INFO_REQUESTED).count()


@transaction.atomic
def request_info_request(*, actor: Principal, request: Request, text: str) -> Request:
    """Record that additional information is asked for (incoming: we ask the requesting State;
    outgoing: the requested State asked us) and move the request to info_requested. As many
    rounds as needed."""
    text = _text(text)
    request = request_transition(
        actor=actor, request=request, to_status=RequestStatus.INFO_REQUESTED, text=text
    )
    round_ = _rounds(request) + 1
    _event(request, EventKind.INFO_REQUESTED, actor, text, {"round": round_})
    _audit(request, AuditAction.REQUEST_INFO_REQUESTED, actor, {"round": round_})
    return request


@transaction.atomic
def request_info_provide(*, actor: Principal, request: Request, text: str) -> Request:
    """Record the additional information provided; the request returns to where it was
    (in_execution when forwarded for execution, registered otherwise)."""
    text = _text(text)
    if request.status != RequestStatus.INFO_REQUESTED:
        raise InvalidInput("status", "No additional information is awaited on this request.")
    before = (
        RequestEvent.objects.filter(
            request=request, kind=EventKind.STATUS_CHANGED, to_status=RequestStatus.INFO_REQUESTED
        )
        .order_by("-created_at", "-pk")
        .values_list("from_status", flat=True)
        .first()
    )
    if before == RequestStatus.IN_EXECUTION or (before is None and request.executing_authority_id):
        target = RequestStatus.IN_EXECUTION
    else:
        target = RequestStatus.REGISTERED
    request = request_transition(actor=actor, request=request, to_status=target, text=text)
    round_ = _rounds(request)
    _event(request, EventKind.INFO_PROVIDED, actor, text, {"round": round_})
    _audit(request, AuditAction.REQUEST_INFO_PROVIDED, actor, {"round": round_})
    return request


@transaction.atomic
def request_consultation(*, actor: Principal, request: Request, text: str, outcome: str) -> RequestEvent:
    """Record a consultation with the other State (18(26) before refusing or postponing; 16(16)
    before refusing extradition). Needed before a refusal or postponement can be recorded."""
    if not can(actor, "cases.record_consultation", request):
        raise NotAllowed("You cannot record consultations on this request.")
    if outcome not in ConsultationOutcome.values:
        raise InvalidInput(
            "outcome", f"Unknown outcome {outcome!r}; use one of {', '.join(ConsultationOutcome.values)}."
        )
    if request.status not in OPEN_STATUSES:
        raise InvalidInput("status", "This request is no longer open.")
    event = _event(request, EventKind.CONSULTATION, actor, _text(text), {"outcome": outcome})
    _audit(request, AuditAction.REQUEST_CONSULTATION, actor, {"outcome": outcome})
    return event


@transaction.atomic
def request_set_deadline(
    *, actor: Principal, request: Request, kind: str, due_on: dt.date, reason: str
) -> Deadline:
    """Add a deadline; `request.due_on` stays the earliest open one."""
    if not can(actor, "cases.set_deadline", request):
        raise NotAllowed("You cannot set deadlines on this request.")
    if kind not in DeadlineKind.values:
        raise InvalidInput(
            "kind", f"Unknown deadline kind {kind!r}; use one of {', '.join(DeadlineKind.values)}."
        )
    if not isinstance(due_on, dt.date):
        raise InvalidInput("due_on", "Give a date.")
    if request.status not in OPEN_STATUSES and request.status != RequestStatus.DRAFT:
        raise InvalidInput("status", "This request is no longer open.")
    return deadlines.deadline_add(
        request=request,
        kind=kind,
        due_on=due_on,
        reason=_text(reason, field="reason")[:500],
        actor=actor.user,
        authority=actor.authority,
    )


@transaction.atomic
def deadline_mark_met(*, actor: Principal, deadline: Deadline) -> Deadline:
    """Close a deadline (no more reminders); `request.due_on` moves to the next open one."""
    request = deadline.request
    if not can(actor, "cases.set_deadline", request):
        raise NotAllowed("You cannot change deadlines on this request.")
    if deadline.met_at is not None:
        return deadline
    deadline.met_at = timezone.now()
    deadline.save(update_fields=["met_at"])
    deadlines.refresh_due_on(request)
    _audit(
        request,
        AuditAction.REQUEST_DEADLINE_MET,
        actor,
        {"kind": deadline.kind, "due_on": deadline.due_on.isoformat()},
    )
    return deadline


@transaction.atomic
def request_send_message(*, actor: Principal, request: Request, text: str) -> RequestEvent:
    """A message to the other State about this request (sent by the exchange when the request
    travels by it; otherwise recorded as sent by other means). Unlike a note, it is not internal."""
    if not can(actor, "cases.transition", request):
        raise NotAllowed("You cannot write to the other State about this request.")
    event = _event(request, EventKind.MESSAGE, actor, _text(text), {"direction": "sent"})
    _audit(request, AuditAction.REQUEST_MESSAGE_SENT, actor)
    return event


@transaction.atomic
def request_send_result(
    *, actor: Principal, request: Request, text: str, attachment_codes: list[str]
) -> RequestEvent:
    """Transmit the results of execution of an incoming request (18(3), 18(17)) with the
    attachments that carry them (already added to the request, usually of kind `result`)."""
    if request.direction != Direction.INCOMING:
        raise InvalidInput(
            "direction", "Results are transmitted on incoming requests (the requested State's side)."
        )
    if not can(actor, "cases.transition", request):
        raise NotAllowed("You cannot transmit results on this request.")
    if request.status not in OPEN_STATUSES and request.status not in (
        RequestStatus.EXECUTED,
        RequestStatus.PARTIALLY_EXECUTED,
    ):
        raise InvalidInput("status", "This request is no longer open.")
    codes = list(dict.fromkeys(str(c) for c in attachment_codes))
    found = {a.code: a for a in request.attachments.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput("attachments", f"Unknown attachment(s) of this request: {', '.join(missing)}.")
    event = _event(request, EventKind.RESULT, actor, _text(text), {"direction": "sent", "attachments": codes})
    _audit(request, AuditAction.REQUEST_RESULT_SENT, actor, {"attachments": codes})
    return event


@transaction.atomic
def request_set_their_reference(*, actor: Principal, request: Request, reference: str) -> Request:
    """Record the other State's reference for the request (e.g. given at its registration)."""
    if not can(actor, "cases.transition", request):
        raise NotAllowed("You cannot change this request.")
    reference = _text(reference, field="their_reference")[:100]
    if request.their_reference != reference:
        request.their_reference = reference
        request.save(update_fields=["their_reference", "updated_at"])
        _audit(request, AuditAction.REQUEST_REFERENCE_SET, actor, {"their_reference": reference})
    return request


@transaction.atomic
def request_record_received(
    *, actor: Principal, request: Request, kind: str, text: str, data: dict[str, Any] | None = None
) -> RequestEvent:
    """Record on the timeline what the other State sent (by the exchange): a message, a
    consultation, a request for information, results. Never sent back (`received` events are
    not exchanged)."""
    if kind not in (EventKind.MESSAGE, EventKind.CONSULTATION, EventKind.INFO_REQUESTED, EventKind.RESULT):
        raise InvalidInput("kind", f"{kind!r} is not something another State sends.")
    if not can(actor, "cases.add_note", request):
        raise NotAllowed("You cannot record on this request.")
    event = _event(request, kind, actor, _text(text), {**(data or {}), "direction": "received"})
    _audit(request, AuditAction.REQUEST_NOTE_ADDED, actor, {"kind": kind, "direction": "received"})
    return event
