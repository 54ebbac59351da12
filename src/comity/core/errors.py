"""Errors that services raise and every interface turns into a clear 4xx."""

from __future__ import annotations


class ComityError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(ComityError):
    code = "invalid_input"
    status = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(ComityError):
    code = "forbidden"
    status = 403


class NotFound(ComityError):
    """Missing and forbidden look the same from outside."""

    code = "not_found"
    status = 404
