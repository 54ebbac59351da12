"""Reads of the directory: States, their UNTOC status and declarations, authorities and their
contact entries, requirement profiles, treaties and which of them bind two States on a date.

The directory is public reference data, so nothing here is restricted by State, and nothing here
reads a State-owned model (cases, API tokens, audit events): a public page built from these
selectors cannot carry what a State owns. Every selector runs a fixed number of queries, whatever
the number of rows (N+1 guards in tests/directory).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import NotSupportedError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Count, F, Func, Prefetch, QuerySet, Value
from django.db.models.sql.compiler import SQLCompiler
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from comity.core.enums import AuthorityKind
from comity.core.models import Authority, State
from comity.directory.enums import PartyStatus
from comity.directory.models import AuthorityContact, Declaration, RequirementProfile, Treaty, TreatyParty

UNTOC = "untoc"
STALE_AFTER_MONTHS = 12
# Declarations that change how cooperation works: 16(5) (UNTOC as the legal basis for
# extradition), 18(13) (central authority), 18(14) (languages accepted).
COOPERATION_ARTICLES = ("16(5)", "18(13)", "18(14)")
BOUND_STATUSES = (PartyStatus.PARTY, PartyStatus.PARTY_DATE_UNKNOWN)

_ISO3 = re.compile(r"[A-Z]{3}")
_AUTHORITY_CODE = re.compile(r"[a-z0-9]{1,16}")


# --- Staleness ------------------------------------------------------------------------------


def stale_cutoff(today: dt.date) -> dt.date:
    """The same day twelve months earlier (29 February falls back to the 28th)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def is_stale(last_verified: dt.date | None, today: dt.date) -> bool:
    """Older than 12 months, or never verified: nobody vouches for it any more."""
    return last_verified is None or last_verified < stale_cutoff(today)


# --- JSON list membership, in the database on SQLite and PostgreSQL -------------------------


class JsonListHas(Func):
    """`<json list column> contains <value>` as a boolean expression usable in `filter()`.

    PostgreSQL: jsonb containment (`@>`, can use a GIN index). SQLite: `json_each` over the array,
    which matches elements exactly (no substring surprises). Comity runs on nothing else.
    """

    output_field = BooleanField()
    arity = 2

    def __init__(self, field: str, value: str) -> None:
        super().__init__(F(field), Value(value))

    def _parts(self, compiler: SQLCompiler, connection: Any) -> tuple[str, list[Any], str, list[Any]]:
        column, value = self.get_source_expressions()
        lhs, lhs_params = compiler.compile(column)
        rhs, rhs_params = compiler.compile(value)
        return lhs, list(lhs_params), rhs, list(rhs_params)

    def as_sqlite(
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        lhs, lhs_params, rhs, rhs_params = self._parts(compiler, connection)
        return (
            f"EXISTS (SELECT 1 FROM json_each({lhs}) AS json_item WHERE json_item.value = {rhs})",  # noqa: S608 - lhs/rhs are SQL compiled by Django; values travel as parameters
            lhs_params + rhs_params,
        )

    def as_postgresql(
        self, compiler: SQLCompiler, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        lhs, lhs_params, rhs, rhs_params = self._parts(compiler, connection)
        return f"({lhs} @> jsonb_build_array(({rhs})::text))", lhs_params + rhs_params

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, list[Any]]:
        raise NotSupportedError("JsonListHas supports SQLite and PostgreSQL, the databases Comity runs on.")


# --- What the pages and the API show --------------------------------------------------------


class UntocFilter:
    """Values of the `untoc` filter on the States list."""

    PARTY = "party"
    SIGNATORY = "signatory"
    NOT_PARTY = "not_party"
    CHOICES = (
        (PARTY, _("Party")),
        (SIGNATORY, _("Signatory only")),
        (NOT_PARTY, _("Not a party")),
    )
    VALUES = frozenset(code for code, _label in CHOICES)


@dataclass(frozen=True)
class StateRow:
    state: State
    name: str  # in the reader's language
    untoc: TreatyParty | None  # the State's participation in UNTOC, if any

    @property
    def untoc_bound(self) -> bool:
        return self.untoc is not None and self.untoc.status in BOUND_STATUSES


@dataclass(frozen=True)
class AuthorityEntry:
    authority: Authority
    contact: AuthorityContact | None
    stale: bool
    state_name: str

    @property
    def is_central(self) -> bool:
        functions = self.contact.functions if self.contact else []
        return self.authority.kind == AuthorityKind.CENTRAL_AUTHORITY or any(
            f.startswith("central_") for f in functions
        )


@dataclass(frozen=True)
class ProfileEntry:
    profile: RequirementProfile
    stale: bool


@dataclass(frozen=True)
class StateEntry:
    state: State
    name: str
    untoc: TreatyParty | None
    declarations: list[Declaration]
    authorities: list[AuthorityEntry]
    profiles: list[ProfileEntry]
    treaties: list[TreatyParty]  # every participation, UNTOC included, by treaty code

    @property
    def cooperation_declarations(self) -> list[Declaration]:
        return [d for d in self.declarations if is_cooperation_article(d.article)]

    @property
    def central_authorities(self) -> list[AuthorityEntry]:
        return [a for a in self.authorities if a.is_central]

    @property
    def declared_languages(self) -> list[str]:
        """Languages in the State's 18(14) declarations."""
        codes: list[str] = []
        for d in self.declarations:
            if d.article.startswith("18(14)"):
                codes.extend(c for c in d.languages if c not in codes)
        return codes

    @property
    def central_authority_languages(self) -> list[str]:
        codes: list[str] = []
        for entry in self.central_authorities:
            if entry.contact:
                codes.extend(c for c in entry.contact.languages if c not in codes)
        return codes


@dataclass(frozen=True)
class TreatyInForce:
    """A treaty that binds both States on the date asked about."""

    treaty: Treaty
    party_a: TreatyParty
    party_b: TreatyParty

    @property
    def date_unknown(self) -> bool:
        """Counted as binding, but for at least one of the two the date it became bound is unknown."""
        return self.party_a.in_force_date is None or self.party_b.in_force_date is None

    @property
    def since(self) -> dt.date | None:
        """The day from which it binds both, when both dates are known."""
        if self.party_a.in_force_date is None or self.party_b.in_force_date is None:
            return None
        return max(self.party_a.in_force_date, self.party_b.in_force_date)


def is_cooperation_article(article: str) -> bool:
    return article.replace(" ", "").startswith(COOPERATION_ARTICLES)


def contact_of(authority: Authority) -> AuthorityContact | None:
    """The contact entry loaded with `select_related("contact")`, or None (no extra query)."""
    try:
        return authority.contact
    except AuthorityContact.DoesNotExist:
        return None


def authority_entries(
    authorities: Iterable[Authority], *, language: str, today: dt.date
) -> list[AuthorityEntry]:
    entries = []
    for authority in authorities:
        contact = contact_of(authority)
        entries.append(
            AuthorityEntry(
                authority=authority,
                contact=contact,
                stale=is_stale(contact.last_verified if contact else None, today),
                state_name=authority.state.name_in(language),
            )
        )
    return entries


# --- States ---------------------------------------------------------------------------------


def _untoc_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "treaty_parties",
        queryset=TreatyParty.objects.filter(treaty__code=UNTOC),
        to_attr="untoc_parties",
    )


def _untoc_of(state: State) -> TreatyParty | None:
    parties: list[TreatyParty] = getattr(state, "untoc_parties", [])
    return parties[0] if parties else None


def _matches(state: State, needle: str) -> bool:
    haystack = [state.code, state.name, *(str(v) for v in (state.names or {}).values())]
    return any(needle in text.casefold() for text in haystack)


def states_list(*, language: str, q: str = "", untoc: str = "", un_status: str = "") -> list[StateRow]:
    """Every State (two queries), sorted by its name in `language`.

    `q` matches the code or the name in any of the six languages; it is applied in Python because
    SQLite stores JSON with escaped non-ASCII text. There are fewer than 250 States.
    """
    states = State.objects.prefetch_related(_untoc_prefetch())
    if un_status:
        states = states.filter(un_status=un_status)
    if untoc == UntocFilter.PARTY:
        states = states.filter(treaty_parties__treaty__code=UNTOC, treaty_parties__status__in=BOUND_STATUSES)
    elif untoc == UntocFilter.SIGNATORY:
        states = states.filter(
            treaty_parties__treaty__code=UNTOC, treaty_parties__status=PartyStatus.SIGNATORY
        )
    elif untoc == UntocFilter.NOT_PARTY:
        states = states.exclude(treaty_parties__treaty__code=UNTOC, treaty_parties__status__in=BOUND_STATUSES)
    needle = q.strip().casefold()
    rows = [
        StateRow(state=s, name=s.name_in(language), untoc=_untoc_of(s))
        for s in states
        if not needle or _matches(s, needle)
    ]
    rows.sort(key=lambda r: (r.name.casefold(), r.state.code))
    return rows


def state_choices(*, language: str) -> list[tuple[str, str]]:
    """(code, name in `language`) of every State, for a select box; one query."""
    rows = [(s.code, s.name_in(language)) for s in State.objects.only("code", "name", "names")]
    rows.sort(key=lambda r: (r[1].casefold(), r[0]))
    return rows


def access_state(code: str) -> State:
    """The State with this ISO 3166-1 alpha-3 code, or a 404."""
    state = State.objects.filter(code=code).first() if _ISO3.fullmatch(code) else None
    if state is None:
        raise Http404("No such State.")
    return state


def state_entry(code: str, *, language: str, today: dt.date) -> StateEntry:
    """Everything the directory says about one State, in five queries."""
    state = access_state(code)
    treaties = list(TreatyParty.objects.filter(state=state).select_related("treaty").order_by("treaty__code"))
    untoc = next((p for p in treaties if p.treaty.code == UNTOC), None)
    declarations = list(
        Declaration.objects.filter(state=state)
        .select_related("treaty")
        .order_by("treaty__code", "article", "date", "pk")
    )
    authorities = list(
        Authority.objects.filter(state=state).select_related("state", "contact").order_by("kind", "name")
    )
    # Central authorities first, then the others, each group by name.
    entries = authority_entries(authorities, language=language, today=today)
    entries.sort(key=lambda e: (not e.is_central, e.authority.name.casefold()))
    profiles = [
        ProfileEntry(profile=p, stale=is_stale(p.last_verified, today))
        for p in RequirementProfile.objects.filter(state=state).order_by("subject")
    ]
    return StateEntry(
        state=state,
        name=state.name_in(language),
        untoc=untoc,
        declarations=declarations,
        authorities=entries,
        profiles=profiles,
        treaties=treaties,
    )


# --- Authorities ----------------------------------------------------------------------------


def authorities_search(
    *, q: str = "", language: str = "", function: str = "", state: str = ""
) -> QuerySet[Authority]:
    """Authorities by name (contains, case-insensitive), accepted language, function and State.

    Language and function are matched inside the contact entry's JSON lists by the database.
    """
    authorities = Authority.objects.select_related("state", "contact")
    if q.strip():
        authorities = authorities.filter(name__icontains=q.strip())
    if language:
        authorities = authorities.filter(JsonListHas("contact__languages", language))
    if function:
        authorities = authorities.filter(JsonListHas("contact__functions", function))
    if state:
        authorities = authorities.filter(state__code=state)
    return authorities.order_by("state__code", "name", "pk")


def access_authority(code: str) -> Authority:
    """The authority with this public code (with its State and contact entry), or a 404."""
    authority = (
        Authority.objects.select_related("state", "contact").filter(code=code).first()
        if _AUTHORITY_CODE.fullmatch(code)
        else None
    )
    if authority is None:
        raise Http404("No such authority.")
    return authority


def authority_entry(code: str, *, language: str, today: dt.date) -> AuthorityEntry:
    (entry,) = authority_entries([access_authority(code)], language=language, today=today)
    return entry


def directory_languages() -> list[str]:
    """Every language code some authority accepts, sorted; one query."""
    codes: set[str] = set()
    for languages in AuthorityContact.objects.values_list("languages", flat=True):
        codes.update(c for c in languages or [] if isinstance(c, str))
    return sorted(codes)


# --- Treaties -------------------------------------------------------------------------------


def treaties_list() -> QuerySet[Treaty]:
    return Treaty.objects.annotate(party_count=Count("parties")).order_by("code")


def access_treaty(code: str) -> Treaty:
    treaty = Treaty.objects.filter(code=code).first() if len(code) <= 80 else None
    if treaty is None:
        raise Http404("No such treaty.")
    return treaty


def treaty_parties(treaty: Treaty) -> QuerySet[TreatyParty]:
    return TreatyParty.objects.filter(treaty=treaty).select_related("state").order_by("state__code")


def is_bound(party: TreatyParty, on: dt.date) -> bool:
    """A party (or a party whose date is unknown, counted as bound) whose date is not after `on`."""
    return party.status in BOUND_STATUSES and (party.in_force_date is None or party.in_force_date <= on)


def treaties_in_force(a: State, b: State, on: dt.date) -> list[TreatyInForce]:
    """Treaties that bind both A and B on `on`, one query.

    A participation counts when its status is `party` or `party_date_unknown` and the date the
    State became bound is not after `on`; an unknown date counts as bound and is flagged
    (`TreatyInForce.date_unknown`). A treaty not yet in force itself on `on` binds nobody.
    """
    if a.pk == b.pk:
        return []
    parties = (
        TreatyParty.objects.filter(state__in=[a, b], status__in=BOUND_STATUSES)
        .select_related("treaty")
        .order_by("treaty__code", "state_id")
    )
    by_treaty: dict[int, dict[int, TreatyParty]] = {}
    for party in parties:
        if is_bound(party, on) and (party.treaty.in_force_on is None or party.treaty.in_force_on <= on):
            by_treaty.setdefault(party.treaty_id, {})[party.state_id] = party
    found = [
        TreatyInForce(treaty=pair[a.pk].treaty, party_a=pair[a.pk], party_b=pair[b.pk])
        for pair in by_treaty.values()
        if a.pk in pair and b.pk in pair
    ]
    return sorted(found, key=_specificity)


_SCOPE_ORDER = {"bilateral": 0, "regional": 1, "multilateral": 2}


def _specificity(t: TreatyInForce) -> tuple[int, bool, str]:
    """Most specific first (bilateral, regional, multilateral), UNTOC after the other multilaterals."""
    return (_SCOPE_ORDER.get(t.treaty.scope, 3), t.treaty.code == UNTOC, t.treaty.code)


__all__ = [
    "COOPERATION_ARTICLES",
    "UNTOC",
    "AuthorityEntry",
    "JsonListHas",
    "ProfileEntry",
    "StateEntry",
    "StateRow",
    "TreatyInForce",
    "UntocFilter",
    "access_authority",
    "access_state",
    "access_treaty",
    "authorities_search",
    "authority_entries",
    "authority_entry",
    "directory_languages",
    "is_stale",
    "state_choices",
    "state_entry",
    "states_list",
    "treaties_in_force",
    "treaties_list",
    "treaty_parties",
]
