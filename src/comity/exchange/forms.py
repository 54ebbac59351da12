from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.exchange.services import REASON_MAX


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the audit trail)"),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"maxlength": REASON_MAX}),
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Say why the message is discarded."))
        return reason


class ResultForm(forms.Form):
    """Transmit the results of execution of an incoming request, with the attachments that carry them."""

    text = forms.CharField(
        label=_("Covering note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000
    )
    attachments = forms.MultipleChoiceField(
        label=_("Attachments to transmit"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, attachments: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.MultipleChoiceField, self.fields["attachments"])
        field.choices = list(attachments or [])

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"]).strip()
        if not text:
            raise forms.ValidationError(_("This field is required."))
        return text
