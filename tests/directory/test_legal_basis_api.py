"""The legal-basis engine over its interfaces: GET /api/v1/legal-basis and `comity legal-basis`."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from comity.directory.legal_basis import LegalBasisQuery, answer
from tests.directory.test_legal_basis_world import build_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/legal-basis"
GOOD = {
    "requesting": "MEX",
    "requested": "NLD",
    "type": "extradition",
    "max_penalty_requesting": "10",
    "max_penalty_requested": "8",
    "transnational": "true",
    "organized_group": "true",
    "date": "2026-01-01",
}


@pytest.fixture
def lb(db: Any) -> dict[str, Any]:
    return build_world()


# --- API -------------------------------------------------------------------------------------


def test_api_answers_the_same_json_as_the_engine_without_a_token(lb):
    response = Client().get(URL, GOOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    expected = answer(LegalBasisQuery.parse(GOOD), on=timezone.localdate())
    assert response.json() == expected
    assert [b["kind"] for b in response.json()["bases"]] == ["bilateral_treaty", "untoc", "reciprocity"]


def test_api_optional_parameters(lb):
    response = Client().get(
        URL,
        {
            **GOOD,
            "requested": "lso",
            "person_national_of": "LSO",
            "offence_article": "6",
            "transnational": "false",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert [w["code"] for w in body["warnings"]] == [
        "treaty_required_no_basis",
        "national_of_requested_state",
        "fiscal_not_a_ground",
    ]
    assert body["query"]["requested"] == "LSO"
    assert body["query"]["offence_article"] == 6
    assert body["query"]["transnational"] is False


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        (
            {"requesting": "XYZ"},
            [{"field": "requesting", "message": "Unknown State code 'XYZ': not in the directory of States."}],
        ),
        (
            {"requested": "MEX"},
            [{"field": "requested", "message": "The requested State must differ from the requesting State."}],
        ),
        (
            {"type": "arrest"},
            [
                {
                    "field": "type",
                    "message": "Unknown cooperation type 'arrest'; use one of: mla, extradition, confiscation, transfer_of_proceedings, transfer_of_sentenced_persons.",
                }
            ],
        ),
        (
            {"date": "2026-02-30"},
            [{"field": "date", "message": "2026-02-30 is not a calendar date (no such day)."}],
        ),
        (
            {"max_penalty_requesting": "-2", "offence_article": "9"},
            [
                {
                    "field": "max_penalty_requesting",
                    "message": "'-2' years is out of range: give 0 (not punishable) to 100.",
                },
                {
                    "field": "offence_article",
                    "message": "'9' is not an offence article of the Convention; use 5, 6, 8 or 23 (art. 3(1)(a)).",
                },
            ],
        ),
    ],
)
def test_api_bad_input_is_422_invalid_query(lb, params, errors):
    response = Client().get(URL, {**GOOD, **params})
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid_query",
        "message": "; ".join(f"{e['field']}: {e['message']}" for e in errors),
        "errors": errors,
    }


def test_api_missing_parameter_is_422_validation_error(lb):
    params = {k: v for k, v in GOOD.items() if k != "type"}
    response = Client().get(URL, params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["errors"] == [{"field": "type", "message": "Field required"}]


def test_api_is_in_the_openapi_document():
    doc = Client().get("/api/v1/openapi.json").json()
    operation = doc["paths"]["/api/v1/legal-basis"]["get"]
    assert "security" not in operation or operation["security"] == []
    assert {p["name"] for p in operation["parameters"]} == set(GOOD) | {
        "offence_article",
        "person_national_of",
    }


# --- CLI -------------------------------------------------------------------------------------


@pytest.fixture
def cli(comity_cli: Any) -> Any:
    return functools.partial(comity_cli, "legal-basis")


ARGS = [
    "--requesting",
    "MEX",
    "--requested",
    "NLD",
    "--type",
    "extradition",
    "--max-penalty-requesting",
    "10",
    "--max-penalty-requested",
    "8",
    "--transnational",
    "--organized-group",
    "--date",
    "2026-01-01",
]


def test_cli_json_is_the_engine_answer(lb, cli):
    code, out, err = cli(*ARGS, "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == answer(LegalBasisQuery.parse(GOOD), on=timezone.localdate())


def test_cli_text_summary(lb, cli):
    code, out, _ = cli(*ARGS, "--person-national-of", "NLD", "--offence-article", "6")
    assert code == 0
    assert out.splitlines()[:6] == [
        "extradition: Mexico (MEX) -> Netherlands (NLD) on 2026-01-01",
        "UNTOC applies: yes",
        "",
        "Legal bases (most specific first):",
        "  1. [bilateral_treaty] Mexico-Netherlands treaty (test), art. 2, in force since 2010-03-01",
        "     The offences covered by UNTOC are deemed included in it as extraditable offences (UNTOC 16(3)).",
    ]
    assert (
        "  - national_of_requested_state (art. 16(10), 16(11)): The person is a national of Netherlands (NLD)"
        in out
    )
    assert "Send to: Ministry of Justice and Security <ibs@example.nl>" in out
    assert "Languages accepted: nl, en" in out


def test_cli_negative_flags(lb, cli):
    code, out, _ = cli(*ARGS[:-4], "--no-transnational", "--no-organized-group", "--format", "json")
    assert code == 0
    body = json.loads(out)
    assert body["untoc_reasons"] == ["not_transnational", "no_organized_group"]
    assert (body["query"]["transnational"], body["query"]["organized_group"]) == (False, False)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--requested", "XYZ"], "--requested: Unknown State code 'XYZ': not in the directory of States."),
        (["--type", "arrest"], "--type: Unknown cooperation type 'arrest'"),
        (["--date", "2026-02-30"], "--date: 2026-02-30 is not a calendar date (no such day)."),
        (["--max-penalty-requested", "500"], "--max-penalty-requested: '500' years is out of range"),
        (["--offence-article", "7"], "--offence-article: '7' is not an offence article"),
    ],
)
def test_cli_bad_input_exits_2_with_the_reason(lb, cli, args, reason):
    code, out, err = cli(*ARGS, *args)
    assert code == 2
    assert out == ""
    assert reason in err


def test_cli_missing_argument_exits_2(lb, cli):
    code, _, err = cli("--requesting", "MEX", "--type", "mla")
    assert code == 2
    assert "--requested" in err
