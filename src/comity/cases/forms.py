"""Forms of case management: list filters, the action forms of a request, manual registration
of an incoming request and the creation of an outgoing request from a draft.

Forms only parse and bound input; the rules (who may do what, which transition is allowed, which
refusal grounds are acceptable) live in comity.cases.lifecycle, rules and services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from comity.cases.enums import ConsultationOutcome, DeadlineKind, Direction, RefusalGround, RequestStatus
from comity.vocabulary import RequestType

MAX_TEXT = 20_000
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Queues of the dashboard; the selectors define what each one holds.
QUEUE_CHOICES = [
    ("", _("All my requests")),
    ("my_tasks", _("My tasks")),
    ("awaiting_review", _("Awaiting review")),
    ("awaiting_registration", _("Awaiting registration")),
    ("overdue", _("Overdue")),
]


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101 - narrows the type for mypy
    return field


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class RequestFilterForm(forms.Form):
    """The list's fast filters (GET). Every field is optional; unknown values are form errors."""

    queue = forms.ChoiceField(label=_("Queue"), choices=QUEUE_CHOICES, required=False)
    q = forms.CharField(label=_("Search"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=pgettext_lazy("request", "Status"),
        choices=_blank(_("Any status")) + list(RequestStatus.choices),
        required=False,
    )
    request_type = forms.ChoiceField(
        label=_("Type"), choices=_blank(_("Any type")) + list(RequestType.choices), required=False
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=_blank(_("Both")) + list(Direction.choices), required=False
    )
    requested_state = forms.CharField(label=_("Requested State (ISO code)"), max_length=3, required=False)
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)
    open_only = forms.BooleanField(label=_("Open only"), required=False)

    def __init__(self, *args: Any, states: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if states is not None:
            self.fields["requested_state"] = forms.ChoiceField(
                label=_("Requested State"), choices=_blank(_("Any State")) + states, required=False
            )
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def clean_requested_state(self) -> str:
        return str(self.cleaned_data.get("requested_state") or "").upper()

    def active(self) -> dict[str, Any]:
        """The filters in use (after validation), for the selectors, the export and the audit."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}


class TransitionForm(forms.Form):
    """Move the request to one of the statuses the lifecycle allows the user right now."""

    to_status = forms.ChoiceField(label=_("New status"), choices=())
    text = forms.CharField(
        label=_("Reasons or comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT,
        required=False,
        help_text=_("Required to refuse (18(23)) or to postpone (18(25))."),
    )
    our_reference = forms.CharField(
        label=_("Our reference"),
        max_length=100,
        required=False,
        help_text=_("At registration, if the request has none yet."),
    )
    refusal_grounds = forms.MultipleChoiceField(
        label=_("Refusal grounds"),
        choices=RefusalGround.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Bank secrecy and fiscal matters are never accepted on their own."),
    )

    def __init__(self, *args: Any, statuses: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "to_status").choices = statuses

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        to_status = data.get("to_status")
        text = (data.get("text") or "").strip()
        if to_status == RequestStatus.REFUSED:
            if not data.get("refusal_grounds"):
                self.add_error("refusal_grounds", _("Give at least one ground for the refusal."))
            if not text:
                self.add_error("text", _("A refusal must give its reasons (18(23))."))
        elif to_status == RequestStatus.POSTPONED and not text:
            self.add_error("text", _("A postponement must give its reasons (18(25))."))
        elif data.get("refusal_grounds"):
            self.add_error("refusal_grounds", _("Refusal grounds are only given with a refusal."))
        return data


class AssignForm(forms.Form):
    officer = forms.ChoiceField(label=_("Officer in charge"), choices=(), required=False)
    executing_authority = forms.ChoiceField(label=_("Forward for execution to"), choices=(), required=False)
    executing_officer = forms.ChoiceField(label=_("Executing officer"), choices=(), required=False)

    def __init__(
        self,
        *args: Any,
        officers: list[tuple[str, str]],
        authorities: list[tuple[str, str]],
        executing_officers: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        none = _blank(_("— unchanged —"))
        _choices(self, "officer").choices = none + officers
        _choices(self, "executing_authority").choices = none + authorities
        _choices(self, "executing_officer").choices = none + executing_officers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f) for f in ("officer", "executing_authority", "executing_officer")):
            raise forms.ValidationError(_("Choose an officer, an authority or an executing officer."))
        return data


class TextForm(forms.Form):
    """A note, an information request or answer, a consultation record."""

    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT)

    def __init__(self, *args: Any, label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["text"].label = label

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"]).strip()
        if not text:
            raise forms.ValidationError(_("This field is required."))
        return text


class ConsultationForm(TextForm):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ConsultationOutcome.choices)


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DeadlineKind.choices)
    due_on = forms.DateField(label=_("Due on"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class RegisterIncomingForm(forms.Form):
    """An incoming request that arrived on paper or by e-mail: its document as JSON, or a minimal
    description; their reference and the date it was received."""

    document_file = forms.FileField(
        label=_("Request document (JSON)"),
        required=False,
        help_text=_("The request in Comity's JSON format, if the requesting State sent it."),
    )
    request_type = forms.ChoiceField(
        label=_("Type"),
        choices=_blank(_("— from the document —")) + list(RequestType.choices),
        required=False,
    )
    requesting_state = forms.ChoiceField(label=_("Requesting State"), choices=(), required=False)
    requesting_authority = forms.CharField(label=_("Requesting authority"), max_length=300, required=False)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    language = forms.CharField(label=_("Language (ISO 639-1)"), max_length=2, required=False, initial="en")
    their_reference = forms.CharField(label=_("Their reference"), max_length=100)
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "requesting_state").choices = _blank(_("— from the document —")) + states

    def clean_received_on(self) -> dt.date:
        received: dt.date = self.cleaned_data["received_on"]
        if received > dt.date.today() + dt.timedelta(days=1):
            raise forms.ValidationError(_("The date of receipt cannot be in the future."))
        return received

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("document_file")
        if upload is not None and upload.size > MAX_DOCUMENT_BYTES:
            self.add_error("document_file", _("The file is too large (2 MB at most)."))
        if upload is None:
            for name in ("request_type", "requesting_state", "requesting_authority"):
                if not data.get(name):
                    self.add_error(name, _("Required when no JSON document is uploaded."))
        return data


class OutgoingFromDraftForm(forms.Form):
    """Send a reviewed draft to case management: a new outgoing request in a case."""

    case = forms.ChoiceField(label=_("Case"), choices=(), required=False)
    case_reference = forms.CharField(label=_("New case: reference"), max_length=100, required=False)
    case_title = forms.CharField(label=_("New case: title"), max_length=300, required=False)
    title = forms.CharField(label=_("Request title"), max_length=300)

    def __init__(self, *args: Any, cases: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "case").choices = _blank(_("— a new case —")) + cases

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("case"):
            for name in ("case_reference", "case_title"):
                if not (data.get(name) or "").strip():
                    self.add_error(name, _("Required for a new case."))
        return data
