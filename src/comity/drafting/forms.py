"""Forms of the request writer. A step form edits part of the request document: a field named
`a__b` edits `a.b`. Forms parse and check what a person typed (with translated messages); the
schema then checks the whole document (comity.drafting.services)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comity.directory.states import UN_LANGUAGES
from comity.directory.views import language_names
from comity.drafting.documents.texts import UN_LANGUAGES as DOCUMENT_LANGUAGES
from comity.drafting.schema import ProceedingType
from comity.vocabulary import RequestType

SEP = "__"
TEXT = 20_000
LINE = 500
SHORT = 200


def language_choices(ui_language: str) -> list[tuple[Any, Any]]:
    """ISO 639-1 codes named in the UI language: the six UN languages first, then the others."""
    names = language_names(ui_language)
    others = sorted(
        (code for code in names if len(code) == 2 and code.isalpha() and code.islower()),
        key=lambda code: names[code].casefold(),
    )
    return [
        (_("UN languages"), [(code, names.get(code, code)) for code in UN_LANGUAGES]),
        (_("Other languages"), [(code, names[code]) for code in others if code not in UN_LANGUAGES]),
    ]


def document_language_choices(ui_language: str) -> list[tuple[str, str]]:
    """Languages a formal request can be generated in (the six UN languages, in which its fixed
    text exists), named in the UI language."""
    names = language_names(ui_language)
    return [(code, names.get(code, code)) for code in DOCUMENT_LANGUAGES]


def text_field(label: Any, *, help_text: Any = "", required: bool = False, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def line_field(
    label: Any, *, help_text: Any = "", required: bool = False, max_length: int = LINE
) -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, required=required, max_length=max_length)


def date_field(label: Any, *, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ListField(forms.CharField):
    """A list of short codes or lines typed in one box (separated by commas or new lines)."""

    def __init__(
        self,
        *,
        pattern: str | None = None,
        max_items: int,
        item_length: int = SHORT,
        upper: bool = False,
        lower: bool = False,
        lines: bool = False,
        **kwargs: Any,
    ) -> None:
        self.pattern = re.compile(pattern) if pattern else None
        self.max_items, self.item_length, self.upper, self.lower = max_items, item_length, upper, lower
        self.separator = "\n" if lines else ","
        kwargs.setdefault("required", False)
        if lines:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ("\n" if self.separator == "\n" else ", ").join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]  # a list, not a str
        raw = super().to_python(value) or ""
        items = [item.strip() for item in raw.split(self.separator) if item.strip()]
        if self.upper:
            items = [item.upper() for item in items]
        if self.lower:
            items = [item.lower() for item in items]
        return items

    def validate(self, value: Any) -> None:
        super().validate(value)
        if len(value) > self.max_items:
            raise forms.ValidationError(
                _("At most %(count)d entries.") % {"count": self.max_items}, code="max_items"
            )
        for item in value:
            if len(item) > self.item_length or (self.pattern and not self.pattern.fullmatch(item)):
                raise forms.ValidationError(_("“%(item)s” is not valid here.") % {"item": item}, code="item")


class YesNoField(forms.ChoiceField):
    """Yes, no, or not known (None)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(
            choices=[("", _("Not known")), ("yes", _("Yes")), ("no", _("No"))],
            **kwargs,
        )

    def prepare_value(self, value: Any) -> Any:
        if value is True:
            return "yes"
        if value is False:
            return "no"
        return value

    def clean(self, value: Any) -> bool | None:
        choice = super().clean(value)
        return {"yes": True, "no": False}.get(choice)


def path_of(name: str) -> str:
    return name.replace(SEP, ".")


def get_path(data: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set `data[a][b]` for "a.b" (creating dicts on the way); None removes the key."""
    *parents, last = path.split(".")
    for part in parents:
        child = data.get(part)
        if not isinstance(child, dict):
            if value is None:
                return
            child = data[part] = {}
        data = child
    if value is None:
        data.pop(last, None)
    else:
        data[last] = value


def prune(value: Any) -> Any:
    """Empty objects become None (removed), recursively."""
    if not isinstance(value, dict):
        return value
    pruned = {k: p for k, v in value.items() if (p := prune(v)) is not None}
    return pruned or None


class DocumentForm(forms.Form):
    """A form over part of the document. Subclasses declare fields named by document path and
    group them in `fieldsets` ((legend or None, [field names]))."""

    fieldsets: ClassVar[list[tuple[Any, list[str]]]] = []
    # Fields whose change re-renders the whole form (it shows or hides other fields).
    refresh_fields: ClassVar[frozenset[str]] = frozenset()
    # Request types for which a field is shown; a field not listed is shown for every type.
    only_for: ClassVar[dict[str, frozenset[str]]] = {}

    def __init__(self, *args: Any, request_type: str, **kwargs: Any) -> None:
        self.request_type = request_type
        super().__init__(*args, **kwargs)
        for name, types in self.only_for.items():
            if request_type not in types:
                self.fields.pop(name, None)

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        return {name: get_path(data, path_of(name)) for name in cls.base_fields}

    def get_fieldsets(self) -> list[tuple[Any, list[str]]]:
        return self.fieldsets

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        """Fieldsets of the fields this form shows (legend None: fields without a fieldset)."""
        fieldsets = self.get_fieldsets()
        listed: list[str] = [n for _legend, names in fieldsets for n in names]
        groups = [(legend, [self[n] for n in names if n in self.fields]) for legend, names in fieldsets]
        rest = [self[n] for n in self.fields if n not in listed and n != "DELETE"]
        if rest:
            groups.insert(0, (None, rest))
        return [(legend, fields) for legend, fields in groups if fields]

    def values(self) -> dict[str, Any]:
        """Document path -> value; None for an empty field (the key is removed)."""
        out: dict[str, Any] = {}
        for name, field in self.fields.items():
            if name == "DELETE":
                continue
            value = self.cleaned_data.get(name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            if value in ("", [], None) or (isinstance(field, forms.BooleanField) and value is False):
                value = None
            out[path_of(name)] = value
        return out

    def apply_to(self, data: dict[str, Any]) -> dict[str, Any]:
        """`data` with this form's values set (a copy); emptied objects removed."""
        result = copy.deepcopy(data)
        for path, value in self.values().items():
            set_path(result, path, value)
        return {k: p for k, v in result.items() if (p := prune(v)) is not None}

    def field_for(self, path: str) -> str | None:
        """The field that edits a document path (or the closest enclosing one)."""
        best: str | None = None
        for name in self.fields:
            own = path_of(name)
            if (path == own or path.startswith(own + ".")) and (
                best is None or len(own) > len(path_of(best))
            ):
                best = name
        return best

    def add_document_error(self, path: str, message: str) -> None:
        name = self.field_for(path)
        if name is not None and name in self.fields:
            self.add_error(name, message)
        else:
            self.add_error(None, f"{path}: {message}" if path else message)


class StepForm(DocumentForm):
    """A form over top-level keys of the document (not a list)."""

    def changes(self, document: dict[str, Any]) -> dict[str, Any]:
        tops = {path_of(name).split(".")[0] for name in self.fields}
        current = {top: document[top] for top in tops if top in document}
        updated = self.apply_to(current)
        return {top: updated.get(top) for top in tops}


# --- Starting a draft, importing one --------------------------------------------------------


class DraftNewForm(forms.Form):
    request_type = forms.ChoiceField(label=_("Type of request"), choices=RequestType.choices)
    requested_state = forms.ChoiceField(label=_("Requested State"))
    language = forms.ChoiceField(
        label=_("Language of the request"),
        help_text=_(
            "Write in a language the requested State accepts (art. 18(14)); the next step shows them."
        ),
    )

    def __init__(
        self, *args: Any, states: list[tuple[str, str]], languages: Iterable[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requested_state"].choices = [("", "—"), *states]  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["language"].choices = languages  # type: ignore[attr-defined]  # a ChoiceField


class DraftImportForm(forms.Form):
    file = forms.FileField(
        label=_("Request document (JSON)"),
        help_text=_("A file exported from Comity or written to the published schema; at most 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/json,.json"}),
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=[("docx", _("Word (DOCX)")), ("pdf", _("PDF")), ("json", _("JSON"))]
    )
    language = forms.ChoiceField(label=_("Language of the document"), required=False)

    def __init__(self, *args: Any, languages: Iterable[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages  # type: ignore[attr-defined]  # a ChoiceField


# --- Simple steps ----------------------------------------------------------------------------

PROCEEDING_TYPES = [
    ("", "—"),
    (ProceedingType.INVESTIGATION, _("Investigation")),
    (ProceedingType.PROSECUTION, _("Prosecution")),
    (ProceedingType.TRIAL, _("Trial")),
    (ProceedingType.ENFORCEMENT, _("Enforcement of a sentence")),
    (ProceedingType.CONFISCATION, pgettext_lazy("proceeding", "Confiscation")),
]
EXTRADITION_TYPES = frozenset({RequestType.EXTRADITION, RequestType.PROVISIONAL_ARREST})
ENFORCE = frozenset({RequestType.CONFISCATION_ENFORCE_ORDER})


class PartiesForm(StepForm):
    reference = line_field(_("Your reference"), max_length=SHORT)
    date = date_field(_("Date of the request"))
    language = forms.ChoiceField(label=_("Language of the request"))
    text_language = forms.ChoiceField(
        label=_("Language the facts are typed in, if different"),
        required=False,
        help_text=_("Text typed in another language is marked as needing translation."),
    )
    requesting_authority__name = line_field(_("Name"), required=True)
    requesting_authority__functions = line_field(
        _("Functions"), help_text=_("For example: investigating judge.")
    )
    requesting_authority__address = line_field(_("Address"))
    requested_authority__name = line_field(
        _("Name"), help_text=_("Usually the central authority (art. 18(13)).")
    )
    requested_authority__address = line_field(_("Address"))

    fieldsets = [
        (_("The request"), ["reference", "date", "language", "text_language"]),
        (
            _("Requesting authority"),
            [
                "requesting_authority__name",
                "requesting_authority__functions",
                "requesting_authority__address",
            ],
        ),
        (_("Requested authority"), ["requested_authority__name", "requested_authority__address"]),
    ]

    def __init__(self, *args: Any, languages: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["text_language"].choices = [("", "—"), *languages]  # type: ignore[attr-defined]  # a ChoiceField

    def changes(self, document: dict[str, Any]) -> dict[str, Any]:
        changes = super().changes(document)
        requested = changes.get("requested_authority")
        if requested is not None:
            # The requested authority belongs to the requested State (fixed at creation).
            changes["requested_authority"] = {**requested, "state": document["requested_state"]}
        return changes


class ProceedingForm(StepForm):
    proceeding__type = forms.ChoiceField(
        label=_("Type of proceeding"), choices=PROCEEDING_TYPES, required=False
    )
    proceeding__stage = line_field(_("Stage"), max_length=SHORT)
    proceeding__reference = line_field(_("Case number"), max_length=SHORT)
    proceeding__subject_and_nature = text_field(
        _("Subject matter and nature of the proceeding"),
        help_text=_("What the investigation, prosecution or proceeding is about."),
        rows=6,
    )
    proceeding__conducting_authority = line_field(_("Authority conducting it"))
    proceeding__conducting_authority_functions = line_field(_("Its functions"))


class FactsForm(StepForm):
    facts_summary = text_field(
        _("Summary of the relevant facts"),
        help_text=_("Who did what, when and where; how the assistance sought relates to the facts."),
        rows=10,
    )
    purpose = text_field(
        _("Purpose of the request"), help_text=_("Why the evidence, information or action is needed.")
    )


class MeasuresIntroForm(StepForm):
    procedure_wishes = text_field(
        _("Particular procedure to follow"),
        help_text=_("For example: certified copies, presence of officials, a form of oath (art. 18(17))."),
    )


class ExtraditionForm(StepForm):
    extradition__purpose = forms.ChoiceField(
        label=_("Extradition for"),
        required=False,
        choices=[
            ("", "—"),
            ("prosecution", _("Prosecution")),
            ("enforcement", _("Enforcement of a sentence")),
        ],
    )
    extradition__arrest_warrant__issued_by = line_field(_("Issued by"))
    extradition__arrest_warrant__date = date_field(_("Date"))
    extradition__arrest_warrant__reference = line_field(_("Reference"), max_length=SHORT)
    extradition__conviction_judgment__issued_by = line_field(_("Court"))
    extradition__conviction_judgment__date = date_field(_("Date"))
    extradition__conviction_judgment__reference = line_field(_("Reference"), max_length=SHORT)
    extradition__sentence_remaining = line_field(_("Sentence remaining to be served"))
    extradition__limitation_statement = text_field(_("Statement on limitation (lapse of time)"))
    extradition__evidence_summary = text_field(
        _("Summary of the evidence"),
        help_text=_("Where the requested State requires an evidentiary standard."),
    )
    extradition__assurances = text_field(
        _("Assurances"), help_text=_("Where the requested State requires them (for example on the penalty).")
    )
    extradition__undertaking_formal_request = text_field(
        _("Undertaking to send a formal request for extradition"), help_text=_("Art. 16(9).")
    )

    fieldsets = [
        (None, ["extradition__purpose"]),
        (
            _("Arrest warrant (for prosecution)"),
            [
                "extradition__arrest_warrant__issued_by",
                "extradition__arrest_warrant__date",
                "extradition__arrest_warrant__reference",
            ],
        ),
        (
            _("Conviction judgment (for enforcement)"),
            [
                "extradition__conviction_judgment__issued_by",
                "extradition__conviction_judgment__date",
                "extradition__conviction_judgment__reference",
                "extradition__sentence_remaining",
            ],
        ),
        (
            _("Statements"),
            [
                "extradition__limitation_statement",
                "extradition__evidence_summary",
                "extradition__assurances",
                "extradition__undertaking_formal_request",
            ],
        ),
    ]
    only_for = {"extradition__undertaking_formal_request": frozenset({RequestType.PROVISIONAL_ARREST})}


class SentenceForm(StepForm):
    """Transfer of a sentenced person: the judgment and what remains of the sentence (kept in the
    document's `extradition` block, where the checker reads them)."""

    extradition__conviction_judgment__issued_by = line_field(_("Court"))
    extradition__conviction_judgment__date = date_field(_("Date"))
    extradition__conviction_judgment__reference = line_field(_("Reference"), max_length=SHORT)
    extradition__sentence_remaining = line_field(_("Sentence remaining to be served"))

    fieldsets = [
        (
            _("Conviction judgment"),
            [
                "extradition__conviction_judgment__issued_by",
                "extradition__conviction_judgment__date",
                "extradition__conviction_judgment__reference",
            ],
        ),
        (None, ["extradition__sentence_remaining"]),
    ]


class ConfiscationForm(StepForm):
    confiscation__facts_statement = text_field(
        _("Statement of the facts relied upon"), help_text=_("Art. 13(3)(b) and (c)."), rows=6
    )
    confiscation__confiscation_order__issued_by = line_field(_("Court"))
    confiscation__confiscation_order__date = date_field(_("Date"))
    confiscation__confiscation_order__reference = line_field(_("Reference"), max_length=SHORT)
    confiscation__execution_extent = text_field(_("Extent to which execution of the order is requested"))
    confiscation__actions_requested = text_field(
        _("Actions requested"), help_text=_("Identify, trace, freeze or seize what (art. 13(2)).")
    )

    fieldsets = [
        (None, ["confiscation__facts_statement"]),
        (
            _("Confiscation order (a legally admissible copy is attached)"),
            [
                "confiscation__confiscation_order__issued_by",
                "confiscation__confiscation_order__date",
                "confiscation__confiscation_order__reference",
                "confiscation__execution_extent",
            ],
        ),
        (None, ["confiscation__actions_requested"]),
    ]
    only_for = {
        "confiscation__confiscation_order__issued_by": ENFORCE,
        "confiscation__confiscation_order__date": ENFORCE,
        "confiscation__confiscation_order__reference": ENFORCE,
        "confiscation__execution_extent": ENFORCE,
        "confiscation__actions_requested": frozenset({RequestType.FREEZING}),
    }


class StatementsForm(StepForm):
    statements__dual_criminality = text_field(
        _("Dual criminality"),
        help_text=_(
            "The conduct is an offence in your State; say why it would be one in the requested State too."
        ),
    )
    statements__court_order = text_field(
        _("Court order"),
        help_text=_(
            "The judicial order behind a coercive measure (search, seizure, bank records), or why none is needed."
        ),
    )
    statements__use_limitation = text_field(
        _("Use of what is obtained"),
        help_text=_("Undertaking not to use it for other proceedings without consent (art. 18(19))."),
    )


class HandlingForm(StepForm):
    confidentiality__required = forms.BooleanField(
        label=_("Keep the request and its contents confidential"), required=False
    )
    confidentiality__reasons = text_field(_("Reasons for confidentiality"), rows=3)
    urgency__required = forms.BooleanField(label=_("The request is urgent"), required=False)
    urgency__reasons = text_field(_("Reasons for urgency"), rows=3)
    deadline__date = date_field(_("Answer needed by"))
    deadline__reasons = text_field(
        _("Reasons for the deadline"), help_text=_("For example: a trial date, a limitation period."), rows=3
    )

    fieldsets = [
        (_("Confidentiality (art. 18(20))"), ["confidentiality__required", "confidentiality__reasons"]),
        (_("Urgency"), ["urgency__required", "urgency__reasons"]),
        (_("Deadline"), ["deadline__date", "deadline__reasons"]),
    ]


class ContactForm(StepForm):
    contact__name = line_field(_("Name"))
    contact__function = line_field(_("Function"))
    contact__phone = line_field(_("Telephone"), max_length=SHORT)
    contact__email = forms.EmailField(label=_("E-mail"), max_length=SHORT, required=False)
    contact__languages = ListField(
        label=_("Languages spoken"),
        help_text=_("ISO 639-1 codes separated by commas, e.g. fr, en."),
        pattern=r"[a-z]{2}",
        lower=True,
        max_items=10,
    )
    signature__name = line_field(_("Name"))
    signature__function = line_field(_("Function"))
    signature__place = line_field(_("Place"), max_length=SHORT)
    signature__date = date_field(_("Date"))

    fieldsets = [
        (
            _("Contact person for the requested State"),
            ["contact__name", "contact__function", "contact__phone", "contact__email", "contact__languages"],
        ),
        (_("Signature"), ["signature__name", "signature__function", "signature__place", "signature__date"]),
    ]
