"""POST /api/v1/requests/check: token with the `read` scope, the checker result, errors as JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from comity.accounts.services import api_token_create
from comity.core.tenancy import state_scope
from comity.drafting.checker import check_request
from comity.drafting.profile import requirements_for
from comity.drafting.schema import RequestDocument
from tests.conftest import principal
from tests.drafting.test_checker import EXAMPLES, load, seed_demo_directory, without
from tests.factories import World

pytestmark = pytest.mark.django_db

URL = "/api/v1/requests/check"


def token_for(user: Any, scopes: tuple[str, ...] = ("read",)) -> str:
    actor = principal(user)
    with state_scope(actor.authority.state_id):
        _token, secret = api_token_create(actor=actor, name="t", scopes=list(scopes), days=30)
    return secret


@pytest.fixture
def api(world: World) -> Client:
    """alice's client, with a read-only token, and the demo directory."""
    seed_demo_directory()
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.alice)}")


def post(client: Client, body: Any) -> Any:
    payload = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, payload, content_type="application/json")


@pytest.mark.parametrize("name", EXAMPLES)
def test_examples_are_complete(api: Client, name: str) -> None:
    response = post(api, load(name))
    assert response.status_code == 200
    assert response.json() == {"complete": True, "missing": [], "warnings": []}


def test_answers_the_checker_result_for_the_requested_state(api: Client) -> None:
    data = without(load("mla"), "statements.court_order")
    data["procedure_wishes"] += " If bank secrecy applies, France may decline to provide the records."
    response = post(api, data)
    assert response.status_code == 200
    expected = check_request(RequestDocument.model_validate(data), requirements_for("FRA"))
    assert response.json() == expected
    assert [m["code"] for m in expected["missing"]] == ["court_order"]
    assert [w["code"] for w in expected["warnings"]] == ["bank_secrecy_not_a_ground"]


def test_needs_a_token_with_the_read_scope(world: World) -> None:
    seed_demo_directory()
    response = post(Client(), load("mla"))
    assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
    writer = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.alice, scopes=('write',))}")
    response = post(writer, load("mla"))
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "This token lacks the 'read' scope."}


def test_the_answer_depends_on_the_document_only_not_on_the_caller(world: World) -> None:
    """Any authority's token gets the same answer: the check reads public directory data only."""
    seed_demo_directory()
    data = without(load("freezing"), "confiscation.actions_requested")
    answers = [
        post(Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user)}"), data).json()
        for user in (world.alice, world.bob, world.charlie)
    ]
    assert answers[0] == answers[1] == answers[2]
    assert [m["code"] for m in answers[0]["missing"]] == ["actions_requested"]


def test_schema_errors_are_422_with_field_paths(api: Client) -> None:
    data = load("mla")
    data["measures"][0]["bank"]["period_from"] = "last year"
    data["persons"][1]["nationalities"] = ["France"]
    data["colour"] = "blue"
    response = post(api, data)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [e["field"] for e in body["errors"]] == [
        "persons.1.nationalities.0",
        "measures.0.bank.period_from",
        "colour",
    ]
    assert body["errors"][2]["message"] == "Extra inputs are not permitted"
    assert body["message"].startswith("persons.1.nationalities.0: String should match pattern")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ("{not json", 400, "malformed_json"),
        ("[1, 2]", 422, "validation_error"),
        ({"request_type": "arrest", "language": "en", "requested_state": "FRA"}, 422, "validation_error"),
        ({"request_type": "mla", "language": "en", "requested_state": "QQQ"}, 422, "unknown_state"),
    ],
)
def test_bad_input_is_a_clear_4xx(api: Client, body: Any, status: int, code: str) -> None:
    response = post(api, body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    if status == 422:
        assert response.json()["errors"]


def test_unknown_state_names_the_field(api: Client) -> None:
    response = post(api, {"request_type": "mla", "language": "en", "requested_state": "QQQ"})
    assert response.json()["errors"] == [
        {"field": "requested_state", "message": "Unknown State 'QQQ': not in the directory of States."}
    ]


def test_body_over_5_mb_is_413_and_under_it_is_checked(api: Client) -> None:
    # 3 MB: above Django's in-memory default (2.5 MB), under the 5 MB a request document may take.
    body = " " * 3_000_000 + json.dumps(load("mla"))
    response = post(api, body)
    assert (response.status_code, response.json()["complete"]) == (200, True)
    response = post(api, " " * (5 * 1024 * 1024) + json.dumps(load("mla")))
    assert (response.status_code, response.json()["code"]) == (413, "too_large")


def test_get_is_not_allowed(api: Client) -> None:
    response = api.get(URL)
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")


def test_openapi_documents_both_endpoints() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    check = paths[URL]["post"]
    assert check["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "https://comity.invalid/schemas/request/1.0/request.json"
    }
    assert "get" in paths["/api/v1/schemas/request.json"]
