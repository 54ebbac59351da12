"""`comity knowledge-import FILE...`: import knowledge entries (JSON, CSV, PDF, DOCX).

Exit status: 0 every row imported, 1 some rows or files failed (each reported with file, line
and reason; the rest is imported), 2 unusable arguments. docs/knowledge-import.md describes the
formats. `--input-format` names the file format (default: from the extension); `--format`
chooses the report, text or JSON, as in the other commands.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comity.knowledge.enums import EntryKind
from comity.knowledge.importers import FORMATS, LIST_FIELDS, DocumentMetadata, import_files


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", ",").split(",") if v.strip()]


class Command(BaseCommand):
    help = (
        "Import knowledge entries from JSON, CSV, PDF or DOCX files (idempotent by source_key). Bad rows "
        "are reported with file and line; the rest is imported. Exit 0: all imported, 1: some rows failed, "
        "2: bad arguments."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--input-format", choices=FORMATS, help="format of every FILE (default: from each extension)"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text", help="report format")
        parser.add_argument(
            "--quiet", action="store_true", help="no progress bar; only errors and the summary"
        )
        meta = parser.add_argument_group(
            "metadata",
            "for PDF and DOCX (kind and language required); --kind and --source also fill rows of "
            "structured files that lack them",
        )
        meta.add_argument("--kind", choices=EntryKind.values)
        meta.add_argument("--source", default="", help="citation or provenance")
        meta.add_argument("--source-key", default="", help="one document only (default: file:<file name>)")
        meta.add_argument("--title", default="", help="default: the document's own title, else the file name")
        meta.add_argument("--language", default="", help="ISO 639-1 code of the text")
        meta.add_argument("--summary", default="")
        meta.add_argument("--url", default="")
        meta.add_argument("--year", type=int)
        for name in LIST_FIELDS:
            if name not in ("obstacle_notes", "good_practices"):
                meta.add_argument(f"--{name.replace('_', '-')}", default="", help="comma-separated codes")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(f) for f in options["files"]]
        if options["source_key"] and len(paths) > 1:
            raise CommandError("--source-key names one document; give one FILE.", returncode=2)
        meta = DocumentMetadata(
            kind=options["kind"] or "",
            source=options["source"],
            source_key=options["source_key"],
            title=options["title"],
            language=options["language"],
            summary=options["summary"],
            url=options["url"],
            year=options["year"],
            lists={name: _list(options[name]) for name in LIST_FIELDS if _list(options.get(name) or "")},
        )
        show = not options["quiet"] and sys.stderr.isatty()
        report = import_files(paths, input_format=options["input_format"], meta=meta, show_progress=show)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        else:
            for error in report.errors:
                self.stdout.write(self.style.WARNING(f"rejected {error}"))
            self.stdout.write(report.summary())
        if report.failed:
            raise SystemExit(1)
