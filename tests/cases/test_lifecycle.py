"""The transition table, role by role, and the rules of its conditions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from comity.cases import services
from comity.cases.enums import Direction, EventKind, RequestStatus
from comity.cases.lifecycle import TRANSITIONS, Transition, find_transition, request_transition
from comity.cases.models import Request, RequestEvent
from comity.core.enums import Role
from comity.core.errors import InvalidInput, NotAllowed
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope
from tests.cases import CaseWorld, as_, incoming, make_case_world, outgoing
from tests.factories import member

pytestmark = pytest.mark.django_db
S = RequestStatus
ACTING_ROLES = (
    Role.DRAFTER,
    Role.CENTRAL_AUTHORITY_OFFICER,
    Role.SUPERVISOR,
    Role.EXECUTING_OFFICER,
    Role.AUDITOR,
)


def _prepared(cw: CaseWorld, row: Transition) -> Request:
    """A request in the row's source status with every condition of the row satisfied."""
    kind = "extradition" if row.extradition_only else "mla"
    request = outgoing(cw, request_type=kind) if row.direction == Direction.OUTGOING else incoming(cw, kind)
    with state_scope(cw.w.state_a.pk):
        Request.objects.filter(pk=request.pk).update(
            status=row.source,
            executing_authority=cw.w.y,
            executing_officer=cw.ed,
            refusal_grounds=["nationality"],
        )
        RequestEvent.objects.create(
            state=cw.w.state_a, request=request, kind=EventKind.CONSULTATION, text="Consulted.", data={}
        )
        return Request.objects.get(pk=request.pk)


def _attempt(cw: CaseWorld, request: Request, row: Transition, actor: Any) -> Request:
    grounds = ["essential_interests"] if row.target == S.REFUSED else []
    return request_transition(
        actor=actor,
        request=request,
        to_status=row.target,
        text="Reasons in writing.",
        refusal_grounds=grounds,
        data={"our_reference": "A-2026-1"},
    )


def _actor(cw: CaseWorld, role: Role) -> Any:
    """Someone with `role` on the request who did not create or submit it (four eyes holds)."""
    if role == Role.EXECUTING_OFFICER:
        return cw.executing
    user = member(f"other-{role}", cw.w.x, role)
    return as_(user, cw.w.x, role)


@pytest.mark.parametrize("row", TRANSITIONS, ids=lambda r: f"{r.direction}:{r.source}->{r.target}")
def test_each_transition_is_allowed_to_its_roles_only(row: Transition) -> None:
    cw = make_case_world()
    request = _prepared(cw, row)
    for role in ACTING_ROLES:
        actor = _actor(cw, role)
        with state_scope(cw.w.state_a.pk):
            sid = transaction.savepoint()
            if str(role) in row.roles:
                moved = _attempt(cw, request, row, actor)
                assert moved.status == row.target
                event = RequestEvent.objects.filter(request=request, kind=EventKind.STATUS_CHANGED).last()
                assert event is not None
                assert (event.from_status, event.to_status, event.actor_id) == (
                    row.source,
                    row.target,
                    actor.user.pk,
                )
                assert (
                    AuditEvent.objects.filter(action="request.status_changed", object_id=request.code).count()
                    == 1
                )
            else:
                with pytest.raises(NotAllowed):
                    _attempt(cw, request, row, actor)
            transaction.savepoint_rollback(sid)


@pytest.mark.parametrize("direction", [Direction.OUTGOING, Direction.INCOMING])
@pytest.mark.parametrize("request_type", ["mla", "extradition"])
def test_every_move_outside_the_table_is_refused(direction: str, request_type: str) -> None:
    cw = make_case_world()
    request = (
        outgoing(cw, request_type=request_type)
        if direction == Direction.OUTGOING
        else incoming(cw, request_type)
    )
    ceo = as_(member("ceo", cw.w.x, *ACTING_ROLES), cw.w.x, *ACTING_ROLES)
    with state_scope(cw.w.state_a.pk):
        for source in S.values:
            Request.objects.filter(pk=request.pk).update(status=source)
            request.refresh_from_db()
            for target in S.values:
                if find_transition(request, target) is not None:
                    continue
                with pytest.raises(InvalidInput) as exc:
                    request_transition(actor=ceo, request=request, to_status=target, text="x")
                assert exc.value.field == "to_status"
        assert not RequestEvent.objects.filter(request=request, kind=EventKind.STATUS_CHANGED).exists()


def test_extradition_statuses_are_for_extradition_only() -> None:
    cw = make_case_world()
    request = incoming(cw, "mla")
    with (
        state_scope(cw.w.state_a.pk),
        pytest.raises(InvalidInput, match="cannot go from Received to Provisional arrest"),
    ):
        request_transition(actor=cw.alice, request=request, to_status=S.PROVISIONAL_ARREST)


def test_unknown_status() -> None:
    cw = make_case_world()
    request = incoming(cw)
    with state_scope(cw.w.state_a.pk), pytest.raises(InvalidInput, match="Unknown status 'lost'"):
        request_transition(actor=cw.alice, request=request, to_status="lost")


# -- the outgoing path, four eyes -------------------------------------------------------------


def test_outgoing_path_with_four_eyes() -> None:
    cw = make_case_world()
    request = outgoing(cw)
    with state_scope(cw.w.state_a.pk):
        request_transition(actor=cw.drafter, request=request, to_status=S.IN_REVIEW)
        request_transition(
            actor=cw.alice, request=request, to_status=S.DRAFT, text="Add the account numbers."
        )
        request_transition(actor=cw.alice, request=request, to_status=S.IN_REVIEW)
        with pytest.raises(InvalidInput, match="Four eyes"):
            request_transition(actor=cw.alice, request=request, to_status=S.APPROVED)
        request_transition(actor=cw.supervisor, request=request, to_status=S.APPROVED)
        with pytest.raises(NotAllowed):
            request_transition(actor=cw.supervisor, request=request, to_status=S.SENT)
        request = request_transition(actor=cw.alice, request=request, to_status=S.SENT)
        assert request.sent_at is not None
        request = request_transition(actor=cw.alice, request=request, to_status=S.EXECUTED)
        request = request_transition(actor=cw.alice, request=request, to_status=S.CLOSED)
        assert request.closed_at is not None
        assert list(
            RequestEvent.objects.filter(request=request, kind=EventKind.STATUS_CHANGED).values_list(
                "to_status", flat=True
            )
        ) == [S.IN_REVIEW, S.DRAFT, S.IN_REVIEW, S.APPROVED, S.SENT, S.EXECUTED, S.CLOSED]


def test_withdrawn_from_an_open_status_sets_closed_at() -> None:
    cw = make_case_world()
    request = incoming(cw)
    with state_scope(cw.w.state_a.pk):
        request = request_transition(
            actor=cw.alice, request=request, to_status=S.WITHDRAWN, text="Requesting State withdrew."
        )
        assert request.closed_at is not None
        with pytest.raises(InvalidInput):
            request_transition(actor=cw.alice, request=request, to_status=S.REGISTERED)


# -- incoming: registration, execution, postponement ------------------------------------------


def test_registration_needs_a_reference() -> None:
    cw = make_case_world()
    request = incoming(cw, their_reference="")
    with state_scope(cw.w.state_a.pk):
        with pytest.raises(InvalidInput, match="reference") as exc:
            request_transition(actor=cw.alice, request=request, to_status=S.REGISTERED)
        assert exc.value.field == "our_reference"
        request = request_transition(
            actor=cw.alice, request=request, to_status=S.REGISTERED, data={"our_reference": "A-2026-7"}
        )
        assert (request.status, request.our_reference) == (S.REGISTERED, "A-2026-7")


def test_in_execution_needs_forwarding_and_executed_by_the_assigned_officer() -> None:
    cw = make_case_world()
    request = incoming(cw)
    with state_scope(cw.w.state_a.pk):
        request = request_transition(actor=cw.alice, request=request, to_status=S.REGISTERED)
        with pytest.raises(InvalidInput, match="executing authority"):
            request_transition(actor=cw.alice, request=request, to_status=S.IN_EXECUTION)
        request = services.request_assign(actor=cw.alice, request=request, executing_authority=cw.w.y)
        assert request.status == S.IN_EXECUTION
        with pytest.raises(NotAllowed):  # not assigned yet
            request_transition(actor=cw.executing, request=request, to_status=S.EXECUTED)
        request = services.request_assign(
            actor=cw.executing_supervisor, request=request, executing_officer=cw.ed
        )
        with pytest.raises(NotAllowed):
            request_transition(actor=cw.other_executing, request=request, to_status=S.EXECUTED)
        with pytest.raises(NotAllowed):
            request_transition(actor=cw.foreign_executing, request=request, to_status=S.EXECUTED)
        request = request_transition(actor=cw.executing, request=request, to_status=S.PARTIALLY_EXECUTED)
        assert request.status == S.PARTIALLY_EXECUTED


def _registered(cw: CaseWorld, request_type: str = "mla") -> Request:
    request = incoming(cw, request_type)
    with state_scope(cw.w.state_a.pk):
        return request_transition(actor=cw.alice, request=request, to_status=S.REGISTERED)


def test_postponement_needs_reasons_and_a_prior_consultation() -> None:
    cw = make_case_world()
    request = _registered(cw)
    with state_scope(cw.w.state_a.pk):
        with pytest.raises(InvalidInput, match=r"18\(25\)"):
            request_transition(actor=cw.alice, request=request, to_status=S.POSTPONED)
        with pytest.raises(InvalidInput, match=r"consult the requesting State.*18\(26\)"):
            request_transition(
                actor=cw.alice, request=request, to_status=S.POSTPONED, text="Ongoing trial at home."
            )
        services.request_consultation(
            actor=cw.alice,
            request=request,
            text="Call with B: postpone 3 months.",
            outcome="postponement_agreed",
        )
        request = request_transition(
            actor=cw.alice, request=request, to_status=S.POSTPONED, text="Ongoing trial at home."
        )
        assert request.status == S.POSTPONED


# -- refusal ----------------------------------------------------------------------------------


def _consulted(cw: CaseWorld, request_type: str = "mla") -> Request:
    request = _registered(cw, request_type)
    with state_scope(cw.w.state_a.pk):
        services.request_consultation(
            actor=cw.alice, request=request, text="Consulted B.", outcome="refusal_maintained"
        )
    return request


@pytest.mark.parametrize(
    ("grounds", "text", "message"),
    [
        ([], "Reasons.", "at least one refusal ground"),
        (["essential_interests"], "", r"reasoned \(18\(23\)\)"),
        (["essential_interests"], "   ", r"reasoned \(18\(23\)\)"),
        (["bank_secrecy"], "Reasons.", r"never grounds for refusal on their own"),
        (["fiscal_matters"], "Reasons.", r"never grounds for refusal on their own"),
        (["bank_secrecy", "fiscal_matters"], "Reasons.", r"never grounds for refusal on their own"),
        (["sunspots"], "Reasons.", "Unknown refusal ground"),
    ],
)
def test_refusal_rules(grounds: list[str], text: str, message: str) -> None:
    cw = make_case_world()
    request = _consulted(cw)
    with state_scope(cw.w.state_a.pk):
        with pytest.raises(InvalidInput, match=message):
            request_transition(
                actor=cw.alice, request=request, to_status=S.REFUSED, text=text, refusal_grounds=grounds
            )
        request.refresh_from_db()
        assert (request.status, request.refusal_grounds) == (S.REGISTERED, [])
        assert not AuditEvent.objects.filter(
            action="request.status_changed", object_id=request.code, data__to="refused"
        ).exists()


@pytest.mark.parametrize("extra", [["bank_secrecy"], ["fiscal_matters"], ["bank_secrecy", "fiscal_matters"]])
def test_bank_secrecy_or_fiscal_beside_another_ground_is_recorded(extra: list[str]) -> None:
    cw = make_case_world()
    request = _consulted(cw)
    with state_scope(cw.w.state_a.pk):
        request = request_transition(
            actor=cw.alice,
            request=request,
            to_status=S.REFUSED,
            text="Disclosure would prejudice national security.",
            refusal_grounds=["essential_interests", *extra],
        )
        assert (request.status, request.refusal_grounds, request.refusal_reasons) == (
            S.REFUSED,
            ["essential_interests", *extra],
            "Disclosure would prejudice national security.",
        )


def test_refusal_needs_a_prior_consultation() -> None:
    cw = make_case_world()
    request = _registered(cw)
    with (
        state_scope(cw.w.state_a.pk),
        pytest.raises(
            InvalidInput, match=r"Before refusing, consult the requesting State.*18\(26\).*16\(16\)"
        ),
    ):
        request_transition(
            actor=cw.alice,
            request=request,
            to_status=S.REFUSED,
            text="Reasons.",
            refusal_grounds=["essential_interests"],
        )


def test_refusal_is_for_the_central_authority_not_the_executing_officer() -> None:
    cw = make_case_world()
    request = _consulted(cw)
    with state_scope(cw.w.state_a.pk):
        request = services.request_assign(
            actor=cw.alice, request=request, executing_authority=cw.w.y, executing_officer=cw.ed
        )
        with pytest.raises(NotAllowed):
            request_transition(
                actor=cw.executing,
                request=request,
                to_status=S.REFUSED,
                text="R.",
                refusal_grounds=["essential_interests"],
            )


# -- extradition: 16(10) ----------------------------------------------------------------------


@pytest.mark.parametrize(("grounds", "allowed"), [(["nationality"], True), (["treaty_ground"], False)])
def test_submitted_for_prosecution_only_after_a_nationality_refusal(
    grounds: list[str], allowed: bool
) -> None:
    cw = make_case_world()
    request = _consulted(cw, "extradition")
    with state_scope(cw.w.state_a.pk):
        request = request_transition(actor=cw.alice, request=request, to_status=S.IN_PROCEEDINGS)
        request = request_transition(
            actor=cw.alice,
            request=request,
            to_status=S.REFUSED,
            text="Our national.",
            refusal_grounds=grounds,
        )
        if allowed:
            with pytest.raises(InvalidInput, match=r"16\(10\): record the requesting State's request"):
                request_transition(actor=cw.alice, request=request, to_status=S.SUBMITTED_FOR_PROSECUTION)
            request = request_transition(
                actor=cw.alice,
                request=request,
                to_status=S.SUBMITTED_FOR_PROSECUTION,
                text="Note verbale of 2026-03-01 asks for prosecution.",
            )
            assert request.status == S.SUBMITTED_FOR_PROSECUTION
        else:
            with pytest.raises(InvalidInput, match=r"only a refusal on the ground of nationality"):
                request_transition(
                    actor=cw.alice, request=request, to_status=S.SUBMITTED_FOR_PROSECUTION, text="Asked."
                )


def test_extradition_path() -> None:
    cw = make_case_world()
    request = _registered(cw, "extradition")
    with state_scope(cw.w.state_a.pk):
        for status in (S.PROVISIONAL_ARREST, S.IN_PROCEEDINGS, S.SURRENDER_GRANTED, S.SURRENDERED, S.CLOSED):
            request = request_transition(
                actor=cw.alice, request=request, to_status=status, data={"arrested_on": "2026-02-01"}
            )
        assert request.status == S.CLOSED


def test_a_failed_transition_writes_nothing() -> None:
    cw = make_case_world()
    request = _registered(cw, "extradition")
    with state_scope(cw.w.state_a.pk):
        before = (RequestEvent.objects.count(), AuditEvent.objects.count())
        with pytest.raises(InvalidInput, match="not an ISO date"):
            request_transition(
                actor=cw.alice, request=request, to_status=S.PROVISIONAL_ARREST, data={"arrested_on": "x"}
            )
        assert (RequestEvent.objects.count(), AuditEvent.objects.count()) == before


def test_another_state_cannot_move_it() -> None:
    cw = make_case_world()
    request = incoming(cw)
    with state_scope([cw.w.state_a.pk, cw.w.state_b.pk]), pytest.raises(NotAllowed):
        request_transition(actor=cw.charlie, request=request, to_status=S.REGISTERED)
