"""The dashboard (queues and breakdowns by requested State, status and type), the filtered list
of requests (htmx partial update, 25 rows a page) and its CSV / XLSX exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from comity.accounts.principal import Principal
from comity.cases import exports, selectors
from comity.cases.enums import OPEN_STATUSES, RequestStatus
from comity.cases.forms import QUEUE_CHOICES, RequestFilterForm
from comity.cases.models import Request
from comity.core.audit import audit_record
from comity.core.enums import AuditAction
from comity.core.models import State
from comity.core.rules import can
from comity.core.tenancy import state_scope
from comity.vocabulary import RequestType
from comity.web.views import permission_required, principal_of

PAGE_SIZE = 25
# Pages open to every member: the selectors show each one only the requests they may see (an
# executing officer, who has no case role, sees the requests assigned to them).
MEMBER = "web.view_dashboard"
LIST_RELATED = (
    "requesting_state",
    "requested_state",
    "authority",
    "assigned_officer",
    "executing_authority",
    "executing_officer",
)


QUEUES: dict[str, Callable[[Principal], QuerySet[Request]]] = {
    "my_tasks": selectors.my_tasks,
    "awaiting_review": selectors.awaiting_review,
    "awaiting_registration": selectors.awaiting_registration,
    "overdue": selectors.overdue,
}


def mark_overdue(rows: list[Request]) -> list[Request]:
    today = timezone.localdate()
    for row in rows:
        row.is_overdue = exports.is_overdue(row, today)  # type: ignore[attr-defined]
    return rows


def filtered_requests(principal: Principal, filters: dict[str, Any]) -> QuerySet[Request]:
    """The principal's visible requests, narrowed by the list's filters (through the selectors)."""
    requests = selectors.requests_filtered(
        principal,
        requested_state=filters.get("requested_state"),
        status=filters.get("status"),
        request_type=filters.get("request_type"),
        direction=filters.get("direction"),
        open_only=bool(filters.get("open_only")),
        search=filters.get("q"),
    )
    if filters.get("urgent"):
        requests = requests.filter(urgent=True)
    queue = filters.get("queue", "")
    return QUEUES[queue](principal) & requests if queue in QUEUES else requests


def _state_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.name} ({s.code})") for s in State.objects.order_by("name").only("code", "name")]


def filter_form(request: HttpRequest) -> RequestFilterForm:
    data = request.GET.copy()
    data.pop("page", None)
    return RequestFilterForm(data or None, states=_state_choices())


def queue_counts(principal: Principal, current: str = "") -> list[dict[str, Any]]:
    return [
        {
            "code": code,
            "label": label,
            "count": (QUEUES[code](principal) if code else selectors.requests_visible(principal)).count(),
            "current": code == current,
        }
        for code, label in QUEUE_CHOICES
    ]


def _breakdown(requests: QuerySet[Request], field: str, labels: dict[str, Any]) -> list[dict[str, Any]]:
    rows = (
        requests.order_by()
        .values(field)
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status__in=OPEN_STATUSES)))
        .order_by(field)
    )
    return [
        {"value": r[field], "label": labels.get(r[field], r[field]), "open": r["open"], "total": r["total"]}
        for r in rows
    ]


@permission_required(MEMBER)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    visible = selectors.requests_visible(principal)
    state_names = {s.code: f"{s.name} ({s.code})" for s in State.objects.only("code", "name")}
    breakdowns = [
        {
            "key": "requested_state",
            "title": _("By requested State"),
            "column": _("Requested State"),
            "rows": _breakdown(visible, "requested_state__code", state_names),
        },
        {
            "key": "status",
            "title": _("By status"),
            "column": _("Status"),
            "rows": _breakdown(visible, "status", dict[str, Any](RequestStatus.choices)),
        },
        {
            "key": "request_type",
            "title": _("By type"),
            "column": _("Type"),
            "rows": _breakdown(visible, "request_type", dict[str, Any](RequestType.choices)),
        },
    ]
    context = {
        "queues": queue_counts(principal),
        "breakdowns": breakdowns,
        "can_create": can(principal, "cases.create"),
        "can_register": can(principal, "cases.register_incoming"),
    }
    return render(request, "cases/dashboard.html", context)


@permission_required(MEMBER)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    form = filter_form(request)
    if form.is_bound and not form.is_valid():
        requests = Request.objects.none()
    else:
        requests = filtered_requests(principal, form.active())
    paginator = Paginator(requests.select_related(*LIST_RELATED), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    rows = mark_overdue(list(page_obj.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "rows": rows, "page_obj": page_obj, "query": query.urlencode()}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "cases/_rows.html", context, status=422 if form.errors else 200)
    context["queues"] = queue_counts(principal, current=form.active().get("queue", ""))
    return render(request, "cases/list.html", context, status=422 if form.errors else 200)


@permission_required(MEMBER)
@require_GET
def request_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The list with its current filters as CSV (streamed) or XLSX; recorded as a disclosure."""
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format.")
    principal = principal_of(request)
    form = filter_form(request)
    if form.is_bound and not form.is_valid():
        return HttpResponse(_("Invalid filters."), status=422, content_type="text/plain; charset=utf-8")
    filters = form.active()
    selected = filtered_requests(principal, filters)
    codes = list(selected.values_list("code", flat=True)[: exports.MAX_EXPORT_ROWS])
    requests = exports.export_queryset(selected)
    authority = principal.acting_authority()
    audit_record(
        state=authority.state,
        action=AuditAction.REQUESTS_EXPORTED,
        actor=principal.user,
        authority=authority,
        object_type="request",
        data=exports.audit_data(fmt=fmt, filters=filters, codes=codes),
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        state_id = authority.state_id

        def lines() -> Any:
            # The response is iterated after the view returns, outside the request's scope.
            with state_scope(state_id):
                yield from exports.csv_lines(requests.iterator(chunk_size=500))

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.xlsx_bytes(requests), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="requests-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response  # type: ignore[return-value]
