from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from comity.accounts.enums import TokenScope
from comity.accounts.services import validate_time_zone
from comity.core.errors import InvalidInput


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “statistics export”.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=TokenScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[TokenScope.READ],
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=settings.COMITY_TOKEN_MAX_DAYS, initial=90
    )


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", "—"), *settings.LANGUAGES], required=False
    )
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64, required=False, help_text=_("An IANA name, e.g. Europe/Paris.")
    )

    def clean_time_zone(self) -> str:
        value: str = self.cleaned_data["time_zone"].strip()
        if value:
            try:
                validate_time_zone(value)
            except InvalidInput as exc:
                raise forms.ValidationError(exc.message) from exc
        return value


class AuditFilterForm(forms.Form):
    object_type = forms.RegexField(
        label=_("Object type"), regex=r"^[A-Za-z0-9_.:-]*$", max_length=64, required=False
    )
    object_id = forms.RegexField(
        label=_("Object id"), regex=r"^[A-Za-z0-9_.:-]*$", max_length=64, required=False
    )
