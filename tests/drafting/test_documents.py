"""The formal request as DOCX and PDF: fixed text in the six UN languages, section order,
translation marks, right-to-left Arabic, the CLI and the API.

Tests marked `fonts` need Debian's Noto fonts and poppler-utils, `libreoffice` needs soffice:
`make test-documents` runs them. Golden images: COMITY_UPDATE_GOLDEN=1 rewrites tests/drafting/golden.
"""

# ruff: noqa: RUF001  # Cyrillic and Chinese full-width punctuation are expected text here

from __future__ import annotations

import functools
import io
import json
import os
import re
import shutil
import string
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import docx
import pytest
from django.test import Client

from comity.accounts.services import api_token_create
from comity.core.tenancy import state_scope
from comity.drafting.documents.inputs import MAX_DOCUMENT_BYTES
from comity.drafting.documents.language import choose_document_language, translation_language
from comity.drafting.documents.outline import Fields, build_outline, direction
from comity.drafting.documents.render import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    css_string,
    no_network_fetcher,
    render_docx,
    render_html,
    render_pdf,
)
from comity.drafting.documents.texts import TEXTS, UN_LANGUAGES, Texts, UnsupportedLanguage
from comity.drafting.schema import SCHEMA_ID, RequestDocument
from tests.conftest import principal
from tests.factories import World

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = Path(__file__).parents[2] / "examples" / "requests"

# The sections of fixtures/mla_full.json, in order (every kind of MLA section is present).
MLA_SECTIONS = [
    "requesting_authority",
    "legal_basis",
    "summary",
    "facts",
    "offences",
    "assistance",
    "persons",
    "property",
    "purpose",
    "confidentiality",
    "use_limitation",
    "urgency",
    "contact",
]


def load(name: str, **changes: Any) -> RequestDocument:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    data.update(changes)
    return RequestDocument.model_validate(data)


def docx_of(content: bytes) -> Any:
    return docx.Document(io.BytesIO(content))


def headings(document: Any, style: str = "Heading 1") -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def expected_headings(lang: str, keys: list[str]) -> list[str]:
    return [f"{i}. {TEXTS[lang][f'sec.{key}']}" for i, key in enumerate(keys, 1)]


def docx_text(content: bytes) -> str:
    """Every w:t of the body, header and footer, in order."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = [n for n in archive.namelist() if re.match(r"word/(document|header\d*|footer\d*)\.xml$", n)]
        xml = "".join(archive.read(n).decode("utf-8") for n in sorted(names))
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


# --- Fixed text ------------------------------------------------------------------------------


def test_every_language_has_exactly_the_same_keys() -> None:
    keys = {lang: set(TEXTS[lang]) for lang in UN_LANGUAGES}
    for lang in UN_LANGUAGES:
        assert keys[lang] == keys["en"], lang


def test_every_text_is_written_and_has_the_same_placeholders() -> None:
    def placeholders(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, english in TEXTS["en"].items():
        for lang in UN_LANGUAGES:
            text = TEXTS[lang][key]
            assert text.strip() or key.startswith("punct."), (lang, key)
            assert placeholders(text) == placeholders(english), (lang, key)


def test_titles_use_the_terminology_of_the_convention() -> None:
    assert {lang: TEXTS[lang]["type.mla"] for lang in UN_LANGUAGES} == {
        "ar": "طلب مساعدة قانونية متبادلة",
        "zh": "司法协助请求",
        "en": "Request for mutual legal assistance",
        "fr": "Demande d'entraide judiciaire",
        "ru": "Просьба о взаимной правовой помощи",
        "es": "Solicitud de asistencia judicial recíproca",
    }
    assert {lang: TEXTS[lang]["type.extradition"] for lang in UN_LANGUAGES} == {
        "ar": "طلب تسليم",
        "zh": "引渡请求",
        "en": "Request for extradition",
        "fr": "Demande d'extradition",
        "ru": "Просьба о выдаче",
        "es": "Solicitud de extradición",
    }


def test_every_code_has_a_name_in_every_language() -> None:
    from comity.drafting.schema import DataCategory, PersonRole, ProceedingType
    from comity.vocabulary import LegalBasisKind, Measure, RequestType

    codes = [
        *(f"type.{c}" for c in RequestType.values),
        *(f"measure.{c}" for c in Measure.values),
        *(f"role.{c}" for c in PersonRole),
        *(f"proceeding.{c}" for c in ProceedingType),
        *(f"data.{c}" for c in DataCategory),
        *(f"basis.{c}" for c in LegalBasisKind.values),
    ]
    for lang in UN_LANGUAGES:
        assert [c for c in codes if c not in TEXTS[lang]] == [], lang


def test_a_language_without_fixed_text_is_refused() -> None:
    with pytest.raises(UnsupportedLanguage, match="No fixed text in 'lv'"):
        Texts("lv")
    with pytest.raises(UnsupportedLanguage):
        render_docx(load("minimal", language="lv"))


# --- Language choice and translation marks -----------------------------------------------------


@pytest.mark.parametrize(
    ("accepted", "preferred", "expected"),
    [
        (["fr", "en"], "fr", ("fr", False)),
        (["fr", "en"], "en", ("en", False)),
        (["es", "en"], "fr", ("es", False)),
        (["lv", "en", "ru"], "ar", ("en", False)),
        (["lv", "de"], "fr", ("fr", True)),
        ([], "zh", ("zh", False)),
    ],
)
def test_choose_document_language(accepted: list[str], preferred: str, expected: tuple[str, bool]) -> None:
    assert choose_document_language(accepted, preferred) == expected


def test_choose_document_language_wants_a_un_language() -> None:
    with pytest.raises(UnsupportedLanguage):
        choose_document_language(["de"], "de")


@pytest.mark.parametrize(
    ("text_language", "accepted", "expected"),
    [
        (None, None, None),
        ("fr", None, None),  # typed in the document's language
        ("es", None, "es"),  # accepted languages unknown: another language is marked
        ("es", ["fr", "en"], "es"),
        ("en", ["fr", "en"], None),  # the requested State accepts it as typed
    ],
)
def test_translation_language(
    text_language: str | None, accepted: list[str] | None, expected: str | None
) -> None:
    assert (
        translation_language(text_language=text_language, document_language="fr", accepted=accepted)
        == expected
    )


def test_every_typed_passage_is_marked_when_its_language_is_not_accepted() -> None:
    document = load("mla_full", text_language="es")
    text = docx_text(render_docx(document, "fr", accepted_languages=["fr", "en"]))
    mark = "[traduction requise : es]"
    # stage, functions, subject (3); facts (1); offences (2 + 3, dual criminality 1); measures (3
    # descriptions, records, why not in person, dates), procedure, court order (8); persons (2);
    # property (1); purpose (1); confidentiality reasons (1); use limitation (1); urgency, deadline (2)
    assert text.count(mark) == 26
    assert f"{TEXTS['fr']['field.offence_description']}" in text
    facts = document.facts_summary or ""
    last_line = facts.splitlines()[-1]
    assert f"{last_line} {mark}" in text  # right after the passage it marks


@pytest.mark.parametrize(("text_language", "accepted"), [("fr", None), ("en", ["fr", "en"]), (None, None)])
def test_no_mark_when_no_translation_is_needed(text_language: str | None, accepted: list[str] | None) -> None:
    text = docx_text(
        render_docx(load("mla_full", text_language=text_language), "fr", accepted_languages=accepted)
    )
    assert "traduction requise" not in text


def test_the_mark_is_in_the_document_language() -> None:
    document = load("mla_full", text_language="nl")
    expected = {
        "ar": "[الترجمة مطلوبة: nl]",
        "zh": "[需要翻译：nl]",
        "en": "[translation required: nl]",
        "fr": "[traduction requise : nl]",
        "ru": "[требуется перевод: nl]",
        "es": "[se requiere traducción: nl]",
    }
    for lang, mark in expected.items():
        assert mark in docx_text(render_docx(document, lang)), lang


# --- Structure (the outline, the DOCX, the HTML) ------------------------------------------------


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_docx_has_the_sections_in_the_chosen_language(lang: str) -> None:
    document = docx_of(render_docx(load("mla_full"), lang))
    t = TEXTS[lang]
    assert headings(document, "Title") == [t["type.mla"]]
    assert headings(document, "Subtitle") == [t["untoc.under"]]
    assert headings(document) == [*expected_headings(lang, MLA_SECTIONS), t["sec.annexes"]]
    assert headings(document, "Heading 2")[:2] == [
        t["field.offence"].format(n=1),
        t["field.offence"].format(n=2),
    ]
    assert headings(document, "Comity Banner") == [t["banner.confidential"], t["banner.urgent"]]
    closing = [p.text for p in document.paragraphs if p.style.name == "Comity Closing"]
    assert closing == [t["formula.closing"]]
    labels = [
        run.text
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for run in cell.paragraphs[0].runs
    ]
    assert t["field.signature"] in labels
    assert t["field.seal"] in labels
    assert document.core_properties.title == t["type.mla"]


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_docx_header_and_footer(lang: str) -> None:
    document = docx_of(render_docx(load("mla_full"), lang))
    t = Texts(lang)
    section = document.sections[0]
    assert section.page_width is not None
    assert round(section.page_width.cm, 1) == 21.0
    header = section.header.paragraphs[0].text
    assert header == f"{t('header.reference', reference='MLA-2025/0147')} — {t('banner.confidential')}"
    footer = section.footer.paragraphs[0]._p.xml
    before = t("page.x_of_y").partition("{page}")[0]
    assert 'w:instr=" PAGE "' in footer
    assert 'w:instr=" NUMPAGES "' in footer
    assert f">{before}<" in footer or not before


def test_a_long_passage_spans_the_table_under_its_label() -> None:
    document = load("mla_full")
    outline = build_outline(document, "en")
    facts_row = next(
        row
        for section in outline.sections
        for block in section.blocks
        if isinstance(block, Fields)
        for row in block.rows
        if row.label == "Subject matter and nature of the proceedings"
    )
    assert not facts_row.wide  # 214 characters: still a value
    long = load("mla_full", proceeding={"subject_and_nature": "Laundering. " * 30})
    html = render_html(build_outline(long, "en"))
    assert (
        '<tr class="wide"><td colspan="2"><p class="label">Subject matter and nature of the proceedings</p>'
        in html
    )
    rendered = docx_of(render_docx(long))
    cell = next(
        cell
        for table in rendered.tables
        for row in table.rows
        for cell in row.cells
        if cell.paragraphs[0].text == "Subject matter and nature of the proceedings"
    )
    assert cell._tc.grid_span == 2
    assert cell.paragraphs[1].text.startswith("Laundering. Laundering.")


def test_empty_sections_are_left_out() -> None:
    document = docx_of(render_docx(load("minimal")))
    assert headings(document) == ["1. Summary of the request"]
    assert headings(document, "Subtitle") == []
    summary = [p.text for p in document.paragraphs if p.style.name == "Normal" and p.text]
    assert summary == ["Type of request: Request for mutual legal assistance."]
    assert [p.text for p in document.paragraphs if p.style.name == "Comity Closing"] != []  # signed anyway


def test_extradition_describes_the_person_first_and_has_its_own_sections() -> None:
    document = docx_of(render_docx(load("extradition")))
    keys = [
        "requesting_authority", "legal_basis", "summary", "persons", "facts", "offences",
        "extradition", "limitation", "evidence", "assurances", "contact",
    ]  # fmt: skip
    assert headings(document) == [*expected_headings("fr", keys), "Annexes"]
    text = docx_text(render_docx(load("extradition")))
    assert "Mandat d'arrêt" in text
    assert "Délivré par : Juge d'instruction, tribunal judiciaire de Marseille" in text


def test_provisional_arrest_and_confiscation_sections() -> None:
    keys = [
        "requesting_authority",
        "legal_basis",
        "summary",
        "persons",
        "offences",
        "extradition",
        "undertaking",
        "urgency",
    ]
    assert headings(docx_of(render_docx(load("provisional_arrest")))) == expected_headings("ru", keys)
    keys = ["requesting_authority", "legal_basis", "summary", "offences", "confiscation", "property"]
    document = docx_of(render_docx(load("confiscation_enforce")))
    assert headings(document) == [*expected_headings("es", keys), "Anexos"]
    text = docx_text(render_docx(load("confiscation_enforce")))
    assert "Grado de ejecución que se solicita dar a la orden" in text
    assert "480.000,00 USD" in text
    assert "Pena máxima privativa de libertad (años)22,5" in text


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_the_shared_examples_render(path: Path) -> None:
    document = RequestDocument.model_validate_json(path.read_bytes())
    for lang in ("en", "ar"):
        rendered = docx_of(render_docx(document, lang))
        assert headings(rendered, "Title") == [TEXTS[lang][f"type.{document.request_type}"]]


def test_arabic_docx_is_right_to_left() -> None:
    content = render_docx(load("mla_full"), "ar")
    document = docx_of(content)
    body = document.element.body
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    assert body.find(f"{w}sectPr/{w}bidi") is not None
    tables = body.findall(f".//{w}tblPr")
    assert tables
    assert all(t.find(f"{w}bidiVisual") is not None for t in tables)
    title = next(p for p in document.paragraphs if p.style.name == "Title")
    assert title._p.pPr.find(f"{w}bidi") is not None
    assert all(r._r.rPr.find(f"{w}rtl") is not None for r in title.runs)
    # An English passage keeps its left-to-right order inside the Arabic document.
    facts_line = next(p for p in document.paragraphs if p.text.startswith("On 12 August 2024"))
    assert facts_line._p.pPr is None or facts_line._p.pPr.find(f"{w}bidi") is None
    footer = document.sections[0].footer.paragraphs[0]
    assert footer._p.pPr.find(f"{w}bidi") is not None
    english = docx_of(render_docx(load("mla_full"), "en")).element.body
    assert english.find(f".//{w}bidi") is None


def test_arabic_html_is_right_to_left_with_left_to_right_passages() -> None:
    html = render_html(build_outline(load("mla_full"), "ar"))
    assert '<html lang="ar-SA" dir="rtl">' in html
    assert '<p dir="ltr">+31 70 000 0000</p>' in html
    assert "@top-right { content: " in html  # the reference in the start corner
    english = render_html(build_outline(load("mla_full"), "en"))
    assert '<html lang="en-GB" dir="ltr">' in english
    assert 'dir="rtl"' not in english


def test_arabic_passages_in_an_english_document_are_right_to_left() -> None:
    document = load("mla_ar")
    html = render_html(build_outline(document, "en"))
    assert '<p class="body" dir="rtl">قامت جماعة إجرامية منظمة بتهريب مهاجرين' in html
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    rendered = docx_of(render_docx(document, "en"))
    facts = next(p for p in rendered.paragraphs if p.text.startswith("قامت جماعة"))
    assert facts._p.pPr.find(f"{w}bidi") is not None
    assert rendered.element.body.find(f"{w}sectPr/{w}bidi") is None  # the document stays left to right
    assert (
        docx_text(render_docx(document, "en")).count("[translation required: ar]") == 3
    )  # facts, measure, purpose


def test_direction_follows_the_first_strong_character() -> None:
    assert direction("طلب") == "rtl"
    assert direction("MLA-2025/0147") == "ltr"
    assert direction("+31 70 000 0000") == "ltr"
    assert direction("2025 طلب") == "rtl"
    assert direction("  ") is None


def test_typed_text_cannot_escape_the_html_or_the_stylesheet() -> None:
    hostile = '</style><img src="http://attacker.invalid/x"> "\\'
    html = render_html(build_outline(load("minimal", reference=hostile[:200], facts_summary=hostile), "en"))
    assert html.count("</style>") == 1
    assert "<img" not in html
    assert "&lt;img src=&quot;http://attacker.invalid/x&quot;&gt;" in html
    assert css_string('a"b\\c\n</style>') == '"a\\22 b\\5c c\\a \\3c /style\\3e "'


def test_the_pdf_fetcher_refuses_the_network_and_files() -> None:
    fetcher = no_network_fetcher()
    for url in ("http://example.invalid/a.png", "https://example.invalid/a.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"


def test_pdf_is_a_pdf() -> None:
    content = render_pdf(load("minimal"))
    assert content.startswith(b"%PDF-")
    assert content.rstrip().endswith(b"%%EOF")


# --- The CLI ----------------------------------------------------------------------------------------

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(comity_cli: Any) -> Any:
    return functools.partial(comity_cli, "render-request")


def test_cli_writes_the_docx(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "request.docx"
    code, stdout, stderr = cli(
        str(FIXTURES / "mla_full.json"), "--lang", "fr", "-o", str(out), "--accepted-languages", "es,en"
    )
    assert (code, stderr) == (0, "")
    assert stdout == f"Wrote {out} (fr, docx, {out.stat().st_size} bytes)\n"
    assert headings(docx_of(out.read_bytes()))[0] == "1. Autorité requérante"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["request.docx"]


def test_cli_format_overrides_the_extension(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "request.bin"
    code, _, stderr = cli(
        str(FIXTURES / "minimal.json"), "--format", "pdf", "-o", str(out), "--accepted-languages", "en"
    )
    assert (code, stderr) == (0, "")
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.django_db
def test_cli_takes_accepted_languages_from_the_directory(cli: Cli, tmp_path: Path) -> None:
    from comity.demo import seed_core
    from comity.directory.demo import seed_directory

    seed_core()
    seed_directory()
    out = tmp_path / "r.docx"
    document = json.loads((FIXTURES / "mla_full.json").read_text(encoding="utf-8"))
    source = tmp_path / "r.json"
    for typed_in, marks in (("es", 0), ("en", 26)):  # Mexico declared Spanish only (18(14))
        source.write_text(json.dumps({**document, "text_language": typed_in}), encoding="utf-8")
        code, _, stderr = cli(str(source), "--lang", "fr", "-o", str(out))
        assert (code, stderr) == (0, "")
        assert docx_text(out.read_bytes()).count(f"[traduction requise : {typed_in}]") == marks


@pytest.mark.parametrize(
    ("content", "args", "reason"),
    [
        ("{not json", [], "the document is not valid JSON"),
        ('{"request_type": "mla", "language": "en"}', [], "requested_state: Field required"),
        (
            '{"request_type": "visa", "language": "en", "requested_state": "FRA"}',
            [],
            "request_type: Input should be",
        ),
        (
            '{"request_type": "mla", "language": "en", "requested_state": "FRA", "x": 1}',
            [],
            "x: Extra inputs are not permitted",
        ),
        ("[]", [], "Input should be an object"),
        ('{"request_type": "mla", "language": "lv", "requested_state": "FRA"}', [], "No fixed text in 'lv'"),
        (
            '{"request_type": "mla", "language": "en", "requested_state": "FRA"}',
            ["--lang", "de"],
            "--lang: no fixed text in 'de'",
        ),
        (
            '{"request_type": "mla", "language": "en", "requested_state": "FRA"}',
            ["--format", "odt"],
            "invalid choice: 'odt'",
        ),
    ],
)
def test_cli_bad_input_exits_2_with_the_reason(
    cli: Cli, tmp_path: Path, content: str, args: list[str], reason: str
) -> None:
    source = tmp_path / "in.json"
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.pdf"
    out.write_bytes(b"previous")
    code, stdout, stderr = cli(str(source), "-o", str(out), "--accepted-languages", "en", *args)
    assert code == 2
    assert reason in stderr
    assert stdout == ""
    assert out.read_bytes() == b"previous"  # never half-written, never clobbered
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.json", "out.pdf"]


def test_cli_refuses_a_file_over_5_mb(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "big.json"
    with source.open("wb") as handle:
        handle.truncate(MAX_DOCUMENT_BYTES + 1)
    code, _, stderr = cli(str(source), "-o", str(tmp_path / "out.pdf"))
    assert code == 2
    assert "over 5242880 bytes (5 MB)" in stderr


@pytest.mark.parametrize("where", ["missing", "directory", "no-such-dir"])
def test_cli_unwritable_output_exits_2(cli: Cli, tmp_path: Path, where: str) -> None:
    out = {
        "missing": tmp_path / "out.pdf",
        "directory": tmp_path,
        "no-such-dir": tmp_path / "nope" / "out.pdf",
    }[where]
    source = FIXTURES / "minimal.json" if where != "missing" else tmp_path / "absent.json"
    code, _, stderr = cli(str(source), "-o", str(out), "--format", "pdf", "--accepted-languages", "en")
    assert code == 2
    assert str(out if where != "missing" else source) in stderr


def test_cli_never_leaves_a_half_written_file(cli: Cli, tmp_path: Path, monkeypatch: Any) -> None:
    out = tmp_path / "out.docx"
    out.write_bytes(b"previous")

    def fail(*args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    code, _, stderr = cli(str(FIXTURES / "minimal.json"), "-o", str(out), "--accepted-languages", "en")
    assert code == 2
    assert "cannot write it (No space left on device)" in stderr
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.docx"]


# --- The API ----------------------------------------------------------------------------------------

URL = "/api/v1/requests/render"


def token_for(user: Any, scopes: tuple[str, ...] = ("read",)) -> str:
    actor = principal(user)
    with state_scope(actor.authority.state_id):
        _token, secret = api_token_create(actor=actor, name="t", scopes=list(scopes), days=30)
    return secret


def client_for(user: Any, scopes: tuple[str, ...] = ("read",)) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(user, scopes)}")


def body(name: str = "mla_full", **changes: Any) -> str:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return json.dumps({**data, **changes})


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "content_type"), [("pdf", PDF_CONTENT_TYPE), ("docx", DOCX_CONTENT_TYPE)])
def test_api_renders_the_document(world: World, fmt: str, content_type: str) -> None:
    response = client_for(world.alice).post(
        f"{URL}?lang=fr&format={fmt}", body(), content_type="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="request-MLA-2025_0147-fr.{fmt}"'
    assert response["Cache-Control"] == "no-store"
    if fmt == "pdf":
        assert response.content.startswith(b"%PDF-")
    else:
        assert headings(docx_of(response.content))[0] == "1. Autorité requérante"


@pytest.mark.django_db
def test_api_language_defaults_to_the_documents_and_marks_from_the_directory(world: World) -> None:
    from comity.demo import seed_core
    from comity.directory.demo import seed_directory

    seed_core()
    seed_directory()
    client = client_for(world.alice)
    response = client.post(f"{URL}?format=docx", body(text_language="es"), content_type="application/json")
    assert response["Content-Disposition"] == 'attachment; filename="request-MLA-2025_0147-en.docx"'
    assert "[translation required" not in docx_text(response.content)  # Mexico accepts Spanish
    response = client.post(
        f"{URL}?format=docx&lang=fr", body(text_language="en"), content_type="application/json"
    )
    assert docx_text(response.content).count("[traduction requise : en]") == 26  # but not English


@pytest.mark.django_db
def test_api_needs_a_token_with_the_read_scope(world: World) -> None:
    response = Client().post(URL, body(), content_type="application/json")
    assert response.status_code == 401
    response = client_for(world.alice, scopes=("write",)).post(URL, body(), content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": "This token lacks the 'read' scope."}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "payload", "code", "message"),
    [
        ("", "{not json", "malformed_json", "the document is not valid JSON"),
        (
            "",
            json.dumps({"request_type": "mla", "language": "en"}),
            "validation_error",
            "requested_state: Field required",
        ),
        (
            "?lang=lv",
            body(),
            "unsupported_language",
            "No fixed text in 'lv': use one of ar, zh, en, fr, ru, es.",
        ),
        (
            "",
            body(language="de"),
            "unsupported_language",
            "No fixed text in 'de': use one of ar, zh, en, fr, ru, es.",
        ),
        ("?format=odt", body(), "validation_error", "format: Input should be 'pdf' or 'docx'"),
    ],
)
def test_api_bad_input_is_422(world: World, query: str, payload: str, code: str, message: str) -> None:
    response = client_for(world.alice).post(URL + query, payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["message"] == message


@pytest.mark.django_db
def test_api_body_over_5_mb_is_413(world: World) -> None:
    payload = body(facts_summary="x") + " " * MAX_DOCUMENT_BYTES
    response = client_for(world.alice).post(URL, payload, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.django_db
def test_api_documents_the_endpoint(world: World) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    operation = paths[URL]["post"]
    assert {p["name"] for p in operation["parameters"]} == {"lang", "format"}
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {"$ref": SCHEMA_ID}
    assert set(operation["responses"]["200"]["content"]) == {PDF_CONTENT_TYPE, DOCX_CONTENT_TYPE}


@pytest.mark.django_db
def test_api_leaks_nothing_between_states(world: World) -> None:
    """Stateless: the document is the body; what another State's user sends, or has, never shows."""
    alice = client_for(world.alice).post(f"{URL}?format=docx", body(), content_type="application/json")
    charlie = client_for(world.charlie).post(f"{URL}?format=docx", body(), content_type="application/json")
    assert docx_text(alice.content) == docx_text(charlie.content)
    for name in ("State A", "State B", "Authority X", "Authority Z"):
        assert name not in docx_text(charlie.content)


# --- With fonts and poppler-utils (make test-documents) ------------------------------------------


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: apt-get install poppler-utils (make test-documents needs it)")
    return path


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout  # noqa: S603  # fixed tools, our files


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: Any) -> dict[str, Path]:
    """fixtures/mla_full.json as PDF in the six languages (rendered once for the module)."""
    directory = tmp_path_factory.mktemp("pdf")
    paths = {}
    for lang in UN_LANGUAGES:
        path = directory / f"mla_full_{lang}.pdf"
        path.write_bytes(render_pdf(load("mla_full"), lang))
        paths[lang] = path
    return paths


def pdf_text(path: Path, *options: str) -> str:
    return run(tool("pdftotext"), *options, str(path), "-")


BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def words(text: str) -> str:
    """Text with pdftotext's bidi controls removed, whitespace collapsed, none before punctuation."""
    return re.sub(r" ([،؛.:,;])", r"\1", " ".join(BIDI_CONTROLS.sub(" ", text).split()))


@pytest.mark.fonts
@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_pdf_text_has_the_headings_in_the_chosen_language(pdfs: dict[str, Path], lang: str) -> None:
    text = words(pdf_text(pdfs[lang]))
    t = Texts(lang)
    # pdftotext rebuilds "1." inside right-to-left lines its own way: Arabic headings without numbers.
    numbered = (
        [t(f"sec.{key}") for key in MLA_SECTIONS] if lang == "ar" else expected_headings(lang, MLA_SECTIONS)
    )
    for heading in [t("type.mla"), *numbered, t("sec.annexes"), t("formula.closing")]:
        assert words(heading).rstrip(".。") in text, heading  # a final full stop may move in RTL lines
    pages = int(re.search(r"Pages:\s+(\d+)", run(tool("pdfinfo"), str(pdfs[lang]))).group(1))  # type: ignore[union-attr]
    footer = t("page.x_of_y", page=pages, pages=pages)
    if lang == "ar":
        assert all(word in text for word in footer.split()), footer
    else:
        assert words(footer) in text


def bbox_lines(path: Path) -> list[tuple[float, float, list[str]]]:
    """(xMin, xMax, words) of every line on page 1, from pdftotext -bbox-layout."""
    xml = run(tool("pdftotext"), "-f", "1", "-l", "1", "-bbox-layout", str(path), "-")
    return [
        (float(x_min), float(x_max), re.findall(r">([^<]*)</word>", inner))
        for x_min, x_max, inner in re.findall(
            r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*?)</line>', xml, re.S
        )
    ]


@pytest.mark.fonts
def test_arabic_pdf_is_logical_order_and_right_aligned(pdfs: dict[str, Path]) -> None:
    text = words(pdf_text(pdfs["ar"]))
    assert "طلب مساعدة قانونية متبادلة" in text  # logical order: the first word read is the first stored
    assert "تهدي السلطة الطالبة أطيب تحياتها إلى السلطات المختصة" in text
    # The heading "1. السلطة الطالبة" ends at the right margin (A4 less 22 mm: x = 532.9 pt).
    heading = [
        (x_min, x_max)
        for x_min, x_max, line in bbox_lines(pdfs["ar"])
        if len(line) <= 4 and any("1" in w for w in line) and {"الطالبة", "ةبلاطلا"} & set(line)
    ]
    assert len(heading) == 1
    x_min, x_max = heading[0]
    assert 530 < x_max < 534
    assert x_min > 400
    english = [x_min for x_min, _, line in bbox_lines(pdfs["en"]) if line[:2] == ["1.", "Requesting"]]
    assert english == [pytest.approx(62.4, abs=1)]  # left margin


@pytest.mark.fonts
@pytest.mark.parametrize(
    ("lang", "font"),
    [("zh", "Noto-Sans-CJK-SC"), ("ru", "Noto-Sans"), ("ar", "Noto-Naskh-Arabic"), ("en", "Noto-Sans")],
)
def test_pdf_embeds_noto_fonts_for_the_script(pdfs: dict[str, Path], lang: str, font: str) -> None:
    rows = run(tool("pdffonts"), str(pdfs[lang])).splitlines()[2:]
    names = [row.split()[0].split("+", 1)[-1] for row in rows]
    assert font in names
    assert all(row.split()[-5] == "yes" for row in rows)  # every font embedded
    assert not any("Type 3" in row or "DejaVu" in row for row in rows)


@pytest.mark.fonts
@pytest.mark.parametrize("lang", ["en", "ar", "zh"])
def test_first_page_matches_its_golden_image(pdfs: dict[str, Path], lang: str, tmp_path: Path) -> None:
    from PIL import Image, ImageChops, ImageStat

    prefix = tmp_path / "page"
    run(
        tool("pdftoppm"),
        "-png",
        "-r",
        "40",
        "-gray",
        "-f",
        "1",
        "-l",
        "1",
        "-singlefile",
        str(pdfs[lang]),
        str(prefix),
    )
    page = Image.open(f"{prefix}.png").convert("L")
    golden = GOLDEN / f"mla_full_{lang}_p1.png"
    if os.environ.get("COMITY_UPDATE_GOLDEN") == "1":
        page.save(golden, optimize=True)
    reference = Image.open(golden).convert("L")
    assert page.size == reference.size
    difference = ImageStat.Stat(ImageChops.difference(page, reference)).mean[0]
    assert difference < 2.5, f"page 1 ({lang}) differs from {golden.name}: mean {difference:.2f}/255"


BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_libreoffice_opens_the_docx(lang: str, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    source = tmp_path / f"request_{lang}.docx"
    source.write_bytes(render_docx(load("mla_full"), lang))
    profile = (tmp_path / "profile").as_uri()
    run(
        soffice,
        f"-env:UserInstallation={profile}",
        "--headless",
        "--convert-to",
        "pdf",
        "--outdir",
        str(tmp_path),
        str(source),
    )
    text = " ".join(BIDI_CONTROLS.sub("", pdf_text(tmp_path / f"request_{lang}.pdf")).split())
    for heading in [TEXTS[lang]["type.mla"], *expected_headings(lang, MLA_SECTIONS)]:
        if lang == "ar":
            # LibreOffice's PDF of a right-to-left paragraph puts the section number at the
            # visual end, so pdftotext reads "السلطة الطالبة .1": check the words, not the order.
            heading = heading.split(". ", 1)[-1]
        assert " ".join(heading.split()) in text, heading
