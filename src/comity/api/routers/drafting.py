"""/api/v1/requests/check (token, read scope) and /api/v1/schemas/request.json (public).

The check reads the body itself rather than through a ninja body parameter: a request document
may be up to 5 MB, beyond Django's in-memory upload limit for `request.body`, and its schema
errors must come back with the document's own field paths (`measures.0.bank.account`).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import ValidationError

from comity.api.base import error_response, require
from comity.drafting.checker import check_request
from comity.drafting.profile import requirements_for
from comity.drafting.schema import SCHEMA_ID, RequestDocument, request_json_schema

router = Router(tags=["drafting"])

MAX_BYTES = 5 * 1024 * 1024


class FindingOut(Schema):
    code: str
    article: str | None
    message: str


class CheckOut(Schema):
    complete: bool
    missing: list[FindingOut]
    warnings: list[FindingOut]


@functools.cache
def _schema() -> dict[str, Any]:
    return request_json_schema()


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _too_large(request: HttpRequest) -> HttpResponse:
    return error_response(request, 413, "too_large", "The request document is larger than 5 MB.")


@router.post(
    "/requests/check",
    response={200: CheckOut},
    summary="Check a request document for completeness",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": SCHEMA_ID}}},
            "description": "A request document (GET /api/v1/schemas/request.json), at most 5 MB.",
        }
    },
)
def check(request: HttpRequest) -> Any:
    """Which elements the document lacks for its type and its requested State (UNTOC art. 18(15),
    13(3), 16 and the State's requirements in the directory), and warnings. Needs a token with
    the `read` scope. Schema errors: 422 `validation_error` with `errors` [{field, message}]; an
    unknown requested State: 422 `unknown_state`; a body over 5 MB: 413."""
    require(request, scope="read")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BYTES:
        return _too_large(request)
    body = request.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        return _too_large(request)
    try:
        data = json.loads(body)
    except ValueError:
        return error_response(request, 400, "malformed_json", "The request body is not valid JSON.")
    if not isinstance(data, dict):
        message = "The body must be a JSON object (a request document)."
        return error_response(
            request, 422, "validation_error", message, errors=[{"field": "", "message": message}]
        )
    try:
        document = RequestDocument.model_validate(data)
    except ValidationError as exc:
        errors = [{"field": _field(tuple(e["loc"])), "message": e["msg"]} for e in exc.errors()]
        summary = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
        return error_response(request, 422, "validation_error", summary, errors=errors)
    requirements = requirements_for(document.requested_state)
    if requirements is None:
        message = f"Unknown State {document.requested_state!r}: not in the directory of States."
        return error_response(
            request, 422, "unknown_state", message, errors=[{"field": "requested_state", "message": message}]
        )
    return check_request(document, requirements)


@router.get("/schemas/request.json", auth=None, summary="JSON Schema of the request document")
def request_schema(request: HttpRequest) -> Any:
    """The published JSON Schema (draft 2020-12) of the request document. Public: no token needed."""
    return _schema()
