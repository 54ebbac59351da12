"""`comity worker`: run queued background tasks (django-tasks' database worker).

With the default immediate backend tasks run when they are enqueued and there is nothing to run.
With COMITY_TASKS_BACKEND=database this delegates to the `db_worker` command of django-tasks-db.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a long-running worker; `comity check` covers configuration
    help = "Run the background task worker (deadline reminders...); needs COMITY_TASKS_BACKEND=database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="run the queued tasks, then exit")
        parser.add_argument("--queue-name", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.COMITY_TASKS_BACKEND != "database":
            raise CommandError(
                "No database task worker: set COMITY_TASKS_BACKEND=database (needs the django-tasks-db "
                "package). With the default immediate backend, tasks run when they are enqueued."
            )
        worker_args = ["--queue-name", options["queue_name"]]
        if options["batch"]:
            worker_args.append("--batch")
        call_command("db_worker", *worker_args)
