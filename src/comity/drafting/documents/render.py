"""The formal request as DOCX (editable, for signature on paper) and PDF (for sending).

    render_docx(document, lang="fr") -> bytes
    render_pdf(document, lang="ar") -> bytes

`lang` defaults to document.language and must be one of the six UN languages (the fixed text
exists in those only: UnsupportedLanguage otherwise). `accepted_languages`, the languages the
requested State accepts (see language.directory_languages), decides which typed passages get a
"[translation required: xx]" mark; None means not known.

The PDF comes from templates/request.html and request.css through WeasyPrint, with the system's
Noto fonts (Debian's fonts-noto-core and fonts-noto-cjk) and no network: the URL fetcher refuses
everything but data: URLs, so a document can never make the server fetch anything.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from django.template import Context, Engine
from django.utils.safestring import mark_safe
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher

from comity.drafting.documents.docx_writer import write_docx
from comity.drafting.documents.outline import Outline, build_outline
from comity.drafting.schema import RequestDocument

TEMPLATES = Path(__file__).parent / "templates"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_CONTENT_TYPE = "application/pdf"
# A standalone engine: the document template is not part of the site's templates or overrides.
_ENGINE = Engine(dirs=[str(TEMPLATES)], autoescape=True)
_CSS_SAFE = frozenset(" .,-_/()[]")


def render_docx(
    document: RequestDocument, lang: str | None = None, *, accepted_languages: Collection[str] | None = None
) -> bytes:
    outline = build_outline(document, lang or document.language, accepted_languages=accepted_languages)
    return write_docx(outline)


def render_pdf(
    document: RequestDocument, lang: str | None = None, *, accepted_languages: Collection[str] | None = None
) -> bytes:
    outline = build_outline(document, lang or document.language, accepted_languages=accepted_languages)
    return write_pdf(outline)


def render_html(outline: Outline) -> str:
    """The HTML WeasyPrint lays out (also handy to inspect a document's structure)."""
    template = _ENGINE.get_template("request.html")
    return template.render(Context({"o": outline, "page_css": mark_safe(page_css(outline))}))  # noqa: S308  # every string in it goes through css_string()


def layout(outline: Outline) -> Document:
    """The laid-out pages (WeasyPrint), e.g. to count them."""
    html = HTML(string=render_html(outline), url_fetcher=no_network_fetcher(), base_url=None)
    return html.render(stylesheets=[_stylesheet()])


def write_pdf(outline: Outline) -> bytes:
    pdf = layout(outline).write_pdf()
    assert pdf is not None  # noqa: S101  # write_pdf() without a target returns the bytes
    return pdf


def no_network_fetcher() -> URLFetcher:
    """A fetcher for data: URLs only; any other URL fails (WeasyPrint then skips the resource)."""
    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


@lru_cache(maxsize=1)
def _stylesheet() -> CSS:
    text = (TEMPLATES / "request.css").read_text(encoding="utf-8")
    return CSS(string=text, url_fetcher=no_network_fetcher())


def css_string(text: str) -> str:
    """`text` as a double-quoted CSS string: anything but letters, digits and a few harmless
    characters is escaped, so no text can close the string, the rule or the <style> element."""
    out = []
    for char in text:
        if char.isalnum() or char in _CSS_SAFE:
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")  # the space ends the escape (and is consumed by it)
    return '"' + "".join(out) + '"'


def page_css(outline: Outline) -> str:
    """The page-margin boxes of this document: the reference at the top (start side), and
    "page X of Y" in the document's language at the bottom."""
    before, between, after = outline.page_formula
    footer = f"{css_string(before)} counter(page) {css_string(between)} counter(pages) {css_string(after)}"
    start, end = ("top-right", "top-left") if outline.rtl else ("top-left", "top-right")
    header = css_string(outline.header) if outline.header else "none"
    return (
        f"@page {{ @{start} {{ content: {header}; }} @{end} {{ content: none; }} "
        f"@bottom-center {{ content: {footer}; }} }}"
    )
