"""Builds templates/request.docx, the Word template of formal requests (run once, output committed).

    python -m comity.drafting.documents.build_template

The template holds what a central authority may want to restyle in Word without touching code:
page size and margins, fonts per script (Noto Sans for Latin and Cyrillic, Noto Naskh Arabic for
complex scripts, Noto Sans CJK SC for East Asian text), heading and table styles, the running
header `{{ header }}` and the footer "{{ page_before }}PAGE{{ page_between }}NUMPAGES{{ page_after }}"
(the words come from the document's language). The body is drawn where the paragraph holding
`{{ body }}` stands. Restyled templates (a letterhead, a logo) must keep that paragraph and the
style names used by docx_writer.py (Title, Subtitle, Heading 1, Heading 2, Comity *); they
may use the other context variables listed in docx_writer.template_context().
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import BaseStyle, ParagraphStyle

TEMPLATE = Path(__file__).parent / "templates" / "request.docx"

LATIN_FONT = "Noto Sans"
COMPLEX_FONT = "Noto Naskh Arabic"
EAST_ASIAN_FONT = "Noto Sans CJK SC"
BORDER = "BFBFBF"


def _fonts_element() -> BaseOxmlElement:
    fonts = OxmlElement("w:rFonts")
    for attribute, font in (
        ("w:ascii", LATIN_FONT),
        ("w:hAnsi", LATIN_FONT),
        ("w:eastAsia", EAST_ASIAN_FONT),
        ("w:cs", COMPLEX_FONT),
    ):
        fonts.set(qn(attribute), font)
    return fonts


def _defaults(document: DocxDocument) -> None:
    """Fonts per script, sizes (Latin and complex script alike), languages, paragraph spacing."""
    styles = document.styles.element
    for old in styles.findall(qn("w:docDefaults")):
        styles.remove(old)
    defaults = parse_xml(
        f"<w:docDefaults {nsdecls('w')}>"
        "<w:rPrDefault><w:rPr>"
        '<w:sz w:val="21"/><w:szCs w:val="23"/>'
        '<w:lang w:val="en-GB" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        "</w:rPr></w:rPrDefault>"
        '<w:pPrDefault><w:pPr><w:spacing w:after="100" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        "</w:docDefaults>"
    )
    defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).insert(0, _fonts_element())
    styles.insert(0, defaults)
    # The stock styles point at theme fonts, which would override the fonts above.
    for fonts in styles.iter(qn("w:rFonts")):
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)


def _font(style: BaseStyle, *, size: float, bold: bool = False, color: str = "000000") -> None:
    font = style.font  # type: ignore[attr-defined]  # paragraph and character styles have one
    font.size = Pt(size)
    font.bold = bold
    font.cs_bold = bold  # Arabic runs are complex script: bold and size have their own switches
    font.italic = False
    font.cs_italic = False
    font.color.rgb = RGBColor.from_string(color)
    rpr = style.element.get_or_add_rPr()
    size_cs = rpr.find(qn("w:szCs"))
    if size_cs is None:
        size_cs = OxmlElement("w:szCs")
        rpr.append(size_cs)
    size_cs.set(qn("w:val"), str(round(size * 2)))


def _paragraph(
    style: ParagraphStyle,
    *,
    before: float = 0,
    after: float = 5,
    keep_with_next: bool = False,
    center: bool = False,
) -> None:
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep_with_next
    if center:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ppr = style.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):  # the stock Title has a rule under it
        ppr.remove(border)


def _table_style(document: DocxDocument, name: str, *, borders: bool) -> None:
    style_id = name.replace(" ", "")
    edges = "".join(
        f'<w:{edge} w:val="single" w:sz="4" w:space="0" w:color="{BORDER}"/>'
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    document.styles.element.append(
        parse_xml(
            f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/>'
            '<w:pPr><w:spacing w:before="20" w:after="20" w:line="252" w:lineRule="auto"/></w:pPr>'
            "<w:tblPr>"
            + (f"<w:tblBorders>{edges}</w:tblBorders>" if borders else "")
            + '<w:tblCellMar><w:top w:w="50" w:type="dxa"/><w:left w:w="100" w:type="dxa"/>'
            '<w:bottom w:w="50" w:type="dxa"/><w:right w:w="100" w:type="dxa"/></w:tblCellMar>'
            "</w:tblPr></w:style>"
        )
    )


def _styles(document: DocxDocument) -> None:
    styles = document.styles
    _font(styles["Normal"], size=10.5)
    title = styles["Title"]
    _font(title, size=16, bold=True)
    _paragraph(title, after=4, center=True)
    subtitle = styles["Subtitle"]
    _font(subtitle, size=10.5, color="404040")
    _paragraph(subtitle, after=10, center=True)
    heading1 = styles["Heading 1"]
    _font(heading1, size=12, bold=True)
    _paragraph(heading1, before=12, after=4, keep_with_next=True)
    heading2 = styles["Heading 2"]
    _font(heading2, size=10.5, bold=True, color="262626")
    _paragraph(heading2, before=6, after=3, keep_with_next=True)
    quote = styles["Quote"]
    _font(quote, size=10)
    quote.paragraph_format.left_indent = Cm(0.6)
    quote.paragraph_format.right_indent = Cm(0.6)
    for name in ("Header", "Footer"):
        _font(styles[name], size=8.5, color="595959")

    banner = styles.add_style("Comity Banner", WD_STYLE_TYPE.PARAGRAPH)
    banner.base_style = styles["Normal"]
    _font(banner, size=11, bold=True, color="C00000")
    _paragraph(banner, after=2, center=True)
    formula = styles.add_style("Comity Formula", WD_STYLE_TYPE.PARAGRAPH)
    formula.base_style = styles["Normal"]
    _paragraph(formula, after=5)
    closing = styles.add_style("Comity Closing", WD_STYLE_TYPE.PARAGRAPH)
    closing.base_style = styles["Normal"]
    _paragraph(closing, before=12, after=12)
    label = styles.add_style("Comity Label", WD_STYLE_TYPE.CHARACTER)
    _font(label, size=10, bold=True, color="262626")
    note = styles.add_style("Comity Note", WD_STYLE_TYPE.CHARACTER)
    _font(note, size=9.5, bold=True, color="9C0006")
    _table_style(document, "Comity Fields", borders=True)
    _table_style(document, "Comity References", borders=False)


def _text_run(paragraph: object, text: str) -> None:
    """A run whose text keeps its spaces (the page formula's "Page " and " of ")."""
    run = paragraph.add_run(text)  # type: ignore[attr-defined]
    run._r.find(qn("w:t")).set(qn("xml:space"), "preserve")


def _field(paragraph: object, instruction: str) -> None:
    simple = parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr=" {instruction} "><w:r><w:t>1</w:t></w:r></w:fldSimple>'
    )
    paragraph._p.append(simple)  # type: ignore[attr-defined]


def build_template(path: Path = TEMPLATE) -> Path:
    document = Document()
    _defaults(document)
    _styles(document)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.left_margin = section.right_margin = Cm(2.5)
    section.header_distance, section.footer_distance = Cm(1.2), Cm(1.0)

    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    _text_run(header, "{{ header }}")
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _text_run(footer, "{{ page_before }}")
    _field(footer, "PAGE")
    _text_run(footer, "{{ page_between }}")
    _field(footer, "NUMPAGES")
    _text_run(footer, "{{ page_after }}")

    document.add_paragraph("{{ body }}")
    properties = document.core_properties
    properties.author = "Comity"
    properties.comments = "Template of formal requests: keep the Jinja placeholders and the style names."
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build_template())
