"""A request document as received from outside (a file, an HTTP body): bounded and validated."""

from __future__ import annotations

from pydantic import ValidationError

from comity.drafting.schema import RequestDocument

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


class InvalidDocument(ValueError):
    """The input is not a request document; `errors` are (field path, message) pairs."""

    def __init__(self, code: str, errors: list[tuple[str, str]]) -> None:
        self.code = code  # "too_large", "malformed_json" or "validation_error"
        self.errors = errors
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        return "; ".join(f"{field}: {message}" if field else message for field, message in self.errors)


def parse_document(raw: bytes) -> RequestDocument:
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise InvalidDocument("too_large", [("", f"the document is over {MAX_DOCUMENT_BYTES} bytes")])
    try:
        return RequestDocument.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise InvalidDocument("malformed_json", [("", "the document is not valid JSON")]) from exc
        pairs = [(".".join(str(part) for part in e["loc"]), e["msg"]) for e in errors]
        raise InvalidDocument("validation_error", pairs) from exc
