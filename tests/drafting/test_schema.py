"""The published request schema: the committed docs/request-schema.json is what the code generates,
and GET /api/v1/schemas/request.json serves it to anyone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from comity.drafting.schema import SCHEMA_ID, RequestDocument, request_json_schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "request-schema.json"
REGENERATE = (
    'python -c "import django, json; django.setup(); from comity.drafting.schema import '
    'request_json_schema; print(json.dumps(request_json_schema(), indent=2, ensure_ascii=False))" '
    "> docs/request-schema.json"
)


def test_committed_schema_is_the_generated_one() -> None:
    committed = json.loads(DOC.read_text(encoding="utf-8"))
    assert committed == request_json_schema(), (
        f"docs/request-schema.json is stale; regenerate it: {REGENERATE}"
    )


def test_schema_identifies_its_version() -> None:
    schema = request_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_ID
    assert "/1.0/" in SCHEMA_ID
    assert schema["properties"]["schema_version"]["const"] == "1.0"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"request_type", "language", "requested_state"}
    assert (
        RequestDocument.model_validate(
            {"request_type": "mla", "language": "en", "requested_state": "FRA"}
        ).schema_version
        == "1.0"
    )


@pytest.mark.django_db
def test_schema_endpoint_is_public_json() -> None:
    response = Client().get("/api/v1/schemas/request.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == request_json_schema()


@pytest.mark.django_db
def test_schema_endpoint_is_read_only() -> None:
    response = Client().post("/api/v1/schemas/request.json", "{}", content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")
