"""Public knowledge-base pages (no login): search with facets, an entry, the Convention's
cooperation articles, and the digest generator (HTML page and PDF download).

Views parse input, call the search backend and the selectors, and render. Bad query parameters
are form errors with status 422 (the same messages as the API's 400s: `forms.parse_filters`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from comity.directory.selectors import state_choices
from comity.directory.views import language_names, ui_language
from comity.knowledge.digest import (
    PDF_CONTENT_TYPE,
    DigestSelection,
    build_digest,
    digest_context,
    render_digest_pdf,
)
from comity.knowledge.enums import FACETS
from comity.knowledge.forms import DigestForm, FilterError, SearchForm, parse_filters
from comity.knowledge.search import search
from comity.knowledge.search.base import FacetCount, SearchQuery, SearchResult
from comity.knowledge.seed import ARTICLES, CONVENTION_ARTICLES
from comity.knowledge.selectors import access_entry, code_labels, localized

PAGE_SIZE = 20
FACET_SHOWN = 8  # values shown per facet; the others behind "More"
OWN_PARAMS = ("q", "page")

FACET_TITLES = {
    "kind": gettext_lazy("Kind of entry"),
    "article": gettext_lazy("Article of the Convention"),
    "state": gettext_lazy("State"),
    "cooperation_type": gettext_lazy("Type of cooperation"),
    "measure": gettext_lazy("Measure"),
    "offence": gettext_lazy("Offence"),
    "obstacle": gettext_lazy("Obstacle"),
    "year": gettext_lazy("Year"),
    "language": gettext_lazy("Language"),
}
_LABEL_MAPS = {
    "kind": "kind_labels",
    "state": "state_labels",
    "cooperation_type": "cooperation_labels",
    "measure": "measure_labels",
    "offence": "offence_labels",
    "obstacle": "obstacle_labels",
}


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    active: bool
    url: str  # the search with this value added (or removed, when active)


@dataclass
class FacetGroup:
    name: str
    title: str
    shown: list[FacetValue] = field(default_factory=list)
    more: list[FacetValue] = field(default_factory=list)


def search_url(params: list[tuple[str, str]]) -> str:
    return reverse("knowledge:search") + (f"?{urlencode(params)}" if params else "")


def _params(query: QueryDict, *, drop: tuple[str, ...] = ("page",)) -> list[tuple[str, str]]:
    return [(k, v) for k in query for v in query.getlist(k) if k not in drop]


def _toggled(params: list[tuple[str, str]], name: str, value: str) -> str:
    pair = (name, value)
    return search_url([p for p in params if p != pair] if pair in params else [*params, pair])


def value_label(facet: str, value: str, labels: dict[str, Any]) -> str:
    """The label of a facet value in the active language."""
    if facet == "article":
        title = labels["article_titles"].get(value)
        return (
            _("Art. %(number)s — %(title)s") % {"number": value, "title": title}
            if title
            else _("Art. %(number)s") % {"number": value}
        )
    if facet == "language":
        return str(labels["language_labels"].get(value, value))
    mapping = labels.get(_LABEL_MAPS.get(facet, ""), {})
    return str(mapping.get(value, value))


def _facet_order(facet: str, counts: list[FacetCount]) -> list[FacetCount]:
    if facet == "year":
        return sorted(counts, key=lambda c: c.value, reverse=True)
    if facet == "article":
        return sorted(counts, key=lambda c: (int(c.value) if c.value.isdigit() else 999, c.value))
    return counts  # the backend's order: largest count first


def own_facet_counts(query: SearchQuery, result: SearchResult) -> dict[str, list[FacetCount]]:
    """The counts to show beside each facet's values. A facet with active values is counted
    without its own filter (one more search per such facet), so its other values stay visible
    with the number of entries each would match with the other filters (choosing it too is an
    OR); the facets without active values are counted over the current result."""
    facets = dict(result.facets)
    for facet in query.filters:
        others = {name: values for name, values in query.filters.items() if name != facet}
        without = search(replace(query, filters=others, limit=1, offset=0))
        facets[facet] = list(without.facets.get(facet, []))
    return facets


def facet_groups(
    facets: dict[str, list[FacetCount]],
    filters: dict[str, tuple[str, ...]],
    params: list[tuple[str, str]],
    labels: dict[str, Any],
) -> list[FacetGroup]:
    groups = []
    for facet in FACETS:
        counts = _facet_order(facet, list(facets.get(facet, [])))
        active = set(filters.get(facet, ()))
        seen = {c.value for c in counts}
        # An active value always shows (with its count, or 0), so it can be removed here too.
        counts += [FacetCount(v, 0) for v in sorted(active - seen)]
        values = [
            FacetValue(
                c.value,
                value_label(facet, c.value, labels),
                c.count,
                c.value in active,
                _toggled(params, facet, c.value),
            )
            for c in counts
        ]
        if not values:
            continue
        # Active values first among those shown, so a chosen one is never hidden under "More".
        values.sort(key=lambda v: not v.active)
        groups.append(FacetGroup(facet, str(FACET_TITLES[facet]), values[:FACET_SHOWN], values[FACET_SHOWN:]))
    return groups


def _labels(*, states: set[str]) -> dict[str, Any]:
    return {**code_labels(states=states), "language_labels": language_names(ui_language())}


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    language = ui_language()
    form = SearchForm(request.GET or None)
    filters: dict[str, tuple[str, ...]] = {}
    filter_error = ""
    try:
        filters = parse_filters({k: request.GET.getlist(k) for k in request.GET if k not in OWN_PARAMS})
    except FilterError as exc:
        filter_error = exc.message
    valid = (not form.is_bound or form.is_valid()) and not filter_error
    context: dict[str, Any] = {"form": form, "filter_error": filter_error, "filters": filters}
    if not valid:
        context.update(_labels(states=set()))
        return render(request, "knowledge/search.html", context, status=422)

    text = form.cleaned_data.get("q", "") if form.is_bound else ""
    page = (form.cleaned_data.get("page") if form.is_bound else None) or 1
    query = SearchQuery(
        text=text, filters=filters, language=language, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    result = search(query)
    facets = own_facet_counts(query, result)
    params = _params(request.GET)
    states = {s for h in result.hits for s in h.states} | {c.value for c in facets.get("state", [])}
    labels = _labels(states=states | set(filters.get("state", ())))
    pages = max(1, math.ceil(result.total / PAGE_SIZE))
    context.update(
        labels,
        text=text,
        result=result,
        page=page,
        pages=pages,
        previous_url=search_url([*params, ("page", str(page - 1))]) if page > 1 else "",
        next_url=search_url([*params, ("page", str(page + 1))]) if page < pages else "",
        first_url=search_url(params),
        facet_groups=facet_groups(facets, filters, params, labels),
        active=[
            {"facet": str(FACET_TITLES[f]), "label": value_label(f, v, labels), "url": _toggled(params, f, v)}
            for f, values in filters.items()
            for v in values
        ],
        clear_url=search_url([("q", text)] if text else []),
    )
    return render(request, "knowledge/search.html", context)


@require_GET
def entry_page(request: HttpRequest, code: str) -> HttpResponse:
    entry = access_entry(code)
    language = ui_language()
    labels = _labels(states=set(entry.states))
    articles = []
    for ref in entry.articles:
        top = str(ref).split("(")[0].strip()
        articles.append(
            {"ref": ref, "url": search_url([("article", top)]) if top in CONVENTION_ARTICLES else ""}
        )
    context = {
        **labels,
        "entry": entry,
        "text": localized(entry, language),
        "articles": articles,
        "states": [
            {"code": s, "name": labels["state_labels"].get(s, s), "url": search_url([("state", s)])}
            for s in entry.states
        ],
        "language_name": labels["language_labels"].get(entry.language, entry.language),
    }
    return render(request, "knowledge/entry.html", context)


@require_GET
def articles_page(request: HttpRequest) -> HttpResponse:
    # One count per article (exact up to the search's candidate cap, then "more than").
    rows = []
    for a in ARTICLES:
        result = search(SearchQuery(filters={"article": (a.number,)}, limit=1, with_facets=False))
        rows.append(
            {
                "article": a,
                "count": result.total,
                "exact": result.total_exact,
                "url": search_url([("article", a.number)]),
            }
        )
    return render(request, "knowledge/articles.html", {"rows": rows})


def _digest_form(data: QueryDict | None) -> DigestForm:
    return DigestForm(data, states=state_choices(language=ui_language()))


@require_GET
def digest_page(request: HttpRequest) -> HttpResponse:
    form = _digest_form(request.GET or None)  # unbound: the form alone, no digest yet
    context: dict[str, Any] = {"form": form}
    if not form.is_bound:
        return render(request, "knowledge/digest.html", context)
    if not form.is_valid():
        return render(request, "knowledge/digest.html", context, status=422)
    selection = DigestSelection.from_cleaned(form.cleaned_data)
    digest = build_digest(selection, language=ui_language())
    context.update(
        digest_context(digest),
        pdf_url=reverse("knowledge:digest_pdf") + "?" + urlencode(selection.query_params()),
        cases_url=search_url(selection.search_params()),
    )
    return render(request, "knowledge/digest.html", context)


@require_GET
def digest_pdf(request: HttpRequest) -> HttpResponse:
    form = _digest_form(request.GET)  # always bound: no parameters is the empty selection
    if not form.is_valid():
        return render(request, "knowledge/digest.html", {"form": form}, status=422)
    digest = build_digest(DigestSelection.from_cleaned(form.cleaned_data), language=ui_language())
    response = HttpResponse(render_digest_pdf(digest), content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="comity-digest-{digest.generated_on.isoformat()}.pdf"'
    )
    return response
