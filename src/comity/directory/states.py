"""The directory's States: which codes exist, their names in the six UN languages, the mapping
of depositary (UN-style) names to ISO 3166-1 alpha-3 codes, and reading the depositary's
participant tables, which list States by those names.

Names come from CLDR (babel) through the ISO alpha-2 code that pycountry gives. Where CLDR names
the territory rather than the party (the Holy See, the State of Palestine) or where pycountry's
English short name is an inverted ISO form ("Korea, Republic of"), the UN short name is used.

Mapping a name to a code is exact: an explicit alias table of UN forms, then pycountry's `name`,
`official_name` and `common_name`, compared case-insensitively after footnote numbers are
removed. Nothing is guessed; a name that does not match is reported by the caller.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pycountry
from babel import Locale

UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")

EU_CODE = "EUU"  # the European Union as a party (vocabulary.md); not an ISO 3166-1 code
# Alpha-2 codes outside pycountry's country list that CLDR still names.
EXTRA_ALPHA_2 = {EU_CODE: "EU"}

# UN short names where pycountry's English name is an inverted ISO form or not the UN name.
ENGLISH_NAMES = {
    "BOL": "Bolivia (Plurinational State of)",
    "COD": "Democratic Republic of the Congo",
    "FSM": "Micronesia (Federated States of)",
    "IRN": "Iran (Islamic Republic of)",
    "KOR": "Republic of Korea",
    "MDA": "Republic of Moldova",
    "PRK": "Democratic People's Republic of Korea",
    "PSE": "State of Palestine",
    "TZA": "United Republic of Tanzania",
    "VAT": "Holy See",
    "VEN": "Venezuela (Bolivarian Republic of)",
    EU_CODE: "European Union",
}

# The two observer States: CLDR's names are those of the territories (Vatican City,
# Palestinian Territories), not of the parties. These are the UN names in the six languages.
NAME_OVERRIDES = {
    "VAT": {
        "ar": "الكرسي الرسولي",
        "zh": "教廷",
        "en": "Holy See",
        "fr": "Saint-Siège",
        "ru": "Святой Престол",
        "es": "Santa Sede",
    },
    "PSE": {
        "ar": "دولة فلسطين",
        "zh": "巴勒斯坦国",
        "en": "State of Palestine",
        "fr": "État de Palestine",
        "ru": "Государство Палестина",
        "es": "Estado de Palestina",
    },
}

# Depositary (UNTC) spellings, old and new, that pycountry does not carry as a name.
UN_NAME_ALIASES = {
    "bolivia (plurinational state of)": "BOL",
    "iran (islamic republic of)": "IRN",
    "micronesia (federated states of)": "FSM",
    "venezuela (bolivarian republic of)": "VEN",
    "republic of korea": "KOR",
    "democratic people's republic of korea": "PRK",
    "democratic republic of the congo": "COD",
    "united kingdom of great britain and northern ireland": "GBR",
    "united states of america": "USA",
    "european union": EU_CODE,
    "european community": EU_CODE,
    "state of palestine": "PSE",
    "holy see": "VAT",
    "turkey": "TUR",
    "türkiye": "TUR",
    "the former yugoslav republic of macedonia": "MKD",
    "czech republic": "CZE",
    "swaziland": "SWZ",
    "cape verde": "CPV",
    "cote d'ivoire": "CIV",
    "st. kitts and nevis": "KNA",
    "st. lucia": "LCA",
    "st. vincent and the grenadines": "VCT",
}

# Footnote numbers appended to a name: "Belgium 3", "Belgium3", "Denmark 4, 5".
_FOOTNOTES = re.compile(r"(?<=[^\d\s])\s*\d+(?:\s*,\s*\d+)*\s*$")


def normalize_name(name: str) -> str:
    """Casefolded, whitespace-collapsed, typographic apostrophes made plain, footnotes removed."""
    text = unicodedata.normalize("NFC", name).replace("\u2019", "'").replace("\xa0", " ")
    text = " ".join(text.split())
    return _FOOTNOTES.sub("", text).strip().casefold()


@cache
def _pycountry_names() -> dict[str, str]:
    index: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                index.setdefault(normalize_name(value), country.alpha_3)
    return index


def code_for_name(name: str) -> str | None:
    """The ISO3 code (or EUU) of a UN-style participant name, or None when it does not match."""
    key = normalize_name(name)
    if not key:
        return None
    return UN_NAME_ALIASES.get(key) or _pycountry_names().get(key)


def alpha_2(code: str) -> str | None:
    if code in EXTRA_ALPHA_2:
        return EXTRA_ALPHA_2[code]
    country = pycountry.countries.get(alpha_3=code)
    return country.alpha_2 if country is not None else None


def is_known_code(code: str) -> bool:
    """An ISO 3166-1 alpha-3 code that pycountry knows, or EUU."""
    return len(code) == 3 and code.isalpha() and code.isupper() and alpha_2(code) is not None


@cache
def _territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


def english_name(code: str) -> str:
    if code in ENGLISH_NAMES:
        return ENGLISH_NAMES[code]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        raise KeyError(code)
    return str(country.name)


def names_for(code: str) -> dict[str, str]:
    """{"ar", "zh", "en", "fr", "ru", "es"}: CLDR names, the UN English short name for "en"."""
    if code in NAME_OVERRIDES:
        return dict(NAME_OVERRIDES[code])
    a2 = alpha_2(code)
    if a2 is None:
        raise KeyError(code)
    names = {language: _territories(language).get(a2, "") for language in UN_LANGUAGES}
    names["en"] = english_name(code)
    return names


def is_language_code(code: str) -> bool:
    """An ISO 639-1 code (two lower-case letters that pycountry knows)."""
    return re.fullmatch(r"[a-z]{2}", code) is not None and pycountry.languages.get(alpha_2=code) is not None


# -- Depositary participant tables ------------------------------------------------------------
#
# The UN Treaty Collection (UNTC) publishes a treaty's status as a table: Participant, Signature,
# "Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)". Dates read "7 Jun 2004",
# followed by the consent marker; footnote numbers may follow names and dates.


class TableError(Exception):
    """The file is not a participant table (missing, no table, wrong columns)."""


@dataclass(frozen=True)
class ParticipantRow:
    line: int
    name: str
    signature: str
    consent: str


@dataclass
class ParticipantTable:
    rows: list[ParticipantRow] = field(default_factory=list)
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
CONSENT_MARKERS = {
    "": "ratification",
    "A": "acceptance",
    "AA": "approval",
    "a": "accession",
    "d": "succession",
}
_UNTC_DATE = re.compile(
    r"^(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]{3})[A-Za-z]*\.?\s+(?P<year>\d{4})"
    r"(?:\s+(?P<marker>AA|A|a|d))?(?:\s*\d{1,2}(?:\s*,\s*\d{1,2})*)?$"
)


def parse_untc_date(cell: str) -> tuple[date | None, str]:
    """A consent or signature cell: `7 Jun 2004 a` gives (2004-06-07, "accession"), an empty cell
    (None, ""). Raises ValueError."""
    text = " ".join(cell.replace("\xa0", " ").split())
    if not text:
        return None, ""
    match = _UNTC_DATE.match(text)
    if match is None or match["month"].lower() not in MONTHS:
        raise ValueError(f"bad date {cell!r} (expected e.g. '7 Jun 2004' with an optional a, A, AA or d)")
    month = MONTHS.index(match["month"].lower()) + 1
    try:
        value = date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        raise ValueError(f"bad date {cell!r}") from None
    return value, CONSENT_MARKERS[match["marker"] or ""]


class _TableParser(HTMLParser):
    """Collects every <table> as rows of cell texts (with the source line of each row);
    text inside <sup> (footnote numbers) is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[tuple[int, list[str]]]] = []
        self._stack: list[list[tuple[int, list[str]]]] = []
        self._in_cell = False
        self._sup = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            table: list[tuple[int, list[str]]] = []
            self.tables.append(table)
            self._stack.append(table)
        elif not self._stack:
            return
        elif tag == "tr":
            self._stack[-1].append((self.getpos()[0], []))
        elif tag in ("td", "th") and self._stack[-1]:
            self._in_cell = True
            self._stack[-1][-1][1].append("")
        elif tag == "sup":
            self._sup += 1
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._stack:
            self._stack.pop()
            self._in_cell = False
        elif tag in ("td", "th"):
            self._in_cell = False
        elif tag == "sup" and self._sup:
            self._sup -= 1

    def handle_data(self, data: str) -> None:
        if not self._in_cell or self._sup or not self._stack or not self._stack[-1]:
            return
        cells = self._stack[-1][-1][1]
        cells[-1] = cells[-1] + data


def _clean(cell: str) -> str:
    return " ".join(cell.replace("\xa0", " ").split())


def _columns(header: list[str]) -> tuple[int, int, int]:
    """Indexes of the participant, signature and consent columns, or TableError."""
    names = [_clean(h).casefold() for h in header]
    participant = next((i for i, h in enumerate(names) if h.startswith("participant")), None)
    signature = next((i for i, h in enumerate(names) if h.startswith("signature")), None)
    consent = next((i for i, h in enumerate(names) if "ratification" in h or "accession" in h), None)
    if participant is None or signature is None or consent is None:
        raise TableError(
            "expected the columns Participant, Signature and 'Ratification, Acceptance(A), Approval(AA), "
            f"Accession(a), Succession(d)'; found {', '.join(repr(_clean(h)) for h in header) or 'none'}"
        )
    return participant, signature, consent


def _table_rows(raw: list[tuple[int, list[str]]]) -> ParticipantTable:
    header_at = next((i for i, (_, cells) in enumerate(raw) if any(_clean(c) for c in cells)), None)
    if header_at is None:
        raise TableError("the table is empty")
    participant, signature, consent = _columns(raw[header_at][1])
    table = ParticipantTable()
    for line, cells in raw[header_at + 1 :]:
        cells = [_clean(c) for c in cells]
        if not any(cells):
            continue
        if len(cells) <= max(participant, signature, consent):
            table.bad_rows.append(
                (line, f"{len(cells)} cells, expected at least {max(participant, signature, consent) + 1}")
            )
            continue
        table.rows.append(ParticipantRow(line, cells[participant], cells[signature], cells[consent]))
    return table


def read_participant_table(path: Path) -> ParticipantTable:
    """A UNTC participant table saved as CSV, or the HTML page it comes from (the first <table>
    whose header row has a Participant column)."""
    if not path.is_file():
        raise TableError(f"{path}: file not found")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TableError(f"{path.name}: not UTF-8 text") from None
    if path.suffix.lower() in (".html", ".htm") or text.lstrip()[:1] == "<":
        parser = _TableParser()
        parser.feed(text)
        parser.close()
        for raw in parser.tables:
            first = next((cells for _, cells in raw if any(_clean(c) for c in cells)), [])
            if any(_clean(c).casefold().startswith("participant") for c in first):
                return _table_rows(raw)
        raise TableError(f"{path.name}: no <table> with a Participant column")
    reader = csv.reader(text.splitlines())
    raw = [(reader.line_num, cells) for cells in reader]
    if not raw:
        raise TableError(f"{path.name}: empty file")
    return _table_rows(raw)
