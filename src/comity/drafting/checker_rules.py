"""The completeness rules: one small function per checklist element, each citing its article.

A rule reads a `Ctx` (the document, the requested State's requirements and values derived from
them once) and returns what is missing, in plain English and without the citation, or None. Which
rules run for which request type, with which article, is the business of the tables in
`comity.drafting.checklists` (the decisions behind them are written there); the checker
(`comity.drafting.checker`) runs them. Article numbers are UNTOC's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from comity.drafting.profile import YES, RequestedStateRequirements, SubjectProfile
from comity.drafting.schema import Person, PersonRole, ProceedingType, RequestDocument, WarrantRef
from comity.vocabulary import Measure as M
from comity.vocabulary import RequestType as T

# Measures that concern a person who must be named (18(15)(e)).
PERSON_MEASURES = frozenset(
    {
        M.TAKING_EVIDENCE.value,
        M.SERVICE_OF_DOCUMENTS.value,
        M.FACILITATE_APPEARANCE.value,
        M.VIDEOCONFERENCE_HEARING.value,
        M.TRANSFER_OF_DETAINED_PERSON.value,
    }
)
# Measures that coerce (a dual criminality statement; a court order where the State requires one).
COERCIVE_MEASURES = frozenset(
    {
        M.SEARCH_AND_SEIZURE.value,
        M.BANK_RECORDS.value,
        M.PRODUCTION_OF_STORED_DATA.value,
        M.REAL_TIME_TRAFFIC_DATA.value,
        M.TRANSFER_OF_DETAINED_PERSON.value,
        M.CONTROLLED_DELIVERY.value,
    }
)
DATA_MEASURES = frozenset(
    m.value for m in (M.PRESERVATION_OF_STORED_DATA, M.PRODUCTION_OF_STORED_DATA, M.REAL_TIME_TRAFFIC_DATA)
)
SERVICE_ONLY = frozenset({M.SERVICE_OF_DOCUMENTS.value})
EVIDENCE_STANDARDS = frozenset({"summary_of_evidence", "prima_facie_case"})


@dataclasses.dataclass(frozen=True, slots=True)
class Ctx:
    """What a rule reads: the document, the requirements, and values derived from them once."""

    doc: RequestDocument
    req: RequestedStateRequirements | None
    type: str
    measures: tuple[str, ...]  # measure codes, in the document's order
    profile: SubjectProfile | None  # the profile for the request type (with fallbacks)

    @classmethod
    def of(cls, doc: RequestDocument, req: RequestedStateRequirements | None) -> Ctx:
        rtype = str(doc.request_type)
        return cls(
            doc=doc,
            req=req,
            type=rtype,
            measures=tuple(str(m.measure) for m in doc.measures),
            profile=req.for_request(rtype) if req is not None else None,
        )

    @property
    def service_only(self) -> bool:
        return bool(self.measures) and set(self.measures) <= SERVICE_ONLY

    @property
    def state(self) -> str:
        if self.req is not None and self.req.name:
            return f"{self.req.name} ({self.req.state})"
        return f"the requested State ({self.doc.requested_state})"

    def measure_profile(self, measure: str) -> SubjectProfile | None:
        return self.req.for_measure(measure, self.type) if self.req is not None else None

    @property
    def enforcement(self) -> bool:
        """Extradition (or transfer) to enforce a sentence rather than to prosecute."""
        ext = self.doc.extradition
        if ext is not None and ext.purpose is not None:
            return ext.purpose == "enforcement"
        proceeding = self.doc.proceeding
        return proceeding is not None and proceeding.type == ProceedingType.ENFORCEMENT.value


Rule = Callable[[Ctx], str | None]


# --- helpers ---------------------------------------------------------------------------------


def _has(value: str | None) -> bool:
    return value is not None and value.strip() != ""


def _lacking(*checks: tuple[str, bool]) -> list[str]:
    """The labels of the checks that failed."""
    return [label for label, present in checks if not present]


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _warrant_complete(ref: WarrantRef | None) -> bool:
    return ref is not None and _has(ref.issued_by) and ref.date is not None


def _people(ctx: Ctx, role: PersonRole) -> list[Person]:
    return [p for p in ctx.doc.persons if p.role == role.value]


def _measures(ctx: Ctx, codes: frozenset[str]) -> list[tuple[int, str]]:
    """(1-based position, code) of the measures sought among `codes`."""
    return [(i, m) for i, m in enumerate(ctx.measures, 1) if m in codes]


# --- 18(15): every request -------------------------------------------------------------------


def requesting_authority(ctx: Ctx) -> str | None:
    """18(15)(a): the identity of the authority making the request."""
    authority = ctx.doc.requesting_authority
    if authority is None or not _has(authority.name):
        return "The request does not name the authority making it"
    return None


def subject_and_nature(ctx: Ctx) -> str | None:
    """18(15)(b): subject matter and nature of the proceeding, and the name and functions of the
    authority conducting it."""
    p = ctx.doc.proceeding
    lacking = []
    if p is None or not _has(p.subject_and_nature):
        lacking.append("the subject matter and nature of the proceeding")
    if p is None or not _has(p.conducting_authority):
        lacking.append("the name of the authority conducting it")
    if p is None or not _has(p.conducting_authority_functions):
        lacking.append("that authority's functions")
    return f"The request does not give {_join(lacking)}" if lacking else None


def subject_only(ctx: Ctx) -> str | None:
    """18(4): what the information is about (spontaneous information needs no proceeding)."""
    p = ctx.doc.proceeding
    if p is None or not _has(p.subject_and_nature):
        return "The information does not say what criminal matter it relates to"
    return None


def facts_summary(ctx: Ctx) -> str | None:
    """18(15)(c): a summary of the relevant facts, except when only service of documents is sought."""
    if ctx.service_only or _has(ctx.doc.facts_summary):
        return None
    return "The request has no summary of the relevant facts"


def assistance_description(ctx: Ctx) -> str | None:
    """18(15)(d): the assistance sought (the measures), each described, with any procedure."""
    if not ctx.doc.measures:
        return "The request does not say what assistance is sought: add the measures"
    bare = [f"{i} ({m.measure})" for i, m in enumerate(ctx.doc.measures, 1) if not _has(m.description)]
    if bare:
        return f"Measure {_join(bare)} is not described: say exactly what is asked"
    return None


def person_identity_mla(ctx: Ctx) -> str | None:
    """18(15)(e): where possible, the identity of the persons concerned; a measure that concerns a
    person (hearing, service, transfer, appearance) needs at least one named person."""
    concerned = _measures(ctx, PERSON_MEASURES)
    if not concerned or any(_has(p.name) for p in ctx.doc.persons):
        return None
    return f"Measure {concerned[0][0]} ({concerned[0][1]}) concerns a person, but no person is named"


def person_identity_where_possible(ctx: Ctx) -> str | None:
    """18(15)(e): where possible — never missing; incomplete persons are warnings (checker)."""
    return None


def person_identity_accused(ctx: Ctx) -> str | None:
    """Art. 21 (good practice): the suspect or accused whose proceedings are transferred, by name."""
    roles = {PersonRole.SUSPECT.value, PersonRole.ACCUSED.value}
    if any(p.role in roles and _has(p.name) for p in ctx.doc.persons):
        return None
    return "The request does not name the suspect or accused person whose proceedings are transferred"


def _identity(people: list[Person], who: str) -> str | None:
    if not people:
        return f"The request does not identify the {who}"
    person = people[0]
    lacking = _lacking(
        ("name", _has(person.name)),
        ("date of birth", person.date_of_birth is not None),
        ("nationality", bool(person.nationalities)),
    )
    return (
        f"The {who}'s {_join(lacking)} {'is' if len(lacking) == 1 else 'are'} not given" if lacking else None
    )


def person_sought_identity(ctx: Ctx) -> str | None:
    """Extradition and 16(9): the person sought (role person_sought): name, date of birth, nationality."""
    return _identity(_people(ctx, PersonRole.PERSON_SOUGHT), "person sought")


def sentenced_person_identity(ctx: Ctx) -> str | None:
    """Art. 17 (treaty practice): the sentenced person: name, date of birth, nationality."""
    return _identity(_people(ctx, PersonRole.SENTENCED_PERSON), "sentenced person")


def purpose(ctx: Ctx) -> str | None:
    """18(15)(f): the purpose for which the evidence, information or action is sought."""
    return None if _has(ctx.doc.purpose) else "The request does not say for what purpose it is made"


# --- Good practice and requested-State requirements -------------------------------------------


def legal_basis(ctx: Ctx) -> str | None:
    """Good practice: the treaty (or UNTOC, or reciprocity) the request is made under."""
    return None if ctx.doc.legal_basis else "The request does not state its legal basis"


def offence_provisions(ctx: Ctx) -> str | None:
    """Good practice: the text of the law creating each offence and its maximum penalty (not for
    service of documents alone)."""
    if ctx.service_only:
        return None
    if not ctx.doc.offences:
        return "The request names no offence: give the provisions and the maximum penalty"
    lacking = [
        str(i)
        for i, o in enumerate(ctx.doc.offences, 1)
        if not _has(o.legal_provisions) or (o.max_penalty_years is None and not _has(o.max_penalty_text))
    ]
    if lacking:
        return f"Offence {_join(lacking)} lacks the text of the law or the maximum penalty"
    return None


def offence_provisions_text(ctx: Ctx) -> str | None:
    """Treaty practice: the text of the law creating each offence (the penalty is `penalty`)."""
    if not ctx.doc.offences:
        return "The request names no offence: give the text of the law"
    lacking = [str(i) for i, o in enumerate(ctx.doc.offences, 1) if not _has(o.legal_provisions)]
    return f"Offence {_join(lacking)} lacks the text of the law" if lacking else None


def language(ctx: Ctx) -> str | None:
    """18(14): in a language acceptable to the requested State (unknown languages: not checked)."""
    if ctx.req is None or ctx.req.accepts(ctx.doc.language) is not False:
        return None
    return f"The request is in '{ctx.doc.language}', which {ctx.state} does not accept (it accepts {', '.join(ctx.req.languages)})"


def translation(ctx: Ctx) -> str | None:
    """18(14): text typed in another language must be translated into an accepted one."""
    text_language = ctx.doc.text_language
    if ctx.req is None or text_language is None or text_language == ctx.doc.language:
        return None
    if ctx.req.accepts(text_language) is not False:
        return None
    return f"The text is in '{text_language}', which {ctx.state} does not accept: translate it into {', '.join(ctx.req.languages)}"


def confidentiality_reasons(ctx: Ctx) -> str | None:
    """18(20) (18(5) for spontaneous information): confidentiality asked for, with reasons."""
    c = ctx.doc.confidentiality
    if c is None or not c.required or _has(c.reasons):
        return None
    return "Confidentiality is requested without reasons"


def urgency_reasons(ctx: Ctx) -> str | None:
    """Good practice: urgency asked for, with reasons."""
    u = ctx.doc.urgency
    if u is None or not u.required or _has(u.reasons):
        return None
    return "Urgency is requested without reasons"


def urgency_required(ctx: Ctx) -> str | None:
    """16(9): provisional arrest is for urgent cases; the request must say why it is urgent."""
    u = ctx.doc.urgency
    if u is not None and u.required and _has(u.reasons):
        return None
    return "A provisional arrest request must be marked urgent and say why"


def deadline_reasons(ctx: Ctx) -> str | None:
    """18(24): a suggested deadline, with its reasons."""
    d = ctx.doc.deadline
    if d is None or d.date is None or _has(d.reasons):
        return None
    return f"A deadline ({d.date.isoformat()}) is suggested without reasons"


def contact_person(ctx: Ctx) -> str | None:
    """Good practice: a named contact person with a telephone number or e-mail address."""
    c = ctx.doc.contact
    if c is not None and _has(c.name) and (_has(c.phone) or _has(c.email)):
        return None
    return "The request gives no contact person with a telephone number or e-mail address"


def signature(ctx: Ctx) -> str | None:
    """Good practice (authenticity, 18(14)): signed by a named official, with function and date."""
    s = ctx.doc.signature
    if s is not None and _has(s.name) and _has(s.function) and s.date is not None:
        return None
    return "The request is not signed (name, function and date of the signatory)"


def _dual_criminality_text(ctx: Ctx) -> bool:
    return ctx.doc.statements is not None and _has(ctx.doc.statements.dual_criminality)


def dual_criminality_mla(ctx: Ctx) -> str | None:
    """18(9): the requested State may refuse without dual criminality; state it when its profile
    requires dual criminality or a coercive measure is sought."""
    if _dual_criminality_text(ctx):
        return None
    coercive = _measures(ctx, COERCIVE_MEASURES)
    required_by = [
        p.subject
        for p in (ctx.profile, *(ctx.measure_profile(m) for m in ctx.measures))
        if p is not None and p.dual_criminality_required == YES
    ]
    if required_by:
        return f"{ctx.state} requires dual criminality for {required_by[0]}, but the request has no dual criminality statement"
    if coercive:
        return f"Measure {coercive[0][0]} ({coercive[0][1]}) is coercive, but the request has no dual criminality statement"
    return None


def dual_criminality_always(ctx: Ctx) -> str | None:
    """Extradition (16(1)), confiscation and freezing: a dual criminality statement."""
    if _dual_criminality_text(ctx):
        return None
    return "The request has no dual criminality statement"


def dual_criminality_if_required(ctx: Ctx) -> str | None:
    """Requested State's requirement: a dual criminality statement where its profile asks for one."""
    if _dual_criminality_text(ctx) or ctx.profile is None or ctx.profile.dual_criminality_required != YES:
        return None
    return f"{ctx.state} requires dual criminality, but the request has no dual criminality statement"


def _court_order_text(ctx: Ctx) -> bool:
    return ctx.doc.statements is not None and _has(ctx.doc.statements.court_order)


def court_order_mla(ctx: Ctx) -> str | None:
    """Requested State's requirement: a coercive measure needs a judicial order where the profile
    for the measure (else for MLA) says judicial_order_for_coercive = yes."""
    if _court_order_text(ctx):
        return None
    for i, measure in _measures(ctx, COERCIVE_MEASURES):
        profile = ctx.measure_profile(measure)
        if profile is not None and profile.judicial_order_for_coercive == YES:
            return f"{ctx.state} requires a judicial order for coercive measures such as measure {i} ({measure}), but the request refers to none"
    return None


def court_order_freezing(ctx: Ctx) -> str | None:
    """Requested State's requirement: freezing is coercive; a judicial order where the profile says so."""
    if _court_order_text(ctx) or ctx.profile is None or ctx.profile.judicial_order_for_coercive != YES:
        return None
    return f"{ctx.state} requires a judicial order for coercive measures such as freezing, but the request refers to none"


def bank_details(ctx: Ctx) -> str | None:
    """18(3)(f): bank records need the bank, the account and the period."""
    for i, _code in _measures(ctx, frozenset({M.BANK_RECORDS.value})):
        b = ctx.doc.measures[i - 1].bank
        lacking = _lacking(
            ("bank", b is not None and _has(b.bank)),
            ("account", b is not None and _has(b.account)),
            ("period", b is not None and b.period_from is not None and b.period_to is not None),
        )
        if lacking:
            return f"Measure {i} (bank_records) does not give the {_join(lacking)}"
    return None


def data_details(ctx: Ctx) -> str | None:
    """Requested State's requirement: stored or traffic data need the provider, the identifiers,
    the period and the categories of data."""
    for i, code in _measures(ctx, DATA_MEASURES):
        d = ctx.doc.measures[i - 1].data
        lacking = _lacking(
            ("service provider", d is not None and _has(d.provider)),
            ("identifiers", d is not None and bool(d.identifiers)),
            ("period", d is not None and d.period_from is not None and d.period_to is not None),
            ("data categories", d is not None and bool(d.categories)),
        )
        if lacking:
            return f"Measure {i} ({code}) does not give the {_join(lacking)}"
    return None


def videoconference_details(ctx: Ctx) -> str | None:
    """18(18): who is to be heard, why not in person, and which authority conducts the hearing."""
    for i, _code in _measures(ctx, frozenset({M.VIDEOCONFERENCE_HEARING.value})):
        v = ctx.doc.measures[i - 1].videoconference
        lacking = _lacking(
            ("person to be heard", v is not None and _has(v.person)),
            (
                "reason why the person cannot appear in person",
                v is not None and _has(v.why_not_in_person),
            ),
            ("authority conducting the hearing", v is not None and _has(v.conducting_authority)),
        )
        if lacking:
            return f"Measure {i} (videoconference_hearing) does not give the {_join(lacking)}"
    return None


def transfer_conditions(ctx: Ctx) -> str | None:
    """18(10)-(12): the person's free and informed consent, custody conditions, the return date."""
    for i, _code in _measures(ctx, frozenset({M.TRANSFER_OF_DETAINED_PERSON.value})):
        t = ctx.doc.measures[i - 1].transfer
        lacking = _lacking(
            ("person", t is not None and _has(t.person)),
            ("person's consent (18(10)(a))", t is not None and t.consent is True),
            ("custody conditions (18(11)(a))", t is not None and _has(t.custody_conditions)),
            ("return date (18(11)(b))", t is not None and t.return_by is not None),
        )
        if lacking:
            return f"Measure {i} (transfer_of_detained_person) does not give the {_join(lacking)}"
    return None


# --- Confiscation, 13(3) -----------------------------------------------------------------------


def property_description(ctx: Ctx) -> str | None:
    """13(3)(a): a description of the property to be confiscated."""
    if not ctx.doc.property:
        return "The request does not describe the property to be confiscated"
    bare = [str(i) for i, p in enumerate(ctx.doc.property, 1) if not _has(p.description)]
    return f"Property item {_join(bare)} is not described" if bare else None


def facts_statement(ctx: Ctx) -> str | None:
    """13(3)(a)-(c): a statement of the facts relied upon, enough for the requested State to act."""
    c = ctx.doc.confiscation
    if c is not None and _has(c.facts_statement):
        return None
    return "The request has no statement of the facts relied upon for confiscation"


def confiscation_order_copy(ctx: Ctx) -> str | None:
    """13(3)(b): a legally admissible copy of the confiscation order (who issued it, when)."""
    c = ctx.doc.confiscation
    if c is not None and _warrant_complete(c.confiscation_order):
        return None
    return "The request does not identify the confiscation order (issuing court and date)"


def execution_extent(ctx: Ctx) -> str | None:
    """13(3)(b): the extent to which execution of the order is requested."""
    c = ctx.doc.confiscation
    if c is not None and _has(c.execution_extent):
        return None
    return "The request does not say to what extent the order is to be executed"


def actions_requested(ctx: Ctx) -> str | None:
    """13(3)(c): a description of the actions requested (identify, trace, freeze, seize)."""
    c = ctx.doc.confiscation
    if c is not None and _has(c.actions_requested):
        return None
    return "The request does not describe the actions requested"


# --- Extradition and provisional arrest (treaty practice; 16(9)) ------------------------------


def person_location(ctx: Ctx) -> str | None:
    """Treaty practice: where the person sought is believed to be."""
    sought = _people(ctx, PersonRole.PERSON_SOUGHT)
    if sought and _has(sought[0].location):
        return None
    return "The request does not say where the person sought is"


def offence_description(ctx: Ctx) -> str | None:
    """Treaty practice, 16(9): a description of each offence (time, place, conduct)."""
    if not ctx.doc.offences:
        return "The request does not describe the offence"
    bare = [str(i) for i, o in enumerate(ctx.doc.offences, 1) if not _has(o.description)]
    return f"Offence {_join(bare)} is not described" if bare else None


def penalty(ctx: Ctx) -> str | None:
    """Treaty practice, 16(7), 16(9): the maximum penalty for each offence."""
    if not ctx.doc.offences:
        return "The request gives no offence and so no penalty"
    bare = [
        str(i)
        for i, o in enumerate(ctx.doc.offences, 1)
        if o.max_penalty_years is None and not _has(o.max_penalty_text)
    ]
    return f"The maximum penalty for offence {_join(bare)} is not given" if bare else None


def arrest_warrant(ctx: Ctx) -> str | None:
    """Treaty practice: for prosecution, the arrest warrant (issuing authority and date)."""
    if ctx.enforcement:
        return None
    ext = ctx.doc.extradition
    if ext is not None and _warrant_complete(ext.arrest_warrant):
        return None
    return "The request does not identify the arrest warrant (issuing authority and date)"


def arrest_warrant_or_judgment(ctx: Ctx) -> str | None:
    """16(9): provisional arrest rests on an arrest warrant or a conviction judgment."""
    ext = ctx.doc.extradition
    if ext is not None and (
        _warrant_complete(ext.arrest_warrant) or _warrant_complete(ext.conviction_judgment)
    ):
        return None
    return "The request does not identify the arrest warrant or judgment (issuing authority and date)"


def conviction_judgment(ctx: Ctx) -> str | None:
    """Treaty practice: for enforcement (and transfer of a sentenced person), the judgment."""
    if ctx.type == T.EXTRADITION.value and not ctx.enforcement:
        return None
    ext = ctx.doc.extradition
    if ext is not None and _warrant_complete(ext.conviction_judgment):
        return None
    return "The request does not identify the conviction judgment (court and date)"


def sentence_remaining(ctx: Ctx) -> str | None:
    """Treaty practice: for enforcement (and transfer of a sentenced person), the sentence left."""
    if ctx.type == T.EXTRADITION.value and not ctx.enforcement:
        return None
    ext = ctx.doc.extradition
    if ext is not None and _has(ext.sentence_remaining):
        return None
    return "The request does not say how much of the sentence remains to be served"


def limitation_statement(ctx: Ctx) -> str | None:
    """Treaty practice (a ground of refusal under 16(7)): prosecution or enforcement is not time-barred."""
    ext = ctx.doc.extradition
    if ext is not None and _has(ext.limitation_statement):
        return None
    return "The request does not state that prosecution or enforcement is not time-barred"


def evidence_summary(ctx: Ctx) -> str | None:
    """Requested State's requirement (16(8)): a summary of the evidence where its standard asks for one."""
    if ctx.profile is None or ctx.profile.evidentiary_standard not in EVIDENCE_STANDARDS:
        return None
    ext = ctx.doc.extradition
    if ext is not None and _has(ext.evidence_summary):
        return None
    standard = ctx.profile.evidentiary_standard.replace("_", " ")
    return f"{ctx.state} requires a {standard}, but the request has no summary of the evidence"


def assurances(ctx: Ctx) -> str | None:
    """Requested State's requirement: the assurances its profile asks for."""
    if ctx.profile is None or not ctx.profile.assurances_required:
        return None
    ext = ctx.doc.extradition
    if ext is not None and _has(ext.assurances):
        return None
    return f"{ctx.state} requires assurances ({ctx.profile.assurances_required.rstrip('.')}), but the request gives none"


def undertaking_formal_request(ctx: Ctx) -> str | None:
    """16(9): the undertaking to send the formal extradition request in time."""
    ext = ctx.doc.extradition
    if ext is not None and _has(ext.undertaking_formal_request):
        return None
    return "The request does not undertake to send the formal extradition request"
