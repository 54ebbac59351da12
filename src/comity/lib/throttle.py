"""Throttles for the public, login-free pages and API: one setting, one middleware.

`COMITY_THROTTLES` (settings.py) is a list of `(path prefix, rates)`. The first prefix that
`request.path_info` starts with decides; a path that no prefix matches is never throttled, and
neither are the node protocol (`/node/v1/`, signed node-to-node exchange) and static files.

A rate is `N/period[/per]`, like allauth's: `period` is `s`, `m` or `h`, optionally with a
number (`15m`); several rates are separated by commas (`10/m/user,60/h/user`). `per` is
- `ip` (the default): the client's address, as allauth determines it (`REMOTE_ADDR`, or
  `X-Forwarded-For` only when `ALLAUTH_TRUSTED_PROXY_COUNT` says how many proxies to trust;
  IPv6 addresses are grouped by /64);
- `user`: the signed-in user (the session on pages, the token's owner under `/api/`), so that
  colleagues behind one address do not share a budget; anonymous requests fall back to `ip`.

Counting is allauth's (`allauth.core.internal.ratelimit`: a sliding window of timestamps in
`CACHES["default"]`, under a cache lock), the same machinery as the login throttle. The public
`allauth.core.ratelimit` reads its rates from `ACCOUNT_RATE_LIMITS` only, so we call the internal
module it wraps (`consume`, `get_cache_key`, `get_ip`); django-allauth is pinned in
requirements.lock, and tests/test_throttle.py fails if that module changes. The
settings are parsed when settings.py loads and again when the middleware starts, so a malformed
rate stops the process with `ImproperlyConfigured` instead of failing a request.

A refused request gets 429 with `Retry-After` (seconds): JSON `{"code": "throttled", ...}`
under `/api/` (the API's error contract), otherwise the page `web/errors/429.html`.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

SETTING = "COMITY_THROTTLES"
NEVER_THROTTLED = ("/node/v1/", "/static/")  # and settings.STATIC_URL, whatever it is
API_PREFIX = "/api/"
TEMPLATE = "web/errors/429.html"
# allauth's cache keys become allauth:rl:comity.throttle:<prefix>:<rate>:<sha256 of the client key>
_APP = "comity.throttle"
_UNREAD = object()
_PERIODS = {"s": 1, "m": 60, "h": 3600}
_RATE = re.compile(r"(?P<amount>[0-9]+)/(?P<count>[0-9]*)(?P<unit>[smh])(?:/(?P<per>ip|user))?")
_RATE_HELP = (
    "use N/period[/ip|/user] with period s, m or h, optionally with a number "
    "(e.g. '120/m', '10/m/user,60/h/user', '100/15m/ip')"
)


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int
    per: str  # "ip" or "user"

    @property
    def allauth(self) -> str:
        """The rate as allauth parses it; the client key is ours, so allauth's `per` is `key`."""
        return f"{self.amount}/{self.seconds}s/key"


@dataclass(frozen=True)
class Throttle:
    prefix: str
    rates: tuple[Rate, ...]


def parse_rates(text: str, *, prefix: str = "") -> tuple[Rate, ...]:
    rates: list[Rate] = []
    for part in text.split(","):
        match = _RATE.fullmatch(part.strip())
        count = int(match["count"] or 1) if match else 0
        if match is None or int(match["amount"]) < 1 or count < 1:
            raise ImproperlyConfigured(
                f"{SETTING}: {part.strip()!r} for {prefix!r} is not a rate: {_RATE_HELP}"
            )
        rates.append(Rate(int(match["amount"]), count * _PERIODS[match["unit"]], match["per"] or "ip"))
    return tuple(dict.fromkeys(rates))


def _never_throttled() -> tuple[str, ...]:
    static_url = str(getattr(settings, "STATIC_URL", None) or "/static/")
    return (*NEVER_THROTTLED, static_url if static_url.startswith("/") else f"/{static_url}")


def parse_throttles(value: Any, *, never: Sequence[str] = NEVER_THROTTLED) -> tuple[Throttle, ...]:
    """Check `COMITY_THROTTLES` and return it parsed, or raise `ImproperlyConfigured`."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ImproperlyConfigured(f"{SETTING} must be a list of (path prefix, rate) pairs, not {value!r}")
    throttles: list[Throttle] = []
    for item in value:
        if not (isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(v, str) for v in item)):
            raise ImproperlyConfigured(f"{SETTING}: {item!r} is not a (path prefix, rate) pair of strings")
        prefix, text = item
        if not prefix.startswith("/"):
            raise ImproperlyConfigured(f"{SETTING}: the path prefix {prefix!r} must start with '/'")
        if prefix.startswith(tuple(never)):
            raise ImproperlyConfigured(
                f"{SETTING}: {prefix!r} is never throttled (the node protocol and static files are exempt)"
            )
        for earlier in throttles:
            if prefix.startswith(earlier.prefix):
                raise ImproperlyConfigured(
                    f"{SETTING}: {prefix!r} is never reached because {earlier.prefix!r} comes first "
                    "(the first matching prefix wins: list the longer prefix first)"
                )
        throttles.append(Throttle(prefix, parse_rates(text, prefix=prefix)))
    return tuple(throttles)


def throttles_from_env(raw: str | None, default: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`COMITY_THROTTLES` from the environment: `prefix=rates` items separated by `;` (or new
    lines), replacing the whole default list; `off` turns every throttle off; unset or empty
    keeps the default. The result is checked with `parse_throttles`."""
    if raw is None or not raw.strip():
        value = default
    elif raw.strip().lower() == "off":
        value = []
    else:
        value = []
        for item in re.split(r"[;\n]", raw):
            if not item.strip():
                continue
            prefix, sep, text = item.strip().partition("=")
            if not sep:
                raise ImproperlyConfigured(
                    f"{SETTING}: {item.strip()!r} is not prefix=rates "
                    "(e.g. COMITY_THROTTLES='/knowledge/digest/pdf/=10/m/user; /knowledge/=120/m/user')"
                )
            value.append((prefix.strip(), text.strip()))
    parse_throttles(value)
    return value


def matching(throttles: Sequence[Throttle], path: str, *, never: Sequence[str]) -> Throttle | None:
    if path.startswith(tuple(never)):
        return None
    return next((t for t in throttles if path.startswith(t.prefix)), None)


def retry_after(history: Sequence[float], rate: Rate, now: float) -> int:
    """Whole seconds until `rate` admits one more hit, given allauth's hit timestamps (at least 1)."""
    live = sorted(t for t in history if t > now - rate.seconds)
    if len(live) < rate.amount:
        return 1  # refused without a full window (allauth could not take its cache lock)
    frees_at = live[len(live) - rate.amount] + rate.seconds
    return max(1, math.ceil(frees_at - now))


def client_ip(request: HttpRequest) -> str:
    try:
        return allauth_ratelimit.get_ip(request)
    except PermissionDenied:
        # No address (e.g. a Unix socket without X-Forwarded-For): such clients share one budget.
        logger.warning("throttle: no client address for %s; configure the proxy", request.path)
        return "unknown"


def client_key(request: HttpRequest, rate: Rate) -> str:
    if rate.per == "user":
        principal = getattr(request, "principal", None)  # set by TenancyMiddleware, which runs first
        user = getattr(principal, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


class ThrottleMiddleware:
    """Applies `COMITY_THROTTLES`. Place it after `TenancyMiddleware` (for `per=user`) and
    `UserPreferencesMiddleware` (so that the 429 page is in the user's language)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._source: object = _UNREAD
        self._throttles: tuple[Throttle, ...] = ()
        self._load()  # a malformed setting stops the start, not a request

    def _load(self) -> tuple[Throttle, ...]:
        source = settings.COMITY_THROTTLES
        if source is not self._source:  # read again when tests override the setting
            self._throttles = parse_throttles(source, never=_never_throttled())
            self._source = source
        return self._throttles

    def __call__(self, request: HttpRequest) -> HttpResponse:
        throttle = matching(self._load(), request.path_info, never=_never_throttled())
        if throttle is None:
            return self.get_response(request)
        refused = self._consume(request, throttle)
        if refused is None:
            return self.get_response(request)
        logger.info("throttled %s under %r (%s)", request.path, throttle.prefix, refused)
        return self._too_many(request, refused)

    @staticmethod
    def _consume(request: HttpRequest, throttle: Throttle) -> int | None:
        """Count the request against each rate; None if all admit it, else `Retry-After`."""
        used: list[allauth_ratelimit.RateLimitUsage] = []
        for rate in throttle.rates:
            key = client_key(request, rate)
            usage = allauth_ratelimit.consume(
                request,
                app=_APP,
                action=throttle.prefix,
                config={throttle.prefix: rate.allauth},
                key=key,
                limit_get=True,
            )
            if usage is None:
                for earlier in used:  # a refused request counts against no rate
                    earlier.rollback()
                return _retry_after(request, throttle, rate, key)
            used.append(usage)
        return None

    @staticmethod
    def _too_many(request: HttpRequest, seconds: int) -> HttpResponse:
        response: HttpResponse
        if request.path_info.startswith(API_PREFIX):
            message = f"Too many requests; try again in {seconds} seconds."
            response = JsonResponse({"code": "throttled", "message": message}, status=429)
        else:
            response = render(request, TEMPLATE, {"retry_after": seconds}, status=429)
        response["Retry-After"] = str(seconds)
        response["Cache-Control"] = "no-store"
        return response


def _retry_after(request: HttpRequest, throttle: Throttle, rate: Rate, key: str) -> int:
    (allauth_rate,) = allauth_ratelimit.parse_rates(rate.allauth)
    cache_key = allauth_ratelimit.get_cache_key(
        request, app=_APP, action=throttle.prefix, rate=allauth_rate, key=key
    )
    return retry_after(cache.get(cache_key, []), rate, time.time())
