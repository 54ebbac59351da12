"""Attachments of a request: add (upload), open (download) and access.

The file goes to the encrypted, content-addressed store (comity.cases.storage) *before* the
database transaction (streaming a large file must not hold the database); the row, its timeline
event and the audit event are then written in one transaction. If that transaction fails, the
blob is removed again unless another row of the State refers to the same content.

Every download is a disclosure of case data: `attachment_open` writes an `attachment.downloaded`
audit event and an `attachment_downloaded` timeline event each time, in one transaction, before
the first byte is handed out. Audit data names the attachment (code, kind, size, digest), never
its file name: names of evidence files can be confidential, and auditors read the audit trail.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

import comity.cases.rules_attachments  # noqa: F401 - registers cases.add_attachment
from comity.accounts.principal import Principal
from comity.cases.enums import AttachmentKind, EventKind
from comity.cases.models import Attachment, Request, RequestEvent
from comity.cases.selectors import requests_visible
from comity.cases.storage import StoredBlob, delete_blob, open_blob, store_blob
from comity.core.audit import audit_record
from comity.core.enums import AuditAction
from comity.core.errors import InvalidInput, NotAllowed
from comity.core.rules import can

_CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")
_LANGUAGE = re.compile(r"[a-z]{2}")
FALLBACK_CONTENT_TYPE = "application/octet-stream"


class Upload(Protocol):
    """What the service reads of an upload (Django's UploadedFile has it): read in chunks."""

    name: str | None
    content_type: str | None

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


class StoredUpload(UploadedFile):
    """An upload already encrypted into the store while the request body was read (the upload
    handler of comity.cases.views_attachments), so no plaintext copy ever touched the disk."""

    def __init__(self, *, name: str | None, content_type: str | None, blob: StoredBlob) -> None:
        super().__init__(file=None, name=name, content_type=content_type, size=blob.size)
        self.blob = blob

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return open_blob(state_code=self.blob.state_code, sha256=self.blob.sha256)


def discard_unused(blob: StoredBlob) -> None:
    """Remove a blob this upload created if no attachment row of its State refers to it."""
    if (
        blob.created
        and not Attachment.objects.filter(sha256=blob.sha256, state__code=blob.state_code).exists()
    ):
        delete_blob(state_code=blob.state_code, sha256=blob.sha256)


@dataclass(frozen=True)
class AttachmentMeta:
    code: str
    filename: str
    content_type: str
    size: int
    sha256: str


def clean_filename(name: str | None) -> str:
    """The last path component, without control characters, at most 255 characters."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip().strip(".") or "attachment"
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 255 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 16 else base[:255]
    return base


def clean_content_type(value: str | None) -> str:
    value = (value or "").split(";")[0].strip().lower()
    return value if _CONTENT_TYPE.fullmatch(value) else FALLBACK_CONTENT_TYPE


def _non_empty(chunks: Iterable[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        if chunk:
            yield chunk


def attachment_add(
    *, actor: Principal, request: Request, upload: Upload, kind: str, language: str = ""
) -> Attachment:
    """Store `upload` encrypted and attach it to `request`.

    `upload` is read in chunks (any UploadedFile), or is a StoredUpload the upload handler has
    already encrypted. Raises NotAllowed, InvalidInput (kind, language, empty file) or
    storage.AttachmentTooLarge; whenever it raises, a blob this upload created and no row uses is
    removed. Called inside the request's State scope.
    """
    blob: StoredBlob | None = upload.blob if isinstance(upload, StoredUpload) else None
    try:
        if not can(actor, "cases.add_attachment", request):
            raise NotAllowed("You cannot add attachments to this request.")
        if kind not in AttachmentKind.values:
            raise InvalidInput("kind", f"Unknown attachment kind {kind!r}.")
        if language and not _LANGUAGE.fullmatch(language):
            raise InvalidInput("language", "The language is a two-letter ISO 639-1 code.")
        if blob is not None and blob.state_code != request.state.code:
            raise InvalidInput("file", "The file was stored for another State.")
        if blob is None:
            blob = store_blob(state_code=request.state.code, chunks=_non_empty(upload.chunks()))
        if blob.size == 0:
            raise InvalidInput("file", "The file is empty.")
        return _record_added(
            actor=actor, request=request, blob=blob, upload=upload, kind=kind, language=language
        )
    except BaseException:
        if blob is not None:
            discard_unused(blob)
        raise


@transaction.atomic
def _record_added(
    *, actor: Principal, request: Request, blob: StoredBlob, upload: Upload, kind: str, language: str
) -> Attachment:
    attachment = Attachment.objects.create(
        state_id=request.state_id,
        request=request,
        kind=kind,
        filename=clean_filename(upload.name),
        content_type=clean_content_type(upload.content_type),
        size=blob.size,
        sha256=blob.sha256,
        language=language,
        uploaded_by=actor.user,
    )
    RequestEvent.objects.create(
        state_id=request.state_id,
        request=request,
        kind=EventKind.ATTACHMENT_ADDED,
        actor=actor.user,
        authority=actor.authority,
        text=attachment.filename,
        data={"attachment": attachment.code, "kind": kind, "size": blob.size},
    )
    audit_record(
        state=request.state,
        action=AuditAction.ATTACHMENT_ADDED,
        actor=actor.user,
        authority=actor.authority,
        object_type="attachment",
        object_id=attachment.code,
        data={"request": request.code, "kind": kind, "size": blob.size, "sha256": blob.sha256},
    )
    return attachment


def attachment_open(*, actor: Principal, attachment: Attachment) -> tuple[AttachmentMeta, Iterator[bytes]]:
    """The attachment's metadata and its plaintext, chunk by chunk (for StreamingHttpResponse).

    The stored file is checked (key, State, digest, length) before anything is recorded; then the
    download is recorded (audit + timeline) in one transaction, every time.
    """
    request = attachment.request
    if not can(actor, "cases.view_request", request):
        raise NotAllowed("You cannot read the attachments of this request.")
    stream = open_blob(state_code=attachment.state.code, sha256=attachment.sha256)
    try:
        _record_download(actor=actor, attachment=attachment, request=request)
    except BaseException:
        stream.close()
        raise
    meta = AttachmentMeta(
        code=attachment.code,
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=attachment.size,
        sha256=attachment.sha256,
    )
    return meta, stream


@transaction.atomic
def _record_download(*, actor: Principal, attachment: Attachment, request: Request) -> None:
    RequestEvent.objects.create(
        state_id=request.state_id,
        request=request,
        kind=EventKind.ATTACHMENT_DOWNLOADED,
        actor=actor.user,
        authority=actor.authority,
        text=attachment.filename,
        data={"attachment": attachment.code},
    )
    audit_record(
        state=attachment.state,
        action=AuditAction.ATTACHMENT_DOWNLOADED,
        actor=actor.user,
        authority=actor.authority,
        object_type="attachment",
        object_id=attachment.code,
        data={"request": request.code, "size": attachment.size, "sha256": attachment.sha256},
    )


def attachments_of(principal: Principal, request: Request) -> QuerySet[Attachment]:
    """The attachments of a request the principal may see (callers got it via access_request)."""
    if not can(principal, "cases.view_request", request):
        return Attachment.objects.none()
    return (
        Attachment.objects.filter(request=request).select_related("uploaded_by").order_by("created_at", "pk")
    )


def access_attachment(principal: Principal, code: str) -> Attachment:
    """The attachment, or the same 404 whether it does not exist or belongs to a request the
    principal may not see (another State, another authority, an unassigned executing officer)."""
    attachment = (
        Attachment.objects.filter(code=str(code)[:16], request__in=requests_visible(principal).values("pk"))
        .select_related("request", "state")
        .first()
    )
    if attachment is None or not can(principal, "cases.view_request", attachment.request):
        raise Http404("No such attachment.")
    return attachment
