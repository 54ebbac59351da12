"""`comity send-reminders [--state ISO3]`: enqueue the reminder task for each hosted State."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comity.cases.tasks import send_due_reminders
from comity.core.models import Authority, State
from comity.core.services import is_hosted


def hosted_states(code: str | None = None) -> list[State]:
    """States hosted here that have at least one authority (one State with --state)."""
    if code:
        state = State.objects.filter(code=code.upper()).first()
        if state is None or not is_hosted(state):
            raise CommandError(f"{code.upper()} is not a State hosted by this installation")
        return [state]
    with_authorities = Authority.objects.values_list("state_id", flat=True)
    return [s for s in State.objects.filter(pk__in=with_authorities).order_by("code") if is_hosted(s)]


class Command(BaseCommand):
    help = "Enqueue the deadline reminders task for each hosted State (run it daily, e.g. from cron)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--state", help="ISO3 code of one State (default: every hosted State)")
        parser.add_argument("--today", help="ISO date to act as today (testing, catching up)")

    def handle(self, *args: Any, **options: Any) -> None:
        for state in hosted_states(options["state"]):
            result = send_due_reminders.enqueue(state.pk, options["today"])
            self.stdout.write(f"{state.code}: reminders task {result.id} ({result.status})")
