"""What a requested State asks of a request, as plain values the completeness checker reads.

`requirements_for(iso3)` reads the directory once (the legal-basis facts snapshot for the State
and its accepted languages, one query for the requirement profiles, whose coercive-measure,
evidentiary and assurance fields the snapshot does not carry) and returns a frozen
`RequestedStateRequirements`; the checker (`comity.drafting.checker`) never touches the database.

Accepted languages are derived exactly as the legal-basis engine derives them for MLA
(`legal_basis.rules.requested_state_contacts`): the languages of the State's 18(14) declaration,
else those its central authority accepts; empty means unknown (the checker then checks no
language).

Profiles are per subject (a request type or a measure code). A request reads the profile of its
own type, else the closest one (`PROFILE_SUBJECTS`): provisional arrest falls back to extradition,
the confiscation types to `confiscation` then `mla` (art. 13(3) applies art. 18 mutatis
mutandis), transfer of proceedings to `mla`. A measure reads its own profile, else the request's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from comity.vocabulary import CooperationType, RequestType

YES = "yes"  # directory.enums.TriState.YES

# Request type -> the profile subjects that apply to it, most specific first.
PROFILE_SUBJECTS: dict[str, tuple[str, ...]] = {
    RequestType.MLA.value: (RequestType.MLA.value,),
    RequestType.EXTRADITION.value: (RequestType.EXTRADITION.value,),
    RequestType.PROVISIONAL_ARREST.value: (
        RequestType.PROVISIONAL_ARREST.value,
        RequestType.EXTRADITION.value,
    ),
    RequestType.CONFISCATION_DOMESTIC_ORDER.value: (
        RequestType.CONFISCATION_DOMESTIC_ORDER.value,
        CooperationType.CONFISCATION.value,
        RequestType.MLA.value,
    ),
    RequestType.CONFISCATION_ENFORCE_ORDER.value: (
        RequestType.CONFISCATION_ENFORCE_ORDER.value,
        CooperationType.CONFISCATION.value,
        RequestType.MLA.value,
    ),
    RequestType.FREEZING.value: (
        RequestType.FREEZING.value,
        CooperationType.CONFISCATION.value,
        RequestType.MLA.value,
    ),
    RequestType.TRANSFER_OF_PROCEEDINGS.value: (
        RequestType.TRANSFER_OF_PROCEEDINGS.value,
        RequestType.MLA.value,
    ),
    RequestType.TRANSFER_OF_SENTENCED_PERSON.value: (
        RequestType.TRANSFER_OF_SENTENCED_PERSON.value,
        CooperationType.TRANSFER_OF_SENTENCED_PERSONS.value,
    ),
    RequestType.SPONTANEOUS_INFORMATION.value: (RequestType.SPONTANEOUS_INFORMATION.value,),
}


@dataclasses.dataclass(frozen=True, slots=True)
class SubjectProfile:
    """A requirement profile of the requested State for one request type or measure.

    Tri-state fields hold "yes", "no" or "" (not known); `evidentiary_standard` is "none",
    "summary_of_evidence", "prima_facie_case" or "" (not known); `assurances_required` is the
    text of the assurances the State asks for ("" when none are recorded).
    """

    subject: str
    dual_criminality_required: str = ""
    judicial_order_for_coercive: str = ""
    minimum_penalty_months: int | None = None
    extradition_of_nationals: str = ""
    evidentiary_standard: str = ""
    assurances_required: str = ""
    special_requirements: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class RequestedStateRequirements:
    """The requirements of one requested State, as recorded in the directory."""

    state: str  # ISO3
    name: str = ""
    languages: tuple[str, ...] = ()  # accepted languages (ISO 639-1); empty: not known
    languages_declared: bool = False  # True: from an 18(14) declaration; False: central authority
    profiles: tuple[SubjectProfile, ...] = ()

    def profile(self, subject: str) -> SubjectProfile | None:
        """The profile recorded for exactly this subject, if any."""
        for profile in self.profiles:
            if profile.subject == subject:
                return profile
        return None

    def for_request(self, request_type: str) -> SubjectProfile | None:
        """The profile that applies to a request type: its own, else the closest one."""
        for subject in PROFILE_SUBJECTS.get(request_type, (request_type,)):
            profile = self.profile(subject)
            if profile is not None:
                return profile
        return None

    def for_measure(self, measure: str, request_type: str) -> SubjectProfile | None:
        """The profile that applies to a measure: its own, else the request type's."""
        return self.profile(measure) or self.for_request(request_type)

    def accepts(self, language: str) -> bool | None:
        """Whether a language is accepted; None when the accepted languages are not known."""
        if not self.languages:
            return None
        return language in self.languages

    @classmethod
    def build(
        cls,
        state: str,
        *,
        name: str = "",
        languages: Iterable[str] = (),
        languages_declared: bool = False,
        profiles: Iterable[SubjectProfile] = (),
    ) -> RequestedStateRequirements:
        """Requirements from plain values (profiles sorted by subject, so equal inputs are equal)."""
        return cls(
            state=state,
            name=name,
            languages=tuple(dict.fromkeys(languages)),
            languages_declared=languages_declared,
            profiles=tuple(sorted(profiles, key=lambda p: p.subject)),
        )


def requirements_for(iso3: str) -> RequestedStateRequirements | None:
    """The requested State's requirements from the directory; None when the State is not in it."""
    from comity.directory.legal_basis.facts import load_facts
    from comity.directory.legal_basis.outcome import Context
    from comity.directory.legal_basis.query import LegalBasisQuery, today
    from comity.directory.legal_basis.rules import requested_state_contacts
    from comity.directory.models import RequirementProfile

    code = iso3.strip().upper()
    facts = load_facts()
    if code not in facts.states:
        return None
    # The engine's own 18(13)/18(14) rule, asked about an MLA request to this State. The rule reads
    # only the requested State; the requesting one is a placeholder (a query needs two States).
    placeholder = "XXA" if code != "XXA" else "XXB"
    query = LegalBasisQuery(requesting=placeholder, requested=code, type=CooperationType.MLA.value)
    contacts = requested_state_contacts(Context(query=query, facts=facts, today=today()))
    rows = RequirementProfile.objects.filter(state__code=code).values_list(
        "subject",
        "dual_criminality_required",
        "judicial_order_for_coercive",
        "minimum_penalty_months",
        "extradition_of_nationals",
        "evidentiary_standard",
        "assurances_required",
        "special_requirements",
    )
    return RequestedStateRequirements.build(
        code,
        name=facts.states[code],
        languages=contacts.languages,
        languages_declared=bool(facts.declared_languages.get(code)),
        profiles=(
            SubjectProfile(
                subject=subject,
                dual_criminality_required=dual or "",
                judicial_order_for_coercive=judicial or "",
                minimum_penalty_months=months,
                extradition_of_nationals=nationals or "",
                evidentiary_standard=standard or "",
                assurances_required=(assurances or "").strip(),
                special_requirements=(special or "").strip(),
            )
            for subject, dual, judicial, months, nationals, standard, assurances, special in rows
        ),
    )
