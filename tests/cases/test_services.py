from __future__ import annotations

import datetime as dt

import pytest

from comity.cases import services
from comity.cases.enums import Direction, EventKind, RequestStatus
from comity.cases.models import Request, RequestEvent
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope
from tests.cases import incoming, make_case_world, outgoing

pytestmark = pytest.mark.django_db


def test_outgoing_request_is_created_as_draft_with_event_and_audit() -> None:
    cw = make_case_world()
    request = outgoing(cw)
    with state_scope(cw.w.state_a.pk):
        request = Request.objects.get(pk=request.pk)
        assert (request.direction, request.status, request.requested_state.code) == (
            Direction.OUTGOING,
            RequestStatus.DRAFT,
            "BBB",
        )
        assert list(request.events.values_list("kind", flat=True)) == [EventKind.CREATED]
        assert AuditEvent.objects.filter(action="request.created", object_id=request.code).count() == 1


def test_incoming_request_is_received() -> None:
    cw = make_case_world()
    request = incoming(cw)
    with state_scope(cw.w.state_a.pk):
        request = Request.objects.get(pk=request.pk)
        assert (
            request.direction,
            request.status,
            request.requesting_state.code,
            request.their_reference,
        ) == (
            Direction.INCOMING,
            RequestStatus.RECEIVED,
            "BBB",
            "B-77",
        )
        assert request.received_at is not None
        assert request.received_at.date() == dt.date(2026, 1, 5)


def test_note_is_on_the_timeline() -> None:
    cw = make_case_world()
    request = incoming(cw)
    with state_scope(cw.w.state_a.pk):
        services.request_add_note(actor=cw.alice, request=request, text="Called the liaison.")
        assert list(RequestEvent.objects.filter(request=request).values_list("kind", "text")) == [
            (EventKind.CREATED, ""),
            (EventKind.NOTE, "Called the liaison."),
        ]


def test_use_limitation_is_taken_from_the_document() -> None:
    from comity.cases.services import request_create_outgoing

    cw = make_case_world()
    document = {
        "request_type": "mla",
        "language": "en",
        "requested_state": cw.w.state_b.code,
        "statements": {"use_limitation": "Only for proceeding 2026/17 (18(19))."},
        "confidentiality": {"required": True, "reasons": "ongoing investigation"},
    }
    with state_scope(cw.w.state_a.pk):
        request = request_create_outgoing(actor=cw.alice, case=None, document=document, title="Bank records")
    assert (request.use_limitation, request.confidential) == ("Only for proceeding 2026/17 (18(19)).", True)
