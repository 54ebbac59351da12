"""The checklist of each request type: the rule tables the completeness checker runs, and printable
checklists derived from them (so the checklist and the checker never disagree).

    checklist("mla", measures=["bank_records"])
    -> [{"code": "requesting_authority", "article": "18(15)(a)", "label": <lazy label>}, ...]

Each table row (`Item`) pairs an element code (shared/domain/vocabulary.md, `Element`) with the
UNTOC article that asks for it, the rule (`comity.drafting.checker_rules`) and when it applies.
`article` is None where the Convention sets no content; the message then cites the row's `source`
("good practice", "treaty practice" or "requested State's requirement"). Rows are kept in the
order of the vocabulary lists (`Element`), which is the order of the checker's `missing`.

Decisions (tested in tests/drafting/test_checker.py):
- 18(15)(c) facts and the offence provisions are not required when the only measure sought is
  service of documents.
- 18(15)(e) "where possible": for MLA a person's identity is *missing* only when a measure
  concerns persons (`PERSON_MEASURES`: nobody can be heard, served, transferred or helped to
  appear unnamed) and no person is named; a named person without location or nationality, or a
  listed person without a name, is a *warning* with the code `person_identity`. For the
  confiscation types and spontaneous information it is a warning only. Extradition, provisional
  arrest and transfer of a sentenced person require the person sought (or sentenced person) by
  name, date of birth and nationality; transfer of proceedings names the suspect or accused.
- Coercive measures (`COERCIVE_MEASURES`): search_and_seizure, bank_records,
  production_of_stored_data, real_time_traffic_data, transfer_of_detained_person,
  controlled_delivery. Seeking one calls for a dual criminality statement (18(9) lets the
  requested State refuse without dual criminality), as does a requested-State profile with
  dual_criminality_required = yes; and for a court order where the profile of the measure (else of
  MLA) says judicial_order_for_coercive = yes. Freezing and confiscation are coercive by nature: a
  dual criminality statement is always asked for; freezing asks for the court order when the
  profile says so.
- For the confiscation types, 18(15)(d) is met by the 13(3) elements that describe the action
  (property, extent of execution, actions requested), so `assistance_description` is MLA only;
  measures (and their bank, data, videoconference and transfer details) are read for MLA and the
  confiscation types only. The 18(15)(c) summary and the 13(3) statement of facts are both asked
  for: 13(3) adds to 18(15).
- Extradition: `offence_provisions` is the text of the law and `penalty` the maximum penalty (for
  the other types `offence_provisions` covers both). The purpose is `extradition.purpose`, else
  enforcement when the proceeding is an enforcement, else prosecution: `arrest_warrant` for
  prosecution, `conviction_judgment` and `sentence_remaining` for enforcement. Provisional arrest
  accepts a conviction judgment in place of the warrant, and must be marked urgent with reasons.
- Transfer of a sentenced person reads the judgment and the remaining sentence from the
  `extradition` block (`conviction_judgment`, `sentence_remaining`).
- Languages (18(14)): a document language the requested State does not accept is `language`;
  free text typed in another language it does not accept is `translation`; an attachment in such a
  language is the warning `language_not_accepted`. Unknown accepted languages are not checked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from comity.drafting import checker_rules as r
from comity.vocabulary import RequestType as T


class Element(StrEnum):
    """Checklist element codes, in the order of the vocabulary lists (the order of `missing`)."""

    # Every request, 18(15)
    REQUESTING_AUTHORITY = "requesting_authority"
    SUBJECT_AND_NATURE = "subject_and_nature"
    FACTS_SUMMARY = "facts_summary"
    ASSISTANCE_DESCRIPTION = "assistance_description"
    PERSON_IDENTITY = "person_identity"
    PURPOSE = "purpose"
    # Good practice and requested-State requirements
    LEGAL_BASIS = "legal_basis"
    OFFENCE_PROVISIONS = "offence_provisions"
    LANGUAGE = "language"
    TRANSLATION = "translation"
    CONFIDENTIALITY_REASONS = "confidentiality_reasons"
    URGENCY_REASONS = "urgency_reasons"
    DEADLINE_REASONS = "deadline_reasons"
    CONTACT_PERSON = "contact_person"
    SIGNATURE = "signature"
    DUAL_CRIMINALITY_STATEMENT = "dual_criminality_statement"
    COURT_ORDER = "court_order"
    BANK_DETAILS = "bank_details"
    DATA_DETAILS = "data_details"
    VIDEOCONFERENCE_DETAILS = "videoconference_details"
    TRANSFER_CONDITIONS = "transfer_conditions"
    # Confiscation, 13(3)
    PROPERTY_DESCRIPTION = "property_description"
    FACTS_STATEMENT = "facts_statement"
    CONFISCATION_ORDER_COPY = "confiscation_order_copy"
    EXECUTION_EXTENT = "execution_extent"
    ACTIONS_REQUESTED = "actions_requested"
    # Extradition (treaty practice)
    PERSON_LOCATION = "person_location"
    OFFENCE_DESCRIPTION = "offence_description"
    PENALTY = "penalty"
    ARREST_WARRANT = "arrest_warrant"
    CONVICTION_JUDGMENT = "conviction_judgment"
    SENTENCE_REMAINING = "sentence_remaining"
    LIMITATION_STATEMENT = "limitation_statement"
    EVIDENCE_SUMMARY = "evidence_summary"
    ASSURANCES = "assurances"
    # Provisional arrest, 16(9)
    UNDERTAKING_FORMAL_REQUEST = "undertaking_formal_request"


ORDER: dict[str, int] = {e.value: i for i, e in enumerate(Element)}

LABELS: dict[Element, str | Promise] = {
    Element.REQUESTING_AUTHORITY: _("Identity of the authority making the request"),
    Element.SUBJECT_AND_NATURE: _(
        "Subject matter and nature of the proceeding, and name and functions of the authority conducting it"
    ),
    Element.FACTS_SUMMARY: _("Summary of the relevant facts"),
    Element.ASSISTANCE_DESCRIPTION: _("Description of the assistance sought and any procedure to follow"),
    Element.PERSON_IDENTITY: _("Identity, location and nationality of the persons concerned"),
    Element.PURPOSE: _("Purpose for which the evidence, information or action is sought"),
    Element.LEGAL_BASIS: _("Legal basis of the request"),
    Element.OFFENCE_PROVISIONS: _("Text of the law creating the offence and its maximum penalty"),
    Element.LANGUAGE: _("Written in a language the requested State accepts"),
    Element.TRANSLATION: _("Translation of the text into a language the requested State accepts"),
    Element.CONFIDENTIALITY_REASONS: _("Reasons for confidentiality"),
    Element.URGENCY_REASONS: _("Reasons for urgency"),
    Element.DEADLINE_REASONS: _("Reasons for the deadline"),
    Element.CONTACT_PERSON: _("Contact person (name and telephone or e-mail)"),
    Element.SIGNATURE: _("Signature (name, function, date)"),
    Element.DUAL_CRIMINALITY_STATEMENT: _("Statement on dual criminality"),
    Element.COURT_ORDER: _("Court order behind the coercive measures"),
    Element.BANK_DETAILS: _("Bank, account and period of the records sought"),
    Element.DATA_DETAILS: _("Service provider, identifiers, period and categories of the data sought"),
    Element.VIDEOCONFERENCE_DETAILS: _(
        "Person to be heard, why not in person, and the authority conducting the hearing"
    ),
    Element.TRANSFER_CONDITIONS: _("Consent of the detained person, custody conditions and return date"),
    Element.PROPERTY_DESCRIPTION: _("Description of the property to be confiscated"),
    Element.FACTS_STATEMENT: _("Statement of the facts relied upon"),
    Element.CONFISCATION_ORDER_COPY: _("Legally admissible copy of the confiscation order"),
    Element.EXECUTION_EXTENT: _("Extent to which execution of the order is requested"),
    Element.ACTIONS_REQUESTED: _("Description of the actions requested"),
    Element.PERSON_LOCATION: _("Location of the person sought"),
    Element.OFFENCE_DESCRIPTION: _("Description of the offence (time, place, conduct)"),
    Element.PENALTY: _("Maximum penalty for the offence"),
    Element.ARREST_WARRANT: _("Arrest warrant (or equivalent order)"),
    Element.CONVICTION_JUDGMENT: _("Conviction judgment"),
    Element.SENTENCE_REMAINING: _("Sentence remaining to be served"),
    Element.LIMITATION_STATEMENT: _("Statement that prosecution or enforcement is not time-barred"),
    Element.EVIDENCE_SUMMARY: _("Summary of the evidence"),
    Element.ASSURANCES: _("Assurances the requested State requires"),
    Element.UNDERTAKING_FORMAL_REQUEST: _("Undertaking to send the formal extradition request"),
}

GOOD_PRACTICE = "good practice"
TREATY_PRACTICE = "treaty practice"
STATE_REQUIREMENT = "requested State's requirement"

# Conditions shown on the checklist beside a row that does not always apply.
WHEN_CONFIDENTIAL = _("when confidentiality is requested")
WHEN_URGENT = _("when urgency is requested")
WHEN_DEADLINE = _("when a deadline is suggested")
WHEN_POSSIBLE = _("where possible")
WHEN_PERSONS = _("when a measure concerns a person; otherwise where possible")
WHEN_NOT_SERVICE_ONLY = _("not needed when only service of documents is sought")
WHEN_STATE_LANGUAGES = _("when the requested State's languages are known")
WHEN_DUAL_MLA = _("when a coercive measure is sought or the requested State requires dual criminality")
WHEN_DUAL_STATE = _("when the requested State requires dual criminality")
WHEN_COURT_ORDER = _("when the requested State requires a judicial order for coercive measures")
WHEN_PROSECUTION = _("for prosecution")
WHEN_ENFORCEMENT = _("for enforcement of a sentence")
WHEN_EVIDENCE = _("when the requested State requires a summary of evidence or a prima facie case")
WHEN_ASSURANCES = _("when the requested State requires assurances")


@dataclasses.dataclass(frozen=True, slots=True)
class Item:
    """One row of a request type's table: an element, its article, its rule, when it applies."""

    code: Element
    article: str | None
    rule: r.Rule
    source: str = GOOD_PRACTICE  # cited when `article` is None
    measures: frozenset[str] = frozenset()  # applies only when one of these measures is sought
    unless_only: frozenset[str] = frozenset()  # does not apply when only these measures are sought
    when: str | Promise | None = None  # the condition, as shown on the checklist

    def applies_to(self, measures: Iterable[str]) -> bool:
        """Whether the row belongs on the checklist of a request seeking `measures`."""
        sought = set(measures)
        if self.measures and not (self.measures & sought):
            return False
        return not (self.unless_only and sought and sought <= self.unless_only)

    def cite(self) -> str:
        return f"UNTOC art. {self.article}" if self.article else self.source


E = Element
BANK = frozenset({"bank_records"})
VIDEO = frozenset({"videoconference_hearing"})
TRANSFER = frozenset({"transfer_of_detained_person"})


def _table(*items: Item) -> tuple[Item, ...]:
    """Rows in vocabulary order; a code appears once."""
    codes = [i.code for i in items]
    if len(set(codes)) != len(codes):
        raise ValueError(f"duplicate element in a checklist table: {codes}")
    return tuple(sorted(items, key=lambda i: ORDER[i.code]))


def _formalities(article_18: bool, *, language_article: str | None = "18(14)") -> tuple[Item, ...]:
    """Rows every formal request carries: legal basis, language, reasons, contact, signature."""
    state = STATE_REQUIREMENT
    return (
        Item(E.LEGAL_BASIS, None, r.legal_basis),
        Item(E.LANGUAGE, language_article, r.language, state, when=WHEN_STATE_LANGUAGES),
        Item(E.TRANSLATION, language_article, r.translation, state, when=WHEN_STATE_LANGUAGES),
        Item(
            E.CONFIDENTIALITY_REASONS,
            "18(20)" if article_18 else None,
            r.confidentiality_reasons,
            when=WHEN_CONFIDENTIAL,
        ),
        Item(E.URGENCY_REASONS, None, r.urgency_reasons, when=WHEN_URGENT),
        Item(E.DEADLINE_REASONS, "18(24)" if article_18 else None, r.deadline_reasons, when=WHEN_DEADLINE),
        Item(E.CONTACT_PERSON, None, r.contact_person),
        Item(E.SIGNATURE, None, r.signature),
    )


def _measure_details() -> tuple[Item, ...]:
    """Rows that follow from the measures sought (MLA and the confiscation types)."""
    return (
        Item(E.BANK_DETAILS, "18(3)(f)", r.bank_details, measures=BANK),
        Item(E.DATA_DETAILS, None, r.data_details, STATE_REQUIREMENT, measures=r.DATA_MEASURES),
        Item(E.VIDEOCONFERENCE_DETAILS, "18(18)", r.videoconference_details, measures=VIDEO),
        Item(E.TRANSFER_CONDITIONS, "18(10)-(12)", r.transfer_conditions, measures=TRANSFER),
    )


def _core_18_15(*, facts_unless: frozenset[str] = frozenset()) -> tuple[Item, ...]:
    """18(15)(a), (b), (c), (f); (d) and (e) depend on the type."""
    return (
        Item(E.REQUESTING_AUTHORITY, "18(15)(a)", r.requesting_authority),
        Item(E.SUBJECT_AND_NATURE, "18(15)(b)", r.subject_and_nature),
        Item(
            E.FACTS_SUMMARY,
            "18(15)(c)",
            r.facts_summary,
            unless_only=facts_unless,
            when=WHEN_NOT_SERVICE_ONLY if facts_unless else None,
        ),
        Item(E.PURPOSE, "18(15)(f)", r.purpose),
    )


def _confiscation(*specific: Item) -> tuple[Item, ...]:
    """13(3): the 18(15) contents, the formalities, the measures' details, and the type's own rows."""
    return _table(
        *_core_18_15(),
        Item(E.PERSON_IDENTITY, "18(15)(e)", r.person_identity_where_possible, when=WHEN_POSSIBLE),
        Item(E.OFFENCE_PROVISIONS, None, r.offence_provisions),
        *_formalities(True),
        Item(E.DUAL_CRIMINALITY_STATEMENT, "18(9)", r.dual_criminality_always),
        *_measure_details(),
        *specific,
    )


def _extradition_core(article: str | None, source: str) -> tuple[Item, ...]:
    return (
        Item(E.PERSON_IDENTITY, article, r.person_sought_identity, source),
        Item(E.OFFENCE_DESCRIPTION, article, r.offence_description, source),
        Item(E.PENALTY, article, r.penalty, source),
    )


TABLES: dict[str, tuple[Item, ...]] = {
    T.MLA.value: _table(
        *_core_18_15(facts_unless=r.SERVICE_ONLY),
        Item(E.ASSISTANCE_DESCRIPTION, "18(15)(d)", r.assistance_description),
        Item(E.PERSON_IDENTITY, "18(15)(e)", r.person_identity_mla, when=WHEN_PERSONS),
        Item(
            E.OFFENCE_PROVISIONS,
            None,
            r.offence_provisions,
            unless_only=r.SERVICE_ONLY,
            when=WHEN_NOT_SERVICE_ONLY,
        ),
        *_formalities(True),
        Item(E.DUAL_CRIMINALITY_STATEMENT, "18(9)", r.dual_criminality_mla, when=WHEN_DUAL_MLA),
        Item(
            E.COURT_ORDER,
            None,
            r.court_order_mla,
            STATE_REQUIREMENT,
            measures=r.COERCIVE_MEASURES,
            when=WHEN_COURT_ORDER,
        ),
        *_measure_details(),
    ),
    T.CONFISCATION_DOMESTIC_ORDER.value: _confiscation(
        Item(E.PROPERTY_DESCRIPTION, "13(3)(a)", r.property_description),
        Item(E.FACTS_STATEMENT, "13(3)(a)", r.facts_statement),
    ),
    T.CONFISCATION_ENFORCE_ORDER.value: _confiscation(
        Item(E.FACTS_STATEMENT, "13(3)(b)", r.facts_statement),
        Item(E.CONFISCATION_ORDER_COPY, "13(3)(b)", r.confiscation_order_copy),
        Item(E.EXECUTION_EXTENT, "13(3)(b)", r.execution_extent),
    ),
    T.FREEZING.value: _confiscation(
        Item(E.COURT_ORDER, None, r.court_order_freezing, STATE_REQUIREMENT, when=WHEN_COURT_ORDER),
        Item(E.FACTS_STATEMENT, "13(3)(c)", r.facts_statement),
        Item(E.ACTIONS_REQUESTED, "13(3)(c)", r.actions_requested),
    ),
    T.EXTRADITION.value: _table(
        Item(E.REQUESTING_AUTHORITY, None, r.requesting_authority, TREATY_PRACTICE),
        *_extradition_core(None, TREATY_PRACTICE),
        Item(E.PERSON_LOCATION, None, r.person_location, TREATY_PRACTICE),
        Item(E.OFFENCE_PROVISIONS, None, r.offence_provisions_text, TREATY_PRACTICE),
        *_formalities(False, language_article=None),
        Item(E.DUAL_CRIMINALITY_STATEMENT, "16(1)", r.dual_criminality_always),
        Item(E.ARREST_WARRANT, None, r.arrest_warrant, TREATY_PRACTICE, when=WHEN_PROSECUTION),
        Item(E.CONVICTION_JUDGMENT, None, r.conviction_judgment, TREATY_PRACTICE, when=WHEN_ENFORCEMENT),
        Item(E.SENTENCE_REMAINING, None, r.sentence_remaining, TREATY_PRACTICE, when=WHEN_ENFORCEMENT),
        Item(E.LIMITATION_STATEMENT, None, r.limitation_statement, TREATY_PRACTICE),
        Item(E.EVIDENCE_SUMMARY, None, r.evidence_summary, STATE_REQUIREMENT, when=WHEN_EVIDENCE),
        Item(E.ASSURANCES, None, r.assurances, STATE_REQUIREMENT, when=WHEN_ASSURANCES),
    ),
    T.PROVISIONAL_ARREST.value: _table(
        Item(E.REQUESTING_AUTHORITY, None, r.requesting_authority, TREATY_PRACTICE),
        *_extradition_core("16(9)", TREATY_PRACTICE),
        Item(E.LANGUAGE, None, r.language, STATE_REQUIREMENT, when=WHEN_STATE_LANGUAGES),
        Item(E.TRANSLATION, None, r.translation, STATE_REQUIREMENT, when=WHEN_STATE_LANGUAGES),
        Item(E.CONFIDENTIALITY_REASONS, None, r.confidentiality_reasons, when=WHEN_CONFIDENTIAL),
        Item(E.URGENCY_REASONS, "16(9)", r.urgency_required),
        Item(E.DEADLINE_REASONS, None, r.deadline_reasons, when=WHEN_DEADLINE),
        Item(E.CONTACT_PERSON, None, r.contact_person),
        Item(E.ARREST_WARRANT, "16(9)", r.arrest_warrant_or_judgment),
        Item(E.UNDERTAKING_FORMAL_REQUEST, "16(9)", r.undertaking_formal_request),
    ),
    T.TRANSFER_OF_PROCEEDINGS.value: _table(
        Item(E.REQUESTING_AUTHORITY, None, r.requesting_authority),
        Item(E.SUBJECT_AND_NATURE, None, r.subject_and_nature),
        Item(E.FACTS_SUMMARY, None, r.facts_summary),
        Item(E.PERSON_IDENTITY, None, r.person_identity_accused),
        Item(E.PURPOSE, None, r.purpose),
        Item(E.OFFENCE_PROVISIONS, None, r.offence_provisions),
        *_formalities(False, language_article=None),
        Item(
            E.DUAL_CRIMINALITY_STATEMENT,
            None,
            r.dual_criminality_if_required,
            STATE_REQUIREMENT,
            when=WHEN_DUAL_STATE,
        ),
    ),
    T.TRANSFER_OF_SENTENCED_PERSON.value: _table(
        Item(E.REQUESTING_AUTHORITY, None, r.requesting_authority),
        Item(E.PERSON_IDENTITY, None, r.sentenced_person_identity, TREATY_PRACTICE),
        Item(E.PURPOSE, None, r.purpose),
        Item(E.OFFENCE_PROVISIONS, None, r.offence_provisions),
        *_formalities(False, language_article=None),
        Item(
            E.DUAL_CRIMINALITY_STATEMENT,
            None,
            r.dual_criminality_if_required,
            STATE_REQUIREMENT,
            when=WHEN_DUAL_STATE,
        ),
        Item(E.OFFENCE_DESCRIPTION, None, r.offence_description, TREATY_PRACTICE),
        Item(E.CONVICTION_JUDGMENT, None, r.conviction_judgment, TREATY_PRACTICE),
        Item(E.SENTENCE_REMAINING, None, r.sentence_remaining, TREATY_PRACTICE),
    ),
    T.SPONTANEOUS_INFORMATION.value: _table(
        Item(E.REQUESTING_AUTHORITY, "18(4)", r.requesting_authority),
        Item(E.SUBJECT_AND_NATURE, "18(4)", r.subject_only),
        Item(E.FACTS_SUMMARY, "18(4)", r.facts_summary),
        Item(E.PERSON_IDENTITY, None, r.person_identity_where_possible, when=WHEN_POSSIBLE),
        Item(E.PURPOSE, "18(4)", r.purpose),
        Item(E.LANGUAGE, "18(14)", r.language, STATE_REQUIREMENT, when=WHEN_STATE_LANGUAGES),
        Item(E.TRANSLATION, "18(14)", r.translation, STATE_REQUIREMENT, when=WHEN_STATE_LANGUAGES),
        Item(E.CONFIDENTIALITY_REASONS, "18(5)", r.confidentiality_reasons, when=WHEN_CONFIDENTIAL),
        Item(E.CONTACT_PERSON, None, r.contact_person),
    ),
}


def checklist(request_type: str, measures: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The elements a request of this type (seeking these measures) must contain, in order.

    Each is {"code", "article", "label", "when"}: `article` is the UNTOC article or None (then
    `source` says where the requirement comes from), `label` and `when` (the condition under which
    the element is asked for, or None) are lazy translations. Raises KeyError for an unknown type.
    """
    sought = tuple(str(m) for m in measures)
    return [
        {
            "code": item.code.value,
            "article": item.article,
            "label": LABELS[item.code],
            "when": item.when,
            "source": None if item.article else item.source,
        }
        for item in TABLES[str(request_type)]
        if item.applies_to(sought)
    ]
