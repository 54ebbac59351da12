"""Benchmark of the formal request as DOCX and PDF (goals: p95 <= 500 ms / <= 1 s for five pages).

    bench_documents(runs=30)
    python -m comity.drafting.documents.bench [--runs N] [--languages en,ar,zh]

The request is the largest MLA example (examples/requests/), its long passages and its lists of
offences, measures and persons cut or repeated in proportion until its PDF fills five A4 pages. Each figure stands beside the bare library doing the
least it can in the same run: docxtpl rendering the Word template with an empty body and saving
it; WeasyPrint laying out a one-line page. English carries the goals; Arabic (shaping, right to
left) and Chinese (a CJK font to subset) are reported beside it. Reported, never asserted.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

from comity.bench import _line, _stats, _time

EXAMPLES_DIR = Path(__file__).resolve().parents[4] / "examples" / "requests"
GOAL_DOCX_P95 = 0.5
GOAL_PDF_P95 = 1.0
PAGES = 5


def _example(directory: Path = EXAMPLES_DIR) -> dict[str, Any]:
    """The largest MLA example, or a small built-in request outside a source checkout."""
    candidates = []
    for path in sorted(directory.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        if data.get("request_type") == "mla":
            candidates.append((len(text), data))
    if candidates:
        return max(candidates, key=lambda c: c[0])[1]
    return {
        "request_type": "mla",
        "language": "en",
        "requested_state": "FRA",
        "reference": "BENCH-1",
        "facts_summary": "The suspects laundered the proceeds of drug trafficking through shell companies. " * 8,
        "offences": [{"description": "Money laundering.", "legal_provisions": "Criminal Code, art. 1.", "max_penalty_years": "8"}],
        "measures": [{"measure": "bank_records", "description": "Statements of the account.", "bank": {"bank": "Bank", "account": "1"}}],
        "persons": [{"role": "suspect", "name": "A. Person", "nationalities": ["FRA"]}],
    }  # fmt: skip


def _pages(document: Any) -> int:
    from comity.drafting.documents.outline import build_outline
    from comity.drafting.documents.render import layout

    return len(layout(build_outline(document, "en")).pages)


def _scaled(value: Any, scale: float, key: str = "") -> Any:
    """The example with its lists of offences, measures and persons, and its long passages, cut
    (scale < 1) or repeated (scale > 1, lists only) in proportion."""
    limits = {"offences": 50, "measures": 30, "persons": 100}
    if isinstance(value, dict):
        return {k: _scaled(v, scale, k) for k, v in value.items()}
    if isinstance(value, list) and key in limits and value:
        count = max(1, min(limits[key], round(len(value) * scale)))
        return [_scaled(v, scale) for v in (value * (count // len(value) + 1))[:count]]
    if isinstance(value, str) and len(value) > 300 and scale < 1:
        return value[: max(300, round(len(value) * scale))].rsplit(" ", 1)[0]
    return value


def five_page_request() -> Any:
    """The largest MLA example cut or grown (facts, offences, measures, persons) to five pages."""
    from comity.drafting.schema import RequestDocument

    data = _example()
    low, high = 0.05, 20.0
    best = RequestDocument.model_validate(_scaled(data, low))
    for _ in range(10):  # the largest scale that still fits in five pages
        middle = (low + high) / 2
        document = RequestDocument.model_validate(_scaled(data, middle))
        if _pages(document) <= PAGES:
            low, best = middle, document
        else:
            high = middle
    return best


def bench_documents(runs: int = 30, languages: tuple[str, ...] = ("en", "ar", "zh")) -> None:
    from docxtpl import DocxTemplate
    from weasyprint import HTML

    from comity.drafting.documents import docx_writer
    from comity.drafting.documents.render import no_network_fetcher, render_docx, render_pdf

    document = five_page_request()
    template = docx_writer.TEMPLATE.read_bytes()

    def bare_docx() -> None:
        tpl = DocxTemplate(io.BytesIO(template))
        tpl.render({})
        tpl.save(io.BytesIO())

    def bare_pdf() -> None:
        HTML(
            string="<p>Request for mutual legal assistance</p>", url_fetcher=no_network_fetcher()
        ).write_pdf()

    print(f"Formal request documents: {_pages(document)}-page MLA request, {runs} runs each")
    for lang in languages:
        render_docx(document, lang)  # warm caches (template, fonts, locale data)
        render_pdf(document, lang)
    bare_docx()
    bare_pdf()
    for lang in languages:
        ours = _time(lambda lang=lang: render_docx(document, lang), runs)  # type: ignore[misc]
        _line(
            f"DOCX ({lang})", ours, _time(bare_docx, runs), _goal(ours, GOAL_DOCX_P95) if lang == "en" else ""
        )
    for lang in languages:
        ours = _time(lambda lang=lang: render_pdf(document, lang), runs)  # type: ignore[misc]
        _line(f"PDF ({lang})", ours, _time(bare_pdf, runs), _goal(ours, GOAL_PDF_P95) if lang == "en" else "")


def _goal(samples: list[float], goal: float) -> str:
    p95 = _stats(samples)[2]
    return f"  goal p95 <= {goal * 1000:.0f} ms: {'met' if p95 <= goal else 'MISSED'}"


def main(argv: list[str] | None = None) -> None:
    from comity.bench import _setup

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--languages", default="en,ar,zh", help="comma-separated document languages")
    args = parser.parse_args(argv)
    _setup()
    bench_documents(runs=args.runs, languages=tuple(args.languages.split(",")))


if __name__ == "__main__":
    main()
