"""/api/v1/knowledge: public read without a token, exact JSON, validation (unknown parameter or
filter value -> 400, malformed paging -> 422, never a 500), pagination limits, the OpenAPI
document, and nothing State-owned in any answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comity.core.enums import Role
from comity.knowledge.models import Entry
from comity.knowledge.seed import seed_examples
from tests.factories import make_world, secret_events
from tests.knowledge.test_views import make_entry

pytestmark = pytest.mark.django_db

API = "/api/v1/knowledge"


@pytest.fixture
def examples(db: Any) -> None:
    seed_examples()


def get(path: str, params: Any = None) -> tuple[int, Any]:
    response = Client().get(API + path, data=params)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def test_search_without_token(examples):
    status, body = get(
        "/search", {"q": '"controlled delivery"', "article": "20", "kind": "case", "limit": "2"}
    )
    assert status == 200
    assert (body["total"], body["total_exact"]) == (3, True)
    assert (body["limit"], body["offset"]) == (2, 0)
    assert body["filters"] == {"article": ["20"], "kind": ["case"]}
    assert len(body["hits"]) == 2
    hit = body["hits"][0]
    assert set(hit) == {"code", "kind", "title", "snippet_html", "year", "states", "score", "page", "api"}
    assert hit["kind"] == "case"
    assert hit["page"] == f"/knowledge/{hit['code']}/"
    assert hit["api"] == f"/api/v1/knowledge/entries/{hit['code']}"
    assert "<mark>" in hit["snippet_html"]
    assert body["facets"]["article"][0] == {"value": "20", "count": 3}
    assert {f["value"]: f["count"] for f in body["facets"]["state"]} == {
        "DEU": 1,
        "EGY": 2,
        "FRA": 2,
        "MEX": 1,
    }


def test_search_paging_and_language(examples):
    _status, first = get("/search", {"kind": "case", "limit": "10"})
    _status, second = get("/search", {"kind": "case", "limit": "10", "offset": "10", "facets": "false"})
    assert first["total"] == second["total"] == 16
    assert len(first["hits"]) == 10
    assert len(second["hits"]) == 6
    assert not {h["code"] for h in first["hits"]} & {h["code"] for h in second["hits"]}
    assert second["facets"] == {}
    _status, french = get("/search", {"q": "Veracruz", "lang": "fr"})
    assert (
        french["hits"][0]["title"]
        == "Exemple : Livraison surveillée d'une cargaison de cocaïne de Veracruz au Havre"
    )


def test_several_values_of_a_facet_are_or(examples):
    _status, body = get("/search", {"kind": ["guide", "model_text"]})
    assert body["total"] == 2
    assert sorted(h["kind"] for h in body["hits"]) == ["guide", "model_text"]


@pytest.mark.parametrize(
    ("params", "code", "field", "message"),
    [
        ({"colour": "red"}, "unknown_parameter", "colour", "Unknown parameter 'colour'."),
        ({"article": "99"}, "invalid_filter", "article", "'99' is not an article of the Convention"),
        ({"article": "18(3)"}, "invalid_filter", "article", "'18(3)' is not an article of the Convention"),
        ({"state": "fra"}, "invalid_filter", "state", "'fra' is not an ISO 3166-1 alpha-3 code"),
        ({"measure": "torture"}, "invalid_filter", "measure", "'torture' is not a known measure code."),
        ({"year": "20000"}, "invalid_filter", "year", "'20000' is not a year between 1900 and 2100."),
        ({"language": "french"}, "invalid_filter", "language", "'french' is not an ISO 639-1 language code"),
        ({"obstacle": [f"x{i}" for i in range(21)]}, "invalid_filter", "obstacle", "At most 20 values"),
    ],
)
def test_unknown_parameters_and_filter_values_are_400(examples, params, code, field, message):
    status, body = get("/search", params)
    assert status == 400
    assert body["code"] == code
    assert body["field"] == field
    assert body["message"].startswith(message)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "9901"}, "offset"),
        ({"q": "x" * 201}, "q"),
        ({"lang": "FR"}, "lang"),
    ],
)
def test_malformed_paging_is_422(examples, params, field):
    status, body = get("/search", params)
    assert status == 422
    assert body["code"] == "validation_error"
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize("q", ['"unbalanced', "AND OR NOT", "*", "((", "col:umn", "\x00"])
def test_odd_search_text_is_never_a_500(examples, q):
    status, _body = get("/search", {"q": q})
    assert status in (200, 400, 422)


def test_entry_with_every_public_field(examples):
    entry = Entry.objects.get(source_key="example:legislation-mex-extradition")
    status, body = get(f"/entries/{entry.code}")
    assert status == 200
    updated_at = body.pop("updated_at")
    assert updated_at.startswith(entry.updated_at.date().isoformat())
    assert body == {
        "code": entry.code,
        "kind": "legislation",
        "title": "Example: Mexico — extradition without a treaty (illustration)",
        "summary": entry.summary,
        "body": entry.body,
        "url": "",
        "source": "Fictional illustration written for the Comity demo; not the law of Mexico.",
        "language": "en",
        "translations": entry.translations,
        "is_example": True,
        "year": 2012,
        "states": ["MEX"],
        "cooperation_types": ["extradition"],
        "request_types": ["extradition", "provisional_arrest"],
        "measures": [],
        "articles": ["16", "16(4)", "16(7)", "16(9)"],
        "top_articles": ["16"],
        "offences": [],
        "obstacles": [],
        "court": "",
        "outcome": "",
        "duration_days": None,
        "obstacle_notes": [],
        "good_practices": [],
        "provisions": entry.provisions,
        "page": f"/knowledge/{entry.code}/",
    }
    assert body["provisions"][0]["articles"] == ["16(4)"]


@pytest.mark.parametrize("code", ["nosuchcode23", "BAD!", "x" * 40])
def test_unknown_entry_is_404_json(examples, code):
    status, body = get(f"/entries/{code}")
    assert status == 404
    assert body["code"] == "not_found"


def test_entry_refuses_parameters(examples):
    entry = Entry.objects.first()
    assert entry is not None
    status, body = get(f"/entries/{entry.code}", {"lang": "fr"})
    assert status == 400
    assert body["code"] == "unknown_parameter"


def test_articles(db):
    status, body = get("/articles")
    assert status == 200
    assert [a["number"] for a in body] == [
        "12",
        "13",
        "14",
        "16",
        "17",
        "18",
        "19",
        "20",
        "21",
        "24",
        "26",
        "27",
    ]
    art20 = body[7]
    assert art20["title"] == "Special investigative techniques"
    assert art20["cooperation_types"] == ["mla"]
    assert [p["ref"] for p in art20["paragraphs"]] == ["20(1)", "20(2)", "20(3)", "20(4)"]
    assert art20["search"] == "/api/v1/knowledge/search?article=20"


def test_openapi_documents_the_public_endpoints(db):
    schema = Client().get("/api/v1/openapi.json").json()
    search = schema["paths"]["/api/v1/knowledge/search"]["get"]
    assert "security" not in search
    params = {p["name"] for p in search["parameters"]}
    assert {"q", "lang", "limit", "offset", "facets", "kind", "article", "state", "year"} <= params
    assert "/api/v1/knowledge/entries/{code}" in schema["paths"]
    assert "security" not in schema["paths"]["/api/v1/knowledge/entries/{code}"]["get"]


def test_answers_carry_nothing_state_owned(db):
    world = make_world(Role.DRAFTER)
    secret_events(world)
    entry = make_entry(title="A public case", states=["AAA"])
    for path in ("/search", f"/entries/{entry.code}", "/articles"):
        response = Client().get(API + path)
        assert response.status_code == 200
        text = response.content.decode()
        for secret in ("case-of-x", "case-of-y", "case-of-z", "Authority X", "alice"):
            assert secret not in text


def test_more_matches_than_the_cap_is_said(examples, monkeypatch):
    from comity.knowledge.search import common

    monkeypatch.setattr(common, "CANDIDATE_CAP", 5)
    status, body = get("/search", {"kind": "case", "limit": "5"})
    assert status == 200
    assert (body["total"], body["total_exact"]) == (5, False)
    assert sum(f["count"] for f in body["facets"]["kind"]) == 5
