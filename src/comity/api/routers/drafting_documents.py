"""/api/v1/requests/render: a request document (JSON body) as a formal request, PDF or DOCX."""

from __future__ import annotations

import re
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router

from comity.api.base import error_response, require
from comity.drafting.documents.inputs import MAX_DOCUMENT_BYTES, InvalidDocument, parse_document
from comity.drafting.documents.language import directory_languages
from comity.drafting.documents.render import (
    DOCX_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    render_docx,
    render_pdf,
)
from comity.drafting.documents.texts import UN_LANGUAGES, UnsupportedLanguage
from comity.drafting.schema import SCHEMA_ID

router = Router(tags=["drafting"])

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


@router.post(
    "/requests/render",
    summary="A request document as a formal request (PDF or DOCX)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": SCHEMA_ID}}},
            "description": "A request document (GET /api/v1/schemas/request.json), at most 5 MB.",
        },
        "responses": {
            "200": {
                "description": "The formal request",
                "content": {
                    PDF_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                    DOCX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        },
    },
)
def render_request(
    request: HttpRequest, lang: str | None = None, format: Literal["pdf", "docx"] = "pdf"
) -> HttpResponse:
    """The body is a request document (schema 1.0, at most 5 MB). `lang`: the document language,
    one of ar, zh, en, fr, ru, es (default: the document's own). Passages typed in a language the
    requested State does not accept (per the directory) are marked "[translation required: xx]".
    Needs a token with the `read` scope. Bad input: 422 (`malformed_json`, `validation_error`,
    `unsupported_language`); a body over 5 MB: 413."""
    require(request, scope="read")
    if lang is not None and lang not in UN_LANGUAGES:
        return _unsupported(request, lang)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not declared.isdigit() or int(declared) > MAX_DOCUMENT_BYTES:
        return error_response(request, 413, "too_large", f"The body is over {MAX_DOCUMENT_BYTES} bytes.")
    # Read the stream ourselves: request.body stops at Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
    raw = request.read(MAX_DOCUMENT_BYTES + 1)
    try:
        document = parse_document(raw)
    except InvalidDocument as exc:
        status = 413 if exc.code == "too_large" else 422
        errors = [{"field": field, "message": message} for field, message in exc.errors]
        return error_response(request, status, exc.code, exc.summary, errors=errors)
    language = lang or document.language
    accepted = directory_languages(document.requested_state) or None
    try:
        if format == "pdf":
            content, content_type = (
                render_pdf(document, language, accepted_languages=accepted),
                PDF_CONTENT_TYPE,
            )
        else:
            content, content_type = (
                render_docx(document, language, accepted_languages=accepted),
                DOCX_CONTENT_TYPE,
            )
    except UnsupportedLanguage:
        return _unsupported(request, language)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{filename(document.reference, language, format)}"'
    )
    response["Cache-Control"] = "no-store"  # a request may be confidential (art. 18(20))
    return response


def filename(reference: str | None, lang: str, fmt: str) -> str:
    stem = _UNSAFE_FILENAME.sub("_", reference or "").strip("._-")[:80]
    return f"request-{stem}-{lang}.{fmt}" if stem else f"request-{lang}.{fmt}"


def _unsupported(request: HttpRequest, lang: str) -> HttpResponse:
    message = f"No fixed text in {lang!r}: use one of {', '.join(UN_LANGUAGES)}."
    return error_response(
        request, 422, "unsupported_language", message, errors=[{"field": "lang", "message": message}]
    )
