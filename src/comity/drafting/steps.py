"""The steps of the guided editor, per request type, and the editor that binds a step's forms.

A step edits some keys of the request document through one or more parts: a form over
top-level keys, or a list (a formset of item forms). Each step also names the checklist element
codes (shared/domain/vocabulary.md) it fills, so the review can link a missing element to the
step that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from comity.core.errors import InvalidInput
from comity.drafting import forms as f
from comity.drafting import forms_items as fi
from comity.drafting.models import Draft
from comity.drafting.services import InvalidDocument, merged_document
from comity.vocabulary import RequestType as T

CONFISCATION_TYPES = frozenset({T.CONFISCATION_DOMESTIC_ORDER, T.CONFISCATION_ENFORCE_ORDER, T.FREEZING})


@dataclass(frozen=True)
class Part:
    """A form over top-level keys, or (with `list_key`) a list of items each edited by `form`."""

    form: type[f.DocumentForm]
    list_key: str = ""
    max_items: int = 0
    item_label: Any = ""  # "Offence %(number)d"
    add_label: Any = ""
    needs_languages: bool = False


@dataclass(frozen=True)
class Step:
    slug: str
    title: Any
    intro: Any
    parts: tuple[Part, ...] = ()
    codes: tuple[str, ...] = ()
    types: frozenset[str] | None = None  # None: every request type

    def applies_to(self, request_type: str) -> bool:
        return self.types is None or request_type in self.types


STEPS: tuple[Step, ...] = (
    Step(
        "parties",
        _("Parties and legal basis"),
        _("Who asks whom, in which language, and on which legal basis."),
        (Part(f.PartiesForm, needs_languages=True),),
        ("requesting_authority", "legal_basis", "language", "translation"),
    ),
    Step(
        "proceeding",
        _("Proceeding"),
        _("The investigation, prosecution or proceeding the request serves, and who conducts it."),
        (Part(f.ProceedingForm),),
        ("subject_and_nature",),
    ),
    Step(
        "offences",
        _("Offences"),
        _("Each offence: the conduct, the text of the law and the maximum penalty."),
        (Part(fi.OffenceForm, "offences", 50, _("Offence %(number)d"), _("Add an offence")),),
        ("offence_provisions", "offence_description", "penalty"),
    ),
    Step(
        "facts",
        _("Facts and purpose"),
        _("A summary of the relevant facts and what the request is for."),
        (Part(f.FactsForm),),
        ("facts_summary", "purpose"),
    ),
    Step(
        "persons",
        _("Persons"),
        _("Where possible, the identity, location and nationality of each person concerned."),
        (Part(fi.PersonForm, "persons", 100, _("Person %(number)d"), _("Add a person")),),
        ("person_identity", "person_location"),
    ),
    Step(
        "property",
        _("Property"),
        _("The proceeds, property or instrumentalities concerned."),
        (Part(fi.PropertyForm, "property", 100, _("Property %(number)d"), _("Add property")),),
        ("property_description",),
        CONFISCATION_TYPES,
    ),
    Step(
        "measures",
        _("Measures"),
        _("Each measure of assistance sought, with the details it needs."),
        (
            Part(fi.MeasureForm, "measures", 30, _("Measure %(number)d"), _("Add a measure")),
            Part(f.MeasuresIntroForm),
        ),
        (
            "assistance_description",
            "bank_details",
            "data_details",
            "videoconference_details",
            "transfer_conditions",
        ),
        frozenset({T.MLA}),
    ),
    Step(
        "extradition",
        _("Extradition"),
        _("The warrant or judgment, the sentence, limitation, evidence and assurances."),
        (Part(f.ExtraditionForm),),
        (
            "arrest_warrant",
            "conviction_judgment",
            "sentence_remaining",
            "limitation_statement",
            "evidence_summary",
            "assurances",
            "undertaking_formal_request",
        ),
        frozenset({T.EXTRADITION, T.PROVISIONAL_ARREST}),
    ),
    Step(
        "sentence",
        _("Judgment and sentence"),
        _("The conviction judgment and the sentence that remains to be served."),
        (Part(f.SentenceForm),),
        ("conviction_judgment", "sentence_remaining"),
        frozenset({T.TRANSFER_OF_SENTENCED_PERSON}),
    ),
    Step(
        "confiscation",
        _("Confiscation"),
        _("What article 13(3) asks for this type of request."),
        (Part(f.ConfiscationForm),),
        ("facts_statement", "confiscation_order_copy", "execution_extent", "actions_requested"),
        CONFISCATION_TYPES,
    ),
    Step(
        "statements",
        _("Statements"),
        _("Dual criminality, the court order behind coercive measures, and the use of what is obtained."),
        (Part(f.StatementsForm),),
        ("dual_criminality_statement", "court_order"),
    ),
    Step(
        "handling",
        _("Confidentiality, urgency, deadline"),
        _("How the requested State should handle the request, and by when."),
        (Part(f.HandlingForm),),
        ("confidentiality_reasons", "urgency_reasons", "deadline_reasons"),
    ),
    Step(
        "contact",
        _("Contact and signature"),
        _("Who the requested State can call, and who signs."),
        (Part(f.ContactForm),),
        ("contact_person", "signature"),
    ),
    Step(
        "attachments",
        _("Attachments"),
        _("Documents sent with the request (warrants, orders, translations)."),
        (
            Part(
                fi.AttachmentForm,
                "attachments",
                100,
                _("Attachment %(number)d"),
                _("Add an attachment"),
                needs_languages=True,
            ),
        ),
    ),
    Step("review", _("Review"), _("What is still missing, the checklist, and the documents.")),
)
REVIEW = STEPS[-1]


def steps_for(request_type: str) -> list[Step]:
    return [step for step in STEPS if step.applies_to(request_type)]


def find_step(request_type: str, slug: str) -> Step | None:
    return next((step for step in steps_for(request_type) if step.slug == slug), None)


def step_of_code(request_type: str, code: str) -> Step | None:
    """The step that fills a checklist element (None when no step of this type does)."""
    return next((step for step in steps_for(request_type) if code in step.codes), None)


def next_step(request_type: str, step: Step) -> Step | None:
    steps = steps_for(request_type)
    index = steps.index(step)
    return steps[index + 1] if index + 1 < len(steps) else None


@dataclass
class BoundPart:
    part: Part
    form: f.DocumentForm | None = None
    formset: fi.ItemFormSet | None = None

    @property
    def prefix(self) -> str:
        return self.part.list_key or self.part.form.__name__.lower()

    def items(self) -> list[dict[str, Any]]:
        """The formset's forms with their legends: existing items numbered, the blank one to add."""
        if self.formset is None:
            return []
        initial = self.formset.initial_form_count()
        return [
            {
                "form": form,
                "new": i >= initial,
                "legend": self.part.add_label
                if i >= initial
                else str(self.part.item_label) % {"number": i + 1},
            }
            for i, form in enumerate(self.formset.forms)
        ]

    def is_valid(self) -> bool:
        target = self.formset if self.formset is not None else self.form
        return target is not None and target.is_valid()

    def changes(self, document: dict[str, Any]) -> dict[str, Any]:
        if self.formset is not None:
            return {self.part.list_key: self.formset.items()}
        assert isinstance(self.form, f.StepForm)  # noqa: S101 - a non-list part is a StepForm by construction
        return self.form.changes(document)

    def owns(self, path: str) -> bool:
        top = path.split(".")[0]
        if self.formset is not None:
            return top == self.part.list_key
        return self.form is not None and any(
            f.path_of(name).split(".")[0] == top for name in self.form.fields
        )

    def add_document_error(self, path: str, message: str) -> None:
        if self.formset is not None:
            self.formset.add_document_error(path.partition(".")[2], message)
        elif self.form is not None:
            self.form.add_document_error(path, message)


class StepEditor:
    """The forms of one step over one draft: bound to POST data, or showing the document."""

    def __init__(
        self,
        step: Step,
        draft: Draft,
        data: Any = None,
        *,
        languages: list[Any],
        suggestions: dict[str, Any] | None = None,
    ) -> None:
        self.step, self.draft = step, draft
        self.is_bound = data is not None
        document = draft.document
        self.parts: list[BoundPart] = []
        for part in step.parts:
            kwargs: dict[str, Any] = {"request_type": draft.request_type}
            if part.needs_languages:
                kwargs["languages"] = languages
            if part.list_key:
                formset_class = fi.item_formset(part.form, max_items=part.max_items)
                items = [part.form.initial_from(item) for item in document.get(part.list_key, [])]
                formset = formset_class(data, initial=items, prefix=part.list_key, form_kwargs=kwargs)
                self.parts.append(BoundPart(part, formset=formset))
            else:
                initial = part.form.initial_from(document)
                for name, value in (suggestions or {}).items():
                    if name in initial and initial[name] in (None, ""):
                        initial[name] = value
                form = part.form(data, initial=initial, prefix=None, **kwargs)
                self.parts.append(BoundPart(part, form=form))

    def is_valid(self) -> bool:
        return all([part.is_valid() for part in self.parts])  # every part validates (errors on all)

    def changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for part in self.parts:
            changes.update(part.changes(self.draft.document))
        return changes

    def check(self) -> bool:
        """Forms valid and the whole document with this step merged in valid (nothing saved)."""
        if not self.is_valid():
            return False
        try:
            merged_document(self.draft, self.changes())
        except InvalidDocument as exc:
            self.add_document_errors(exc.errors)
            return False
        except InvalidInput as exc:
            self.add_document_errors([(exc.field, exc.message)])
            return False
        return True

    def add_document_errors(self, errors: list[tuple[str, str]]) -> None:
        for path, message in errors:
            part = next((p for p in self.parts if p.owns(path)), self.parts[0])
            part.add_document_error(path, message)

    def error_summary(self) -> list[tuple[str, str]]:
        """(message, anchor) for every error of the step, in page order."""
        summary: list[tuple[str, str]] = []
        for part in self.parts:
            if part.formset is not None:
                summary += [(str(e), f"{part.prefix}-list") for e in part.formset.non_form_errors()]
                for number, form in enumerate(part.formset.forms, start=1):
                    label = str(part.part.item_label) % {"number": number}
                    summary += _form_errors(form, label)
            elif part.form is not None:
                summary += _form_errors(part.form, "")
        return summary


def _form_errors(form: Any, label: str) -> list[tuple[str, str]]:
    out = [(f"{label}: {e}" if label else str(e), "step-form") for e in form.non_field_errors()]
    for name in form.fields:
        bound: BoundField = form[name]
        for error in bound.errors:
            prefix = f"{label} — {bound.label}" if label else str(bound.label)
            out.append((f"{prefix}: {error}", bound.id_for_label or bound.auto_id))
    return out
