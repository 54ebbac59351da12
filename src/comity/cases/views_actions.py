"""The action endpoints of a request (POST only): status change, assignment and forwarding, note,
information request and answer, consultation record, deadline, message to the other State and
transmission of results. Each parses its form and calls one service; the services and the
lifecycle decide what is allowed (a refusal there is a 403 or a form error, never a 500)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comity.cases import lifecycle, services
from comity.cases.enums import RequestStatus
from comity.cases.forms import AssignForm, ConsultationForm, DeadlineForm, TextForm, TransitionForm
from comity.cases.models import Request
from comity.cases.views import access, allowed_targets, render_detail, result_choices
from comity.cases.views_assign import assignment_choices, assignment_targets
from comity.cases.views_lists import MEMBER
from comity.core.errors import ComityError, InvalidInput, NotAllowed
from comity.core.rules import can
from comity.exchange.forms import ResultForm
from comity.web.views import permission_required, principal_of


def _run(
    http_request: HttpRequest,
    request: Request,
    key: str,
    form: forms.Form,
    write: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Validate, write, then back to the detail page; errors are shown in the form (422)."""
    if form.is_valid():
        try:
            write(form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except InvalidInput as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message)
        except ComityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(http_request, done)
            return redirect("cases:detail", code=request.code)
    return render_detail(http_request, request, bound={key: form}, status=422)


def _require(http_request: HttpRequest, permission: str, request: Request) -> None:
    if not can(principal_of(http_request), permission, request):
        raise PermissionDenied


@permission_required(MEMBER)
@require_POST
def transition(http_request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(http_request)
    request = access(http_request, code)
    statuses = [
        (s, RequestStatus(s).label)
        for s in allowed_targets(principal, request)
        if s != RequestStatus.INFO_REQUESTED
    ]
    if not statuses:
        raise PermissionDenied
    form = TransitionForm(http_request.POST, statuses=statuses)

    def write(data: dict[str, Any]) -> object:
        return lifecycle.request_transition(
            actor=principal,
            request=request,
            to_status=data["to_status"],
            text=data["text"].strip(),
            refusal_grounds=tuple(data["refusal_grounds"]),
            data={"our_reference": data["our_reference"]} if data["our_reference"] else None,
        )

    return _run(http_request, request, "transition", form, write, _("Status changed."))


@permission_required(MEMBER)
@require_POST
def assign(http_request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(http_request)
    request = access(http_request, code)
    _require(http_request, "cases.assign", request)
    choices = assignment_choices(principal, request)
    form = AssignForm(http_request.POST, **choices)

    def write(data: dict[str, Any]) -> object:
        people = assignment_targets(
            principal,
            request,
            officer=data["officer"],
            executing_authority=data["executing_authority"],
            executing_officer=data["executing_officer"],
        )
        return services.request_assign(actor=principal, request=request, **people)

    return _run(http_request, request, "assign", form, write, _("Assignment saved."))


def _text_action(
    name: str, rule: str, label: Any, service: Callable[..., object], done: Any
) -> Callable[[HttpRequest, str], HttpResponse]:
    """A POST action that records one text on the request (note, information rounds)."""

    @permission_required(MEMBER)
    @require_POST
    def view(http_request: HttpRequest, code: str) -> HttpResponse:
        principal = principal_of(http_request)
        request = access(http_request, code)
        _require(http_request, rule, request)
        form = TextForm(http_request.POST, label=label)

        def write(data: dict[str, Any]) -> object:
            return service(actor=principal, request=request, text=data["text"])

        return _run(http_request, request, name, form, write, str(done))

    view.__name__ = name
    return view


note = _text_action(
    "note", "cases.add_note", gettext_lazy("Note"), services.request_add_note, gettext_lazy("Note added.")
)
info_request = _text_action(
    "info_request",
    "cases.transition",
    gettext_lazy("What is needed"),
    services.request_info_request,
    gettext_lazy("Additional information requested."),
)
info_provide = _text_action(
    "info_provide",
    "cases.transition",
    gettext_lazy("Information received or given"),
    services.request_info_provide,
    gettext_lazy("Additional information recorded."),
)
message = _text_action(
    "message",
    "cases.transition",
    gettext_lazy("Message"),
    services.request_send_message,
    gettext_lazy("Message to the other State recorded."),
)


@permission_required(MEMBER)
@require_POST
def result(http_request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(http_request)
    request = access(http_request, code)
    _require(http_request, "cases.transition", request)
    form = ResultForm(http_request.POST, attachments=result_choices(principal, request))

    def write(data: dict[str, Any]) -> object:
        return services.request_send_result(
            actor=principal, request=request, text=data["text"], attachment_codes=data["attachments"]
        )

    return _run(http_request, request, "result", form, write, _("Results transmitted."))


@permission_required(MEMBER)
@require_POST
def consultation(http_request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(http_request)
    request = access(http_request, code)
    _require(http_request, "cases.record_consultation", request)
    form = ConsultationForm(http_request.POST, label=gettext_lazy("What was discussed and agreed"))

    def write(data: dict[str, Any]) -> object:
        return services.request_consultation(
            actor=principal, request=request, text=data["text"], outcome=data["outcome"]
        )

    return _run(http_request, request, "consultation", form, write, _("Consultation recorded."))


@permission_required(MEMBER)
@require_POST
def deadline(http_request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(http_request)
    request = access(http_request, code)
    _require(http_request, "cases.set_deadline", request)
    form = DeadlineForm(http_request.POST)

    def write(data: dict[str, Any]) -> object:
        return services.request_set_deadline(
            actor=principal, request=request, kind=data["kind"], due_on=data["due_on"], reason=data["reason"]
        )

    return _run(http_request, request, "deadline", form, write, _("Deadline set."))
