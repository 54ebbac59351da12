"""The case digest: selection, grouping by article and cooperation type, obstacle counts and
quotes, the table of cases; HTML and PDF; the page's and `comity digest`'s validation."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from comity.knowledge import digest as digest_module
from comity.knowledge.digest import (
    NO_TYPE,
    Digest,
    DigestSelection,
    ObstacleCount,
    build_digest,
    render_digest_html,
    render_digest_pdf,
)
from tests.factories import StateFactory
from tests.knowledge.test_views import make_entry

pytestmark = pytest.mark.django_db

TITLES = {
    "c1": "Case one: a controlled delivery between France and Mexico",
    "c2": "Case two: bank records and an extradition from France",
    "c3": "Case three: goods replaced in transit, Egypt",
    "c5": "Case five: confiscation of a house in Mexico",
}


@pytest.fixture
def small(db: Any) -> None:
    """Four cases and one legislation entry (which a digest never includes)."""
    for code, name in (("FRA", "France"), ("MEX", "Mexico"), ("EGY", "Egypt")):
        StateFactory(
            code=code,
            name=name,
            names={"en": name, "fr": {"FRA": "France", "MEX": "Mexique", "EGY": "Égypte"}[code]},
        )
    make_entry(
        title=TITLES["c1"],
        year=2015,
        states=["FRA", "MEX"],
        cooperation_types=["mla"],
        articles=["18(3)", "20"],
        obstacles=["delay", "language"],
        obstacle_notes=["The translation took two months."],
        good_practices=["Liaison officers met before the request."],
        outcome="granted",
        duration_days=30,
    )
    make_entry(
        title=TITLES["c2"],
        year=2018,
        states=["FRA"],
        cooperation_types=["mla", "extradition"],
        articles=["16(10)", "18"],
        obstacles=["delay"],
        obstacle_notes=["The bank answered after a year.", "The person had left."],
        outcome="partially_granted",
    )
    make_entry(
        title=TITLES["c3"],
        year=2020,
        states=["EGY"],
        articles=["20(4)"],
        obstacles=["dual_criminality", "delay"],
        good_practices=["The goods were replaced with the consent of both States."],
    )
    make_entry(
        title=TITLES["c5"], year=2005, states=["MEX"], cooperation_types=["confiscation"], articles=["13"]
    )
    make_entry(kind="legislation", title="A law of France", year=2012, states=["FRA"], articles=["18"])


def shape(d: Digest) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """article -> [(cooperation type, [case titles])], for exact comparison."""
    return [
        (g.article, [(t.cooperation_type, [c.title for c in t.cases]) for t in g.types]) for g in d.groups
    ]


def test_everything_grouped_by_article_and_type(small):
    d = build_digest(DigestSelection(), language="en")
    assert d.total == 4
    assert not d.truncated
    assert [c.title for c in d.cases] == [
        TITLES["c3"],
        TITLES["c2"],
        TITLES["c1"],
        TITLES["c5"],
    ]  # newest first
    assert shape(d) == [
        ("13", [("confiscation", [TITLES["c5"]])]),
        ("16", [("mla", [TITLES["c2"]]), ("extradition", [TITLES["c2"]])]),
        ("18", [("mla", [TITLES["c2"], TITLES["c1"]]), ("extradition", [TITLES["c2"]])]),
        ("20", [("mla", [TITLES["c1"]]), (NO_TYPE, [TITLES["c3"]])]),
    ]
    assert d.obstacles == [
        ObstacleCount("delay", 3),
        ObstacleCount("dual_criminality", 1),
        ObstacleCount("language", 1),
    ]
    art18_mla = d.groups[2].types[0]
    assert art18_mla.obstacles == [ObstacleCount("delay", 2), ObstacleCount("language", 1)]
    assert [(q.text, q.case.title) for q in art18_mla.obstacle_notes] == [
        ("The bank answered after a year.", TITLES["c2"]),
        ("The person had left.", TITLES["c2"]),
        ("The translation took two months.", TITLES["c1"]),
    ]
    assert [(q.text, q.case.title) for q in art18_mla.good_practices] == [
        ("Liaison officers met before the request.", TITLES["c1"])
    ]
    assert d.groups[2].case_count == 2
    no_type = d.groups[3].types[1]
    assert no_type.obstacles == [ObstacleCount("delay", 1), ObstacleCount("dual_criminality", 1)]
    assert [q.text for q in no_type.good_practices] == [
        "The goods were replaced with the consent of both States."
    ]


def test_selected_articles_and_types_make_only_their_groups(small):
    d = build_digest(DigestSelection(articles=("18",), cooperation_types=("mla",)), language="en")
    assert d.total == 2
    assert shape(d) == [("18", [("mla", [TITLES["c2"], TITLES["c1"]])])]
    assert d.obstacles == [ObstacleCount("delay", 2), ObstacleCount("language", 1)]


def test_states_and_years(small):
    d = build_digest(DigestSelection(states=("FRA",), year_from=2016, year_to=2024), language="en")
    assert [c.title for c in d.cases] == [TITLES["c2"]]
    d = build_digest(DigestSelection(states=("MEX", "EGY"), year_to=2015), language="en")
    assert [c.title for c in d.cases] == [TITLES["c1"], TITLES["c5"]]
    d = build_digest(DigestSelection(year_from=2019), language="en")
    assert [c.title for c in d.cases] == [TITLES["c3"]]


def test_empty_selection_result(small):
    d = build_digest(DigestSelection(year_from=1990, year_to=2000), language="en")
    assert (d.total, d.cases, d.groups, d.obstacles) == (0, [], [], [])
    html = render_digest_html(d)
    assert "No cases match this selection." in html
    assert "The cases</h2>" not in html
    d = build_digest(DigestSelection(articles=("24",)), language="en")
    assert d.total == 0


def test_digest_is_capped(small, monkeypatch):
    monkeypatch.setattr(digest_module, "MAX_CASES", 2)
    monkeypatch.setattr(digest_module, "_CHUNK", 1)  # several pages of search results
    d = build_digest(DigestSelection(), language="en")
    assert d.total == 4
    assert [c.title for c in d.cases] == [TITLES["c3"], TITLES["c2"]]
    assert d.truncated
    assert "This digest covers the newest 2; narrow the selection" in render_digest_html(d)


def test_html_states_the_selection_and_quotes(small):
    selection = DigestSelection(
        articles=("18", "20"), states=("FRA",), year_from=2010, year_to=2024, cooperation_types=("mla",)
    )
    html = render_digest_html(build_digest(selection, language="en"))
    assert "<dd>Art. 18, Art. 20</dd>" in html
    assert "<dd>France (FRA)</dd>" in html
    assert "<dd>2010\u20132024</dd>" in html  # an en dash between the years
    assert "<dd>Mutual legal assistance</dd>" in html
    assert "2 cases match this selection." in html
    assert "Article 18: Mutual legal assistance" in html
    assert "“The translation took two months.”" in html
    assert '<td>Delay in execution</td><td class="num">2</td>' in html
    assert "<style>" in html  # standalone: its stylesheet is inside
    assert "@page" in html
    assert "<script" not in html


def test_html_in_french(small):
    html = render_digest_html(build_digest(DigestSelection(states=("MEX",)), language="fr"))
    assert '<html lang="fr"' in html
    assert "Mexique (MEX)" in html


def test_pdf_contains_the_cases(small):
    pdf = render_digest_pdf(build_digest(DigestSelection(articles=("20",)), language="en"))
    assert pdf.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    assert "Case digest" in text
    assert "Case one: a controlled delivery between France and Mexico" in text
    assert "Case three: goods replaced in transit, Egypt" in text
    assert "Case five" not in text


# --- The command -------------------------------------------------------------------------------


def test_cli_writes_pdf_and_html(small, comity_cli, tmp_path: Path):
    out = tmp_path / "digest.pdf"
    code, stdout, stderr = comity_cli(
        "digest", "--article", "18", "--article", "20", "--state", "FRA", "--year-from", "2010",
        "--year-to", "2024", "--cooperation-type", "mla", "--format", "pdf", "-o", str(out),
    )  # fmt: skip
    assert (code, stderr) == (0, "")
    assert stdout.startswith(f"Wrote {out} (pdf, en): 2 of 2 matching case(s), ")
    text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Case two: bank records" in " ".join(text.split())

    html_out = tmp_path / "digest.html"
    code, _stdout, stderr = comity_cli("digest", "--state", "mex", "--lang", "es", "-o", str(html_out))
    assert (code, stderr) == (0, "")
    html = html_out.read_text(encoding="utf-8")
    assert '<html lang="es"' in html
    assert TITLES["c5"] in html


def test_cli_refuses_to_overwrite_without_force(small, comity_cli, tmp_path: Path):
    out = tmp_path / "digest.html"
    out.write_text("keep me", encoding="utf-8")
    code, _stdout, stderr = comity_cli("digest", "-o", str(out))
    assert code == 2
    assert "already exists; give --force to overwrite it" in stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    code, _stdout, _stderr = comity_cli("digest", "--force", "-o", str(out))
    assert code == 0
    assert "Case digest" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--article", "99"], "--article: Select a valid choice. 99 is not one of the available choices."),
        (["--state", "XXX"], "--state: Select a valid choice. XXX is not one of the available choices."),
        (["--year-from", "2020", "--year-to", "2010"], "--year-to: The last year comes before the first."),
        (["--year-from", "soon"], "--year-from: Enter a whole number."),
        (["--year-to", "1066"], "--year-to: Ensure this value is greater than or equal to 1900."),
        (["--cooperation-type", "bribery"], "--cooperation-type: Select a valid choice. bribery is not one"),
        (["--lang", "de"], "--lang: 'de' is not one of ar, zh, en, fr, ru, es"),
        (["--format", "docx"], "invalid choice: 'docx'"),
    ],
)
def test_cli_rejects_bad_arguments(small, comity_cli, tmp_path: Path, args, message):
    out = tmp_path / "digest.pdf"
    code, _stdout, stderr = comity_cli("digest", *args, "-o", str(out))
    assert code == 2
    assert message in stderr
    assert not out.exists()


def test_cli_rejects_an_unknown_extension_and_a_missing_directory(small, comity_cli, tmp_path: Path):
    code, _stdout, stderr = comity_cli("digest", "-o", str(tmp_path / "digest.docx"))
    assert code == 2
    assert "--format: give pdf or html" in stderr
    code, _stdout, stderr = comity_cli("digest", "-o", str(tmp_path / "nowhere" / "digest.pdf"))
    assert code == 2
    assert "no such directory" in stderr
