"""Factories for the directory: treaties, parties, declarations, contact entries, profiles."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import factory
from django.utils import timezone

from comity.core.enums import AuthorityKind
from comity.core.models import Authority, State
from comity.directory.enums import DeclarationKind, PartyStatus, TreatyScope
from comity.directory.models import AuthorityContact, Declaration, RequirementProfile, Treaty, TreatyParty
from tests.factories import AuthorityFactory, StateFactory


def recently() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=30)


class TreatyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treaty
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"treaty-{n}")
    title = factory.LazyAttribute(lambda o: f"Treaty {o.code}")
    scope = TreatyScope.MULTILATERAL
    subjects = factory.LazyFunction(lambda: ["mla", "extradition"])
    articles = factory.LazyFunction(dict)
    adopted_on = dt.date(2000, 11, 15)
    in_force_on = dt.date(2003, 9, 29)
    source_url = "https://treaties.un.org/"


def untoc() -> Treaty:
    return TreatyFactory(
        code="untoc",
        title="United Nations Convention against Transnational Organized Crime",
        articles={"mla": ["18"], "extradition": ["16"]},
        days_after_deposit=30,
    )


class TreatyPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatyParty

    treaty = factory.SubFactory(TreatyFactory)
    state = factory.SubFactory(StateFactory)
    status = PartyStatus.PARTY
    signature_date = dt.date(2000, 12, 12)
    consent_date = dt.date(2002, 5, 1)
    consent_type = "ratification"
    in_force_date = dt.date(2003, 9, 29)


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    treaty = factory.LazyFunction(untoc)
    state = factory.SubFactory(StateFactory)
    article = "18(14)"
    kind = DeclarationKind.DECLARATION
    date = dt.date(2002, 5, 1)
    summary = "Requests accepted in English"
    languages = factory.LazyFunction(lambda: ["en"])
    source_url = "https://treaties.un.org/declarations"


class AuthorityContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorityContact

    authority = factory.SubFactory(AuthorityFactory)
    functions = factory.LazyFunction(lambda: ["central_mla"])
    languages = factory.LazyFunction(lambda: ["en"])
    channels = factory.LazyFunction(lambda: ["email"])
    email = "central@justice.example.org"
    phone = "+1 555 0100"
    urgent_contact = "+1 555 0199 (duty prosecutor, 24/7)"
    office_hours = "Mon-Fri 09:00-17:00"
    time_zone = "Europe/Paris"
    address = "1 Justice Square"
    website = "https://justice.example.org/"
    last_verified = factory.LazyFunction(recently)


class RequirementProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequirementProfile

    state = factory.SubFactory(StateFactory)
    subject = "mla"
    dual_criminality_required = "no"
    judicial_order_for_coercive = "yes"
    typical_execution_days = 90
    special_requirements = "Bank records need a court order"
    last_verified = factory.LazyFunction(recently)


# --- A small directory: France and Mexico (both UNTOC parties, a bilateral MLA treaty), Germany
# (signatory only); one stale authority entry and one stale profile.

LONG_AGO = dt.date(2020, 1, 15)


@dataclass
class Directory:
    fra: State
    mex: State
    deu: State
    fra_ca: Authority
    fra_exec: Authority
    mex_ca: Authority
    deu_ca: Authority


def make_directory() -> Directory:
    fra = StateFactory(
        code="FRA",
        name="France",
        names={"en": "France", "fr": "France", "es": "Francia", "ru": "Франция", "ar": "فرنسا", "zh": "法国"},
    )
    mex = StateFactory(
        code="MEX",
        name="Mexico",
        names={
            "en": "Mexico",
            "fr": "Mexique",
            "es": "México",
            "ru": "Мексика",
            "ar": "المكسيك",
            "zh": "墨西哥",
        },
    )
    deu = StateFactory(code="DEU", name="Germany", names={"en": "Germany", "fr": "Allemagne"})
    convention = untoc()
    TreatyPartyFactory(
        treaty=convention,
        state=fra,
        signature_date=dt.date(2000, 12, 12),
        consent_date=dt.date(2002, 10, 29),
        consent_type="approval",
        in_force_date=dt.date(2003, 9, 29),
    )
    TreatyPartyFactory(
        treaty=convention,
        state=mex,
        signature_date=dt.date(2000, 12, 13),
        consent_date=dt.date(2003, 3, 4),
        in_force_date=dt.date(2003, 9, 29),
    )
    TreatyPartyFactory(
        treaty=convention, state=deu, status=PartyStatus.SIGNATORY, consent_date=None, in_force_date=None
    )
    bilateral = TreatyFactory(
        code="fra-mex-mla-1994",
        title="France-Mexico treaty on mutual legal assistance",
        scope=TreatyScope.BILATERAL,
        subjects=["mla"],
        in_force_on=dt.date(1997, 2, 1),
    )
    TreatyPartyFactory(treaty=bilateral, state=fra, in_force_date=dt.date(1997, 2, 1))
    TreatyPartyFactory(treaty=bilateral, state=mex, in_force_date=dt.date(1997, 2, 1))
    DeclarationFactory(
        state=fra,
        article="18(14)",
        summary="Requests accepted in French",
        languages=["fr"],
        date=dt.date(2002, 10, 29),
        source_url="https://treaties.un.org/fra-18-14",
    )
    DeclarationFactory(
        state=fra,
        article="18(13)",
        summary="Central authority: Ministry of Justice",
        languages=[],
        authority_name="Ministère de la Justice",
    )
    DeclarationFactory(state=fra, article="5(3)", kind="notification", summary="Organized group required")
    DeclarationFactory(state=mex, article="16(5)", summary="Takes the Convention as a basis", languages=[])
    DeclarationFactory(state=mex, article="18(14)", summary="Requests in Spanish", languages=["es"])
    fra_ca = AuthorityFactory(state=fra, name="Bureau de l'entraide pénale internationale")
    AuthorityContactFactory(
        authority=fra_ca,
        functions=["central_mla", "central_extradition"],
        languages=["fr", "en"],
        channels=["email", "diplomatic"],
        email="beepi@justice.example.fr",
        urgent_contact="+33 1 00 00 00 99 (permanence 24/7)",
        office_hours="lun.-ven. 9h-18h",
        time_zone="Europe/Paris",
        address="13 place Vendôme, Paris",
        website="https://justice.example.fr/",
    )
    fra_exec = AuthorityFactory(state=fra, name="Parquet de Paris", kind=AuthorityKind.EXECUTING_AUTHORITY)
    AuthorityContactFactory(
        authority=fra_exec, functions=["executing"], languages=["fr"], last_verified=LONG_AGO
    )
    mex_ca = AuthorityFactory(state=mex, name="Fiscalía General de la República")
    AuthorityContactFactory(
        authority=mex_ca, functions=["central_mla"], languages=["es", "eng"], channels=["email"]
    )
    deu_ca = AuthorityFactory(state=deu, name="Bundesamt für Justiz")
    AuthorityContactFactory(authority=deu_ca, functions=["central_mla"], languages=["de", "en"])
    RequirementProfileFactory(state=fra, subject="mla", special_requirements="Dual criminality for coercion")
    RequirementProfileFactory(
        state=fra, subject="extradition", last_verified=LONG_AGO, minimum_penalty_months=12
    )
    RequirementProfileFactory(state=mex, subject="mla", typical_execution_days=120)
    return Directory(fra, mex, deu, fra_ca, fra_exec, mex_ca, deu_ca)
