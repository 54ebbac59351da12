"""The node protocol endpoints under /node/v1/ (docs/protocol.md).

Machine-to-machine: no session, no CSRF (nothing here acts on a cookie); every message is
authenticated by its own signature, every upload by a signed token. Errors are JSON
`{"error": code, "detail": text}` with a 4xx status, never a 500 for bad input.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from comity.core.errors import ComityError, InvalidInput
from comity.exchange import blobs, envelope, inbox, keys
from comity.exchange.outbox import hosted_here

JOSE = "application/jose"
BATCH = "application/json"
MAX_BATCH = 64  # messages in one post


def _error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


@require_GET
def info(request: HttpRequest) -> JsonResponse:
    node = keys.local_node_or_none()
    if node is None:
        return _error("not_initialised", "This node has no identity yet.", 503)
    return JsonResponse(
        {
            "node_id": node.node_id,
            "base_url": node.base_url,
            "protocol_version": envelope.PROTOCOL_VERSION,
            "states": list(settings.COMITY_HOSTED_STATES),
            "message_types": list(envelope.MESSAGE_TYPES),
        }
    )


@require_GET
def key_set(request: HttpRequest) -> JsonResponse:
    if keys.local_node_or_none() is None:
        return _error("not_initialised", "This node has no identity yet.", 503)
    return JsonResponse(keys.jwks())


@csrf_exempt
@require_http_methods(["POST"])
def messages(request: HttpRequest) -> HttpResponse:
    """One message (`application/jose`), or several (`application/json`, docs/protocol.md 2.1)."""
    with keys.batch():  # the node identity and keys, read once for this post
        if keys.local_node_or_none() is None:
            return _error("not_initialised", "This node has no identity yet.", 503)
        if request.content_type == JOSE:
            return _message(request)
        if request.content_type == BATCH:
            return _batch(request)
        return _error(
            "unsupported_media_type",
            "Send one message as application/jose (a compact JWS), or several as application/json.",
            415,
        )


def _body(request: HttpRequest) -> bytes | JsonResponse:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length <= 0 or length > envelope.MAX_JWS_BYTES:
        return _error("invalid_envelope", f"Send at most {envelope.MAX_JWS_BYTES} bytes.", 413)
    return request.read(length)


def _message(request: HttpRequest) -> HttpResponse:
    body = _body(request)
    if isinstance(body, JsonResponse):
        return body
    try:
        token = body.decode("ascii").strip()
    except UnicodeDecodeError:
        return _error("invalid_envelope", "A compact JWS is ASCII.", 400)
    outcome = inbox.receive(token)
    if outcome.receipt:
        return HttpResponse(outcome.receipt, status=200, content_type=JOSE)
    return _error(outcome.reason or "refused", outcome.detail, outcome.http_status)


def _batch(request: HttpRequest) -> JsonResponse:
    """Each message is received exactly as if it had been posted alone, in the order given; the
    answer lists, in the same order, its receipt or the error a single post would have had."""
    body = _body(request)
    if isinstance(body, JsonResponse):
        return body
    try:
        tokens = orjson.loads(body).get("messages")
    except (orjson.JSONDecodeError, AttributeError):
        tokens = None
    if not isinstance(tokens, list) or not 1 <= len(tokens) <= MAX_BATCH:
        return _error(
            "invalid_envelope", f'Send {{"messages": [...]}} with 1 to {MAX_BATCH} compact JWS.', 400
        )
    results: list[dict[str, Any]] = []
    for token in tokens:
        if not isinstance(token, str) or not token.isascii():
            results.append({"status": 400, "error": "invalid_envelope", "detail": "A compact JWS is ASCII."})
            continue
        outcome = inbox.receive(token.strip())
        if outcome.receipt:
            results.append({"status": 200, "receipt": outcome.receipt})
        else:
            results.append(
                {
                    "status": outcome.http_status,
                    "error": outcome.reason or "refused",
                    "detail": outcome.detail,
                }
            )
    return JsonResponse({"results": results})


def _blob_params(request: HttpRequest, sha256: str) -> tuple[str, int, str]:
    to_state = (request.GET.get("to_state") or "").upper()
    if not hosted_here(to_state):
        raise InvalidInput("to_state", f"This node does not host {to_state!r}.")
    try:
        size = int(request.GET.get("size") or "")
    except ValueError:
        raise InvalidInput("size", "Give the attachment's size in bytes.") from None
    blobs.staged_path(to_state=to_state, from_node="-", sha256=sha256)  # validates sha256 and State
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if not auth.startswith("Comity-JWS "):
        from comity.core.errors import NotAllowed

        raise NotAllowed("Authorization: Comity-JWS <token> is required.")
    from_node = blobs.check_blob_token(
        auth.removeprefix("Comity-JWS ").strip(), sha256=sha256, size=size, to_state=to_state
    )
    return to_state, size, from_node


@csrf_exempt
@require_http_methods(["HEAD", "PATCH"])
def blob(request: HttpRequest, sha256: str) -> HttpResponse:
    if keys.local_node_or_none() is None:
        return _error("not_initialised", "This node has no identity yet.", 503)
    try:
        to_state, size, from_node = _blob_params(request, sha256)
        if request.method == "HEAD":
            offset, complete = blobs.blob_offset(
                to_state=to_state, from_node=from_node, sha256=sha256, size=size
            )
        else:
            try:
                offset_header = int(request.META.get("HTTP_UPLOAD_OFFSET", ""))
                length = int(request.META.get("CONTENT_LENGTH") or "")
            except ValueError:
                raise InvalidInput("Upload-Offset", "Give Upload-Offset and Content-Length.") from None
            offset, complete = blobs.blob_append(
                to_state=to_state,
                from_node=from_node,
                sha256=sha256,
                size=size,
                offset=offset_header,
                stream=request,  # type: ignore[arg-type]  # read in parts, never whole
                length=length,
            )
    except blobs.OffsetMismatch as exc:
        refused = _error(exc.code, exc.message, exc.status)
        refused["Upload-Offset"] = str(exc.offset)
        return refused
    except ComityError as exc:
        return _error(exc.code, exc.message, exc.status)
    response = HttpResponse(status=200 if request.method == "HEAD" else 204)
    response["Upload-Offset"] = str(offset)
    response["Upload-Length"] = str(size)
    response["Upload-Complete"] = "1" if complete else "0"
    return response
