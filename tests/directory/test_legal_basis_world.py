"""A small directory for the legal-basis tests, built with factories (never with the importer).

UNTOC data follows the real dates where the reference data has them (Mexico, the Netherlands,
Lesotho, Lithuania, Monaco, Belgium); the bilateral treaties are made up for the tests.
"""

from __future__ import annotations

import datetime as dt

import factory

from comity.directory.enums import PartyStatus, TreatyScope, TriState
from comity.directory.models import AuthorityContact, Declaration, RequirementProfile, Treaty, TreatyParty
from tests.factories import AuthorityFactory, StateFactory

D = dt.date


class TreatyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Treaty
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"treaty-{n}")
    title = factory.LazyAttribute(lambda o: f"Treaty {o.code}")
    scope = TreatyScope.BILATERAL
    subjects = factory.LazyFunction(lambda: ["mla"])
    articles = factory.LazyFunction(dict)


class TreatyPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatyParty

    treaty = factory.SubFactory(TreatyFactory)
    state = factory.SubFactory(StateFactory)
    status = PartyStatus.PARTY


class DeclarationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Declaration

    treaty = factory.SubFactory(TreatyFactory)
    state = factory.SubFactory(StateFactory)
    article = "18(14)"
    kind = "declaration"
    summary = "paraphrased summary"


class AuthorityContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorityContact

    authority = factory.SubFactory(AuthorityFactory)
    functions = factory.LazyFunction(lambda: ["central_mla"])
    languages = factory.LazyFunction(list)
    channels = factory.LazyFunction(list)


class RequirementProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequirementProfile

    state = factory.SubFactory(StateFactory)
    subject = "extradition"


STATES = {
    "MEX": "Mexico",
    "NLD": "Netherlands",
    "FRA": "France",
    "IRN": "Iran",
    "SSD": "South Sudan",
    "PNG": "Papua New Guinea",
    "LSO": "Lesotho",
    "LTU": "Lithuania",
    "MCO": "Monaco",
    "BEL": "Belgium",
}


def build_world() -> dict[str, object]:
    s = {code: StateFactory(code=code, name=name) for code, name in STATES.items()}
    untoc = TreatyFactory(
        code="untoc",
        title="United Nations Convention against Transnational Organized Crime",
        scope=TreatyScope.MULTILATERAL,
        subjects=["mla", "extradition"],
        in_force_on=D(2003, 9, 29),
        days_after_deposit=30,
    )
    for code, consent in {
        "MEX": D(2003, 3, 4),
        "NLD": D(2004, 5, 26),
        "LSO": D(2003, 9, 24),
        "LTU": D(2002, 5, 9),
        "MCO": D(2001, 6, 5),
    }.items():
        TreatyPartyFactory(treaty=untoc, state=s[code], consent_date=consent)
    TreatyPartyFactory(
        treaty=untoc, state=s["BEL"], consent_date=D(2004, 8, 11), in_force_date=D(2004, 9, 10)
    )
    TreatyPartyFactory(treaty=untoc, state=s["FRA"], status=PartyStatus.PARTY_DATE_UNKNOWN)
    TreatyPartyFactory(
        treaty=untoc, state=s["IRN"], status=PartyStatus.SIGNATORY, signature_date=D(2000, 12, 12)
    )
    TreatyPartyFactory(treaty=untoc, state=s["SSD"], status=PartyStatus.REPORTED_NOT_CONFIRMED)

    def declare(state: str, article: str, **kw: object) -> None:
        DeclarationFactory(treaty=untoc, state=s[state], article=article, **kw)

    declare("MEX", "16(5)", untoc_extradition_basis=TriState.YES)
    declare("MEX", "18(14)", languages=["es"])
    declare("LSO", "16(5)", untoc_extradition_basis=TriState.NO)
    declare("LSO", "18(14)", languages=["en"])
    declare("LTU", "16(5)", untoc_extradition_basis=TriState.UNKNOWN)
    declare("LTU", "18(14)", languages=["en", "ru", "lt"])
    declare("MCO", "16(5)", untoc_extradition_basis=TriState.YES)

    ets030 = TreatyFactory(
        code="ets030",
        title="European Convention on Mutual Assistance in Criminal Matters",
        scope=TreatyScope.REGIONAL,
        subjects=["mla"],
        articles={"mla": ["1", "15"]},
        in_force_on=D(1962, 6, 12),
    )
    TreatyPartyFactory(treaty=ets030, state=s["NLD"], in_force_date=D(1969, 5, 15))
    TreatyPartyFactory(treaty=ets030, state=s["BEL"], in_force_date=D(1975, 11, 11))
    TreatyPartyFactory(treaty=ets030, state=s["LTU"], in_force_date=D(1997, 10, 15))
    TreatyPartyFactory(treaty=ets030, state=s["FRA"], status=PartyStatus.PARTY_DATE_UNKNOWN)

    mex_nld = TreatyFactory(
        code="mex-nld-test",
        title="Mexico-Netherlands treaty (test)",
        scope=TreatyScope.BILATERAL,
        subjects=["mla", "extradition"],
        articles={"extradition": ["2"], "mla": ["1"]},
        in_force_on=D(2010, 2, 1),
    )
    TreatyPartyFactory(treaty=mex_nld, state=s["MEX"], in_force_date=D(2010, 3, 1))
    TreatyPartyFactory(treaty=mex_nld, state=s["NLD"], in_force_date=D(2010, 2, 1))

    bel_lso = TreatyFactory(
        code="bel-lso-test",
        title="Belgium-Lesotho extradition treaty (test)",
        scope=TreatyScope.BILATERAL,
        subjects=["extradition"],
        in_force_on=D(2012, 1, 1),
    )
    TreatyPartyFactory(treaty=bel_lso, state=s["BEL"], in_force_date=D(2012, 1, 1))
    TreatyPartyFactory(treaty=bel_lso, state=s["LSO"], in_force_date=D(2012, 1, 1))

    uncac = TreatyFactory(
        code="uncac",
        title="United Nations Convention against Corruption",
        scope=TreatyScope.MULTILATERAL,
        subjects=["corruption"],
        articles={"mla": ["46"], "extradition": ["44"]},
        in_force_on=D(2005, 12, 14),
        days_after_deposit=30,
    )
    TreatyPartyFactory(treaty=uncac, state=s["MEX"], consent_date=D(2004, 7, 20))
    TreatyPartyFactory(treaty=uncac, state=s["NLD"], consent_date=D(2006, 10, 31))
    TreatyPartyFactory(treaty=uncac, state=s["LSO"], status=PartyStatus.SIGNATORY)

    nld_ca = AuthorityFactory(state=s["NLD"], name="Ministry of Justice and Security")
    AuthorityContactFactory(
        authority=nld_ca,
        functions=["central_mla", "central_extradition"],
        languages=["nl", "en"],
        channels=["email", "node_exchange"],
        email="ibs@example.nl",
    )
    fra_ca = AuthorityFactory(state=s["FRA"], name="Bureau de l'entraide pénale internationale")
    AuthorityContactFactory(
        authority=fra_ca, functions=["central_mla"], languages=["fr"], channels=["diplomatic"]
    )
    lso_ca = AuthorityFactory(state=s["LSO"], name="Office of the Attorney-General")
    AuthorityContactFactory(
        authority=lso_ca,
        functions=["central_mla", "central_extradition"],
        languages=["en"],
        channels=["post"],
    )

    RequirementProfileFactory(
        state=s["NLD"],
        subject="extradition",
        minimum_penalty_months=12,
        extradition_of_nationals="conditional",
    )
    RequirementProfileFactory(state=s["NLD"], subject="mla", dual_criminality_required=TriState.NO)
    RequirementProfileFactory(state=s["LSO"], subject="extradition", extradition_of_nationals="no")
    return {"states": s, "untoc": untoc, "nld_ca": nld_ca}
