"""Proposing and reviewing directory changes: rules, validation, audit, pages, API, leaks."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comity.accounts.services import api_token_create
from comity.core.enums import AuthorityKind, Role, StateKind
from comity.core.errors import InvalidInput, NotAllowed
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope
from comity.directory.changes import (
    TARGET_CONTACT,
    TARGET_PROFILE,
    directory_change_propose,
    directory_change_review,
)
from comity.directory.models import AuthorityContact, DirectoryChange, RequirementProfile
from tests.conftest import logged_in, principal
from tests.factories import AuthorityFactory, StateFactory, member

pytestmark = pytest.mark.django_db

GOOD = {
    "languages": ["fr", "en"],
    "email": "entraide@justice.example.org",
    "channels": ["email", "diplomatic"],
}


@pytest.fixture
def people():
    a = StateFactory(code="AAA", name="State A")
    b = StateFactory(code="BBB", name="State B")
    xun = StateFactory(code="XUN", name="Secretariat", kind=StateKind.SECRETARIAT)
    ca_a = AuthorityFactory(state=a, name="Central A")
    ex_a = AuthorityFactory(state=a, name="Executing A", kind=AuthorityKind.EXECUTING_AUTHORITY)
    ca_b = AuthorityFactory(state=b, name="Central B")
    sec = AuthorityFactory(state=xun, name="Secretariat", kind=AuthorityKind.SECRETARIAT)
    return {
        "a": a,
        "b": b,
        "ca_a": ca_a,
        "ex_a": ex_a,
        "ca_b": ca_b,
        "editor_a": member("editor_a", ca_a, Role.DIRECTORY_EDITOR),
        "supervisor_a": member("supervisor_a", ca_a, Role.SUPERVISOR),
        "editor_b": member("editor_b", ca_b, Role.DIRECTORY_EDITOR),
        "supervisor_b": member("supervisor_b", ca_b, Role.SUPERVISOR),
        "secretariat": member("sec", sec, Role.SECRETARIAT_EDITOR),
        "drafter_a": member("drafter_a", ca_a, Role.DRAFTER),
    }


def propose(p, user="editor_a", state="a", target=None, payload=None, target_type=TARGET_CONTACT):
    return directory_change_propose(
        actor=principal(p[user]),
        state=p[state],
        target_type=target_type,
        target_id=target or p["ex_a"].code,
        payload=GOOD if payload is None else payload,
    )


def test_propose_then_approve_applies_and_audits(people):
    change = propose(people)
    assert change.status == "proposed"
    assert not AuthorityContact.objects.filter(authority=people["ex_a"]).exists()
    directory_change_review(
        actor=principal(people["supervisor_a"]), change=change, approve=True, note="checked by phone"
    )
    contact = AuthorityContact.objects.get(authority=people["ex_a"])
    assert (contact.languages, contact.email, contact.channels) == (
        ["en", "fr"],
        "entraide@justice.example.org",
        ["diplomatic", "email"],
    )
    assert contact.last_verified == timezone.localdate()
    change.refresh_from_db()
    assert (change.status, change.previous["email"], change.reviewed_by) == (
        "approved",
        "",
        people["supervisor_a"],
    )
    with state_scope(people["a"].pk):
        actions = list(AuditEvent.objects.filter(object_id=change.code).values_list("action", flat=True))
    assert actions == ["directory_change.proposed", "directory_change.approved"]


def test_profile_change(people):
    change = propose(
        people,
        target_type=TARGET_PROFILE,
        target="extradition",
        payload={"minimum_penalty_months": 12, "extradition_of_nationals": "no"},
    )
    directory_change_review(actor=principal(people["secretariat"]), change=change, approve=True)
    profile = RequirementProfile.objects.get(state=people["a"], subject="extradition")
    assert (profile.minimum_penalty_months, profile.extradition_of_nationals) == (12, "no")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "payload"),
        ({"colour": "blue"}, "colour"),
        ({"email": "not-an-address"}, "email"),
        ({"languages": ["xx"]}, "languages"),
        ({"languages": "fr"}, "languages"),
        ({"functions": ["boss"]}, "functions"),
        ({"channels": ["carrier_pigeon"]}, "channels"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"phone": "1" * 61}, "phone"),
    ],
)
def test_bad_payload_is_refused_and_nothing_written(people, payload, field):
    with pytest.raises(InvalidInput) as exc:
        propose(people, payload=payload)
    assert exc.value.field == field
    assert DirectoryChange.objects.count() == 0


def test_bad_profile_values(people):
    with pytest.raises(InvalidInput):
        propose(
            people, target_type=TARGET_PROFILE, target="extradition", payload={"minimum_penalty_months": -1}
        )
    with pytest.raises(InvalidInput):
        propose(
            people, target_type=TARGET_PROFILE, target="not_a_measure", payload={"special_requirements": "x"}
        )


def test_only_the_states_own_directory_editor_proposes(people):
    with pytest.raises(NotAllowed):
        propose(people, user="supervisor_a")
    with pytest.raises(NotAllowed):
        propose(people, user="drafter_a")
    with pytest.raises(NotAllowed):  # editor of B for State A
        propose(people, user="editor_b")
    with pytest.raises(InvalidInput):  # an authority of A through B's State
        propose(people, user="editor_b", state="b", target=people["ex_a"].code)


def test_four_eyes_and_state_of_the_reviewer(people):
    change = propose(people)
    member("editor_a", people["ca_a"], Role.SUPERVISOR)  # the proposer is also a supervisor
    for user in ("editor_a", "supervisor_b", "editor_b", "drafter_a"):
        with pytest.raises(NotAllowed):
            directory_change_review(actor=principal(people[user]), change=change, approve=True)
    directory_change_review(
        actor=principal(people["secretariat"]), change=change, approve=False, note="duplicate"
    )
    change.refresh_from_db()
    assert change.status == "rejected"


def test_reject_needs_a_reason_and_no_double_review(people):
    change = propose(people)
    with pytest.raises(InvalidInput):
        directory_change_review(
            actor=principal(people["supervisor_a"]), change=change, approve=False, note=" "
        )
    directory_change_review(actor=principal(people["supervisor_a"]), change=change, approve=True)
    with pytest.raises(InvalidInput):
        directory_change_review(
            actor=principal(people["supervisor_a"]), change=change, approve=False, note="changed my mind"
        )


def test_page_lists_only_own_states_changes(people):
    mine = propose(people)
    theirs = propose(people, user="editor_b", state="b", target=people["ca_b"].code)
    body = logged_in(people["supervisor_a"]).get(reverse("web:directory_changes")).content.decode()
    assert mine.code in body
    assert theirs.code not in body
    secretariat_body = logged_in(people["secretariat"]).get(reverse("web:directory_changes")).content.decode()
    assert mine.code in secretariat_body
    assert theirs.code in secretariat_body
    assert logged_in(people["drafter_a"]).get(reverse("web:directory_changes")).status_code == 403


def test_page_propose_and_review(people):
    editor = logged_in(people["editor_a"])
    form = editor.get(reverse("web:directory_changes"), {"authority": people["ex_a"].code})
    assert form.status_code == 200
    response = editor.post(
        reverse("web:directory_changes"),
        {
            "authority": people["ex_a"].code,
            "languages": "fr, en",
            "email": "x@justice.example.org",
            "channels": ["email"],
        },
    )
    assert response.status_code == 302
    change = DirectoryChange.objects.get()
    assert change.payload == {
        "languages": ["en", "fr"],
        "email": "x@justice.example.org",
        "channels": ["email"],
    }
    bad = editor.post(reverse("web:directory_changes"), {"authority": people["ex_a"].code, "email": "nope"})
    assert bad.status_code == 422
    assert DirectoryChange.objects.count() == 1
    # B's supervisor cannot even see it; A's supervisor approves.
    assert (
        logged_in(people["supervisor_b"])
        .post(reverse("web:directory_change_decide", args=[change.code]), {"decision": "approve"})
        .status_code
        == 404
    )
    logged_in(people["supervisor_a"]).post(
        reverse("web:directory_change_decide", args=[change.code]), {"decision": "approve"}
    )
    assert AuthorityContact.objects.get(authority=people["ex_a"]).email == "x@justice.example.org"


def _token(user, scopes=("read", "write")):
    actor = principal(user)
    with state_scope(actor.authority.state_id):
        return api_token_create(actor=actor, name="t", scopes=list(scopes), days=3)[1]


def test_api_propose_list_review_and_leaks(people):
    editor = Client(HTTP_AUTHORIZATION=f"Bearer {_token(people['editor_a'])}")
    response = editor.post(
        "/api/v1/directory/changes",
        {
            "target_type": "authority_contact",
            "target_id": people["ex_a"].code,
            "payload": {"phone": "+33 1 00 00 00 00"},
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    code = response.json()["code"]
    bad = editor.post(
        "/api/v1/directory/changes",
        {"target_type": "authority_contact", "target_id": people["ex_a"].code, "payload": {"email": 5}},
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_input")
    other = Client(HTTP_AUTHORIZATION=f"Bearer {_token(people['supervisor_b'])}")
    assert other.get("/api/v1/directory/changes").json() == []
    refused = other.post(
        f"/api/v1/directory/changes/{code}/review", {"approve": True}, content_type="application/json"
    )
    assert refused.status_code == 404
    reviewer = Client(HTTP_AUTHORIZATION=f"Bearer {_token(people['supervisor_a'])}")
    done = reviewer.post(
        f"/api/v1/directory/changes/{code}/review", {"approve": True}, content_type="application/json"
    )
    assert (done.status_code, done.json()["status"]) == (200, "approved")
    assert AuthorityContact.objects.get(authority=people["ex_a"]).phone == "+33 1 00 00 00 00"
