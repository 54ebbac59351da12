"""Upload and download of request attachments.

Upload: POST multipart (`file`, `kind`, `language`) to `requests/<code>/attachments/`. Access is
checked and a body larger than the attachment limit refused before the body is read; the file is
then encrypted into the store as it arrives (EncryptingUploadHandler), never spooled in clear. Every refusal is a 4xx with a
plain message. Download: GET `attachments/<code>/download/` streams the decrypted file as an
attachment (never rendered inline), not cached; every download is audited by the service.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from comity.accounts.principal import Principal
from comity.cases.attachments import (
    StoredUpload,
    access_attachment,
    attachment_add,
    attachment_open,
    discard_unused,
)
from comity.cases.enums import AttachmentKind
from comity.cases.models import Request
from comity.cases.selectors import access_request
from comity.cases.storage import AttachmentUnreadable, BlobWriter, StoredBlob
from comity.core.errors import ComityError
from comity.web.views import principal_of

logger = logging.getLogger(__name__)
# Room for the multipart framing and the other fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def _refuse(message: str, status: int) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _after_upload(code: str) -> HttpResponse:
    for name in ("cases:detail",):  # the request page (comity.cases.urls), when mounted
        try:
            return redirect(reverse(name, kwargs={"code": code}))
        except NoReverseMatch:
            continue
    return _refuse(_("Attachment added."), 201)


class EncryptingUploadHandler(FileUploadHandler):
    """Encrypts the `file` field into the State's store while the body is read: the plaintext
    never reaches a temporary file or memory beyond one chunk. Other file fields are skipped."""

    def __init__(self, request: HttpRequest, *, state_code: str) -> None:
        super().__init__(request)
        self.state_code = state_code
        self.writer: BlobWriter | None = None
        self.blob: StoredBlob | None = None

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        if field_name != "file" or self.writer is not None:
            raise SkipFile
        self.writer = BlobWriter(state_code=self.state_code)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self.writer is not None:
            self.writer.write(raw_data)

    def file_complete(self, file_size: int) -> StoredUpload | None:
        if self.writer is None or self.blob is not None:
            return None
        self.blob = self.writer.finish()
        return StoredUpload(name=self.file_name, content_type=self.content_type, blob=self.blob)

    def upload_interrupted(self) -> None:
        if self.writer is not None and self.blob is None:
            self.writer.abort()


@csrf_exempt  # checked by csrf_protect below, once the upload handler is in place
@login_required
@require_POST
def attachment_upload(request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(request)
    target = access_request(principal, code)  # the same 404 for missing and forbidden
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(_("Invalid Content-Length."), 400)
    limit = settings.COMITY_ATTACHMENT_MAX_BYTES
    if length > limit + FORM_OVERHEAD_BYTES:
        return _refuse(
            _("The file is larger than the limit of %(limit)s bytes.") % {"limit": f"{limit:,}"}, 413
        )
    handler = EncryptingUploadHandler(request, state_code=target.state.code)
    request.upload_handlers = [handler]
    try:
        return _upload(request, principal, target)
    except ComityError as exc:  # raised while the body is parsed (too large)
        return _refuse(exc.message, exc.status if 400 <= exc.status < 500 else 400)
    finally:
        if handler.blob is not None:
            discard_unused(handler.blob)  # refused (CSRF, form), or kept by its new row


@csrf_protect
def _upload(request: HttpRequest, principal: Principal, target: Request) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return _refuse(_("Choose a file to upload."), 400)
    kind = request.POST.get("kind") or AttachmentKind.OTHER
    try:
        attachment_add(
            actor=principal,
            request=target,
            upload=upload,
            kind=kind,
            language=(request.POST.get("language") or "").strip().lower(),
        )
    except ComityError as exc:
        return _refuse(exc.message, exc.status if 400 <= exc.status < 500 else 400)
    return _after_upload(target.code)


@login_required
@require_GET
def attachment_download(request: HttpRequest, code: str) -> HttpResponseBase:
    principal = principal_of(request)
    attachment = access_attachment(principal, code)
    try:
        meta, chunks = attachment_open(actor=principal, attachment=attachment)
    except AttachmentUnreadable as exc:
        logger.error("attachment %s unreadable: %s", attachment.code, exc.message)
        return _refuse(_("This attachment cannot be read. The error has been logged for the operators."), 500)
    except ComityError as exc:
        return _refuse(exc.message, exc.status)
    response = StreamingHttpResponse(chunks, content_type=meta.content_type)
    response["Content-Length"] = str(meta.size)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=meta.filename) or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
