"""Case management pages: a request's detail (summary, banners, deadlines, assignment, timeline,
the action forms allowed right now), manual registration of an incoming request and the creation
of an outgoing request from a draft. Actions are posted to views_actions.py; lists and exports
are in views_lists.py."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from comity.accounts.principal import Principal
from comity.cases import lifecycle, selectors
from comity.cases.attachments import attachments_of
from comity.cases.enums import (
    OPEN_STATUSES,
    AttachmentKind,
    Direction,
    EventKind,
    RefusalGround,
    RequestStatus,
)
from comity.cases.forms import (
    AssignForm,
    ConsultationForm,
    DeadlineForm,
    OutgoingFromDraftForm,
    RegisterIncomingForm,
    TextForm,
    TransitionForm,
)
from comity.cases.models import Request
from comity.cases.services import case_create, request_create_outgoing, request_register_incoming
from comity.cases.views_assign import assignment_choices
from comity.cases.views_lists import MEMBER, mark_overdue
from comity.core.errors import ComityError, InvalidInput
from comity.core.models import State
from comity.core.rules import can
from comity.drafting.selectors import access_draft, drafts_visible
from comity.exchange.forms import ResultForm
from comity.exchange.outbox import travels_by_exchange
from comity.exchange.selectors import request_exchange
from comity.vocabulary import Measure
from comity.web.views import permission_required, principal_of

DETAIL_RELATED = (
    "case",
    "requesting_state",
    "requested_state",
    "authority",
    "assigned_officer",
    "executing_authority",
    "executing_officer",
)


def document_summary(document: dict[str, Any]) -> dict[str, Any]:
    """What the detail page shows of the request document (any missing part is left out)."""
    measures = dict(Measure.choices)
    proceeding = document.get("proceeding") or {}
    urgency = document.get("urgency") or {}
    return {
        "requesting_authority": (document.get("requesting_authority") or {}).get("name", ""),
        "requested_authority": (document.get("requested_authority") or {}).get("name", ""),
        "language": document.get("language", ""),
        "subject": proceeding.get("subject_and_nature") or "",
        "offences": [o["description"] for o in document.get("offences", []) if o.get("description")],
        "facts": document.get("facts_summary") or "",
        "measures": [
            {
                "label": measures.get(m.get("measure", ""), m.get("measure", "")),
                "description": m.get("description"),
            }
            for m in document.get("measures", [])
        ],
        "purpose": document.get("purpose") or "",
        "urgency": urgency.get("reasons") or "" if urgency.get("required") else "",
    }


# Events written together with a status change of the same text (information rounds).
MERGED_KINDS = frozenset({EventKind.INFO_REQUESTED, EventKind.INFO_PROVIDED})


def timeline_rows(request: Request) -> list[dict[str, Any]]:
    kinds = dict(EventKind.choices)
    statuses = dict(RequestStatus.choices)
    grounds = dict(RefusalGround.choices)
    rows: list[dict[str, Any]] = []
    for event in selectors.request_timeline(request):
        data = event.data or {}
        details = []
        if data.get("refusal_grounds"):
            details.append(", ".join(str(grounds.get(g, g)) for g in data["refusal_grounds"]))
        if data.get("due_on"):
            details.append(_("due %(date)s") % {"date": data["due_on"]})
        previous = rows[-1] if rows else None
        if (
            previous is not None
            and event.kind in MERGED_KINDS
            and previous["kind"] == EventKind.STATUS_CHANGED
            and previous["text"] == event.text
            and previous["actor_id"] == event.actor_id
        ):
            # The information round and its status change are one line: the round, with the status.
            rows.pop()
            event.to_status = str(previous["to_status"])
        rows.append(
            {
                "actor_id": event.actor_id,
                "kind": event.kind,
                "label": kinds.get(event.kind, event.kind),
                "to_status": event.to_status,
                "to_label": statuses.get(event.to_status, event.to_status),
                "created_at": event.created_at,
                "actor": event.actor.get_username() if event.actor else "",
                "authority": event.authority.name if event.authority else "",
                "text": event.text,
                "details": " · ".join(details),
            }
        )
    return rows


def _action(key: str, title: Any, button: Any, url: str, form: forms.Form) -> dict[str, Any]:
    form.auto_id = f"id_{key}_%s"  # several forms on one page: distinct ids
    return {"key": key, "title": title, "button": button, "url": url, "form": form}


# Asking for and providing additional information have their own forms (they write their own
# timeline events); the status list does not offer them.
INFO_STATUSES = frozenset({RequestStatus.INFO_REQUESTED})


def allowed_targets(principal: Principal, request: Request) -> list[str]:
    """The statuses the lifecycle lets the principal try now, information rounds left out."""
    targets = dict.fromkeys(lifecycle.allowed_targets(principal, request))
    if request.status == RequestStatus.INFO_REQUESTED:
        # Leaving info_requested is "information provided" (its own form), except to end it.
        return [t for t in targets if t not in (RequestStatus.REGISTERED, RequestStatus.IN_EXECUTION)]
    return list(targets)


def action_forms(
    principal: Principal, request: Request, bound: dict[str, forms.Form]
) -> list[dict[str, Any]]:
    """The forms of what the principal may do on the request right now (`bound`: a form posted
    with errors, shown again in its place)."""
    code = request.code
    actions = []
    targets = allowed_targets(principal, request)
    statuses = [(s, RequestStatus(s).label) for s in targets if s != RequestStatus.INFO_REQUESTED]
    if statuses:
        form = bound.get("transition") or TransitionForm(statuses=statuses)
        actions.append(
            _action(
                "transition",
                _("Change status"),
                _("Change status"),
                reverse("cases:transition", args=[code]),
                form,
            )
        )
    # Ended requests take notes only (the services refuse the rest); drafts can be prepared.
    is_open = request.status in OPEN_STATUSES
    preparing = is_open or request.status == RequestStatus.DRAFT
    if preparing and can(principal, "cases.assign", request):
        choices = assignment_choices(principal, request)
        form = bound.get("assign") or AssignForm(**choices)
        actions.append(
            _action("assign", _("Assign or forward"), _("Assign"), reverse("cases:assign", args=[code]), form)
        )
    if RequestStatus.INFO_REQUESTED in targets:
        form = bound.get("info_request") or TextForm(label=gettext_lazy("What is needed"))
        actions.append(
            _action(
                "info_request",
                _("Additional information requested"),
                _("Record the question"),
                reverse("cases:info_request", args=[code]),
                form,
            )
        )
    if request.status == RequestStatus.INFO_REQUESTED and can(principal, "cases.transition", request):
        form = bound.get("info_provide") or TextForm(label=gettext_lazy("Information received or given"))
        actions.append(
            _action(
                "info_provide",
                _("Record additional information"),
                _("Record"),
                reverse("cases:info_provide", args=[code]),
                form,
            )
        )
    if is_open and can(principal, "cases.record_consultation", request):
        form = bound.get("consultation") or ConsultationForm(
            label=gettext_lazy("What was discussed and agreed")
        )
        actions.append(
            _action(
                "consultation",
                _("Record a consultation (18(26), 16(16))"),
                _("Record"),
                reverse("cases:consultation", args=[code]),
                form,
            )
        )
    if preparing and can(principal, "cases.set_deadline", request):
        form = bound.get("deadline") or DeadlineForm()
        actions.append(
            _action("deadline", _("Set a deadline"), _("Set"), reverse("cases:deadline", args=[code]), form)
        )
    if can(principal, "cases.add_note", request):
        form = bound.get("note") or TextForm(label=gettext_lazy("Note"))
        actions.append(_action("note", _("Add a note"), _("Add"), reverse("cases:note", args=[code]), form))
    return actions + exchange_actions(principal, request, bound)


# Statuses in which the other State knows the request (it was sent, or it came to us).
NOT_YET_SENT = frozenset({RequestStatus.DRAFT, RequestStatus.IN_REVIEW, RequestStatus.APPROVED})


def exchange_actions(
    principal: Principal, request: Request, bound: dict[str, forms.Form]
) -> list[dict[str, Any]]:
    """Writing to the other State, and transmitting results (sent by the exchange when the request
    travels by it; otherwise recorded as sent by other means)."""
    if not can(principal, "cases.transition", request) or request.status in NOT_YET_SENT:
        return []
    by_exchange = travels_by_exchange(request)
    help_text = (
        _("Sent signed through the exchange.")
        if by_exchange
        else _("This request does not travel through the exchange: send it by other means; this records it.")
    )
    code = request.code
    actions = []
    if request.status in OPEN_STATUSES:
        form = bound.get("message") or TextForm(label=gettext_lazy("Message"))
        form.fields["text"].help_text = help_text
        actions.append(
            _action(
                "message",
                _("Message to the other State"),
                _("Send"),
                reverse("cases:message", args=[code]),
                form,
            )
        )
    if request.direction == Direction.INCOMING and (
        request.status in OPEN_STATUSES
        or request.status in (RequestStatus.EXECUTED, RequestStatus.PARTIALLY_EXECUTED)
    ):
        form = bound.get("result") or ResultForm(attachments=result_choices(principal, request))
        form.fields["text"].help_text = help_text
        actions.append(
            _action(
                "result", _("Transmit results"), _("Transmit"), reverse("cases:result", args=[code]), form
            )
        )
    return actions


def result_choices(principal: Principal, request: Request) -> list[tuple[str, str]]:
    kinds = dict(AttachmentKind.choices)
    return [
        (a.code, f"{a.filename} ({kinds.get(a.kind, a.kind)})") for a in attachments_of(principal, request)
    ]


def render_detail(
    http_request: HttpRequest,
    request: Request,
    *,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    principal = principal_of(http_request)
    deadlines = list(request.deadlines.all())
    today = timezone.localdate()
    for deadline in deadlines:
        deadline.is_overdue = deadline.met_at is None and deadline.due_on < today  # type: ignore[attr-defined]
    grounds = dict(RefusalGround.choices)
    exchange = request_exchange(request)
    context = {
        "r": mark_overdue([request])[0],
        "summary": document_summary(request.document or {}),
        "deadlines": deadlines,
        "attachments": list(attachments_of(principal, request)),
        "can_attach": can(principal, "cases.add_attachment", request),
        "attachment_kinds": AttachmentKind.choices,
        "timeline": timeline_rows(request),
        "refusal_grounds": [grounds.get(g, g) for g in request.refusal_grounds or []],
        "actions": action_forms(principal, request, bound or {}),
        "exchange": exchange,
        "receipts": sum(1 for line in exchange if line.receipt_at is not None),
    }
    return render(http_request, "cases/detail.html", context, status=status)


def access(http_request: HttpRequest, code: str) -> Request:
    """The request (404 for missing and forbidden alike), with what the detail page shows."""
    return selectors.access_request(principal_of(http_request), code)


@permission_required(MEMBER)
@require_GET
def request_detail(request: HttpRequest, code: str) -> HttpResponse:
    return render_detail(request, access(request, code))


def _states(exclude: int) -> list[tuple[str, str]]:
    return [(s.code, f"{s.name} ({s.code})") for s in State.objects.exclude(pk=exclude).order_by("name")]


def _uploaded_document(form: RegisterIncomingForm) -> dict[str, Any] | None:
    upload = form.cleaned_data.get("document_file")
    if upload is None:
        return None
    try:
        document = json.loads(upload.read())
    except (ValueError, UnicodeDecodeError):
        form.add_error("document_file", _("The file is not valid JSON."))
        return None
    if not isinstance(document, dict):
        form.add_error("document_file", _("The file must hold one JSON object."))
        return None
    return document


def _minimal_document(form: RegisterIncomingForm, own_state: str) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "schema_version": "1.0",
        "request_type": data["request_type"],
        "language": (data.get("language") or "en").lower(),
        "reference": data["their_reference"],
        "requested_state": own_state,
        "requesting_authority": {"name": data["requesting_authority"], "state": data["requesting_state"]},
    }


@permission_required("cases.register_incoming")
@require_http_methods(["GET", "POST"])
def register_incoming(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    authority = principal.acting_authority()
    form = RegisterIncomingForm(
        request.POST or None, request.FILES or None, states=_states(authority.state_id)
    )
    if request.method == "POST" and form.is_valid():
        document = _uploaded_document(form)
        if document is None and not form.errors:
            document = _minimal_document(form, authority.state.code)
        if document is not None:
            try:
                created = request_register_incoming(
                    actor=principal,
                    document=document,
                    their_reference=form.cleaned_data["their_reference"],
                    received_on=form.cleaned_data["received_on"],
                    title=form.cleaned_data.get("title") or None,
                )
            except InvalidInput as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message if field else f"{exc.field}: {exc.message}")
            except ComityError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Incoming request registered."))
                return redirect("cases:detail", code=created.code)
    status = 422 if request.method == "POST" else 200
    return render(request, "cases/register.html", {"form": form}, status=status)


@permission_required("cases.create")
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """Create an outgoing request from a draft (?draft=CODE), in an existing or a new case."""
    principal = principal_of(request)
    draft_code = request.GET.get("draft", "")
    if not draft_code:
        drafts = list(drafts_visible(principal)[:100])
        return render(request, "cases/new.html", {"draft": None, "drafts": drafts})
    draft = access_draft(principal, draft_code)
    cases = [(c.code, f"{c.reference} — {c.title}") for c in selectors.cases_visible(principal)[:200]]
    form = OutgoingFromDraftForm(request.POST or None, cases=cases, initial={"title": draft.title})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["case"]:
                case = selectors.access_case(principal, data["case"])
            else:
                case = case_create(
                    actor=principal, reference=data["case_reference"], title=data["case_title"]
                )
            created = request_create_outgoing(
                actor=principal, case=case, document=draft.document, title=data["title"]
            )
        except InvalidInput as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, exc.message if field else f"{exc.field}: {exc.message}")
        except ComityError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The draft is now an outgoing request."))
            return redirect("cases:detail", code=created.code)
    status = 422 if request.method == "POST" else 200
    return render(request, "cases/new.html", {"draft": draft, "form": form}, status=status)
