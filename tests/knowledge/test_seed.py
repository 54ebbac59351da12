"""Seed content: the Convention's cooperation articles and the example entries, loaded
idempotently through the services (and by `make demo`)."""

from __future__ import annotations

import re

import pytest

from comity.demo import SEEDERS
from comity.knowledge.demo import seed_knowledge
from comity.knowledge.enums import EntryKind
from comity.knowledge.models import Entry
from comity.knowledge.search import SearchQuery, search
from comity.knowledge.seed import ARTICLES, EXAMPLE_PREFIX, example_entries, seed_examples

pytestmark = pytest.mark.django_db


def test_articles_cover_the_cooperation_articles_in_order():
    assert [a.number for a in ARTICLES] == [
        "12",
        "13",
        "14",
        "16",
        "17",
        "18",
        "19",
        "20",
        "21",
        "24",
        "26",
        "27",
    ]
    for article in ARTICLES:
        assert str(article.title).strip()
        assert len(str(article.summary)) > 80
        for paragraph in article.paragraphs:
            assert re.fullmatch(rf"{article.number}\(\d+\)(\([a-z]\))?(-\(\d+\))?", paragraph.ref), (
                paragraph.ref
            )
    art20 = next(a for a in ARTICLES if a.number == "20")
    assert [p.ref for p in art20.paragraphs] == ["20(1)", "20(2)", "20(3)", "20(4)"]


def test_examples_are_labelled_and_cover_what_the_demo_needs():
    entries = example_entries()
    kinds = [e["kind"] for e in entries]
    assert kinds.count("case") == 16
    assert kinds.count("legislation") == 3
    assert kinds.count("guide") == 1
    assert kinds.count("model_text") == 1
    assert len({e["source_key"] for e in entries}) == len(entries)
    for e in entries:
        assert e["is_example"] is True
        assert e["title"].startswith(EXAMPLE_PREFIX), e["title"]
        assert e["source_key"].startswith("example:")
        for lang, texts in e.get("translations", {}).items():
            assert lang in ("fr", "es")
            assert texts["title"].split(" ")[0] in ("Exemple", "Ejemplo:"), texts["title"]
    cases = [e for e in entries if e["kind"] == "case"]
    top = {a.split("(")[0] for e in cases for a in e["articles"]}
    assert {"13", "16", "18", "20"} <= top
    assert all(e["obstacles"] and e["obstacle_notes"] and e["good_practices"] for e in cases)
    assert {"FRA", "MEX", "EGY"} <= {s for e in cases for s in e["states"]}
    assert sum(1 for e in entries if e.get("translations")) >= 5


def test_seed_is_idempotent_and_searchable():
    first = seed_examples()
    assert (first.created, first.updated, first.unchanged) == (21, 0, 0)
    codes = dict(Entry.objects.values_list("source_key", "code"))
    again = seed_examples()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 21)
    assert dict(Entry.objects.values_list("source_key", "code")) == codes  # same entries, same codes
    assert Entry.objects.filter(is_example=True).count() == 21
    result = search(
        SearchQuery(text='"controlled delivery"', filters={"article": ("20",), "kind": ("case",)})
    )
    assert {h.title for h in result.hits} == {
        "Example: Controlled delivery of a cocaine shipment from Veracruz to Le Havre",
        "Example: Parcels of firearm parts followed by controlled delivery from Germany to Egypt",
        "Example: Controlled delivery of trafficked antiquities not agreed in time",
    }


def test_an_edited_example_is_updated_in_place():
    seed_examples()
    entry = Entry.objects.get(source_key="example:case-cd-veracruz-le-havre")
    Entry.objects.filter(pk=entry.pk).update(title="Changed by hand")
    report = seed_examples()
    assert (report.created, report.updated, report.unchanged) == (0, 1, 20)
    entry.refresh_from_db()
    assert entry.title == "Example: Controlled delivery of a cocaine shipment from Veracruz to Le Havre"


def test_demo_registers_the_knowledge_seeder():
    assert seed_knowledge in SEEDERS
    seed_knowledge()
    seed_knowledge()
    assert Entry.objects.filter(kind=EntryKind.CASE).count() == 16
