"""CSV (streamed) and XLSX exports of a list of requests, with the confidentiality (18(20)) and
use-limitation (18(19)) flags on every row. An export is a disclosure: the view records it in the
audit trail (action `requests.exported`) before the first byte leaves."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from comity.cases.enums import OPEN_STATUSES
from comity.cases.models import Request

MAX_EXPORT_ROWS = 10_000
AUDITED_CODES = 2_000  # the audit event lists the codes of the exported requests up to this many
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_overdue(request: Request, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(request.due_on and request.due_on < today and request.status in OPEN_STATUSES)


def headers() -> list[str]:
    return [
        _("Code"),
        _("Our reference"),
        _("Their reference"),
        _("Title"),
        _("Direction"),
        _("Type"),
        _("Status"),
        _("Requesting State"),
        _("Requested State"),
        _("Authority"),
        _("Officer in charge"),
        _("Executing authority"),
        _("Urgent"),
        _("Overdue"),
        _("Confidential (18(20))"),
        _("Use limitation (18(19))"),
        _("Next due date"),
        _("Last change (UTC)"),
    ]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _user(user: Any) -> str:
    return str(user.get_username()) if user is not None else ""


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV/formula injection): a leading = + - @ is quoted."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def row(request: Request, today: dt.date) -> list[str]:
    return [
        request.code,
        _cell(request.our_reference),
        _cell(request.their_reference),
        _cell(request.title),
        str(request.get_direction_display()),
        str(request.get_request_type_display()),
        str(request.get_status_display()),
        request.requesting_state.code,
        request.requested_state.code,
        _cell(request.authority.name),
        _user(request.assigned_officer),
        _cell(request.executing_authority.name) if request.executing_authority else "",
        _yes_no(request.urgent),
        _yes_no(is_overdue(request, today)),
        _yes_no(request.confidential),
        _yes_no(bool(request.use_limitation)),
        request.due_on.isoformat() if request.due_on else "",
        request.updated_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M"),
    ]


def export_queryset(requests: QuerySet[Request]) -> QuerySet[Request]:
    return requests.select_related(
        "requesting_state", "requested_state", "authority", "assigned_officer", "executing_authority"
    )[:MAX_EXPORT_ROWS]


class _Echo:
    """A file-like object whose write returns the value (csv.writer into a streaming response)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(requests: Iterable[Request]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    today = timezone.localdate()
    yield "\ufeff"  # so spreadsheet programs read UTF-8 (Arabic, accents) correctly
    yield writer.writerow(headers())
    for request in requests:
        yield writer.writerow(row(request, today))


def xlsx_bytes(requests: Iterable[Request]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = _("Requests")[:31]
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    today = timezone.localdate()
    for request in requests:
        sheet.append(row(request, today))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def audit_data(*, fmt: str, filters: dict[str, Any], codes: list[str]) -> dict[str, Any]:
    return {
        "format": fmt,
        "count": len(codes),
        "filters": {k: str(v) for k, v in filters.items()},
        "codes": codes[:AUDITED_CODES],
        "codes_truncated": len(codes) > AUDITED_CODES,
    }
