"""The request writer's rules, services and selectors: who may draft, what a write validates,
what it records in the audit trail, and that nothing is saved when the document is invalid."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import Http404

from comity.core.enums import Role
from comity.core.errors import InvalidInput, NotAllowed
from comity.core.models import AuditEvent
from comity.core.rules import can
from comity.core.tenancy import state_scope, unscoped
from comity.drafting.demo import seed_drafting
from comity.drafting.models import Draft
from comity.drafting.selectors import access_draft, draft_legal_basis, drafts_visible
from comity.drafting.services import (
    MAX_IMPORT_BYTES,
    InvalidDocument,
    draft_create,
    draft_delete,
    draft_export,
    draft_import,
    draft_update,
    draft_use_legal_basis,
    legal_basis_refs,
)
from tests.conftest import principal
from tests.factories import World, make_world, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafters(db: Any) -> World:
    """alice (State A, X), bob (State A, Y), charlie (State B, Z): all drafters."""
    return make_world(Role.DRAFTER)


def make_draft(user: Any, requested: str = "BBB", request_type: str = "mla", language: str = "en") -> Draft:
    actor = principal(user)
    with state_scope(actor.authority.state_id):
        return draft_create(
            actor=actor, request_type=request_type, requested_state=requested, language=language
        )


def events(state: Any, action: str) -> list[AuditEvent]:
    with state_scope(state.pk):
        return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def drafts_count() -> int:
    with unscoped(reason="test: count drafts everywhere"):
        return Draft.objects.count()


def as_actor(user: Any) -> Any:
    actor = principal(user)
    return actor, state_scope(actor.authority.state_id)


# --- Rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "create", "see"),
    [
        (Role.DRAFTER, True, True),
        (Role.CENTRAL_AUTHORITY_OFFICER, True, True),
        (Role.SUPERVISOR, False, True),
        (Role.AUDITOR, False, False),
        (Role.EXECUTING_OFFICER, False, False),
        (Role.DIRECTORY_EDITOR, False, False),
    ],
)
def test_who_may_draft(drafters, role, create, see):
    user = member("dana", drafters.x, role)
    actor = principal(user)
    assert can(actor, "drafting.create_draft") is create
    assert can(actor, "drafting.view_drafts") is see
    draft = make_draft(drafters.alice)
    assert can(actor, "drafting.view_draft", draft) is see
    assert can(actor, "drafting.change_draft", draft) is see


def test_another_authority_or_state_never_sees_a_draft(drafters):
    draft = make_draft(drafters.alice)
    for user in (drafters.bob, drafters.charlie):
        actor = principal(user)
        assert can(actor, "drafting.view_draft", draft) is False
        assert can(actor, "drafting.change_draft", draft) is False


def test_selectors_restrict_to_the_authority(drafters):
    own = make_draft(drafters.alice)
    other_authority = make_draft(drafters.bob)
    other_state = make_draft(drafters.charlie, requested="AAA")
    actor = principal(drafters.alice)
    with state_scope(drafters.state_a.pk):
        assert list(drafts_visible(actor)) == [own]
        assert access_draft(actor, own.code) == own
        for code in (other_authority.code, other_state.code, "doesnotexist"):
            with pytest.raises(Http404):
                access_draft(actor, code)
    auditor = principal(member("audrey", drafters.x, Role.AUDITOR))
    with state_scope(drafters.state_a.pk):
        assert list(drafts_visible(auditor)) == []
        with pytest.raises(Http404):
            access_draft(auditor, own.code)


# --- Create ---------------------------------------------------------------------------------


def test_create_starts_a_valid_document_and_audits(drafters):
    draft = make_draft(drafters.alice, language="fr")
    assert draft.state == drafters.state_a
    assert draft.authority == drafters.x
    assert draft.requested_state == drafters.state_b
    assert draft.document == {
        "schema_version": "1.0",
        "request_type": "mla",
        "language": "fr",
        "requested_state": "BBB",
        "requesting_authority": {"name": "Authority X", "state": "AAA", "directory_code": drafters.x.code},
        "legal_basis": [],
        "offences": [],
        "persons": [],
        "property": [],
        "measures": [],
        "attachments": [],
    }
    [event] = events(drafters.state_a, "draft.created")
    assert (event.object_type, event.object_id, event.authority_ref) == ("draft", draft.code, drafters.x.code)
    assert event.data == {"request_type": "mla", "requested_state": "BBB", "language": "fr"}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"requested_state": "AAA"}, "requested_state"),
        ({"requested_state": "ZZZ"}, "requested_state"),
        ({"request_type": "rogatory"}, "request_type"),
        ({"language": "french"}, "language"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(drafters, kwargs, field):
    actor, scope = as_actor(drafters.alice)
    values = {"request_type": "mla", "requested_state": "BBB", "language": "en", **kwargs}
    with scope, pytest.raises(InvalidInput) as exc:
        draft_create(actor=actor, **values)
    assert exc.value.field == field
    assert drafts_count() == 0
    assert events(drafters.state_a, "draft.created") == []


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.EXECUTING_OFFICER, Role.SUPERVISOR])
def test_create_needs_a_drafting_role(drafters, role):
    actor, scope = as_actor(member("dana", drafters.x, role))
    with scope, pytest.raises(NotAllowed):
        draft_create(actor=actor, request_type="mla", requested_state="BBB", language="en")
    assert drafts_count() == 0


# --- Update ---------------------------------------------------------------------------------


def test_update_merges_a_step_and_audits_the_fields(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.alice)
    with scope:
        draft_update(
            actor=actor,
            draft=draft,
            changes={
                "reference": "  REF-1  ",
                "proceeding": {"type": "investigation", "subject_and_nature": "Drug trafficking"},
                "offences": [{"description": "Importing cocaine", "max_penalty_years": "12"}],
            },
        )
        draft.refresh_from_db()
    assert draft.title == "REF-1"
    assert draft.document["reference"] == "REF-1"
    assert draft.document["proceeding"] == {"type": "investigation", "subject_and_nature": "Drug trafficking"}
    assert draft.document["offences"] == [{"description": "Importing cocaine", "max_penalty_years": "12"}]
    assert draft.document["requesting_authority"]["name"] == "Authority X"
    [event] = events(drafters.state_a, "draft.updated")
    assert event.data == {"fields": ["offences", "proceeding", "reference"]}
    assert "cocaine" not in json.dumps(event.data)  # the audit names fields, never content


def test_update_with_none_removes_a_key(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.alice)
    with scope:
        draft_update(actor=actor, draft=draft, changes={"purpose": "Evidence for trial"})
        draft_update(actor=actor, draft=draft, changes={"purpose": None})
        draft.refresh_from_db()
    assert "purpose" not in draft.document
    assert len(events(drafters.state_a, "draft.updated")) == 2


def test_update_without_change_records_nothing(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.alice)
    with scope:
        draft_update(actor=actor, draft=draft, changes={"offences": []})
    assert events(drafters.state_a, "draft.updated") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"offences": [{"max_penalty_years": "500"}]}, "offences.0.max_penalty_years"),
        ({"persons": [{"name": "X"}]}, "persons.0.role"),
        ({"deadline": {"date": "31/12/2026"}}, "deadline.date"),
        ({"measures": [{"measure": "telepathy"}]}, "measures.0.measure"),
        ({"colour": "blue"}, "colour"),
        ({"language": "english"}, "language"),
        ({"requested_state": "CCC"}, "requested_state"),
        ({"request_type": "extradition"}, "request_type"),
        ({"requesting_authority": {"name": "Someone", "state": "BBB"}}, "requesting_authority.state"),
    ],
)
def test_update_invalid_names_the_field_and_saves_nothing(drafters, changes, field):
    draft = make_draft(drafters.alice)
    before = dict(draft.document)
    actor, scope = as_actor(drafters.alice)
    with scope:
        with pytest.raises(InvalidInput) as exc:
            draft_update(actor=actor, draft=draft, changes={"purpose": "Changed", **changes})
        assert exc.value.field == field
        assert Draft.objects.get(pk=draft.pk).document == before
    assert events(drafters.state_a, "draft.updated") == []


def test_invalid_document_lists_every_error(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.alice)
    with scope, pytest.raises(InvalidDocument) as exc:
        draft_update(
            actor=actor,
            draft=draft,
            changes={"date": "yesterday", "offences": [{"untoc_article": 7}]},
        )
    assert [path for path, _message in exc.value.errors] == ["date", "offences.0.untoc_article"]


def test_update_by_another_authority_is_refused(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.bob)
    with scope, pytest.raises(NotAllowed):
        draft_update(actor=actor, draft=draft, changes={"purpose": "Mine now"})


def test_supervisor_of_the_authority_may_edit(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(member("sam", drafters.x, Role.SUPERVISOR))
    with scope:
        draft_update(actor=actor, draft=draft, changes={"purpose": "Reviewed"})
        draft.refresh_from_db()
    assert draft.document["purpose"] == "Reviewed"


# --- Legal basis ----------------------------------------------------------------------------


def test_engine_bases_replace_earlier_engine_bases_and_keep_chosen_ones(drafters):
    draft = make_draft(drafters.alice)
    chosen = {"kind": "bilateral_treaty", "instrument": "aaa-bbb", "articles": ["1"], "source": "chosen"}
    stale = {"kind": "untoc", "instrument": "untoc", "articles": ["18"], "source": "engine"}
    actor, scope = as_actor(drafters.alice)
    answer = {
        "bases": [
            {"kind": "reciprocity", "instrument": None, "title": "Reciprocity", "articles": [], "note": None}
        ]
    }
    assert legal_basis_refs(answer) == [
        {
            "kind": "reciprocity",
            "instrument": "reciprocity",
            "title": "Reciprocity",
            "articles": [],
            "source": "engine",
        }
    ]
    with scope:
        draft_update(actor=actor, draft=draft, changes={"legal_basis": [chosen, stale]})
        draft_use_legal_basis(actor=actor, draft=draft, answer=answer)
        draft.refresh_from_db()
    assert draft.document["legal_basis"] == [
        {"kind": "bilateral_treaty", "instrument": "aaa-bbb", "articles": ["1"], "source": "chosen"},
        {
            "kind": "reciprocity",
            "instrument": "reciprocity",
            "title": "Reciprocity",
            "articles": [],
            "source": "engine",
        },
    ]


def test_legal_basis_query_reads_the_offences(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.alice)
    with scope:
        draft_update(
            actor=actor,
            draft=draft,
            changes={
                "offences": [
                    {"description": "a", "max_penalty_years": "4"},
                    {"description": "b", "max_penalty_years": "10", "untoc_article": 6},
                ]
            },
        )
        result = draft_legal_basis(draft)
    assert result.cooperation_type == "mla"
    assert result.error == ""
    assert result.answer is not None
    query = result.answer["query"]
    assert (query["requesting"], query["requested"], query["type"]) == ("AAA", "BBB", "mla")
    assert (query["max_penalty_requesting"], query["offence_article"]) == (10, 6)


# --- Import ---------------------------------------------------------------------------------


def document(**overrides: Any) -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "request_type": "mla",
        "language": "en",
        "reference": "IMPORTED-1",
        "requesting_authority": {"name": "Prosecutor of A", "state": "AAA"},
        "requested_state": "BBB",
        "facts_summary": "The facts.",
        **overrides,
    }


def test_import_creates_a_draft_and_audits(drafters):
    raw = json.dumps(document()).encode()
    actor, scope = as_actor(drafters.alice)
    with scope:
        draft = draft_import(actor=actor, raw_json=raw)
    assert (draft.authority, draft.request_type, draft.requested_state.code) == (drafters.x, "mla", "BBB")
    assert draft.title == "IMPORTED-1"
    assert draft.document["requesting_authority"] == {"name": "Prosecutor of A", "state": "AAA"}
    [event] = events(drafters.state_a, "draft.imported")
    assert event.data == {"request_type": "mla", "requested_state": "BBB", "bytes": len(raw)}


def test_import_without_requesting_authority_takes_the_actors(drafters):
    raw = json.dumps(document(requesting_authority=None)).encode()
    actor, scope = as_actor(drafters.alice)
    with scope:
        draft = draft_import(actor=actor, raw_json=raw)
    assert draft.document["requesting_authority"] == {
        "name": "Authority X",
        "state": "AAA",
        "directory_code": drafters.x.code,
    }


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"this is not json", "file"),
        (b"\xff\xfe not utf-8", "file"),
        (b"[1, 2, 3]", "file"),
        (
            json.dumps(document(offences=[{"max_penalty_years": "-1"}])).encode(),
            "offences.0.max_penalty_years",
        ),
        (json.dumps(document(schema_version="2.0")).encode(), "schema_version"),
        (json.dumps(document(secret="x")).encode(), "secret"),
        (
            json.dumps(document(requesting_authority={"name": "B", "state": "BBB"})).encode(),
            "requesting_authority.state",
        ),
        (json.dumps(document(requested_state="AAA")).encode(), "requested_state"),
        (json.dumps(document(requested_state="ZZZ")).encode(), "requested_state"),
        (json.dumps(document(facts_summary="x" * MAX_IMPORT_BYTES)).encode(), "file"),
    ],
)
def test_import_refuses_bad_input_and_stores_nothing(drafters, raw, field):
    actor, scope = as_actor(drafters.alice)
    with scope, pytest.raises(InvalidInput) as exc:
        draft_import(actor=actor, raw_json=raw)
    assert exc.value.field == field
    assert drafts_count() == 0
    assert events(drafters.state_a, "draft.imported") == []


def test_import_of_just_over_two_megabytes_is_refused(drafters):
    actor, scope = as_actor(drafters.alice)
    with scope, pytest.raises(InvalidInput) as exc:
        draft_import(actor=actor, raw_json=b" " * (MAX_IMPORT_BYTES + 1))
    assert exc.value.message == "The file is larger than 2 MB."


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.EXECUTING_OFFICER])
def test_import_needs_a_drafting_role(drafters, role):
    actor, scope = as_actor(member("dana", drafters.x, role))
    with scope, pytest.raises(NotAllowed):
        draft_import(actor=actor, raw_json=json.dumps(document()).encode())
    assert drafts_count() == 0


# --- Delete, export -------------------------------------------------------------------------


def test_delete_audits_and_removes(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.alice)
    with scope:
        draft_delete(actor=actor, draft=draft)
    assert drafts_count() == 0
    [event] = events(drafters.state_a, "draft.deleted")
    assert (event.object_id, event.data) == (draft.code, {"request_type": "mla", "requested_state": "BBB"})


def test_delete_by_another_authority_is_refused(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.bob)
    with scope, pytest.raises(NotAllowed):
        draft_delete(actor=actor, draft=draft)
    assert drafts_count() == 1


def test_json_export_is_the_document_and_a_recorded_disclosure(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.alice)
    with scope:
        export = draft_export(actor=actor, draft=draft, fmt="json")
    assert export.content_type == "application/json"
    assert export.filename == f"request-{draft.code}.json"
    assert json.loads(export.content) == draft.document
    [event] = events(drafters.state_a, "draft.exported")
    assert event.data == {"format": "json", "language": "en", "bytes": len(export.content)}


def test_export_refuses_unknown_format_and_outsiders(drafters):
    draft = make_draft(drafters.alice)
    actor, scope = as_actor(drafters.alice)
    with scope, pytest.raises(InvalidInput):
        draft_export(actor=actor, draft=draft, fmt="exe")
    outsider, scope = as_actor(drafters.bob)
    with scope, pytest.raises(NotAllowed):
        draft_export(actor=outsider, draft=draft, fmt="json")
    assert events(drafters.state_a, "draft.exported") == []


# --- Demo -----------------------------------------------------------------------------------


def test_seed_drafting_is_idempotent():
    from comity.demo import seed_core
    from comity.drafting import demo

    seed_core()  # France, Mexico, Egypt (the directory's reference import is not needed here)
    expected = sorted(
        (e["requesting_authority"]["state"], e["request_type"], e["requested_state"])
        for e in demo._examples()
        if e["requesting_authority"]["state"] in ("FRA", "MEX")
        and e["requested_state"] in ("FRA", "MEX", "EGY")
    )
    assert ("FRA", "extradition", "MEX") in expected
    seed_drafting()
    with unscoped(reason="test: the demo drafts of two States"):
        first = sorted(
            Draft.objects.values_list("authority__state__code", "request_type", "requested_state__code")
        )
    seed_drafting()
    with unscoped(reason="test: the demo drafts of two States"):
        again = sorted(
            Draft.objects.values_list("authority__state__code", "request_type", "requested_state__code")
        )
    assert first == again == expected


def test_seed_drafting_without_examples_makes_one_minimal_draft(monkeypatch, tmp_path):
    from comity.demo import seed_core
    from comity.drafting import demo

    monkeypatch.setattr(demo, "EXAMPLES", tmp_path / "none")
    seed_core()
    seed_drafting()
    seed_drafting()
    with unscoped(reason="test: the demo drafts of two States"):
        rows = sorted(
            Draft.objects.values_list("authority__state__code", "request_type", "requested_state__code")
        )
    assert rows == [("FRA", "mla", "MEX"), ("MEX", "mla", "FRA")]
