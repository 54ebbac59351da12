"""Input of the knowledge base's pages, API and CLI: search filters and the digest selection.

The search page, the API and the digest share one parser for facet filters (`parse_filters`), so
the same query string means the same thing everywhere and a bad one gets the same message: an
unknown facet or value is a `FilterError` (400 in the API, a form error with 422 on the pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comity.core.errors import ComityError
from comity.knowledge.enums import FACETS, EntryKind, Obstacle, Offence
from comity.knowledge.search.base import normalised_filters
from comity.knowledge.seed import ARTICLES, CONVENTION_ARTICLES
from comity.vocabulary import CooperationType, Measure

MAX_QUERY_LENGTH = 200
MAX_VALUES_PER_FACET = 20
YEAR_MIN, YEAR_MAX = 1900, 2100

_ISO3 = re.compile(r"[A-Z]{3}")
_LANGUAGE = re.compile(r"[a-z]{2}")
_YEAR = re.compile(r"\d{4}")

_CHOICES: dict[str, frozenset[str]] = {
    "kind": frozenset(EntryKind.values),
    "article": frozenset(CONVENTION_ARTICLES),
    "cooperation_type": frozenset(CooperationType.values),
    "measure": frozenset(Measure.values),
    "offence": frozenset(Offence.values),
    "obstacle": frozenset(Obstacle.values),
}


class FilterError(ComityError):
    code = "invalid_filter"
    status = 400

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def facet_value_error(facet: str, value: str) -> str | None:
    """Why `value` is not a valid value of `facet` (None when it is)."""
    if facet in _CHOICES:
        if value in _CHOICES[facet]:
            return None
        if facet == "article":
            return gettext("%(value)r is not an article of the Convention: give its number, 1 to 41.") % {
                "value": value
            }
        return gettext("%(value)r is not a known %(facet)s code.") % {"value": value, "facet": facet}
    if facet == "state":
        return (
            None
            if _ISO3.fullmatch(value)
            else gettext("%(value)r is not an ISO 3166-1 alpha-3 code (three capital letters, e.g. FRA).")
            % {"value": value}
        )
    if facet == "language":
        return (
            None
            if _LANGUAGE.fullmatch(value)
            else gettext("%(value)r is not an ISO 639-1 language code (two small letters, e.g. fr).")
            % {"value": value}
        )
    if facet == "year":
        if _YEAR.fullmatch(value) and YEAR_MIN <= int(value) <= YEAR_MAX:
            return None
        return gettext("%(value)r is not a year between %(min)s and %(max)s.") % {
            "value": value,
            "min": YEAR_MIN,
            "max": YEAR_MAX,
        }
    return gettext("Unknown filter %(facet)r.") % {"facet": facet}


def parse_filters(params: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Facet -> accepted values, validated and normalised (see `normalised_filters`).

    `params` holds only facet names (the caller takes its own parameters out first). Raises
    `FilterError` for an unknown facet, a bad value or too many values.
    """
    for facet in params:
        if facet not in FACETS:
            raise FilterError(
                facet,
                gettext("Unknown filter %(facet)r; the filters are: %(facets)s.")
                % {"facet": facet, "facets": ", ".join(FACETS)},
            )
    filters = normalised_filters(params)
    for facet, values in filters.items():
        if len(values) > MAX_VALUES_PER_FACET:
            raise FilterError(
                facet,
                gettext("At most %(n)s values of %(facet)s at once.")
                % {"n": MAX_VALUES_PER_FACET, "facet": facet},
            )
        for value in values:
            error = facet_value_error(facet, value)
            if error:
                raise FilterError(facet, error)
    return filters


class SearchForm(forms.Form):
    """The search page's own parameters (the facet filters go through `parse_filters`)."""

    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY_LENGTH, required=False, strip=True)
    page = forms.IntegerField(label=_("Page"), min_value=1, max_value=500, required=False)


# --- Digest ----------------------------------------------------------------------------------


class DigestForm(forms.Form):
    """The digest's selection (page, PDF download and `comity digest`). Every field is optional:
    an empty selection means every case in the knowledge base (up to digest.MAX_CASES)."""

    article = forms.MultipleChoiceField(
        label=_("Articles of the Convention"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    state = forms.MultipleChoiceField(
        label=_("States"),
        required=False,
        help_text=_("Cases that involve any of these States."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    year_from = forms.IntegerField(
        label=_("From year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False
    )
    year_to = forms.IntegerField(label=_("To year"), min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)
    cooperation_type = forms.MultipleChoiceField(
        label=_("Types of cooperation"),
        choices=CooperationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data: Any = None, *, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields["article"].choices = [  # type: ignore[attr-defined]  # a MultipleChoiceField
            (a.number, gettext("Art. %(number)s — %(title)s") % {"number": a.number, "title": a.title})
            for a in ARTICLES
        ]
        self.fields["state"].choices = states  # type: ignore[attr-defined]  # a MultipleChoiceField

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error("year_to", _("The last year comes before the first."))
        return data
