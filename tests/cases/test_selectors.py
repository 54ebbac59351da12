"""Who sees which request: every leak path (another State, another authority, an unassigned
executing officer, an executing officer of another executing authority)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from comity.accounts.principal import Principal
from comity.cases import selectors, services
from comity.cases.enums import RequestStatus
from comity.cases.lifecycle import request_transition
from comity.cases.models import Request
from comity.core.enums import Role
from comity.core.tenancy import state_scope
from tests.cases import CaseWorld, as_, document, incoming, make_case_world, outgoing

pytestmark = pytest.mark.django_db


def _forwarded(cw: CaseWorld) -> Request:
    request = incoming(cw)
    with state_scope(cw.w.state_a.pk):
        request = request_transition(actor=cw.alice, request=request, to_status=RequestStatus.REGISTERED)
        return services.request_assign(
            actor=cw.alice, request=request, executing_authority=cw.w.y, executing_officer=cw.ed
        )


def _charlies_request(cw: CaseWorld) -> Request:
    with state_scope(cw.w.state_b.pk):
        return services.request_register_incoming(
            actor=cw.charlie,
            document=document(requested="BBB", requesting="AAA"),
            their_reference="A-1",
            received_on=dt.date(2026, 1, 5),
        )


def _visible(principal: Principal, state_ids: list[int]) -> set[str]:
    with state_scope(state_ids):
        return set(selectors.requests_visible(principal).values_list("code", flat=True))


def test_who_sees_a_forwarded_request() -> None:
    cw = make_case_world()
    request = _forwarded(cw)
    theirs = _charlies_request(cw)
    a = [cw.w.state_a.pk]
    both = [cw.w.state_a.pk, cw.w.state_b.pk]
    # The holding authority (X): officers, drafters, supervisors, auditors.
    for principal in (cw.alice, cw.drafter, cw.supervisor, cw.auditor):
        assert _visible(principal, a) == {request.code}
    # The executing authority (Y): the assigned officer and the supervisor there.
    assert _visible(cw.executing, a) == {request.code}
    assert _visible(cw.executing_supervisor, a) == {request.code}
    # Leaks: an unassigned executing officer, another executing authority, another State.
    assert _visible(cw.other_executing, a) == set()
    assert _visible(cw.foreign_executing, a) == set()
    assert _visible(cw.charlie, both) == {theirs.code}
    # Even a scope opened on both States shows alice only her State's request.
    assert _visible(cw.alice, both) == {request.code}
    # A principal of authority Y without any role sees nothing.
    assert _visible(as_(cw.ed, cw.w.y), a) == set()


def test_access_request_gives_the_same_404_to_outsiders() -> None:
    cw = make_case_world()
    request = _forwarded(cw)
    with state_scope([cw.w.state_a.pk, cw.w.state_b.pk]):
        assert selectors.access_request(cw.executing, request.code) == request
        for outsider in (cw.other_executing, cw.foreign_executing, cw.charlie):
            with pytest.raises(Http404, match=r"^No such request\.$"):
                selectors.access_request(outsider, request.code)
        with pytest.raises(Http404, match=r"^No such request\.$"):
            selectors.access_request(cw.alice, "doesnotexist")


def test_an_executing_officer_sees_nothing_once_reassigned() -> None:
    cw = make_case_world()
    request = _forwarded(cw)
    with state_scope(cw.w.state_a.pk):
        services.request_assign(actor=cw.executing_supervisor, request=request, executing_officer=cw.eve)
        assert not selectors.requests_visible(cw.executing).exists()
        assert list(selectors.requests_visible(cw.other_executing)) == [request]


def test_queues() -> None:
    cw = make_case_world()
    received = incoming(cw, their_reference="B-1")
    out = outgoing(cw)
    forwarded = _forwarded(cw)
    with state_scope(cw.w.state_a.pk):
        request_transition(actor=cw.alice, request=out, to_status=RequestStatus.IN_REVIEW)
        services.request_assign(actor=cw.alice, request=received, officer=cw.w.alice)
        services.request_set_deadline(
            actor=cw.alice,
            request=forwarded,
            kind="requested",
            due_on=dt.date(2026, 1, 10),
            reason="Trial date.",
        )
        assert list(selectors.awaiting_registration(cw.alice)) == [received]
        assert list(selectors.awaiting_review(cw.alice)) == [out]
        assert list(selectors.my_tasks(cw.alice)) == [received]
        assert list(selectors.my_tasks(cw.executing)) == [forwarded]
        assert list(selectors.overdue(cw.alice, today=dt.date(2026, 1, 11))) == [forwarded]
        assert list(selectors.overdue(cw.alice, today=dt.date(2026, 1, 10))) == []
        assert list(selectors.overdue(cw.other_executing, today=dt.date(2026, 1, 11))) == []
        assert list(selectors.requests_filtered(cw.alice, requested_state="bbb")) == [out]
        assert set(selectors.requests_filtered(cw.alice, status="received", direction="incoming")) == {
            received
        }
        assert list(selectors.requests_filtered(cw.alice, search="b-1")) == [received]
        assert list(selectors.requests_filtered(cw.other_executing, search="b-")) == []


def test_case_requests_and_timeline() -> None:
    cw = make_case_world()
    with state_scope(cw.w.state_a.pk):
        case = services.case_create(actor=cw.alice, reference="CASE-1", title="ACME")
        request = services.request_create_outgoing(
            actor=cw.alice, case=case, document=document(), title="Bank"
        )
        services.request_add_note(actor=cw.alice, request=request, text="Urgent.")
        assert list(selectors.case_requests(cw.alice, case)) == [request]
        assert list(selectors.case_requests(cw.executing, case)) == []
        assert [e.kind for e in selectors.request_timeline(request)] == ["created", "note"]
        assert selectors.access_case(cw.drafter, case.code) == case
        with pytest.raises(Http404):
            selectors.access_case(cw.executing_supervisor, case.code)


def test_selector_query_count_does_not_grow() -> None:
    cw = make_case_world()
    incoming(cw)
    with state_scope(cw.w.state_a.pk), CaptureQueriesContext(connection) as one:
        [
            (r.requested_state.code, r.requesting_state.code, r.authority.name)
            for r in selectors.requests_visible(cw.alice)
        ]
    incoming(cw, their_reference="B-2")
    incoming(cw, their_reference="B-3")
    with state_scope(cw.w.state_a.pk), CaptureQueriesContext(connection) as three:
        rows = [
            (r.requested_state.code, r.requesting_state.code, r.authority.name)
            for r in selectors.requests_visible(cw.alice)
        ]
    assert len(rows) == 3
    assert len(one.captured_queries) == len(three.captured_queries)


def test_roles_are_read_from_the_principal_only() -> None:
    cw = make_case_world()
    request = _forwarded(cw)
    # ed is an executing officer at Y; acting for X (where he has no role) he sees nothing.
    assert _visible(as_(cw.ed, cw.w.x, Role.EXECUTING_OFFICER), [cw.w.state_a.pk]) == set()
    assert request.code
