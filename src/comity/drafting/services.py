"""Writes of the request writer: create, update, import, delete and export drafts.

Every write checks the rule again, validates the *whole* document with the schema
(comity.drafting.schema) before anything is saved, and records its audit event in the same
transaction. Audit data names what changed (fields, format, size), never the content: the
content of a request is confidential, the audit trail is read by auditors.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import transaction
from pydantic import ValidationError

from comity.accounts.principal import Principal
from comity.core.audit import audit_record
from comity.core.enums import AuditAction
from comity.core.errors import InvalidInput, NotAllowed
from comity.core.models import Authority, State
from comity.core.rules import can
from comity.drafting.models import Draft
from comity.drafting.schema import SCHEMA_VERSION, RequestDocument
from comity.vocabulary import RequestType

MAX_IMPORT_BYTES = 2 * 1024 * 1024
# Set when the draft is created; a different request type or requested State is a new draft.
FIXED_KEYS = ("schema_version", "request_type", "requested_state")


class InvalidDocument(InvalidInput):
    """The document does not validate: `errors` lists every (field path, message); `field` and
    `message` are the first of them."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors[0][0], errors[0][1])
        self.errors = errors


def error_path(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as a dotted field path: ("offences", 0, "description") ->
    "offences.0.description"."""
    return ".".join(str(part) for part in loc)


def validate_document(data: Any) -> dict[str, Any]:
    """The document, validated and normalised (as stored), or InvalidDocument."""
    if not isinstance(data, dict):
        raise InvalidDocument([("", "A request document is a JSON object.")])
    try:
        document = RequestDocument.model_validate(data)
    except ValidationError as exc:
        raise InvalidDocument(
            [(error_path(e["loc"]), e["msg"]) for e in exc.errors(include_url=False)]
        ) from None
    return document.model_dump(mode="json", exclude_none=True)


def _requested_state(code: str, *, requesting: State) -> State:
    state = State.objects.filter(code=code).first() if isinstance(code, str) else None
    if state is None:
        raise InvalidInput("requested_state", f"Unknown State code {code!r}: not in the directory of States.")
    if state.pk == requesting.pk:
        raise InvalidInput("requested_state", "The requested State must differ from your own State.")
    return state


def _title(document: dict[str, Any]) -> str:
    return str(document.get("reference") or "")[:200]


def _check_requesting_state(document: dict[str, Any], state: State) -> None:
    requesting = document.get("requesting_authority") or {}
    if requesting.get("state", state.code) != state.code:
        raise InvalidInput(
            "requesting_authority.state",
            f"The requesting State must be your own State ({state.code}), not {requesting.get('state')}.",
        )


@transaction.atomic
def draft_create(*, actor: Principal, request_type: str, requested_state: str, language: str) -> Draft:
    """A new draft at the actor's authority, for `request_type` to `requested_state` (ISO3),
    written in `language` (ISO 639-1)."""
    if not can(actor, "drafting.create_draft"):
        raise NotAllowed("Only drafters and central authority officers can draft requests.")
    authority = actor.acting_authority()
    if request_type not in RequestType.values:
        raise InvalidInput("request_type", f"Unknown request type {request_type!r}.")
    target = _requested_state(requested_state, requesting=authority.state)
    document = validate_document(
        {
            "schema_version": SCHEMA_VERSION,
            "request_type": request_type,
            "language": language,
            "requested_state": target.code,
            "requesting_authority": _authority_ref(authority),
        }
    )
    return _store_new(
        actor=actor,
        authority=authority,
        target=target,
        document=document,
        action=AuditAction.DRAFT_CREATED,
        data={"language": language},
    )


def _authority_ref(authority: Authority) -> dict[str, str]:
    """The document's reference to a directory authority."""
    return {"name": authority.name, "state": authority.state.code, "directory_code": authority.code}


def _store_new(
    *,
    actor: Principal,
    authority: Authority,
    target: State,
    document: dict[str, Any],
    action: AuditAction,
    data: dict[str, Any],
) -> Draft:
    """Save a new draft of a validated document at `authority` and record `action`."""
    draft = Draft.objects.create(
        state_id=authority.state_id,
        authority=authority,
        created_by=actor.user,
        request_type=document["request_type"],
        requested_state=target,
        title=_title(document),
        document=document,
    )
    audit_record(
        state=authority.state,
        action=action,
        actor=actor.user,
        authority=authority,
        object_type="draft",
        object_id=draft.code,
        data={"request_type": draft.request_type, "requested_state": target.code, **data},
    )
    return draft


def merged_document(draft: Draft, changes: dict[str, Any]) -> dict[str, Any]:
    """The draft's document with `changes` merged in (top-level keys replaced; None removes a
    key), validated. Raises InvalidInput / InvalidDocument; saves nothing."""
    fixed = sorted(key for key in changes if key in FIXED_KEYS)
    if fixed:
        raise InvalidInput(fixed[0], "The request type and the requested State are fixed: start a new draft.")
    merged = copy.deepcopy(draft.document)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    document = validate_document(merged)
    _check_requesting_state(document, draft.state)
    return document


@transaction.atomic
def draft_update(*, actor: Principal, draft: Draft, changes: dict[str, Any]) -> Draft:
    """Merge a step's fields into the document. The whole document must validate; on error,
    InvalidInput (InvalidDocument) names the field path and nothing is saved."""
    if not can(actor, "drafting.change_draft", draft):
        raise NotAllowed("You cannot change this draft.")
    document = merged_document(draft, changes)
    if document == draft.document:
        return draft
    draft.document = document
    draft.title = _title(document)
    draft.save(update_fields=["document", "title", "updated_at"])
    audit_record(
        state=draft.state,
        action=AuditAction.DRAFT_UPDATED,
        actor=actor.user,
        authority=actor.authority,
        object_type="draft",
        object_id=draft.code,
        data={"fields": sorted(changes)},
    )
    return draft


def legal_basis_refs(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The legal-basis engine's bases as the document's `legal_basis` entries (source "engine")."""
    return [
        {
            "kind": basis["kind"],
            "instrument": basis["instrument"] or basis["kind"],
            "title": basis["title"] or None,
            "articles": list(basis["articles"]),
            "source": "engine",
        }
        for basis in answer["bases"]
    ]


def draft_use_legal_basis(*, actor: Principal, draft: Draft, answer: dict[str, Any]) -> Draft:
    """Replace the bases taken from the engine before with those of `answer`; bases chosen by
    hand stay, first."""
    chosen = [b for b in draft.document.get("legal_basis", []) if b.get("source") != "engine"]
    return draft_update(
        actor=actor, draft=draft, changes={"legal_basis": (chosen + legal_basis_refs(answer))[:10]}
    )


@transaction.atomic
def draft_import(*, actor: Principal, raw_json: bytes) -> Draft:
    """A new draft from an exported (or hand-written) JSON document: at most 2 MB, valid against
    the schema, the requesting State the actor's own (filled in when the file has none)."""
    if not can(actor, "drafting.create_draft"):
        raise NotAllowed("Only drafters and central authority officers can draft requests.")
    authority = actor.acting_authority()
    if len(raw_json) > MAX_IMPORT_BYTES:
        raise InvalidInput("file", "The file is larger than 2 MB.")
    try:
        data = orjson.loads(raw_json)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput("file", f"The file is not JSON: {exc}.") from None
    if not isinstance(data, dict):
        raise InvalidInput("file", "The file must hold one request document (a JSON object).")
    if not data.get("requesting_authority"):
        data["requesting_authority"] = _authority_ref(authority)
    document = validate_document(data)
    _check_requesting_state(document, authority.state)
    target = _requested_state(document["requested_state"], requesting=authority.state)
    return _store_new(
        actor=actor,
        authority=authority,
        target=target,
        document=document,
        action=AuditAction.DRAFT_IMPORTED,
        data={"bytes": len(raw_json)},
    )


@transaction.atomic
def draft_delete(*, actor: Principal, draft: Draft) -> None:
    if not can(actor, "drafting.change_draft", draft):
        raise NotAllowed("You cannot delete this draft.")
    code = draft.code
    audit_record(
        state=draft.state,
        action=AuditAction.DRAFT_DELETED,
        actor=actor.user,
        authority=actor.authority,
        object_type="draft",
        object_id=code,
        data={"request_type": draft.request_type, "requested_state": draft.document["requested_state"]},
    )
    draft.delete()


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


EXPORT_FORMATS = ("json", "docx", "pdf")


def draft_export(*, actor: Principal, draft: Draft, fmt: str, language: str | None = None) -> Export:
    """The draft as JSON, DOCX or PDF (in `language`, for the documents), recorded as a
    disclosure (draft.exported). The file is built first, then recorded: a failure discloses
    nothing, and the audit chain is not held while a PDF renders."""
    if not can(actor, "drafting.view_draft", draft):
        raise NotAllowed("You cannot export this draft.")
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput("format", f"Unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}.")
    stem = f"request-{draft.code}"
    if fmt == "json":
        export = Export(
            orjson.dumps(draft.document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS),
            "application/json",
            f"{stem}.json",
        )
    else:
        export = _render(draft, fmt=fmt, language=language, stem=stem)
    with transaction.atomic():
        audit_record(
            state=draft.state,
            action=AuditAction.DRAFT_EXPORTED,
            actor=actor.user,
            authority=actor.authority,
            object_type="draft",
            object_id=draft.code,
            data={
                "format": fmt,
                "language": language or draft.document["language"],
                "bytes": len(export.content),
            },
        )
    return export


def _render(draft: Draft, *, fmt: str, language: str | None, stem: str) -> Export:
    """The formal request through the document generator, in `language` (default: the
    document's), marking typed passages the requested State cannot read for translation."""
    # Imported here: WeasyPrint loads Pango and fonts, which only exports need.
    from comity.drafting.documents.language import directory_languages
    from comity.drafting.documents.render import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, render_docx, render_pdf
    from comity.drafting.documents.texts import UnsupportedLanguage

    document = RequestDocument.model_validate(draft.document)
    accepted = directory_languages(document.requested_state) or None
    render, content_type = (
        (render_docx, DOCX_CONTENT_TYPE) if fmt == "docx" else (render_pdf, PDF_CONTENT_TYPE)
    )
    try:
        content = render(document, language, accepted_languages=accepted)
    except UnsupportedLanguage as exc:
        raise InvalidInput("language", str(exc)) from None
    suffix = f"-{language}" if language else ""
    return Export(content, content_type, f"{stem}{suffix}.{fmt}")
