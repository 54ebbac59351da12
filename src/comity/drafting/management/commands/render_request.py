"""`comity render-request FILE.json --lang fr --format pdf -o OUT`: the formal request as a file.

Exit 0 when OUT is written; exit 2, with the reason on stderr, on bad input (not JSON, not a
request document, a language without fixed text, a file over 5 MB, an output that cannot be
written). OUT appears whole or not at all: the document is written to a temporary file in the same
directory, then renamed over OUT.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from comity.drafting.documents.inputs import MAX_DOCUMENT_BYTES, InvalidDocument, parse_document
from comity.drafting.documents.language import directory_languages
from comity.drafting.documents.render import render_docx, render_pdf
from comity.drafting.documents.texts import UN_LANGUAGES, UnsupportedLanguage
from comity.drafting.schema import RequestDocument

FORMATS = ("pdf", "docx")


class Command(BaseCommand):
    help = (
        "Write a request document (JSON, schema 1.0) as a formal request in DOCX or PDF, with its "
        "fixed text in one of the six UN languages."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the request document (JSON)")
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument(
            "--lang", help=f"document language: {', '.join(UN_LANGUAGES)} (default: the document's)"
        )
        parser.add_argument(
            "--format", choices=FORMATS, help="pdf or docx (default: from the output's extension)"
        )
        parser.add_argument(
            "--accepted-languages",
            help="languages the requested State accepts, comma-separated (default: from the directory); "
            "passages typed in another language are marked for translation",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        fmt = options["format"] or output.suffix.lower().lstrip(".")
        if fmt not in FORMATS:
            raise _bad("--format: give pdf or docx (the output's extension is neither)")
        lang = options["lang"]
        if lang is not None and lang not in UN_LANGUAGES:
            raise _bad(f"--lang: no fixed text in {lang!r}; use one of {', '.join(UN_LANGUAGES)}")
        check_writable(output)
        document = parse_document_file(Path(options["file"]))
        accepted = self._accepted(options["accepted_languages"], document.requested_state)
        render = render_pdf if fmt == "pdf" else render_docx
        try:
            content = render(document, lang, accepted_languages=accepted)
        except UnsupportedLanguage as exc:
            raise _bad(f"--lang: {exc}") from exc
        write_atomically(output, content)
        self.stdout.write(f"Wrote {output} ({lang or document.language}, {fmt}, {len(content)} bytes)")

    def _accepted(self, value: str | None, state: str) -> list[str] | None:
        if value is not None:
            return [code.strip() for code in value.split(",") if code.strip()]
        try:
            return directory_languages(state) or None
        except DatabaseError:
            self.stderr.write(
                "warning: the directory is not available; passages typed in a language other than "
                "the document's are marked for translation (give --accepted-languages to decide)"
            )
            return None


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def parse_document_file(path: Path) -> RequestDocument:
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size > MAX_DOCUMENT_BYTES:
                raise _bad(f"{path}: over {MAX_DOCUMENT_BYTES} bytes (5 MB)")
            raw = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise _bad(f"{path}: {exc.strerror or exc}") from exc
    try:
        return parse_document(raw)
    except InvalidDocument as exc:
        raise _bad(f"{path}: {exc.summary}") from exc


def check_writable(path: Path) -> None:
    """Fail before rendering when the output cannot be written (write_atomically checks again)."""
    directory = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise _bad(f"{path}: is a directory")
    if not directory.is_dir():
        raise _bad(f"{path}: no such directory {directory}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise _bad(f"{path}: cannot write in {directory}")


def write_atomically(path: Path, content: bytes) -> None:
    """`content` at `path`, whole or not at all (temporary file in the same directory, renamed)."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise _bad(f"{path}: cannot write there ({exc.strerror or exc})") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise _bad(f"{path}: cannot write it ({exc.strerror or exc})") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
