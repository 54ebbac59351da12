"""Background tasks of case management (django-tasks; `comity worker` runs them).

Tasks receive ids, never objects, and reopen the State's scope (comity.core.tenancy.in_state_scope).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from comity.cases.deadlines import send_reminders
from comity.core.tenancy import in_state_scope


@in_state_scope
def _send_due_reminders(*, state_id: int, today: str | None = None) -> int:
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return send_reminders(state_id=state_id, today=day)


@task()
def send_due_reminders(state_id: int, today: str | None = None) -> int:
    """Send the deadline reminders due for one State (`today`: ISO date, default the current
    date). Each reminder goes out once (comity.cases.deadlines). Returns how many were sent."""
    return _send_due_reminders(state_id=state_id, today=today)
