"""Forms of the public directory pages: they parse query strings; bad input is a form error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comity.core.enums import UnStatus
from comity.directory.enums import AuthorityFunction
from comity.directory.selectors import UntocFilter
from comity.vocabulary import CooperationType

ANY = ("", _("Any"))


class StateFilterForm(forms.Form):
    """Filters of the States list (prefixed names: the authority search shares the page)."""

    state_q = forms.CharField(label=_("State name or code"), max_length=100, required=False)
    untoc = forms.ChoiceField(
        label=_("Status under the Convention"), choices=[ANY, *UntocFilter.CHOICES], required=False
    )
    un_status = forms.ChoiceField(label=_("UN status"), choices=[ANY, *UnStatus.choices], required=False)


class AuthoritySearchForm(forms.Form):
    q = forms.CharField(label=_("Authority name"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("Language accepted"), required=False)
    function = forms.ChoiceField(
        label=_("Function"), choices=[ANY, *AuthorityFunction.choices], required=False
    )
    state = forms.ChoiceField(label=_("State"), required=False)

    def __init__(
        self,
        data: Any = None,
        *,
        states: list[tuple[str, str]],
        languages: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["state"].choices = [ANY, *states]  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["language"].choices = [ANY, *languages]  # type: ignore[attr-defined]  # a ChoiceField


class CompareForm(forms.Form):
    a = forms.ChoiceField(label=_("Requesting State"))
    b = forms.ChoiceField(label=_("Requested State"))
    type = forms.ChoiceField(
        label=_("Type of cooperation"),
        choices=CooperationType.choices,
        initial=CooperationType.MLA,
        required=False,
    )
    date = forms.DateField(
        label=_("On date"),
        required=False,
        help_text=_("Today if left empty."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, data: Any = None, *, states: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        choices = [("", "—"), *states]
        self.fields["a"].choices = choices  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["b"].choices = choices  # type: ignore[attr-defined]  # a ChoiceField

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        cleaned["type"] = cleaned.get("type") or CooperationType.MLA
        if cleaned.get("a") and cleaned.get("a") == cleaned.get("b"):
            self.add_error("b", _("Choose two different States."))
        return cleaned
