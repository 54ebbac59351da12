"""/api/v1/legal-basis: which instrument applies between two States (public read)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from comity.api.base import error_response
from comity.directory.legal_basis import InvalidQuery, LegalBasisQuery, answer, load_facts

router = Router(tags=["legal basis"])


@router.get("/legal-basis", auth=None, summary="Legal bases for a cooperation between two States")
def legal_basis(
    request: HttpRequest,
    requesting: str,
    requested: str,
    type: str,
    max_penalty_requesting: str | None = None,
    max_penalty_requested: str | None = None,
    offence_article: str | None = None,
    transnational: str | None = None,
    organized_group: str | None = None,
    person_national_of: str | None = None,
    date: str | None = None,
) -> Any:
    """Bilateral, regional and multilateral treaties, UNTOC and reciprocity, most specific first,
    with warnings citing UNTOC articles. Public reference data: no token needed.

    Penalties are maximum years of deprivation of liberty (0: not punishable there; omit if
    unknown); `transnational` and `organized_group` are true, false or omitted (unknown);
    `date` is YYYY-MM-DD (default today). Bad input: 422 `invalid_query` with `errors`.
    """
    raw = {
        "requesting": requesting,
        "requested": requested,
        "type": type,
        "max_penalty_requesting": max_penalty_requesting,
        "max_penalty_requested": max_penalty_requested,
        "offence_article": offence_article,
        "transnational": transnational,
        "organized_group": organized_group,
        "person_national_of": person_national_of,
        "date": date,
    }
    facts = load_facts()
    try:
        return answer(LegalBasisQuery.parse(raw, states=facts.states), facts)
    except InvalidQuery as exc:
        return _invalid(request, exc)


def _invalid(request: HttpRequest, exc: InvalidQuery) -> HttpResponse:
    errors = [{"field": field, "message": message} for field, message in exc.errors]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return error_response(request, 422, "invalid_query", summary, errors=errors)
