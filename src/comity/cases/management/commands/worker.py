"""`comity worker`: deliver the exchange outbox and run queued background tasks.

The exchange delivery loop (comity.exchange.senders) always runs: COMITY_EXCHANGE_SENDERS
threads send the outbox, several streams at once, and the worker is woken as soon as a message
is committed (comity.exchange.wake); `--poll` is only the safety net. With
COMITY_TASKS_BACKEND=database the database task worker of django-tasks-db (deadline reminders)
runs beside it as a child process; with the default immediate backend tasks run when they are
enqueued and there is nothing else to run. `--batch` delivers what is due and runs the queued
tasks, then exits.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comity.exchange import senders


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a long-running worker; `comity check` covers configuration
    help = "Deliver exchange messages and run background tasks (reminders) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="deliver and run what is due, then exit")
        parser.add_argument("--queue-name", default="default")
        parser.add_argument(
            "--poll",
            type=float,
            default=senders.POLL_SECONDS,
            help="longest sleep when idle, in seconds (the worker is woken when a message is committed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["poll"] > 0:
            raise CommandError("--poll must be a positive number of seconds.")
        tasks = settings.COMITY_TASKS_BACKEND == "database"
        if options["batch"]:
            sent = senders.run(batch=True)
            self.stderr.write(f"Exchange: {sent} message(s) handled.")
            if tasks:
                call_command("db_worker", "--queue-name", options["queue_name"], "--batch")
            else:
                self.stderr.write(
                    "Tasks: none queued (COMITY_TASKS_BACKEND is immediate: tasks run when enqueued)."
                )
            return
        child = None
        if tasks:
            child = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
                [sys.executable, "-m", "comity.cli", "db_worker", "--queue-name", options["queue_name"]]
            )
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        try:
            senders.run(stop=stop, poll=options["poll"])
        finally:
            if child is not None:
                child.terminate()
                child.wait(timeout=30)
