"""CSV and XLSX exports of the list: the current filters, the confidentiality and use-limitation
flags, only visible requests, and one `requests.exported` audit event per export."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from comity.cases.models import Request
from comity.core.models import AuditEvent
from comity.core.tenancy import state_scope, unscoped
from tests.cases import CaseWorld, incoming, make_case_world
from tests.cases.test_views import make_secrets
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def cw() -> CaseWorld:
    return make_case_world()


@pytest.fixture
def secrets(cw: CaseWorld) -> dict[str, Request]:
    return make_secrets(cw)


def exported(state_pk: int) -> list[AuditEvent]:
    with state_scope(state_pk):
        return list(AuditEvent.objects.filter(action="requests.exported").order_by("seq"))


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_export_has_flags_and_only_visible_rows(cw, secrets):
    confidential = incoming(
        cw, their_reference="=HYPERLINK(1)", confidentiality={"required": True, "reasons": "Ongoing"}
    )
    with unscoped(reason="test: a use limitation and a passed due date"):
        Request.objects.filter(pk=confidential.pk).update(
            use_limitation="Case 12 only.", due_on=dt.date(2020, 1, 1)
        )
    response = logged_in(cw.w.alice).get(reverse("cases:export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="requests-')
    assert response["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    header = rows[0]
    assert header[:4] == ["Code", "Our reference", "Their reference", "Title"]
    by_code = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert set(by_code) == {secrets["alice"].code, confidential.code}
    row = by_code[confidential.code]
    assert row["Their reference"] == "'=HYPERLINK(1)"  # no formula reaches a spreadsheet
    assert (row["Confidential (18(20))"], row["Use limitation (18(19))"], row["Overdue"]) == (
        "yes",
        "yes",
        "yes",
    )
    assert by_code[secrets["alice"].code]["Confidential (18(20))"] == "no"
    (event,) = exported(cw.w.state_a.pk)
    assert event.data["format"] == "csv"
    assert event.data["count"] == 2
    assert sorted(event.data["codes"]) == sorted([secrets["alice"].code, confidential.code])
    assert event.object_type == "request"
    assert exported(cw.w.state_b.pk) == []


def test_xlsx_export_keeps_the_filters(cw):
    incoming(cw, their_reference="KEEP-1")
    incoming(cw, their_reference="DROP-1")
    response = logged_in(cw.w.alice).get(reverse("cases:export", args=["xlsx"]), {"q": "KEEP"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2
    assert values[1][2] == "KEEP-1"
    (event,) = exported(cw.w.state_a.pk)
    assert (event.data["format"], event.data["count"], event.data["filters"]) == ("xlsx", 1, {"q": "KEEP"})


def test_export_of_a_queue(cw):
    incoming(cw, their_reference="WAITING")
    response = logged_in(cw.w.alice).get(reverse("cases:export", args=["csv"]), {"queue": "overdue"})
    assert len(csv_rows(response)) == 1  # the header only
    (event,) = exported(cw.w.state_a.pk)
    assert event.data["filters"] == {"queue": "overdue"}


def test_bad_format_or_filters_export_nothing(cw):
    incoming(cw)
    client = logged_in(cw.w.alice)
    assert client.get(reverse("cases:export", args=["pdf"])).status_code == 404
    assert client.get(reverse("cases:export", args=["csv"]), {"status": "nonsense"}).status_code == 422
    assert exported(cw.w.state_a.pk) == []


def test_the_unassigned_executing_officer_exports_nothing(cw):
    incoming(cw)
    response = logged_in(cw.eve).get(reverse("cases:export", args=["csv"]))
    assert len(csv_rows(response)) == 1
    (event,) = exported(cw.w.state_a.pk)
    assert event.data["count"] == 0


def test_anonymous_cannot_export(cw):
    from django.test import Client

    response = Client().get(reverse("cases:export", args=["csv"]))
    assert response.status_code == 302
    assert exported(cw.w.state_a.pk) == []
