"""Writes of knowledge entries: validation, idempotent upserts, the index kept in step."""

from __future__ import annotations

from typing import Any

import pytest

from comity.core.errors import InvalidInput
from comity.knowledge.models import Entry
from comity.knowledge.search import SearchQuery, search
from comity.knowledge.services import entries_upsert_many, entry_upsert, entry_validate

VALID: dict[str, Any] = {
    "source_key": "test:1",
    "kind": "case",
    "title": "Joint investigation team on migrant smuggling",
    "language": "en",
    "year": 2020,
    "states": ["fra", "ITA"],
    "articles": ["19", "18(3)(c)", "18(3)(c)"],
    "measures": ["taking_evidence"],
    "offences": ["smuggling_of_migrants"],
    "outcome": "granted",
    "duration_days": 120,
    "url": "https://example.org/case/1",
    "translations": {"fr": {"title": "Équipe commune d'enquête"}},
    "provisions": [{"ref": "art. 1", "articles": ["19"], "text": "Joint teams."}],
}


def test_validate_normalises(db: Any) -> None:
    fields = entry_validate(VALID)
    assert fields["states"] == ["FRA", "ITA"]
    assert fields["articles"] == ["19", "18(3)(c)"]
    assert fields["summary"] == ""
    assert fields["obstacles"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "novel"}, "kind"),
        ({"title": "  "}, "title"),
        ({"source_key": "no-colon"}, "source_key"),
        ({"language": "xx"}, "language"),
        ({"language": "eng"}, "language"),
        ({"year": 1500}, "year"),
        ({"year": "2020"}, "year"),
        ({"year": 9999}, "year"),
        ({"states": ["ZZZ"]}, "states"),
        ({"states": ["FR"]}, "states"),
        ({"states": "FRA"}, "states"),
        ({"articles": ["99"]}, "articles"),
        ({"articles": ["eighteen"]}, "articles"),
        ({"measures": ["teleportation"]}, "measures"),
        ({"offences": ["jaywalking"]}, "offences"),
        ({"obstacles": ["weather"]}, "obstacles"),
        ({"cooperation_types": ["friendship"]}, "cooperation_types"),
        ({"request_types": ["favour"]}, "request_types"),
        ({"outcome": "maybe"}, "outcome"),
        ({"duration_days": -1}, "duration_days"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"is_example": "yes"}, "is_example"),
        ({"colour": "red"}, "colour"),
        ({"translations": {"french": {"title": "x"}}}, "translations"),
        ({"provisions": [{"ref": "", "text": "x"}]}, "provisions"),
    ],
)
def test_bad_data_is_refused_and_nothing_written(db: Any, change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        entry_upsert(data={**VALID, **change})
    assert caught.value.field == field
    assert not Entry.objects.exists()


def test_required_fields(db: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        entry_upsert(data={"source_key": "test:2", "kind": "case", "language": "en"})
    assert (caught.value.field, caught.value.message) == ("title", "title is required.")


def test_upsert_creates_then_replaces_then_changes_nothing(db: Any) -> None:
    entry = entry_upsert(data=VALID)
    assert entry.code
    assert entry.title == VALID["title"]
    again = entries_upsert_many(rows=[VALID])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Entry.objects.get().updated_at == entry.updated_at
    # A replace: fields left out go back to their defaults.
    replaced = entry_upsert(data={k: VALID[k] for k in ("source_key", "kind", "title", "language")})
    assert replaced.pk == entry.pk
    assert replaced.code == entry.code
    assert replaced.states == []
    assert replaced.year is None
    assert search(SearchQuery(filters={"state": ("FRA",)})).total == 0


def test_one_bad_row_writes_nothing(db: Any) -> None:
    rows = [VALID, {**VALID, "source_key": "test:2", "year": 3000}]
    with pytest.raises(InvalidInput) as caught:
        entries_upsert_many(rows=rows)
    assert caught.value.field == "rows[1].year"
    assert not Entry.objects.exists()
    assert search(SearchQuery(text="smuggling")).total == 0


def test_many_rows_are_indexed(db: Any) -> None:
    report = entries_upsert_many(
        rows=[{**VALID, "source_key": f"test:{i}", "title": f"Entry {i} on smuggling"} for i in range(5)]
    )
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    assert [e.source_key for e in report.entries] == [f"test:{i}" for i in range(5)]
    assert search(SearchQuery(text="smuggling")).total == 5


def test_state_known_to_the_directory_is_accepted(db: Any) -> None:
    from tests.factories import StateFactory

    StateFactory(code="XKX", name="Kosovo")
    assert entry_upsert(data={**VALID, "states": ["XKX"]}).states == ["XKX"]
    assert entry_upsert(data={**VALID, "states": ["EUU"]}).states == ["EUU"]
