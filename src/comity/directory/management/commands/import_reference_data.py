"""`comity import-reference-data [DIR]`: load States, treaties, parties and UNTOC declarations.

Exit 0 when done (rows that could not be used are listed with file, line and reason), 2 when the
input cannot be used at all (directory or file missing, a column missing).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comity.directory.importers import (
    REFERENCE_DIR,
    REFERENCE_RETRIEVED_ON,
    FileReport,
    ImportInputError,
    Progress,
    import_reference_data,
)


def stderr_progress(stream: TextIO) -> Progress:
    """A one-line progress bar per file on a terminal; one line per finished file otherwise."""
    tty = stream.isatty()
    drawn: dict[str, int] = {}

    def show(name: str, done: int, total: int) -> None:
        if tty:
            filled = 30 * done // max(total, 1)
            if drawn.get(name) == filled and done != total:
                return
            drawn[name] = filled
            stream.write(f"\r{name:<28} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
            if done == total:
                stream.write("\n")
            stream.flush()
        elif done == total:
            stream.write(f"{name}: {done}/{total} rows\n")

    return show


def write_reports(command: BaseCommand, reports: list[FileReport]) -> None:
    for report in reports:
        command.stdout.write(report.summary())
        for error in report.rejected:
            command.stdout.write(command.style.WARNING(f"  rejected {error}"))
        for warning in report.warnings:
            command.stdout.write(command.style.NOTICE(f"  warning {warning}"))


class Command(BaseCommand):
    help = "Import the reference data (States, treaties, parties, UNTOC declarations); idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", default=str(REFERENCE_DIR), help="default: %(default)s")
        parser.add_argument(
            "--retrieved-on",
            type=date.fromisoformat,
            default=REFERENCE_RETRIEVED_ON,
            help="date the data was copied (YYYY-MM-DD; default %(default)s)",
        )
        parser.add_argument("--quiet", action="store_true", help="print nothing but rejected rows")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = None if options["quiet"] else stderr_progress(sys.stderr)
        try:
            reports = import_reference_data(
                Path(options["directory"]), retrieved_on=options["retrieved_on"], progress=progress
            )
        except ImportInputError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["quiet"]:
            for report in reports:
                for error in report.rejected:
                    self.stdout.write(f"rejected {error}")
            return
        write_reports(self, reports)
