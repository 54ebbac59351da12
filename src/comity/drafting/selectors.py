"""Reads of the request writer, restricted to what the principal may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from comity.accounts.principal import Principal
from comity.core.rules import can
from comity.directory.legal_basis import InvalidQuery, LegalBasisQuery, answer
from comity.drafting.models import Draft
from comity.vocabulary import CooperationType, RequestType


def drafts_visible(principal: Principal) -> QuerySet[Draft]:
    """The drafts of the principal's active authority, newest first (the State scope is open)."""
    if principal.authority is None or not can(principal, "drafting.view_drafts"):
        return Draft.objects.none()
    return (
        Draft.objects.filter(authority_id=principal.authority.pk, state_id=principal.authority.state_id)
        .select_related("requested_state", "created_by")
        .order_by("-updated_at", "pk")
    )


def access_draft(principal: Principal, code: str) -> Draft:
    """The draft, or the same 404 whether it does not exist or is not the principal's to see."""
    draft = drafts_visible(principal).filter(code=code[:16]).first()
    if draft is None or not can(principal, "drafting.view_draft", draft):
        raise Http404("No such draft.")
    return draft


# The legal-basis engine answers per cooperation type; each request type belongs to one.
COOPERATION_OF: dict[str, str] = {
    RequestType.MLA: CooperationType.MLA,
    RequestType.SPONTANEOUS_INFORMATION: CooperationType.MLA,
    RequestType.EXTRADITION: CooperationType.EXTRADITION,
    RequestType.PROVISIONAL_ARREST: CooperationType.EXTRADITION,
    RequestType.CONFISCATION_DOMESTIC_ORDER: CooperationType.CONFISCATION,
    RequestType.CONFISCATION_ENFORCE_ORDER: CooperationType.CONFISCATION,
    RequestType.FREEZING: CooperationType.CONFISCATION,
    RequestType.TRANSFER_OF_PROCEEDINGS: CooperationType.TRANSFER_OF_PROCEEDINGS,
    RequestType.TRANSFER_OF_SENTENCED_PERSON: CooperationType.TRANSFER_OF_SENTENCED_PERSONS,
}


@dataclass(frozen=True)
class LegalBasisResult:
    cooperation_type: str
    answer: dict[str, Any] | None
    error: str = ""


def draft_legal_basis(draft: Draft) -> LegalBasisResult:
    """The legal-basis engine's answer for the draft: its States, its type, and what the
    document already says about the offence (the highest maximum penalty, the UNTOC article)."""
    document = draft.document
    offences = document.get("offences", [])
    penalties = [float(o["max_penalty_years"]) for o in offences if o.get("max_penalty_years") is not None]
    article = next((o["untoc_article"] for o in offences if o.get("untoc_article")), None)
    cooperation_type = COOPERATION_OF[draft.request_type]
    raw: dict[str, Any] = {
        "requesting": draft.state.code,
        "requested": document["requested_state"],
        "type": cooperation_type,
        "max_penalty_requesting": max(penalties) if penalties else None,
        "offence_article": article,
    }
    try:
        return LegalBasisResult(cooperation_type, answer(LegalBasisQuery.parse(raw)))
    except InvalidQuery as exc:
        return LegalBasisResult(cooperation_type, None, str(exc))
