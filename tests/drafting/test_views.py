"""The request writer's pages: what they show and save, what they refuse, and that drafts of
another authority (bob, State A) or another State (charlie, State B) stay invisible to alice."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comity.core.enums import Role
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope, unscoped
from comity.drafting.models import Draft
from comity.drafting.services import MAX_IMPORT_BYTES, draft_update
from comity.drafting.steps import STEPS, steps_for
from tests.conftest import logged_in, principal
from tests.directory.factories import RequirementProfileFactory
from tests.drafting.test_drafts import document, make_draft
from tests.factories import World, make_world, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafters(db: Any) -> World:
    return make_world(Role.DRAFTER)


@pytest.fixture
def drafts(drafters: World) -> dict[str, Draft]:
    """A draft of each: alice's (X), bob's (Y, same State), charlie's (Z, State B)."""
    out = {}
    for name, user, requested in (
        ("alice", drafters.alice, "BBB"),
        ("bob", drafters.bob, "BBB"),
        ("charlie", drafters.charlie, "AAA"),
    ):
        draft = make_draft(user, requested=requested)
        update(user, draft, {"reference": f"SECRET-{name.upper()}"})
        out[name] = draft
    return out


def update(user: Any, draft: Draft, changes: dict[str, Any]) -> None:
    actor = principal(user)
    with state_scope(actor.authority.state_id):
        draft_update(actor=actor, draft=draft, changes=changes)


def reload(draft: Draft) -> Draft:
    with unscoped(reason="test: read the draft back"):
        return Draft.objects.get(pk=draft.pk)


def audit_actions(state: Any) -> list[str]:
    """The draft.* events of a State's audit chain, in order."""
    with state_scope(state.pk):
        events = AuditEvent.objects.filter(action__startswith="draft.").order_by("seq")
        return list(events.values_list("action", flat=True))


def step_url(draft: Draft, slug: str) -> str:
    return reverse("drafting:step", args=[draft.code, slug])


# Every page of a draft: (method, url name, extra args, POST data).
DRAFT_PAGES = [
    ("get", "drafting:step", ["parties"], None),
    ("get", "drafting:step", ["measures"], None),
    ("post", "drafting:step", ["facts"], {"purpose": "Taken over", "then": "stay"}),
    ("post", "drafting:validate", ["facts"], {"purpose": "Peek"}),
    ("post", "drafting:legal_basis", [], {}),
    ("get", "drafting:review", [], None),
    ("get", "drafting:checklist", [], None),
    ("post", "drafting:export", [], {"format": "json", "language": "en"}),
    ("post", "drafting:export", [], {"format": "pdf", "language": "en"}),
    ("get", "drafting:delete", [], None),
    ("post", "drafting:delete", [], {}),
]


# --- Leak tests -----------------------------------------------------------------------------


def test_list_shows_only_the_authoritys_drafts(drafts):
    response = logged_in(drafts["alice"].created_by).get(reverse("drafting:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "SECRET-ALICE" in body
    assert "SECRET-BOB" not in body
    assert "SECRET-CHARLIE" not in body


@pytest.mark.parametrize(("method", "name", "args", "data"), DRAFT_PAGES)
@pytest.mark.parametrize("owner", ["bob", "charlie"])
def test_another_authoritys_or_states_draft_is_404_everywhere(
    drafters, drafts, method, name, args, data, owner
):
    draft = drafts[owner]
    before = reload(draft).document
    state = drafters.state_a if owner == "bob" else drafters.state_b
    client = logged_in(drafters.alice)
    actions_before = audit_actions(state)
    url = reverse(name, args=[draft.code, *args])
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404
    assert "SECRET-" + owner.upper() not in response.content.decode()
    assert reload(draft).document == before
    assert audit_actions(state) == actions_before


@pytest.mark.parametrize(("method", "name", "args", "data"), DRAFT_PAGES)
def test_a_missing_draft_is_the_same_404(drafters, method, name, args, data):
    client = logged_in(drafters.alice)
    url = reverse(name, args=["doesnotexist", *args])
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == 404


def test_an_unknown_or_foreign_step_is_404(drafts):
    client = logged_in(drafts["alice"].created_by)
    assert client.get(step_url(drafts["alice"], "nonsense")).status_code == 404
    assert client.get(step_url(drafts["alice"], "extradition")).status_code == 404  # not an MLA step
    assert client.get(step_url(drafts["alice"], "review")).status_code == 404  # the review has its own page


@pytest.mark.parametrize("name", ["drafting:list", "drafting:new"])
def test_pages_need_login(drafters, name):
    from django.test import Client

    response = Client().get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- Roles ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.EXECUTING_OFFICER, Role.DIRECTORY_EDITOR])
def test_roles_that_do_not_draft_get_403_and_no_nav_link(drafters, drafts, role):
    client = logged_in(member("dana", drafters.x, role))
    own = drafts["alice"]
    assert client.get(reverse("drafting:list")).status_code == 403
    assert client.get(reverse("drafting:new")).status_code == 403
    assert client.post(reverse("drafting:import"), {}).status_code == 403
    assert client.get(step_url(own, "parties")).status_code == 403
    assert client.post(reverse("drafting:export", args=[own.code]), {"format": "json"}).status_code == 403
    assert 'href="/drafting/"' not in client.get(reverse("web:dashboard")).content.decode()


def test_drafters_see_the_nav_link(drafters):
    body = logged_in(drafters.alice).get(reverse("web:dashboard")).content.decode()
    assert '<a href="/drafting/">Requests</a>' in body


def test_supervisor_edits_but_does_not_start_drafts(drafters, drafts):
    client = logged_in(member("sam", drafters.x, Role.SUPERVISOR))
    assert client.get(reverse("drafting:new")).status_code == 403
    body = client.get(reverse("drafting:list")).content.decode()
    assert "SECRET-ALICE" in body
    assert "New request" not in body
    response = client.post(step_url(drafts["alice"], "facts"), {"purpose": "Checked", "then": "stay"})
    assert response.status_code == 302
    assert reload(drafts["alice"]).document["purpose"] == "Checked"


# --- New, steps, validation -----------------------------------------------------------------


def test_new_request_creates_and_opens_the_first_step(drafters):
    client = logged_in(drafters.alice)
    page = client.get(reverse("drafting:new"))
    assert page.status_code == 200
    states = dict(page.context["form"].fields["requested_state"].choices)
    assert "BBB" in states
    assert "AAA" not in states  # not to one's own State
    response = client.post(
        reverse("drafting:new"), {"request_type": "mla", "requested_state": "BBB", "language": "fr"}
    )
    with state_scope(drafters.state_a.pk):
        draft = Draft.objects.get()
    assert response.status_code == 302
    assert response.url == step_url(draft, "parties")
    assert (draft.document["language"], draft.requested_state.code) == ("fr", "BBB")


def test_new_request_bad_input_is_422(drafters):
    client = logged_in(drafters.alice)
    response = client.post(
        reverse("drafting:new"), {"request_type": "mla", "requested_state": "AAA", "language": "fr"}
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"requested_state"}
    with unscoped(reason="test: nothing stored"):
        assert Draft.objects.count() == 0


@pytest.mark.parametrize(
    ("request_type", "slugs"),
    [
        (
            "mla",
            [
                "parties",
                "proceeding",
                "offences",
                "facts",
                "persons",
                "measures",
                "statements",
                "handling",
                "contact",
                "attachments",
                "review",
            ],
        ),
        (
            "extradition",
            [
                "parties",
                "proceeding",
                "offences",
                "facts",
                "persons",
                "extradition",
                "statements",
                "handling",
                "contact",
                "attachments",
                "review",
            ],
        ),
        (
            "freezing",
            [
                "parties",
                "proceeding",
                "offences",
                "facts",
                "persons",
                "property",
                "confiscation",
                "statements",
                "handling",
                "contact",
                "attachments",
                "review",
            ],
        ),
        (
            "transfer_of_sentenced_person",
            [
                "parties",
                "proceeding",
                "offences",
                "facts",
                "persons",
                "sentence",
                "statements",
                "handling",
                "contact",
                "attachments",
                "review",
            ],
        ),
    ],
)
def test_steps_per_request_type(request_type, slugs):
    assert [s.slug for s in steps_for(request_type)] == slugs


@pytest.mark.parametrize(
    "request_type",
    [
        "mla",
        "extradition",
        "provisional_arrest",
        "confiscation_domestic_order",
        "confiscation_enforce_order",
        "freezing",
        "transfer_of_proceedings",
        "transfer_of_sentenced_person",
        "spontaneous_information",
    ],
)
def test_every_step_page_renders(drafters, request_type):
    draft = make_draft(drafters.alice, request_type=request_type)
    client = logged_in(drafters.alice)
    for step in steps_for(request_type):
        url = (
            reverse("drafting:review", args=[draft.code])
            if step.slug == "review"
            else step_url(draft, step.slug)
        )
        response = client.get(url)
        assert response.status_code == 200, step.slug
        body = response.content.decode()
        assert 'aria-current="step"' in body
        assert "What this step covers" in body or step.slug == "review"


def test_saving_a_step_merges_it_audits_and_moves_on(drafters, drafts):
    draft = drafts["alice"]
    client = logged_in(drafters.alice)
    response = client.post(
        step_url(draft, "proceeding"),
        {
            "proceeding__type": "investigation",
            "proceeding__subject_and_nature": "Trafficking in cocaine by an organized group",
            "proceeding__conducting_authority": "Investigating judge, court of A",
            "then": "next",
        },
    )
    assert response.status_code == 302
    assert response.url == step_url(draft, "offences")
    assert reload(draft).document["proceeding"] == {
        "type": "investigation",
        "subject_and_nature": "Trafficking in cocaine by an organized group",
        "conducting_authority": "Investigating judge, court of A",
    }
    assert audit_actions(drafters.state_a)[-1] == "draft.updated"


def test_invalid_step_is_422_with_accessible_errors_and_saves_nothing(drafters, drafts):
    draft = drafts["alice"]
    before = reload(draft).document
    client = logged_in(drafters.alice)
    response = client.post(
        step_url(draft, "handling"),
        {"deadline__date": "31/12/2026", "deadline__reasons": "Trial", "then": "stay"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'class="error-summary"' in body
    assert 'href="#id_deadline__date"' in body
    assert 'aria-invalid="true"' in body
    assert 'aria-describedby="id_deadline__date_error"' in body
    assert 'id="id_deadline__date_error"' in body
    assert reload(draft).document == before


def test_list_steps_add_edit_and_remove_items(drafters, drafts):
    draft = drafts["alice"]
    client = logged_in(drafters.alice)
    management = {
        "offences-TOTAL_FORMS": "1",
        "offences-INITIAL_FORMS": "0",
        "offences-MIN_NUM_FORMS": "0",
        "offences-MAX_NUM_FORMS": "50",
    }
    client.post(
        step_url(draft, "offences"),
        {
            **management,
            "offences-0-description": "Laundering",
            "offences-0-max_penalty_years": "10",
            "offences-0-untoc_article": "6",
            "then": "stay",
        },
    )
    assert reload(draft).document["offences"] == [
        {"description": "Laundering", "max_penalty_years": "10", "untoc_article": 6}
    ]
    page = client.get(step_url(draft, "offences")).content.decode()
    assert "Offence 1" in page
    assert "Add an offence" in page
    management.update({"offences-TOTAL_FORMS": "2", "offences-INITIAL_FORMS": "1"})
    client.post(
        step_url(draft, "offences"),
        {
            **management,
            "offences-0-description": "Laundering",
            "offences-0-DELETE": "on",
            "offences-1-description": "Participation in an organized criminal group",
            "offences-1-untoc_article": "5",
            "then": "stay",
        },
    )
    assert reload(draft).document["offences"] == [
        {"description": "Participation in an organized criminal group", "untoc_article": 5}
    ]


def test_schema_errors_land_on_the_item_field(drafters, drafts):
    draft = drafts["alice"]
    client = logged_in(drafters.alice)
    response = client.post(
        step_url(draft, "persons"),
        {
            "persons-TOTAL_FORMS": "1",
            "persons-INITIAL_FORMS": "0",
            "persons-0-role": "witness",
            "persons-0-nationalities": "FRA, fr, XXXX",
            "then": "stay",
        },
    )
    assert response.status_code == 422
    assert 'id="id_persons-0-nationalities_error"' in response.content.decode()
    assert reload(draft).document["persons"] == []


def test_measure_details_follow_the_measure(drafters, drafts):
    draft = drafts["alice"]
    client = logged_in(drafters.alice)
    data = {"measures-TOTAL_FORMS": "1", "measures-INITIAL_FORMS": "0", "measures-0-measure": "bank_records"}
    # Choosing the measure (htmx, before saving) shows the bank fields.
    fields = client.post(
        reverse("drafting:validate", args=[draft.code, "measures"]), data, HTTP_HX_REQUEST="true"
    )
    assert fields.status_code == 200
    assert 'name="measures-0-bank__account"' in fields.content.decode()
    assert 'name="measures-0-data__provider"' not in fields.content.decode()
    response = client.post(
        step_url(draft, "measures"),
        {
            **data,
            "measures-0-description": "Statements of the account",
            "measures-0-bank__bank": "Bank of B",
            "measures-0-bank__account": "BB00 1234",
            "measures-0-bank__period_from": "2024-01-01",
            "measures-0-bank__period_to": "2025-06-30",
            "measures-0-data__provider": "ignored: not a data measure",
            "procedure_wishes": "Certified copies",
            "then": "stay",
        },
    )
    assert response.status_code == 302
    document = reload(draft).document
    assert document["measures"] == [
        {
            "measure": "bank_records",
            "description": "Statements of the account",
            "bank": {
                "bank": "Bank of B",
                "account": "BB00 1234",
                "period_from": "2024-01-01",
                "period_to": "2025-06-30",
            },
        }
    ]
    assert document["procedure_wishes"] == "Certified copies"
    page = client.get(step_url(draft, "measures")).content.decode()
    assert 'value="BB00 1234"' in page


def test_validate_returns_the_fields_with_errors_and_saves_nothing(drafters, drafts):
    draft = drafts["alice"]
    before = reload(draft).document
    actions = audit_actions(drafters.state_a)
    response = logged_in(drafters.alice).post(
        reverse("drafting:validate", args=[draft.code, "contact"]),
        {"contact__email": "not-an-email", "contact__languages": "fr, english", "contact__name": "Ann"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith('<div id="step-fields">')
    assert 'id="id_contact__email_error"' in body
    assert 'id="id_contact__languages_error"' in body
    assert 'id="field-contact__email"' in body
    assert 'hx-select="#field-contact__email"' in body
    assert "<html" not in body
    assert reload(draft).document == before
    assert audit_actions(drafters.state_a) == actions


def test_validate_refuses_get(drafts):
    response = logged_in(drafts["alice"].created_by).get(
        reverse("drafting:validate", args=[drafts["alice"].code, "facts"])
    )
    assert response.status_code == 405


# --- Legal basis, guidance, review ----------------------------------------------------------


def test_first_step_shows_the_engine_and_takes_its_bases(drafters, drafts):
    draft = drafts["alice"]
    client = logged_in(drafters.alice)
    body = client.get(step_url(draft, "parties")).content.decode()
    assert 'id="legal-basis"' in body
    assert "Use the legal bases found by the engine" in body
    assert "No legal basis in the request yet." in body
    response = client.post(reverse("drafting:legal_basis", args=[draft.code]))
    assert response.status_code == 302
    bases = reload(draft).document["legal_basis"]
    assert bases
    assert {b["source"] for b in bases} == {"engine"}


def test_steps_show_what_the_requested_state_needs(drafters, drafts):
    RequirementProfileFactory(
        state=drafters.state_b,
        subject="bank_records",
        judicial_order_for_coercive="yes",
        special_requirements="",
    )
    RequirementProfileFactory(
        state=drafters.state_b,
        subject="mla",
        judicial_order_for_coercive="",
        dual_criminality_required="yes",
        special_requirements="Send two copies.",
    )
    draft = drafts["alice"]
    update(drafters.alice, draft, {"measures": [{"measure": "bank_records"}]})
    client = logged_in(drafters.alice)
    statements = client.get(step_url(draft, "statements")).content.decode()
    assert "State B requires dual criminality." in statements
    assert "State B requires a judicial order for coercive measures" in statements
    assert "Court order behind the coercive measures" in statements  # the checklist row of the step
    measures = client.get(step_url(draft, "measures")).content.decode()
    assert "Bank account and transaction records: State B requires a court order." in measures
    parties = client.get(step_url(draft, "parties")).content.decode()
    assert "Send two copies." in parties


def test_extradition_step_shows_the_requested_states_conditions(drafters):
    RequirementProfileFactory(
        state=drafters.state_b,
        subject="extradition",
        minimum_penalty_months=12,
        extradition_of_nationals="no",
        evidentiary_standard="prima_facie_case",
        assurances_required="No death penalty will be imposed.",
    )
    draft = make_draft(drafters.alice, request_type="provisional_arrest")
    client = logged_in(drafters.alice)
    body = client.get(step_url(draft, "extradition")).content.decode()
    assert (
        'State B extradites only for offences punishable by at least 12 months.</bdi> <span class="cite">(art. 16(7))</span>'
        in body
    )
    assert "State B: Does not extradite its nationals" in body
    assert "State B requires: Prima facie case." in body
    assert "State B requires assurances: No death penalty will be imposed." in body
    assert 'name="extradition__undertaking_formal_request"' in body  # provisional arrest only
    offences = client.get(step_url(draft, "offences")).content.decode()
    assert "at least 12 months" in offences


def test_review_links_each_missing_element_to_its_step(drafters, drafts):
    RequirementProfileFactory(
        state=drafters.state_b, subject="bank_records", judicial_order_for_coercive="yes"
    )
    draft = drafts["alice"]
    update(drafters.alice, draft, {"measures": [{"measure": "bank_records"}]})
    response = logged_in(drafters.alice).get(reverse("drafting:review", args=[draft.code]))
    assert response.status_code == 200
    missing = {m.code: m for m in response.context["guide"].missing}
    assert "court_order" in missing
    assert missing["court_order"].step.slug == "statements"
    assert missing["facts_summary"].step.slug == "facts"
    assert missing["bank_details"].step.slug == "measures"
    body = response.content.decode()
    assert (
        '<tr data-code="court_order"><td>Court order behind the coercive measures<br><code>court_order</code></td><td>—</td>'
        in body
    )
    assert f'href="{step_url(draft, "statements")}"' in body
    assert "Printable checklist" in body


def test_printable_checklist(drafters, drafts):
    response = logged_in(drafters.alice).get(reverse("drafting:checklist", args=[drafts["alice"].code]))
    assert response.status_code == 200
    codes = [row["code"] for row in response.context["checklist_rows"]]
    assert codes[:3] == ["requesting_authority", "subject_and_nature", "facts_summary"]
    assert "art. 18(15)(a)" in response.content.decode()


# --- Export, import, delete -----------------------------------------------------------------


def test_json_export_downloads_the_document_and_is_audited(drafters, drafts):
    draft = drafts["alice"]
    response = logged_in(drafters.alice).post(
        reverse("drafting:export", args=[draft.code]), {"format": "json", "language": "en"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="request-{draft.code}.json"'
    assert json.loads(response.content) == reload(draft).document
    assert audit_actions(drafters.state_a)[-1] == "draft.exported"


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
        ("pdf", "application/pdf", b"%PDF"),
    ],
)
def test_document_download_in_a_chosen_language_is_an_audited_disclosure(
    drafters, drafts, fmt, content_type, magic
):
    draft = drafts["alice"]
    update(drafters.alice, draft, {"facts_summary": "The facts.", "purpose": "Evidence for the trial."})
    response = logged_in(drafters.alice).post(
        reverse("drafting:export", args=[draft.code]), {"format": fmt, "language": "fr"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="request-{draft.code}-fr.{fmt}"'
    assert response.content.startswith(magic)
    with state_scope(drafters.state_a.pk):
        event = AuditEvent.objects.filter(action="draft.exported").get()
    assert event.data == {"format": fmt, "language": "fr", "bytes": len(response.content)}


def test_download_in_an_unsupported_language_is_refused(drafters, drafts):
    client = logged_in(drafters.alice)
    response = client.post(
        reverse("drafting:export", args=[drafts["alice"].code]), {"format": "pdf", "language": "lv"}
    )
    assert response.status_code == 302
    assert "draft.exported" not in audit_actions(drafters.state_a)


def test_export_refuses_get(drafts):
    assert (
        logged_in(drafts["alice"].created_by)
        .get(reverse("drafting:export", args=[drafts["alice"].code]))
        .status_code
        == 405
    )


def upload(data: bytes, name: str = "request.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/json")


def test_import_a_valid_file(drafters):
    client = logged_in(drafters.alice)
    response = client.post(reverse("drafting:import"), {"file": upload(json.dumps(document()).encode())})
    with state_scope(drafters.state_a.pk):
        draft = Draft.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("drafting:review", args=[draft.code])
    assert draft.title == "IMPORTED-1"
    assert audit_actions(drafters.state_a)[-1] == "draft.imported"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<xml>not json</xml>", "The file is not JSON"),
        (
            json.dumps(document(offences=[{"max_penalty_years": "lots"}])).encode(),
            "offences.0.max_penalty_years: ",
        ),
        (
            json.dumps(document(requesting_authority={"name": "C", "state": "BBB"})).encode(),
            "The requesting State must be your own State (AAA), not BBB.",
        ),
        (b'{"x": "' + b"y" * MAX_IMPORT_BYTES + b'"}', "The file is larger than 2 MB."),
    ],
)
def test_import_bad_files_show_clear_errors_and_store_nothing(drafters, data, message):
    response = logged_in(drafters.alice).post(reverse("drafting:import"), {"file": upload(data)})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert 'id="id_file-errors"' in response.content.decode()
    with unscoped(reason="test: nothing stored anywhere"):
        assert Draft.objects.count() == 0
    assert "draft.imported" not in audit_actions(drafters.state_a)


def test_import_without_a_file_is_422(drafters):
    response = logged_in(drafters.alice).post(reverse("drafting:import"), {})
    assert response.status_code == 422
    assert "file" in response.context["import_form"].errors


def test_delete_asks_then_deletes(drafters, drafts):
    draft = drafts["alice"]
    client = logged_in(drafters.alice)
    assert "cannot be undone" in client.get(reverse("drafting:delete", args=[draft.code])).content.decode()
    response = client.post(reverse("drafting:delete", args=[draft.code]))
    assert response.status_code == 302
    with state_scope(drafters.state_a.pk):
        assert not Draft.objects.filter(pk=draft.pk).exists()
    assert audit_actions(drafters.state_a)[-1] == "draft.deleted"


# --- N+1 ------------------------------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_drafts_list_query_count_does_not_grow(drafters):
    client = logged_in(drafters.alice)
    make_draft(drafters.alice)
    one = _queries(client, reverse("drafting:list"))
    other = member("dora", drafters.x, Role.CENTRAL_AUTHORITY_OFFICER)
    for requested in ("BBB", "BBB", "BBB"):
        make_draft(other, requested=requested)
    assert _queries(client, reverse("drafting:list")) == one


def test_every_step_is_listed_once():
    assert len({s.slug for s in STEPS}) == len(STEPS)
