"""Knowledge search: the same queries give the same entries on SQLite FTS5 and PostgreSQL.

The suite runs on whichever database is active (SQLite by default, PostgreSQL with
COMITY_DATABASE_URL); QUERY_TABLE holds the expected answers for both.
"""

# ruff: noqa: RUF001 - Cyrillic test text is meant
from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection

from comity.core.errors import InvalidInput
from comity.knowledge.search import SearchQuery, get_backend, search
from comity.knowledge.services import entry_delete, entry_upsert

CORPUS: list[dict[str, Any]] = [
    {
        "source_key": "t:bank",
        "kind": "case",
        "title": "Bank records obtained for a laundering investigation",
        "summary": "The requested State produced the bank records after a request under article 18.",
        "language": "en",
        "year": 2019,
        "states": ["FRA", "MEX"],
        "articles": ["18(3)(f)", "18(8)"],
        "measures": ["bank_records"],
        "offences": ["money_laundering"],
        "cooperation_types": ["mla"],
        "obstacles": ["bank_secrecy"],
    },
    {
        "source_key": "t:controlled",
        "kind": "case",
        "title": "Controlled delivery of cocaine through the port",
        "summary": "Customs agreed on a controlled delivery of the container.",
        "language": "en",
        "year": 2021,
        "states": ["ESP", "COL"],
        "articles": ["20"],
        "measures": ["controlled_delivery"],
        "offences": ["drug_trafficking"],
        "cooperation_types": ["mla"],
    },
    {
        "source_key": "t:service",
        "kind": "guide",
        "title": "Guide on the delivery of judicial documents",
        "summary": "Service of documents: the delivery is controlled by the central authority.",
        "language": "en",
        "year": 2020,
        "states": ["FRA"],
        "articles": ["18(3)(b)"],
        "measures": ["service_of_documents"],
    },
    {
        "source_key": "t:extradition-fr",
        "kind": "legislation",
        "title": "Loi relative à l'extradition des personnes",
        "summary": "Les extraditions sont accordées par décret.",
        "language": "fr",
        "year": 2015,
        "states": ["FRA"],
        "articles": ["16"],
        "cooperation_types": ["extradition"],
    },
    {
        "source_key": "t:zh",
        "kind": "case",
        "title": "跨国洗钱案件",
        "summary": "请求国要求冻结银行账户。洗钱案件的证据。",
        "language": "zh",
        "year": 2022,
        "states": ["CHN"],
        "articles": ["18"],
        "offences": ["money_laundering"],
        "cooperation_types": ["mla"],
    },
    {
        "source_key": "t:script",
        "kind": "guide",
        "title": "Escaping <script>alert(1)</script> in titles",
        "summary": "Never run <script>alert(2)</script> from imported text & keep the ampersands; sanitisation.",
        "body": "A forged \x02highlight\x03 stays plain text.",
        "language": "en",
        "year": 2018,
        "states": ["DEU"],
    },
    {
        "source_key": "t:es",
        "kind": "case",
        "title": "Decomiso del producto del delito",
        "summary": "Se ordenó el decomiso de bienes.",
        "language": "es",
        "year": 2017,
        "states": ["MEX", "ESP"],
        "articles": ["13"],
        "cooperation_types": ["confiscation"],
    },
    {
        "source_key": "t:ru",
        "kind": "case",
        "title": "Экстрадиция по делу о мошенничестве",
        "summary": "Запрос об экстрадиции был удовлетворен.",
        "language": "ru",
        "year": 2016,
        "states": ["RUS"],
        "articles": ["16"],
        "offences": ["fraud"],
        "cooperation_types": ["extradition"],
    },
    {
        "source_key": "t:video",
        "kind": "case",
        "title": "Witness heard by videoconference",
        "summary": "The witness testified by videoconference, a hearing under article 18(18).",
        "language": "en",
        "year": 2020,
        "states": ["EGY", "FRA"],
        "articles": ["18(18)"],
        "measures": ["videoconference_hearing"],
    },
    {
        "source_key": "t:ransom",
        "kind": "case",
        "title": "Ransomware proceeds traced through cryptocurrency wallets",
        "summary": "Tracing and freezing of proceeds held in wallets.",
        "language": "en",
        "year": 2023,
        "states": ["USA", "DEU"],
        "articles": ["12", "13"],
        "measures": ["identify_trace_proceeds"],
        "offences": ["cybercrime"],
        "cooperation_types": ["confiscation", "mla"],
    },
]


@pytest.fixture
def corpus(db: Any) -> dict[str, int]:
    return {row["source_key"]: entry_upsert(data=row).pk for row in CORPUS}


def keys(result: Any) -> list[str]:
    from comity.knowledge.models import Entry

    by_id = dict(Entry.objects.values_list("pk", "source_key"))
    return [by_id[h.entry_id] for h in result.hits]


# (text, filters, expected source keys, whether the order is asserted)
QUERY_TABLE: list[tuple[str, dict[str, tuple[str, ...]], list[str], bool]] = [
    ("bank records", {}, ["t:bank"], True),
    ('"controlled delivery"', {}, ["t:controlled"], True),
    # Both words, not as a phrase: the entry with both in its title ranks first.
    ("controlled delivery", {}, ["t:controlled", "t:service"], True),
    ("laundering", {}, ["t:bank"], True),
    ("launder", {}, ["t:bank"], True),  # stemming
    ("deliveries", {}, ["t:controlled", "t:service"], False),
    ("extradition", {}, ["t:extradition-fr"], True),  # the French entry, stemmed
    ("Экстрадиция", {}, ["t:ru"], True),
    ("decomiso", {}, ["t:es"], True),
    ("洗钱", {}, ["t:zh"], True),  # Chinese: bigrams
    ("洗钱案件", {}, ["t:zh"], True),
    ("钱案", {}, ["t:zh"], True),
    ("案洗", {}, [], True),
    ("script alert", {}, ["t:script"], True),
    ("videoconference witness", {}, ["t:video"], True),
    ("zzzyx", {}, [], True),
    (
        "",
        {"state": ("FRA",)},
        ["t:video", "t:service", "t:bank", "t:extradition-fr"],
        True,
    ),  # year, then newest
    ("", {"state": ("FRA", "MEX")}, ["t:video", "t:service", "t:bank", "t:es", "t:extradition-fr"], True),
    ("", {"state": ("FRA",), "article": ("18",)}, ["t:video", "t:service", "t:bank"], True),
    ("delivery", {"kind": ("guide",)}, ["t:service"], True),
    ("proceeds", {"cooperation_type": ("confiscation",)}, ["t:ransom"], True),
    ("proceeds", {"cooperation_type": ("extradition",)}, [], True),
    ("", {"language": ("ru", "es"), "year": ("2016",)}, ["t:ru"], True),
    (
        "",
        {"obstacle": ("bank_secrecy",), "measure": ("bank_records", "controlled_delivery")},
        ["t:bank"],
        True,
    ),
]


@pytest.mark.parametrize(("text", "filters", "expected", "ordered"), QUERY_TABLE)
def test_query_table(corpus: Any, text: str, filters: Any, expected: list[str], ordered: bool) -> None:
    result = search(SearchQuery(text=text, filters=filters))
    found = keys(result)
    assert (found if ordered else sorted(found)) == (expected if ordered else sorted(expected))
    assert result.total == len(expected)


def test_backend_follows_the_database(corpus: Any) -> None:
    assert get_backend().name == connection.vendor


def test_browse_everything_counts_every_entry(corpus: Any) -> None:
    result = search(SearchQuery(limit=3))
    assert result.total == len(CORPUS)
    assert keys(result) == ["t:ransom", "t:zh", "t:controlled"]  # newest year first


def test_facet_counts_cover_all_matches_not_the_page(corpus: Any) -> None:
    result = search(SearchQuery(limit=1))
    assert [(c.value, c.count) for c in result.facets["kind"]] == [
        ("case", 7),
        ("guide", 2),
        ("legislation", 1),
    ]
    assert [(c.value, c.count) for c in result.facets["state"]][:3] == [("FRA", 4), ("DEU", 2), ("ESP", 2)]
    assert [(c.value, c.count) for c in result.facets["article"]] == [
        ("18", 4),
        ("13", 2),
        ("16", 2),
        ("12", 1),
        ("20", 1),
    ]
    assert [(c.value, c.count) for c in result.facets["language"]] == [
        ("en", 6),
        ("es", 1),
        ("fr", 1),
        ("ru", 1),
        ("zh", 1),
    ]


def test_facet_counts_follow_words_and_filters(corpus: Any) -> None:
    result = search(SearchQuery(text="delivery"))
    assert [(c.value, c.count) for c in result.facets["article"]] == [("18", 1), ("20", 1)]
    assert [(c.value, c.count) for c in result.facets["kind"]] == [("case", 1), ("guide", 1)]
    filtered = search(SearchQuery(filters={"state": ("FRA",)}))
    # Counts of the other States among the entries that match FRA.
    assert [(c.value, c.count) for c in filtered.facets["state"]] == [("FRA", 4), ("EGY", 1), ("MEX", 1)]
    assert search(SearchQuery(text="delivery", with_facets=False)).facets == {}


def test_snippets_mark_the_matched_words(corpus: Any) -> None:
    (hit,) = search(SearchQuery(text="laundering")).hits
    assert hit.title == "Bank records obtained for a laundering investigation"
    (phrase,) = search(SearchQuery(text='"controlled delivery"')).hits
    assert re.search(r"<mark>controlled</mark>|<mark>controlled delivery</mark>", phrase.snippet_html)
    assert re.search(r"<mark>delivery</mark>|<mark>controlled delivery</mark>", phrase.snippet_html)


def test_chinese_snippet_marks_the_characters(corpus: Any) -> None:
    (hit,) = search(SearchQuery(text="洗钱")).hits
    assert "<mark>洗钱</mark>" in hit.snippet_html


def test_snippet_escapes_everything_but_the_marks(corpus: Any) -> None:
    (hit,) = search(SearchQuery(text="sanitisation")).hits
    assert hit.title == "Escaping <script>alert(1)</script> in titles"  # plain text: templates escape it
    assert "<mark>sanitisation</mark>" in hit.snippet_html
    assert "&amp;" in hit.snippet_html
    assert "<" not in re.sub(r"</?mark>", "", hit.snippet_html)


def test_a_forged_highlight_in_the_text_stays_text(corpus: Any) -> None:
    (hit,) = search(SearchQuery(text="forged")).hits
    assert "<mark>forged</mark>" in hit.snippet_html
    assert "<mark>highlight</mark>" not in hit.snippet_html


def test_title_in_the_ui_language_when_translated(corpus: Any) -> None:
    entry_upsert(data={**CORPUS[0], "translations": {"fr": {"title": "Relevés bancaires"}}})
    assert search(SearchQuery(text="bank records", language="fr")).hits[0].title == "Relevés bancaires"
    assert search(SearchQuery(text="bank records", language="es")).hits[0].title == CORPUS[0]["title"]


def test_paging(corpus: Any) -> None:
    everything = keys(search(SearchQuery(limit=10)))
    pages = [keys(search(SearchQuery(limit=3, offset=o))) for o in (0, 3, 6, 9)]
    assert [k for page in pages for k in page] == everything


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (SearchQuery(filters={"colour": ("red",)}), "filters"),
        (SearchQuery(limit=0), "limit"),
        (SearchQuery(limit=101), "limit"),
        (SearchQuery(offset=-1), "offset"),
        (SearchQuery(offset=10_000), "offset"),
    ],
)
def test_bad_queries_are_invalid_input(db: Any, query: SearchQuery, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        search(query)
    assert caught.value.field == field


@pytest.mark.parametrize("text", ['"', '"unclosed phrase', "-", "AND OR NOT", "a* (b", "'; DROP TABLE x; --"])
def test_odd_input_never_breaks_the_engine(corpus: Any, text: str) -> None:
    result = search(SearchQuery(text=text))
    assert result.total == len(result.hits)


@pytest.mark.parametrize(
    "text", ["“controlled delivery”", "« controlled delivery »", "„controlled delivery“"]
)
def test_typographic_quotes_make_a_phrase(corpus: Any, text: str) -> None:
    assert keys(search(SearchQuery(text=text))) == ["t:controlled"]


def test_unclosed_quote_is_a_phrase(corpus: Any) -> None:
    assert keys(search(SearchQuery(text='"controlled delivery'))) == ["t:controlled"]


def test_index_follows_updates_and_deletes(corpus: Any) -> None:
    entry_upsert(data={**CORPUS[1], "title": "Undercover operation in the port"})
    assert keys(search(SearchQuery(text="undercover"))) == ["t:controlled"]
    assert keys(search(SearchQuery(text='"controlled delivery"'))) == ["t:controlled"]  # still in the summary
    entry_upsert(data={**CORPUS[1], "title": "Undercover operation", "summary": ""})
    assert keys(search(SearchQuery(text='"controlled delivery"'))) == []
    assert entry_delete(source_key="t:controlled") is True
    assert keys(search(SearchQuery(text="undercover"))) == []
    assert search(SearchQuery(filters={"article": ("20",)})).total == 0
    assert entry_delete(source_key="t:controlled") is False


def test_rebuild_gives_the_same_answers(corpus: Any) -> None:
    before = [keys(search(SearchQuery(text=t, filters=f))) for t, f, _e, _o in QUERY_TABLE]
    get_backend().rebuild()
    after = [keys(search(SearchQuery(text=t, filters=f))) for t, f, _e, _o in QUERY_TABLE]
    assert after == before


# --- Segments and the candidate cap -----------------------------------------------------------


def _segment_tables() -> list[str]:
    backend = get_backend()
    module = __import__(type(backend).__module__, fromlist=["segments", "table"])
    with connection.cursor() as cursor:
        return [module.table(n) for n in module.segments(cursor)]


@pytest.fixture
def segmented(corpus: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """The corpus indexed in segments of 3 entries (4 segments for its 10 entries)."""
    from comity.knowledge.search import common

    monkeypatch.setattr(common, "SEGMENT_SIZE", 3)
    get_backend().rebuild()
    return corpus


def test_the_index_is_one_segment_below_the_segment_size(corpus: Any) -> None:
    assert len(_segment_tables()) == 1


@pytest.mark.parametrize(("text", "filters", "expected", "ordered"), QUERY_TABLE)
def test_segments_give_the_same_answers(
    segmented: dict[str, int], text: str, filters: Any, expected: list[str], ordered: bool
) -> None:
    ids = sorted(segmented.values())
    assert len(_segment_tables()) == len({i // 3 for i in ids}) > 1
    result = search(SearchQuery(text=text, filters=filters))
    # bm25's document frequencies are per segment, so only the entries are compared, not their order.
    assert sorted(keys(result)) == sorted(expected)
    assert (result.total, result.total_exact) == (len(expected), True)


def test_segments_give_the_same_facet_counts(corpus: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from comity.knowledge.search import common

    whole = [
        search(SearchQuery(text=t, filters=f)).facets
        for t, f in (("", {}), ("delivery", {}), ("", {"state": ("FRA",)}))
    ]
    monkeypatch.setattr(common, "SEGMENT_SIZE", 2)
    get_backend().rebuild()
    assert len(_segment_tables()) > 2
    split = [
        search(SearchQuery(text=t, filters=f)).facets
        for t, f in (("", {}), ("delivery", {}), ("", {"state": ("FRA",)}))
    ]
    assert split == whole


def test_writes_go_to_the_segment_of_the_entry(segmented: dict[str, int]) -> None:
    before = set(_segment_tables())
    newest = max(segmented.values())
    # Enough new entries to open a segment that did not exist.
    for n in range(4):
        entry_upsert(data={**CORPUS[0], "source_key": f"t:new{n}", "title": f"Undercover number {n}"})
    assert len(set(_segment_tables()) - before) >= 1
    assert search(SearchQuery(text="undercover")).total == 4
    assert entry_delete(source_key="t:new3") is True
    assert search(SearchQuery(text="undercover")).total == 3
    assert max(segmented.values()) == newest


def test_beyond_the_cap_the_newest_matches_are_ranked_and_the_total_is_a_bound(
    segmented: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    from comity.knowledge.search import common

    monkeypatch.setattr(common, "CANDIDATE_CAP", 4)
    newest = sorted(segmented.values(), reverse=True)[:4]
    result = search(SearchQuery(limit=4))
    assert (result.total, result.total_exact) == (4, False)
    assert sorted(h.entry_id for h in result.hits) == sorted(newest)
    assert sum(c.count for c in result.facets["kind"]) == 4  # counted over the 4 candidates
    # Exactly the cap: exact.
    fra = search(SearchQuery(filters={"state": ("FRA",)}, limit=4))
    assert (fra.total, fra.total_exact) == (4, True)
    assert sorted(keys(fra)) == ["t:bank", "t:extradition-fr", "t:service", "t:video"]
    # Below the cap: exact, and a page past the cap is refused.
    assert search(SearchQuery(text="delivery", limit=4)).total_exact is True
    with pytest.raises(InvalidInput):
        search(SearchQuery(limit=2, offset=3))


def test_prune_drops_rows_of_entries_gone_in_every_segment(segmented: dict[str, int]) -> None:
    from comity.knowledge.models import Entry
    from comity.knowledge.search import prune_orphans

    Entry.objects.filter(source_key__in=["t:bank", "t:ru"]).delete()  # bypassing the services
    assert prune_orphans() == 2
    assert search(SearchQuery()).total == len(CORPUS) - 2


@pytest.mark.parametrize("row_cost", [0.0, 1e12], ids=["filters-checked-after", "filters-in-the-match"])
def test_where_the_filters_apply_changes_no_answer(
    segmented: dict[str, int], monkeypatch: pytest.MonkeyPatch, row_cost: float
) -> None:
    """SQLite chooses per filter between the MATCH and a check on the matches (sqlite.py):
    both ways give the same entries, counts and facets, across segments."""
    if connection.vendor != "sqlite":
        pytest.skip("a choice of the SQLite backend")
    from comity.knowledge.search import sqlite

    monkeypatch.setattr(sqlite, "_shares", {})
    monkeypatch.setattr(sqlite, "ROW_COST", row_cost)
    planned: list[tuple[float, dict[str, Any]]] = []  # (the words' rate, the filters checked after)
    plan = sqlite.plan_filters

    def spy(filters: Any, shares: Any, rate: float) -> Any:
        inside, after = plan(filters, shares, rate)
        planned.append((rate, after))
        return inside, after

    monkeypatch.setattr(sqlite, "plan_filters", spy)
    for text, filters, expected, _ordered in QUERY_TABLE:
        result = search(SearchQuery(text=text, filters=filters))
        assert sorted(keys(result)) == sorted(expected), (text, filters)
        assert result.total == len(expected)
    result = search(SearchQuery(text="delivery", filters={"state": ("FRA", "DEU")}))
    assert sorted(keys(result)) == ["t:service"]
    assert [(c.value, c.count) for c in result.facets["state"]] == [("FRA", 1)]
    # The way the parameter asks for was taken.
    assert planned
    if row_cost == 0.0:
        assert all(after for _rate, after in planned)
    else:  # only words matching nothing in the newest segments leave a filter after the MATCH
        assert all(not after or rate == 0.0 for rate, after in planned)
        assert any(rate > 0.0 for rate, _after in planned)


_SHARES = {
    "language:en": 0.7,
    "year:2019": 0.028,
    "cooperation_type:mla": 0.33,
    "cooperation_type:extradition": 0.33,
}


@pytest.mark.parametrize(
    ("rate", "filters", "expected_after"),
    [
        # A word in 90% of the entries: few segments are asked, every filter stays in the MATCH.
        (0.9, {"language": ("en",), "year": ("2019",)}, set()),
        # "bank records" (2.8% of the entries): "en" (70%) is checked on the matches, the year kept.
        (0.0276, {"language": ("en",), "year": ("2019",)}, {"language"}),
        # Rare words: every common filter after.
        (0.0006, {"cooperation_type": ("mla", "extradition"), "year": ("2019",)}, {"cooperation_type"}),
        # A phrase in 1% with "en" alone: walking its matches costs more than the doclist.
        (0.01, {"language": ("en",)}, set()),
    ],
)
def test_filters_plan(rate: float, filters: dict[str, tuple[str, ...]], expected_after: set[str]) -> None:
    from comity.knowledge.search.sqlite import plan_filters

    inside, after = plan_filters(filters, _SHARES, rate)
    assert set(after) == expected_after
    assert set(inside) | set(after) == set(filters)
