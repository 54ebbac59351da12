"""Load the reference data (`src/comity/data/reference`, described in its SOURCES.md) into the
directory: States, treaties, treaty parties and UNTOC declarations.

Each file is checked (present, expected columns) before anything is written, then imported in
one transaction. A row that cannot be used (unknown code, bad date, unknown value, missing
required field) is rejected with its file, line and reason, and the rest of the file is
imported. Re-importing the same data changes nothing.

Refreshing a treaty's parties from a depositary participant table is in `untc_status`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction

import comity
from comity.core.enums import StateKind, UnStatus
from comity.core.models import State
from comity.directory import states as state_names
from comity.directory.enums import (
    ConsentType,
    DeclarationKind,
    PartyStatus,
    TreatyScope,
    TreatySubject,
    TriState,
)
from comity.directory.models import Declaration, Treaty, TreatyParty
from comity.vocabulary import CooperationType

REFERENCE_DIR = Path(comity.__file__).resolve().parent / "data" / "reference"
# The date the reference data was copied (data/reference/README.md); stored as `retrieved_on`.
REFERENCE_RETRIEVED_ON = date(2026, 11, 27)

UN_MEMBERS_FILE = "un_members.csv"
TREATIES_FILE = "treaties.csv"
UNTOC_PARTIES_FILE = "untoc_parties.csv"
DECLARATIONS_FILE = "untoc_declarations.csv"

Progress = Callable[[str, int, int], None]  # (file, rows done, rows in file)


class ImportInputError(Exception):
    """The input cannot be used at all (missing file, wrong columns, unknown treaty)."""


class RowRejected(Exception):
    pass


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class FileReport:
    file: str
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def summary(self) -> str:
        return (
            f"{self.file}: read {self.read}, created {self.created}, updated {self.updated}, "
            f"unchanged {self.unchanged}, rejected {len(self.rejected)}"
        )


@dataclass(frozen=True)
class Table:
    """A CSV file read whole: its name, header and rows with their line numbers."""

    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    bad_rows: list[RowError]


def read_csv(path: Path, required: Sequence[str]) -> Table:
    """The whole file, or ImportInputError when it is missing or lacks a required column. A
    row's line number is the file line where the row ends (rows span one line in practice)."""
    if not path.is_file():
        raise ImportInputError(f"{path}: file not found")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader, [])]
        missing = [column for column in required if column not in header]
        if missing:
            raise ImportInputError(f"{path.name}: missing column(s) {', '.join(missing)}")
        rows: list[tuple[int, dict[str, str]]] = []
        bad: list[RowError] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                bad.append(
                    RowError(path.name, reader.line_num, f"{len(cells)} fields, header has {len(header)}")
                )
                continue
            rows.append((reader.line_num, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    return Table(path.name, header, rows, bad)


# -- field parsers: each raises RowRejected with the reason ------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_url_validator = URLValidator(schemes=["http", "https"])


def _required(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise RowRejected(f"missing required field {column}")
    return value


def _date(row: dict[str, str], column: str) -> date | None:
    value = row.get(column, "")
    if not value:
        return None
    try:
        if not _ISO_DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise RowRejected(f"bad date in {column}: {value!r} (use YYYY-MM-DD)") from None


def _choice(row: dict[str, str], column: str, choices: type[models.TextChoices]) -> str:
    value = row.get(column, "")
    if value not in choices.values:
        raise RowRejected(f"unknown {column} {value!r}")
    return value


def _url(row: dict[str, str], column: str = "source_url", *, required: bool = True) -> str:
    value = row.get(column, "")
    if not value:
        if required:
            raise RowRejected(f"missing required field {column}")
        return ""
    try:
        _url_validator(value)
    except ValidationError:
        raise RowRejected(f"bad URL in {column}: {value!r}") from None
    if len(value) > 500:
        raise RowRejected(f"{column} longer than 500 characters")
    return value


def _limited(value: str, column: str, limit: int) -> str:
    if len(value) > limit:
        raise RowRejected(f"{column} longer than {limit} characters")
    return value


def _state(row: dict[str, str], known: dict[str, State]) -> State:
    code = _required(row, "iso3")
    state = known.get(code)
    if state is None:
        raise RowRejected(f"unknown ISO3 code {code!r}")
    return state


def _sync(
    model: type[models.Model], existing: Any, key: dict[str, Any], values: dict[str, Any]
) -> tuple[str, Any]:
    """Create the row, or update only the fields whose value differs. Returns the outcome."""
    if existing is None:
        return "created", model._default_manager.create(**key, **values)
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if not changed:
        return "unchanged", existing
    for name in changed:
        setattr(existing, name, values[name])
    existing.save(update_fields=changed)
    return "updated", existing


def _rows(
    table: Table, report: FileReport, progress: Progress | None
) -> Iterable[tuple[int, dict[str, str]]]:
    report.read += len(table.rows) + len(table.bad_rows)
    report.rejected.extend(table.bad_rows)
    total = len(table.rows)
    for done, item in enumerate(table.rows, 1):
        yield item
        if progress is not None:
            progress(table.name, done, total)


def _reject(report: FileReport, table: Table, line: int, reason: str) -> None:
    report.rejected.append(RowError(table.name, line, reason))


def _known_states() -> dict[str, State]:
    """States a treaty row may name: everything but the secretariat (demo XUN)."""
    return {s.code: s for s in State.objects.exclude(kind=StateKind.SECRETARIAT)}


# -- States ----------------------------------------------------------------------------------


@transaction.atomic
def import_states(members: Table, untoc_parties: Table, *, progress: Progress | None = None) -> FileReport:
    """UN Member and observer States from un_members.csv, then every other UNTOC party (the EU,
    Cook Islands, Niue) found in untoc_parties.csv. Names in the six UN languages from CLDR."""
    report = FileReport(f"{members.name} (+ other parties in {untoc_parties.name})")
    wanted: list[tuple[int, str, str, StateKind, str]] = []  # line, file, code, kind, un_status
    seen: set[str] = set()
    for line, row in _rows(members, report, progress):
        try:
            code = _required(row, "iso3")
            if not state_names.is_known_code(code) or code == state_names.EU_CODE:
                raise RowRejected(f"unknown ISO3 code {code!r}")
            status = _choice(row, "un_status", UnStatus)
            if status not in (UnStatus.MEMBER, UnStatus.OBSERVER):
                raise RowRejected(f"un_status must be member or observer, not {status!r}")
            if code in seen:
                raise RowRejected(f"duplicate ISO3 code {code}")
        except RowRejected as exc:
            _reject(report, members, line, str(exc))
            continue
        seen.add(code)
        wanted.append((line, members.name, code, StateKind.STATE, status))
    for line, row in untoc_parties.rows:
        code = row.get("iso3", "")
        if code in seen or not state_names.is_known_code(code):
            continue  # unknown codes are rejected by the parties import
        seen.add(code)
        report.read += 1
        kind = StateKind.REGIONAL_ORGANIZATION if code == state_names.EU_CODE else StateKind.STATE
        wanted.append((line, untoc_parties.name, code, kind, UnStatus.OTHER))
    existing = {s.code: s for s in State.objects.filter(code__in=[w[2] for w in wanted])}
    for _line, _file, code, kind, status in wanted:
        names = state_names.names_for(code)
        values = {"name": names["en"], "kind": kind, "un_status": status, "names": names}
        outcome, _ = _sync(State, existing.get(code), {"code": code}, values)
        report.count(outcome)
    return report


# -- Treaties --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreatySpec:
    """What the CSV does not say: scope, governing articles, the entry-into-force rule.

    `days_after_deposit`: the treaty binds a party that many days after its deposit, and never
    before the treaty's own entry into force. `instruments_for_entry_into_force`: the treaty
    entered into force on the 90th day after the deposit of that many instruments; the importer
    recomputes that date from the party file and warns when it differs from treaties.csv.
    `None` for both means the party's in-force date is the file's `entry_into_force`, else its
    consent date (an approximation, see `party_in_force_date`).
    """

    scope: TreatyScope
    parties_file: str | None
    articles: dict[str, list[str]] | None = None  # None: the subjects, articles unknown
    days_after_deposit: int | None = None
    instruments_for_entry_into_force: int | None = None


TREATY_SPECS: dict[str, TreatySpec] = {
    # UNTOC art. 38: in force 90 days after the 40th instrument; then 30 days after deposit.
    "untoc": TreatySpec(
        TreatyScope.MULTILATERAL,
        UNTOC_PARTIES_FILE,
        {
            CooperationType.MLA: ["18"],
            CooperationType.EXTRADITION: ["16"],
            CooperationType.CONFISCATION: ["13"],
            CooperationType.TRANSFER_OF_PROCEEDINGS: ["21"],
            CooperationType.TRANSFER_OF_SENTENCED_PERSONS: ["17"],
        },
        days_after_deposit=30,
        instruments_for_entry_into_force=40,
    ),
    # UNCAC art. 68: in force 90 days after the 30th instrument; then 30 days after deposit.
    "uncac": TreatySpec(
        TreatyScope.MULTILATERAL,
        "treaty_uncac.csv",
        {
            CooperationType.MLA: ["46"],
            CooperationType.EXTRADITION: ["44"],
            CooperationType.CONFISCATION: ["55"],
        },
        days_after_deposit=30,
        instruments_for_entry_into_force=30,
    ),
    # ETS 24 art. 29(3) and 30(2), ETS 30 art. 27(3) and 28(2): 90 days after deposit; the
    # entry_into_force column of both files agrees (ALB, ARM, AZE, GBR, IRL, ITA).
    "ets024": TreatySpec(TreatyScope.REGIONAL, "treaty_ets024.csv", days_after_deposit=90),
    "ets030": TreatySpec(TreatyScope.REGIONAL, "treaty_ets030.csv", days_after_deposit=90),
    # OAS A-55: in force date taken as the deposit date (approximation; art. 37 not checked).
    "oas_a55": TreatySpec(TreatyScope.REGIONAL, "treaty_oas_a55.csv"),
    # OAS B-47: no party table in the stored sources.
    "oas_b47": TreatySpec(TreatyScope.REGIONAL, None),
    # ASEAN MLAT art. 31(1): in force for a party on its deposit (no deposit dates in the file).
    "asean_mlat": TreatySpec(TreatyScope.REGIONAL, "treaty_asean_mlat.csv"),
}

SUBJECTS: dict[str, list[str]] = {
    "mla": [TreatySubject.MLA],
    "extradition": [TreatySubject.EXTRADITION],
    "both": [TreatySubject.MLA, TreatySubject.EXTRADITION],
    "corruption": [TreatySubject.CORRUPTION, TreatySubject.MLA, TreatySubject.EXTRADITION],
}

_SLUG = re.compile(r"^[a-z0-9_-]{1,80}$")


@transaction.atomic
def import_treaties(table: Table, *, retrieved_on: date, progress: Progress | None = None) -> FileReport:
    report = FileReport(table.name)
    existing = {t.code: t for t in Treaty.objects.all()}
    for line, row in _rows(table, report, progress):
        try:
            code = _required(row, "short_code")
            if not _SLUG.match(code):
                raise RowRejected(f"bad short_code {code!r}")
            spec = TREATY_SPECS.get(code)
            if spec is None:
                raise RowRejected(f"unknown treaty {code!r} (add it to TREATY_SPECS)")
            subject = _required(row, "subject")
            if subject not in SUBJECTS:
                raise RowRejected(f"unknown subject {subject!r}")
            subjects = [str(s) for s in SUBJECTS[subject]]
            articles = spec.articles or {s: [] for s in subjects if s in CooperationType.values}
            values = {
                "title": _limited(_required(row, "full_title"), "full_title", 400),
                "scope": spec.scope,
                "subjects": subjects,
                "articles": {str(k): v for k, v in articles.items()},
                "adopted_on": _date(row, "adoption_date"),
                "in_force_on": _date(row, "entry_into_force"),
                "depositary": _limited(row.get("depositary", ""), "depositary", 200),
                "days_after_deposit": spec.days_after_deposit,
                "source_url": _url(row),
                "source_desc": "",
                "notes": row.get("notes", ""),
                "retrieved_on": retrieved_on,
            }
        except RowRejected as exc:
            _reject(report, table, line, str(exc))
            continue
        outcome, existing[code] = _sync(Treaty, existing.get(code), {"code": code}, values)
        report.count(outcome)
    return report


# -- Treaty parties --------------------------------------------------------------------------


def party_in_force_date(*, treaty: Treaty, consent_date: date | None) -> date | None:
    """The date a party became bound, from its deposit (consent) date.

    With `days_after_deposit` (UNTOC art. 38(2), UNCAC art. 68(2): 30; ETS 24 and 30: 90), the
    party is bound that many days after its deposit, but never before the treaty itself entered
    into force (`in_force_on`): for UNTOC every instrument deposited on or before 30 Aug 2003,
    which includes the first 40 (art. 38(1)), binds from 29 Sep 2003. Without it, the deposit
    date is taken (an approximation for OAS A-55; exact for the ASEAN MLAT, art. 31(1)).
    """
    if consent_date is None:
        return None
    if treaty.days_after_deposit is None:
        return consent_date
    bound = consent_date + timedelta(days=treaty.days_after_deposit)
    if treaty.in_force_on is not None and bound < treaty.in_force_on:
        return treaty.in_force_on
    return bound


def general_entry_into_force(consent_dates: Iterable[date], instruments: int) -> tuple[date, date] | None:
    """(date of the Nth instrument, the 90th day after it), or None with fewer instruments."""
    ordered = sorted(consent_dates)
    if len(ordered) < instruments:
        return None
    nth = ordered[instruments - 1]
    return nth, nth + timedelta(days=90)


def _party_notes(row: dict[str, str]) -> str:
    parts = [row.get("notes", "")]
    if row.get("ratification_date"):
        parts.append(f"Domestic ratification instrument dated {row['ratification_date']}.")
    if row.get("verified_by"):
        parts.append(f"Second sources: {row['verified_by']}.")
    return "\n".join(p for p in parts if p)


@transaction.atomic
def import_parties(
    table: Table, *, treaty: Treaty, retrieved_on: date, progress: Progress | None = None
) -> FileReport:
    """One treaty's party file. Without a `status` column, a row is a party, with its date when
    the file gives an entry into force or a consent date, else `party_date_unknown`. A
    `reported_not_confirmed` row is stored as such (it does not make the State a party)."""
    report = FileReport(table.name)
    known = _known_states()
    existing = {p.state_id: p for p in TreatyParty.objects.filter(treaty=treaty)}
    seen: dict[str, int] = {}
    deposits: list[date] = []
    for line, row in _rows(table, report, progress):
        try:
            state = _state(row, known)
            if state.code in seen:
                raise RowRejected(f"duplicate ISO3 code {state.code} (line {seen[state.code]})")
            signature = _date(row, "signature_date")
            consent = _date(row, "consent_date")
            in_force = _date(row, "entry_into_force")
            _date(row, "ratification_date")  # validated, kept in the notes
            consent_type = _choice(row, "consent_type", ConsentType)
            if "status" in table.header:
                status = _choice(row, "status", PartyStatus)
            else:
                status = PartyStatus.PARTY if consent or in_force else PartyStatus.PARTY_DATE_UNKNOWN
            if status == PartyStatus.PARTY:
                in_force = in_force or party_in_force_date(treaty=treaty, consent_date=consent)
                if in_force is None:
                    raise RowRejected("status party needs a consent_date or entry_into_force")
            else:
                in_force = None
            values = {
                "status": status,
                "signature_date": signature,
                "consent_date": consent,
                "consent_type": consent_type,
                "in_force_date": in_force,
                "source_url": _url(row),
                "source_desc": _limited(row.get("source_desc", ""), "source_desc", 500),
                "notes": _party_notes(row),
                "retrieved_on": retrieved_on,
            }
        except RowRejected as exc:
            _reject(report, table, line, str(exc))
            continue
        seen[state.code] = line
        if consent and state.code != state_names.EU_CODE:
            deposits.append(consent)  # art. 38(1): an organization's instrument is not counted
        outcome, _ = _sync(TreatyParty, existing.get(state.pk), {"treaty": treaty, "state": state}, values)
        report.count(outcome)
    spec = TREATY_SPECS.get(treaty.code)
    if spec and spec.instruments_for_entry_into_force:
        general = general_entry_into_force(deposits, spec.instruments_for_entry_into_force)
        if general is None or general[1] != treaty.in_force_on:
            report.warnings.append(
                f"{table.name}: the {spec.instruments_for_entry_into_force}th instrument gives entry into "
                f"force {general[1] if general else 'unknown'}, treaties.csv says {treaty.in_force_on}"
            )
    return report


# -- Declarations ----------------------------------------------------------------------------


def extradition_basis(summary: str) -> str:
    """16(5): does the State take the Convention as the legal basis for extradition?"""
    text = " ".join(summary.casefold().split())
    if "does not take" in text:
        return TriState.NO
    if (
        "takes convention as" in text
        or "takes the convention as" in text
        or "convention is legal basis" in text
    ):
        return TriState.YES
    return TriState.UNKNOWN


def _languages(row: dict[str, str]) -> list[str]:
    codes = [c.strip() for c in row.get("languages", "").split(";") if c.strip()]
    for code in codes:
        if not state_names.is_language_code(code):
            raise RowRejected(f"unknown language code {code!r} (use ISO 639-1)")
    return codes


@transaction.atomic
def import_declarations(
    table: Table, *, treaty: Treaty, retrieved_on: date, progress: Progress | None = None
) -> FileReport:
    """UNTOC declarations. A declaration is identified by (State, article, kind)."""
    report = FileReport(table.name)
    known = _known_states()
    existing: dict[tuple[int, str, str], Declaration] = {}
    for declaration in Declaration.objects.filter(treaty=treaty).order_by("-pk"):
        existing[(declaration.state_id, declaration.article, declaration.kind)] = declaration
    seen: dict[tuple[str, str, str], int] = {}
    for line, row in _rows(table, report, progress):
        try:
            state = _state(row, known)
            article = _limited(_required(row, "article"), "article", 40)
            kind = _choice(row, "kind", DeclarationKind)
            if (state.code, article, kind) in seen:
                raise RowRejected(
                    f"duplicate {state.code} {article} {kind} (line {seen[state.code, article, kind]})"
                )
            summary = _required(row, "summary")
            basis = extradition_basis(summary) if article == "16(5)" else TriState.UNKNOWN
            values = {
                "date": _date(row, "date"),
                "summary": summary,
                "languages": _languages(row),
                "authority_name": _limited(row.get("authority_name", ""), "authority_name", 400),
                "untoc_extradition_basis": basis,
                "source_url": _url(row),
                "source_desc": _limited(row.get("source_desc", ""), "source_desc", 500),
                "notes": row.get("notes", ""),
                "retrieved_on": retrieved_on,
            }
        except RowRejected as exc:
            _reject(report, table, line, str(exc))
            continue
        seen[state.code, article, kind] = line
        if article == "16(5)" and not basis:
            report.warnings.append(
                f"{table.name}:{line}: {state.code} 16(5) does not say whether the Convention is the "
                "legal basis for extradition; stored as unknown"
            )
        key = {"treaty": treaty, "state": state, "article": article, "kind": kind}
        outcome, _ = _sync(Declaration, existing.get((state.pk, article, kind)), key, values)
        report.count(outcome)
    return report


# -- Everything ------------------------------------------------------------------------------


def read_reference(directory: Path) -> dict[str, Table]:
    """Read and check every file first, so that unusable input stops before any write."""
    if not directory.is_dir():
        raise ImportInputError(f"{directory}: not a directory")
    party = ["iso3", "source_url"]
    tables = {
        UN_MEMBERS_FILE: read_csv(directory / UN_MEMBERS_FILE, ["iso3", "un_status"]),
        TREATIES_FILE: read_csv(
            directory / TREATIES_FILE, ["short_code", "full_title", "subject", "source_url"]
        ),
        UNTOC_PARTIES_FILE: read_csv(directory / UNTOC_PARTIES_FILE, [*party, "status"]),
        DECLARATIONS_FILE: read_csv(
            directory / DECLARATIONS_FILE, ["iso3", "article", "kind", "summary", "source_url"]
        ),
    }
    for spec in TREATY_SPECS.values():
        if spec.parties_file and spec.parties_file not in tables:
            tables[spec.parties_file] = read_csv(directory / spec.parties_file, party)
    return tables


def import_reference_data(
    directory: Path = REFERENCE_DIR,
    *,
    retrieved_on: date = REFERENCE_RETRIEVED_ON,
    progress: Progress | None = None,
) -> list[FileReport]:
    """Import every reference file, one transaction per file. Raises ImportInputError before
    writing anything when a file is missing or lacks a column."""
    tables = read_reference(directory)
    reports = [
        import_states(tables[UN_MEMBERS_FILE], tables[UNTOC_PARTIES_FILE], progress=progress),
        import_treaties(tables[TREATIES_FILE], retrieved_on=retrieved_on, progress=progress),
    ]
    treaties = {t.code: t for t in Treaty.objects.all()}
    for code, spec in TREATY_SPECS.items():
        if spec.parties_file is None:
            continue
        treaty = treaties.get(code)
        if treaty is None:
            reports.append(FileReport(spec.parties_file, warnings=[f"treaty {code} not imported; skipped"]))
            continue
        reports.append(
            import_parties(
                tables[spec.parties_file], treaty=treaty, retrieved_on=retrieved_on, progress=progress
            )
        )
    if "untoc" in treaties:
        reports.append(
            import_declarations(
                tables[DECLARATIONS_FILE],
                treaty=treaties["untoc"],
                retrieved_on=retrieved_on,
                progress=progress,
            )
        )
    return reports
