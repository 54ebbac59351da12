"""Public directory pages (no login): search, State page, authority page.

Views parse input, call selectors, render; the rules (what is stale, what binds whom) live in
`comity.directory.selectors`. Bad query parameters are form errors with status 422.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from comity.core.enums import AuthorityKind, UnStatus
from comity.directory.enums import AuthorityFunction, DeclarationKind, PartyStatus, TreatyScope
from comity.directory.forms import AuthoritySearchForm, StateFilterForm
from comity.directory.selectors import (
    authorities_search,
    authority_entries,
    authority_entry,
    directory_languages,
    state_choices,
    state_entry,
    states_list,
)
from comity.knowledge.selectors import knowledge_for_state
from comity.vocabulary import Channel, CooperationType, Measure, RequestType

AUTHORITY_PAGE = 50
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
AUTHORITY_RESULTS = "authority-results"
STATE_RESULTS = "state-results"


def ui_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@lru_cache(maxsize=16)
def language_names(language: str) -> Mapping[str, str]:
    """ISO 639-1 code -> language name in the UI language (CLDR, through babel)."""
    try:
        return Locale.parse(translation.to_locale(language)).languages
    except (UnknownLocaleError, ValueError):
        return Locale("en").languages


def _resolved(*choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Code -> label, translated once for this request (lazy labels cost a lookup per use)."""
    return {str(code): str(label) for pairs in choices for code, label in pairs}


def labels(language: str) -> dict[str, Any]:
    """Code -> translated label maps for templates (`mapping|get_item:code`)."""
    return {
        "language_labels": language_names(language),
        "function_labels": _resolved(AuthorityFunction.choices),
        "channel_labels": _resolved(Channel.choices),
        "authority_kind_labels": _resolved(AuthorityKind.choices),
        "subject_labels": _resolved(Measure.choices, CooperationType.choices, RequestType.choices),
        "scope_labels": _resolved(TreatyScope.choices),
        "party_status_labels": _resolved(PartyStatus.choices),
        "declaration_kind_labels": _resolved(DeclarationKind.choices),
        "un_status_labels": _resolved(UnStatus.choices),
        "un_languages": UN_LANGUAGES,
    }


def _htmx_target(request: HttpRequest) -> str | None:
    htmx = getattr(request, "htmx", None)
    return htmx.target if htmx else None


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """States list with filters, and the authority search; htmx swaps either result list."""
    language = ui_language()
    today = timezone.localdate()
    target = _htmx_target(request)
    data = request.GET or None
    context: dict[str, Any] = labels(language)
    invalid = False

    if target != AUTHORITY_RESULTS:
        state_form = StateFilterForm(data)
        rows = []
        if state_form.is_bound and not state_form.is_valid():
            invalid = True
        else:
            filters = state_form.cleaned_data if state_form.is_bound else {}
            rows = states_list(
                language=language,
                q=filters.get("state_q", ""),
                untoc=filters.get("untoc", ""),
                un_status=filters.get("un_status", ""),
            )
        context.update(state_form=state_form, state_rows=rows)

    if target != STATE_RESULTS:
        names = language_names(language)
        languages = sorted(
            ((code, names.get(code, code)) for code in directory_languages()), key=lambda c: c[1].casefold()
        )
        authority_form = AuthoritySearchForm(
            data, states=state_choices(language=language), languages=languages
        )
        found: list[Any] = []
        more = False
        if authority_form.is_bound and not authority_form.is_valid():
            invalid = True
        else:
            filters = authority_form.cleaned_data if authority_form.is_bound else {}
            matches = list(
                authorities_search(
                    q=filters.get("q", ""),
                    language=filters.get("language", ""),
                    function=filters.get("function", ""),
                    state=filters.get("state", ""),
                )[: AUTHORITY_PAGE + 1]
            )
            more = len(matches) > AUTHORITY_PAGE
            found = authority_entries(matches[:AUTHORITY_PAGE], language=language, today=today)
        context.update(authority_form=authority_form, authorities=found, more=more, page_size=AUTHORITY_PAGE)

    template = {
        AUTHORITY_RESULTS: "directory/_authority_results.html",
        STATE_RESULTS: "directory/_state_results.html",
    }.get(target or "", "directory/search.html")
    response = render(request, template, context, status=422 if invalid else 200)
    # The same URL answers a page or a fragment: caches must keep them apart (hx-push-url).
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@require_GET
def state_page(request: HttpRequest, code: str) -> HttpResponse:
    language = ui_language()
    entry = state_entry(code, language=language, today=timezone.localdate())
    knowledge = knowledge_for_state(entry.state.code, language=language)
    return render(
        request, "directory/state.html", {"entry": entry, "knowledge": knowledge, **labels(language)}
    )


@require_GET
def authority_page(request: HttpRequest, code: str) -> HttpResponse:
    language = ui_language()
    entry = authority_entry(code, language=language, today=timezone.localdate())
    return render(request, "directory/authority.html", {"e": entry, **labels(language)})
