"""What both backends index and how a user's words become a query: shared, so they agree.

- `index_document(entry)`: the text of an entry as the backends index it: the title, one body
  text (summary, full text, translations, provisions, quotable notes), the Chinese bigrams and
  the facet tags.
- `parse_query(text)`: the user's words as a `ParsedQuery`: words and quoted phrases (all must
  match) and CJK runs (matched as overlapping character bigrams, like the index).
- `facet_tag(facet, value)`: the token that stands for a facet value in the full-text index, so
  filters are intersected by the engine itself together with the words.
- `finish_snippet(raw)`: an engine snippet (marked with the private `MARK_START`/`MARK_END`
  characters) as safe HTML: everything escaped, the marks turned into `<mark>`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from comity.knowledge.enums import FACETS

# The engines put these around matched terms; they are removed from every indexed text, so
# an entry cannot forge a highlight.
MARK_START = "\x02"
MARK_END = "\x03"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# The longest text indexed per entry (characters; the rest of a long document is stored but not
# searchable). PostgreSQL caps a tsvector at 1 MB; the same cap on SQLite keeps both in step.
MAX_INDEXED_CHARS = 300_000

# CJK ideographs, kana and hangul: scripts written without spaces between words.
_CJK = (
    "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
)
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORDISH = re.compile(r"\w")

# One letter per facet for the tags (stable: changing one needs a reindex).
_FACET_LETTERS = {
    "kind": "k",
    "article": "a",
    "state": "s",
    "cooperation_type": "c",
    "measure": "m",
    "offence": "o",
    "obstacle": "b",
    "year": "y",
    "language": "l",
}
assert set(_FACET_LETTERS) == set(FACETS)  # noqa: S101 - import-time consistency check


def facet_tag(facet: str, value: str) -> str:
    """`zq` + facet letter + hex of the value + `0`: one lower-case alphanumeric token that no
    text contains, that no tokenizer splits, and that the porter stemmer leaves alone (it ends
    with a digit)."""
    return f"zq{_FACET_LETTERS[facet]}{value.encode().hex()}0"


def facet_values(entry: Any) -> list[tuple[str, str]]:
    """(facet, value) pairs of an entry (an `Entry`), in FACETS order, without duplicates."""
    values: dict[tuple[str, str], None] = {}

    def add(facet: str, items: Iterable[Any]) -> None:
        for item in items:
            text = str(item).strip()
            if text:
                values.setdefault((facet, text), None)

    add("kind", [entry.kind])
    add("article", entry.top_articles())
    add("state", entry.states)
    add("cooperation_type", entry.cooperation_types)
    add("measure", entry.measures)
    add("offence", entry.offences)
    add("obstacle", entry.obstacles)
    add("year", [entry.year] if entry.year is not None else [])
    add("language", [entry.language])
    return list(values)


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def cjk_bigrams(text: str) -> str:
    """Overlapping character bigrams of every CJK run ("洗钱案" -> "洗钱 钱案"); a run of one
    character is kept as it is."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            grams.append(run)
        else:
            grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(grams)


@dataclass(frozen=True)
class IndexDocument:
    entry_id: int
    language: str
    year: int | None
    title: str
    body: str
    cjk: str
    tags: str  # facet tags, space separated
    facets: list[str]  # "facet:value", for the facet counts


def body_text(entry: Any) -> str:
    """Everything searchable besides the title, in a fixed order (also the snippet source)."""
    parts: list[str] = [entry.summary, entry.body]
    for lang in sorted(entry.translations or {}):
        translated = entry.translations[lang] or {}
        if isinstance(translated, dict):
            parts += [str(translated.get("title", "")), str(translated.get("summary", ""))]
    for provision in entry.provisions or []:
        if isinstance(provision, dict):
            parts += [str(provision.get("ref", "")), str(provision.get("text", ""))]
    parts += [str(n) for n in entry.obstacle_notes or []]
    parts += [str(n) for n in entry.good_practices or []]
    parts += [entry.court]
    return _clean("\n".join(p for p in parts if p and p.strip()))[:MAX_INDEXED_CHARS]


def index_document(entry: Any) -> IndexDocument:
    title = _clean(entry.title)
    body = body_text(entry)
    pairs = facet_values(entry)
    return IndexDocument(
        entry_id=entry.pk,
        language=entry.language,
        year=entry.year,
        title=title,
        body=body,
        cjk=cjk_bigrams(f"{title}\n{body}"),
        tags=" ".join(facet_tag(f, v) for f, v in pairs),
        facets=[f"{f}:{v}" for f, v in pairs],
    )


# --- Queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    """Every part must match (AND). `phrases` are word sequences (a single word is a phrase of
    one); `cjk` are runs of CJK characters, matched as phrases of bigrams."""

    phrases: tuple[str, ...] = ()
    cjk: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.phrases and not self.cjk


_QUOTED = re.compile(r'"([^"]*)"?')
# Typographic quotes (from a word processor, or French and Russian « ») delimit phrases too.
_QUOTES = str.maketrans(dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb\u301d\u301e\uff02", '"'))
MAX_QUERY_PARTS = 16


def parse_query(text: str) -> ParsedQuery:
    """Words and "quoted phrases" (also “…”, «…»; an unclosed quote runs to the end); CJK
    runs split out.

    Pieces without a letter or digit are dropped (both engines would ignore them); at most
    MAX_QUERY_PARTS parts are kept, the rest of a very long query is ignored.
    """
    text = _clean(text or "").replace(MARK_START, " ").replace(MARK_END, " ").translate(_QUOTES)
    pieces: list[str] = []
    position = 0
    for match in _QUOTED.finditer(text):
        pieces += text[position : match.start()].split()
        pieces.append(match.group(1))
        position = match.end()
    pieces += text[position:].split()
    phrases: dict[str, None] = {}
    runs: dict[str, None] = {}
    for piece in pieces:
        for run in _CJK_RUN.findall(piece):
            runs.setdefault(run, None)
        rest = " ".join(_CJK_RUN.sub(" ", piece).split()).lower()
        if _WORDISH.search(rest):
            phrases.setdefault(rest, None)
    kept = [*phrases][:MAX_QUERY_PARTS], [*runs][: max(0, MAX_QUERY_PARTS - len(phrases))]
    return ParsedQuery(phrases=tuple(kept[0]), cjk=tuple(kept[1]))


def run_bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


# --- Snippets -------------------------------------------------------------------------------

SNIPPET_CHARS = 240


def finish_snippet(raw: str) -> str:
    """Escape an engine's snippet and turn its private marks into <mark>...</mark>."""
    escaped = html.escape(raw.replace(MARK_START + MARK_END, ""), quote=True)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def cjk_snippet(text: str, runs: Iterable[str]) -> str | None:
    """A snippet around the first occurrence of a CJK run, every occurrence marked. Neither
    engine tokenises Chinese, so this one highlight is done here, the same for both."""
    runs = [r for r in runs if r]
    hits = [(text.find(r), r) for r in runs if r in text]
    if not hits:
        return None
    first = min(position for position, _run in hits)
    start = max(0, first - SNIPPET_CHARS // 3)
    window = text[start : start + SNIPPET_CHARS]
    pattern = re.compile("|".join(re.escape(r) for r in sorted(runs, key=len, reverse=True)))
    marked = pattern.sub(lambda m: MARK_START + m.group(0) + MARK_END, window)
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + SNIPPET_CHARS < len(text) else ""
    return finish_snippet(prefix + marked + suffix)


def plain_snippet(text: str) -> str:
    """The start of the text, escaped (browsing without words)."""
    cut = text[:SNIPPET_CHARS]
    return html.escape(cut + ("…" if len(text) > SNIPPET_CHARS else ""), quote=True)
