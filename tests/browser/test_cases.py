"""Journey: in Mexico a drafter sends a draft to case management and submits it, a supervisor
approves it, the central authority sends it. France receives the copy (created here as the hub
would, with the same global id); its central authority officer registers it, asks for additional
information, records the answer, forwards it for execution, records a partial execution and
closes it. Both timelines show what happened on their side."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from playwright.sync_api import expect

from comity.accounts.principal import Principal
from comity.cases.models import Request
from comity.cases.services import request_register_incoming
from comity.core.enums import AuthorityKind, Role
from comity.core.tenancy import state_scope, unscoped
from comity.drafting.services import draft_create, draft_update
from tests.browser.conftest import ARTIFACTS
from tests.directory.factories import make_directory
from tests.factories import PASSWORD, TOTP_SECRET, AuthorityFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", pyotp.TOTP(TOTP_SECRET).now())
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/dashboard/")


def log_out(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    page.context.clear_cookies()


def act(page, key: str, fields: dict[str, str], button: str, *, select: dict[str, str] | None = None) -> None:
    """Fill one action form of the request page and submit it."""
    section = page.locator(f"#action-{key}-section")
    for name, value in (select or {}).items():
        section.locator(f"select[name={name}]").select_option(value)
    for name, value in fields.items():
        section.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        section.get_by_role("button", name=button).click()
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator(".error-summary")).to_have_count(0)


def change_status(page, status: str, text: str = "", **extra: str) -> None:
    act(page, "transition", {"text": text, **extra}, "Change status", select={"to_status": status})


def test_request_from_draft_to_partial_execution_on_both_sides(live_server, page):
    directory = make_directory()
    mex_ca = AuthorityFactory(state=directory.mex, name="FGR — Unidad de cooperación (prueba)")
    fra_ca = AuthorityFactory(state=directory.fra, name="BEPI — cellule de test")
    AuthorityFactory(
        state=directory.fra,
        name="Tribunal judiciaire de Paris (test)",
        kind=AuthorityKind.EXECUTING_AUTHORITY,
    )
    marta = member("marta", mex_ca, Role.DRAFTER)
    member("sofia", mex_ca, Role.SUPERVISOR)
    member("carlos", mex_ca, Role.CENTRAL_AUTHORITY_OFFICER)
    member("mateo", mex_ca, Role.AUDITOR)  # reads the timeline at the end (a TOTP code is used once)
    claire = member("claire", fra_ca, Role.CENTRAL_AUTHORITY_OFFICER)
    drafter = Principal(user=marta, authority=mex_ca, roles=frozenset({Role.DRAFTER}))
    with state_scope(directory.mex.pk):
        draft = draft_create(actor=drafter, request_type="mla", requested_state="FRA", language="es")
        draft_update(
            actor=drafter,
            draft=draft,
            changes={"reference": "FEMDO-2026-301", "facts_summary": "Lavado de dinero a través de París."},
        )
    base = live_server.url

    # Mexico: the drafter sends the draft to case management and submits it for review.
    log_in(page, base, "marta")
    page.goto(f"{base}/cases/new/?draft={draft.code}")
    page.fill("#id_title", "Registros bancarios en París")
    page.fill("#id_case_reference", "FEMDO-2026-301")
    page.fill("#id_case_title", "Lavado — red Paris")
    with page.expect_navigation():
        page.get_by_role("button", name="Send to case management").click()
    expect(page.locator("#request-status")).to_have_text("Draft")
    change_status(page, "in_review", "Listo para revisión.")
    expect(page.locator("#request-status")).to_have_text("In review")
    detail_url = page.url
    log_out(page)

    # The supervisor approves (four eyes), the central authority sends.
    log_in(page, base, "sofia")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("link", name="Awaiting review").first.click()
    page.get_by_role("link", name="Registros bancarios en París").click()
    change_status(page, "approved", "Aprobado.")
    log_out(page)
    log_in(page, base, "carlos")
    page.goto(detail_url)
    change_status(page, "sent")
    expect(page.locator("#request-status")).to_have_text("Sent")

    # The hub delivers France's copy.
    with unscoped(reason="test: the outgoing copy the hub carries"):
        outgoing = Request.objects.get(title="Registros bancarios en París")
    hub = Principal(user=claire, authority=fra_ca, roles=frozenset({Role.CENTRAL_AUTHORITY_OFFICER}))
    with state_scope(directory.fra.pk):
        copy = request_register_incoming(
            actor=hub,
            document=outgoing.document,
            their_reference="FEMDO-2026-301",
            received_on=dt.date.today(),
            title="Registros bancarios en París",
        )
        Request.objects.filter(pk=copy.pk).update(global_id=outgoing.global_id)
    log_out(page)

    # France: register, ask for information, record it, forward, execute partially, close.
    log_in(page, base, "claire")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("link", name="Awaiting registration").first.click()
    page.get_by_role("link", name="Registros bancarios en París").click()
    change_status(page, "registered", our_reference="BEPI-2026-512")
    act(page, "info_request", {"text": "Merci de préciser la banque et la période."}, "Record the question")
    expect(page.locator("#request-status")).to_have_text("Additional information requested")
    act(page, "info_provide", {"text": "BNP Paribas, 2024-01 a 2025-03."}, "Record")
    act(page, "assign", {}, "Assign", select={"executing_authority": "Tribunal judiciaire de Paris (test)"})
    expect(page.locator("#request-status")).to_have_text("In execution")
    change_status(page, "partially_executed", "Relevés 2024 transmis ; 2025 introuvables.")
    change_status(page, "closed")
    expect(page.locator("#request-status")).to_have_text("Closed")
    timeline = page.locator("#timeline")
    for text in (
        "Additional information requested",
        "Merci de préciser la banque et la période.",
        "BNP Paribas, 2024-01 a 2025-03.",
        "Forwarded for execution",
        "Relevés 2024 transmis ; 2025 introuvables.",
        "Closed",
    ):
        expect(timeline).to_contain_text(text)
    page.screenshot(path=str(ARTIFACTS / "cases-timeline.png"), full_page=True)
    log_out(page)

    # Mexico's timeline shows its side.
    log_in(page, base, "mateo")
    page.goto(detail_url)
    timeline = page.locator("#timeline")
    for text in ("Created", "In review", "Approved", "Sent", "Listo para revisión.", "Aprobado."):
        expect(timeline).to_contain_text(text)
    page.screenshot(path=str(ARTIFACTS / "cases-timeline-outgoing.png"), full_page=True)
