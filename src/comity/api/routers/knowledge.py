"""/api/v1/knowledge/...: the public knowledge base, read-only, no token needed.

- `GET /knowledge/search`: full-text search with facet filters (OR within a facet, AND across)
  and facet counts; the same parameters as the search page `/knowledge/`.
- `GET /knowledge/entries/{code}`: one entry with every public field.
- `GET /knowledge/articles`: the Convention's cooperation articles (our own summaries).

The knowledge base holds nothing State-owned. Errors: an unknown parameter or filter, or a bad
filter value, answers 400 `{code: "unknown_parameter" | "invalid_filter", message, field}`;
a malformed `q`, `lang`, `limit` or `offset` answers 422 `validation_error` (as everywhere in the
API); an unknown entry 404 `not_found`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field, StringConstraints

from comity.api.base import error_response
from comity.knowledge.enums import FACETS
from comity.knowledge.forms import MAX_QUERY_LENGTH, FilterError, parse_filters
from comity.knowledge.models import Entry
from comity.knowledge.search import search
from comity.knowledge.search.base import SearchQuery
from comity.knowledge.seed import ARTICLES
from comity.knowledge.selectors import access_entry

router = Router(tags=["knowledge"])

MAX_LIMIT = 100
MAX_OFFSET = 9_900  # the backends rank at most 10,000 candidates
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]

_FACET_HELP = (
    "Repeat a parameter for several values (OR); different facets combine with AND. "
    "kind: case, legislation, guide, model_text; article: a top-level article number, 1 to 41; "
    "state: ISO 3166-1 alpha-3; cooperation_type, measure: the shared vocabulary codes; "
    "offence, obstacle: the knowledge base's codes; year: four digits; language: ISO 639-1."
)


# --- Schemas --------------------------------------------------------------------------------


class SearchParams(Schema):
    """Query parameters of /knowledge/search (the facet filters are listed for the OpenAPI
    document; they are read and checked by `forms.parse_filters`)."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, StringConstraints(max_length=MAX_QUERY_LENGTH)] = Field(
        default="", description='Words; "quoted phrases" match as a phrase. Empty: browse.'
    )
    lang: LanguageCode = Field(default="en", description="Titles in this language when translated.")
    limit: int = Field(default=20, ge=1, le=MAX_LIMIT)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    facets: bool = Field(default=True, description="Include the facet counts.")
    kind: list[str] = Field(default_factory=list, description=_FACET_HELP)
    article: list[str] = Field(default_factory=list)
    state: list[str] = Field(default_factory=list)
    cooperation_type: list[str] = Field(default_factory=list)
    measure: list[str] = Field(default_factory=list)
    offence: list[str] = Field(default_factory=list)
    obstacle: list[str] = Field(default_factory=list)
    year: list[str] = Field(default_factory=list)
    language: list[str] = Field(default_factory=list)


class HitOut(Schema):
    code: str
    kind: str
    title: str
    snippet_html: str = Field(description="escaped text; matched terms in <mark>...</mark>")
    year: int | None
    states: list[str]
    score: float
    page: str = Field(description="the entry's public web page")
    api: str = Field(description="the entry in this API")


class FacetCountOut(Schema):
    value: str
    count: int


class SearchOut(Schema):
    total: int = Field(
        description="number of matching entries; when total_exact is false, more than this many match "
        "and only the most recently added `total` were ranked"
    )
    total_exact: bool = Field(
        description="false when more entries match than are ranked (10,000): then the facet counts too "
        "cover the 10,000 most recently added matches"
    )
    limit: int
    offset: int
    filters: dict[str, list[str]]
    hits: list[HitOut]
    facets: dict[str, list[FacetCountOut]]


class ProvisionOut(Schema):
    ref: str = ""
    articles: list[str] = []
    text: str = ""


class EntryOut(Schema):
    code: str
    kind: str
    title: str
    summary: str
    body: str
    url: str = Field(description="link to the source, if any")
    source: str
    language: str
    translations: dict[str, dict[str, str]]
    is_example: bool = Field(description="fictional example content written for the demo")
    year: int | None
    states: list[str]
    cooperation_types: list[str]
    request_types: list[str]
    measures: list[str]
    articles: list[str]
    top_articles: list[str]
    offences: list[str]
    obstacles: list[str]
    court: str
    outcome: str
    duration_days: int | None
    obstacle_notes: list[str]
    good_practices: list[str]
    provisions: list[ProvisionOut]
    updated_at: dt.datetime
    page: str


class ParagraphOut(Schema):
    ref: str
    summary: str


class ArticleOut(Schema):
    number: str
    title: str
    summary: str
    cooperation_types: list[str]
    paragraphs: list[ParagraphOut]
    search: str = Field(description="this API's search filtered by the article")


# --- Helpers --------------------------------------------------------------------------------


def _unknown_parameter(request: HttpRequest, allowed: set[str]) -> HttpResponse | None:
    unknown = sorted(set(request.GET) - allowed)
    if not unknown:
        return None
    return error_response(
        request,
        400,
        "unknown_parameter",
        f"Unknown parameter {unknown[0]!r}. Parameters: {', '.join(sorted(allowed)) or 'none'}.",
        field=unknown[0],
    )


def _entry(entry: Entry) -> dict[str, Any]:
    return {
        "code": entry.code,
        "kind": entry.kind,
        "title": entry.title,
        "summary": entry.summary,
        "body": entry.body,
        "url": entry.url,
        "source": entry.source,
        "language": entry.language,
        "translations": entry.translations or {},
        "is_example": entry.is_example,
        "year": entry.year,
        "states": entry.states,
        "cooperation_types": entry.cooperation_types,
        "request_types": entry.request_types,
        "measures": entry.measures,
        "articles": [str(a) for a in entry.articles],
        "top_articles": entry.top_articles(),
        "offences": entry.offences,
        "obstacles": entry.obstacles,
        "court": entry.court,
        "outcome": entry.outcome,
        "duration_days": entry.duration_days,
        "obstacle_notes": entry.obstacle_notes,
        "good_practices": entry.good_practices,
        "provisions": entry.provisions,
        "updated_at": entry.updated_at,
        "page": reverse("knowledge:entry", args=[entry.code]),
    }


# --- Endpoints ------------------------------------------------------------------------------


@router.get(
    "/knowledge/search",
    response={200: SearchOut},
    auth=None,
    url_name="knowledge_search",
    summary="Search the knowledge base (public)",
    description=(
        "Full-text search over cases, legislation, guides and model texts, with facet filters "
        f"({', '.join(FACETS)}) and facet counts. {_FACET_HELP} An unknown parameter or filter "
        "value answers 400."
    ),
)
def knowledge_search(request: HttpRequest, params: Query[SearchParams]) -> Any:
    allowed = set(SearchParams.model_fields)
    if (refused := _unknown_parameter(request, allowed)) is not None:
        return refused
    try:
        with translation.override("en"):  # the API's messages are in English
            filters = parse_filters({f: request.GET.getlist(f) for f in FACETS if f in request.GET})
    except FilterError as exc:
        return error_response(request, 400, exc.code, exc.message, field=exc.field)
    result = search(
        SearchQuery(
            text=params.q,
            filters=filters,
            language=params.lang,
            limit=params.limit,
            offset=params.offset,
            with_facets=params.facets,
        )
    )
    return {
        "total": result.total,
        "total_exact": result.total_exact,
        "limit": params.limit,
        "offset": params.offset,
        "filters": {k: list(v) for k, v in filters.items()},
        "hits": [
            {
                "code": h.code,
                "kind": h.kind,
                "title": h.title,
                "snippet_html": h.snippet_html,
                "year": h.year,
                "states": list(h.states),
                "score": h.score,
                "page": reverse("knowledge:entry", args=[h.code]),
                "api": reverse("api:knowledge_entry", args=[h.code]),
            }
            for h in result.hits
        ],
        "facets": {
            name: [{"value": c.value, "count": c.count} for c in counts]
            for name, counts in result.facets.items()
        },
    }


@router.get(
    "/knowledge/entries/{code}",
    response=EntryOut,
    auth=None,
    url_name="knowledge_entry",
    summary="One knowledge-base entry with every public field",
)
def knowledge_entry(request: HttpRequest, code: str) -> Any:
    if (refused := _unknown_parameter(request, set())) is not None:
        return refused
    return _entry(access_entry(code))


@router.get(
    "/knowledge/articles",
    response=list[ArticleOut],
    auth=None,
    summary="The Convention's cooperation articles, summarised in our own words",
)
def knowledge_articles(request: HttpRequest) -> Any:
    if (refused := _unknown_parameter(request, set())) is not None:
        return refused
    search_path = reverse("api:knowledge_search")
    with translation.override("en"):
        return [
            {
                "number": a.number,
                "title": str(a.title),
                "summary": str(a.summary),
                "cooperation_types": list(a.cooperation_types),
                "paragraphs": [{"ref": p.ref, "summary": str(p.summary)} for p in a.paragraphs],
                "search": f"{search_path}?article={a.number}",
            }
            for a in ARTICLES
        ]
