"""The rules of the legal-basis engine, one function per rule, each citing its article(s).

Article numbers are those of the UN Convention against Transnational Organized Crime (UNTOC),
paraphrased in ../shared/domain/untoc-rules.md. Every rule reads a `Context` (the query, the facts
snapshot and today's date) and returns a `Result`: warnings (vocabulary codes), bases, the reasons
why UNTOC does not apply, and the assumptions made where the data or the query is silent.

Unknown inputs are assumed to meet the condition they are needed for, and the assumption is
said: the answer is "UNTOC applies if ...", never a silent yes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from comity.directory.enums import (
    AuthorityFunction,
    ExtraditionOfNationals,
    TreatyScope,
    TreatySubject,
    TriState,
)
from comity.directory.legal_basis.facts import CentralAuthority, Instrument
from comity.directory.legal_basis.outcome import Basis, Context, Result
from comity.vocabulary import CooperationType as T
from comity.vocabulary import LegalBasisKind as K
from comity.vocabulary import WarningCode as W

SERIOUS_CRIME_YEARS = 4  # art. 2(b)
KIND_FOR_SCOPE = {
    TreatyScope.BILATERAL.value: K.BILATERAL_TREATY.value,
    TreatyScope.REGIONAL.value: K.REGIONAL_TREATY.value,
    TreatyScope.MULTILATERAL.value: K.MULTILATERAL_TREATY.value,
}
KIND_ORDER = {kind: i for i, kind in enumerate(K.values)}
# The UNTOC articles that govern each cooperation type (art. 17 gives no basis of its own).
UNTOC_ARTICLES: dict[str, tuple[str, ...]] = {
    T.MLA.value: ("18",),
    T.EXTRADITION.value: ("16",),
    T.CONFISCATION.value: ("13", "14"),
    T.TRANSFER_OF_PROCEEDINGS.value: ("21",),
}
CENTRAL_FUNCTION = {
    T.MLA.value: AuthorityFunction.CENTRAL_MLA.value,
    T.EXTRADITION.value: AuthorityFunction.CENTRAL_EXTRADITION.value,
    T.CONFISCATION.value: AuthorityFunction.CENTRAL_CONFISCATION.value,
    T.TRANSFER_OF_PROCEEDINGS.value: AuthorityFunction.CENTRAL_MLA.value,
    T.TRANSFER_OF_SENTENCED_PERSONS.value: AuthorityFunction.CENTRAL_TRANSFER_SENTENCED.value,
}
# Subjects that say which cooperation a treaty governs (as opposed to what offences it is about).
COOPERATION_SUBJECTS = frozenset(str(v) for v in T.values)


def _latest(*dates: dt.date | None) -> dt.date | None:
    """The later of dates, or None when one of them is not known."""
    if any(d is None for d in dates):
        return None
    return max(d for d in dates if d is not None)


def _years(value: float) -> str:
    return f"{value:g} year{'' if value == 1 else 's'}"


# --- Art. 38: entry into force ---------------------------------------------------------------


def untoc_entry_into_force(ctx: Context) -> Result:
    """Art. 38 (and 36-37): UNTOC binds a State from the 30th day after it deposits its instrument
    (the Convention itself from 29 September 2003). Signatories and parties reported but not
    confirmed are not bound. A party whose date is not recorded counts as bound, with a note; for a
    date in the past that is a warning (in_force_date_unknown)."""
    result = Result()
    untoc = ctx.facts.untoc
    for side, state, code in (
        ("requesting", ctx.query.requesting, W.UNTOC_NOT_IN_FORCE_REQUESTING.value),
        ("requested", ctx.query.requested, W.UNTOC_NOT_IN_FORCE_REQUESTED.value),
    ):
        who = ctx.name(state)
        if untoc is None or state not in untoc.bound:
            status = ctx.facts.untoc_status.get(state)
            why = {
                "signatory": "has signed UNTOC but is not a party; signature alone does not bind it",
                "reported_not_confirmed": "is reported as a party to UNTOC, but this is not confirmed, so it is not treated as one",
            }.get(status or "", "is not a party to UNTOC")
            result.warn(code, "38", f"The {side} State, {who}, {why} (art. 38).", excludes_untoc=True)
            continue
        bound, since = untoc.binding(state, ctx.day)
        if not bound:
            when = since or untoc.in_force_on
            result.warn(
                code,
                "38",
                f"UNTOC is not in force for the {side} State, {who}, on {ctx.day.isoformat()}: it binds it from {when} (art. 38).",
                excludes_untoc=True,
            )
        elif since is None:
            result.assumptions.append(
                f"UNTOC records {who} as a party without the date it became bound; treated as bound on {ctx.day.isoformat()} (art. 38)."
            )
            if ctx.past:
                result.warn(
                    W.IN_FORCE_DATE_UNKNOWN.value,
                    "38",
                    f"{who} is a party to UNTOC, but the date it became bound is not recorded; check that it was bound on {ctx.day.isoformat()} (art. 38).",
                )
    return result


# --- Arts 2(b), 3: scope; 16(1), 18(1) -------------------------------------------------------


def untoc_scope(ctx: Context) -> Result:
    """Art. 3(1): UNTOC covers offences under arts 5, 6, 8 and 23 and serious crime (2(b): a
    maximum penalty of at least four years) that are transnational (3(2)) and involve an organized
    criminal group. For MLA, reasonable grounds to suspect both are enough (18(1)). For extradition,
    art. 16 also covers an art. 3(1) offence involving an organized criminal group when the person
    sought is in the requested State, transnational or not (16(1))."""
    result = Result()
    q = ctx.query
    mla = ctx.type == T.MLA.value
    if q.offence_article is not None:
        pass  # an art. 5, 6, 8 or 23 offence is covered whatever its penalty (3(1)(a))
    elif q.max_penalty_requesting is None:
        result.assumptions.append(
            "Maximum penalty in the requesting State not given: assumed to be at least four years, or the offence to be one under art. 5, 6, 8 or 23 (arts 2(b), 3(1))."
        )
    elif q.max_penalty_requesting < SERIOUS_CRIME_YEARS:
        result.warn(
            W.NOT_SERIOUS_CRIME.value,
            "2(b), 3(1)",
            f"The maximum penalty in {ctx.name(q.requesting)} is {_years(q.max_penalty_requesting)}: a serious crime needs at least four years (art. 2(b)), and no art. 5, 6, 8 or 23 offence was given (art. 3(1)).",
            excludes_untoc=True,
        )

    if q.transnational is False:
        if ctx.type == T.EXTRADITION.value and q.organized_group is not False:
            result.assumptions.append(
                "No transnational element, but art. 16 applies to an art. 3(1) offence involving an organized criminal group when the person sought is in the requested State (16(1)); assumed the person is there."
            )
        elif mla:
            result.warn(
                W.NOT_TRANSNATIONAL.value,
                "3(2), 18(1)",
                "There are no reasonable grounds to suspect that the offence is transnational (committed, prepared, directed or felt in more than one State, or with victims, witnesses, proceeds or evidence in the requested State) (arts 3(2), 18(1)).",
                excludes_untoc=True,
            )
        else:
            result.warn(
                W.NOT_TRANSNATIONAL.value,
                "3(1), 3(2)",
                "The offence is not transnational: it was committed, prepared, directed and felt in one State only (arts 3(1), 3(2)).",
                excludes_untoc=True,
            )
    elif q.transnational is None:
        result.assumptions.append(
            "Transnational element not stated: assumed present"
            + (
                " (reasonable grounds to suspect it are enough for MLA, art. 18(1))."
                if mla
                else " (art. 3(2))."
            )
        )

    if q.organized_group is False:
        result.warn(
            W.NO_ORGANIZED_GROUP.value,
            "3(1), 18(1)" if mla else "3(1)",
            "There are no reasonable grounds to suspect the involvement of an organized criminal group (arts 3(1), 18(1))."
            if mla
            else "No organized criminal group (three or more persons acting together for a material benefit, art. 2(a)) is involved (art. 3(1)).",
            excludes_untoc=True,
        )
    elif q.organized_group is None:
        result.assumptions.append(
            "Involvement of an organized criminal group not stated: assumed"
            + (
                " (reasonable grounds to suspect it are enough for MLA, art. 18(1))."
                if mla
                else " (arts 2(a), 3(1))."
            )
        )
    return result


# --- Arts 16(1), 18(9): dual criminality -----------------------------------------------------


def dual_criminality(ctx: Context) -> Result:
    """Art. 16(1): article 16 applies only if the offence is punishable under the law of both
    States. Art. 18(9): for MLA (and confiscation, 13(3)) the requested State may refuse for absence
    of dual criminality, but may still assist at its discretion."""
    result = Result()
    q = ctx.query
    absent = [
        s
        for s, p in ((q.requesting, q.max_penalty_requesting), (q.requested, q.max_penalty_requested))
        if p == 0
    ]
    if not absent:
        if q.max_penalty_requested is None:
            article = {
                T.EXTRADITION.value: ", 16(1)",
                T.MLA.value: ", 18(9)",
                T.CONFISCATION.value: ", 18(9)",
            }
            result.assumptions.append(
                f"Penalty in {ctx.name(q.requested)} not given: assumed the conduct is an offence there too (dual criminality{article.get(ctx.type, '')})."
            )
        return result
    where = " and ".join(ctx.name(s) for s in absent)
    requested = ctx.name(q.requested)
    if ctx.type == T.EXTRADITION.value:
        result.warn(
            W.DUAL_CRIMINALITY_ABSENT.value,
            "16(1)",
            f"The conduct is not punishable in {where}: article 16 applies only to offences punishable under the law of both States (16(1)).",
            excludes_untoc=True,
        )
        return result
    if ctx.type in (T.MLA.value, T.CONFISCATION.value):
        profile = ctx.facts.profiles.get((q.requested, T.MLA.value))
        stance = {
            TriState.YES.value: f" {requested} records that it requires dual criminality for MLA.",
            TriState.NO.value: f" {requested} records that it does not require dual criminality for MLA.",
        }.get(profile.dual_criminality_required if profile else "", "")
        via = " (confiscation requests follow article 18, 13(3))" if ctx.type == T.CONFISCATION.value else ""
        result.warn(
            W.DUAL_CRIMINALITY_ABSENT.value,
            "18(9)",
            f"The conduct is not punishable in {where}: {requested} may refuse for absence of dual criminality, but may still assist at its discretion (18(9)){via}.{stance}",
        )
        return result
    result.warn(
        W.DUAL_CRIMINALITY_ABSENT.value,
        None,
        f"The conduct is not punishable in {where}; instruments on transfers usually require it to be an offence in both States.",
    )
    return result


# --- Treaties other than UNTOC ---------------------------------------------------------------


def treaty_covers(instrument: Instrument, cooperation_type: str, offence_article: int | None) -> bool:
    """Whether a treaty governs this cooperation. Its subjects must name the cooperation type.
    A corruption treaty (subject `corruption`, e.g. UNCAC) counts only for corruption, i.e. an
    art. 8 offence, and then for the types it names in its subjects or articles (all of them when
    it names none)."""
    if TreatySubject.CORRUPTION.value in instrument.subjects:
        if offence_article != 8:
            return False
        named = (instrument.subjects | set(instrument.articles)) & COOPERATION_SUBJECTS
        return not named or cooperation_type in named
    return cooperation_type in instrument.subjects


def treaty_bases(ctx: Context, *, untoc_applies: bool) -> Result:
    """Bilateral, regional and multilateral treaties (other than UNTOC) in force for both States
    on the date and covering the cooperation type (`treaty_covers`). Art. 16(3): offences covered
    by UNTOC are deemed included as extraditable offences in extradition treaties between States
    Parties. Where a State's date is not recorded the treaty is offered with in_force_since null,
    and with in_force_date_unknown for a date in the past."""
    result = Result()
    q = ctx.query
    common = ctx.facts.treaties_of.get(q.requesting, frozenset()) & ctx.facts.treaties_of.get(
        q.requested, frozenset()
    )
    for code in sorted(common):
        instrument = ctx.facts.treaties[code]
        if not treaty_covers(instrument, ctx.type, q.offence_article):
            continue
        binding = [(state, *instrument.binding(state, ctx.day)) for state in (q.requesting, q.requested)]
        if not all(bound for _, bound, _ in binding):
            continue
        unknown = [state for state, _, since in binding if since is None]
        notes = []
        if unknown:
            who = " and ".join(ctx.name(s) for s in unknown)
            notes.append(f"The date {instrument.code} became binding on {who} is not recorded.")
            if ctx.past:
                result.warn(
                    W.IN_FORCE_DATE_UNKNOWN.value,
                    None,
                    f"{instrument.title} binds {who}, but the date it became bound is not recorded; check that it was in force on {ctx.day.isoformat()}.",
                )
        if ctx.type == T.EXTRADITION.value and untoc_applies:
            notes.append(
                "The offences covered by UNTOC are deemed included in it as extraditable offences (UNTOC 16(3))."
            )
        result.bases.append(
            Basis(
                kind=KIND_FOR_SCOPE.get(instrument.scope, K.MULTILATERAL_TREATY.value),
                instrument=instrument.code,
                title=instrument.title,
                articles=instrument.articles.get(ctx.type, ()),
                in_force_since=_latest(*(since for _, _, since in binding)),
                note=" ".join(notes) or None,
            )
        )
    result.bases.sort(key=lambda b: (KIND_ORDER[b.kind], b.instrument or ""))
    return result


# --- Art. 18(7): MLA treaty or paragraphs 9-29 -----------------------------------------------


def mla_paragraphs_9_to_29(ctx: Context, bases: list[Basis]) -> str:
    """Art. 18(7): with an MLA treaty in force between the two States, that treaty governs and
    paragraphs 9-29 of article 18 apply only if both States agree; without one, paragraphs 9-29
    apply. Paragraphs 1-8 (incl. 18(8) on bank secrecy) apply in either case."""
    treaties = [b.instrument for b in bases if b.instrument is not None]
    if treaties:
        return f"An MLA treaty is in force between them ({', '.join(treaties)}): it governs the request, and paragraphs 9-29 of article 18 apply only if both States agree to use them instead (18(7)). Paragraphs 1-8 apply in any case."
    return "No MLA treaty is in force between them: paragraphs 9-29 of article 18 govern the request (18(7))."


# --- Arts 16(4)-(6): treaty-conditional extradition ------------------------------------------


def extradition_treaty_condition(ctx: Context, bases: list[Basis], *, untoc_applies: bool) -> Result:
    """Arts 16(4)-(6): a requested State that extradites only under a treaty and has none in force
    with the requesting State may take UNTOC as the basis, and says whether it does in a 16(5)
    notification; a State that needs no treaty recognises the offences as extraditable (16(6)).
    - declared no and no treaty in force: treaty_required_no_basis (16(4), 16(5));
    - notification made without saying whether UNTOC serves: untoc_basis_not_declared (16(5));
    - no 16(5) notification on record: assumed not treaty-conditional (16(6)), and said so."""
    result = Result()
    if ctx.type != T.EXTRADITION.value:
        return result
    requested = ctx.name(ctx.query.requested)
    declared = ctx.facts.extradition_basis.get(ctx.query.requested)
    if bases:
        return result  # a treaty is in force; 16(4) is not needed
    if declared is None:
        result.assumptions.append(
            f"{requested} has made no 16(5) notification on record: assumed it does not make extradition conditional on a treaty, so it treats the offences covered as extraditable (16(6))."
        )
    elif declared == TriState.NO.value:
        result.warn(
            W.TREATY_REQUIRED_NO_BASIS.value,
            "16(4), 16(5)",
            f"{requested} extradites only under a treaty, none is in force with {ctx.name(ctx.query.requesting)}, and it does not take UNTOC as the legal basis (16(4), 16(5)).",
        )
    elif declared == TriState.UNKNOWN.value and untoc_applies:
        result.warn(
            W.UNTOC_BASIS_NOT_DECLARED.value,
            "16(5)",
            f"{requested} makes extradition conditional on a treaty, none is in force with {ctx.name(ctx.query.requesting)}, and it has not said whether it takes UNTOC as the legal basis (16(5)); ask before relying on it.",
        )
    return result


# --- Arts 13, 16, 17, 18, 21: UNTOC as the basis ---------------------------------------------


def untoc_basis(ctx: Context, *, untoc_applies: bool, treaty_bases: list[Basis]) -> Result:
    """UNTOC as a legal basis when it applies (arts 3, 38): art. 18 for MLA (with the 18(7)
    note), art. 16 for extradition unless the requested State declared under 16(5) that it does
    not take the Convention as the basis, arts 13-14 for confiscation (13(6): a State that needs a
    treaty is to consider the Convention sufficient), art. 21 for transfer of proceedings. Art. 17
    only invites agreements: no basis for the transfer of sentenced persons."""
    result = Result()
    if not untoc_applies or ctx.facts.untoc is None:
        return result
    q = ctx.query
    if ctx.type == T.TRANSFER_OF_SENTENCED_PERSONS.value:
        result.assumptions.append(
            "Art. 17 only invites States to conclude agreements on the transfer of sentenced persons: UNTOC is not itself a legal basis for it."
        )
        return result
    declared = ctx.facts.extradition_basis.get(q.requested)
    requested = ctx.name(q.requested)
    if ctx.type == T.EXTRADITION.value:
        if declared == TriState.NO.value:
            return result
        note = {
            TriState.YES.value: f"{requested} takes UNTOC as the legal basis for extradition with States Parties (16(4), 16(5)).",
            TriState.UNKNOWN.value: f"{requested} requires a treaty and has not said whether UNTOC serves as one (16(5)).",
            None: f"No 16(5) notification by {requested} on record: assumed it does not require a treaty (16(6)).",
        }[declared]
    elif ctx.type == T.MLA.value:
        note = mla_paragraphs_9_to_29(ctx, treaty_bases)
    elif ctx.type == T.CONFISCATION.value:
        note = "Article 13, with article 18 applying mutatis mutandis (13(3)); a State that requires a treaty is to consider UNTOC a sufficient basis (13(6))."
    else:
        note = "Article 21 asks States Parties to consider transferring proceedings; whether UNTOC suffices as the basis depends on the law of both States."
    untoc = ctx.facts.untoc
    result.bases.append(
        Basis(
            kind=K.UNTOC.value,
            instrument=untoc.code,
            title=untoc.title,
            articles=untoc.articles.get(ctx.type) or UNTOC_ARTICLES[ctx.type],
            in_force_since=_latest(untoc.bound.get(q.requesting), untoc.bound.get(q.requested)),
            note=note,
        )
    )
    return result


# --- Art. 16(7), 16(10)-(11): the requested State's conditions for extradition ---------------


def minimum_penalty(ctx: Context) -> Result:
    """Art. 16(7): extradition is subject to the requested State's law and treaties, including its
    minimum penalty; below_minimum_penalty when a known maximum penalty falls short of it (a
    penalty of 0, not punishable, is a matter of dual criminality, 16(1))."""
    result = Result()
    if ctx.type != T.EXTRADITION.value:
        return result
    q = ctx.query
    requested = ctx.name(q.requested)
    profile = ctx.facts.profiles.get((q.requested, T.EXTRADITION.value))
    minimum = profile.minimum_penalty_months if profile else None
    if minimum is None:
        result.assumptions.append(
            f"No minimum penalty for extradition is recorded for {requested}; check its law (16(7))."
        )
        return result
    short = [
        (state, years)
        for state, years in ((q.requesting, q.max_penalty_requesting), (q.requested, q.max_penalty_requested))
        if years is not None and 0 < years * 12 < minimum  # 0: dual criminality, not penalty
    ]
    if short:
        penalties = "; ".join(f"{_years(y)} in {ctx.name(s)}" for s, y in short)
        result.warn(
            W.BELOW_MINIMUM_PENALTY.value,
            "16(7)",
            f"{requested} extradites only for offences punishable by at least {minimum} months; the maximum penalty is {penalties} (16(7)).",
        )
    elif q.max_penalty_requesting is None or q.max_penalty_requested is None:
        result.assumptions.append(
            f"Penalties not fully given: assumed they reach the minimum of {minimum} months that {requested} requires for extradition (16(7))."
        )
    return result


def nationals(ctx: Context) -> Result:
    """Arts 16(10), 16(11): a State may refuse to extradite its own national; if it refuses on that
    ground alone it must, at the requesting State's request, submit the case for prosecution
    (16(10)); surrender on condition of return to serve the sentence discharges that duty (16(11))."""
    result = Result()
    q = ctx.query
    if ctx.type != T.EXTRADITION.value or q.person_national_of != q.requested:
        return result
    requested = ctx.name(q.requested)
    profile = ctx.facts.profiles.get((q.requested, T.EXTRADITION.value))
    policy = profile.extradition_of_nationals if profile else ExtraditionOfNationals.UNKNOWN.value
    if policy == ExtraditionOfNationals.YES.value:
        result.assumptions.append(
            f"The person is a national of {requested}, which records that it extradites its nationals."
        )
        return result
    prosecute = "if it refuses on that ground alone it must, at your request, submit the case to its authorities for prosecution without undue delay (16(10))"
    message = {
        ExtraditionOfNationals.NO.value: f"The person is a national of {requested}, which does not extradite its nationals; {prosecute}.",
        ExtraditionOfNationals.CONDITIONAL.value: f"The person is a national of {requested}, which surrenders nationals only on condition that they are returned to serve the sentence (16(11)); otherwise {prosecute}.",
    }.get(
        policy,
        f"The person is a national of {requested}, which may refuse extradition on that ground; {prosecute}. Conditional surrender is possible (16(11)).",
    )
    result.warn(W.NATIONAL_OF_REQUESTED_STATE.value, "16(10), 16(11)", message)
    return result


# --- Art. 13(7): confiscation for offences not covered ---------------------------------------


def confiscation_coverage(ctx: Context, scope_reasons: list[str]) -> Result:
    """Art. 13(7): cooperation for confiscation may be refused if the offence is not covered by
    UNTOC (it is not serious crime or an art. 5, 6, 8 or 23 offence, not transnational, or no
    organized criminal group is involved, art. 3(1))."""
    result = Result()
    if ctx.type == T.CONFISCATION.value and scope_reasons:
        result.warn(
            W.OFFENCE_NOT_COVERED.value,
            "13(7)",
            f"The offence is not covered by UNTOC ({', '.join(scope_reasons)}), so {ctx.name(ctx.query.requested)} may refuse cooperation for confiscation (13(7)).",
        )
    return result


# --- Arts 16(15), 18(8), 18(22): grounds that are not grounds --------------------------------


def not_a_ground_reminders(ctx: Context, *, untoc_applies: bool) -> Result:
    """Reminders when UNTOC applies: fiscal matters are not a ground to refuse extradition (16(15))
    or MLA (18(22)); bank secrecy is not a ground to refuse MLA (18(8), even under an MLA treaty)."""
    result = Result()
    if not untoc_applies:
        return result
    if ctx.type == T.EXTRADITION.value:
        result.warn(
            W.FISCAL_NOT_A_GROUND.value,
            "16(15)",
            "Extradition may not be refused on the sole ground that the offence also involves fiscal matters (16(15)).",
        )
    elif ctx.type == T.MLA.value:
        result.warn(
            W.FISCAL_NOT_A_GROUND.value,
            "18(22)",
            "MLA may not be refused on the sole ground that the offence also involves fiscal matters (18(22)).",
        )
        result.warn(
            W.BANK_SECRECY_NOT_A_GROUND.value,
            "18(8)",
            "MLA may not be declined on the ground of bank secrecy (18(8)).",
        )
    return result


# --- Reciprocity ---------------------------------------------------------------------------


def reciprocity(ctx: Context) -> Result:
    """Reciprocity (comity): always offered last, as a fallback; whether it suffices depends on
    the requested State's domestic law (States that extradite only under a treaty, 16(5), do not
    accept it for extradition)."""
    requested = ctx.name(ctx.query.requested)
    note = f"Depends on the domestic law of {requested}: some States cooperate on an assurance of reciprocity, others only under a treaty."
    if ctx.type == T.EXTRADITION.value and ctx.facts.extradition_basis.get(ctx.query.requested) is not None:
        note += f" {requested} has notified that it extradites only under a treaty (16(5)), so reciprocity is unlikely to suffice."
    result = Result()
    result.bases.append(
        Basis(
            kind=K.RECIPROCITY.value,
            instrument=None,
            title="Reciprocity",
            articles=(),
            in_force_since=None,
            note=note,
        )
    )
    return result


# --- Arts 18(13), 18(14): where to send it and in which language -----------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RequestedState:
    languages: tuple[str, ...]
    central_authority: CentralAuthority | None
    channels: tuple[str, ...]
    assumptions: tuple[str, ...]


def requested_state_contacts(ctx: Context) -> RequestedState:
    """Art. 18(13): requests go to the requested State's central authority (for this cooperation
    type; else its MLA central authority). Art. 18(14): in a language it accepts, as declared to
    the Secretary-General; without a declaration on record, the languages its central authority
    accepts. Channels: those its central authorities for this type accept."""
    state = ctx.query.requested
    who = ctx.name(state)
    assumptions: list[str] = []
    everyone = ctx.facts.central_authorities.get(state, ())
    wanted = CENTRAL_FUNCTION[ctx.type]
    chosen = [a for a in everyone if wanted in a.functions]
    if not chosen and wanted != AuthorityFunction.CENTRAL_MLA.value:
        chosen = [a for a in everyone if AuthorityFunction.CENTRAL_MLA.value in a.functions]
        if chosen:
            assumptions.append(
                f"No central authority of {who} is recorded for this cooperation; giving its MLA central authority (18(13))."
            )
    if not chosen:
        assumptions.append(f"No central authority of {who} is recorded for this cooperation (18(13)).")
    authority = chosen[0] if chosen else None
    channels: list[str] = []
    for a in chosen:
        channels.extend(c for c in a.channels if c not in channels)
    languages = ctx.facts.declared_languages.get(state, ())
    if not languages:
        if authority is not None and authority.languages:
            languages = authority.languages
            assumptions.append(
                f"{who} has no 18(14) language declaration on record; languages are those its central authority accepts."
            )
        else:
            assumptions.append(
                f"No accepted languages are recorded for {who}; ask its central authority (18(14))."
            )
    return RequestedState(
        languages=tuple(languages),
        central_authority=authority,
        channels=tuple(channels),
        assumptions=tuple(assumptions),
    )
