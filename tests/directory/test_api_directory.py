"""/api/v1/directory: public read, exact JSON, 404s and 422s as JSON, stale flags, N+1 guards, and
no State-owned data (API tokens, audit events) in any answer."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comity.accounts.services import api_token_create
from comity.core.audit import audit_record
from comity.core.enums import Role
from comity.core.tenancy import state_scope
from tests.conftest import principal
from tests.directory.factories import (
    LONG_AGO,
    AuthorityContactFactory,
    Directory,
    TreatyPartyFactory,
    make_directory,
    recently,
    untoc,
)
from tests.factories import AuthorityFactory, StateFactory, member

pytestmark = pytest.mark.django_db

API = "/api/v1/directory"


@pytest.fixture
def d() -> Directory:
    return make_directory()


def get(path: str, **params: str) -> tuple[int, object]:
    response = Client().get(API + path, data=params)
    assert response["Content-Type"].startswith("application/json")
    return response.status_code, response.json()


def test_states_list(d):
    status, body = get("/states")
    assert status == 200
    assert [s["code"] for s in body] == ["FRA", "DEU", "MEX"]  # by English name
    assert body[0] == {
        "code": "FRA",
        "name": "France",
        "names": {
            "en": "France",
            "fr": "France",
            "es": "Francia",
            "ru": "Франция",
            "ar": "فرنسا",
            "zh": "法国",
        },
        "kind": "state",
        "un_status": "member",
        "untoc": {
            "status": "party",
            "bound": True,
            "signature_date": "2000-12-12",
            "consent_date": "2002-10-29",
            "consent_type": "approval",
            "in_force_date": "2003-09-29",
        },
    }
    assert body[1]["untoc"]["status"] == "signatory"
    assert body[1]["untoc"]["bound"] is False


def test_states_without_untoc_record_and_filters(d):
    StateFactory(code="BRA", name="Brazil")
    _status, body = get("/states", untoc="not_party")
    assert [s["code"] for s in body] == ["BRA", "DEU"]
    assert body[0]["untoc"] == {
        "status": "none",
        "bound": False,
        "signature_date": None,
        "consent_date": None,
        "consent_type": "",
        "in_force_date": None,
    }
    _status, body = get("/states", q="Мекс")
    assert [s["code"] for s in body] == ["MEX"]


def test_state_detail(d):
    status, body = get("/states/FRA")
    assert status == 200
    assert body["code"] == "FRA"
    assert body["untoc"]["in_force_date"] == "2003-09-29"
    assert [(x["article"], x["kind"], x["summary"]) for x in body["declarations"]] == [
        ("18(13)", "declaration", "Central authority: Ministry of Justice"),
        ("18(14)", "declaration", "Requests accepted in French"),
        ("5(3)", "notification", "Organized group required"),
    ]
    assert body["declarations"][1]["languages"] == ["fr"]
    assert body["declarations"][1]["source_url"] == "https://treaties.un.org/fra-18-14"
    central, executing = body["authorities"]
    assert central == {
        "code": d.fra_ca.code,
        "name": "Bureau de l'entraide pénale internationale",
        "kind": "central_authority",
        "state": "FRA",
        "state_name": "France",
        "stale": False,
        "contact": {
            "functions": ["central_mla", "central_extradition"],
            "languages": ["fr", "en"],
            "channels": ["email", "diplomatic"],
            "email": "beepi@justice.example.fr",
            "phone": "+1 555 0100",
            "urgent_contact": "+33 1 00 00 00 99 (permanence 24/7)",
            "office_hours": "lun.-ven. 9h-18h",
            "time_zone": "Europe/Paris",
            "address": "13 place Vendôme, Paris",
            "website": "https://justice.example.fr/",
            "last_verified": recently().isoformat(),
        },
    }
    assert (executing["name"], executing["stale"], executing["contact"]["last_verified"]) == (
        "Parquet de Paris",
        True,
        LONG_AGO.isoformat(),
    )
    assert [(p["subject"], p["stale"]) for p in body["requirement_profiles"]] == [
        ("extradition", True),
        ("mla", False),
    ]
    assert body["requirement_profiles"][0]["minimum_penalty_months"] == 12
    assert [(t["treaty"], t["status"], t["in_force_date"]) for t in body["treaties"]] == [
        ("fra-mex-mla-1994", "party", "1997-02-01"),
        ("untoc", "party", "2003-09-29"),
    ]


@pytest.mark.parametrize("path", ["/states/ZZZ", "/states/fra", "/authorities/nosuchcode", "/treaties/nope"])
def test_unknown_codes_are_404_json(d, path):
    status, body = get(path)
    assert status == 404
    assert body["code"] == "not_found"


def test_authorities_search(d):
    status, body = get("/authorities", language="fr")
    assert status == 200
    assert body["count"] == 2
    assert (body["limit"], body["offset"]) == (50, 0)
    assert [(a["name"], a["stale"]) for a in body["items"]] == [
        ("Bureau de l'entraide pénale internationale", False),
        ("Parquet de Paris", True),
    ]
    _status, body = get("/authorities", language="en")
    assert sorted(a["state"] for a in body["items"]) == ["DEU", "FRA"]
    _status, body = get("/authorities", function="central_mla", state="MEX")
    assert [a["name"] for a in body["items"]] == ["Fiscalía General de la República"]
    _status, body = get("/authorities", q="bundesamt")
    assert [a["name"] for a in body["items"]] == ["Bundesamt für Justiz"]


def test_authorities_pagination(d):
    _status, page1 = get("/authorities", limit="2")
    _status, page2 = get("/authorities", limit="2", offset="2")
    assert page1["count"] == page2["count"] == 4
    names = [a["name"] for a in page1["items"] + page2["items"]]
    assert len(names) == 4
    assert len(set(names)) == 4
    _status, empty = get("/authorities", offset="100")
    assert (empty["count"], empty["items"]) == (4, [])


def test_authority_detail_and_entry_without_contact(d):
    status, body = get(f"/authorities/{d.mex_ca.code}")
    assert status == 200
    assert (body["name"], body["state"], body["stale"]) == ("Fiscalía General de la República", "MEX", False)
    bare = AuthorityFactory(state=d.deu, name="Landgericht")
    _status, body = get(f"/authorities/{bare.code}")
    assert (body["contact"], body["stale"]) == (None, True)


def test_treaties(d):
    status, body = get("/treaties")
    assert status == 200
    assert [(t["code"], t["scope"], t["party_count"]) for t in body] == [
        ("fra-mex-mla-1994", "bilateral", 2),
        ("untoc", "multilateral", 3),
    ]
    status, body = get("/treaties/untoc")
    assert status == 200
    assert body["articles"] == {"mla": ["18"], "extradition": ["16"]}
    assert [(p["state"], p["status"], p["in_force_date"]) for p in body["parties"]] == [
        ("DEU", "signatory", None),
        ("FRA", "party", "2003-09-29"),
        ("MEX", "party", "2003-09-29"),
    ]


def test_treaties_in_force(d):
    status, body = get("/treaties-in-force", a="FRA", b="MEX", date="2026-01-01")
    assert status == 200
    assert body == {
        "a": "FRA",
        "b": "MEX",
        "date": "2026-01-01",
        "treaties": [
            {
                "code": "fra-mex-mla-1994",
                "title": "France-Mexico treaty on mutual legal assistance",
                "scope": "bilateral",
                "since": "1997-02-01",
                "date_unknown": False,
                "a_in_force_date": "1997-02-01",
                "b_in_force_date": "1997-02-01",
            },
            {
                "code": "untoc",
                "title": "United Nations Convention against Transnational Organized Crime",
                "scope": "multilateral",
                "since": "2003-09-29",
                "date_unknown": False,
                "a_in_force_date": "2003-09-29",
                "b_in_force_date": "2003-09-29",
            },
        ],
    }
    _status, body = get("/treaties-in-force", a="FRA", b="MEX", date="2003-09-28")
    assert [t["code"] for t in body["treaties"]] == ["fra-mex-mla-1994"]
    _status, body = get("/treaties-in-force", a="FRA", b="MEX")
    assert body["date"] == timezone.localdate().isoformat()


def test_treaties_in_force_flags_unknown_dates(d):
    brazil = StateFactory(code="BRA", name="Brazil")
    TreatyPartyFactory(treaty=untoc(), state=brazil, status="party_date_unknown", in_force_date=None)
    _status, body = get("/treaties-in-force", a="BRA", b="FRA", date="2026-01-01")
    assert [(t["code"], t["date_unknown"], t["since"]) for t in body["treaties"]] == [("untoc", True, None)]


def test_treaties_in_force_unknown_state_is_404(d):
    status, body = get("/treaties-in-force", a="FRA", b="ZZZ")
    assert (status, body["code"]) == (404, "not_found")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/states", {"untoc": "maybe"}, "untoc"),
        ("/states", {"un_status": "empire"}, "un_status"),
        ("/states", {"bogus": "1"}, "bogus"),
        ("/states/FRA", {"bogus": "1"}, "bogus"),
        ("/authorities", {"limit": "201"}, "limit"),
        ("/authorities", {"limit": "0"}, "limit"),
        ("/authorities", {"offset": "-1"}, "offset"),
        ("/authorities", {"limit": "many"}, "limit"),
        ("/authorities", {"language": "French"}, "language"),
        ("/authorities", {"function": "dictator"}, "function"),
        ("/authorities", {"state": "fr"}, "state"),
        ("/authorities", {"q": "x" * 101}, "q"),
        ("/authorities", {"lang": "fr"}, "lang"),
        ("/treaties", {"page": "2"}, "page"),
        ("/treaties-in-force", {"a": "FRA"}, "b"),
        ("/treaties-in-force", {"a": "FRA", "b": "FRA"}, "b"),
        ("/treaties-in-force", {"a": "FRA", "b": "MEX", "date": "2026-02-30"}, "date"),
        ("/treaties-in-force", {"a": "fra", "b": "MEX"}, "a"),
    ],
)
def test_bad_parameters_are_422_json(d, path, params, field):
    status, body = get(path, **params)
    assert status == 422
    assert body["code"] == "validation_error"
    assert field in [e["field"] for e in body["errors"]]


def test_directory_api_needs_no_token_and_ignores_a_bad_one(d):
    response = Client(HTTP_AUTHORIZATION="Bearer nonsense").get(API + "/states/FRA")
    assert response.status_code == 200


def test_directory_is_in_the_openapi_document():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/states",
        "/states/{code}",
        "/authorities",
        "/authorities/{code}",
        "/treaties",
        "/treaties/{code}",
        "/treaties-in-force",
    ):
        assert "/api/v1/directory" + path in paths


# --- N+1 guards -----------------------------------------------------------------------------


def _queries(path: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(API + path, data=params).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_counts_do_not_grow(d):
    brazil = StateFactory(code="BRA", name="Brazil")
    AuthorityContactFactory(authority=AuthorityFactory(state=brazil, name="One"), languages=["pt"])
    counts = {
        "authorities": _queries("/authorities", language="pt"),
        "state": _queries("/states/BRA"),
        "states": _queries("/states"),
        "treaties": _queries("/treaties"),
        "treaty": _queries("/treaties/untoc"),
    }
    for name in ("Two", "Three"):
        AuthorityContactFactory(authority=AuthorityFactory(state=brazil, name=name), languages=["pt"])
    StateFactory(code="ARG", name="Argentina")
    StateFactory(code="CHL", name="Chile")
    TreatyPartyFactory(treaty=untoc(), state=brazil)
    TreatyPartyFactory(state=brazil)
    assert {
        "authorities": _queries("/authorities", language="pt"),
        "state": _queries("/states/BRA"),
        "states": _queries("/states"),
        "treaties": _queries("/treaties"),
        "treaty": _queries("/treaties/untoc"),
    } == counts


# --- Leaks ----------------------------------------------------------------------------------


def test_api_never_returns_state_owned_data(d):
    officer = member("amelie", d.fra_ca, Role.CENTRAL_AUTHORITY_OFFICER, Role.AUDITOR)
    actor = principal(officer)
    with state_scope(d.fra.pk):
        token, secret = api_token_create(actor=actor, name="secret-export-token", scopes=["read"], days=30)
    audit_record(
        state=d.fra,
        action="case.secret_viewed",
        actor=officer,
        authority=d.fra_ca,
        object_type="case",
        object_id="case-fra-4711",
    )
    paths = [
        "/states",
        "/states/FRA",
        "/authorities?state=FRA",
        f"/authorities/{d.fra_ca.code}",
        "/treaties",
        "/treaties/untoc",
        "/treaties-in-force?a=FRA&b=MEX",
    ]
    for client in (Client(), Client(HTTP_AUTHORIZATION=f"Bearer {secret}")):
        for path in paths:
            response = client.get(API + path)
            assert response.status_code == 200, path
            text = json.dumps(response.json(), ensure_ascii=False)
            for secret_text in (
                "secret-export-token",
                token.prefix,
                secret,
                "case-fra-4711",
                "case.secret_viewed",
                "amelie",
            ):
                assert secret_text not in text, (path, secret_text)
