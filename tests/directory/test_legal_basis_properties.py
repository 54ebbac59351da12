"""Properties of the legal-basis engine over generated directories (hypothesis).

The facts are built in memory from generated rows (`build_facts`, the same code `load_facts` runs
on the rows it reads), so thousands of directories can be tried without a database.
- No basis is offered before it entered into force for both States.
- A State that is not a UNTOC party never gets `untoc`.
- The answer does not depend on the order in which the rows were loaded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from comity.directory.legal_basis import LegalBasisQuery, answer, build_facts
from comity.directory.legal_basis.facts import (
    BOUND_STATUSES,
    UNTOC_CODE,
    ContactRow,
    DeclarationRow,
    PartyRow,
    ProfileRow,
    Rows,
    StateRow,
    TreatyRow,
)
from comity.vocabulary import CooperationType

STATES = ("AAA", "BBB", "CCC", "DDD")
TODAY = dt.date(2026, 6, 1)
STATUSES = ("party", "party_date_unknown", "signatory", "reported_not_confirmed")
SUBJECTS = (*CooperationType.values, "corruption", "jit")
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2035, 12, 31))
maybe_dates = st.none() | dates


@st.composite
def treaty_rows(draw: Any, code: str) -> TreatyRow:
    return TreatyRow(
        code=code,
        title=f"Treaty {code}",
        scope=draw(st.sampled_from(("bilateral", "regional", "multilateral"))),
        subjects=tuple(draw(st.lists(st.sampled_from(SUBJECTS), max_size=3, unique=True))),
        articles={"mla": ("1",)} if draw(st.booleans()) else {},
        in_force_on=draw(maybe_dates),
        days_after_deposit=draw(st.none() | st.integers(0, 120)),
    )


@st.composite
def party_rows(draw: Any, treaty: str, state: str) -> PartyRow:
    consent = draw(maybe_dates)
    in_force = draw(
        st.none() | st.integers(0, 400).map(lambda d: (consent or dt.date(2000, 1, 1)) + dt.timedelta(days=d))
    )
    return PartyRow(treaty, state, draw(st.sampled_from(STATUSES)), consent, in_force)


@st.composite
def directories(draw: Any) -> Rows:
    treaties = [
        TreatyRow(UNTOC_CODE, "UNTOC", "multilateral", ("mla", "extradition"), {}, dt.date(2003, 9, 29), 30),
        *(draw(treaty_rows(f"t{i}")) for i in range(draw(st.integers(0, 3)))),
    ]
    parties = [draw(party_rows(t.code, s)) for t in treaties for s in STATES if draw(st.integers(0, 4)) > 0]
    declarations = []
    for state in STATES:
        for _ in range(draw(st.integers(0, 2))):  # two notifications compete: the choice is by content
            basis = draw(st.sampled_from(("yes", "no", "")))
            declarations.append(DeclarationRow(UNTOC_CODE, state, "16(5)", draw(maybe_dates), (), basis))
        for _ in range(draw(st.integers(0, 2))):
            languages = tuple(
                draw(st.lists(st.sampled_from(("en", "fr", "es", "ru")), min_size=1, max_size=2, unique=True))
            )
            declarations.append(DeclarationRow(UNTOC_CODE, state, "18(14)", draw(maybe_dates), languages, ""))
    profiles = [
        ProfileRow(
            s,
            "extradition",
            "",
            draw(st.none() | st.integers(0, 36)),
            draw(st.sampled_from(("", "yes", "no", "conditional"))),
        )
        for s in STATES
        if draw(st.booleans())
    ]
    contacts = [
        ContactRow(
            s,
            f"ca{s}{i}",
            f"Authority {i}",
            "",
            (draw(st.sampled_from(("central_mla", "central_extradition", "competent"))),),
            ("en",),
            ("email",),
        )
        for s in STATES
        for i in range(draw(st.integers(0, 2)))
    ]
    return Rows(
        states=tuple(StateRow(s, f"State {s}") for s in STATES),
        treaties=tuple(treaties),
        parties=tuple(parties),
        declarations=tuple(declarations),
        profiles=tuple(profiles),
        contacts=tuple(contacts),
    )


@st.composite
def queries(draw: Any) -> LegalBasisQuery:
    requesting, requested = draw(st.permutations(STATES))[:2]
    penalty = st.none() | st.sampled_from((0, 0.5, 1, 3, 4, 10))
    return LegalBasisQuery(
        requesting=requesting,
        requested=requested,
        type=draw(st.sampled_from(CooperationType.values)),
        max_penalty_requesting=draw(penalty),
        max_penalty_requested=draw(penalty),
        offence_article=draw(st.none() | st.sampled_from((5, 6, 8, 23))),
        transnational=draw(st.none() | st.booleans()),
        organized_group=draw(st.none() | st.booleans()),
        person_national_of=draw(st.none() | st.sampled_from(STATES)),
        date=draw(dates),
    )


def _party(rows: Rows, treaty: str, state: str) -> PartyRow | None:
    return next((p for p in rows.parties if p.treaty == treaty and p.state == state), None)


@settings(max_examples=200, deadline=None)
@given(rows=directories(), query=queries())
def test_no_basis_before_it_is_in_force_for_both_states(rows, query):
    result = answer(query, build_facts(rows), on=TODAY)
    treaties = {t.code: t for t in rows.treaties}
    for basis in result["bases"]:
        if basis["instrument"] is None:
            assert basis["kind"] == "reciprocity"
            continue
        treaty = treaties[basis["instrument"]]
        if treaty.in_force_on is not None:
            assert query.date >= treaty.in_force_on
        for state in (query.requesting, query.requested):
            party = _party(rows, treaty.code, state)
            assert party is not None
            assert party.status in BOUND_STATUSES
            if party.in_force_date is not None:
                assert query.date >= party.in_force_date
            elif party.consent_date is not None and treaty.days_after_deposit is not None:
                assert query.date >= party.consent_date + dt.timedelta(days=treaty.days_after_deposit)
        if basis["in_force_since"] is not None:
            assert dt.date.fromisoformat(basis["in_force_since"]) <= query.date
    assert result["bases"][-1]["kind"] == "reciprocity"
    kinds = ["bilateral_treaty", "regional_treaty", "multilateral_treaty", "untoc", "reciprocity"]
    order = [kinds.index(b["kind"]) for b in result["bases"]]
    assert order == sorted(order)


@settings(max_examples=200, deadline=None)
@given(rows=directories(), query=queries())
def test_a_non_party_never_gets_untoc(rows, query):
    result = answer(query, build_facts(rows), on=TODAY)
    for side, state in (("requesting", query.requesting), ("requested", query.requested)):
        party = _party(rows, UNTOC_CODE, state)
        if party is None or party.status not in BOUND_STATUSES:
            assert result["untoc_applies"] is False
            assert f"untoc_not_in_force_{side}" in result["untoc_reasons"]
            assert all(b["kind"] != "untoc" for b in result["bases"])
    if not result["untoc_applies"]:
        assert all(b["kind"] != "untoc" for b in result["bases"])


@settings(max_examples=200, deadline=None)
@given(rows=directories(), query=queries(), rng=st.randoms(use_true_random=False))
def test_the_answer_does_not_depend_on_the_order_of_the_rows(rows, query, rng):
    def shuffled(items: tuple[Any, ...]) -> tuple[Any, ...]:
        copy = list(items)
        rng.shuffle(copy)
        return tuple(copy)

    other = Rows(*(shuffled(getattr(rows, name)) for name in Rows.__dataclass_fields__))
    assert answer(query, build_facts(other), on=TODAY) == answer(query, build_facts(rows), on=TODAY)
