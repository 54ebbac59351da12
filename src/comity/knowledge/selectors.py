"""Reads of the knowledge base for the pages, the API, the digest and other apps' pages.

The knowledge base is public reference material: nothing here takes a principal and nothing
here reads a State-owned model, so a public page built from these selectors cannot carry what a
State owns. Full-text search and facets go through `comity.knowledge.search.search`; the
selectors below are the exact-match reads other apps need (a State's entries, a count).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.http import urlencode

from comity.core.models import State
from comity.directory.selectors import JsonListHas
from comity.knowledge.enums import EntryKind, Obstacle, Offence, Outcome
from comity.knowledge.models import Entry
from comity.knowledge.seed import article_titles
from comity.vocabulary import CooperationType, Measure, RequestType

_CODE = re.compile(r"[a-z0-9]{1,16}")
_ISO3 = re.compile(r"[A-Z]{3}")
# What a list of entries needs (the full text and JSON lists other than states stay behind).
LIST_FIELDS = ("code", "kind", "title", "summary", "language", "translations", "year", "states", "is_example")


def access_entry(code: str) -> Entry:
    """The entry with this public code, or a 404 (a malformed code is never looked up)."""
    entry = Entry.objects.filter(code=code).first() if _CODE.fullmatch(code) else None
    if entry is None:
        raise Http404("No such entry.")
    return entry


@dataclass(frozen=True)
class Localized:
    title: str
    summary: str
    language: str  # the language the title and summary are in
    translated: bool  # True when they come from `translations`, not the original


def localized(entry: Entry, language: str) -> Localized:
    """Title and summary in `language` when the entry has a translation, else the original."""
    lang = language.split("-")[0]
    if lang != entry.language:
        other = entry.translations.get(lang) if isinstance(entry.translations, dict) else None
        if isinstance(other, dict) and other.get("title"):
            return Localized(str(other["title"]), str(other.get("summary") or entry.summary), lang, True)
    return Localized(entry.title, entry.summary, entry.language, False)


def entries_for_state(iso3: str, kind: str, limit: int) -> list[Entry]:
    """The newest `limit` entries of `kind` that concern the State `iso3` (one query)."""
    if not _ISO3.fullmatch(iso3) or kind not in EntryKind.values or limit <= 0:
        return []
    rows: QuerySet[Entry] = (
        Entry.objects.filter(JsonListHas("states", iso3), kind=kind)
        .only(*LIST_FIELDS)
        .order_by("-year", "title", "pk")
    )
    return list(rows[:limit])


def count_entries(*, kind: str, state: str, measures: Sequence[str] = ()) -> int:
    """How many entries of `kind` concern `state` and (when given) any of `measures`: the number
    the search page shows for `?kind=..&state=..&measure=..` (OR within a facet, AND across)."""
    if not _ISO3.fullmatch(state):
        return 0
    rows = Entry.objects.filter(JsonListHas("states", state), kind=kind)
    if measures:
        any_measure = Q()
        for measure in sorted(set(measures)):
            any_measure |= Q(JsonListHas("measures", measure))
        rows = rows.filter(any_measure)
    return rows.count()


def state_names(codes: Iterable[str], *, language: str) -> dict[str, str]:
    """ISO alpha-3 code -> name in `language` for the States the directory knows (one query);
    codes it does not know are left out (callers show the code)."""
    wanted = {c for c in codes if _ISO3.fullmatch(c)}
    if not wanted:
        return {}
    return {
        s.code: s.name_in(language)
        for s in State.objects.filter(code__in=wanted).only("code", "name", "names")
    }


def _resolved(*choices: Iterable[tuple[str, object]]) -> dict[str, str]:
    """Code -> label, translated once in the active language."""
    return {str(code): str(label) for pairs in choices for code, label in pairs}


def code_labels(*, states: Iterable[str] = ()) -> dict[str, dict[str, str]]:
    """Code -> translated label maps for the templates (`mapping|get_item:code`), in the active
    language, with the names of `states` (one query when there are States to name)."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "kind_labels": _resolved(EntryKind.choices),
        "cooperation_labels": _resolved(CooperationType.choices),
        "request_type_labels": _resolved(RequestType.choices),
        "measure_labels": _resolved(Measure.choices),
        "offence_labels": _resolved(Offence.choices),
        "obstacle_labels": _resolved(Obstacle.choices),
        "outcome_labels": _resolved(Outcome.choices),
        "article_titles": article_titles(),
        "state_labels": state_names(states, language=language),
    }


@dataclass(frozen=True)
class EntryLink:
    code: str
    title: str
    year: int | None


@dataclass(frozen=True)
class StateKnowledge:
    legislation: list[EntryLink]
    cases: list[EntryLink]


def knowledge_for_state(iso3: str, *, language: str, limit: int = 5) -> StateKnowledge:
    """The newest legislation and cases about a State, titles in `language` (two queries)."""

    def links(kind: str) -> list[EntryLink]:
        return [
            EntryLink(e.code, localized(e, language).title, e.year)
            for e in entries_for_state(iso3, kind, limit)
        ]

    return StateKnowledge(legislation=links(EntryKind.LEGISLATION), cases=links(EntryKind.CASE))


@dataclass(frozen=True)
class RelatedCases:
    state: str
    measures: tuple[str, ...]
    count: int

    @property
    def query(self) -> str:
        """The search page's query string for these cases."""
        params = [("kind", EntryKind.CASE.value), ("state", self.state)]
        params += [("measure", m) for m in self.measures]
        return urlencode(params)


def related_cases(*, state: str, measures: Iterable[str]) -> RelatedCases:
    """Cases about the requested State and any of the requested measures (the request writer's
    link to the knowledge base); one query."""
    wanted = tuple(sorted({m for m in measures if m in Measure.values}))
    return RelatedCases(state, wanted, count_entries(kind=EntryKind.CASE, state=state, measures=wanted))
