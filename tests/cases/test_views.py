"""Case management pages: queues, list, detail, actions, registration by hand and outgoing
requests from drafts. Requests of another authority (bob at Y), of another State (charlie at Z)
and requests forwarded to an executing officer who is not assigned stay invisible and unchangeable."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comity.cases import lifecycle, services
from comity.cases.enums import EventKind, RequestStatus
from comity.cases.models import Request, RequestEvent
from comity.core.enums import Role
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope, unscoped
from tests.cases import CaseWorld, as_, document, incoming, make_case_world, outgoing
from tests.conftest import logged_in
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw() -> CaseWorld:
    return make_case_world()


def reload(request: Request) -> Request:
    with unscoped(reason="test: read the request back"):
        return Request.objects.get(pk=request.pk)


def events(request: Request) -> list[tuple[str, str]]:
    with unscoped(reason="test: read the timeline back"):
        return list(RequestEvent.objects.filter(request_id=request.pk).values_list("kind", "to_status"))


def audit_count(state: Any) -> int:
    """The request.* and requests.* events of a State's chain (logins are recorded too)."""
    with state_scope(state.pk):
        return AuditEvent.objects.filter(action__startswith="request").count()


def forwarded_to_ed(cw: CaseWorld, title: str = "SECRET-FORWARDED") -> Request:
    """An incoming request of State A, registered, forwarded to Y and assigned to ed."""
    request = incoming(cw, their_reference=title)
    with state_scope(cw.w.state_a.pk):
        request = lifecycle.request_transition(
            actor=cw.alice, request=request, to_status=RequestStatus.REGISTERED
        )
        request = services.request_assign(actor=cw.alice, request=request, executing_authority=cw.w.y)
        request = services.request_assign(
            actor=cw.executing_supervisor, request=request, executing_officer=cw.ed
        )
    return reload(request)


@pytest.fixture
def secrets(cw: CaseWorld) -> dict[str, Request]:
    return make_secrets(cw)


def make_secrets(cw: CaseWorld) -> dict[str, Request]:
    """alice's request (X), bob's (Y, State A, held by another authority), charlie's (Z, State B)."""
    mine = incoming(cw, their_reference="SECRET-ALICE")
    bob = as_(cw.w.bob, cw.w.y, Role.CENTRAL_AUTHORITY_OFFICER)
    member("bob", cw.w.y, Role.CENTRAL_AUTHORITY_OFFICER)
    with state_scope(cw.w.state_a.pk):
        theirs = services.request_create_outgoing(
            actor=bob, case=None, document=document(reference="SECRET-BOB"), title="SECRET-BOB"
        )
    with state_scope(cw.w.state_b.pk):
        foreign = services.request_register_incoming(
            actor=cw.charlie,
            document=document(requested="BBB", requesting="AAA", reference="SECRET-CHARLIE"),
            their_reference="SECRET-CHARLIE",
            received_on=dt.date(2026, 1, 5),
        )
    return {"alice": mine, "bob": theirs, "charlie": foreign}


# Every page and action of one request: (method, url name, POST data).
REQUEST_PAGES = [
    ("get", "cases:detail", None),
    ("post", "cases:transition", {"to_status": "registered", "text": "x"}),
    ("post", "cases:assign", {"officer": "x"}),
    ("post", "cases:note", {"text": "Taken over"}),
    ("post", "cases:info_request", {"text": "More please"}),
    ("post", "cases:info_provide", {"text": "Here"}),
    ("post", "cases:consultation", {"text": "Talked", "outcome": "other"}),
    ("post", "cases:deadline", {"kind": "internal", "due_on": "2030-01-01", "reason": "x"}),
]


# --- Leak tests -----------------------------------------------------------------------------


@pytest.mark.parametrize("queue", ["", "my_tasks", "awaiting_registration", "overdue", "awaiting_review"])
def test_list_shows_only_the_authoritys_requests(cw, secrets, queue):
    response = logged_in(cw.w.alice).get(reverse("cases:list"), {"queue": queue} if queue else {})
    assert response.status_code == 200
    body = response.content.decode()
    assert ("SECRET-ALICE" in body) is (queue in ("", "awaiting_registration"))
    assert "SECRET-BOB" not in body
    assert "SECRET-CHARLIE" not in body


def test_search_does_not_reach_other_authorities(cw, secrets):
    client = logged_in(cw.w.alice)
    for term in ("SECRET-BOB", "SECRET-CHARLIE", secrets["bob"].code, secrets["charlie"].code):
        response = client.get(reverse("cases:list"), {"q": term})
        assert response.status_code == 200
        assert response.context["rows"] == []
        assert response.context["page_obj"].paginator.count == 0


def test_dashboard_counts_only_visible_requests(cw, secrets):
    response = logged_in(cw.w.alice).get(reverse("cases:dashboard"))
    assert response.status_code == 200
    assert [q["count"] for q in response.context["queues"]] == [1, 0, 0, 1, 0]
    by_state = response.context["breakdowns"][0]["rows"]
    assert [(r["value"], r["total"]) for r in by_state] == [("AAA", 1)]


@pytest.mark.parametrize(("method", "name", "data"), REQUEST_PAGES)
@pytest.mark.parametrize("owner", ["bob", "charlie"])
def test_another_authoritys_or_states_request_is_404_everywhere(cw, secrets, method, name, data, owner):
    request = secrets[owner]
    state = cw.w.state_a if owner == "bob" else cw.w.state_b
    before, audit_before = events(request), audit_count(state)
    client = logged_in(cw.w.alice)
    url = reverse(name, args=[request.code])
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404
    assert f"SECRET-{owner.upper()}" not in response.content.decode()
    assert events(request) == before
    assert audit_count(state) == audit_before


@pytest.mark.parametrize(("method", "name", "data"), REQUEST_PAGES)
def test_an_unassigned_executing_officer_gets_404(cw, method, name, data):
    request = forwarded_to_ed(cw)
    before = events(request)
    client = logged_in(cw.eve)
    url = reverse(name, args=[request.code])
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404
    assert events(request) == before
    listing = client.get(reverse("cases:list")).content.decode()
    assert "SECRET-FORWARDED" not in listing


@pytest.mark.parametrize(("method", "name", "data"), REQUEST_PAGES)
def test_a_missing_request_is_the_same_404(cw, method, name, data):
    client = logged_in(cw.w.alice)
    url = reverse(name, args=["doesnotexist"])
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404


def test_the_assigned_executing_officer_sees_and_executes(cw):
    request = forwarded_to_ed(cw)
    client = logged_in(cw.ed)
    assert "SECRET-FORWARDED" in client.get(reverse("cases:list")).content.decode()
    page = client.get(reverse("cases:detail", args=[request.code]))
    assert page.status_code == 200
    keys = [a["key"] for a in page.context["actions"]]
    assert "transition" in keys
    assert "assign" not in keys
    response = client.post(
        reverse("cases:transition", args=[request.code]),
        {"to_status": "partially_executed", "text": "Part done."},
    )
    assert response.status_code == 302
    assert reload(request).status == RequestStatus.PARTIALLY_EXECUTED


def test_anonymous_is_sent_to_login(cw, secrets):
    from django.test import Client

    for name in ("cases:dashboard", "cases:list", "cases:register"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


# --- Roles ----------------------------------------------------------------------------------


def test_auditor_reads_but_cannot_act(cw, secrets):
    request = secrets["alice"]
    client = logged_in(cw.audrey)
    page = client.get(reverse("cases:detail", args=[request.code]))
    assert page.status_code == 200
    assert page.context["actions"] == []
    before = events(request)
    for _method, name, data in REQUEST_PAGES[1:]:
        response = client.post(reverse(name, args=[request.code]), data)
        assert response.status_code == 403, name
    assert events(request) == before


def test_drafter_cannot_register_incoming(cw):
    client = logged_in(cw.dana)
    assert client.get(reverse("cases:register")).status_code == 403


def test_drafter_cannot_approve_own_submission_is_a_form_error(cw):
    """The lifecycle's four-eyes rule: a refusal there is a form error, never a 500."""
    request = outgoing(cw)
    client = logged_in(cw.w.alice)
    response = client.post(reverse("cases:transition", args=[request.code]), {"to_status": "in_review"})
    assert response.status_code == 302
    response = client.post(reverse("cases:transition", args=[request.code]), {"to_status": "approved"})
    assert response.status_code == 422
    assert reload(request).status == RequestStatus.IN_REVIEW


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cases:transition", {"to_status": "surrendered"}),
        ("cases:transition", {"to_status": "registered", "refusal_grounds": ["nationality"]}),
        ("cases:note", {"text": "   "}),
        ("cases:consultation", {"text": "Talked", "outcome": "won"}),
        ("cases:deadline", {"kind": "internal", "due_on": "not a date", "reason": "x"}),
        ("cases:deadline", {"kind": "someday", "due_on": "2030-01-01", "reason": "x"}),
        ("cases:assign", {"officer": "00000000-0000-0000-0000-000000000000"}),
        ("cases:assign", {}),
    ],
)
def test_bad_input_is_422_and_writes_nothing(cw, name, data):
    request = incoming(cw)
    before, audit_before = events(request), audit_count(cw.w.state_a)
    response = logged_in(cw.w.alice).post(reverse(name, args=[request.code]), data)
    assert response.status_code == 422
    assert events(request) == before
    assert audit_count(cw.w.state_a) == audit_before


def test_refusal_needs_grounds_and_reasons(cw):
    request = incoming(cw)
    client = logged_in(cw.w.alice)
    url = reverse("cases:transition", args=[request.code])
    response = client.post(url, {"to_status": "refused"})
    assert response.status_code == 422
    form = response.context["actions"][0]["form"]
    assert set(form.errors) == {"refusal_grounds", "text"}
    response = client.post(
        url, {"to_status": "refused", "refusal_grounds": ["bank_secrecy"], "text": "Secrecy."}
    )
    assert response.status_code == 422
    assert reload(request).status == RequestStatus.RECEIVED


def test_get_on_an_action_is_405(cw):
    request = incoming(cw)
    response = logged_in(cw.w.alice).get(reverse("cases:note", args=[request.code]))
    assert response.status_code == 405


# --- The journey through the actions --------------------------------------------------------


def test_incoming_request_through_the_actions(cw):
    request = incoming(cw)
    client = logged_in(cw.w.alice)

    def post(name: str, data: dict[str, Any]) -> None:
        response = client.post(reverse(name, args=[request.code]), data)
        assert response.status_code == 302, response.content.decode()[:2000]

    post("cases:transition", {"to_status": "registered", "our_reference": "AAA-2026-1"})
    post("cases:info_request", {"text": "Which accounts?"})
    assert reload(request).status == RequestStatus.INFO_REQUESTED
    post("cases:info_provide", {"text": "Accounts 1 and 2."})
    assert reload(request).status == RequestStatus.REGISTERED
    post("cases:note", {"text": "Called the liaison."})
    post("cases:deadline", {"kind": "internal", "due_on": "2030-01-01", "reason": "Our target"})
    post("cases:consultation", {"text": "Agreed to wait.", "outcome": "postponement_agreed"})
    post("cases:assign", {"executing_authority": cw.w.y.code})
    assert reload(request).status == RequestStatus.IN_EXECUTION
    kinds = [k for k, _ in events(request)]
    assert kinds == [
        EventKind.CREATED,
        EventKind.STATUS_CHANGED,
        EventKind.STATUS_CHANGED,
        EventKind.INFO_REQUESTED,
        EventKind.STATUS_CHANGED,
        EventKind.INFO_PROVIDED,
        EventKind.NOTE,
        EventKind.DEADLINE_SET,
        EventKind.CONSULTATION,
        EventKind.FORWARDED,
        EventKind.STATUS_CHANGED,
    ]
    page = client.get(reverse("cases:detail", args=[request.code])).content.decode()
    for text in (
        "Which accounts?",
        "Accounts 1 and 2.",
        "Called the liaison.",
        "Agreed to wait.",
        "2030-01-01",
    ):
        assert text in page


def test_banners_on_detail_and_badges_in_list(cw):
    request = incoming(cw, confidentiality={"required": True, "reasons": "Ongoing investigation"})
    with unscoped(reason="test: a use limitation as the hub would record it"):
        Request.objects.filter(pk=request.pk).update(
            use_limitation="Only for case 12/2026.", due_on=dt.date(2020, 1, 1)
        )
    client = logged_in(cw.w.alice)
    detail = client.get(reverse("cases:detail", args=[request.code])).content.decode()
    assert "Confidential request (art. 18(20))" in detail
    assert "Only for case 12/2026." in detail
    listing = client.get(reverse("cases:list")).content.decode()
    for badge in ("badge-confidential", "badge-limited", "badge-stale"):
        assert badge in listing


# --- Lists ----------------------------------------------------------------------------------


def test_list_filters_htmx_partial_and_pagination(cw):
    for n in range(27):
        incoming(cw, their_reference=f"B-{n:02}")
    client = logged_in(cw.w.alice)
    response = client.get(reverse("cases:list"))
    assert response.context["page_obj"].paginator.count == 27
    assert len(response.context["rows"]) == 25
    assert len(client.get(reverse("cases:list"), {"page": 2}).context["rows"]) == 2
    partial = client.get(reverse("cases:list"), {"q": "B-07"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert partial.templates[0].name == "cases/_rows.html"
    assert [r.their_reference for r in partial.context["rows"]] == ["B-07"]
    assert client.get(reverse("cases:list"), {"status": "nonsense"}).status_code == 422


def test_list_query_count_does_not_grow(cw):
    client = logged_in(cw.w.alice)
    incoming(cw)
    client.get(reverse("cases:list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("cases:list"))
    incoming(cw, their_reference="B-2")
    forwarded_to_ed(cw, "B-3")
    with CaptureQueriesContext(connection) as three:
        response = client.get(reverse("cases:list"))
    assert len(response.context["rows"]) == 3
    assert len(three) == len(one)


# --- Registration and creation --------------------------------------------------------------


def test_register_incoming_by_hand(cw):
    client = logged_in(cw.w.alice)
    response = client.post(
        reverse("cases:register"),
        {
            "request_type": "mla",
            "requesting_state": "BBB",
            "requesting_authority": "Prosecutor of B",
            "title": "Paper request from B",
            "language": "fr",
            "their_reference": "B-PAPER-1",
            "received_on": "2026-01-10",
        },
    )
    assert response.status_code == 302
    with state_scope(cw.w.state_a.pk):
        request = Request.objects.get(their_reference="B-PAPER-1")
    assert (request.status, request.requesting_state.code, request.title) == (
        RequestStatus.RECEIVED,
        "BBB",
        "Paper request from B",
    )


def test_register_incoming_from_json(cw):
    upload = SimpleUploadedFile(
        "request.json", json.dumps(document(requested="AAA", requesting="BBB")).encode(), "application/json"
    )
    response = logged_in(cw.w.alice).post(
        reverse("cases:register"),
        {"document_file": upload, "their_reference": "B-JSON", "received_on": "2026-01-10"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {"their_reference": "B-X", "received_on": "2026-01-10"},  # neither document nor description
        {
            "request_type": "mla",
            "requesting_state": "AAA",
            "requesting_authority": "Us",
            "their_reference": "B-X",
            "received_on": "2026-01-10",
        },
        {
            "request_type": "mla",
            "requesting_state": "BBB",
            "requesting_authority": "B",
            "their_reference": "B-X",
            "received_on": "2999-01-01",
        },
    ],
)
def test_register_incoming_bad_input(cw, data):
    before = audit_count(cw.w.state_a)
    response = logged_in(cw.w.alice).post(reverse("cases:register"), data)
    assert response.status_code == 422
    assert audit_count(cw.w.state_a) == before


def test_register_incoming_rejects_bad_json(cw):
    upload = SimpleUploadedFile("request.json", b"{not json", "application/json")
    response = logged_in(cw.w.alice).post(
        reverse("cases:register"),
        {"document_file": upload, "their_reference": "B-J", "received_on": "2026-01-10"},
    )
    assert response.status_code == 422


def test_outgoing_request_from_a_draft(cw):
    from comity.drafting.services import draft_create

    with state_scope(cw.w.state_a.pk):
        draft = draft_create(actor=cw.drafter, request_type="mla", requested_state="BBB", language="en")
    client = logged_in(cw.dana)
    assert client.get(reverse("cases:new")).status_code == 200
    url = reverse("cases:new") + f"?draft={draft.code}"
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "Bank records", "case_reference": "A-1", "case_title": "ACME"})
    assert response.status_code == 302
    with state_scope(cw.w.state_a.pk):
        request = Request.objects.select_related("case").get(title="Bank records")
        assert (request.status, request.case.reference) == (RequestStatus.DRAFT, "A-1")
    # charlie's draft code is a 404 for alice's drafter
    with state_scope(cw.w.state_b.pk):
        foreign = draft_create(
            actor=as_(cw.w.charlie, cw.w.z, Role.CENTRAL_AUTHORITY_OFFICER),
            request_type="mla",
            requested_state="AAA",
            language="en",
        )
    assert client.get(reverse("cases:new") + f"?draft={foreign.code}").status_code == 404


# --- Demo data ------------------------------------------------------------------------------


def test_demo_cases_are_seeded_once_on_both_sides():
    from comity.cases.demo import seed_cases
    from comity.demo import seed_core

    seed_core()
    played = seed_cases()
    assert played == ["PNF-2026-014", "FEMDO-2026-077", "ASJ-2026-009", "PNF-2026-021", "FEMDO-2026-102"]
    assert seed_cases() == []
    with unscoped(reason="test: both States' copies"):
        copies = Request.objects.filter(title="Relevés bancaires de la société ACME SA de CV")
        assert sorted((r.state.code, r.direction, r.status) for r in copies) == [
            ("FRA", "outgoing", "partially_executed"),
            ("MEX", "incoming", "closed"),
        ]
        assert len({r.global_id for r in copies}) == 1
        refused = Request.objects.get(state__code="EGY", title="Declaración de testigo en El Cairo")
        assert refused.refusal_grounds == ["essential_interests", "treaty_ground"]
        assert Request.objects.filter(
            state__code="FRA", direction="incoming", due_on__lt=dt.date.today()
        ).exists()
