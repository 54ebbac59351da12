"""Under /api/, every error leaves as JSON {code, message}, whoever produced it.

Ninja's own handlers already answer JSON; this catches what happens around them (a method not
allowed, an oversized body rejected by Django, an unexpected exception in a middleware).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from comity.api.base import _STATUS_CODES

logger = logging.getLogger(__name__)

_MESSAGES = {
    400: "The request could not be understood.",
    403: "Not allowed.",
    404: "No such API endpoint.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    500: "Something went wrong on our side; it has been logged.",
}


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        try:
            response = self.get_response(request)
        except Exception:
            logger.exception("unhandled error under /api/")
            return self._json(500)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            json_response = self._json(response.status_code)
            if response.has_header("Allow"):
                json_response["Allow"] = response["Allow"]
            return json_response
        return response

    @staticmethod
    def _json(status: int) -> JsonResponse:
        return JsonResponse(
            {
                "code": _STATUS_CODES.get(status, "server_error" if status >= 500 else "error"),
                "message": _MESSAGES.get(status, "Request failed."),
            },
            status=status,
        )
