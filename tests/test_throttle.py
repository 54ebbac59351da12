"""Throttles of the public pages and API (comity.lib.throttle): the request over the limit gets 429
with Retry-After (JSON under /api/, the layout's page elsewhere), other clients and other paths
are not affected, /node/v1/ and static files never are, and a malformed setting stops the start.

Each test sets tiny limits with the `settings` fixture; the cache that holds the counters is
cleared before every test (`tests/conftest.py`). Time is a fake clock where it matters, so
Retry-After is exact and nothing sleeps.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import Client

from comity.api.base import _STATUS_CODES
from comity.lib.throttle import (
    Rate,
    ThrottleMiddleware,
    matching,
    parse_throttles,
    retry_after,
    throttles_from_env,
)
from comity.settings import _DEFAULT_THROTTLES
from tests.api.test_api import token_for
from tests.conftest import logged_in
from tests.factories import make_world

pytestmark = pytest.mark.django_db

A, B = "198.51.100.7", "203.0.113.9"  # documentation addresses (RFC 5737)
PAGE = "/knowledge/articles/"
API = "/api/v1/knowledge/articles"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: Any) -> Clock:
    """time.time() for allauth's counters, the cache's expiry and Retry-After."""
    fake = Clock()
    monkeypatch.setattr(time, "time", fake)
    return fake


@pytest.fixture
def tiny(settings: Any) -> None:
    settings.COMITY_THROTTLES = [
        ("/knowledge/digest/pdf/", "1/m"),
        ("/api/v1/knowledge/", "2/m"),
        ("/knowledge/", "3/m/user"),
    ]


def get(path: str, ip: str = A, client: Client | None = None, **headers: Any) -> HttpResponse:
    return (client or Client()).get(path, REMOTE_ADDR=ip, **headers)


# --- Over the limit -------------------------------------------------------------------------


def test_page_below_the_limit_passes_and_the_next_is_a_429_page_in_the_layout(tiny, clock):
    assert [get(PAGE).status_code for _ in range(3)] == [200, 200, 200]
    clock.now += 20.5
    response = get(PAGE)
    assert response.status_code == 429
    assert response["Retry-After"] == "40"  # the first of the three hits leaves the window at 60 s
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert "<title>Too many requests · Comity</title>" in html
    assert '<header class="site-header">' in html  # web/base.html, like the 403 and 404 pages
    assert "Please wait 40 seconds and try again." in html


def test_api_over_the_limit_is_json_throttled_with_retry_after(tiny, clock):
    assert [get(API).status_code for _ in range(2)] == [200, 200]
    response = get(API)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": _STATUS_CODES[429],
        "message": "Too many requests; try again in 60 seconds.",
    }
    assert _STATUS_CODES[429] == "throttled"


def test_every_path_under_a_prefix_shares_its_budget_and_errors_count(tiny, clock):
    # Search, an unknown entry (404) and the articles page are all under "/knowledge/".
    assert get("/knowledge/").status_code == 200
    assert get("/knowledge/no-such-entry/").status_code == 404
    assert get(PAGE).status_code == 200
    assert get("/knowledge/").status_code == 429
    # The longer prefix listed first has a budget of its own.
    assert get("/knowledge/digest/pdf/?year_from=1").status_code == 422
    assert get("/knowledge/digest/pdf/").status_code == 429


def test_the_window_slides(tiny, clock):
    assert [get(API).status_code for _ in range(3)] == [200, 200, 429]
    clock.now += 59.5
    assert get(API)["Retry-After"] == "1"
    clock.now += 0.5
    assert [get(API).status_code for _ in range(3)] == [200, 200, 429]


def test_several_rates_the_refused_request_counts_against_none(settings, clock):
    settings.COMITY_THROTTLES = [("/knowledge/", "2/m,3/h")]
    assert [get(PAGE).status_code for _ in range(3)] == [200, 200, 429]  # the minute is full
    clock.now += 61
    assert get(PAGE).status_code == 200  # the hour now holds 3
    clock.now += 1
    refused = get(PAGE)  # the minute admits it, the hour does not: the minute gives it back
    assert (refused.status_code, refused["Retry-After"]) == (429, str(3600 - 62))
    clock.now += 1
    # Had the minute kept the refused hit, it would be full now and answer 58 (61 + 60 - 63).
    refused = get(PAGE)
    assert (refused.status_code, refused["Retry-After"]) == (429, str(3600 - 63))


# --- Who is counted -------------------------------------------------------------------------


def test_another_client_address_is_not_affected(tiny, clock):
    assert [get(API, ip=A).status_code for _ in range(3)] == [200, 200, 429]
    assert [get(API, ip=B).status_code for _ in range(2)] == [200, 200]
    assert get(API, ip=A).status_code == 429


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(settings, tiny, clock):
    spoofed = [get(API, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(3)]
    assert spoofed == [200, 200, 429]

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1  # COMITY_TRUSTED_PROXY_COUNT
    behind_proxy = [get(API, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code for _ in range(3)]
    assert behind_proxy == [200, 200, 429]
    assert get(API, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 200


def test_a_signed_in_user_has_a_budget_of_their_own(tiny, clock):
    world = make_world()
    alice = logged_in(world.alice)
    assert [get(PAGE, client=alice).status_code for _ in range(4)] == [200, 200, 200, 429]
    # Same address, other people: a colleague signed in, and an anonymous visitor.
    assert get(PAGE, client=logged_in(world.bob)).status_code == 200
    assert [get(PAGE).status_code for _ in range(3)] == [200, 200, 200]


def test_under_the_api_the_token_owner_is_counted_never_the_session(settings, clock):
    settings.COMITY_THROTTLES = [("/api/v1/knowledge/", "2/m/user")]
    world = make_world()
    _token, secret = token_for(world.alice)
    with_token = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [get(API, client=with_token).status_code for _ in range(3)] == [200, 200, 429]
    # The API ignores sessions: a signed-in browser counts as its address, like anyone without a token.
    session = logged_in(world.alice)
    assert [get(API, client=session).status_code for _ in range(2)] == [200, 200]
    assert get(API).status_code == 429


# --- What is never throttled ----------------------------------------------------------------


def test_a_path_without_a_rule_is_never_throttled(tiny, clock):
    for path in ("/directory/", "/api/v1/health", "/"):
        assert {get(path).status_code for _ in range(10)} == {200}, path


def test_node_protocol_and_static_files_are_never_throttled(settings, clock):
    settings.COMITY_THROTTLES = [("/", "1/m")]  # everything else
    assert [get("/directory/").status_code for _ in range(2)] == [200, 429]
    assert [get("/node/v1/info").status_code for _ in range(5)] == [503] * 5  # no node identity here
    assert {get("/static/comity/app.css").status_code for _ in range(5)} == {200}


def test_the_defaults_cover_the_public_endpoints():
    throttles = parse_throttles(_DEFAULT_THROTTLES)
    never = ("/node/v1/", "/static/")

    def rule(path: str) -> str | None:
        found = matching(throttles, path, never=never)
        return None if found is None else found.prefix

    assert parse_throttles(_DEFAULT_THROTTLES)[0].rates == (Rate(10, 60, "user"), Rate(60, 3600, "user"))
    assert {
        path: rule(path)
        for path in (
            "/knowledge/digest/pdf/",
            "/knowledge/digest/",
            "/knowledge/",
            "/knowledge/case-123/",
            "/knowledge/articles/",
            "/api/v1/knowledge/search",
            "/api/v1/knowledge/entries/x",
            "/directory/compare/",
            "/api/v1/directory/states",
            "/api/v1/legal-basis",
            "/api/v1/openapi.json",
            "/node/v1/messages",
            "/static/comity/app.css",
            "/api/v1/health",
            "/accounts/login/",
            "/cases/",
            "/",
        )
    } == {
        "/knowledge/digest/pdf/": "/knowledge/digest/pdf/",
        "/knowledge/digest/": "/knowledge/digest/",
        "/knowledge/": "/knowledge/",
        "/knowledge/case-123/": "/knowledge/",
        "/knowledge/articles/": "/knowledge/",
        "/api/v1/knowledge/search": "/api/v1/knowledge/",
        "/api/v1/knowledge/entries/x": "/api/v1/knowledge/",
        "/directory/compare/": "/directory/",
        "/api/v1/directory/states": "/api/v1/directory/",
        "/api/v1/legal-basis": "/api/v1/legal-basis",
        "/api/v1/openapi.json": "/api/v1/openapi.json",
        "/node/v1/messages": None,
        "/static/comity/app.css": None,
        "/api/v1/health": None,
        "/accounts/login/": None,  # allauth's own limits (ACCOUNT_RATE_LIMITS)
        "/cases/": None,
        "/": None,
    }


# --- Settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([("/knowledge/", "ten/m")], "'ten/m' for '/knowledge/' is not a rate"),
        ([("/knowledge/", "10/x")], "'10/x' for '/knowledge/' is not a rate"),
        ([("/knowledge/", "0/m")], "'0/m' for '/knowledge/' is not a rate"),
        ([("/knowledge/", "10/0m")], "'10/0m' for '/knowledge/' is not a rate"),
        ([("/knowledge/", "10/m/key")], "'10/m/key' for '/knowledge/' is not a rate"),
        ([("/knowledge/", "10/m,")], "'' for '/knowledge/' is not a rate"),
        ([("/knowledge/", "")], "'' for '/knowledge/' is not a rate"),
        ([("knowledge/", "10/m")], "the path prefix 'knowledge/' must start with '/'"),
        ([("/node/v1/", "10/m")], "'/node/v1/' is never throttled"),
        ([("/static/", "10/m")], "'/static/' is never throttled"),
        (
            [("/knowledge/", "10/m"), ("/knowledge/digest/", "1/m")],
            "'/knowledge/digest/' is never reached because '/knowledge/' comes first",
        ),
        ([("/knowledge/", "10/m", "extra")], "is not a (path prefix, rate) pair of strings"),
        ([("/knowledge/", 10)], "is not a (path prefix, rate) pair of strings"),
        ("/knowledge/=10/m", "must be a list of (path prefix, rate) pairs"),
        (None, "must be a list of (path prefix, rate) pairs"),
    ],
)
def test_a_malformed_setting_stops_the_middleware_from_starting(settings, value, message):
    settings.COMITY_THROTTLES = value
    with pytest.raises(ImproperlyConfigured, match=r"^COMITY_THROTTLES") as raised:
        ThrottleMiddleware(lambda request: HttpResponse())
    assert message in str(raised.value)


def test_a_well_formed_setting_starts(settings):
    settings.COMITY_THROTTLES = [("/a/", "5/15m/ip, 100/h/user"), ("/", "1/s")]
    assert parse_throttles(settings.COMITY_THROTTLES)[0].rates == (
        Rate(5, 900, "ip"),
        Rate(100, 3600, "user"),
    )
    ThrottleMiddleware(lambda request: HttpResponse())


def test_the_environment_variable_replaces_the_list():
    default = [("/d/", "1/m")]
    assert throttles_from_env(None, default) == default
    assert throttles_from_env("  ", default) == default
    assert throttles_from_env("off", default) == []
    assert throttles_from_env("/knowledge/digest/pdf/=5/m/user,30/h/user; /knowledge/ = 60/m\n", default) == [
        ("/knowledge/digest/pdf/", "5/m/user,30/h/user"),
        ("/knowledge/", "60/m"),
    ]
    with pytest.raises(ImproperlyConfigured, match=r"'/knowledge/ 60/m' is not prefix=rates"):
        throttles_from_env("/knowledge/ 60/m", default)
    with pytest.raises(ImproperlyConfigured, match=r"'60/minute' for '/knowledge/' is not a rate"):
        throttles_from_env("/knowledge/=60/minute", default)


def test_settings_refuse_a_malformed_environment_variable_at_startup():
    env = {**os.environ, "COMITY_THROTTLES": "/knowledge/=lots"}
    env.pop("COMITY_THROTTLES_FILE", None)
    result = subprocess.run(
        [sys.executable, "-c", "import comity.settings"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: COMITY_THROTTLES: 'lots' for '/knowledge/' is not a "
        "rate: use N/period[/ip|/user] with period s, m or h, optionally with a number "
        "(e.g. '120/m', '10/m/user,60/h/user', '100/15m/ip')"
    )


# --- Retry-After ----------------------------------------------------------------------------


def test_retry_after_is_when_the_oldest_hit_in_the_window_leaves_it():
    rate = Rate(2, 60, "ip")
    assert retry_after([110.0, 100.0], rate, now=130.0) == 30
    assert retry_after([110.0, 100.0], rate, now=130.5) == 30  # 29.5 s, rounded up
    assert retry_after([110.0, 100.0, 50.0], rate, now=130.0) == 30  # 50 has left the window
    assert retry_after([120.0, 110.0, 100.0], rate, now=130.0) == 40  # three kept: the second oldest
    assert retry_after([110.0], rate, now=130.0) == 1  # not full: refused for want of the cache lock
    assert retry_after([], rate, now=130.0) == 1


def test_a_request_without_a_client_address_shares_one_budget(tiny, clock):
    def anonymous_address(request: HttpRequest) -> HttpResponse:
        return HttpResponse(status=204)

    middleware = ThrottleMiddleware(anonymous_address)
    request = HttpRequest()
    request.path = request.path_info = API
    request.method = "GET"
    request.META["REMOTE_ADDR"] = ""
    assert [middleware(request).status_code for _ in range(3)] == [204, 204, 429]
