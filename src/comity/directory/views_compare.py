"""The comparison of two States, side by side, with the legal basis between them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from comity.directory.forms import CompareForm
from comity.directory.legal_basis import InvalidQuery, LegalBasisQuery, answer
from comity.directory.selectors import state_choices, state_entry, treaties_in_force
from comity.directory.views import labels, ui_language
from comity.vocabulary import CooperationType, LegalBasisKind, WarningCode

# Query keys that only prefill the form (the State page links here with `?a=<its code>`).
PREFILL_KEYS = {"a"}
# The engine's field names -> this form's.
_QUERY_FIELDS = {"requesting": "a", "requested": "b", "type": "type", "date": "date"}


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    language = ui_language()
    today = timezone.localdate()
    states = state_choices(language=language)
    if set(request.GET) <= PREFILL_KEYS:  # a link that only picks the first State, or nothing yet
        form = CompareForm(
            states=states, initial={"a": request.GET.get("a", ""), "type": CooperationType.MLA}
        )
    else:
        form = CompareForm(request.GET, states=states)
    context: dict[str, Any] = {
        "form": form,
        **labels(language),
        "cooperation_labels": dict(CooperationType.choices),
        "basis_kind_labels": dict(LegalBasisKind.choices),
        "warning_labels": dict(WarningCode.choices),
    }
    if form.is_bound and not form.is_valid():
        return render(request, "directory/compare.html", context, status=422)
    if form.is_bound:
        on = form.cleaned_data["date"] or today
        a = state_entry(form.cleaned_data["a"], language=language, today=today)
        b = state_entry(form.cleaned_data["b"], language=language, today=today)
        cooperation_type = form.cleaned_data["type"]
        raw = {"requesting": a.state.code, "requested": b.state.code, "type": cooperation_type, "date": on}
        try:
            legal_basis = answer(LegalBasisQuery.parse(raw))
        except InvalidQuery as exc:
            for field, message in exc.errors:
                form.add_error(_QUERY_FIELDS.get(field), message)
            return render(request, "directory/compare.html", context, status=422)
        context.update(
            a=a,
            b=b,
            sides=[a, b],
            on=on,
            cooperation_type=cooperation_type,
            treaties=treaties_in_force(a.state, b.state, on),
            legal_basis=legal_basis,
        )
    return render(request, "directory/compare.html", context)
