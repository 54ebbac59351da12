"""Journey: find an authority by language, open its State, compare two States, read the legal basis."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.directory.factories import make_directory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_by_language_open_state_compare_and_read_the_legal_basis(live_server, page):
    make_directory()

    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Directory").click()
    page.wait_for_url("**/directory/")
    expect(page.locator("h1")).to_have_text("Directory of States and authorities")
    results = page.locator("#authority-results")
    expect(results).to_contain_text("Bundesamt für Justiz")

    # Search by language: htmx swaps the results without reloading the page.
    page.select_option("#id_language", "es")
    expect(results).not_to_contain_text("Bundesamt für Justiz")
    expect(results).to_contain_text("Fiscalía General de la República")
    expect(results.locator("tbody tr")).to_have_count(1)
    assert "language=es" in page.url  # the search is in the address bar, so it can be shared

    # Open the State of the authority found.
    results.get_by_role("link", name="Mexico").click()
    page.wait_for_url("**/directory/states/MEX/")
    expect(page.locator("h1")).to_contain_text("Mexico")
    expect(page.locator("#authorities-heading + .entry-list")).to_contain_text(
        "Fiscalía General de la República"
    )

    # Compare France (requesting) with Mexico (requested) for mutual legal assistance.
    page.get_by_role("link", name="Compare with another State").click()
    page.wait_for_url(re.compile(r".*/directory/compare/\?a=MEX$"))
    page.select_option("#id_a", "FRA")
    page.select_option("#id_b", "MEX")
    page.select_option("#id_type", "mla")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(re.compile(r".*/directory/compare/\?a=FRA&b=MEX&type=mla.*"))
    expect(page.locator("#comparison-heading")).to_contain_text(
        "From France to Mexico: Mutual legal assistance"
    )
    treaties = page.locator("section[aria-labelledby=treaties-heading]")
    expect(treaties).to_contain_text("France-Mexico treaty on mutual legal assistance")
    expect(treaties).to_contain_text("United Nations Convention against Transnational Organized Crime")

    # The legal basis between them, from the engine.
    legal = page.locator("#legal-basis")
    expect(legal.locator(".verdict")).to_have_text("The Convention applies")
    expect(legal.locator(".bases > li").first).to_contain_text(
        "France-Mexico treaty on mutual legal assistance"
    )
    expect(legal).to_contain_text("Where to send it")
    expect(legal).to_contain_text("Fiscalía General de la República")

    page.screenshot(path=str(ARTIFACTS / "directory-compare.png"), full_page=True)
