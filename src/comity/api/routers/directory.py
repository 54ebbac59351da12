"""/api/v1/directory/...: the machine-readable directory (public read, no token needed).

States with their UNTOC status, declarations, authorities with their contact entries (and the
stale flag: not verified in the last 12 months), requirement profiles, treaties and their
parties, and the treaties in force between two States on a date. Nothing here reads a
State-owned model. Unknown codes answer 404 {code: "not_found"}; bad parameters 422.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from comity.core.enums import UnStatus
from comity.core.models import State
from comity.directory.enums import AuthorityFunction
from comity.directory.models import Declaration, RequirementProfile, Treaty, TreatyParty
from comity.directory.selectors import (
    BOUND_STATUSES,
    AuthorityEntry,
    StateRow,
    access_state,
    access_treaty,
    authorities_search,
    authority_entries,
    authority_entry,
    state_entry,
    states_list,
    treaties_in_force,
    treaties_list,
    treaty_parties,
)

router = Router(tags=["directory"])

API_LANGUAGE = "en"  # `name` fields are in English; `names` carries the six UN languages
ISO3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
SearchText = Annotated[str, StringConstraints(max_length=100)]


def _reject_unknown(request: HttpRequest, schema: type[Schema]) -> None:
    """Query schemas forbid extra fields; ninja drops unknown query keys before validation, so
    check them here and answer the same 422 a schema error gives."""
    unknown = sorted(set(request.GET) - set(schema.model_fields))
    if unknown:
        raise ValidationError(
            [
                {"loc": ("query", name), "msg": "Unknown parameter.", "type": "extra_forbidden"}
                for name in unknown
            ]
        )


# --- Schemas --------------------------------------------------------------------------------


class UntocStatusOut(Schema):
    status: str = Field(description="party, party_date_unknown, signatory, reported_not_confirmed or none")
    bound: bool
    signature_date: dt.date | None
    consent_date: dt.date | None
    consent_type: str
    in_force_date: dt.date | None


class StateOut(Schema):
    code: str
    name: str
    names: dict[str, str]
    kind: str
    un_status: str
    untoc: UntocStatusOut


class ContactOut(Schema):
    functions: list[str]
    languages: list[str]
    channels: list[str]
    email: str
    phone: str
    urgent_contact: str
    office_hours: str
    time_zone: str
    address: str
    website: str
    last_verified: dt.date | None


class AuthorityOut(Schema):
    code: str
    name: str
    kind: str
    state: str
    state_name: str
    stale: bool = Field(description="true when the entry was not verified in the last 12 months (or never)")
    contact: ContactOut | None


class DeclarationOut(Schema):
    treaty: str
    article: str
    kind: str
    date: dt.date | None
    summary: str
    languages: list[str]
    authority_name: str
    untoc_extradition_basis: str
    source_url: str
    retrieved_on: dt.date | None


class ProfileOut(Schema):
    subject: str
    dual_criminality_required: str
    judicial_order_for_coercive: str
    typical_execution_days: int | None
    special_requirements: str
    minimum_penalty_months: int | None
    extradition_of_nationals: str
    evidentiary_standard: str
    assurances_required: str
    provisional_arrest_channels: list[str]
    formal_request_days: int | None
    last_verified: dt.date | None
    stale: bool


class ParticipationOut(Schema):
    treaty: str
    title: str
    scope: str
    status: str
    signature_date: dt.date | None
    consent_date: dt.date | None
    consent_type: str
    in_force_date: dt.date | None


class StateDetailOut(StateOut):
    declarations: list[DeclarationOut]
    authorities: list[AuthorityOut]
    requirement_profiles: list[ProfileOut]
    treaties: list[ParticipationOut]


class AuthorityPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AuthorityOut]


class TreatyOut(Schema):
    code: str
    title: str
    scope: str
    subjects: list[str]
    articles: dict[str, list[str]]
    adopted_on: dt.date | None
    in_force_on: dt.date | None
    depositary: str
    source_url: str
    retrieved_on: dt.date | None
    party_count: int


class TreatyPartyOut(Schema):
    state: str
    state_name: str
    status: str
    signature_date: dt.date | None
    consent_date: dt.date | None
    consent_type: str
    in_force_date: dt.date | None


class TreatyDetailOut(TreatyOut):
    parties: list[TreatyPartyOut]


class TreatyInForceOut(Schema):
    code: str
    title: str
    scope: str
    since: dt.date | None = Field(description="the day it binds both; null when a date is unknown")
    date_unknown: bool = Field(description="counted as binding, but a date of becoming bound is unknown")
    a_in_force_date: dt.date | None
    b_in_force_date: dt.date | None


class TreatiesInForceOut(Schema):
    a: str
    b: str
    date: dt.date
    treaties: list[TreatyInForceOut]


# --- Query parameters -----------------------------------------------------------------------


class StatesQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    q: SearchText = ""
    untoc: Annotated[str, StringConstraints(pattern=r"^(party|signatory|not_party)$")] | None = None
    un_status: UnStatus | None = None


class AuthoritiesQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    q: SearchText = ""
    language: LanguageCode | None = None
    function: AuthorityFunction | None = None
    state: ISO3 | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class EmptyQuery(Schema):
    model_config = ConfigDict(extra="forbid")


class TreatiesInForceQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    a: ISO3
    b: ISO3
    date: dt.date | None = None

    @field_validator("b")
    @classmethod
    def _two_states(cls, b: str, info: ValidationInfo) -> str:
        if b == info.data.get("a"):
            raise ValueError("a and b must be two different States")
        return b


# --- Shaping --------------------------------------------------------------------------------


def _untoc(party: TreatyParty | None) -> dict[str, Any]:
    if party is None:
        return {
            "status": "none",
            "bound": False,
            "signature_date": None,
            "consent_date": None,
            "consent_type": "",
            "in_force_date": None,
        }
    return {
        "status": party.status,
        "bound": party.status in BOUND_STATUSES,
        "signature_date": party.signature_date,
        "consent_date": party.consent_date,
        "consent_type": party.consent_type,
        "in_force_date": party.in_force_date,
    }


def _state(state: State, untoc: TreatyParty | None) -> dict[str, Any]:
    return {
        "code": state.code,
        "name": state.name,
        "names": {k: str(v) for k, v in (state.names or {}).items()},
        "kind": state.kind,
        "un_status": state.un_status,
        "untoc": _untoc(untoc),
    }


def _authority(entry: AuthorityEntry) -> dict[str, Any]:
    contact = entry.contact
    return {
        "code": entry.authority.code,
        "name": entry.authority.name,
        "kind": entry.authority.kind,
        "state": entry.authority.state.code,
        "state_name": entry.authority.state.name,
        "stale": entry.stale,
        "contact": None
        if contact is None
        else {
            "functions": contact.functions,
            "languages": contact.languages,
            "channels": contact.channels,
            "email": contact.email,
            "phone": contact.phone,
            "urgent_contact": contact.urgent_contact,
            "office_hours": contact.office_hours,
            "time_zone": contact.time_zone,
            "address": contact.address,
            "website": contact.website,
            "last_verified": contact.last_verified,
        },
    }


def _declaration(d: Declaration) -> dict[str, Any]:
    return {
        "treaty": d.treaty.code,
        "article": d.article,
        "kind": d.kind,
        "date": d.date,
        "summary": d.summary,
        "languages": d.languages,
        "authority_name": d.authority_name,
        "untoc_extradition_basis": d.untoc_extradition_basis,
        "source_url": d.source_url,
        "retrieved_on": d.retrieved_on,
    }


def _profile(p: RequirementProfile, *, stale: bool) -> dict[str, Any]:
    return {
        "subject": p.subject,
        "dual_criminality_required": p.dual_criminality_required,
        "judicial_order_for_coercive": p.judicial_order_for_coercive,
        "typical_execution_days": p.typical_execution_days,
        "special_requirements": p.special_requirements,
        "minimum_penalty_months": p.minimum_penalty_months,
        "extradition_of_nationals": p.extradition_of_nationals,
        "evidentiary_standard": p.evidentiary_standard,
        "assurances_required": p.assurances_required,
        "provisional_arrest_channels": p.provisional_arrest_channels,
        "formal_request_days": p.formal_request_days,
        "last_verified": p.last_verified,
        "stale": stale,
    }


def _treaty(t: Treaty, party_count: int) -> dict[str, Any]:
    return {
        "code": t.code,
        "title": t.title,
        "scope": t.scope,
        "subjects": t.subjects,
        "articles": t.articles,
        "adopted_on": t.adopted_on,
        "in_force_on": t.in_force_on,
        "depositary": t.depositary,
        "source_url": t.source_url,
        "retrieved_on": t.retrieved_on,
        "party_count": party_count,
    }


# --- Endpoints ------------------------------------------------------------------------------


@router.get("/states", response=list[StateOut], auth=None, summary="States and their UNTOC status")
def states(request: HttpRequest, filters: Query[StatesQuery]) -> list[dict[str, Any]]:
    _reject_unknown(request, StatesQuery)
    rows: Iterable[StateRow] = states_list(
        language=API_LANGUAGE, q=filters.q, untoc=filters.untoc or "", un_status=filters.un_status or ""
    )
    return [_state(row.state, row.untoc) for row in rows]


@router.get(
    "/states/{code}",
    response=StateDetailOut,
    auth=None,
    summary="One State: UNTOC status, declarations, authorities, requirement profiles, treaties",
)
def state(request: HttpRequest, code: str) -> dict[str, Any]:
    _reject_unknown(request, EmptyQuery)
    today = timezone.localdate()
    entry = state_entry(code, language=API_LANGUAGE, today=today)
    return {
        **_state(entry.state, entry.untoc),
        "declarations": [_declaration(d) for d in entry.declarations],
        "authorities": [_authority(a) for a in entry.authorities],
        "requirement_profiles": [_profile(p.profile, stale=p.stale) for p in entry.profiles],
        "treaties": [
            {
                "treaty": p.treaty.code,
                "title": p.treaty.title,
                "scope": p.treaty.scope,
                "status": p.status,
                "signature_date": p.signature_date,
                "consent_date": p.consent_date,
                "consent_type": p.consent_type,
                "in_force_date": p.in_force_date,
            }
            for p in entry.treaties
        ],
    }


@router.get(
    "/authorities",
    response=AuthorityPage,
    auth=None,
    summary="Search authorities by name, accepted language, function and State",
)
def authorities(request: HttpRequest, filters: Query[AuthoritiesQuery]) -> dict[str, Any]:
    _reject_unknown(request, AuthoritiesQuery)
    found = authorities_search(
        q=filters.q,
        language=filters.language or "",
        function=filters.function or "",
        state=filters.state or "",
    )
    page = list(found[filters.offset : filters.offset + filters.limit])
    entries = authority_entries(page, language=API_LANGUAGE, today=timezone.localdate())
    return {
        "count": found.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_authority(e) for e in entries],
    }


@router.get("/authorities/{code}", response=AuthorityOut, auth=None, summary="One authority's entry")
def authority(request: HttpRequest, code: str) -> dict[str, Any]:
    _reject_unknown(request, EmptyQuery)
    return _authority(authority_entry(code, language=API_LANGUAGE, today=timezone.localdate()))


@router.get("/treaties", response=list[TreatyOut], auth=None, summary="Treaties in the directory")
def treaties(request: HttpRequest) -> list[dict[str, Any]]:
    _reject_unknown(request, EmptyQuery)
    return [_treaty(t, t.party_count) for t in treaties_list()]  # type: ignore[attr-defined]  # annotated


@router.get("/treaties/{code}", response=TreatyDetailOut, auth=None, summary="One treaty with its parties")
def treaty(request: HttpRequest, code: str) -> dict[str, Any]:
    _reject_unknown(request, EmptyQuery)
    found = access_treaty(code)
    parties = list(treaty_parties(found))
    return {
        **_treaty(found, len(parties)),
        "parties": [
            {
                "state": p.state.code,
                "state_name": p.state.name,
                "status": p.status,
                "signature_date": p.signature_date,
                "consent_date": p.consent_date,
                "consent_type": p.consent_type,
                "in_force_date": p.in_force_date,
            }
            for p in parties
        ],
    }


@router.get(
    "/treaties-in-force",
    response=TreatiesInForceOut,
    auth=None,
    summary="Treaties binding both States on a date (default: today)",
)
def in_force(request: HttpRequest, filters: Query[TreatiesInForceQuery]) -> dict[str, Any]:
    _reject_unknown(request, TreatiesInForceQuery)
    a, b = access_state(filters.a), access_state(filters.b)
    on = filters.date or timezone.localdate()
    return {
        "a": a.code,
        "b": b.code,
        "date": on,
        "treaties": [
            {
                "code": t.treaty.code,
                "title": t.treaty.title,
                "scope": t.treaty.scope,
                "since": t.since,
                "date_unknown": t.date_unknown,
                "a_in_force_date": t.party_a.in_force_date,
                "b_in_force_date": t.party_b.in_force_date,
            }
            for t in treaties_in_force(a, b, on)
        ],
    }
