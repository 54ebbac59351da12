"""An immutable snapshot of the directory facts the legal-basis engine reads.

`read_rows()` reads the tables once (a handful of queries); `build_facts(rows)` turns the rows
into lookup tables keyed by State code. The result does not depend on the order of the rows:
wherever two rows could compete (two 16(5) declarations of one State, two central authorities),
the choice is made by sorting on their content.

`load_facts()` returns a per-process cached snapshot of the committed data (inside a transaction
it reads the tables afresh and does not share the result). The snapshot is rebuilt when
- a directory model is saved or deleted in this process (signals bump `_version`, see
  `comity.directory.signals`), or
- another process changed the tables: at most every `RECHECK_SECONDS` one query compares row
  counts, highest ids and the last contact update with those seen at build time.
An in-place UPDATE made by another process without changing any of those (e.g. a bulk
`queryset.update()` of a party's status) is seen at the next save in this process or on restart;
call `invalidate_facts()` after such writes in the same process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from django.db import connection

from comity.directory.enums import AuthorityFunction, PartyStatus

UNTOC_CODE = "untoc"
# Parties bound by an instrument. Signatories and reported-but-unconfirmed parties are not.
BOUND_STATUSES = frozenset({PartyStatus.PARTY.value, PartyStatus.PARTY_DATE_UNKNOWN.value})
CENTRAL_FUNCTIONS = frozenset(
    {
        AuthorityFunction.CENTRAL_MLA.value,
        AuthorityFunction.CENTRAL_EXTRADITION.value,
        AuthorityFunction.CENTRAL_CONFISCATION.value,
        AuthorityFunction.CENTRAL_TRANSFER_SENTENCED.value,
    }
)
RECHECK_SECONDS = 2.0
_K = TypeVar("_K")
_V = TypeVar("_V")


# --- Rows: what the tables hold, as plain values ---------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class StateRow:
    code: str
    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class TreatyRow:
    code: str
    title: str
    scope: str
    subjects: tuple[str, ...]
    articles: Mapping[str, tuple[str, ...]]
    in_force_on: dt.date | None
    days_after_deposit: int | None


@dataclasses.dataclass(frozen=True, slots=True)
class PartyRow:
    treaty: str
    state: str
    status: str
    consent_date: dt.date | None
    in_force_date: dt.date | None


@dataclasses.dataclass(frozen=True, slots=True)
class DeclarationRow:
    treaty: str
    state: str
    article: str
    date: dt.date | None
    languages: tuple[str, ...]
    untoc_extradition_basis: str  # TriState: "yes" | "no" | "" (not said)


@dataclasses.dataclass(frozen=True, slots=True)
class ProfileRow:
    state: str
    subject: str
    dual_criminality_required: str  # TriState
    minimum_penalty_months: int | None
    extradition_of_nationals: str  # ExtraditionOfNationals


@dataclasses.dataclass(frozen=True, slots=True)
class ContactRow:
    state: str
    authority_code: str
    authority_name: str
    email: str
    functions: tuple[str, ...]
    languages: tuple[str, ...]
    channels: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Rows:
    states: tuple[StateRow, ...] = ()
    treaties: tuple[TreatyRow, ...] = ()
    parties: tuple[PartyRow, ...] = ()
    declarations: tuple[DeclarationRow, ...] = ()
    profiles: tuple[ProfileRow, ...] = ()
    contacts: tuple[ContactRow, ...] = ()


# --- Facts: lookup tables for the engine -------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Instrument:
    """A treaty and the States bound by it: code -> date bound since (None: date not known)."""

    code: str
    title: str
    scope: str
    subjects: frozenset[str]
    articles: Mapping[str, tuple[str, ...]]
    in_force_on: dt.date | None
    bound: Mapping[str, dt.date | None]

    def binding(self, state: str, day: dt.date) -> tuple[bool, dt.date | None]:
        """(bound on `day`, since when or None when the date is not known). Art. 38 for UNTOC."""
        if state not in self.bound:
            return False, None
        since = self.bound[state]
        if since is None:
            return (self.in_force_on is None or day >= self.in_force_on), None
        return day >= since, since


@dataclasses.dataclass(frozen=True, slots=True)
class CentralAuthority:
    code: str
    name: str
    email: str
    functions: frozenset[str]
    languages: tuple[str, ...]
    channels: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Profile:
    dual_criminality_required: str
    minimum_penalty_months: int | None
    extradition_of_nationals: str


@dataclasses.dataclass(frozen=True, slots=True)
class Facts:
    states: Mapping[str, str]  # code -> name
    untoc: Instrument | None
    treaties: Mapping[str, Instrument]  # every instrument but UNTOC, by code
    treaties_of: Mapping[str, frozenset[str]]  # State -> codes of the treaties it is (or was) party to
    untoc_status: Mapping[str, str]  # State -> its UNTOC PartyStatus (any status, incl. signatory)
    extradition_basis: Mapping[str, str]  # State -> its 16(5) answer ("yes"/"no"/""); absent: no row
    declared_languages: Mapping[str, tuple[str, ...]]  # State -> 18(14) languages
    profiles: Mapping[tuple[str, str], Profile]  # (State, subject) -> profile
    central_authorities: Mapping[str, tuple[CentralAuthority, ...]]  # State -> sorted by name, code

    def name(self, code: str) -> str:
        return f"{self.states.get(code, code)} ({code})"


def _freeze(items: Mapping[_K, _V] | Iterable[tuple[_K, _V]]) -> Mapping[_K, _V]:
    """A read-only mapping (a snapshot must not change under the engine)."""
    return MappingProxyType(dict(items))


def _bound_since(treaty: TreatyRow, party: PartyRow) -> dt.date | None:
    """The date a party became bound: given, or computed from its deposit (e.g. art. 38(2))."""
    since = party.in_force_date
    if since is None and party.consent_date is not None and treaty.days_after_deposit is not None:
        since = party.consent_date + dt.timedelta(days=treaty.days_after_deposit)
    if since is not None and treaty.in_force_on is not None:
        since = max(since, treaty.in_force_on)
    return since


def build_facts(rows: Rows) -> Facts:
    """Lookup tables from rows; the same rows in any order give equal facts."""
    treaty_rows = {t.code: t for t in sorted(rows.treaties, key=lambda t: t.code)}
    bound: dict[str, dict[str, dt.date | None]] = defaultdict(dict)
    treaties_of: dict[str, set[str]] = defaultdict(set)
    untoc_status: dict[str, str] = {}
    for party in sorted(rows.parties, key=lambda p: (p.treaty, p.state, p.status)):
        treaty = treaty_rows.get(party.treaty)
        if treaty is None:
            continue
        if party.treaty == UNTOC_CODE:
            untoc_status[party.state] = party.status
        if party.status in BOUND_STATUSES:
            bound[party.treaty][party.state] = _bound_since(treaty, party)
            if party.treaty != UNTOC_CODE:
                treaties_of[party.state].add(party.treaty)
    instruments = {
        code: Instrument(
            code=t.code,
            title=t.title,
            scope=t.scope,
            subjects=frozenset(t.subjects),
            articles=_freeze({k: tuple(v) for k, v in t.articles.items()}),
            in_force_on=t.in_force_on,
            bound=_freeze(sorted(bound[code].items())),
        )
        for code, t in treaty_rows.items()
    }

    # 16(5): the latest declaration that says something wins; ties are broken by content.
    extradition_basis: dict[str, str] = {}
    languages: dict[str, list[str]] = defaultdict(list)
    untoc_declarations = sorted(
        (d for d in rows.declarations if d.treaty == UNTOC_CODE),
        key=lambda d: (
            d.date or dt.date.min,
            d.untoc_extradition_basis != "",
            d.untoc_extradition_basis,
            d.languages,
            d.article,
        ),
    )
    for declaration in untoc_declarations:
        if declaration.article.startswith("16(5)"):
            extradition_basis[declaration.state] = declaration.untoc_extradition_basis
        if declaration.article.startswith("18(14)"):
            for language in declaration.languages:
                if language not in languages[declaration.state]:
                    languages[declaration.state].append(language)

    authorities: dict[str, list[CentralAuthority]] = defaultdict(list)
    for contact in rows.contacts:
        functions = frozenset(contact.functions) & CENTRAL_FUNCTIONS
        if functions:
            authorities[contact.state].append(
                CentralAuthority(
                    code=contact.authority_code,
                    name=contact.authority_name,
                    email=contact.email,
                    functions=functions,
                    languages=tuple(contact.languages),
                    channels=tuple(contact.channels),
                )
            )

    return Facts(
        states=_freeze({s.code: s.name for s in sorted(rows.states, key=lambda s: s.code)}),
        untoc=instruments.pop(UNTOC_CODE, None),
        treaties=_freeze(instruments),
        treaties_of=_freeze({k: frozenset(v) for k, v in sorted(treaties_of.items())}),
        untoc_status=_freeze(sorted(untoc_status.items())),
        extradition_basis=_freeze(sorted(extradition_basis.items())),
        declared_languages=_freeze({k: tuple(v) for k, v in sorted(languages.items())}),
        profiles=_freeze(
            {
                (p.state, p.subject): Profile(
                    dual_criminality_required=p.dual_criminality_required,
                    minimum_penalty_months=p.minimum_penalty_months,
                    extradition_of_nationals=p.extradition_of_nationals,
                )
                for p in sorted(rows.profiles, key=lambda p: (p.state, p.subject))
            }
        ),
        central_authorities=_freeze(
            {k: tuple(sorted(v, key=lambda a: (a.name, a.code))) for k, v in sorted(authorities.items())}
        ),
    )


def _strings(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def read_rows() -> Rows:
    """Everything the engine needs, read from the database (six queries)."""
    from comity.core.models import State
    from comity.directory.models import AuthorityContact, Declaration, RequirementProfile, Treaty, TreatyParty

    return Rows(
        states=tuple(StateRow(code, name) for code, name in State.objects.values_list("code", "name")),
        treaties=tuple(
            TreatyRow(
                code=code,
                title=title,
                scope=scope,
                subjects=_strings(subjects or ()),
                articles={str(k): _strings(v or ()) for k, v in (articles or {}).items()},
                in_force_on=in_force_on,
                days_after_deposit=days,
            )
            for code, title, scope, subjects, articles, in_force_on, days in Treaty.objects.values_list(
                "code", "title", "scope", "subjects", "articles", "in_force_on", "days_after_deposit"
            )
        ),
        parties=tuple(
            PartyRow(*values)
            for values in TreatyParty.objects.values_list(
                "treaty__code", "state__code", "status", "consent_date", "in_force_date"
            )
        ),
        declarations=tuple(
            DeclarationRow(
                treaty=treaty,
                state=state,
                article=article.replace(" ", ""),
                date=date,
                languages=_strings(languages or ()),
                untoc_extradition_basis=basis or "",
            )
            for treaty, state, article, date, languages, basis in Declaration.objects.values_list(
                "treaty__code", "state__code", "article", "date", "languages", "untoc_extradition_basis"
            )
        ),
        profiles=tuple(
            ProfileRow(state, subject, dual or "", months, nationals or "")
            for state, subject, dual, months, nationals in RequirementProfile.objects.values_list(
                "state__code",
                "subject",
                "dual_criminality_required",
                "minimum_penalty_months",
                "extradition_of_nationals",
            )
        ),
        contacts=tuple(
            ContactRow(
                state=state,
                authority_code=code,
                authority_name=name,
                email=email or "",
                functions=_strings(functions or ()),
                languages=_strings(languages or ()),
                channels=_strings(channels or ()),
            )
            for state, code, name, email, functions, languages, channels in AuthorityContact.objects.values_list(
                "authority__state__code",
                "authority__code",
                "authority__name",
                "email",
                "functions",
                "languages",
                "channels",
            )
        ),
    )


# --- The per-process cache --------------------------------------------------------------------

_lock = threading.Lock()
_version = 0


@dataclasses.dataclass(slots=True)
class _Cached:
    facts: Facts
    version: int
    fingerprint: tuple[Any, ...]
    checked_at: float


_cached: _Cached | None = None


def invalidate_facts() -> None:
    """Mark the cached snapshot stale (called by the directory models' signals)."""
    global _version
    with _lock:
        _version += 1


def _fingerprint() -> tuple[Any, ...]:
    """Row counts and highest ids of the tables the facts come from, and the last contact update."""
    from comity.core.models import Authority, State
    from comity.directory.models import AuthorityContact, Declaration, RequirementProfile, Treaty, TreatyParty

    # Table and column names come from the models' metadata, never from input.
    quote = connection.ops.quote_name
    parts = []
    for model in (State, Authority, Treaty, TreatyParty, Declaration, RequirementProfile, AuthorityContact):
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        parts.append(f"(SELECT COUNT(*) FROM {table})")  # noqa: S608 - identifiers from the models
        parts.append(f"(SELECT MAX({pk}) FROM {table})")  # noqa: S608 - identifiers from the models
    contacts = quote(AuthorityContact._meta.db_table)
    parts.append(f"(SELECT MAX({quote('updated_at')}) FROM {contacts})")  # noqa: S608 - identifiers from the models
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return tuple(str(v) for v in row)


def load_facts(*, cached: bool = True) -> Facts:
    """The facts snapshot: the cached one while the data is unchanged, else a fresh one."""
    global _cached
    if not cached or connection.in_atomic_block:
        # Inside a transaction this connection may see rows that others do not, or that will be
        # rolled back: such a snapshot is not shared, and the shared one may not fit.
        return build_facts(read_rows())
    now = time.monotonic()
    current = _cached
    if current is not None and current.version == _version:
        if now - current.checked_at < RECHECK_SECONDS:
            return current.facts
        if _fingerprint() == current.fingerprint:
            current.checked_at = now
            return current.facts
    with _lock:
        version = _version
    fingerprint = _fingerprint()
    facts = build_facts(read_rows())
    _cached = _Cached(facts=facts, version=version, fingerprint=fingerprint, checked_at=now)
    return facts
