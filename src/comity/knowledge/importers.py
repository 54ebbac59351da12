"""Import knowledge entries from structured files (JSON, CSV) and documents (PDF, DOCX).

docs/knowledge-import.md is the reference (fields, CSV list separators, examples). In short:

- JSON: an array of entry objects (keys = Entry field names, see services.ENTRY_FIELDS), or
  JSON Lines (one object per line). CSV: a header of field names, `;` between list values,
  JSON in the `translations` and `provisions` cells.
- PDF (pypdf) and DOCX (python-docx): the text becomes the entry's body; the metadata comes
  from `DocumentMetadata` (the command line), the title from the file when not given.

Each row is validated once, on its own (services.entry_validate): a bad row is reported with its
file, line and reason, and the rest is imported. Valid rows are written in batches (WRITE_BATCH
rows, fewer when their text is long) through `services.entries_upsert_many`, which takes them as
validated and updates the search index in the same transaction. Re-importing is idempotent:
`source_key` finds the entry, unchanged rows write nothing.

Files are read as streams: memory holds one batch of rows and a piece of the file (READ_CHARS,
or one JSON value when it is longer), whatever the size of the file.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from comity.core.errors import InvalidInput
from comity.knowledge.services import (
    ENTRY_FIELDS,
    ValidEntry,
    entries_upsert_many,
    entry_validate,
    known_state_codes,
)

FORMATS = ("json", "csv", "pdf", "docx")
LIST_SEPARATOR = ";"
LIST_FIELDS = (
    "states",
    "cooperation_types",
    "request_types",
    "measures",
    "articles",
    "offences",
    "obstacles",
    "obstacle_notes",
    "good_practices",
)
JSON_CELLS = ("translations", "provisions")
INT_FIELDS = ("year", "duration_days")
BOOL_VALUES = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}
READ_CHARS = 1 << 20  # characters read from a file at a time
MAX_VALUE_CHARS = 64 << 20  # one JSON value (entry); a body is at most 5,000,000 characters
WRITE_BATCH = 1_000  # rows per entries_upsert_many (one transaction)
WRITE_BATCH_CHARS = 32 << 20  # ... or fewer, when their text is this long
_EXTENSIONS = {
    ".json": "json",
    ".jsonl": "json",
    ".ndjson": "json",
    ".csv": "csv",
    ".pdf": "pdf",
    ".docx": "docx",
}


class FileError(Exception):
    """The file cannot be used at all (unreadable, not the format, unknown columns)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class RowError:
    file: str
    line: int  # 0: the file as a whole
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}


@dataclass
class ImportReport:
    files: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def summary(self) -> str:
        return (
            f"{self.files} file(s), {self.rows} row(s): {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.failed} failed"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass(frozen=True)
class DocumentMetadata:
    """What the command line says about a PDF or DOCX (and the defaults for structured rows:
    `kind` and `source` fill rows that lack them)."""

    kind: str = ""
    source: str = ""
    source_key: str = ""  # documents: default "file:<file name>"
    title: str = ""
    language: str = ""
    summary: str = ""
    url: str = ""
    year: int | None = None
    lists: dict[str, list[str]] = field(default_factory=dict)  # states, articles, ... (LIST_FIELDS)


def format_of(path: Path, given: str | None) -> str:
    if given:
        return given
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt is None:
        raise FileError(
            f"unknown file type {path.suffix or '(none)'}; give --input-format ({', '.join(FORMATS)})."
        )
    return fmt


# --- Readers: (line, row) pairs -------------------------------------------------------------


def _open_text(path: Path, *, newline: str | None = None) -> IO[str]:
    """The file as UTF-8 text (a BOM is skipped). The whole file is checked first, a piece at a
    time, so a file that is not UTF-8 is refused before any of its rows is imported."""
    try:
        with path.open("rb") as raw:
            decoder = codecs.getincrementaldecoder("utf-8")()
            offset = 0  # in the file, of the first byte the decoder holds back or is given
            while True:
                chunk = raw.read(READ_CHARS)
                held = len(decoder.getstate()[0])  # the start of a character cut by the last read
                try:
                    decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as exc:
                    raise FileError(f"not UTF-8 text (byte {offset + exc.start}).") from exc
                if not chunk:
                    break
                offset += held + len(chunk) - len(decoder.getstate()[0])
        return path.open(encoding="utf-8-sig", newline=newline)
    except OSError as exc:
        raise FileError(f"cannot read the file: {exc.strerror or exc}.") from exc


_SPACE = re.compile(r"[ \t\r\n]*")
# A JSONDecodeError this close to the end of what has been read may only mean that the value
# goes on in the part not read yet (a cut "\uXXXX", "fals", "-12e").
_CUT_MARGIN = 16


class _JsonText:
    """A JSON text read a piece at a time: `text[position:]` is what is not consumed yet and
    `line` the line of `text[position]`, counted as the position moves (never from the start)."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.text = ""
        self.position = 0
        self.line = 1
        self.ended = False

    def read(self, chars: int = 0) -> bool:
        """Read `chars` (default READ_CHARS) more characters, fewer at the end of the file;
        False at the end of the file."""
        if self.ended:
            return False
        try:
            piece = self.handle.read(chars or READ_CHARS)
        except (OSError, UnicodeDecodeError) as exc:  # the file changed since it was checked
            raise FileError(f"cannot read the file: {exc}.", self.line) from exc
        if not piece:
            self.ended = True
            return False
        self.text = self.text[self.position :] + piece
        self.position = 0
        return True

    def move(self, end: int) -> None:
        self.line += self.text.count("\n", self.position, end)
        self.position = end

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the file)."""
        while True:
            space = _SPACE.match(self.text, self.position)
            self.move(space.end() if space else self.position)
            if self.position < len(self.text):
                return self.text[self.position]
            if not self.read():
                return ""

    def value(self, decoder: json.JSONDecoder) -> Any:
        """Decode the value at the position, reading more of the file while it may go on. A
        value longer than MAX_VALUE_CHARS is refused (memory holds at most about that much)."""
        while True:
            held = len(self.text) - self.position
            try:
                value, end = decoder.raw_decode(self.text, self.position)
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(self.text) - _CUT_MARGIN
                if not cut or self.ended:
                    raise FileError(f"invalid JSON: {exc.msg}.", self.line_at(exc.pos)) from exc
                if held > MAX_VALUE_CHARS:
                    raise self._too_long() from exc
                # Twice as much each time, so a long value is decoded O(log n) times, not once
                # per piece; never much past the limit.
                self.read(max(1, min(max(READ_CHARS, held), MAX_VALUE_CHARS + 1 - held)))
                continue
            if end == len(self.text) and self.read():  # a number may go on
                continue
            if end - self.position > MAX_VALUE_CHARS:
                raise self._too_long()
            self.move(end)
            return value

    def _too_long(self) -> FileError:
        return FileError(f"an entry is longer than {MAX_VALUE_CHARS:,} characters.", self.line)

    def line_at(self, position: int) -> int:
        return self.line + self.text.count("\n", self.position, position)


def read_json(path: Path) -> Iterator[tuple[int, Any]]:
    """The objects of a JSON array, or of JSON Lines, each with the line it starts on.

    Streamed: the file is read a piece at a time (READ_CHARS), and each object is decoded and
    handed on before the next is read, so memory holds one piece and one object.
    """
    with _open_text(path, newline="") as handle:  # lines are counted at "\n" only, as JSON does
        text = _JsonText(handle)
        decoder = json.JSONDecoder()
        first = text.peek()
        if not first:
            return
        array = first == "["
        if array:
            text.move(text.position + 1)
        while True:
            following = text.peek()
            if array and following == "]":
                return
            if not following:
                if array:
                    raise FileError("the JSON array is not closed.", text.line)
                return
            line = text.line
            yield line, text.value(decoder)
            if array:
                following = text.peek()
                if following == ",":
                    text.move(text.position + 1)
                elif following and following != "]":
                    raise FileError("expected ',' or ']' in the JSON array.", text.line)


def read_csv(path: Path) -> Iterator[tuple[int, Any]]:
    """Rows of a CSV file as dicts of typed values, each with the line it starts on (streamed)."""
    with _open_text(path, newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileError(f"invalid CSV: {exc}.", 1) from exc
        unknown = [h for h in header if h not in ENTRY_FIELDS]
        if unknown:
            raise FileError(f"unknown column(s): {', '.join(unknown)} (columns are Entry field names).", 1)
        if len(set(header)) != len(header):
            raise FileError("a column appears twice in the header.", 1)
        line = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise FileError(f"invalid CSV: {exc}.", line) from exc
            except (OSError, UnicodeDecodeError) as exc:  # the file changed since it was checked
                raise FileError(f"cannot read the file: {exc}.", line) from exc
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                yield start, InvalidInput("(row)", f"{len(cells)} cells for {len(header)} columns.")
                continue
            try:
                yield start, _typed(dict(zip(header, cells, strict=True)))
            except InvalidInput as exc:
                yield start, exc


def _typed(cells: dict[str, str]) -> dict[str, Any]:
    """CSV cells as the values entry_validate expects."""
    row: dict[str, Any] = {}
    for name, raw in cells.items():
        value = raw.strip()
        if name in LIST_FIELDS:
            row[name] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
        elif name in JSON_CELLS:
            try:
                row[name] = json.loads(value) if value else None
            except ValueError as exc:
                raise InvalidInput(name, f"not valid JSON: {exc}.") from exc
        elif name in INT_FIELDS:
            if value and not value.isdigit():
                raise InvalidInput(name, f"{value!r} is not a whole number.")
            row[name] = int(value) if value else None
        elif name == "is_example":
            if value.lower() not in BOOL_VALUES:
                raise InvalidInput(name, f"{value!r} is not true/false.")
            row[name] = BOOL_VALUES[value.lower()]
        else:
            row[name] = value
    return row


def document_text(path: Path, fmt: str) -> tuple[str, str]:
    """(text, title from the file's own metadata) of a PDF or DOCX."""
    try:
        if fmt == "pdf":
            from pypdf import PdfReader
            from pypdf.errors import PyPdfError

            try:
                reader = PdfReader(path)
                if reader.is_encrypted and not reader.decrypt(""):
                    raise FileError("the PDF is encrypted.")
                pages = [page.extract_text() or "" for page in reader.pages]
                title = str(reader.metadata.title or "") if reader.metadata else ""
            except PyPdfError as exc:
                raise FileError(f"not a readable PDF: {exc}.") from exc
            return "\n\n".join(p.strip() for p in pages if p.strip()), title
        import docx
        from docx.opc.exceptions import PackageNotFoundError

        try:
            document = docx.Document(str(path))
        except (PackageNotFoundError, KeyError, ValueError) as exc:
            raise FileError(f"not a readable DOCX: {exc}.") from exc
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for table_row in table.rows:
                parts.append(" | ".join(cell.text for cell in table_row.cells))
        return "\n".join(p for p in parts if p.strip()), document.core_properties.title or ""
    except OSError as exc:
        raise FileError(f"cannot read the file: {exc.strerror or exc}.") from exc


def read_document(path: Path, fmt: str, meta: DocumentMetadata) -> Iterator[tuple[int, Any]]:
    text, title = document_text(path, fmt)
    if not text.strip():
        raise FileError("no text found (a scanned document needs OCR first).")
    row: dict[str, Any] = {
        "source_key": meta.source_key or f"file:{path.name}",
        "kind": meta.kind,
        "title": meta.title or title.strip() or path.stem,
        "language": meta.language,
        "summary": meta.summary,
        "body": text,
        "url": meta.url,
        "source": meta.source,
        "year": meta.year,
        **meta.lists,
    }
    yield 0, row


# --- Import ---------------------------------------------------------------------------------


def _with_defaults(row: Any, meta: DocumentMetadata) -> Any:
    if isinstance(row, dict):
        if meta.kind and not row.get("kind"):
            row = {**row, "kind": meta.kind}
        if meta.source and not row.get("source"):
            row = {**row, "source": meta.source}
    return row


def import_files(
    paths: Sequence[Path],
    *,
    input_format: str | None = None,
    meta: DocumentMetadata | None = None,
    show_progress: bool = False,
) -> ImportReport:
    """Import every file; bad rows and unusable files become RowErrors, the rest is written."""
    meta = meta or DocumentMetadata()
    report = ImportReport()
    known = known_state_codes()
    bar = tqdm(
        total=len(paths) if len(paths) > 1 else None,
        unit="file" if len(paths) > 1 else "entries",
        file=sys.stderr,
        disable=not show_progress,
        desc="knowledge-import",
    )
    try:
        for path in paths:
            report.files += 1
            name = str(path)
            try:
                fmt = format_of(path, input_format)
                if fmt == "json":
                    rows = read_json(path)
                elif fmt == "csv":
                    rows = read_csv(path)
                else:
                    rows = read_document(path, fmt, meta)
                _import_rows(name, rows, meta, known, report, bar)
            except FileError as exc:
                report.errors.append(RowError(name, exc.line, "", str(exc)))
            if len(paths) > 1:
                bar.update(1)
    finally:
        bar.close()
    return report


def _text_size(fields: ValidEntry) -> int:
    return len(fields["body"]) + len(fields["summary"]) + len(fields["title"])


def _import_rows(
    name: str,
    rows: Iterator[tuple[int, Any]],
    meta: DocumentMetadata,
    known: set[str],
    report: ImportReport,
    bar: Any,
) -> None:
    batch: list[ValidEntry] = []
    chars = 0

    def flush() -> None:
        nonlocal chars
        if batch:
            # Validated above: entries_upsert_many takes a ValidEntry as it is.
            result = entries_upsert_many(rows=batch)
            report.created += result.created
            report.updated += result.updated
            report.unchanged += result.unchanged
            batch.clear()
            chars = 0

    try:
        for line, row in rows:
            report.rows += 1
            if isinstance(row, InvalidInput):
                report.errors.append(RowError(name, line, row.field, row.message))
                continue
            try:
                fields = entry_validate(_with_defaults(row, meta), known_states=known)
            except InvalidInput as exc:
                report.errors.append(RowError(name, line, exc.field, exc.message))
                continue
            batch.append(fields)
            chars += _text_size(fields)
            if bar.total is None:
                bar.update(1)
            if len(batch) >= WRITE_BATCH or chars >= WRITE_BATCH_CHARS:
                flush()
    finally:
        # Rows read before a fatal error in the file are still imported.
        flush()
