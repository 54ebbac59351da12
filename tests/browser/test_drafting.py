"""Journey: a Mexican prosecutor drafts a request to France for bank records. France's profile
requires a court order for them; the review lists what is missing (the court order among it),
each item links to the step that fixes it; once complete, the DOCX and PDF are downloaded."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from comity.core.enums import AuthorityKind, Role
from tests.browser.conftest import ARTIFACTS
from tests.directory.factories import RequirementProfileFactory, make_directory
from tests.factories import PASSWORD, TOTP_SECRET, AuthorityFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Log in").first.click()
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", pyotp.TOTP(TOTP_SECRET).now())
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/dashboard/")


def settle(page) -> None:
    """Leave the field being edited and let its inline validation (an htmx request) finish, so
    that it does not race the form's own submission."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    expect(page.locator(".htmx-request")).to_have_count(0)


def save(page, label: str = "Save") -> None:
    settle(page)
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Saved.")


def download(page, fmt: str) -> tuple[str, int]:
    """Click a download button; the response's content type and the file's size."""
    with (
        page.expect_response(re.compile(r".*/export/$")) as response_info,
        page.expect_download() as download_info,
    ):
        page.get_by_role("button", name=f"Download {fmt}").click()
    path = download_info.value.path()
    return response_info.value.headers["content-type"], path.stat().st_size


def test_draft_bank_records_request_complete_it_and_download(live_server, page):
    directory = make_directory()
    RequirementProfileFactory(
        state=directory.fra,
        subject="bank_records",
        judicial_order_for_coercive="yes",
        special_requirements="Bank records need an order of a judge.",
    )
    prosecutors = AuthorityFactory(
        state=directory.mex,
        name="Fiscalía Especializada en Delincuencia Organizada",
        kind=AuthorityKind.COMPETENT_AUTHORITY,
    )
    member("marta", prosecutors, Role.DRAFTER)
    log_in(page, live_server.url, "marta")

    # Start a request: MLA to France, in French (a language France accepts).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Requests").click()
    page.get_by_role("link", name="New request").click()
    page.select_option("#id_request_type", "mla")
    page.select_option("#id_requested_state", "FRA")
    page.select_option("#id_language", "fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Start drafting").click()
    expect(page.locator("h1")).to_contain_text("Parties and legal basis")
    expect(page.locator(".guidance")).to_contain_text("France accepts requests in: French")
    expect(page.locator("#id_requested_authority__name")).to_have_value(
        "Bureau de l'entraide pénale internationale"
    )

    # The legal-basis engine's answer, and its bases taken into the request.
    expect(page.locator("#legal-basis .verdict")).to_have_text("The Convention applies")
    with page.expect_navigation():
        page.get_by_role("button", name="Use the legal bases found by the engine").click()
    expect(page.locator("#document-bases")).to_contain_text("France-Mexico treaty on mutual legal assistance")
    save(page)

    # The measure: bank records. Choosing it shows the bank fields (htmx, no reload).
    page.get_by_role("navigation", name="Steps of the request").get_by_role("link", name="Measures").click()
    page.select_option("#id_measures-0-measure", "bank_records")
    expect(page.locator("#id_measures-0-bank__account")).to_be_visible()
    page.fill("#id_measures-0-description", "Certified statements of the account and its opening file.")
    page.fill("#id_measures-0-bank__bank", "Banque Exemple, Paris")
    page.fill("#id_measures-0-bank__account", "FR76 0000 0000 0000 0000 0000 000")
    page.fill("#id_measures-0-bank__period_from", "2024-01-01")
    page.fill("#id_measures-0-bank__period_to", "2025-06-30")
    save(page)
    expect(page.locator(".guidance")).to_contain_text(
        "Bank account and transaction records: France requires a court order."
    )

    # The review: what is missing, with the article and the step that fixes it.
    page.get_by_role("link", name="Review").click()
    missing = page.locator("#missing")
    expect(missing.locator("tr[data-code=court_order]")).to_contain_text("requires a judicial order")
    codes = missing.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert codes == [
        "subject_and_nature",
        "facts_summary",
        "purpose",
        "offence_provisions",
        "contact_person",
        "signature",
        "dual_criminality_statement",
        "court_order",
    ]
    expect(missing.locator("tr[data-code=subject_and_nature] td").nth(1)).to_have_text("18(15)(b)")

    # Fix each: follow the link of the first missing item until none is left.
    missing.locator("tr[data-code=court_order]").get_by_role("link", name="Statements").click()
    expect(page.locator(".guidance")).to_contain_text(
        "France requires a judicial order for coercive measures"
    )
    page.fill(
        "#id_statements__dual_criminality",
        "Laundering is an offence under article 324-1 of the French Criminal Code.",
    )
    page.fill(
        "#id_statements__court_order", "Order of the federal judge of Mexico City of 3 March 2026, attached."
    )
    save(page)

    page.goto(f"{page.url.rsplit('/steps/', 1)[0]}/steps/proceeding/")
    page.fill(
        "#id_proceeding__subject_and_nature",
        "Investigation into the laundering of the proceeds of drug trafficking.",
    )
    page.fill("#id_proceeding__conducting_authority", "Fiscalía Especializada en Delincuencia Organizada")
    page.fill(
        "#id_proceeding__conducting_authority_functions", "Federal prosecution service for organised crime"
    )
    save(page, "Save and continue")

    expect(page.locator("h1")).to_contain_text("Offences")
    page.fill("#id_offences-0-description", "Laundering of the proceeds of drug trafficking, 2024-2025.")
    page.fill("#id_offences-0-legal_provisions", "Article 400 bis of the Federal Criminal Code.")
    page.fill("#id_offences-0-max_penalty_years", "15")
    page.select_option("#id_offences-0-untoc_article", "6")
    save(page, "Save and continue")

    expect(page.locator("h1")).to_contain_text("Facts and purpose")
    page.fill("#id_facts_summary", "Transfers of USD 2 million from Mexico to an account in Paris in 2024.")
    page.fill("#id_purpose", "To trace the proceeds and use the records as evidence at trial.")
    save(page)

    # Inline validation (htmx): a bad e-mail address is flagged when leaving the field.
    page.get_by_role("navigation", name="Steps of the request").get_by_role(
        "link", name="Contact and signature"
    ).click()
    page.fill("#id_contact__name", "Marta Ejemplo")
    page.fill("#id_contact__email", "not an address")
    page.locator("#id_contact__phone").focus()
    expect(page.locator("#id_contact__email_error")).to_contain_text("Enter a valid email address.")
    expect(page.locator("#id_contact__email")).to_have_attribute("aria-invalid", "true")
    page.fill("#id_contact__email", "marta@fiscalia.example.mx")
    page.fill("#id_contact__phone", "+52 55 0000 0000")
    page.fill("#id_signature__name", "Marta Ejemplo")
    page.fill("#id_signature__function", "Fiscal federal")
    page.fill("#id_signature__date", "2026-03-10")
    save(page)

    # Complete: download the formal request in French, as DOCX and PDF.
    page.get_by_role("link", name="Review").click()
    expect(page.locator("#check-result .verdict")).to_contain_text(
        "Nothing is missing for a request to France."
    )
    expect(page.locator("#id_language")).to_have_value("fr")
    content_type, size = download(page, "DOCX")
    assert (content_type, size > 0) == (DOCX, True)
    content_type, size = download(page, "PDF")
    assert (content_type, size > 0) == ("application/pdf", True)
    page.screenshot(path=str(ARTIFACTS / "drafting-review.png"), full_page=True)
