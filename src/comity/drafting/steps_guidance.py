"""What each step of the editor shows beside the form: the checklist elements the step fills
(with the article that asks for them, and whether the checker finds them missing) and what the
requested State's directory entry asks for (its profile, its accepted languages).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comity.directory.enums import EvidentiaryStandard, ExtraditionOfNationals
from comity.drafting.checker import check_request
from comity.drafting.checklists import GOOD_PRACTICE, STATE_REQUIREMENT, TREATY_PRACTICE, checklist
from comity.drafting.models import Draft
from comity.drafting.profile import RequestedStateRequirements, SubjectProfile, requirements_for
from comity.drafting.schema import RequestDocument
from comity.drafting.steps import Step, step_of_code, steps_for
from comity.vocabulary import Measure
from comity.vocabulary import RequestType as T

YES = "yes"
EXTRADITION_TYPES = frozenset({T.EXTRADITION, T.PROVISIONAL_ARREST})
SOURCES: dict[str, Promise] = {
    GOOD_PRACTICE: gettext_lazy("good practice"),
    TREATY_PRACTICE: gettext_lazy("treaty practice"),
    STATE_REQUIREMENT: gettext_lazy("requested State's requirement"),
}
# Warning codes that are fixed on a step that is not named by a checklist code.
WARNING_STEPS = {"language_not_accepted": "attachments", "below_minimum_penalty": "offences"}


def cite(article: str | None, source: str | None) -> str:
    """“art. 18(15)(b)”, or where the requirement comes from."""
    if article:
        return _("art. %(article)s") % {"article": article}
    return str(SOURCES.get(source or "", source or ""))


@dataclass(frozen=True)
class Note:
    """Something the requested State asks for, and who says so."""

    text: str
    cite: str


@dataclass(frozen=True)
class Finding:
    code: str
    article: str | None
    message: str
    step: Step | None
    label: Any = ""  # the checklist element's translated label ("" for a warning code)


@dataclass
class DraftGuide:
    """The checklist, the requested State's requirements and the checker's result for a draft."""

    draft: Draft
    requirements: RequestedStateRequirements | None
    rows: list[dict[str, Any]]
    missing: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    complete: bool = False

    @property
    def state_name(self) -> str:
        return (self.requirements.name if self.requirements else "") or self.draft.document["requested_state"]

    def checklist_rows(self) -> list[dict[str, Any]]:
        """The checklist, each row with "cite" (article or source) and "missing"."""
        missing = {m.code for m in self.missing}
        return [
            {**row, "cite": cite(row["article"], row["source"]), "missing": row["code"] in missing}
            for row in self.rows
        ]

    def rows_for(self, step: Step) -> list[dict[str, Any]]:
        """Checklist rows filled on `step`."""
        return [
            row for row in self.checklist_rows() if step_of_code(self.draft.request_type, row["code"]) == step
        ]

    def missing_on(self, step: Step) -> int:
        return sum(1 for m in self.missing if m.step == step)


def draft_guide(draft: Draft) -> DraftGuide:
    document = draft.document
    measures = [m["measure"] for m in document.get("measures", [])]
    requirements = requirements_for(document["requested_state"])
    guide = DraftGuide(draft, requirements, checklist(draft.request_type, measures))
    result = check_request(RequestDocument.model_validate(document), requirements)
    guide.complete = bool(result["complete"])
    labels = {row["code"]: row["label"] for row in guide.rows}
    guide.missing = [_finding(draft, m, labels) for m in result["missing"]]
    guide.warnings = [_finding(draft, w, labels) for w in result["warnings"]]
    return guide


def _finding(draft: Draft, raw: dict[str, Any], labels: dict[str, Any]) -> Finding:
    code = str(raw["code"])
    step = step_of_code(draft.request_type, code)
    if step is None and code in WARNING_STEPS:
        step = next((s for s in steps_for(draft.request_type) if s.slug == WARNING_STEPS[code]), None)
    return Finding(code, raw.get("article"), str(raw["message"]), step, labels.get(code, ""))


@dataclass(frozen=True)
class _Facts:
    """What the notes of a step read: the requested State's entry and the draft's type and measures."""

    state: str
    req: RequestedStateRequirements
    profile: SubjectProfile | None
    request_type: str
    measures: list[str]
    language_names: dict[str, str]


def state_notes(guide: DraftGuide, step: Step, *, language_names: dict[str, str] | None = None) -> list[Note]:
    """What the requested State's directory entry asks for on this step."""
    req = guide.requirements
    if req is None:
        if step.slug != "parties":
            return []
        return [Note(_("%(state)s has no entry in the directory yet.") % {"state": guide.state_name}, "")]
    request_type = guide.draft.request_type
    facts = _Facts(
        state=guide.state_name,
        req=req,
        profile=req.for_request(request_type),
        request_type=request_type,
        measures=[m["measure"] for m in guide.draft.document.get("measures", [])],
        language_names=language_names or {},
    )
    notes = _NOTES.get(step.slug)
    return notes(facts) if notes else []


REQUIREMENT = SOURCES[STATE_REQUIREMENT]


def _parties(f: _Facts) -> list[Note]:
    """18(14): the languages it accepts; and what its profile says besides."""
    if f.req.languages:
        languages = ", ".join(f.language_names.get(code, code) for code in f.req.languages)
        text = _("%(state)s accepts requests in: %(languages)s.") % {"state": f.state, "languages": languages}
        notes = [Note(text, cite("18(14)", None) if f.req.languages_declared else str(REQUIREMENT))]
    else:
        text = _("The languages %(state)s accepts are not recorded.") % {"state": f.state}
        notes = [Note(text, cite("18(14)", None))]
    if f.profile is not None and f.profile.special_requirements:
        notes.append(Note(f.profile.special_requirements, str(REQUIREMENT)))
    return notes


def _statements(f: _Facts) -> list[Note]:
    """Dual criminality (18(9), 16(1)) and the judicial order for coercive measures."""
    notes: list[Note] = []
    if f.profile is not None and f.profile.dual_criminality_required == YES:
        article = "16(1)" if f.request_type in EXTRADITION_TYPES else "18(9)"
        notes.append(
            Note(_("%(state)s requires dual criminality.") % {"state": f.state}, cite(article, None))
        )
    profiles = [f.profile, *(f.req.for_measure(m, f.request_type) for m in f.measures)]
    if any(p is not None and p.judicial_order_for_coercive == YES for p in profiles):
        text = _(
            "%(state)s requires a judicial order for coercive measures (search, seizure, bank records, stored data)."
        ) % {"state": f.state}
        notes.append(Note(text, str(REQUIREMENT)))
    return notes


def _measures(f: _Facts) -> list[Note]:
    """The profiles of the measures sought."""
    notes: list[Note] = []
    for measure in f.measures:
        own = f.req.profile(measure)
        if own is None:
            continue
        label = str(dict(Measure.choices).get(measure, measure))
        if own.judicial_order_for_coercive == YES:
            text = _("%(measure)s: %(state)s requires a court order.") % {"measure": label, "state": f.state}
            notes.append(Note(text, str(REQUIREMENT)))
        if own.special_requirements:
            notes.append(Note(f"{label}: {own.special_requirements}", str(REQUIREMENT)))
    return notes


def _minimum_penalty(f: _Facts) -> list[Note]:
    """16(7): the requested State's minimum penalty for extradition."""
    if f.request_type not in EXTRADITION_TYPES or f.profile is None or not f.profile.minimum_penalty_months:
        return []
    text = _("%(state)s extradites only for offences punishable by at least %(months)d months.") % {
        "state": f.state,
        "months": f.profile.minimum_penalty_months,
    }
    return [Note(text, cite("16(7)", None))]


def _extradition(f: _Facts) -> list[Note]:
    """Its minimum penalty, nationals (16(10)), evidentiary standard and assurances."""
    notes = _minimum_penalty(f)
    profile = f.profile
    if profile is None:
        return notes
    if profile.extradition_of_nationals:
        label = dict(ExtraditionOfNationals.choices).get(profile.extradition_of_nationals, "")
        notes.append(Note(f"{f.state}: {label}", cite("16(10)", None)))
    if profile.evidentiary_standard and profile.evidentiary_standard != EvidentiaryStandard.NONE:
        label = dict(EvidentiaryStandard.choices).get(profile.evidentiary_standard, "")
        text = _("%(state)s requires: %(standard)s.") % {"state": f.state, "standard": label}
        notes.append(Note(text, str(REQUIREMENT)))
    if profile.assurances_required:
        text = _("%(state)s requires assurances: %(text)s") % {
            "state": f.state,
            "text": profile.assurances_required,
        }
        notes.append(Note(text, str(REQUIREMENT)))
    return notes


_NOTES: dict[str, Callable[[_Facts], list[Note]]] = {
    "parties": _parties,
    "statements": _statements,
    "measures": _measures,
    "offences": _minimum_penalty,
    "extradition": _extradition,
}
