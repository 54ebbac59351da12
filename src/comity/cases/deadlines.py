"""Deadlines of requests and their reminders.

`Request.due_on` is always the earliest open deadline (`met_at` empty); `deadline_add` and
`deadline_close` keep it so. Reminders go out at fixed offsets around the due date
(`REMINDER_OFFSETS`, in days, negative before), each at most once per deadline (the
`ReminderSent` row is unique per deadline and offset, so two workers cannot both send it), and
only for requests still open. A worker that did not run on the day of an offset catches up with
the latest offset reached (never with older ones).

These helpers write without checking rules: the services (comity.cases.services), the transition
function and the reminder task call them inside their own transaction, after their own checks.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Min

from comity.cases.enums import OPEN_STATUSES, DeadlineKind, EventKind
from comity.cases.models import Deadline, ReminderSent, Request, RequestEvent
from comity.core.audit import audit_record
from comity.core.enums import AuditAction, Role
from comity.core.models import Membership
from comity.vocabulary import RequestType

logger = logging.getLogger(__name__)

REMINDER_OFFSETS: tuple[int, ...] = (-7, -1, 0, 1, 7)
PROVISIONAL_ARREST_SUBJECTS = (RequestType.PROVISIONAL_ARREST, RequestType.EXTRADITION)


def refresh_due_on(request: Request) -> None:
    """Set `request.due_on` to its earliest open deadline (or none) and save it."""
    due = Deadline.objects.filter(request=request, met_at__isnull=True).aggregate(first=Min("due_on"))[
        "first"
    ]
    if request.due_on != due:
        request.due_on = due
        request.save(update_fields=["due_on", "updated_at"])


def deadline_add(
    *, request: Request, kind: str, due_on: dt.date, reason: str, actor: Any = None, authority: Any = None
) -> Deadline:
    """Add a deadline, keep `due_on`, write the timeline event and the audit event."""
    deadline = Deadline.objects.create(
        state_id=request.state_id, request=request, kind=kind, due_on=due_on, reason=reason[:500]
    )
    refresh_due_on(request)
    RequestEvent.objects.create(
        state_id=request.state_id,
        request=request,
        kind=EventKind.DEADLINE_SET,
        actor=actor,
        authority=authority,
        text=reason,
        data={"deadline": deadline.pk, "kind": kind, "due_on": due_on.isoformat()},
    )
    audit_record(
        state=request.state,
        action=AuditAction.REQUEST_DEADLINE_SET,
        actor=actor,
        authority=authority,
        object_type="request",
        object_id=request.code,
        data={"kind": kind, "due_on": due_on.isoformat()},
    )
    return deadline


def formal_request_days(request: Request) -> int | None:
    """16(9): days the requested State allows for the formal extradition request after a
    provisional arrest (its RequirementProfile), or None when the directory does not say."""
    from comity.directory.models import RequirementProfile

    for subject in PROVISIONAL_ARREST_SUBJECTS:
        profile = RequirementProfile.objects.filter(
            state_id=request.requested_state_id, subject=subject
        ).first()
        if profile is not None and profile.formal_request_days:
            return int(profile.formal_request_days)
    return None


def add_formal_request_deadline(
    *, request: Request, arrested_on: dt.date, actor: Any = None, authority: Any = None
) -> Deadline | None:
    """After a provisional arrest (16(9)): the legal deadline for the formal request, when the
    requested State's profile gives one."""
    days = formal_request_days(request)
    if days is None:
        return None
    return deadline_add(
        request=request,
        kind=DeadlineKind.LEGAL,
        due_on=arrested_on + dt.timedelta(days=days),
        reason=f"16(9): formal extradition request due within {days} days of the provisional arrest "
        f"({request.requested_state.code}).",
        actor=actor,
        authority=authority,
    )


def offset_due(deadline: Deadline, today: dt.date) -> int | None:
    """The latest reminder offset reached today for `deadline` (None before the first one)."""
    elapsed = (today - deadline.due_on).days
    reached = [offset for offset in REMINDER_OFFSETS if offset <= elapsed]
    return reached[-1] if reached else None


def _recipients(request: Request) -> list[str]:
    """Assigned officers; if nobody is assigned, the central authority officers holding it."""
    users = [u for u in (request.assigned_officer, request.executing_officer) if u is not None]
    if not users:
        users = [
            m.user
            for m in Membership.objects.filter(
                authority_id=request.authority_id, role=Role.CENTRAL_AUTHORITY_OFFICER, ended_at__isnull=True
            ).select_related("user")
        ]
    return sorted({u.email for u in users if u.email})


def _reminder_text(request: Request, deadline: Deadline, today: dt.date) -> tuple[str, str]:
    """Subject and body: the reference, the kind and the date, never the request's content."""
    days = (deadline.due_on - today).days
    when = (
        "is due today"
        if days == 0
        else (f"is due in {days} day(s)" if days > 0 else f"was due {-days} day(s) ago")
    )
    reference = request.our_reference or request.their_reference or request.code
    subject = f"[Comity] Deadline {when}: request {reference}"
    body = (
        f"A {deadline.get_kind_display()} deadline of request {reference} {when} "
        f"({deadline.due_on.isoformat()}).\n\nOpen Comity to see the request (code {request.code})."
    )
    return subject, body


def send_reminder(deadline: Deadline, offset: int, today: dt.date) -> bool:
    """Send one reminder (e-mail and timeline) unless it was sent already. True when sent."""
    request = deadline.request
    try:
        with transaction.atomic():
            ReminderSent.objects.create(state_id=deadline.state_id, deadline=deadline, offset_days=offset)
            RequestEvent.objects.create(
                state_id=request.state_id,
                request=request,
                kind=EventKind.REMINDER_SENT,
                data={"deadline": deadline.pk, "offset_days": offset, "due_on": deadline.due_on.isoformat()},
            )
            audit_record(
                state=request.state,
                action=AuditAction.REQUEST_REMINDER_SENT,
                object_type="request",
                object_id=request.code,
                data={"offset_days": offset, "due_on": deadline.due_on.isoformat()},
            )
            recipients = _recipients(request)
            if recipients:
                subject, body = _reminder_text(request, deadline, today)
                # Inside the transaction: if the mail cannot be sent, nothing is recorded and the
                # next run tries again (a reminder sent twice is better than one never sent).
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except IntegrityError:
        return False  # sent already (or by another worker right now)
    return True


def send_reminders(*, state_id: int, today: dt.date) -> int:
    """Send the reminders due on `today` for one State (inside its scope). Returns how many."""
    deadlines = (
        Deadline.objects.filter(
            state_id=state_id,
            met_at__isnull=True,
            request__status__in=OPEN_STATUSES,
            due_on__lte=today - dt.timedelta(days=REMINDER_OFFSETS[0]),
        )
        .select_related("request__state", "request__assigned_officer", "request__executing_officer")
        .order_by("due_on", "pk")
    )
    sent = 0
    for deadline in deadlines:
        offset = offset_due(deadline, today)
        if offset is None or deadline.reminders.filter(offset_days=offset).exists():
            continue
        try:
            sent += send_reminder(deadline, offset, today)
        except Exception:  # one failing mail must not stop the others
            logger.exception("reminder for deadline %s (offset %s) not sent", deadline.pk, offset)
    return sent
