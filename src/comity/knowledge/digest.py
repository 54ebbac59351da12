"""The case digest (resolution 1(b)): what the cases of a selection say, article by article.

    selection = DigestSelection(articles=("18",), states=("FRA",), year_from=2010, year_to=2024,
                                cooperation_types=("mla",))
    digest = build_digest(selection, language="en")
    html = render_digest_html(digest)      # a standalone HTML document
    pdf = render_digest_pdf(digest)        # the same document laid out by WeasyPrint

The cases are chosen by the search backend with the same filters as the search page
(`kind=case`, the articles, States and cooperation types; OR within a facet, AND across; the year
range becomes the list of years that occur in it), so a digest and the search page it links to
always agree. At most `MAX_CASES` cases go into one digest; the digest says when more match.

The digest groups the cases by article (top-level number) and, inside an article, by cooperation
type. A case appears in every group it belongs to; when the selection names articles or
cooperation types, only those groups are made. Each group counts the obstacle codes of its cases
(a case counts once per code), quotes their `obstacle_notes` and `good_practices`, and the
digest ends with a table of all the cases. The data holds codes; the templates translate them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from weasyprint import CSS, HTML

from comity.drafting.documents.render import css_string, no_network_fetcher
from comity.knowledge.enums import EntryKind
from comity.knowledge.models import Entry
from comity.knowledge.search import search
from comity.knowledge.search.base import SearchQuery
from comity.knowledge.selectors import code_labels, localized
from comity.vocabulary import CooperationType

MAX_CASES = 200
_CHUNK = 100
NO_TYPE = ""  # the group of cases that record no cooperation type
PRINT_CSS = Path(__file__).parent / "templates" / "knowledge" / "digest_print.css"
PDF_CONTENT_TYPE = "application/pdf"


@dataclass(frozen=True)
class DigestSelection:
    articles: tuple[str, ...] = ()  # top-level article numbers
    states: tuple[str, ...] = ()  # ISO 3166-1 alpha-3
    year_from: int | None = None
    year_to: int | None = None
    cooperation_types: tuple[str, ...] = ()

    @classmethod
    def from_cleaned(cls, data: dict[str, Any]) -> DigestSelection:
        """From `DigestForm.cleaned_data`."""
        return cls(
            articles=tuple(sorted(set(data.get("article") or ()), key=_article_key)),
            states=tuple(sorted(set(data.get("state") or ()))),
            year_from=data.get("year_from"),
            year_to=data.get("year_to"),
            cooperation_types=tuple(sorted(set(data.get("cooperation_type") or ()))),
        )

    @property
    def is_empty(self) -> bool:
        return (
            not (self.articles or self.states or self.cooperation_types)
            and self.year_from is None
            and self.year_to is None
        )

    def filters(self, years: Iterable[int] | None = None) -> dict[str, tuple[str, ...]]:
        """The search filters of this selection (`years`: the years of the range that occur)."""
        filters: dict[str, tuple[str, ...]] = {"kind": (EntryKind.CASE.value,)}
        if self.articles:
            filters["article"] = self.articles
        if self.states:
            filters["state"] = self.states
        if self.cooperation_types:
            filters["cooperation_type"] = self.cooperation_types
        if years is not None:
            filters["year"] = tuple(str(y) for y in sorted(years))
        return filters

    def query_params(self) -> list[tuple[str, str]]:
        """The selection as the digest page's query string (for links and the PDF download)."""
        params = [("article", a) for a in self.articles] + [("state", s) for s in self.states]
        if self.year_from is not None:
            params.append(("year_from", str(self.year_from)))
        if self.year_to is not None:
            params.append(("year_to", str(self.year_to)))
        params += [("cooperation_type", c) for c in self.cooperation_types]
        return params

    def search_params(self) -> list[tuple[str, str]]:
        """The search page's query string for the same cases (years: each year of the range)."""
        params = [(name, value) for name, values in self.filters().items() for value in values]
        if self.year_from is not None or self.year_to is not None:
            start = self.year_from if self.year_from is not None else self.year_to
            end = self.year_to if self.year_to is not None else self.year_from
            # A longer range would make an unwieldy link: the years are left out of it then.
            if start is not None and end is not None and end - start < 30:
                params += [("year", str(y)) for y in range(start, end + 1)]
        return params


@dataclass(frozen=True)
class CaseRef:
    code: str
    title: str
    year: int | None
    states: tuple[str, ...]
    articles: tuple[str, ...]  # as recorded, e.g. "18(3)(f)"
    cooperation_types: tuple[str, ...]
    outcome: str
    duration_days: int | None
    court: str


@dataclass(frozen=True)
class Quote:
    text: str
    case: CaseRef


@dataclass(frozen=True)
class ObstacleCount:
    code: str
    count: int


@dataclass
class TypeGroup:
    cooperation_type: str  # a CooperationType code, or NO_TYPE
    cases: list[CaseRef] = field(default_factory=list)
    obstacles: list[ObstacleCount] = field(default_factory=list)
    obstacle_notes: list[Quote] = field(default_factory=list)
    good_practices: list[Quote] = field(default_factory=list)


@dataclass
class ArticleGroup:
    article: str
    types: list[TypeGroup] = field(default_factory=list)

    @property
    def case_count(self) -> int:
        return len({c.code for t in self.types for c in t.cases})


@dataclass
class Digest:
    selection: DigestSelection
    language: str
    generated_on: dt.date
    total: int  # cases matching the selection (more than this when not total_exact)
    cases: list[CaseRef]  # the cases in the digest (at most MAX_CASES), newest first
    groups: list[ArticleGroup]
    obstacles: list[ObstacleCount]  # over all the cases of the digest
    total_exact: bool = True

    @property
    def truncated(self) -> bool:
        return self.total > len(self.cases)


def _article_key(number: str) -> tuple[int, str]:
    return (int(number), "") if number.isdigit() else (10_000, number)


def _type_key(code: str) -> tuple[int, str]:
    order = list(CooperationType.values)
    return (order.index(code), code) if code in order else (len(order), code)


def _years_in_range(selection: DigestSelection) -> list[int] | None:
    """None without a range; else the years of the range that some case has (maybe none)."""
    if selection.year_from is None and selection.year_to is None:
        return None
    rows = Entry.objects.filter(kind=EntryKind.CASE, year__isnull=False)
    if selection.year_from is not None:
        rows = rows.filter(year__gte=selection.year_from)
    if selection.year_to is not None:
        rows = rows.filter(year__lte=selection.year_to)
    return sorted({year for year in rows.values_list("year", flat=True) if year is not None})


def select_cases(selection: DigestSelection, *, language: str) -> tuple[list[Entry], int, bool]:
    """The matching cases (at most MAX_CASES, newest first), how many match in all and whether
    that number is exact (beyond the search's CANDIDATE_CAP it is a lower bound)."""
    years = _years_in_range(selection)
    if years == []:
        return [], 0, True
    filters = selection.filters(years)
    ids: list[int] = []
    total = 0
    exact = True
    offset = 0
    while len(ids) < MAX_CASES:
        limit = min(_CHUNK, MAX_CASES - len(ids))
        result = search(
            SearchQuery(filters=filters, language=language, limit=limit, offset=offset, with_facets=False)
        )
        total, exact = result.total, result.total_exact
        ids += [hit.entry_id for hit in result.hits]
        offset += limit
        if not result.hits or offset >= total:
            break
    entries = list(Entry.objects.filter(pk__in=ids).order_by("-year", "title", "pk"))
    return entries, max(total, len(entries)), exact


def _case_ref(entry: Entry, language: str) -> CaseRef:
    return CaseRef(
        code=entry.code,
        title=localized(entry, language).title,
        year=entry.year,
        states=tuple(entry.states),
        articles=tuple(str(a) for a in entry.articles),
        cooperation_types=tuple(entry.cooperation_types),
        outcome=entry.outcome,
        duration_days=entry.duration_days,
        court=entry.court,
    )


def _counts(codes: Iterable[str]) -> list[ObstacleCount]:
    """Counts, largest first, then by code (a stable order for equal counts)."""
    counter = Counter(codes)
    return [ObstacleCount(code, n) for code, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def group_cases(entries: Sequence[Entry], selection: DigestSelection, *, language: str) -> list[ArticleGroup]:
    """Article -> cooperation type -> cases, with obstacle counts and quotes (see module doc)."""
    wanted_articles = set(selection.articles)
    wanted_types = set(selection.cooperation_types)
    buckets: dict[str, dict[str, list[Entry]]] = {}
    for entry in entries:
        articles = [a for a in entry.top_articles() if not wanted_articles or a in wanted_articles]
        types = [t for t in dict.fromkeys(entry.cooperation_types) if not wanted_types or t in wanted_types]
        for article in articles:
            for ctype in types or [NO_TYPE]:
                buckets.setdefault(article, {}).setdefault(ctype, []).append(entry)
    groups = []
    for article in sorted(buckets, key=_article_key):
        group = ArticleGroup(article)
        for ctype in sorted(buckets[article], key=_type_key):
            cases = buckets[article][ctype]
            refs = {e.pk: _case_ref(e, language) for e in cases}
            group.types.append(
                TypeGroup(
                    cooperation_type=ctype,
                    cases=list(refs.values()),
                    obstacles=_counts(code for e in cases for code in dict.fromkeys(e.obstacles)),
                    obstacle_notes=[
                        Quote(str(n), refs[e.pk]) for e in cases for n in e.obstacle_notes if str(n).strip()
                    ],
                    good_practices=[
                        Quote(str(p), refs[e.pk]) for e in cases for p in e.good_practices if str(p).strip()
                    ],
                )
            )
        groups.append(group)
    return groups


def build_digest(selection: DigestSelection, *, language: str, today: dt.date | None = None) -> Digest:
    entries, total, exact = select_cases(selection, language=language)
    return Digest(
        selection=selection,
        language=language,
        generated_on=today or timezone.localdate(),
        total=total,
        total_exact=exact,
        cases=[_case_ref(e, language) for e in entries],
        groups=group_cases(entries, selection, language=language),
        obstacles=_counts(code for e in entries for code in dict.fromkeys(e.obstacles)),
    )


# --- Rendering ---------------------------------------------------------------------------------


def digest_context(digest: Digest) -> dict[str, Any]:
    """What the digest templates need: the digest and the labels of its codes, translated in the
    active language."""
    codes = {s for c in digest.cases for s in c.states} | set(digest.selection.states)
    return {"digest": digest, "max_cases": MAX_CASES, **code_labels(states=codes)}


def render_digest_html(digest: Digest) -> str:
    """The digest as a standalone HTML document (its stylesheet included), in its language."""
    with translation.override(digest.language):
        context = digest_context(digest)
        css = PRINT_CSS.read_text(encoding="utf-8") + _page_css()
        context["document_css"] = mark_safe(css)  # noqa: S308  # our file; page texts go through css_string()
        return render_to_string("knowledge/digest_document.html", context)


def render_digest_pdf(digest: Digest) -> bytes:
    with translation.override(digest.language):
        context = digest_context(digest)
        context["document_css"] = mark_safe(_page_css())  # noqa: S308  # every text goes through css_string()
        html = render_to_string("knowledge/digest_document.html", context)
    document = HTML(string=html, url_fetcher=no_network_fetcher(), base_url=None)
    pdf = document.write_pdf(stylesheets=[_stylesheet()])
    assert pdf is not None  # noqa: S101  # write_pdf() without a target returns the bytes
    return pdf


def _page_css() -> str:
    """The page-margin boxes in the active language: the title at the top (start side), and
    "page X of Y" at the bottom."""
    text = gettext("Page %(page)s of %(pages)s")
    before, _sep, rest = text.partition("%(page)s")
    between, _sep, after = rest.partition("%(pages)s")
    footer = f"{css_string(before)} counter(page) {css_string(between)} counter(pages) {css_string(after)}"
    header = css_string(gettext("Comity — case digest"))
    start, end = ("top-right", "top-left") if translation.get_language_bidi() else ("top-left", "top-right")
    return (
        f"\n@page {{ @{start} {{ content: {header}; }} @{end} {{ content: none; }} "
        f"@bottom-center {{ content: {footer}; }} }}\n"
    )


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    return CSS(string=PRINT_CSS.read_text(encoding="utf-8"), url_fetcher=no_network_fetcher())
