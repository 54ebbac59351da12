"""The public directory pages: search, State page, authority page, comparison.

What they show (exact values), what they refuse (404, 422), the stale flag, N+1 guards, and that a
public page never carries what a State owns (API tokens, audit events).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comity.accounts.services import api_token_create
from comity.core.audit import audit_record
from comity.core.enums import Role
from comity.core.models import State
from comity.core.tenancy import state_scope
from comity.directory.enums import PartyStatus, TreatyScope
from comity.directory.selectors import authorities_search, is_stale, treaties_in_force
from tests.conftest import principal
from tests.directory.factories import (
    AuthorityContactFactory,
    DeclarationFactory,
    Directory,
    RequirementProfileFactory,
    TreatyFactory,
    TreatyPartyFactory,
    make_directory,
    untoc,
)
from tests.factories import AuthorityFactory, StateFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def d() -> Directory:
    return make_directory()


def get(url: str, **extra: Any) -> tuple[int, str]:
    response = Client().get(url, **extra)
    return response.status_code, response.content.decode()


# --- Rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_verified", "today", "stale"),
    [
        (None, dt.date(2026, 6, 1), True),
        (dt.date(2025, 6, 1), dt.date(2026, 6, 1), False),  # exactly twelve months
        (dt.date(2025, 5, 31), dt.date(2026, 6, 1), True),
        (dt.date(2026, 5, 1), dt.date(2026, 6, 1), False),
        (dt.date(2023, 2, 28), dt.date(2024, 2, 29), False),  # 29 February -> 28 February
        (dt.date(2023, 2, 27), dt.date(2024, 2, 29), True),
    ],
)
def test_is_stale(last_verified, today, stale):
    assert is_stale(last_verified, today) is stale


def test_language_search_matches_whole_codes_in_the_database(d):
    names = lambda **kw: sorted(a.name for a in authorities_search(**kw))  # noqa: E731
    assert names(language="en") == ["Bundesamt für Justiz", "Bureau de l'entraide pénale internationale"]
    assert names(language="eng") == ["Fiscalía General de la República"]
    assert names(language="e") == []
    assert names(language="fr", function="executing") == ["Parquet de Paris"]
    assert names(language="fr", state="MEX") == []
    assert names(q="JUSTIZ") == ["Bundesamt für Justiz"]


def test_treaties_in_force_between_two_states(d):
    found = treaties_in_force(d.fra, d.mex, dt.date(2026, 1, 1))
    assert [(t.treaty.code, t.since, t.date_unknown) for t in found] == [
        ("fra-mex-mla-1994", dt.date(1997, 2, 1), False),
        ("untoc", dt.date(2003, 9, 29), False),
    ]
    # Before UNTOC bound them: only the bilateral treaty.
    assert [t.treaty.code for t in treaties_in_force(d.fra, d.mex, dt.date(2003, 9, 28))] == [
        "fra-mex-mla-1994"
    ]
    # A signatory is not bound.
    assert treaties_in_force(d.fra, d.deu, dt.date(2026, 1, 1)) == []


def test_party_with_unknown_date_counts_as_bound_with_a_flag(d):
    regional = TreatyFactory(code="regional-x", scope=TreatyScope.REGIONAL, in_force_on=None)
    TreatyPartyFactory(treaty=regional, state=d.fra, in_force_date=dt.date(2010, 1, 1))
    TreatyPartyFactory(
        treaty=regional, state=d.deu, status=PartyStatus.PARTY_DATE_UNKNOWN, in_force_date=None
    )
    TreatyPartyFactory(treaty=regional, state=d.mex, status=PartyStatus.REPORTED_NOT_CONFIRMED)
    (found,) = treaties_in_force(d.fra, d.deu, dt.date(2026, 1, 1))
    assert (found.treaty.code, found.date_unknown, found.since) == ("regional-x", True, None)
    assert treaties_in_force(d.fra, d.deu, dt.date(2009, 12, 31)) == []
    assert [t.treaty.code for t in treaties_in_force(d.fra, d.mex, dt.date(2026, 1, 1))] == [
        "fra-mex-mla-1994",
        "untoc",
    ]


def test_treaty_not_yet_in_force_binds_nobody(d):
    future = TreatyFactory(code="future", in_force_on=dt.date(2030, 1, 1))
    TreatyPartyFactory(treaty=future, state=d.fra, in_force_date=None)
    TreatyPartyFactory(treaty=future, state=d.mex, in_force_date=None)
    assert "future" not in [t.treaty.code for t in treaties_in_force(d.fra, d.mex, dt.date(2026, 1, 1))]
    assert "future" in [t.treaty.code for t in treaties_in_force(d.fra, d.mex, dt.date(2030, 1, 1))]


# --- Search page ----------------------------------------------------------------------------


def test_nav_links_to_the_directory_for_everyone():
    status, body = get(reverse("web:home"))
    assert status == 200
    assert f'<a href="{reverse("directory:search")}">Directory</a>' in body


def test_search_page_is_public_and_lists_states_and_authorities(d):
    status, body = get(reverse("directory:search"))
    assert status == 200
    assert "<h1>Directory of States and authorities</h1>" in body
    for name in ("France", "Mexico", "Germany", "Bundesamt für Justiz", "Parquet de Paris"):
        assert name in body
    assert "Party, bound since 2003-09-29" in body
    assert "Signatory only (signed 2000-12-12)" in body
    assert '<span class="badge badge-stale">Stale</span>' in body  # Parquet de Paris
    assert body.count('<span class="badge badge-stale">Stale</span>') == 1


def test_search_by_language(d):
    status, body = get(reverse("directory:search"), data={"language": "es"})
    assert status == 200
    assert "Fiscalía General de la República" in body
    assert "Bundesamt für Justiz" not in body
    assert "Parquet de Paris" not in body
    assert '<option value="es" selected>Spanish</option>' in body


def test_search_by_function_state_and_name(d):
    _status, body = get(reverse("directory:search"), data={"function": "executing", "state": "FRA"})
    results = body.split('id="authority-results"')[1]
    assert "Parquet de Paris" in results
    assert "Bureau de l" not in results
    _status, body = get(reverse("directory:search"), data={"q": "fiscalía"})
    results = body.split('id="authority-results"')[1]
    assert "Fiscalía General de la República" in results
    assert "Bundesamt" not in results


def test_search_no_match(d):
    _status, body = get(reverse("directory:search"), data={"q": "nothing like this"})
    assert "No authority matches." in body


def test_state_filter(d):
    _status, body = get(reverse("directory:search"), data={"untoc": "signatory"})
    states = body.split('id="state-results"')[1]
    assert "Germany" in states
    assert "France" not in states
    _status, body = get(reverse("directory:search"), data={"state_q": "мекс"})  # Russian name
    states = body.split('id="state-results"')[1]
    assert "Mexico" in states
    assert "France" not in states
    _status, body = get(reverse("directory:search"), data={"untoc": "not_party"})
    states = body.split('id="state-results"')[1]
    assert "Germany" in states
    assert "Mexico" not in states


def test_search_htmx_answers_only_the_targeted_results(d):
    client = Client(HTTP_HX_REQUEST="true", HTTP_HX_TARGET="authority-results")
    response = client.get(reverse("directory:search"), data={"language": "de"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="authority-results"')
    assert {"HX-Request", "HX-Target"} <= set(response["Vary"].split(", "))
    assert "Bundesamt für Justiz" in body
    assert "<html" not in body
    client = Client(HTTP_HX_REQUEST="true", HTTP_HX_TARGET="state-results")
    body = client.get(reverse("directory:search"), data={"state_q": "fra"}).content.decode()
    assert body.startswith('<div id="state-results"')
    assert "France" in body
    assert "Mexico" not in body


@pytest.mark.parametrize(
    "params",
    [
        {"language": "xx"},
        {"function": "dictator"},
        {"state": "ZZZ"},
        {"q": "x" * 101},
        {"untoc": "maybe"},
        {"un_status": "empire"},
    ],
)
def test_search_bad_params_are_form_errors_with_422(d, params):
    status, body = get(reverse("directory:search"), data=params)
    assert status == 422
    assert "Please correct the following" in body


def test_state_names_follow_the_ui_language(d):
    _status, body = get(reverse("directory:search"), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Mexique" in body
    assert "Allemagne" in body
    _status, body = get(reverse("directory:state", args=["MEX"]), HTTP_ACCEPT_LANGUAGE="es")
    assert "<h1>México" in body


# --- State page -----------------------------------------------------------------------------


def test_state_page(d):
    status, body = get(reverse("directory:state", args=["FRA"]))
    assert status == 200
    assert '<h1>France <code class="code-tag">FRA</code></h1>' in body
    assert '<dd><bdi lang="ru">Франция</bdi></dd>' in body
    # UNTOC: signature, consent, entry into force.
    assert "2000-12-12" in body
    assert "2002-10-29 (Approval)" in body
    assert "Party, bound since 2003-09-29" in body
    # Declarations: article, kind, date, summary, source.
    assert '<td><bdi dir="ltr">18(14)</bdi></td>' in body
    assert "Requests accepted in French" in body
    assert "Organized group required" in body
    assert '<a href="https://treaties.un.org/fra-18-14" rel="noopener noreferrer">source</a>' in body
    # Authorities and their entries.
    assert "Bureau de l&#x27;entraide pénale internationale" in body
    assert "Central authority for mutual legal assistance; Central authority for extradition" in body
    assert '<span lang="fr">French</span> <code>fr</code>' in body
    assert "E-mail, Diplomatic channels" in body
    assert "+33 1 00 00 00 99 (permanence 24/7)" in body
    assert "<bdi>lun.-ven. 9h-18h</bdi> (time zone: <bdi>Europe/Paris</bdi>)" in body
    assert "13 place Vendôme, Paris" in body
    assert "https://justice.example.fr/" in body
    # The executing authority was last verified long ago: stale, and only it among authorities.
    assert (
        '<time datetime="2020-01-15">2020-01-15</time> <span class="badge badge-stale">Stale</span>' in body
    )
    # Requirement profiles (the extradition one is stale too).
    assert "Dual criminality for coercion" in body
    assert "12 months" in body
    assert body.count("badge-stale") == 2
    # Treaties with the date the State became bound.
    assert "France-Mexico treaty on mutual legal assistance" in body
    assert "<td>1997-02-01</td>" in body
    # Nothing about other States' authorities.
    assert "Fiscalía" not in body
    assert "Bundesamt" not in body


def test_state_page_of_a_signatory(d):
    status, body = get(reverse("directory:state", args=["DEU"]))
    assert status == 200
    assert "Signatory only (signed 2000-12-12)" in body
    assert "No requirement recorded." in body


@pytest.mark.parametrize("code", ["ZZZ", "fra", "FRANCE", "F"])
def test_unknown_state_is_the_friendly_404(d, code):
    status, body = get(f"/directory/states/{code}/")
    assert status == 404
    assert "<h1>Not found</h1>" in body


# --- Authority page -------------------------------------------------------------------------


def test_authority_page(d):
    status, body = get(reverse("directory:authority", args=[d.mex_ca.code]))
    assert status == 200
    assert "<h1>Fiscalía General de la República</h1>" in body
    assert f'<a href="{reverse("directory:state", args=["MEX"])}">Mexico</a>' in body
    assert "Central authority for mutual legal assistance" in body
    assert "badge-stale" not in body


def test_authority_page_flags_a_stale_entry(d):
    _status, body = get(reverse("directory:authority", args=[d.fra_exec.code]))
    assert "Nobody has verified this entry in the last 12 months" in body
    assert '<span class="badge badge-stale">Stale</span>' in body


def test_authority_without_contact_entry(d):
    bare = AuthorityFactory(state=d.deu, name="Landgericht")
    status, body = get(reverse("directory:authority", args=[bare.code]))
    assert status == 200
    assert "Not recorded yet." in body
    assert "never" in body
    assert "badge-stale" in body


@pytest.mark.parametrize("code", ["nosuchcode", "UPPER", "x" * 40, "a-b"])
def test_unknown_authority_is_the_friendly_404(d, code):
    status, body = get(f"/directory/authorities/{code}/")
    assert status == 404
    assert "<h1>Not found</h1>" in body


# --- Comparison -----------------------------------------------------------------------------


def test_compare_without_parameters_shows_the_form(d):
    status, body = get(reverse("directory:compare"))
    assert status == 200
    assert '<form id="compare-form"' in body
    assert '<option value="MEX">Mexico</option>' in body
    assert "Treaties in force between them" not in body


def test_compare_link_from_a_state_page_prefills_the_first_state(d):
    status, body = get(reverse("directory:compare"), data={"a": "MEX"})
    assert status == 200
    assert '<option value="MEX" selected>Mexico</option>' in body
    assert "Please correct the following" not in body
    _status, body = get(reverse("directory:state", args=["MEX"]))
    assert f'href="{reverse("directory:compare")}?a=MEX"' in body


def test_compare_defaults_to_mutual_legal_assistance(d):
    status, body = get(reverse("directory:compare"), data={"a": "MEX", "b": "FRA"})
    assert status == 200
    assert "From Mexico to France: Mutual legal assistance" in body


def test_compare_two_states(d):
    status, body = get(reverse("directory:compare"), data={"a": "FRA", "b": "MEX", "type": "mla"})
    assert status == 200
    today = timezone.localdate().isoformat()
    assert f"From France to Mexico: Mutual legal assistance, on {today}" in body
    # Cooperation declarations only (16(5), 18(13), 18(14)), not 5(3).
    assert "Requests accepted in French" in body
    assert "Central authority: Ministry of Justice" in body
    assert "Takes the Convention as a basis" in body
    assert "Organized group required" not in body
    # Languages: declared, and accepted by central authorities.
    assert 'Declared (18(14)): <span lang="fr">French</span>' in body
    assert 'Declared (18(14)): <span lang="es">Spanish</span>' in body
    # Central authorities (not the executing one) and the profiles.
    assert "Bureau de l&#x27;entraide pénale internationale" in body
    assert "Parquet de Paris" not in body
    assert "Fiscalía General de la República" in body
    assert "about 120 days" in body
    # Treaties in force between them.
    section = body.split('id="treaties-heading"')[1].split("</section>")[0]
    assert "France-Mexico treaty on mutual legal assistance" in section
    assert "United Nations Convention against Transnational Organized Crime" in section
    assert "<td>2003-09-29</td>" in section
    # The legal basis, from the engine.
    legal = body.split('id="legal-basis"')[1]
    assert "Legal basis for Mutual legal assistance" in legal
    assert "France-Mexico treaty on mutual legal assistance" in legal
    assert "Where to send it" in legal


def test_compare_on_an_earlier_date(d):
    status, body = get(
        reverse("directory:compare"),
        data={"a": "FRA", "b": "MEX", "type": "extradition", "date": "2003-01-01"},
    )
    assert status == 200
    section = body.split('id="treaties-heading"')[1].split("</section>")[0]
    assert "Treaties in force between them on 2003-01-01" in section
    assert "France-Mexico treaty" in section
    assert "United Nations Convention" not in section


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"a": "FRA", "b": "FRA", "type": "mla"}, "Choose two different States."),
        ({"a": "FRA", "b": "ZZZ", "type": "mla"}, "Select a valid choice."),
        ({"a": "FRA", "b": "MEX", "type": "hug"}, "Select a valid choice."),
        ({"a": "FRA", "b": "MEX", "type": "mla", "date": "yesterday"}, "Enter a valid date."),
        ({"a": "FRA", "b": "MEX", "type": "mla", "date": "1999-01-01"}, "the Convention dates from 2000"),
        ({"a": "FRA", "type": "mla"}, "This field is required."),
        ({"b": "MEX"}, "This field is required."),
        ({"foo": "bar"}, "This field is required."),
    ],
)
def test_compare_bad_params_are_form_errors_with_422(d, params, message):
    status, body = get(reverse("directory:compare"), data=params)
    assert status == 422
    assert "Please correct the following" in body
    assert message in body
    assert 'id="legal-basis"' not in body


# --- N+1 guards -----------------------------------------------------------------------------


def _queries(url: str, **data: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert Client().get(url, data=data).status_code == 200
    return len(ctx.captured_queries)


def _authority_with_contact(state: State, name: str) -> None:
    AuthorityContactFactory(authority=AuthorityFactory(state=state, name=name), languages=["pt"])


def test_state_page_query_count_does_not_grow(d):
    brazil = StateFactory(code="BRA", name="Brazil")
    RequirementProfileFactory(state=brazil)
    DeclarationFactory(state=brazil)
    TreatyPartyFactory(treaty=untoc(), state=brazil)
    _authority_with_contact(brazil, "One")
    url = reverse("directory:state", args=["BRA"])
    one = _queries(url)
    _authority_with_contact(brazil, "Two")
    _authority_with_contact(brazil, "Three")
    AuthorityFactory(state=brazil, name="Four, without an entry")
    RequirementProfileFactory(state=brazil, subject="extradition")
    DeclarationFactory(state=brazil, article="16(5)")
    TreatyPartyFactory(state=brazil)
    assert _queries(url) == one


def test_search_query_count_does_not_grow(d):
    brazil = StateFactory(code="BRA", name="Brazil")
    _authority_with_contact(brazil, "One")
    url = reverse("directory:search")
    one = _queries(url, language="pt")
    one_all = _queries(url)
    _authority_with_contact(brazil, "Two")
    _authority_with_contact(brazil, "Three")
    assert _queries(url, language="pt") == one
    assert _queries(url) == one_all


def test_compare_query_count_does_not_grow(d):
    params = {"a": "FRA", "b": "MEX", "type": "mla"}
    _queries(reverse("directory:compare"), **params)  # the engine's snapshot is built once
    one = _queries(reverse("directory:compare"), **params)
    _authority_with_contact(d.mex, "Second central authority")
    _authority_with_contact(d.mex, "Third central authority")
    _queries(reverse("directory:compare"), **params)
    assert _queries(reverse("directory:compare"), **params) == one


# --- Leaks: public pages never carry State-owned data ---------------------------------------


def test_public_pages_never_show_state_owned_data(d):
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
    urls = [
        reverse("directory:search"),
        reverse("directory:search") + "?q=Bureau",
        reverse("directory:state", args=["FRA"]),
        reverse("directory:authority", args=[d.fra_ca.code]),
        reverse("directory:compare") + "?a=FRA&b=MEX&type=mla",
    ]
    for url in urls:
        status, body = get(url)
        assert status == 200, url
        for secret_text in (
            "secret-export-token",
            token.prefix,
            secret,
            "case-fra-4711",
            "case.secret_viewed",
            "amelie",
        ):
            assert secret_text not in body, (url, secret_text)
