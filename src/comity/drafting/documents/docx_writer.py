"""The outline drawn as an editable Word document.

docxtpl fills templates/request.docx (page setup, styles, running header, "page X of Y" footer:
see build_template.py), then python-docx draws the body where the template's `{{ body }}`
paragraph stands. The body is code rather than Jinja because its shape (which sections, how many
measures, persons, offences) changes with every request, and loops over raw WordprocessingML are
harder to keep right; docxtpl's own sub-documents would need docxcompose, a dependency we avoid.

Right-to-left: Word needs w:bidi on right-to-left paragraphs (in the header and footer too),
w:bidiVisual on tables (columns from the right), w:bidi on the section, and w:rtl on runs of Arabic
script; docxtpl has no notion of any of it, so one pass over the rendered document sets them.
A paragraph typed in a left-to-right script inside an Arabic document (an English passage, an
e-mail address, a telephone number) stays a left-to-right paragraph, as in the PDF.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu
from docxtpl import DocxTemplate

from comity.drafting.documents.outline import (
    Block,
    Field,
    Fields,
    Outline,
    Paragraph,
    Section,
    Subheading,
    direction,
)

TEMPLATE = Path(__file__).parent / "templates" / "request.docx"
TEXT_WIDTH = Cm(16)  # A4 less the template's 2.5 cm side margins
LABEL_WIDTH = Cm(5.2)
ARABIC = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")  # Hebrew and Arabic blocks

# Children of w:pPr, w:tblPr and w:sectPr that come after the bidi switch (schema order).
_AFTER_BIDI_IN_PPR = (
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip
_AFTER_BIDI_IN_TBLPR = (
    "w:tblStyleRowBandSize", "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing",
    "w:tblInd", "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
    "w:tblCaption", "w:tblDescription", "w:tblPrChange",
)  # fmt: skip
_AFTER_BIDI_IN_SECTPR = ("w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


@lru_cache(maxsize=1)
def _template_bytes() -> bytes:
    return TEMPLATE.read_bytes()


BODY_MARKER = "\u2063comity-body\u2063"  # invisible separators: no user text can collide


def template_context(outline: Outline) -> dict[str, str]:
    """What the Word template may use, besides the `{{ body }}` paragraph."""
    before, between, after = outline.page_formula
    return {
        "body": BODY_MARKER,
        "header": outline.header,
        "page_before": before,
        "page_between": between,
        "page_after": after,
        "title": outline.title,
        "subtitle": outline.subtitle or "",
        "banners": " ".join(outline.banners),
    }


def write_docx(outline: Outline) -> bytes:
    template = DocxTemplate(io.BytesIO(_template_bytes()))
    template.render(template_context(outline), autoescape=True)
    document = template.docx
    _draw_body(document, outline)
    _set_language(document, outline.language_tag, rtl=outline.rtl)
    _set_directions(document, rtl=outline.rtl)
    properties = document.core_properties
    properties.title = outline.title
    properties.language = outline.language_tag
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _draw_body(document: Any, outline: Outline) -> None:
    """Draws the body at the end of the document, then moves it where the marker paragraph is."""
    body = document.element.body
    marker = next(
        (p for p in body.iter(qn("w:p")) if BODY_MARKER in _text(p)),
        None,
    )
    start = len(body)
    _Body(document, outline).draw()
    if marker is None:
        return
    drawn = [child for child in body[start - 1 :] if child.tag != qn("w:sectPr")]
    for element in drawn:
        if element is not marker:
            marker.addprevious(element)
    marker.getparent().remove(marker)


class _Body:
    """Draws the outline's blocks with the template's styles."""

    def __init__(self, document: Any, outline: Outline) -> None:
        self.doc = document
        self.outline = outline

    def draw(self) -> None:
        o = self.outline
        for banner in o.banners:
            self.doc.add_paragraph(banner, style="Comity Banner")
        self.doc.add_paragraph(o.title, style="Title")
        if o.subtitle:
            self.doc.add_paragraph(o.subtitle, style="Subtitle")
        if o.references:
            self.fields(o.references, style="Comity References")
        for section in o.sections:
            self.section(section)
        self.doc.add_paragraph(o.closing, style="Comity Closing")
        self.signature()
        if o.annexes is not None:
            self.section(o.annexes)

    def section(self, section: Section) -> None:
        self.doc.add_paragraph(section.heading, style="Heading 1")
        for block in section.blocks:
            self.block(block)

    def block(self, block: Block) -> None:
        if isinstance(block, Subheading):
            self.doc.add_paragraph(block.text, style="Heading 2")
        elif isinstance(block, Fields):
            self.fields(block.rows, style="Comity Fields")
        elif isinstance(block, Paragraph):
            style = "Comity Formula" if block.style == "formula" else "Normal"
            lines = block.lines
            for i, line in enumerate(lines):
                paragraph = self.doc.add_paragraph(line.text, style=style)
                if block.note and i == len(lines) - 1:
                    _note(paragraph, block.note)

    def fields(self, rows: tuple[Field, ...], *, style: str) -> None:
        table = self.doc.add_table(rows=0, cols=2)
        table.style = style
        table.autofit = False
        widths = (LABEL_WIDTH, Emu(TEXT_WIDTH - LABEL_WIDTH))
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for row in rows:
            label_cell, value_cell = table.add_row().cells
            label_cell.width, value_cell.width = widths
            label_cell.paragraphs[0].add_run(row.label, style="Comity Label")
            lines = row.lines
            if row.wide and style == "Comity Fields":  # a passage: across the table, under its label
                value_cell = label_cell.merge(value_cell)
                value_cell.add_paragraph(lines[0].text)
            else:
                value_cell.paragraphs[0].add_run(lines[0].text)
            for line in lines[1:]:
                value_cell.add_paragraph(line.text)
            if row.note:
                _note(value_cell.paragraphs[-1], row.note)
        self.doc.add_paragraph().paragraph_format.space_after = 0

    def signature(self) -> None:
        block = self.outline.signature
        self.fields(block.rows, style="Comity References")
        table = self.doc.add_table(rows=1, cols=2)
        table.style = "Comity Fields"
        table.autofit = False
        row = table.rows[0]
        row.height = Cm(3.2)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        sign, seal = row.cells
        sign.width = seal.width = Emu(TEXT_WIDTH // 2)
        for cell, label in ((sign, block.signature_label), (seal, block.seal_label)):
            top = cell.paragraphs[0]
            top.add_run(label, style="Comity Label")
        line = sign.add_paragraph("\n\n" + "_" * 34)
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _text(element: Any) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _note(paragraph: Any, note: str) -> None:
    paragraph.add_run(" ")
    paragraph.add_run(note, style="Comity Note")


def _set_language(document: Any, tag: str, *, rtl: bool) -> None:
    """The proofing language of every run by default (Word's spell checker, hyphenation)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    lang.set(qn("w:val"), tag)
    if tag.startswith("zh"):
        lang.set(qn("w:eastAsia"), tag)
    if rtl:
        lang.set(qn("w:bidi"), tag)


def _set_directions(document: Any, *, rtl: bool) -> None:
    """Right-to-left paragraphs (w:bidi) and runs (w:rtl) wherever the text is Arabic; in an Arabic
    document also blank paragraphs, every table (w:bidiVisual: columns from the right) and the
    section. Paragraphs typed in a left-to-right script, or holding only digits, keep their order."""
    body = document.element.body
    roots = [body]
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            roots.append(rel.target_part.element)
    for root in roots:
        for paragraph in root.iter(qn("w:p")):
            way = direction(_text(paragraph))
            if way == "rtl" or (way is None and rtl):
                ppr = paragraph.get_or_add_pPr()
                if ppr.find(qn("w:bidi")) is None:
                    ppr.insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI_IN_PPR)
        for run in root.iter(qn("w:r")):
            if ARABIC.search(_text(run)):
                run.get_or_add_rPr().get_or_add_rtl()
        if not rtl:
            continue
        for tblpr in root.iter(qn("w:tblPr")):
            if tblpr.find(qn("w:bidiVisual")) is None:
                tblpr.insert_element_before(OxmlElement("w:bidiVisual"), *_AFTER_BIDI_IN_TBLPR)
    sectpr = body.find(qn("w:sectPr"))
    if rtl and sectpr is not None and sectpr.find(qn("w:bidi")) is None:
        sectpr.insert_element_before(OxmlElement("w:bidi"), *_AFTER_BIDI_IN_SECTPR)
