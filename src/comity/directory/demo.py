"""Demo data of the directory: the reference import, plus contact entries for the demo
authorities of France, Mexico and Egypt and a few requirement profiles per demo State.

The contact details and profiles are illustrative, not verified facts about these States: every
e-mail and website is on `.invalid`, and each profile says so in `special_requirements`.
Idempotent: rows are created once with `get_or_create` (so the dates relative to today are set
on the first run and never moved, and edits made in the demo are kept); the reference import
itself changes nothing when re-run. Egypt's entries are dated over twelve months back, so the
directory shows them as stale.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from comity.core.enums import AuthorityKind
from comity.core.models import Authority, State
from comity.directory.enums import AuthorityFunction, EvidentiaryStandard, ExtraditionOfNationals, TriState
from comity.directory.importers import import_reference_data
from comity.directory.models import AuthorityContact, RequirementProfile
from comity.vocabulary import Channel, Measure, RequestType

ILLUSTRATIVE = "Illustrative demo data, not verified information about this State."

FUNCTIONS = {
    AuthorityKind.CENTRAL_AUTHORITY: [
        AuthorityFunction.CENTRAL_MLA,
        AuthorityFunction.CENTRAL_EXTRADITION,
        AuthorityFunction.CENTRAL_CONFISCATION,
    ],
    AuthorityKind.COMPETENT_AUTHORITY: [AuthorityFunction.COMPETENT],
    AuthorityKind.EXECUTING_AUTHORITY: [AuthorityFunction.EXECUTING],
}

# code: languages, time zone, office hours, address, days since last verified
STATE_CONTACTS: dict[str, dict[str, Any]] = {
    "FRA": {
        "languages": ["fr", "en"],
        "time_zone": "Europe/Paris",
        "office_hours": "Mon-Fri 09:00-18:00",
        "address": "13 place Vendôme, 75001 Paris, France (demo)",
        "phone": "+33 1 00 00 00 00",
        "verified_days_ago": 45,
    },
    "MEX": {
        "languages": ["es", "en"],
        "time_zone": "America/Mexico_City",
        "office_hours": "Lun-Vie 09:00-19:00",
        "address": "Av. Paseo de la Reforma 211, Cuauhtémoc, 06500 Ciudad de México (demo)",
        "phone": "+52 55 0000 0000",
        "verified_days_ago": 120,
    },
    "EGY": {
        "languages": ["ar", "en", "fr"],
        "time_zone": "Africa/Cairo",
        "office_hours": "Sun-Thu 09:00-15:00",
        "address": "Dar Al-Qadaa Al-Aali, 26th of July Street, Cairo (demo)",
        "phone": "+20 2 0000 0000",
        "verified_days_ago": 430,  # older than twelve months: shown as stale
    },
}

# code: {subject: field values}; every profile also gets ILLUSTRATIVE and last_verified.
PROFILES: dict[str, dict[str, dict[str, Any]]] = {
    "FRA": {
        RequestType.MLA: {
            "dual_criminality_required": TriState.NO,
            "judicial_order_for_coercive": TriState.YES,
            "typical_execution_days": 120,
            "special_requirements": "Requests in French or with a French translation.",
        },
        RequestType.EXTRADITION: {
            "dual_criminality_required": TriState.YES,
            "minimum_penalty_months": 12,
            "extradition_of_nationals": ExtraditionOfNationals.NO,
            "evidentiary_standard": EvidentiaryStandard.NONE,
            "formal_request_days": 40,
            "provisional_arrest_channels": [Channel.INTERPOL, Channel.DIPLOMATIC],
            "assurances_required": "No death penalty to be imposed or carried out.",
        },
        Measure.BANK_RECORDS: {
            "judicial_order_for_coercive": TriState.YES,
            "typical_execution_days": 90,
            "special_requirements": "Name the bank, the account numbers and the period.",
        },
    },
    "MEX": {
        RequestType.MLA: {
            "dual_criminality_required": TriState.NO,
            "judicial_order_for_coercive": TriState.YES,
            "typical_execution_days": 150,
            "special_requirements": "Requests in Spanish or with a Spanish translation.",
        },
        RequestType.EXTRADITION: {
            "dual_criminality_required": TriState.YES,
            "minimum_penalty_months": 12,
            "extradition_of_nationals": ExtraditionOfNationals.CONDITIONAL,
            "evidentiary_standard": EvidentiaryStandard.SUMMARY,
            "formal_request_days": 60,
            "provisional_arrest_channels": [Channel.INTERPOL, Channel.DIPLOMATIC],
            "assurances_required": "No death penalty and no life imprisonment without review.",
        },
        Measure.BANK_RECORDS: {
            "judicial_order_for_coercive": TriState.YES,
            "typical_execution_days": 120,
            "special_requirements": "Requests go through the banking supervisor; give account and period.",
        },
    },
    "EGY": {
        RequestType.MLA: {
            "dual_criminality_required": TriState.YES,
            "judicial_order_for_coercive": TriState.YES,
            "typical_execution_days": 180,
            "special_requirements": "Requests in Arabic or with an Arabic translation.",
        },
        RequestType.EXTRADITION: {
            "dual_criminality_required": TriState.YES,
            "minimum_penalty_months": 12,
            "extradition_of_nationals": ExtraditionOfNationals.NO,
            "evidentiary_standard": EvidentiaryStandard.SUMMARY,
            "formal_request_days": 60,
            "provisional_arrest_channels": [Channel.INTERPOL, Channel.DIPLOMATIC],
        },
        Measure.BANK_RECORDS: {
            "judicial_order_for_coercive": TriState.YES,
            "typical_execution_days": 120,
            "special_requirements": "Lifting bank secrecy needs an order of the Cairo Court of Appeal.",
        },
    },
}


def _contact_values(state: State, authority: Authority, today: dt.date) -> dict[str, Any]:
    facts = STATE_CONTACTS[state.code]
    slug = f"{authority.kind.replace('_', '-')}.{state.code.lower()}"
    central = authority.kind == AuthorityKind.CENTRAL_AUTHORITY
    return {
        "functions": [str(f) for f in FUNCTIONS.get(AuthorityKind(authority.kind), [])],
        "languages": facts["languages"],
        "channels": [Channel.NODE_EXCHANGE, Channel.EMAIL, Channel.DIPLOMATIC]
        if central
        else [Channel.NODE_EXCHANGE, Channel.EMAIL],
        "email": f"{slug}@demo.comity.invalid",
        "phone": facts["phone"],
        "urgent_contact": f"24/7 duty officer: {facts['phone']} / urgent.{slug}@demo.comity.invalid",
        "office_hours": facts["office_hours"],
        "time_zone": facts["time_zone"],
        "address": facts["address"],
        "website": f"https://{state.code.lower()}.demo.comity.invalid/{authority.kind.replace('_', '-')}",
        "last_verified": today - dt.timedelta(days=facts["verified_days_ago"]),
    }


@transaction.atomic
def seed_directory() -> None:
    """Reference data, then contact entries and requirement profiles of the demo States."""
    import_reference_data()
    today = timezone.localdate()
    for state in State.objects.filter(code__in=STATE_CONTACTS):
        for authority in Authority.objects.filter(state=state):
            AuthorityContact.objects.get_or_create(
                authority=authority, defaults=_contact_values(state, authority, today)
            )
        verified = today - dt.timedelta(days=STATE_CONTACTS[state.code]["verified_days_ago"])
        for subject, values in PROFILES[state.code].items():
            text = " ".join(p for p in (ILLUSTRATIVE, values.get("special_requirements", "")) if p)
            RequirementProfile.objects.get_or_create(
                state=state,
                subject=str(subject),
                defaults={**values, "special_requirements": text, "last_verified": verified},
            )
