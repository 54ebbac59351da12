"""Forms of the steps that edit lists: offences, persons, property, measures, attachments.

Each list is a formset of item forms (one blank item to add another; a remove box on each).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from comity.drafting.forms import (
    SHORT,
    DocumentForm,
    ListField,
    YesNoField,
    date_field,
    line_field,
    text_field,
)
from comity.drafting.schema import DataCategory, PersonRole
from comity.vocabulary import Measure

PERSON_ROLES = [
    ("", "—"),
    (PersonRole.SUSPECT, _("Suspect")),
    (PersonRole.ACCUSED, _("Accused")),
    (PersonRole.WITNESS, _("Witness")),
    (PersonRole.VICTIM, _("Victim")),
    (PersonRole.EXPERT, _("Expert")),
    (PersonRole.ACCOUNT_HOLDER, _("Account holder")),
    (PersonRole.PERSON_SOUGHT, _("Person sought")),
    (PersonRole.SENTENCED_PERSON, _("Sentenced person")),
]
DATA_CATEGORIES = [
    (DataCategory.SUBSCRIBER, _("Subscriber information")),
    (DataCategory.TRAFFIC, _("Traffic data")),
    (DataCategory.CONTENT, _("Content data")),
]
UNTOC_OFFENCES = [
    ("", "—"),
    (5, _("Art. 5: participation in an organized criminal group")),
    (6, _("Art. 6: laundering of proceeds of crime")),
    (8, _("Art. 8: corruption")),
    (23, _("Art. 23: obstruction of justice")),
]
ISO3 = r"[A-Z]{3}"


class OffenceForm(DocumentForm):
    description = text_field(_("Description of the offence"), required=True)
    legal_provisions = text_field(
        _("Text of the law"),
        help_text=_("The provisions that make the conduct an offence, quoted or faithfully summarised."),
    )
    max_penalty_years = forms.DecimalField(
        label=_("Maximum penalty (years of deprivation of liberty)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
    )
    max_penalty_text = line_field(
        _("Maximum penalty in words"), help_text=_("For example: life imprisonment.")
    )
    untoc_article = forms.TypedChoiceField(
        label=_("Offence established by the Convention"),
        choices=UNTOC_OFFENCES,
        coerce=int,
        empty_value=None,
        required=False,
    )


class PersonForm(DocumentForm):
    role = forms.ChoiceField(label=_("Role"), choices=PERSON_ROLES)
    name = line_field(_("Name"))
    other_names = line_field(_("Other names, aliases"))
    date_of_birth = date_field(_("Date of birth"))
    place_of_birth = line_field(_("Place of birth"))
    nationalities = ListField(
        label=_("Nationalities"),
        help_text=_("ISO 3166-1 alpha-3 codes separated by commas, e.g. FRA, MEX."),
        pattern=ISO3,
        upper=True,
        max_items=5,
    )
    identity_documents = line_field(_("Identity documents"))
    location = line_field(_("Address or whereabouts"))
    description = text_field(_("Description"), rows=3)


class PropertyForm(DocumentForm):
    description = text_field(_("Description of the property"), required=True, rows=3)
    location = line_field(_("Location"))
    value = forms.DecimalField(
        label=_("Estimated value"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    currency = forms.RegexField(
        label=_("Currency"),
        regex=ISO3,
        required=False,
        max_length=3,
        help_text=_("ISO 4217 code, e.g. EUR."),
        error_messages={"invalid": _("Use a three-letter ISO 4217 code, e.g. EUR.")},
    )


# Which details each measure needs (the fields named `<group>__...` of MeasureForm).
DETAILS_OF: dict[str, str] = {
    Measure.BANK_RECORDS: "bank",
    Measure.PRESERVATION_OF_STORED_DATA: "data",
    Measure.PRODUCTION_OF_STORED_DATA: "data",
    Measure.REAL_TIME_TRAFFIC_DATA: "data",
    Measure.VIDEOCONFERENCE_HEARING: "videoconference",
    Measure.TRANSFER_OF_DETAINED_PERSON: "transfer",
}
DETAIL_LEGENDS: dict[str, Any] = {
    "bank": _("Bank account"),
    "data": _("Stored computer data"),
    "videoconference": _("Hearing by videoconference (art. 18(18))"),
    "transfer": _("Temporary transfer (art. 18(10)-(12))"),
}


class MeasureForm(DocumentForm):
    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=[("", "—"), *Measure.choices],
        help_text=_("Choosing a measure shows the details it needs."),
    )
    description = text_field(
        _("What exactly is asked"),
        help_text=_("The assistance sought and any particular procedure (art. 18(15)(d))."),
    )
    bank__bank = line_field(_("Bank"))
    bank__account = line_field(_("Account (IBAN or number)"), max_length=SHORT)
    bank__holder = line_field(_("Account holder"))
    bank__period_from = date_field(_("Period from"))
    bank__period_to = date_field(_("Period to"))
    bank__records = line_field(
        _("Records sought"), help_text=_("Statements, opening documents, know-your-customer files…")
    )
    data__provider = line_field(_("Service provider"))
    data__identifiers = ListField(
        label=_("Identifiers"),
        help_text=_("Accounts, telephone numbers, IP addresses: one per line."),
        max_items=50,
        lines=True,
    )
    data__period_from = date_field(_("Period from"))
    data__period_to = date_field(_("Period to"))
    data__categories = forms.MultipleChoiceField(
        label=_("Categories of data"),
        choices=DATA_CATEGORIES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    videoconference__person = line_field(_("Person to be heard"))
    videoconference__why_not_in_person = text_field(
        _("Why the person cannot appear in person"), help_text=_("Art. 18(18)."), rows=3
    )
    videoconference__conducting_authority = line_field(_("Authority conducting the hearing"))
    videoconference__proposed_dates = line_field(_("Proposed dates"))
    transfer__person = line_field(_("Detained person"))
    transfer__consent = YesNoField(label=_("The person consents (art. 18(10)(a))"))
    transfer__custody_conditions = text_field(_("Custody conditions"), help_text=_("Art. 18(11)(a)."), rows=3)
    transfer__return_by = date_field(_("Return by"), help_text=_("Art. 18(11)(b)."))

    refresh_fields = frozenset({"measure"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.data.get(self.add_prefix("measure")) if self.is_bound else self.initial.get("measure")
        self.details = DETAILS_OF.get(str(chosen or ""))
        for name in list(self.fields):
            group, sep, _rest = name.partition("__")
            if sep and group != self.details:
                del self.fields[name]

    def get_fieldsets(self) -> list[tuple[Any, list[str]]]:
        fieldsets: list[tuple[Any, list[str]]] = [(None, ["measure", "description"])]
        if self.details:
            fieldsets.append(
                (DETAIL_LEGENDS[self.details], [n for n in self.fields if n.startswith(self.details + "__")])
            )
        return fieldsets


class AttachmentForm(DocumentForm):
    title = line_field(_("Title"), required=True)
    description = line_field(_("Description"))
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, languages: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "—"), *languages]  # type: ignore[attr-defined]  # a ChoiceField


class ItemFormSet(forms.BaseFormSet):
    """A list in the document: existing items stay unless removed; the blank one adds an item."""

    def kept_forms(self) -> list[DocumentForm]:
        """The forms that become list items, in order (list index i is kept_forms()[i])."""
        initial = self.initial_form_count()
        return [
            form
            for i, form in enumerate(self.forms)
            if not form.cleaned_data.get("DELETE") and (i < initial or form.has_changed())
        ]

    def items(self) -> list[dict[str, Any]]:
        return [form.apply_to({}) for form in self.kept_forms()]

    def add_document_error(self, path: str, message: str) -> None:
        index, _sep, rest = path.partition(".")
        kept = self.kept_forms()
        if index.isdigit() and int(index) < len(kept):
            kept[int(index)].add_document_error(rest, message)
        else:
            self.non_form_errors().append(f"{path}: {message}" if path else message)


def item_formset(form: type[DocumentForm], *, max_items: int) -> type[ItemFormSet]:
    return formset_factory(  # type: ignore[return-value]  # formset_factory builds a subclass of `formset`
        form,
        formset=ItemFormSet,
        extra=1,
        can_delete=True,
        max_num=max_items,
        absolute_max=max_items + 1,
        validate_max=True,
    )
