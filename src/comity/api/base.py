"""The REST API object: token authentication, scopes, and every error as JSON {code, message}."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from comity.accounts.principal import Principal
from comity.core.errors import ComityError, InvalidInput
from comity.core.rules import can

logger = logging.getLogger(__name__)

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "validation_error",
    429: "throttled",
}


class TokenAuth(HttpBearer):
    """The middleware already resolved the bearer token into `request.principal`."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        principal: Principal = request.principal  # type: ignore[attr-defined]
        return principal if principal.token is not None else None


api = NinjaAPI(
    title="Comity API",
    version="1",
    description="International cooperation in criminal matters. Authenticate with `Authorization: Bearer cmt_...` (tokens are created in the web interface). Every error is JSON with a stable `code` and a human `message`.",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,
    auth=TokenAuth(),
)


def error_response(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


def require(request: HttpRequest, *, scope: str, permission: str | None = None, obj: Any = None) -> Principal:
    """The principal, if its token carries `scope` and it holds `permission`; else a 403."""
    principal: Principal = request.principal  # type: ignore[attr-defined]
    if scope not in principal.token_scopes:
        raise HttpError(403, f"This token lacks the {scope!r} scope.")
    if permission is not None and not can(principal, permission, obj):
        raise HttpError(403, "Your role does not allow this.")
    return principal


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": ".".join(
                str(p) for p in e.get("loc", ()) if p not in ("body", "payload", "query", "path")
            ),
            "message": e.get("msg", "invalid"),
        }
        for e in exc.errors
    ]
    summary = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors) or "Invalid input."
    return error_response(request, 422, "validation_error", summary, errors=errors)


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthenticated", "Send a valid, unexpired API token: Authorization: Bearer cmt_..."
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        return error_response(request, 400, "malformed_json", "The request body is not valid JSON.")
    code = _STATUS_CODES.get(exc.status_code, "error")
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(InvalidInput)
def _invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return error_response(
        request, exc.status, exc.code, exc.message, errors=[{"field": exc.field, "message": exc.message}]
    )


@api.exception_handler(ComityError)
def _comity_error(request: HttpRequest, exc: ComityError) -> HttpResponse:
    return error_response(request, exc.status, exc.code, exc.message)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "too_large", "The request body is too large.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", "No such resource, or not visible to you.")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled API error", exc_info=exc)
    return error_response(
        request, 500, "server_error", "Something went wrong on our side; it has been logged."
    )
