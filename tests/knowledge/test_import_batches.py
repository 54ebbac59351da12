"""`comity knowledge-import` at scale: rows written in batches, files read as streams.

The counts, the entries and the index must not depend on where the batches end (WRITE_BATCH,
WRITE_BATCH_CHARS) nor on where the pieces of the file end (READ_CHARS).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comity.core.errors import InvalidInput
from comity.knowledge import importers
from comity.knowledge.importers import FileError, import_files, read_json
from comity.knowledge.models import Entry
from comity.knowledge.search import SearchQuery, search
from comity.knowledge.services import ValidEntry, entries_upsert_many, entry_validate


def row(n: int, **fields: Any) -> dict[str, Any]:
    return {"source_key": f"b:{n}", "kind": "case", "title": f"Entry {n}", "language": "en", **fields}


def write_json(tmp_path: Path, rows: list[Any], name: str = "entries.json") -> Path:
    path = tmp_path / name
    # One row per line, the array on lines 1 and len(rows) + 2: row i is on line i + 2.
    path.write_text("[\n" + ",\n".join(json.dumps(r) for r in rows) + "\n]\n", encoding="utf-8")
    return path


def counts(report: importers.ImportReport) -> tuple[int, int, int, int, int]:
    return (report.rows, report.created, report.updated, report.unchanged, report.failed)


# Rows 0-7 (lines 2-9): a bad year on line 4, b:1 again on line 6 (changed) and on line 9
# (repeating line 6), b:4 twice in a row, identical.
ROWS = [
    row(0),
    row(1, summary="first version"),
    row(2, year=1200),
    row(3),
    row(1, summary="second version, with ransomware"),
    row(4),
    row(4),
    row(1, summary="second version, with ransomware"),
]


@pytest.mark.parametrize(
    ("batch", "batch_chars"), [(1, 10**9), (2, 10**9), (3, 10**9), (1_000, 10**9), (1_000, 20)]
)
def test_counts_do_not_depend_on_the_batches(
    db: Any, tmp_path: Path, monkeypatch: Any, batch: int, batch_chars: int
) -> None:
    monkeypatch.setattr(importers, "WRITE_BATCH", batch)
    monkeypatch.setattr(importers, "WRITE_BATCH_CHARS", batch_chars)
    report = import_files([write_json(tmp_path, ROWS)])
    # Each row counts once, as if written one by one: b:1 created, updated, then unchanged;
    # b:4 created, then unchanged.
    assert counts(report) == (8, 4, 1, 2, 1)
    assert [(e.line, e.field) for e in report.errors] == [(4, "year")]
    entries = dict(Entry.objects.values_list("source_key", "summary"))
    assert entries == {"b:0": "", "b:1": "second version, with ransomware", "b:3": "", "b:4": ""}
    assert search(SearchQuery(text="ransomware")).total == 1
    assert search(SearchQuery(text="first")).total == 0

    again = import_files([write_json(tmp_path, ROWS)])
    # The entries are already as the file leaves them; the first b:1 row differs from them.
    assert counts(again) == (8, 0, 2, 5, 1)
    assert dict(Entry.objects.values_list("source_key", "summary")) == entries


def test_reimport_changing_one_row_across_batches(db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(importers, "WRITE_BATCH", 2)
    rows = [row(n, summary=f"about seizure {n}") for n in range(5)]
    assert counts(import_files([write_json(tmp_path, rows)])) == (5, 5, 0, 0, 0)
    codes = dict(Entry.objects.values_list("source_key", "code"))
    stamps = dict(Entry.objects.values_list("source_key", "updated_at"))
    rows[3] = row(3, summary="about extradition", year=2020)
    assert counts(import_files([write_json(tmp_path, rows)])) == (5, 0, 1, 4, 0)
    assert dict(Entry.objects.values_list("source_key", "code")) == codes
    changed = Entry.objects.get(source_key="b:3")
    assert (changed.summary, changed.year) == ("about extradition", 2020)
    assert changed.updated_at > stamps["b:3"]
    assert {k: v for k, v in Entry.objects.values_list("source_key", "updated_at") if k != "b:3"} == {
        k: v for k, v in stamps.items() if k != "b:3"
    }
    assert search(SearchQuery(text="seizure")).total == 4
    assert search(SearchQuery(text="extradition", filters={"year": ("2020",)})).total == 1


@pytest.mark.parametrize("batch", [1, 1_000])
def test_same_source_key_twice_in_a_file_last_wins(
    db: Any, tmp_path: Path, monkeypatch: Any, batch: int
) -> None:
    monkeypatch.setattr(importers, "WRITE_BATCH", batch)
    path = write_json(tmp_path, [row(1, summary="confiscation"), row(1, summary="extradition")])
    assert counts(import_files([path])) == (2, 1, 1, 0, 0)
    assert Entry.objects.get().summary == "extradition"
    assert search(SearchQuery(text="extradition")).total == 1
    assert search(SearchQuery(text="confiscation")).total == 0


def test_a_valid_entry_is_written_as_it_is_any_other_row_is_checked(db: Any) -> None:
    checked = entry_validate(row(1, states=["fra"]))
    assert type(checked) is ValidEntry
    assert checked["states"] == ["FRA"]
    assert entries_upsert_many(rows=[checked]).created == 1
    # A copy is a plain dict again: checked, even when it has every field.
    with pytest.raises(InvalidInput) as caught:
        entries_upsert_many(rows=[checked, {**checked, "source_key": "b:2", "year": 3000}])
    assert caught.value.field == "rows[1].year"
    assert list(Entry.objects.values_list("source_key", flat=True)) == ["b:1"]


# --- Streaming JSON -----------------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8"), max_size=12)  # no lone surrogates
_OBJECT = st.dictionaries(
    st.sampled_from(["title", "summary", "year", "states", "note"]),
    _TEXT | st.integers(-(10**12), 10**12) | st.lists(_TEXT, max_size=3) | st.booleans() | st.none(),
    max_size=4,
)
_SPACE = st.text(st.sampled_from(" \t\r\n"), max_size=4)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(_OBJECT | st.integers(-(10**9), 10**9), max_size=6),
    spaces=st.lists(_SPACE, min_size=14, max_size=14),
    indent=st.sampled_from([None, 1]),
    array=st.booleans(),
    piece=st.integers(1, 9),
)
def test_read_json_streams_any_layout(
    tmp_path: Path,
    monkeypatch: Any,
    values: list[Any],
    spaces: list[str],
    indent: int | None,
    array: bool,
    piece: int,
) -> None:
    monkeypatch.setattr(importers, "READ_CHARS", piece)
    text, expected = spaces[0], []
    if array:
        text += "[" + spaces[1]
    for position, value in enumerate(values):
        if position:
            text += ("," if array else "\n") + spaces[2 + position]
        expected.append((text.count("\n") + 1, value))
        text += json.dumps(value, indent=indent, ensure_ascii=False) + spaces[8 + position]
    if array:
        text += "]" + spaces[13]
    path = tmp_path / "stream.json"
    path.write_bytes(text.encode())
    assert list(read_json(path)) == expected


@pytest.mark.parametrize("piece", [1, 3, 64, 1 << 20])
def test_read_json_errors_give_the_line_in_the_file(tmp_path: Path, monkeypatch: Any, piece: int) -> None:
    monkeypatch.setattr(importers, "READ_CHARS", piece)
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"a": 1},\n  12345,\n\n  {"a": "\\u00e9", "b": tru}\n]', encoding="utf-8")
    rows = read_json(path)
    assert next(rows) == (2, {"a": 1})
    assert next(rows) == (3, 12345)  # not cut into 1, 23, ...
    with pytest.raises(FileError) as caught:
        next(rows)
    assert (caught.value.line, str(caught.value)) == (5, "invalid JSON: Expecting value.")
    path.write_text('[\n  {"a": 1}\n  {"a": 2}\n]', encoding="utf-8")
    with pytest.raises(FileError) as caught:
        list(read_json(path))
    assert (caught.value.line, str(caught.value)) == (3, "expected ',' or ']' in the JSON array.")
    path.write_text('[\n  {"a": 1},\n  {"a": "unclosed', encoding="utf-8")
    with pytest.raises(FileError) as caught:
        list(read_json(path))
    assert caught.value.line == 3
    assert str(caught.value).startswith("invalid JSON: Unterminated string")


def test_a_json_value_longer_than_the_limit_is_refused(db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(importers, "READ_CHARS", 16)
    monkeypatch.setattr(importers, "MAX_VALUE_CHARS", 200)
    path = write_json(tmp_path, [row(1), row(2, body="x" * 300), row(3)])
    report = import_files([path])
    assert counts(report) == (1, 1, 0, 0, 1)
    assert (report.errors[0].line, report.errors[0].reason) == (3, "an entry is longer than 200 characters.")
    assert list(Entry.objects.values_list("source_key", flat=True)) == ["b:1"]


@pytest.mark.parametrize("name", ["entries.json", "entries.csv"])
def test_not_utf8_late_in_the_file_imports_nothing(
    db: Any, tmp_path: Path, monkeypatch: Any, name: str
) -> None:
    monkeypatch.setattr(importers, "READ_CHARS", 7)
    if name.endswith(".json"):
        text = "[" + ",\n".join(json.dumps(row(n)) for n in range(5)) + "]"
    else:
        text = "source_key,kind,title,language\n" + "".join(f"b:{n},case,Entry {n},en\n" for n in range(5))
    data = text.encode()
    cut = len(data) - 10
    path = tmp_path / name
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    report = import_files([path])
    assert counts(report) == (0, 0, 0, 0, 1)
    assert (report.errors[0].line, report.errors[0].reason) == (0, f"not UTF-8 text (byte {cut}).")
    assert not Entry.objects.exists()


def test_csv_with_a_bom_streams(db: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(importers, "READ_CHARS", 5)
    monkeypatch.setattr(importers, "WRITE_BATCH", 2)
    path = tmp_path / "entries.csv"
    lines = ["source_key,kind,title,language,year"] + [
        f'b:{n},case,"Entry {n},\nsecond line",en,2020' for n in range(5)
    ]
    path.write_bytes("\ufeff".encode() + "\n".join(lines).encode() + b"\n")
    report = import_files([path])
    assert counts(report) == (5, 5, 0, 0, 0)
    assert Entry.objects.get(source_key="b:4").title == "Entry 4,\nsecond line"


def test_progress_bar_counts_the_entries(db: Any, tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setattr(importers, "WRITE_BATCH", 2)
    report = import_files([write_json(tmp_path, ROWS)], show_progress=True)
    assert report.created == 4
    err = capsys.readouterr().err
    assert "knowledge-import" in err
    assert "7entries" in err.replace(" ", "")  # the 7 valid rows; the bad one is only reported
