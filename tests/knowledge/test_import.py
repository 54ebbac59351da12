"""`comity knowledge-import`: JSON, CSV, PDF and DOCX; bad rows reported, the rest imported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from comity.knowledge.importers import DocumentMetadata, import_files
from comity.knowledge.models import Entry
from comity.knowledge.search import SearchQuery, search
from tests.conftest import CliRun

GOOD = {"source_key": "imp:1", "kind": "case", "title": "Freezing of a yacht", "language": "en", "year": 2021}

JSON_WITH_A_BAD_ROW = """[
  {"source_key": "imp:1", "kind": "case", "title": "Freezing of a yacht", "language": "en",
   "year": 2021, "states": ["FRA"], "articles": ["13"]},
  {"source_key": "imp:2", "kind": "case", "title": "Bad year", "language": "en",
   "year": 1200},
  {"source_key": "imp:3", "kind": "guide", "title": "Guide to asset recovery", "language": "en",
   "measures": ["identify_trace_proceeds"]}
]
"""

CSV_WITH_BAD_ROWS = (
    "source_key,kind,title,language,year,states,articles,measures,translations\n"
    'csv:1,case,"Seizure of servers, in two States",en,2020,FRA;DEU,18(3)(c);20,search_and_seizure,\n'
    "csv:2,case,Unknown State,en,2020,FRA;XYZ,18,,\n"
    'csv:3,legislation,"Law on mutual\nassistance",fr,2019,FRA,18,,"{""en"": {""title"": ""Law on MLA""}}"\n'
    "csv:4,case,Bad measure,en,2020,FRA,18,teleportation,\n"
    "csv:5,guide,Short row\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_bad_row_reported_with_its_line_the_rest_imported(db: Any, tmp_path: Path) -> None:
    report = import_files([write(tmp_path, "entries.json", JSON_WITH_A_BAD_ROW)])
    assert (report.rows, report.created, report.failed) == (3, 2, 1)
    (error,) = report.errors
    assert (error.line, error.field) == (4, "year")
    assert str(error).startswith(f"{tmp_path / 'entries.json'}:4: year: year must be between 1800 and")
    assert sorted(Entry.objects.values_list("source_key", flat=True)) == ["imp:1", "imp:3"]
    assert search(SearchQuery(text="yacht", filters={"article": ("13",)})).total == 1


def test_reimport_is_idempotent(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "entries.json", JSON_WITH_A_BAD_ROW)
    import_files([path])
    codes = dict(Entry.objects.values_list("source_key", "code"))
    again = import_files([path])
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 2, 1)
    assert dict(Entry.objects.values_list("source_key", "code")) == codes
    changed = write(tmp_path, "entries.json", JSON_WITH_A_BAD_ROW.replace("yacht", "jet"))
    third = import_files([changed])
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert search(SearchQuery(text="jet")).total == 1
    assert search(SearchQuery(text="yacht")).total == 0


def test_json_lines(db: Any, tmp_path: Path) -> None:
    lines = [json.dumps({**GOOD, "source_key": f"jl:{i}"}) for i in range(3)]
    report = import_files([write(tmp_path, "entries.jsonl", "\n".join(lines) + "\n")])
    assert (report.created, report.failed) == (3, 0)


def test_json_syntax_error_keeps_the_rows_before_it(db: Any, tmp_path: Path) -> None:
    text = '[\n  {"source_key": "imp:1", "kind": "case", "title": "Ok", "language": "en"},\n  {"broken": \n]'
    report = import_files([write(tmp_path, "broken.json", text)])
    assert report.created == 1
    (error,) = report.errors
    assert error.line == 4
    assert "invalid JSON" in error.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"source_key": 5}', "source_key must be text."),
        ("[1, 2]", "an entry must be an object of fields."),
        ("[", "the JSON array is not closed."),
    ],
)
def test_json_shapes(db: Any, tmp_path: Path, text: str, reason: str) -> None:
    report = import_files([write(tmp_path, "odd.json", text)])
    assert report.failed >= 1
    assert report.errors[0].reason == reason
    assert not Entry.objects.exists()


def test_csv_lists_and_line_numbers(db: Any, tmp_path: Path) -> None:
    report = import_files([write(tmp_path, "entries.csv", CSV_WITH_BAD_ROWS)])
    assert (report.rows, report.created, report.failed) == (5, 2, 3)
    assert [(e.line, e.field) for e in report.errors] == [(3, "states"), (6, "measures"), (7, "(row)")]
    assert report.errors[0].reason == "unknown State code(s): XYZ."
    seizure = Entry.objects.get(source_key="csv:1")
    assert (seizure.title, seizure.states, seizure.articles) == (
        "Seizure of servers, in two States",
        ["FRA", "DEU"],
        ["18(3)(c)", "20"],
    )
    law = Entry.objects.get(source_key="csv:3")
    assert law.title == "Law on mutual\nassistance"
    assert law.translations == {"en": {"title": "Law on MLA"}}


def test_csv_unknown_column_rejects_the_file(db: Any, tmp_path: Path) -> None:
    report = import_files([write(tmp_path, "bad.csv", "source_key,kind,titel,language\nx:1,case,T,en\n")])
    (error,) = report.errors
    assert (error.line, error.reason) == (1, "unknown column(s): titel (columns are Entry field names).")
    assert not Entry.objects.exists()


def test_kind_and_source_fill_rows_that_lack_them(db: Any, tmp_path: Path) -> None:
    row = {k: v for k, v in GOOD.items() if k != "kind"}
    path = write(tmp_path, "entries.json", json.dumps([row]))
    report = import_files([path], meta=DocumentMetadata(kind="guide", source="UNODC SHERLOC"))
    assert report.created == 1
    entry = Entry.objects.get()
    assert (entry.kind, entry.source) == ("guide", "UNODC SHERLOC")


def _docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "Manual on mutual legal assistance"
    document.add_paragraph("Requests for videoconference hearings under article 18(18).")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Central authority"
    table.rows[0].cells[1].text = "Ministry of Justice"
    document.save(str(path))
    return path


def _pdf(path: Path) -> Path:
    from weasyprint import HTML

    HTML(
        string="<html><head><title>Asset recovery guide</title></head><body>"
        "<p>Tracing cryptocurrency proceeds across borders.</p></body></html>"
    ).write_pdf(str(path))
    return path


def test_docx_import(db: Any, tmp_path: Path) -> None:
    meta = DocumentMetadata(kind="guide", language="en", year=2024, lists={"articles": ["18"]})
    report = import_files([_docx(tmp_path / "manual.docx")], meta=meta)
    assert (report.created, report.failed) == (1, 0)
    entry = Entry.objects.get()
    assert (entry.source_key, entry.title, entry.year, entry.articles) == (
        "file:manual.docx",
        "Manual on mutual legal assistance",
        2024,
        ["18"],
    )
    assert "Ministry of Justice" in entry.body
    assert search(SearchQuery(text="videoconference", filters={"article": ("18",)})).total == 1


def test_pdf_import(db: Any, tmp_path: Path) -> None:
    meta = DocumentMetadata(kind="guide", language="en", source_key="unodc:asset-guide")
    report = import_files([_pdf(tmp_path / "guide.pdf")], meta=meta)
    assert (report.created, report.failed) == (1, 0)
    entry = Entry.objects.get()
    assert (entry.source_key, entry.title) == ("unodc:asset-guide", "Asset recovery guide")
    assert "cryptocurrency proceeds" in entry.body
    assert search(SearchQuery(text="cryptocurrency")).total == 1


def test_document_without_metadata_is_reported(db: Any, tmp_path: Path) -> None:
    report = import_files([_docx(tmp_path / "manual.docx")])
    (error,) = report.errors
    assert (error.field, error.reason) == ("kind", "kind is required.")


def test_not_a_pdf(db: Any, tmp_path: Path) -> None:
    path = write(tmp_path, "fake.pdf", "not a pdf")
    report = import_files([path], meta=DocumentMetadata(kind="guide", language="en"))
    assert report.errors[0].reason.startswith("not a readable PDF")


def test_cli_exit_codes_and_summary(db: Any, tmp_path: Path, comity_cli: CliRun) -> None:
    good = write(tmp_path, "good.json", json.dumps([GOOD]))
    code, out, _err = comity_cli("knowledge-import", str(good))
    assert code == 0
    assert out.strip() == "1 file(s), 1 row(s): 1 created, 0 updated, 0 unchanged, 0 failed"
    bad = write(tmp_path, "bad.json", JSON_WITH_A_BAD_ROW)
    code, out, _err = comity_cli("knowledge-import", str(good), str(bad))
    assert code == 1
    assert f"rejected {bad}:4: year:" in out
    assert out.strip().endswith("2 file(s), 4 row(s): 1 created, 1 updated, 1 unchanged, 1 failed")


def test_cli_json_report(db: Any, tmp_path: Path, comity_cli: CliRun) -> None:
    bad = write(tmp_path, "bad.json", JSON_WITH_A_BAD_ROW)
    code, out, _err = comity_cli("knowledge-import", str(bad), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert (report["created"], report["failed"]) == (2, 1)
    assert report["errors"][0]["line"] == 4


def test_cli_documents_with_metadata(db: Any, tmp_path: Path, comity_cli: CliRun) -> None:
    path = _docx(tmp_path / "manual.docx")
    code, out, _err = comity_cli(
        "knowledge-import", str(path), "--kind", "guide", "--language", "en", "--states", "FRA,MEX", "--quiet"
    )
    assert code == 0, out
    assert Entry.objects.get().states == ["FRA", "MEX"]


def test_cli_bad_arguments(db: Any, tmp_path: Path, comity_cli: CliRun) -> None:
    one, two = write(tmp_path, "a.json", "[]"), write(tmp_path, "b.json", "[]")
    code, _out, err = comity_cli("knowledge-import", str(one), str(two), "--source-key", "x:1")
    assert code == 2
    assert "--source-key names one document" in err
    code, out, _err = comity_cli("knowledge-import", str(tmp_path / "missing.json"))
    assert code == 1
    assert "cannot read the file" in out
    code, out, _err = comity_cli("knowledge-import", str(write(tmp_path, "notes.txt", "x")))
    assert code == 1
    assert "unknown file type .txt" in out


def test_cli_reindex(db: Any, tmp_path: Path, comity_cli: CliRun) -> None:
    comity_cli("knowledge-import", str(write(tmp_path, "good.json", json.dumps([GOOD]))))
    code, out, _err = comity_cli("knowledge-reindex", "--format", "json")
    assert code == 0
    assert json.loads(out)["entries"] == 1
    assert search(SearchQuery(text="yacht")).total == 1
