"""The completeness checker: is a request document complete for its type and its requested State?

    check_request(document, requirements_for("FRA"))
    -> {"complete": False,
        "missing": [{"code": "purpose", "article": "18(15)(f)", "message": "..."}],
        "warnings": [{"code": "bank_secrecy_not_a_ground", "article": "18(8)", "message": "..."}]}

A pure function: it reads the document and the requested State's requirements
(`comity.drafting.profile`, None when they are not known) and never the database. `missing`
lists the checklist elements (`comity.drafting.checklists.TABLES`, one rule per element) the
document lacks, once per code, in the order of the vocabulary lists; `complete` is true exactly
when nothing is missing. `warnings` never make a request incomplete:

- `person_identity` (18(15)(e), where possible): a listed person without name, location or
  nationality (not for the person sought or sentenced person, whose identity is required);
- `language_not_accepted` (18(14)): an attachment in a language the requested State does not accept;
- `below_minimum_penalty` (16(7)): an offence punished below the requested State's minimum;
- `national_of_requested_state` (16(10), 16(11)): the person sought is its national;
- `bank_secrecy_not_a_ground` (18(8)) and `fiscal_not_a_ground` (18(22); 16(15) for extradition):
  a sentence of the request that invokes bank secrecy or the fiscal nature of the offence as a
  reason the requested State may refuse, or asks it to. A heuristic over the free text (English,
  French, Spanish): a sentence naming bank secrecy (or fiscal matters) beside a word of refusal,
  unless it says it is not a ground (or cites 18(8), 18(22), 16(15)).

Messages are plain English and end with their citation: the UNTOC article, or where the
requirement comes from ("good practice", "treaty practice", "requested State's requirement").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from comity.drafting.checker_rules import Ctx
from comity.drafting.checklists import GOOD_PRACTICE, STATE_REQUIREMENT, TABLES, Element
from comity.drafting.profile import RequestedStateRequirements
from comity.drafting.schema import PersonRole, RequestDocument
from comity.vocabulary import RequestType as T
from comity.vocabulary import WarningCode as W

Finding = dict[str, str | None]

EXTRADITION_TYPES = frozenset({T.EXTRADITION.value, T.PROVISIONAL_ARREST.value})
# Types whose person is required in full (the person sought, the sentenced person): no warning.
PERSON_REQUIRED_TYPES = EXTRADITION_TYPES | {T.TRANSFER_OF_SENTENCED_PERSON.value}


def check_request(
    document: RequestDocument, requirements: RequestedStateRequirements | None
) -> dict[str, Any]:
    """{"complete", "missing", "warnings"} for a validated request document (see the module doc)."""
    ctx = Ctx.of(document, requirements)
    missing: list[Finding] = []
    for item in TABLES[ctx.type]:
        problem = item.rule(ctx)
        if problem is not None:
            missing.append(_finding(item.code.value, item.article, f"{problem} ({item.cite()})."))
    reported = {m["code"] for m in missing}
    warnings = [
        w
        for w in (
            _persons(ctx),
            _attachment_languages(ctx),
            _minimum_penalty(ctx),
            _nationals(ctx),
            *_not_a_ground(ctx),
        )
        if w is not None and w["code"] not in reported
    ]
    return {"complete": not missing, "missing": missing, "warnings": warnings}


def _finding(code: str, article: str | None, message: str) -> Finding:
    return {"code": code, "article": article, "message": message}


def _article(ctx: Ctx, code: Element) -> str | None:
    return next((i.article for i in TABLES[ctx.type] if i.code == code), None)


def _cite(article: str | None, source: str) -> str:
    return f"UNTOC art. {article}" if article else source


# --- Warnings ----------------------------------------------------------------------------------


def _persons(ctx: Ctx) -> Finding | None:
    """18(15)(e): where possible, the identity, location and nationality of any person concerned."""
    if ctx.type in PERSON_REQUIRED_TYPES:
        return None
    gaps = []
    for i, person in enumerate(ctx.doc.persons, 1):
        lacking = [
            label
            for label, present in (
                ("name", bool(person.name)),
                ("location", bool(person.location)),
                ("nationality", bool(person.nationalities)),
            )
            if not present
        ]
        if lacking:
            gaps.append(f"person {i} ({person.role}) has no {' or '.join(lacking)}")
    if not gaps:
        return None
    article = _article(ctx, Element.PERSON_IDENTITY)
    return _finding(
        Element.PERSON_IDENTITY.value,
        article,
        f"Where possible, give the identity, location and nationality of every person concerned: {'; '.join(gaps)} ({_cite(article, GOOD_PRACTICE)}).",
    )


def _attachment_languages(ctx: Ctx) -> Finding | None:
    """18(14): attachments, too, in a language the requested State accepts."""
    if ctx.req is None or not ctx.req.languages:
        return None
    foreign = [
        f"'{a.title}' ({a.language})"
        for a in ctx.doc.attachments
        if a.language is not None and ctx.req.accepts(a.language) is False
    ]
    if not foreign:
        return None
    article = _article(ctx, Element.LANGUAGE)
    return _finding(
        W.LANGUAGE_NOT_ACCEPTED.value,
        article,
        f"{'Attachment' if len(foreign) == 1 else 'Attachments'} {', '.join(foreign)} {'is' if len(foreign) == 1 else 'are'} in a language {ctx.state} does not accept ({', '.join(ctx.req.languages)}): add a translation ({_cite(article, STATE_REQUIREMENT)}).",
    )


def _minimum_penalty(ctx: Ctx) -> Finding | None:
    """16(7): extradition is subject to the requested State's minimum penalty."""
    months = ctx.profile.minimum_penalty_months if ctx.profile is not None else None
    if ctx.type not in EXTRADITION_TYPES or not months:
        return None
    below = [
        f"offence {i} ({o.max_penalty_years:g} years)"
        for i, o in enumerate(ctx.doc.offences, 1)
        if o.max_penalty_years is not None and o.max_penalty_years * 12 < months
    ]
    if not below:
        return None
    return _finding(
        W.BELOW_MINIMUM_PENALTY.value,
        "16(7)",
        f"{ctx.state} extradites only for offences punishable by at least {months} months; {', '.join(below)} falls below it (art. 16(3) may still allow it alongside an extraditable offence) (UNTOC art. 16(7)).",
    )


def _nationals(ctx: Ctx) -> Finding | None:
    """16(10), 16(11): a State may refuse to extradite its nationals (then prosecute on request)."""
    if ctx.type not in EXTRADITION_TYPES:
        return None
    if not any(
        p.role == PersonRole.PERSON_SOUGHT.value and ctx.doc.requested_state in p.nationalities
        for p in ctx.doc.persons
    ):
        return None
    policy = {
        "no": "does not extradite its nationals",
        "conditional": "extradites its nationals only on condition that they return to serve the sentence (16(11))",
        "yes": "extradites its nationals",
    }.get(
        ctx.profile.extradition_of_nationals if ctx.profile else "", "may refuse to extradite its nationals"
    )
    return _finding(
        W.NATIONAL_OF_REQUESTED_STATE.value,
        "16(10)",
        f"The person sought is a national of {ctx.state}, which {policy}; if it refuses on that ground alone, ask it to submit the case for prosecution (UNTOC art. 16(10), 16(11)).",
    )


_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")
_BANK_SECRECY = re.compile(
    r"bank(?:ing)?\s+secrecy|secret\s+bancaire|secreto\s+bancario|sigilo\s+banc|السرية\s+المصرفية|банковск\w*\s+тайн",
    re.IGNORECASE,
)
_FISCAL = re.compile(
    r"\bfiscal\s+(?:matter|nature|offen[cs]e|character|issue|question)s?|\btax(?:ation)?\s+(?:matter|nature|offen[cs]e|character|issue|question)s?"
    r"|\b(?:mati[eè]re|infraction|nature|caract[eè]re)s?\s+fiscales?|\b(?:materia|delito|naturaleza|car[aá]cter|cuesti[oó]n)(?:es)?\s+(?:fiscal|tributari)",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"refus|declin|reject|\bden(?:y|ial|ied)\b|withh[oe]ld|not\s+(?:be\s+)?(?:able|obliged|required|bound)\s+to|need\s+not|exempt|excuse"
    r"|grounds?\s+(?:for|to)\b|reason\s+(?:for|to)\s+(?:refus|declin|not)|rechaz|deneg|negarse|motivo\s+(?:de|para)|rejet|motif\s+de",
    re.IGNORECASE,
)
_NOT_A_GROUND = re.compile(
    r"\bnot\s+(?:a\s+)?(?:valid\s+|sufficient\s+|permissible\s+)?(?:ground|reason|basis)|\bno\s+(?:valid\s+)?(?:ground|reason)"
    r"|\b(?:may|can|shall|must|will)\s*not\s+(?:be\s+)?(?:refus|declin|reject|invok|relied)|\bcannot\s+(?:be\s+)?(?:refus|declin|reject|invok|relied)"
    r"|\b1[68]\s*\(\s*(?:8|15|22)\s*\)|no\s+(?:es|constituye|podr[aá])|n'est\s+pas|ne\s+(?:peut|saurait|constitue)",
    re.IGNORECASE,
)


def _texts(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, text) of every string in a dumped document."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, f"{path}[{i}]")


# Cheap substring tests that every match of the subject patterns contains (after casefold()).
_BANK_SECRECY_HINTS = ("secre", "sigilo", "السرية", "тайн")
_FISCAL_HINTS = ("fiscal", "tax", "tribut")


def _invokes(text: str, subject: re.Pattern[str], hints: tuple[str, ...]) -> bool:
    """A sentence of `text` names `subject` beside a word of refusal, and does not say it is no ground."""
    folded = text.casefold()
    if not any(hint in folded for hint in hints) or subject.search(text) is None:
        return False
    return any(
        subject.search(s) and _REFUSAL.search(s) and not _NOT_A_GROUND.search(s)
        for s in _SENTENCE.split(text)
    )


def _not_a_ground(ctx: Ctx) -> list[Finding | None]:
    """18(8): bank secrecy is no ground to refuse; 18(22), 16(15): nor the fiscal nature of the offence."""
    bank: list[str] = []
    fiscal: list[str] = []
    for path, text in _texts(ctx.doc.model_dump(exclude_none=True, exclude_defaults=True)):
        if _invokes(text, _BANK_SECRECY, _BANK_SECRECY_HINTS):
            bank.append(path)
        if _invokes(text, _FISCAL, _FISCAL_HINTS):
            fiscal.append(path)
    findings: list[Finding | None] = []
    if bank:
        findings.append(
            _finding(
                W.BANK_SECRECY_NOT_A_GROUND.value,
                "18(8)",
                f"The text at {', '.join(bank)} presents bank secrecy as a reason the requested State may refuse; under the Convention it is not a ground to refuse assistance: rephrase it (UNTOC art. 18(8)).",
            )
        )
    if fiscal:
        article = "16(15)" if ctx.type in EXTRADITION_TYPES else "18(22)"
        findings.append(
            _finding(
                W.FISCAL_NOT_A_GROUND.value,
                article,
                f"The text at {', '.join(fiscal)} presents the fiscal nature of the offence as a reason the requested State may refuse; under the Convention it is not a ground to refuse on its own: rephrase it (UNTOC art. {article}).",
            )
        )
    return findings
