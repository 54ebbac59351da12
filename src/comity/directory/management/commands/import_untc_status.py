"""`comity import-untc-status FILE --treaty CODE [--dry-run]`: update a treaty's parties from a
depositary (UN Treaty Collection) participant table, saved as CSV or as the HTML page.

Prints what changed per State, the names it could not map, the values it kept because the table
shows none, and the parties missing from the table (never deleted). Exit 0 when done, 2 when the
input cannot be used (file missing, no participant table, wrong columns, unknown treaty).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comity.directory.importers import ImportInputError
from comity.directory.management.commands.import_reference_data import stderr_progress
from comity.directory.untc_status import import_untc_status


class Command(BaseCommand):
    help = "Update a treaty's parties from a UNTC participant table (CSV or HTML); never deletes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="participant table, .csv or .html")
        parser.add_argument("--treaty", required=True, help="treaty code, e.g. untoc")
        parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
        parser.add_argument("--source-url", default="", help="source of the table (default: the treaty's)")
        parser.add_argument(
            "--retrieved-on", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = import_untc_status(
                Path(options["file"]),
                treaty_code=options["treaty"],
                dry_run=options["dry_run"],
                source_url=options["source_url"],
                retrieved_on=options["retrieved_on"],
                progress=None if options["quiet"] else stderr_progress(sys.stderr),
            )
        except ImportInputError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        prefix = "(dry run, nothing written) " if options["dry_run"] else ""
        self.stdout.write(prefix + report.summary())
        for change in report.changes:
            self.stdout.write(f"  {change}")
        for error in report.rejected:
            self.stdout.write(self.style.WARNING(f"  rejected {error}"))
        for kept in report.kept:
            self.stdout.write(f"  kept {kept}")
        if report.missing:
            self.stdout.write(
                f"  not in the table (kept, not deleted): {len(report.missing)}: {' '.join(report.missing)}"
            )
