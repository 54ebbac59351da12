"""Proposing and reviewing changes to the directory (staff pages)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from comity.core.errors import ComityError, InvalidInput
from comity.core.models import Authority
from comity.directory.changes import (
    CONTACT_FIELDS,
    TARGET_CONTACT,
    access_directory_change,
    directory_change_propose,
    directory_change_review,
    directory_changes_visible,
)
from comity.directory.enums import AuthorityFunction
from comity.directory.models import AuthorityContact
from comity.vocabulary import Channel
from comity.web.views import permission_required, principal_of


class ContactChangeForm(forms.Form):
    authority = forms.ChoiceField(label=gettext_lazy("Authority"))
    functions = forms.MultipleChoiceField(
        label=gettext_lazy("Functions"),
        choices=AuthorityFunction.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.CharField(
        label=gettext_lazy("Languages accepted"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("ISO 639-1 codes separated by commas, e.g. fr, en."),
    )
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels accepted"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=gettext_lazy("Telephone"), max_length=60, required=False)
    urgent_contact = forms.CharField(
        label=gettext_lazy("Urgent 24/7 contact"), max_length=300, required=False
    )
    office_hours = forms.CharField(label=gettext_lazy("Office hours"), max_length=200, required=False)
    time_zone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64, required=False)
    address = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    website = forms.CharField(label=gettext_lazy("Website"), max_length=500, required=False)

    def __init__(self, *args: Any, authorities: list[Authority], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["authority"]).choices = [(a.code, a.name) for a in authorities]

    def clean_languages(self) -> list[str]:
        raw: str = self.cleaned_data["languages"]
        return [code.strip().lower() for code in raw.split(",") if code.strip()]


def _current_values(authority_code: str) -> dict[str, Any]:
    """The entry's current values (empty ones when the authority has no entry yet)."""
    contact = AuthorityContact.objects.filter(authority__code=authority_code).first()
    empty = AuthorityContact()
    return {name: getattr(contact or empty, name) for name in CONTACT_FIELDS}


@permission_required("directory.view_changes")
@require_http_methods(["GET", "POST"])
def directory_changes(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    authority = principal.acting_authority()
    state = authority.state
    can_propose = "directory_editor" in principal.roles
    authorities = list(Authority.objects.filter(state=state).order_by("name")) if can_propose else []
    form = None
    if can_propose and authorities:
        if request.method == "POST":
            form = ContactChangeForm(request.POST, authorities=authorities)
            if form.is_valid():
                current = _current_values(form.cleaned_data["authority"])
                # Only what differs from the entry goes into the proposal.
                payload = {
                    name: form.cleaned_data[name]
                    for name in CONTACT_FIELDS
                    if form.cleaned_data[name] != current[name]
                }
                try:
                    directory_change_propose(
                        actor=principal,
                        state=state,
                        target_type=TARGET_CONTACT,
                        target_id=form.cleaned_data["authority"],
                        payload=payload,
                    )
                except InvalidInput as exc:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                except ComityError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(
                        request, _("Change proposed; a reviewer of your State will approve or reject it.")
                    )
                    return redirect("web:directory_changes")
        else:
            chosen = request.GET.get("authority", authorities[0].code)[:16]
            if chosen not in {a.code for a in authorities}:
                chosen = authorities[0].code
            initial = {**_current_values(chosen), "authority": chosen}
            initial["languages"] = ", ".join(initial["languages"])
            form = ContactChangeForm(initial=initial, authorities=authorities)
    changes = list(directory_changes_visible(principal)[:100])
    status = 422 if form is not None and form.errors else 200
    return render(
        request,
        "web/directory_changes.html",
        {"form": form, "changes": changes, "can_propose": can_propose},
        status=status,
    )


@permission_required("directory.view_changes")
@require_POST
def directory_change_decide(request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(request)
    change = access_directory_change(principal, code)
    decision = request.POST.get("decision")
    if decision not in ("approve", "reject"):
        messages.error(request, _("Choose approve or reject."))
        return redirect("web:directory_changes")
    try:
        directory_change_review(
            actor=principal,
            change=change,
            approve=decision == "approve",
            note=request.POST.get("note", "")[:2001],
        )
    except ComityError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Change approved and applied.") if decision == "approve" else _("Change rejected.")
        )
    return redirect("web:directory_changes")
