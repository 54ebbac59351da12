"""The question put to the legal-basis engine, and its parser from strings (CLI and API).

A `LegalBasisQuery` is valid by construction: building one with a bad value raises
`InvalidQuery` naming the field. `LegalBasisQuery.parse` reads the raw strings of a command line
or a query string, normalises them (upper-case State codes, lower-case types) and reports every
bad field at once. Whether a State code exists is a fact of the directory, checked against the
set of known codes given to `parse` (and again by the engine).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Collection, Mapping
from typing import Any

from django.utils import timezone

from comity.vocabulary import CooperationType

COOPERATION_TYPES: tuple[str, ...] = tuple(str(v) for v in CooperationType.values)
# Art. 3(1)(a): participation in an organized criminal group (5), laundering (6), corruption (8),
# obstruction of justice (23).
OFFENCE_ARTICLES: tuple[int, ...] = (5, 6, 8, 23)
MAX_PENALTY_YEARS = 100
EARLIEST_DATE = dt.date(2000, 1, 1)  # the Convention was adopted on 15 November 2000

_ISO3 = re.compile(r"^[A-Z]{3}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
_UNKNOWN = {"", "unknown", "null", "none"}

FIELDS: tuple[str, ...] = (
    "requesting",
    "requested",
    "type",
    "max_penalty_requesting",
    "max_penalty_requested",
    "offence_article",
    "transnational",
    "organized_group",
    "person_national_of",
    "date",
)


class InvalidQuery(ValueError):
    """A question the engine cannot answer; `field` and `message` say why (first of `errors`)."""

    def __init__(self, field: str, message: str, errors: tuple[tuple[str, str], ...] = ()) -> None:
        self.errors: tuple[tuple[str, str], ...] = errors or ((field, message),)
        self.field, self.message = self.errors[0]
        super().__init__("; ".join(f"{f}: {m}" for f, m in self.errors))


def today() -> dt.date:
    return timezone.localdate()


@dataclasses.dataclass(frozen=True, slots=True)
class LegalBasisQuery:
    """Which instrument lets `requesting` ask `requested` for cooperation of `type`, on `date`?

    Penalties are the maximum deprivation of liberty, in years, for the conduct under each State's
    law (0: not punishable there; None: not known). `transnational` and `organized_group` are
    None when unknown; for MLA they mean "reasonable grounds to suspect" (art. 18(1)).
    """

    requesting: str
    requested: str
    type: str
    max_penalty_requesting: float | None = None
    max_penalty_requested: float | None = None
    offence_article: int | None = None
    transnational: bool | None = None
    organized_group: bool | None = None
    person_national_of: str | None = None
    date: dt.date = dataclasses.field(default_factory=today)

    def __post_init__(self) -> None:
        errors = _structural_errors(self)
        if errors:
            raise InvalidQuery("", "", tuple(errors))

    @classmethod
    def parse(cls, raw: Mapping[str, Any], *, states: Collection[str] | None = None) -> LegalBasisQuery:
        """Parse strings (or already typed values) into a query; every bad field is reported.

        `states` is the set of known ISO3 codes; when given, unknown codes are errors.
        """
        errors: list[tuple[str, str]] = []
        values: dict[str, Any] = {}
        unknown = sorted(set(raw) - set(FIELDS))
        for name in unknown:
            errors.append((name, f"Unknown parameter; expected one of: {', '.join(FIELDS)}."))
        for name, parse in _PARSERS.items():
            try:
                value = parse(name, raw.get(name))
            except InvalidQuery as exc:
                errors.extend(exc.errors)
                continue
            if value is not None:
                values[name] = value
        for name in ("requesting", "requested", "type"):
            if name not in values and not any(f == name for f, _ in errors):
                errors.append((name, "This parameter is required."))
        if "requesting" in values and values.get("requesting") == values.get("requested"):
            errors.append(("requested", "The requested State must differ from the requesting State."))
        if states is not None:
            for name in ("requesting", "requested", "person_national_of"):
                code = values.get(name)
                if code is not None and code not in states:
                    errors.append((name, f"Unknown State code {code!r}: not in the directory of States."))
        if errors:
            raise InvalidQuery("", "", tuple(errors))
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """The query, normalised, as JSON-ready values (echoed in every answer)."""
        return {
            "requesting": self.requesting,
            "requested": self.requested,
            "type": self.type,
            "max_penalty_requesting": _number(self.max_penalty_requesting),
            "max_penalty_requested": _number(self.max_penalty_requested),
            "offence_article": self.offence_article,
            "transnational": self.transnational,
            "organized_group": self.organized_group,
            "person_national_of": self.person_national_of,
            "date": self.date.isoformat(),
        }


def check_states(query: LegalBasisQuery, states: Collection[str]) -> None:
    """Raise InvalidQuery when a State code of the query is not in the directory."""
    errors = [
        (name, f"Unknown State code {code!r}: not in the directory of States.")
        for name in ("requesting", "requested", "person_national_of")
        if (code := getattr(query, name)) is not None and code not in states
    ]
    if errors:
        raise InvalidQuery("", "", tuple(errors))


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


def _structural_errors(q: LegalBasisQuery) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    for name in ("requesting", "requested", "person_national_of"):
        code = getattr(q, name)
        if code is None and name == "person_national_of":
            continue
        if not isinstance(code, str) or not _ISO3.match(code):
            errors.append((name, f"{code!r} is not an ISO 3166-1 alpha-3 code (three capital letters)."))
    if q.requesting == q.requested:
        errors.append(("requested", "The requested State must differ from the requesting State."))
    if q.type not in COOPERATION_TYPES:
        errors.append(
            ("type", f"Unknown cooperation type {q.type!r}; use one of: {', '.join(COOPERATION_TYPES)}.")
        )
    for name in ("max_penalty_requesting", "max_penalty_requested"):
        penalty = getattr(q, name)
        if penalty is None:
            continue
        if isinstance(penalty, bool) or not isinstance(penalty, int | float) or not math.isfinite(penalty):
            errors.append((name, f"{penalty!r} is not a number of years."))
        elif not 0 <= penalty <= MAX_PENALTY_YEARS:
            errors.append(
                (name, f"{penalty!r} years is out of range: give 0 (not punishable) to {MAX_PENALTY_YEARS}.")
            )
    if q.offence_article is not None and (
        isinstance(q.offence_article, bool) or q.offence_article not in OFFENCE_ARTICLES
    ):
        errors.append(
            (
                "offence_article",
                f"{q.offence_article!r} is not an offence article of the Convention; use 5, 6, 8 or 23 (art. 3(1)(a)).",
            )
        )
    for name in ("transnational", "organized_group"):
        if getattr(q, name) not in (True, False, None):
            errors.append((name, "Use true, false or leave it out (unknown)."))
    if not isinstance(q.date, dt.date) or isinstance(q.date, dt.datetime):
        errors.append(("date", f"{q.date!r} is not a date."))
    elif q.date < EARLIEST_DATE:
        errors.append(("date", _too_early(q.date)))
    return errors


def _too_early(day: dt.date) -> str:
    return f"{day.isoformat()} is before {EARLIEST_DATE.isoformat()}; the Convention dates from 2000."


# --- Parsers of single raw values: return the typed value, None when absent, or raise. ---


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _parse_state(name: str, value: Any) -> str | None:
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise InvalidQuery(name, f"{value!r} is not an ISO 3166-1 alpha-3 code.")
    code = value.strip().upper()
    if not _ISO3.match(code):
        raise InvalidQuery(name, f"{value!r} is not an ISO 3166-1 alpha-3 code (three letters, e.g. MEX).")
    return code


def _parse_type(name: str, value: Any) -> str | None:
    if _blank(value):
        return None
    code = str(value).strip().lower().replace("-", "_")
    if code not in COOPERATION_TYPES:
        raise InvalidQuery(
            name, f"Unknown cooperation type {value!r}; use one of: {', '.join(COOPERATION_TYPES)}."
        )
    return code


def _parse_penalty(name: str, value: Any) -> float | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise InvalidQuery(name, f"{value!r} is not a number of years.")
    try:
        years = float(value)
    except (TypeError, ValueError):
        raise InvalidQuery(name, f"{value!r} is not a number of years.") from None
    if not math.isfinite(years):
        raise InvalidQuery(name, f"{value!r} is not a number of years.")
    if not 0 <= years <= MAX_PENALTY_YEARS:
        raise InvalidQuery(
            name, f"{value!r} years is out of range: give 0 (not punishable) to {MAX_PENALTY_YEARS}."
        )
    return years


def _parse_article(name: str, value: Any) -> int | None:
    if _blank(value):
        return None
    text = str(value).strip().lower().removeprefix("art.").removeprefix("article").strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) not in OFFENCE_ARTICLES:
        raise InvalidQuery(
            name, f"{value!r} is not an offence article of the Convention; use 5, 6, 8 or 23 (art. 3(1)(a))."
        )
    return int(text)


def _parse_bool(name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _UNKNOWN:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidQuery(name, f"{value!r} is not a boolean; use true, false or unknown.")


def _parse_date(name: str, value: Any) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        if value < EARLIEST_DATE:
            raise InvalidQuery(name, _too_early(value))
        return value
    text = str(value).strip()
    if not _ISO_DATE.match(text):
        raise InvalidQuery(name, f"{value!r} is not a date in the form YYYY-MM-DD.")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidQuery(name, f"{text} is not a calendar date (no such day).") from None
    if day < EARLIEST_DATE:
        raise InvalidQuery(name, _too_early(day))
    return day


_PARSERS: dict[str, Any] = {
    "requesting": _parse_state,
    "requested": _parse_state,
    "type": _parse_type,
    "max_penalty_requesting": _parse_penalty,
    "max_penalty_requested": _parse_penalty,
    "offence_article": _parse_article,
    "transnational": _parse_bool,
    "organized_group": _parse_bool,
    "person_national_of": _parse_state,
    "date": _parse_date,
}
