"""`{{ principal|may_see_exchange }}`: whether the navigation shows the exchange page.

A filter here rather than a key of the web context processor, so the exchange app stays the one
place that knows its rule."""

from __future__ import annotations

from typing import Any

from django import template

from comity.core.rules import can
from comity.exchange import rules as _rules  # noqa: F401 - registers the exchange.* rules

register = template.Library()


@register.filter
def may_see_exchange(principal: Any) -> bool:
    return bool(can(principal, "exchange.view_messages"))
