"""Writes of knowledge entries. Every write goes through here, so the search index stays in step.

    entry_upsert(*, data) -> Entry                       # one entry, by data["source_key"]
    entries_upsert_many(*, rows) -> UpsertReport         # many, in one transaction
    entry_delete(*, source_key) -> bool
    entry_validate(data, *, known_states=None) -> ValidEntry  # the checked, normalised fields
    index_rebuild() -> int                               # `comity knowledge-reindex`

`data` is a dict whose keys are `Entry` field names (ENTRY_FIELDS below; `code`, `created_at`
and `updated_at` are set here). Required: `source_key` ("<source>:<external id>"), `kind`,
`title`, `language`. An upsert replaces the whole entry: a field left out gets its default,
so importing the same row twice gives the same entry. Re-importing an unchanged row writes
nothing. Invalid data raises `InvalidInput(field, message)` and writes nothing.

Every row is validated once: `entries_upsert_many` checks every row it is given, except a
`ValidEntry`, which only `entry_validate` makes (the importer validates each row on its own, to
report it with its line, and hands the results over as they are).

The knowledge base is public reference material, not State data: these services take no actor
and write no audit event; operators import from the command line (`comity knowledge-import`)
and the demo seeds through `entry_upsert`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connections, models, router, transaction
from django.utils import timezone

from comity.core.errors import InvalidInput
from comity.core.models import State
from comity.knowledge.enums import EntryKind, Obstacle, Offence, Outcome
from comity.knowledge.models import Entry
from comity.knowledge.search import get_backend
from comity.vocabulary import CooperationType, Measure, RequestType

# Every field a caller may give, with its default.
ENTRY_FIELDS: dict[str, Any] = {
    "source_key": None,
    "kind": None,
    "title": None,
    "language": None,
    "summary": "",
    "body": "",
    "url": "",
    "source": "",
    "translations": {},
    "is_example": False,
    "year": None,
    "states": [],
    "cooperation_types": [],
    "request_types": [],
    "measures": [],
    "articles": [],
    "offences": [],
    "obstacles": [],
    "court": "",
    "outcome": "",
    "duration_days": None,
    "obstacle_notes": [],
    "good_practices": [],
    "provisions": [],
}
REQUIRED = ("source_key", "kind", "title", "language")
MIN_YEAR = 1800
MAX_BODY_CHARS = 5_000_000  # a full text larger than this is refused, not truncated
UNTOC_ARTICLES = 41
_REPLACED = [name for name in ENTRY_FIELDS if name != "source_key"]

_SOURCE_KEY = re.compile(r"^[^:\s][^:]*:\S.*$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")
# "18", "18(3)", "18(3)(c)", "16(10)".
_ARTICLE = re.compile(r"^(\d{1,2})((?:\(\d{1,2}\))(?:\([a-z]{1,4}\))?)?$")
_CODE_LISTS: dict[str, set[str]] = {
    "cooperation_types": set(CooperationType.values),
    "request_types": set(RequestType.values),
    "measures": set(Measure.values),
    "offences": set(Offence.values),
    "obstacles": set(Obstacle.values),
}
_LIMITS = {"source_key": 200, "title": 500, "url": 500, "source": 500, "court": 300}
# TextChoices.values builds a new list on every call: read them once.
_KINDS = frozenset(EntryKind.values)
_OUTCOMES = frozenset(Outcome.values)
_URL = URLValidator(schemes=["http", "https"])


def known_state_codes() -> set[str]:
    """ISO 3166-1 alpha-3 codes an entry may name: the directory's States, pycountry's
    countries, and EUU (the European Union as a party)."""
    codes = {c.alpha_3 for c in pycountry.countries}
    codes.update(State.objects.values_list("code", flat=True))
    codes.add("EUU")
    return codes


def _text(data: Mapping[str, Any], name: str, *, required: bool = False) -> str:
    value = data.get(name, ENTRY_FIELDS[name])
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(name, f"{name} must be text.")
    value = value.strip()
    if required and not value:
        raise InvalidInput(name, f"{name} is required.")
    limit = _LIMITS.get(name, MAX_BODY_CHARS)
    if len(value) > limit:
        raise InvalidInput(name, f"{name} is longer than {limit:,} characters.")
    return value


def _string_list(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(name, f"{name} must be a list of text values.")
    kept: dict[str, None] = {}
    for item in value:
        if item.strip():
            kept.setdefault(item.strip(), None)
    return list(kept)


def _codes(data: Mapping[str, Any], name: str) -> list[str]:
    values = _string_list(data, name)
    unknown = [v for v in values if v not in _CODE_LISTS[name]]
    if unknown:
        raise InvalidInput(name, f"unknown {name} code(s): {', '.join(unknown)}.")
    return values


def _articles(values: list[str], name: str) -> list[str]:
    for ref in values:
        match = _ARTICLE.match(ref.replace(" ", ""))
        if not match or not 1 <= int(match.group(1)) <= UNTOC_ARTICLES:
            raise InvalidInput(name, f"{ref!r} is not a UNTOC article reference (e.g. 18, 18(3)(c)).")
    return [ref.replace(" ", "") for ref in values]


def _int(data: Mapping[str, Any], name: str, lowest: int, highest: int | None) -> int | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(name, f"{name} must be a whole number.")
    if value < lowest or (highest is not None and value > highest):
        bound = f"between {lowest} and {highest}" if highest is not None else f"at least {lowest}"
        raise InvalidInput(name, f"{name} must be {bound}, not {value}.")
    return value


def _translations(data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    value = data.get("translations") or {}
    if not isinstance(value, dict):
        raise InvalidInput("translations", 'translations must be {"fr": {"title": ..., "summary": ...}}.')
    out: dict[str, dict[str, str]] = {}
    for lang, texts in value.items():
        if not isinstance(lang, str) or not _LANGUAGE.match(lang):
            raise InvalidInput("translations", f"{lang!r} is not an ISO 639-1 language code.")
        if not isinstance(texts, dict) or set(texts) - {"title", "summary"}:
            raise InvalidInput("translations", f"translations.{lang} may hold only title and summary.")
        if not all(isinstance(t, str) for t in texts.values()):
            raise InvalidInput("translations", f"translations.{lang} must hold text.")
        out[lang] = {k: v.strip() for k, v in texts.items() if v.strip()}
    return out


def _provisions(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    value = data.get("provisions") or []
    if not isinstance(value, list):
        raise InvalidInput("provisions", 'provisions must be a list of {"ref", "articles", "text"}.')
    out = []
    for position, item in enumerate(value):
        if not isinstance(item, dict) or set(item) - {"ref", "articles", "text"}:
            raise InvalidInput("provisions", f"provisions[{position}] may hold only ref, articles and text.")
        ref, text = item.get("ref", ""), item.get("text", "")
        if not isinstance(ref, str) or not isinstance(text, str) or not ref.strip():
            raise InvalidInput("provisions", f"provisions[{position}] needs a ref (text) and text.")
        articles = _articles(_string_list(item, "articles"), f"provisions[{position}].articles")
        out.append({"ref": ref.strip(), "articles": articles, "text": text.strip()})
    return out


class ValidEntry(dict[str, Any]):
    """The fields of one entry as `entry_validate` returns them: checked, normalised, every key
    of ENTRY_FIELDS. `entries_upsert_many` writes a ValidEntry as it is (it checks any other
    mapping), so change none after validation: validate the changed data again."""

    __slots__ = ()


def entry_validate(data: Mapping[str, Any], *, known_states: set[str] | None = None) -> ValidEntry:
    """The fields of one entry, checked and normalised (every key of ENTRY_FIELDS).

    Raises InvalidInput(field, message) for the first problem found.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput("(entry)", "an entry must be an object of fields.")
    unknown = sorted(set(data) - set(ENTRY_FIELDS))
    if unknown:
        raise InvalidInput(unknown[0], f"unknown field(s): {', '.join(unknown)}.")
    out = ValidEntry()
    for name in REQUIRED:
        out[name] = _text(data, name, required=True)
    if not _SOURCE_KEY.match(out["source_key"]):
        raise InvalidInput(
            "source_key", 'source_key must be "<source>:<external id>", e.g. "sherloc:MEX-2019-1".'
        )
    if out["kind"] not in _KINDS:
        raise InvalidInput("kind", f"unknown kind {out['kind']!r}; use one of {', '.join(EntryKind.values)}.")
    language = out["language"].lower()
    if not _LANGUAGE.match(language) or pycountry.languages.get(alpha_2=language) is None:
        raise InvalidInput("language", f"{out['language']!r} is not an ISO 639-1 language code.")
    out["language"] = language
    for name in ("summary", "body", "source", "court"):
        out[name] = _text(data, name)
    out["url"] = _text(data, "url")
    if out["url"]:
        try:
            _URL(out["url"])
        except ValidationError as exc:
            raise InvalidInput("url", f"{out['url']!r} is not an http(s) URL.") from exc
    is_example = data.get("is_example", False)
    if not isinstance(is_example, bool):
        raise InvalidInput("is_example", "is_example must be true or false.")
    out["is_example"] = is_example
    out["year"] = _int(data, "year", MIN_YEAR, dt.date.today().year + 1)
    out["duration_days"] = _int(data, "duration_days", 0, None)
    states = [s.upper() for s in _string_list(data, "states")]
    bad = [s for s in states if not _ISO3.match(s)]
    if bad:
        raise InvalidInput("states", f"not ISO 3166-1 alpha-3: {', '.join(bad)}.")
    known = known_states if known_states is not None else known_state_codes()
    unknown_states = [s for s in states if s not in known]
    if unknown_states:
        raise InvalidInput("states", f"unknown State code(s): {', '.join(unknown_states)}.")
    out["states"] = list(dict.fromkeys(states))
    for name in _CODE_LISTS:
        out[name] = _codes(data, name)
    out["articles"] = _articles(_string_list(data, "articles"), "articles")
    outcome = _text(data, "outcome")
    if outcome and outcome not in _OUTCOMES:
        raise InvalidInput("outcome", f"unknown outcome {outcome!r}; use one of {', '.join(Outcome.values)}.")
    out["outcome"] = outcome
    out["obstacle_notes"] = _string_list(data, "obstacle_notes")
    out["good_practices"] = _string_list(data, "good_practices")
    out["translations"] = _translations(data)
    out["provisions"] = _provisions(data)
    return out


@dataclass
class UpsertReport:
    """Each row counts once, as if the rows were written one by one: a source_key given again
    in the same call counts `updated` (or `unchanged` when it repeats the row before it)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    entries: list[Entry] = field(default_factory=list)  # one per source_key, in the order of the rows


def _same(entry: Entry, fields: Mapping[str, Any]) -> bool:
    return all(getattr(entry, name) == value for name, value in fields.items())


@transaction.atomic
def entries_upsert_many(*, rows: Sequence[Mapping[str, Any]]) -> UpsertReport:
    """Create or replace many entries by `source_key`, then index them, in one transaction.

    Every row is validated first (a `ValidEntry` from `entry_validate` already is); one invalid
    row raises InvalidInput (with the row's position in `field`, e.g. "rows[3].year") and
    nothing is written. A source_key given twice: the last row wins.
    """
    known: set[str] | None = None
    checked: list[ValidEntry] = []
    for position, row in enumerate(rows):
        if type(row) is ValidEntry:
            checked.append(row)
            continue
        if known is None:
            known = known_state_codes()
        try:
            checked.append(entry_validate(row, known_states=known))
        except InvalidInput as exc:
            raise InvalidInput(f"rows[{position}].{exc.field}", exc.message) from exc
    return _write(checked)


def _write(checked: Sequence[ValidEntry]) -> UpsertReport:
    """Write validated rows (the caller holds the transaction): one query finds the existing
    entries, one statement inserts the new ones, one updates the changed ones, then the index."""
    using = router.db_for_write(Entry)
    report = UpsertReport()
    latest: dict[str, ValidEntry] = {}
    keys = list(dict.fromkeys(fields["source_key"] for fields in checked))
    existing = Entry.objects.using(using).select_for_update().in_bulk(keys, field_name="source_key")
    compared: dict[str, tuple[ValidEntry, bool]] = {}  # key -> (row, same as the stored entry)
    for fields in checked:
        key = fields["source_key"]
        before = latest.get(key)
        if before is not None:  # given earlier in these rows
            if before == fields:
                report.unchanged += 1
            else:
                report.updated += 1
        elif key not in existing:
            report.created += 1
        else:
            same = _same(existing[key], fields)
            compared[key] = (fields, same)
            if same:
                report.unchanged += 1
            else:
                report.updated += 1
        latest[key] = fields
    new: list[Entry] = []
    changed: list[Entry] = []
    for key, fields in latest.items():
        entry = existing.get(key)
        if entry is None:
            new.append(Entry(**fields))
            continue
        row, same = compared[key]
        if row is not fields:  # the key came again: compare its last row
            same = _same(entry, fields)
        if not same:
            for name, value in fields.items():
                setattr(entry, name, value)
            changed.append(entry)
    now = timezone.now()
    if new:
        _insert(using, new, now)
    if changed:
        _update(using, changed, now)
    if new or changed:
        get_backend(using).index_written([*new, *changed])
    by_key = {e.source_key: e for e in [*existing.values(), *new]}
    report.entries = [by_key[key] for key in latest]
    return report


# The columns written, in a fixed order. `bulk_create` builds the SQL of every few dozen rows on
# SQLite (999 parameters at most) and `bulk_update` a CASE per field and row (minutes for 20,000
# rows), so entries are written here with one prepared statement run for every row
# (`executemany`), and inserted on PostgreSQL with COPY (about twice as fast as that again).
_INSERTED = [f for f in Entry._meta.concrete_fields if not f.primary_key]
_UPDATED = [f for f in _INSERTED if f.name in {*_REPLACED, "updated_at"}]  # not code, source_key, created_at
_KEYS_PER_QUERY = 900  # reading back the new ids (SQLite: 999 parameters at most)


_JSON_FIELDS = frozenset(f.attname for f in _INSERTED if isinstance(f, models.JSONField))


def _db_values(entry: Entry, fields: Sequence[Any], connection: Any, *, json_text: bool = False) -> list[Any]:
    """The values of `fields` as the database driver takes them. `json_text`: JSON fields as
    JSON text (`json.dumps`, what JSONField hands to SQLite, and what COPY reads into jsonb),
    without the per-value dispatch and wrapper (40% of this function's time)."""
    if not json_text:
        return [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    return [
        json.dumps(getattr(entry, f.attname))
        if f.attname in _JSON_FIELDS
        else f.get_db_prep_save(getattr(entry, f.attname), connection)
        for f in fields
    ]


def _insert(using: str, entries: list[Entry], now: dt.datetime) -> None:
    """INSERT the new entries (`code` from the field's default), then read back their ids."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(Entry._meta.db_table)
    columns = ", ".join(quote(f.column) for f in _INSERTED)
    for entry in entries:
        entry.created_at = entry.updated_at = now
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's own cursor: Django's wrapper has no COPY (nor logs it in DEBUG).
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for entry in entries:
                    copy.write_row(_db_values(entry, _INSERTED, connection, json_text=True))
        else:
            marks = ", ".join(["%s"] * len(_INSERTED))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - constant names
                [_db_values(entry, _INSERTED, connection, json_text=True) for entry in entries],
            )
    ids: dict[str, int] = {}
    for first in range(0, len(entries), _KEYS_PER_QUERY):
        keys = [entry.source_key for entry in entries[first : first + _KEYS_PER_QUERY]]
        ids.update(Entry.objects.using(using).filter(source_key__in=keys).values_list("source_key", "pk"))
    for entry in entries:
        entry.pk = ids[entry.source_key]
        entry._state.adding = False
        entry._state.db = using


def _update(using: str, entries: list[Entry], now: dt.datetime) -> None:
    """UPDATE every field but source_key (and code, created_at) of the changed entries, by id."""
    connection = connections[using]
    quote = connection.ops.quote_name
    for entry in entries:
        entry.updated_at = now
    assign = ", ".join(f"{quote(f.column)} = %s" for f in _UPDATED)
    sql = f"UPDATE {quote(Entry._meta.db_table)} SET {assign} WHERE {quote(Entry._meta.pk.column)} = %s"  # noqa: S608 - constant names
    with connection.cursor() as cursor:
        # JSON as text on SQLite only: PostgreSQL may bind parameters as typed text (not jsonb).
        json_text = connection.vendor == "sqlite"
        rows = [
            [*_db_values(entry, _UPDATED, connection, json_text=json_text), entry.pk] for entry in entries
        ]
        cursor.executemany(sql, rows)


def entry_upsert(*, data: Mapping[str, Any]) -> Entry:
    """Create or replace one entry by `data["source_key"]` and index it (atomic). Raises
    InvalidInput naming the field (e.g. "year")."""
    return entries_upsert_many(rows=[entry_validate(data)]).entries[0]


@transaction.atomic
def entry_delete(*, source_key: str) -> bool:
    """Delete an entry and its index row; False when there is none."""
    pk = Entry.objects.filter(source_key=source_key).values_list("pk", flat=True).first()
    if pk is None:
        return False
    Entry.objects.filter(pk=pk).delete()
    get_backend().index_entries([pk])
    return True


def index_rebuild() -> int:
    """Rebuild the search index from the entries (after a restore or a backend change)."""
    get_backend().rebuild()
    return Entry.objects.count()
