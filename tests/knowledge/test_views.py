"""The public knowledge-base pages: search with facets, an entry, the cooperation articles, the
digest page; what they show (exact values), what they refuse (404, 422), an N+1 guard, the links
from the directory and the request writer, and that nothing State-owned or login-only leaks."""

from __future__ import annotations

import re
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comity.core.enums import Role
from comity.knowledge.models import Entry
from comity.knowledge.seed import seed_examples
from comity.knowledge.services import entry_upsert
from tests.conftest import logged_in
from tests.factories import StateFactory, make_world, secret_events

pytestmark = pytest.mark.django_db

SEARCH = "/knowledge/"
_keys = count(1)


def make_entry(**fields: Any) -> Entry:
    """An entry through the service (so the search index has it); a case by default."""
    data: dict[str, Any] = {
        "source_key": f"test:{next(_keys)}",
        "kind": "case",
        "title": "A case",
        "language": "en",
        **fields,
    }
    return entry_upsert(data=data)


@pytest.fixture
def states(db: Any) -> None:
    for code, name, names in (
        ("FRA", "France", {"fr": "France", "es": "Francia"}),
        ("MEX", "Mexico", {"fr": "Mexique", "es": "México"}),
        ("EGY", "Egypt", {"fr": "Égypte", "es": "Egipto"}),
        ("DEU", "Germany", {"fr": "Allemagne"}),
    ):
        StateFactory(code=code, name=name, names={"en": name, **names})


@pytest.fixture
def examples(states: None) -> None:
    seed_examples()


def get(url: str, **extra: Any) -> tuple[int, str]:
    response = Client().get(url, **extra)
    return response.status_code, response.content.decode()


def hit_titles(html: str) -> list[str]:
    return re.findall(r'<li class="card kb-hit">\s*<h3><a href="/knowledge/[a-z0-9]+/">([^<]+)</a>', html)


# --- Search ----------------------------------------------------------------------------------


def test_search_page_is_public_and_browses_everything(examples):
    status, html = get(SEARCH)
    assert status == 200
    assert "21 entries" in html
    assert len(hit_titles(html)) == 20  # one page
    assert 'rel="next"' in html
    assert "page 1 of 2" in html


def test_search_phrase_and_article_filter(examples):
    status, html = get(SEARCH, data={"q": '"controlled delivery"', "article": "20", "kind": "case"})
    assert status == 200
    assert "3 entries" in html
    assert sorted(hit_titles(html)) == [
        "Example: Controlled delivery of a cocaine shipment from Veracruz to Le Havre",
        "Example: Controlled delivery of trafficked antiquities not agreed in time",
        "Example: Parcels of firearm parts followed by controlled delivery from Germany to Egypt",
    ]
    # The match is highlighted in the snippet, and the active filters can be removed one by one.
    assert "<mark>" in html
    chips = re.findall(r'<a class="kb-chip" href="([^"]+)"', html)
    assert len(chips) == 2
    assert [c.replace("&amp;", "&") for c in chips] == [
        "/knowledge/?q=%22controlled+delivery%22&kind=case",  # remove the article
        "/knowledge/?q=%22controlled+delivery%22&article=20",  # remove the kind
    ]
    assert "Article of the Convention: Art. 20 — Special investigative techniques" in html


def test_facets_or_within_and_across(examples):
    _status, one = get(SEARCH, data={"kind": "case", "state": "EGY"})
    _status, two = get(SEARCH, data={"kind": "case", "state": ["EGY", "DEU"]})
    _status, both = get(SEARCH, data={"kind": "case", "state": "EGY", "article": "16"})
    assert "7 entries" in one  # cases involving Egypt
    assert "7 entries" in two  # Germany's one case also involves Egypt
    assert "2 entries" in both  # Egypt AND article 16
    # The facet sidebar links add a value (OR) to the current search; the active one is checked.
    facet = re.search(r'<section class="kb-facet" aria-labelledby="facet-state">(.*?)</section>', one, re.S)
    assert facet is not None
    assert 'class="kb-facet-value is-active" href="/knowledge/?kind=case"' in facet.group(1)
    assert 'href="/knowledge/?kind=case&amp;state=EGY&amp;state=FRA"' in facet.group(1)
    # A facet with an active value is counted without its own filter: the other States show how
    # many cases each has, so that adding one (OR) is a visible choice.
    counts = dict(
        re.findall(
            r'<span class="kb-facet-label">(?:<span[^>]*>[^<]*</span>)?([^<]+)</span> <span class="kb-facet-count">(\d+)</span>',
            facet.group(1),
        )
    )
    assert (counts["Egypt"], counts["France"], counts["Mexico"], counts["Germany"]) == ("7", "10", "8", "1")
    kinds = re.search(r'<section class="kb-facet" aria-labelledby="facet-kind">(.*?)</section>', one, re.S)
    assert kinds is not None
    assert "Legislation" in kinds.group(1)  # Egypt's legislation entry: kind=legislation is a choice too


def test_snippet_is_escaped_and_only_the_mark_is_html(states):
    make_entry(title="<script>alert(1)</script> delivery", body="a <b>controlled</b> delivery & more")
    _status, html = get(SEARCH, data={"q": "delivery"})
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>controlled</b>" not in html
    assert "<mark>" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"article": "99"}, "is not an article of the Convention"),
        ({"state": "france"}, "is not an ISO 3166-1 alpha-3 code"),
        ({"kind": "novel"}, "is not a known kind code"),
        ({"colour": "red"}, "Unknown filter &#x27;colour&#x27;"),
        ({"year": "12"}, "is not a year between 1900 and 2100"),
        ({"page": "0"}, "Ensure this value is greater than or equal to 1"),
        ({"page": "x"}, "Enter a whole number"),
        ({"q": "x" * 201}, "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_parameters_are_a_422_page_with_the_reason(examples, params, message):
    status, html = get(SEARCH, data=params)
    assert status == 422
    assert message in html
    assert "kb-hit" not in html


def test_a_page_after_the_last_one(examples):
    status, html = get(SEARCH, data={"page": "9"})
    assert status == 200
    assert "There are no results on this page." in html


def test_search_n_plus_one_guard(states):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert Client().get(SEARCH).status_code == 200
        return len(ctx.captured_queries)

    make_entry(title="One", states=["FRA"])
    one = queries()
    make_entry(title="Two", states=["MEX"])
    make_entry(title="Three", states=["EGY", "DEU"])
    assert queries() == one


# --- Entry -----------------------------------------------------------------------------------


def test_entry_page_shows_every_field_with_labels(examples):
    entry = Entry.objects.get(source_key="example:case-cd-veracruz-le-havre")
    status, html = get(reverse("knowledge:entry", args=[entry.code]))
    assert status == 200
    assert '<h1 id="entry-title" lang="en">Example: Controlled delivery of a cocaine shipment' in html
    assert "Example entry." in html
    for text in (
        "Mutual legal assistance",  # cooperation type label, not the code
        "Controlled delivery; Bank account and transaction records",
        "Drug trafficking; Participation in an organized criminal group (art. 5)",
        "Differences between legal systems; Delay in execution",
        "Granted / executed",
        "21 days",
        "Obstacles met",
        "Good practices",
        "France needed the authorisation of a judge",
        "Liaison officers of both States drew up one operational plan",
    ):
        assert text in html, text
    # Articles link back to the search by their top-level article; States show their names.
    assert '<a href="/knowledge/?article=20">20(4)</a>' in html
    assert '<a href="/knowledge/?article=27">27(1)(b)</a>' in html
    assert '<a href="/knowledge/?state=MEX">Mexico</a> <code>MEX</code>' in html


def test_entry_page_in_french_uses_the_translation(examples):
    entry = Entry.objects.get(source_key="example:case-cd-veracruz-le-havre")
    _status, html = get(reverse("knowledge:entry", args=[entry.code]), HTTP_ACCEPT_LANGUAGE="fr")
    assert "Exemple : Livraison surveillée d&#x27;une cargaison de cocaïne de Veracruz au Havre" in html
    assert '<a href="/knowledge/?state=MEX">Mexique</a>' in html


def test_legislation_entry_shows_its_provisions(examples):
    entry = Entry.objects.get(source_key="example:legislation-mex-extradition")
    _status, html = get(reverse("knowledge:entry", args=[entry.code]))
    assert "Provisions" in html
    assert "<td>illustrative provision 1</td>" in html
    assert "<td>16(4)</td>" in html


@pytest.mark.parametrize("code", ["nosuchcode23", "UPPER", "a" * 17, "..%2f"])
def test_unknown_or_malformed_entry_is_404(examples, code):
    assert Client().get(f"/knowledge/{code}/").status_code == 404


# --- Articles and digest pages ---------------------------------------------------------------


def test_articles_page_links_each_article_to_its_entries(examples):
    status, html = get(reverse("knowledge:articles"))
    assert status == 200
    assert html.count('class="card kb-article"') == 12
    assert "Article 20: Special investigative techniques" in html
    assert '<a href="/knowledge/?article=20">5 entries about article 20</a>' in html
    assert '<a href="/knowledge/?article=17">1 entry about article 17</a>' in html
    assert '<a href="/knowledge/?article=12">2 entries about article 12</a>' in html


def test_beyond_the_cap_pages_say_more_than(examples, monkeypatch):
    from comity.knowledge import digest
    from comity.knowledge.search import common

    for n in range(21):
        make_entry(title=f"Case {n}", articles=["12"], states=["FRA"], year=2020, cooperation_types=["mla"])
    monkeypatch.setattr(common, "CANDIDATE_CAP", 20)
    monkeypatch.setattr(digest, "_CHUNK", 10)
    status, html = get(SEARCH + "?q=")
    assert status == 200
    assert "More than 20 entries: the 20 most recently added are ranked" in html
    status, html = get(reverse("knowledge:articles"))
    assert '<a href="/knowledge/?article=12">More than 20 entries about article 12</a>' in html
    assert '<a href="/knowledge/?article=20">5 entries about article 20</a>' in html
    status, html = get(reverse("knowledge:digest") + "?article=12&show=1")
    assert status == 200
    assert "More than 20 cases match this selection." in html


def test_digest_page_form_then_digest_then_pdf(examples):
    status, html = get(reverse("knowledge:digest"))
    assert status == 200
    assert "Show the digest" in html
    assert "dg-selection" not in html  # no digest before a selection is submitted

    params = {"article": "20", "state": "FRA", "year_from": "2010", "year_to": "2024", "show": "1"}
    status, html = get(reverse("knowledge:digest"), data=params)
    assert status == 200
    assert "2 cases match this selection." in html
    assert "Article 20: Special investigative techniques" in html
    pdf_link = re.search(r'<a class="button" href="([^"]+)" download>', html)
    assert pdf_link is not None
    assert pdf_link.group(1).replace("&amp;", "&") == (
        "/knowledge/digest/pdf/?article=20&state=FRA&year_from=2010&year_to=2024"
    )
    response = Client().get(pdf_link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="comity-digest-')
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"article": "99"}, "Select a valid choice. 99 is not one of the available choices."),
        ({"state": "XXX"}, "Select a valid choice. XXX is not one of the available choices."),
        ({"year_from": "2020", "year_to": "2010"}, "The last year comes before the first."),
        ({"year_from": "20x0"}, "Enter a whole number."),
        (
            {"cooperation_type": "bribery"},
            "Select a valid choice. bribery is not one of the available choices.",
        ),
    ],
)
def test_digest_rejects_bad_selections(examples, params, message):
    for url in (reverse("knowledge:digest"), reverse("knowledge:digest_pdf")):
        status, html = get(url, data=params)
        assert status == 422
        assert message in html


# --- Public, and nothing else leaks -----------------------------------------------------------


def test_public_pages_leak_nothing_and_login_pages_stay_closed(examples):
    world = make_world(Role.DRAFTER, Role.SUPERVISOR)
    secret_events(world)
    entry = Entry.objects.get(source_key="example:case-cd-veracruz-le-havre")
    for url in (
        SEARCH,
        reverse("knowledge:entry", args=[entry.code]),
        reverse("knowledge:articles"),
        reverse("knowledge:digest") + "?show=1",
    ):
        status, html = get(url)
        assert status == 200, url
        for secret in ("case-of-x", "case-of-y", "case-of-z", "Authority X", "alice"):
            assert secret not in html, (url, secret)
        assert 'href="/accounts/login/"' in html  # anonymous: the "Log in" button, no account menu
    # The knowledge base is open; the case and drafting pages still need a login.
    for url in ("/cases/", "/drafting/", "/audit/", "/dashboard/", "/me/tokens/"):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")
    # Logged in, the same public page works and shows the navigation link.
    _status = logged_in(world.alice).get(SEARCH).status_code
    assert _status == 200


def test_navigation_links_to_the_knowledge_base(db):
    _status, html = get("/")
    assert '<li><a href="/knowledge/">Knowledge base</a></li>' in html


# --- Links from the directory and the request writer ------------------------------------------


def test_directory_state_page_lists_legislation_and_cases(examples):
    status, html = get(reverse("directory:state", args=["MEX"]))
    assert status == 200
    section = html[html.index('id="knowledge-heading"') :]
    assert "Example: Mexico — extradition without a treaty (illustration)" in section
    assert section.count("/knowledge/") >= 7  # 1 legislation + 5 newest cases + the two "all" links
    assert 'href="/knowledge/?kind=case&amp;state=MEX"' in section
    assert 'href="/knowledge/?kind=legislation&amp;state=MEX"' in section
    # Five newest cases, newest first.
    cases = re.findall(
        r"<li><a href=\"/knowledge/[a-z0-9]+/\">(Example: [^<]+)</a> \((\d{4})\)</li>", section
    )
    years = [int(y) for title, y in cases if "illustration" not in title]
    assert years == [2024, 2023, 2022, 2022, 2021]


def test_request_writer_links_to_cases_about_the_requested_state_and_measures(db):
    from comity.core.tenancy import state_scope
    from comity.drafting.services import draft_update
    from tests.conftest import principal
    from tests.drafting.test_drafts import make_draft

    world = make_world(Role.DRAFTER)
    draft = make_draft(world.alice, requested="BBB")
    make_entry(title="About B, controlled delivery", states=["BBB"], measures=["controlled_delivery"])
    make_entry(title="About B, bank records", states=["BBB"], measures=["bank_records"])
    make_entry(title="About B, no measure", states=["BBB"])
    make_entry(title="About A", states=["AAA"], measures=["controlled_delivery"])
    make_entry(kind="guide", title="A guide about B", states=["BBB"], measures=["controlled_delivery"])
    client = logged_in(world.alice)
    url = reverse("drafting:step", args=[draft.code, "parties"])

    html = client.get(url).content.decode()
    assert '<a href="/knowledge/?kind=case&amp;state=BBB">3 cases about State B</a>' in html

    actor = principal(world.alice)
    with state_scope(actor.authority.state_id):
        draft_update(
            actor=actor,
            draft=draft,
            changes={"measures": [{"measure": "controlled_delivery"}, {"measure": "search_and_seizure"}]},
        )
    html = client.get(url).content.decode()
    link = (
        '<a href="/knowledge/?kind=case&amp;state=BBB&amp;measure=controlled_delivery&amp;'
        'measure=search_and_seizure">1 case about State B and these measures</a>'
    )
    assert link in html
    # The link's count is the search page's count for the same query.
    _status, found = get(
        "/knowledge/?kind=case&state=BBB&measure=controlled_delivery&measure=search_and_seizure"
    )
    assert "1 entry" in found
    assert hit_titles(found) == ["About B, controlled delivery"]
