"""`comity check-request FILE.json`: is a request document complete? (exit 0 yes, 1 no, 2 bad input)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from pydantic import ValidationError

from comity.drafting.checker import check_request
from comity.drafting.profile import requirements_for
from comity.drafting.schema import RequestDocument

MAX_BYTES = 5 * 1024 * 1024
_ISO3 = re.compile(r"^[A-Z]{3}$")


def error_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a JSON path: measures[0].bank.account."""
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(document)"


def validation_errors(exc: ValidationError) -> list[dict[str, str]]:
    return [{"field": error_path(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]


class Command(BaseCommand):
    help = (
        "Check a request document (JSON, comity.drafting.schema) for completeness against UNTOC art. "
        "18(15), 13(3), 16 and the requested State's requirements in the directory. Exit status: 0 "
        "complete, 1 incomplete, 2 invalid input."
    )
    # A read-only question; the answer does not depend on the system checks.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the request document, JSON (at most 5 MB)")
        parser.add_argument(
            "--requested", help="ISO3 code of the requested State (overrides the document's requested_state)"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        data = _read(Path(options["file"]))
        if options["requested"] is not None:
            code = options["requested"].strip().upper()
            if not _ISO3.match(code):
                raise CommandError(
                    f"--requested: {options['requested']!r} is not an ISO3 code.", returncode=2
                )
            data["requested_state"] = code
        try:
            document = RequestDocument.model_validate(data)
        except ValidationError as exc:
            reasons = "\n".join(f"  {e['field']}: {e['message']}" for e in validation_errors(exc))
            raise CommandError(
                f"The document does not match the request schema:\n{reasons}", returncode=2
            ) from exc
        requirements = requirements_for(document.requested_state)
        if requirements is None:
            raise CommandError(
                f"Unknown State {document.requested_state!r}: not in the directory of States.", returncode=2
            )
        result = check_request(document, requirements)
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(summary(document, result, requirements.name))
        if not result["complete"]:
            raise SystemExit(1)


def _read(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.", returncode=2) from exc
    if size > MAX_BYTES:
        raise CommandError(f"{path} is {size:,} bytes; the limit is {MAX_BYTES:,} (5 MB).", returncode=2)
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CommandError(f"{path} is not valid JSON: {exc}.", returncode=2) from exc
    if not isinstance(data, dict):
        raise CommandError(f"{path} must hold a JSON object (a request document).", returncode=2)
    return data


def summary(document: RequestDocument, result: dict[str, Any], state_name: str) -> str:
    """A readable text summary of a checker result."""
    state = f"{state_name} ({document.requested_state})" if state_name else document.requested_state
    status = "complete" if result["complete"] else f"incomplete: {len(result['missing'])} element(s) missing"
    lines = [f"{document.request_type} request to {state}: {status}"]
    for title, findings in (("Missing", result["missing"]), ("Warnings", result["warnings"])):
        if findings:
            lines += ["", f"{title}:"]
            lines += [f"  - {f['code']}: {f['message']}" for f in findings]
    return "\n".join(lines)
