"""Journey: search the knowledge base for "controlled delivery", filter by article 20, open an
entry, then make a digest of the matching cases and download it as a PDF."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from comity.knowledge.seed import seed_examples
from tests.browser.conftest import ARTIFACTS
from tests.factories import StateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VERACRUZ = "Example: Controlled delivery of a cocaine shipment from Veracruz to Le Havre"
SCREENSHOTS = Path("/tmp")  # noqa: S108 - also copied to the artifacts directory


def shot(page, name: str) -> None:
    path = SCREENSHOTS / f"kb-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    shutil.copy(path, ARTIFACTS / path.name)


def test_search_filter_open_entry_and_download_a_digest(live_server, page):
    for code, name in (("FRA", "France"), ("MEX", "Mexico"), ("EGY", "Egypt"), ("DEU", "Germany")):
        StateFactory(code=code, name=name, names={"en": name})
    seed_examples()

    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Knowledge base").click()
    page.wait_for_url("**/knowledge/")
    expect(page.locator("h1")).to_have_text("Knowledge base")

    # Search for the phrase.
    page.get_by_label("Words or a phrase in quotes").fill('"controlled delivery"')
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r".*/knowledge/\?q=%22controlled\+delivery%22$"))
    expect(page.locator(".kb-count")).to_have_text("5 entries")  # three cases, a law and the guide
    expect(page.locator(".kb-hit mark").first).to_have_text(re.compile("controlled", re.IGNORECASE))

    # Filter by article 20 in the facet sidebar.
    facet = page.locator(
        "section.kb-facet", has=page.get_by_role("heading", name="Article of the Convention")
    )
    facet.get_by_role("link", name=re.compile(r"Art\. 20 — Special investigative techniques")).click()
    page.wait_for_url(re.compile(r".*article=20.*"))
    expect(page.locator(".kb-count")).to_have_text("5 entries")
    expect(page.locator(".kb-chip")).to_have_text(re.compile(r"Article of the Convention: Art\. 20"))
    facet = page.locator("section.kb-facet", has=page.get_by_role("heading", name="Kind of entry"))
    facet.get_by_role("link", name=re.compile("^Case")).click()
    page.wait_for_url(re.compile(r".*kind=case.*"))
    expect(page.locator(".kb-count")).to_have_text("3 entries")
    expect(page.locator(".kb-chip")).to_have_count(2)
    shot(page, "search")

    # Open an entry.
    page.get_by_role("link", name=VERACRUZ).click()
    page.wait_for_url(re.compile(r".*/knowledge/[a-z0-9]+/$"))
    expect(page.locator("h1")).to_have_text(VERACRUZ)
    facts = page.locator(".kb-entry-facts")
    expect(facts).to_contain_text("Controlled delivery; Bank account and transaction records")
    expect(facts.get_by_role("link", name="20(4)")).to_have_attribute("href", "/knowledge/?article=20")
    expect(page.locator("#obstacles-heading")).to_have_text("Obstacles met")
    shot(page, "entry")

    # The Convention's cooperation articles, each linking to its entries.
    page.get_by_role("link", name="Knowledge base", exact=True).first.click()
    page.get_by_role("link", name="The Convention's cooperation articles").click()
    page.wait_for_url("**/knowledge/articles/")
    article20 = page.locator("#article-20")
    expect(article20.get_by_role("heading")).to_have_text("Article 20: Special investigative techniques")
    expect(article20.locator("dt")).to_have_text(["20(1)", "20(2)", "20(3)", "20(4)"])
    shot(page, "articles")
    article20.get_by_role("link", name="5 entries about article 20").click()
    page.wait_for_url(re.compile(r".*/knowledge/\?article=20$"))
    expect(page.locator(".kb-count")).to_have_text("5 entries")

    # Make a digest of the article 20 cases about France, and download it.
    page.get_by_role("link", name="Make a case digest").click()
    page.wait_for_url("**/knowledge/digest/")
    page.get_by_label("Art. 20 — Special investigative techniques").check()
    page.get_by_label("States").select_option("FRA")
    page.get_by_label("From year").fill("2010")
    page.get_by_label("To year").fill("2024")
    page.get_by_label("Mutual legal assistance", exact=True).check()
    page.get_by_role("button", name="Show the digest").click()
    page.wait_for_url(re.compile(r".*/knowledge/digest/\?.*show=1.*"))
    digest = page.locator("#digest")
    expect(digest.locator(".dg-total")).to_have_text("2 cases match this selection.")
    expect(
        digest.get_by_role("heading", name=re.compile("Article 20: Special investigative techniques"))
    ).to_be_visible()
    expect(digest.locator(".dg-case-table tbody tr")).to_have_count(2)
    shot(page, "digest")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as PDF").click()
    download = download_info.value
    assert re.fullmatch(r"comity-digest-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    pdf = SCREENSHOTS / "kb-digest.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert VERACRUZ in text
    assert "Example: Controlled delivery of trafficked antiquities not agreed in time" in text
    assert "Selection" in text
