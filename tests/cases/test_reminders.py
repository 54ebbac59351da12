"""Deadlines and reminders with a frozen date: once per offset, never twice, none once closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from comity.cases import services
from comity.cases.deadlines import REMINDER_OFFSETS, offset_due, send_reminders
from comity.cases.enums import EventKind, RequestStatus
from comity.cases.lifecycle import request_transition
from comity.cases.models import Deadline, ReminderSent, Request, RequestEvent
from comity.cases.tasks import send_due_reminders
from comity.core.models import AuditEvent
from comity.core.tenancy import ScopeError, state_scope
from comity.directory.models import RequirementProfile
from tests.cases import CaseWorld, incoming, make_case_world

pytestmark = pytest.mark.django_db
DUE = dt.date(2026, 3, 20)


def _with_deadline(cw: CaseWorld, due: dt.date = DUE) -> Request:
    request = incoming(cw)
    with state_scope(cw.w.state_a.pk):
        services.request_assign(actor=cw.alice, request=request, officer=cw.w.alice)
        services.request_set_deadline(
            actor=cw.alice, request=request, kind="requested", due_on=due, reason="Trial."
        )
        request.refresh_from_db()
    return request


def _run(cw: CaseWorld, today: dt.date) -> int:
    with state_scope(cw.w.state_a.pk):
        return send_reminders(state_id=cw.w.state_a.pk, today=today)


def test_offsets() -> None:
    deadline = Deadline(due_on=DUE)
    assert REMINDER_OFFSETS == (-7, -1, 0, 1, 7)
    assert [offset_due(deadline, DUE + dt.timedelta(days=d)) for d in (-8, -7, -3, -1, 0, 1, 5, 7, 30)] == [
        None,
        -7,
        -7,
        -1,
        0,
        1,
        1,
        7,
        7,
    ]


def test_one_reminder_per_offset_never_twice() -> None:
    cw = make_case_world()
    request = _with_deadline(cw)
    assert _run(cw, DUE - dt.timedelta(days=8)) == 0
    sent = [_run(cw, DUE + dt.timedelta(days=d)) for d in (-7, -7, -6, -1, 0, 0, 1, 2, 7, 8, 40)]
    assert sent == [1, 0, 0, 1, 1, 0, 1, 0, 1, 0, 0]
    with state_scope(cw.w.state_a.pk):
        assert sorted(ReminderSent.objects.values_list("offset_days", flat=True)) == [-7, -1, 0, 1, 7]
        events = RequestEvent.objects.filter(request=request, kind=EventKind.REMINDER_SENT)
        assert [e.data["offset_days"] for e in events] == [-7, -1, 0, 1, 7]
        assert AuditEvent.objects.filter(action="request.reminder_sent", object_id=request.code).count() == 5
    assert len(mail.outbox) == 5
    assert mail.outbox[0].to == ["alice@example.org"]
    assert mail.outbox[0].subject == "[Comity] Deadline is due in 7 day(s): request B-77"
    assert mail.outbox[2].subject == "[Comity] Deadline is due today: request B-77"
    assert mail.outbox[4].subject == "[Comity] Deadline was due 7 day(s) ago: request B-77"
    assert "Bank" not in mail.outbox[0].body  # the reference and the date, never the content


def test_no_reminders_for_closed_requests_or_met_deadlines() -> None:
    cw = make_case_world()
    request = _with_deadline(cw)
    other = _with_deadline(cw, DUE)
    with state_scope(cw.w.state_a.pk):
        request_transition(
            actor=cw.alice, request=request, to_status=RequestStatus.WITHDRAWN, text="Withdrawn."
        )
        services.deadline_mark_met(actor=cw.alice, deadline=other.deadlines.get())
        other.refresh_from_db()
        assert other.due_on is None
    assert _run(cw, DUE) == 0
    assert mail.outbox == []


def test_due_on_is_the_earliest_open_deadline() -> None:
    cw = make_case_world()
    request = _with_deadline(cw, DUE)
    with state_scope(cw.w.state_a.pk):
        services.request_set_deadline(
            actor=cw.alice,
            request=request,
            kind="internal",
            due_on=DUE - dt.timedelta(days=10),
            reason="Target.",
        )
        request.refresh_from_db()
        assert request.due_on == DUE - dt.timedelta(days=10)
        services.deadline_mark_met(actor=cw.alice, deadline=request.deadlines.get(kind="internal"))
        request.refresh_from_db()
        assert request.due_on == DUE


def test_the_task_reopens_the_scope_and_uses_today(monkeypatch: Any) -> None:
    cw = make_case_world()
    _with_deadline(cw)
    frozen = timezone.make_aware(dt.datetime.combine(DUE, dt.time(9)))
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    result = send_due_reminders.enqueue(cw.w.state_a.pk)  # the immediate backend runs it now
    assert result.return_value == 1
    assert send_due_reminders.enqueue(cw.w.state_a.pk).return_value == 0
    assert len(mail.outbox) == 1
    with pytest.raises(ScopeError):
        Deadline.objects.count()  # nothing leaked out of the task's scope


def test_the_task_sees_only_its_state() -> None:
    cw = make_case_world()
    _with_deadline(cw)
    assert send_due_reminders.enqueue(cw.w.state_b.pk, DUE.isoformat()).return_value == 0
    assert send_due_reminders.enqueue(cw.w.state_a.pk, DUE.isoformat()).return_value == 1


def test_send_reminders_command(comity_cli: Any) -> None:
    cw = make_case_world()
    _with_deadline(cw)
    code, out, _ = comity_cli("send-reminders", "--state", "aaa", "--today", DUE.isoformat())
    assert code == 0
    assert out.startswith("AAA: reminders task ")
    assert len(mail.outbox) == 1
    code, out, _ = comity_cli("send-reminders", "--today", DUE.isoformat())
    assert (code, len(mail.outbox)) == (0, 1)
    assert [line.split(":")[0] for line in out.splitlines()] == ["AAA", "BBB"]


@pytest.mark.django_db
def test_worker_without_the_database_backend_delivers_and_says_tasks_run_when_enqueued(
    comity_cli: Any,
) -> None:
    code, _, err = comity_cli("worker", "--batch")
    assert code == 0
    assert "Exchange: 0 message(s) handled." in err
    assert "COMITY_TASKS_BACKEND is immediate" in err


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when it exits
def test_worker_runs_the_database_queue(comity_cli: Any, settings: Any) -> None:
    # django-tasks resets its backends when TASKS changes (setting_changed).
    settings.COMITY_TASKS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    code, _out, err = comity_cli("worker", "--batch")
    assert code == 0
    assert "No more tasks to run" in err


@pytest.mark.parametrize(("days", "expected"), [(40, dt.date(2026, 3, 13)), (None, None)])
def test_provisional_arrest_adds_the_formal_request_deadline(
    days: int | None, expected: dt.date | None
) -> None:
    cw = make_case_world()
    RequirementProfile.objects.create(
        state=cw.w.state_a, subject="provisional_arrest", formal_request_days=days
    )
    request = incoming(cw, "provisional_arrest")
    with state_scope(cw.w.state_a.pk):
        request = request_transition(
            actor=cw.alice,
            request=request,
            to_status=RequestStatus.PROVISIONAL_ARREST,
            data={"arrested_on": "2026-02-01"},
        )
        assert request.due_on == expected
        deadlines = list(request.deadlines.values_list("kind", "due_on"))
        assert deadlines == ([("legal", expected)] if expected else [])
