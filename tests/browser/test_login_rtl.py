"""Journey: log in with password and TOTP, switch to Arabic, check the right-to-left layout."""

from __future__ import annotations

import pyotp
import pytest

from comity.core.enums import Role
from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD, TOTP_SECRET, AuthorityFactory, StateFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_with_totp_then_arabic_is_right_to_left(live_server, page):
    state = StateFactory(code="EGY", name="Egypt")
    authority = AuthorityFactory(state=state, name="مكتب النائب العام — إدارة التعاون الدولي")
    member("amira", authority, Role.CENTRAL_AUTHORITY_OFFICER, Role.AUDITOR)

    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Log in").first.click()
    page.fill("input[name=login]", "amira")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()

    # Second factor.
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.fill("input[name=code]", pyotp.TOTP(TOTP_SECRET).now())
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/dashboard/")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator("html").get_attribute("dir") == "ltr"

    # Switch to Arabic with the language selector (submits itself on change).
    with page.expect_navigation():
        page.select_option("#language-select", "ar")
    html = page.locator("html")
    assert html.get_attribute("lang") == "ar"
    assert html.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # Mirrored layout: the brand sits at the right edge, the header tools at the left.
    brand = page.locator(".brand").bounding_box()
    tools = page.locator(".header-tools").bounding_box()
    assert brand is not None
    assert tools is not None
    assert brand["x"] > tools["x"]
    assert brand["x"] + brand["width"] > 1280 - 60
    # The interface is in Arabic (the dashboard heading is translated).
    assert page.locator("h1").inner_text() != "Dashboard"
    page.screenshot(path=str(ARTIFACTS / "dashboard-arabic-rtl.png"), full_page=True)
