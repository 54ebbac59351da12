"""The legal-basis query (validation, clear errors) and the facts snapshot (cache, row order)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import timezone

from comity.directory.legal_basis import (
    InvalidQuery,
    LegalBasisQuery,
    answer,
    build_facts,
    load_facts,
    read_rows,
)
from comity.directory.legal_basis import facts as facts_module
from comity.directory.legal_basis.facts import Rows
from comity.directory.models import Treaty, TreatyParty
from comity.vocabulary import CooperationType
from tests.directory.test_legal_basis import RECIPROCITY, TODAY, UNTOC, ask, summary
from tests.directory.test_legal_basis_world import D, TreatyPartyFactory, build_world


@pytest.fixture
def lb(db: Any) -> dict[str, Any]:
    return build_world()


# --- Validation -------------------------------------------------------------------------------

BAD = [
    ({"requesting": "XYZ"}, "requesting", "Unknown State code 'XYZ': not in the directory of States."),
    ({"requested": "ZZZ"}, "requested", "Unknown State code 'ZZZ': not in the directory of States."),
    (
        {"person_national_of": "QQQ"},
        "person_national_of",
        "Unknown State code 'QQQ': not in the directory of States.",
    ),
    (
        {"requesting": "MEXICO"},
        "requesting",
        "'MEXICO' is not an ISO 3166-1 alpha-3 code (three letters, e.g. MEX).",
    ),
    ({"requested": "MEX"}, "requested", "The requested State must differ from the requesting State."),
    (
        {"type": "arrest"},
        "type",
        "Unknown cooperation type 'arrest'; use one of: mla, extradition, confiscation, transfer_of_proceedings, transfer_of_sentenced_persons.",
    ),
    (
        {"max_penalty_requesting": "-1"},
        "max_penalty_requesting",
        "'-1' years is out of range: give 0 (not punishable) to 100.",
    ),
    (
        {"max_penalty_requested": "101"},
        "max_penalty_requested",
        "'101' years is out of range: give 0 (not punishable) to 100.",
    ),
    ({"max_penalty_requested": "nan"}, "max_penalty_requested", "'nan' is not a number of years."),
    ({"max_penalty_requested": "ten"}, "max_penalty_requested", "'ten' is not a number of years."),
    (
        {"offence_article": "7"},
        "offence_article",
        "'7' is not an offence article of the Convention; use 5, 6, 8 or 23 (art. 3(1)(a)).",
    ),
    ({"transnational": "maybe"}, "transnational", "'maybe' is not a boolean; use true, false or unknown."),
    ({"date": "2026-02-30"}, "date", "2026-02-30 is not a calendar date (no such day)."),
    ({"date": "1999-12-31"}, "date", "1999-12-31 is before 2000-01-01; the Convention dates from 2000."),
    ({"date": "01/02/2026"}, "date", "'01/02/2026' is not a date in the form YYYY-MM-DD."),
    (
        {"colour": "red"},
        "colour",
        "Unknown parameter; expected one of: requesting, requested, type, max_penalty_requesting, max_penalty_requested, offence_article, transnational, organized_group, person_national_of, date.",
    ),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD)
def test_invalid_queries_are_clear(lb, fields, field, message):
    raw = {"requesting": "MEX", "requested": "NLD", "type": "mla", **fields}
    with pytest.raises(InvalidQuery) as caught:
        LegalBasisQuery.parse(raw, states=load_facts().states)
    assert isinstance(caught.value, ValueError)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_every_bad_field_is_reported_at_once():
    with pytest.raises(InvalidQuery) as caught:
        LegalBasisQuery.parse({"requesting": "MEX", "type": "x", "date": "2026-02-30"})
    assert [f for f, _ in caught.value.errors] == ["type", "date", "requested"]


def test_parser_normalises():
    query = LegalBasisQuery.parse(
        {
            "requesting": " mex",
            "requested": "nld",
            "type": "MLA",
            "transnational": "yes",
            "organized_group": "unknown",
            "max_penalty_requesting": "2.5",
            "offence_article": "art. 8",
            "date": "2026-01-01",
        }
    )
    assert query == LegalBasisQuery(
        requesting="MEX",
        requested="NLD",
        type="mla",
        transnational=True,
        organized_group=None,
        max_penalty_requesting=2.5,
        offence_article=8,
        date=D(2026, 1, 1),
    )
    assert query.as_dict()["max_penalty_requesting"] == 2.5


def test_the_dataclass_refuses_bad_values_and_the_engine_unknown_states(lb):
    with pytest.raises(InvalidQuery) as caught:
        LegalBasisQuery(
            requesting="MEX", requested="NLD", type="mla", max_penalty_requested=-3, date=D(2026, 1, 1)
        )
    assert caught.value.field == "max_penalty_requested"
    with pytest.raises(InvalidQuery) as caught:
        LegalBasisQuery(requesting="MEX", requested="NLD", type="mla", date=D(1999, 1, 1))
    assert caught.value.field == "date"
    with pytest.raises(InvalidQuery) as caught:
        answer(LegalBasisQuery(requesting="MEX", requested="XXX", type="mla", date=D(2026, 1, 1)))
    assert (caught.value.field, caught.value.message) == (
        "requested",
        "Unknown State code 'XXX': not in the directory of States.",
    )


def test_date_defaults_to_today():
    assert LegalBasisQuery(requesting="MEX", requested="NLD", type="mla").date == timezone.localdate()


# --- Facts: cache and independence of row order -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_facts_are_cached_and_rebuilt_when_the_directory_changes(monkeypatch):
    world = build_world()  # committed: outside a transaction the snapshot is shared
    first = load_facts()
    assert load_facts() is first
    assert summary(ask("MEX", "LTU", "mla"))[1] == [UNTOC, RECIPROCITY]
    # a save in this process: the signal marks the snapshot stale
    TreatyPartyFactory(
        treaty=Treaty.objects.get(code="ets030"), state=world["states"]["MEX"], in_force_date=D(2011, 1, 1)
    )
    second = load_facts()
    assert second is not first
    assert summary(ask("MEX", "LTU", "mla"))[1] == [("regional_treaty", "ets030"), UNTOC, RECIPROCITY]
    TreatyParty.objects.get(treaty__code="ets030", state__code="MEX").delete()
    assert summary(ask("MEX", "LTU", "mla"))[1] == [UNTOC, RECIPROCITY]
    # a write without signals (as by another process): seen at the next fingerprint check
    third = load_facts()
    TreatyParty.objects.bulk_create(
        [TreatyParty(treaty=Treaty.objects.get(code="ets030"), state=world["states"]["MEX"], status="party")]
    )
    assert load_facts() is third  # within RECHECK_SECONDS of the last check
    monkeypatch.setattr(facts_module, "RECHECK_SECONDS", 0.0)
    assert load_facts() is not third
    assert summary(ask("MEX", "LTU", "mla"))[1] == [("regional_treaty", "ets030"), UNTOC, RECIPROCITY]


def test_inside_a_transaction_the_facts_are_read_afresh(lb):
    assert load_facts() is not load_facts()
    assert load_facts() == load_facts()
    TreatyParty.objects.bulk_create(
        [TreatyParty(treaty=Treaty.objects.get(code="ets030"), state=lb["states"]["MEX"], status="party")]
    )
    assert summary(ask("MEX", "LTU", "mla"))[1] == [("regional_treaty", "ets030"), UNTOC, RECIPROCITY]


def test_answers_do_not_depend_on_the_order_rows_were_loaded(lb):
    rows = read_rows()
    facts = build_facts(rows)
    for seed in range(3):
        rng = random.Random(seed)  # noqa: S311 - the order of test rows, not a secret
        fields = [list(getattr(rows, name)) for name in Rows.__dataclass_fields__]
        for items in fields:
            rng.shuffle(items)
        other = build_facts(Rows(*(tuple(items) for items in fields)))
        assert other == facts
        for requesting in ("MEX", "NLD", "FRA", "LSO"):
            for requested in ("BEL", "LTU", "LSO", "NLD"):
                if requesting == requested:
                    continue
                for type in CooperationType.values:
                    query = LegalBasisQuery(
                        requesting=requesting, requested=requested, type=type, date=D(2020, 1, 1)
                    )
                    assert answer(query, other, on=TODAY) == answer(query, facts, on=TODAY)
