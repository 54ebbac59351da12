"""The published JSON Schemas (docs/protocol/) describe what the code really sends.

Every message type is produced by the real code (a request's lifecycle between two tenants of a
hub: outbox, signatures, inbox, receipts) and validated against envelope.schema.json and its
payload's schema; every MESSAGE_TYPES entry has a schema. jsonschema is not a dependency, so a
small validator of the draft 2020-12 keywords the schemas use is here; it refuses any keyword it
does not implement, so a schema cannot quietly say more than is checked."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from comity.cases import services
from comity.cases.attachments import attachment_add
from comity.cases.lifecycle import request_transition
from comity.cases.models import Request
from comity.core.tenancy import state_scope
from comity.exchange import delivery, envelope, inbox, keys
from comity.exchange.models import InboxMessage, OutboxMessage
from tests.cases import CaseWorld, make_case_world, outgoing

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "protocol"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# --- a validator for the keywords the schemas use ---------------------------------------------

ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}
KEYWORDS = ANNOTATIONS | {
    "$ref", "type", "properties", "required", "additionalProperties", "enum", "const", "pattern",
    "minLength", "maxLength", "minimum", "items", "minItems", "maxItems", "uniqueItems", "format",
    "if", "then", "else",
}  # fmt: skip
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _format_ok(fmt: str, value: Any) -> bool:
    if not isinstance(value, str):
        return True
    if fmt == "uuid":
        try:
            uuid.UUID(value)
        except ValueError:
            return False
        return True
    if fmt == "date-time":
        return bool(DATE_TIME.match(value))
    raise AssertionError(f"format {fmt!r} is not implemented by this validator")


def errors(
    schema: dict[str, Any], value: Any, root: dict[str, Any] | None = None, path: str = "$"
) -> list[str]:
    """Every violation of `schema` by `value`, with its JSON path."""
    root = root or schema
    unknown = set(schema) - KEYWORDS
    assert not unknown, f"schema keyword(s) not implemented: {unknown}"
    found: list[str] = []
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), f"only local $defs references are used: {ref}"
        found += errors(root["$defs"][ref.removeprefix("#/$defs/")], value, root, path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(TYPES[t](value) for t in types):
            return [*found, f"{path}: {value!r} is not of type {types}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        found.append(f"{path}: {value!r} is not {schema['const']!r}")
    if "format" in schema and not _format_ok(schema["format"], value):
        found.append(f"{path}: {value!r} is not a {schema['format']}")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            found.append(f"{path}: {value!r} does not match {schema['pattern']}")
        if len(value) < schema.get("minLength", 0):
            found.append(f"{path}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            found.append(f"{path}: longer than {schema['maxLength']}")
    if TYPES["number"](value) and "minimum" in schema and value < schema["minimum"]:
        found.append(f"{path}: {value} is less than {schema['minimum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append(f"{path}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            found.append(f"{path}: more than {schema['maxItems']} items")
        if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
            found.append(f"{path}: items are not unique")
        for index, item in enumerate(value):
            if "items" in schema:
                found += errors(schema["items"], item, root, f"{path}[{index}]")
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                found.append(f"{path}: missing {name!r}")
        for name, item in value.items():
            if name in properties:
                found += errors(properties[name], item, root, f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                found.append(f"{path}: unexpected {name!r}")
            elif isinstance(schema.get("additionalProperties"), dict):
                found += errors(schema["additionalProperties"], item, root, f"{path}.{name}")
    if "if" in schema:
        branch = "then" if not errors(schema["if"], value, root, path) else "else"
        if branch in schema:
            found += errors(schema[branch], value, root, path)
    return found


def load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text())


def check(name: str, value: Any) -> None:
    assert errors(load(name), value) == [], name


# --- the schemas themselves -------------------------------------------------------------------


def test_every_message_type_has_a_payload_schema_and_nothing_else_is_published() -> None:
    expected = {"envelope", "receipt", "batch.request", "batch.response"} | {
        f"payload.{t}" for t in envelope.MESSAGE_TYPES if t != "receipt"
    }
    published = {p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json")}
    assert published == expected
    for name in published:
        schema = load(name)
        assert schema["$schema"] == DRAFT
        assert schema["$id"] == f"https://comity.invalid/schemas/protocol/1/{name}.schema.json"
        errors(schema, None)  # every keyword is one the validator implements (asserts otherwise)


def test_the_envelope_schema_lists_exactly_the_fields_and_types_of_the_code() -> None:
    schema = load("envelope")
    assert set(schema["properties"]) == set(envelope.ENVELOPE_FIELDS)
    assert set(schema["required"]) == set(envelope.ENVELOPE_FIELDS)
    assert schema["properties"]["type"]["enum"] == list(envelope.MESSAGE_TYPES)
    assert schema["properties"]["v"]["const"] == envelope.PROTOCOL_VERSION


def test_the_validator_and_schemas_refuse_what_the_code_refuses() -> None:
    good = envelope.build(
        type="note", from_node="a", to_node="b", from_state="AAA", to_state="BBB",
        request_id=uuid.uuid4(), seq=1, payload={"text": "x"},
    )  # fmt: skip
    check("envelope", good)
    for broken in (
        {k: v for k, v in good.items() if k != "seq"},
        {**good, "extra": 1},
        {**good, "seq": 0},
        {**good, "seq": None},
        {**good, "from_state": "aaa"},
        {**good, "created": "2026-01-01 10:00"},
        {**good, "id": "not-a-uuid"},
        {**good, "attachments": [{"sha256": "ab", "size": 1, "filename": "x"}]},
    ):
        assert errors(load("envelope"), broken), broken
        with pytest.raises(envelope.EnvelopeError):
            envelope.check_structure(broken)
    assert errors(load("payload.note"), {"text": ""})
    assert errors(load("payload.note"), {"text": "x", "html": "<b>"})
    assert errors(
        load("payload.request.status_changed"),
        {"from": "x", "to": "refused", "text": "", "refusal_grounds": []},
    )


# --- every message type, produced by the real code ------------------------------------------------


def deliver_all() -> None:
    deliverer = delivery.Deliverer()
    try:
        while deliverer.run_once():
            pass
    finally:
        deliverer.close()


@pytest.fixture
def exchanged(settings: Any) -> dict[str, list[dict[str, Any]]]:
    """Every message the lifecycle of one request sends between State A and State B (hub)."""
    settings.COMITY_HOSTED_STATES = ["AAA", "BBB"]
    cw: CaseWorld = make_case_world()
    keys.node_init(node_id="hub.test", base_url="https://hub.test")
    request = outgoing(cw)
    with state_scope(cw.w.state_a.pk):
        request_transition(actor=cw.drafter, request=request, to_status="in_review")
        request_transition(actor=cw.supervisor, request=request, to_status="approved")
        attachment_add(
            actor=cw.alice,
            request=request,
            upload=SimpleUploadedFile("request.pdf", b"%PDF-1.4 signed", "application/pdf"),
            kind="original",
            language="en",
        )
        request_transition(actor=cw.alice, request=request, to_status="sent")
    deliver_all()
    with state_scope(cw.w.state_b.pk):
        copy = Request.objects.get(global_id=request.global_id)
        request_transition(
            actor=cw.charlie, request=copy, to_status="registered", data={"our_reference": "B-1"}
        )
        services.request_consultation(actor=cw.charlie, request=copy, text="Call on 3 May.", outcome="other")
        services.request_info_request(actor=cw.charlie, request=copy, text="Account holder?")
    deliver_all()
    with state_scope(cw.w.state_a.pk):
        services.request_info_provide(
            actor=cw.alice, request=Request.objects.get(pk=request.pk), text="J. Doe"
        )
    deliver_all()
    with state_scope(cw.w.state_b.pk):
        copy = Request.objects.get(pk=copy.pk)
        result = attachment_add(
            actor=cw.charlie,
            request=copy,
            upload=SimpleUploadedFile("records.pdf", b"%PDF-1.4 records", "application/pdf"),
            kind="result",
        )
        services.request_send_result(
            actor=cw.charlie, request=copy, text="Attached.", attachment_codes=[result.code]
        )
        services.request_send_message(actor=cw.charlie, request=copy, text="Originals by post.")
    deliver_all()
    with state_scope(cw.w.state_a.pk):
        request_transition(
            actor=cw.alice, request=Request.objects.get(pk=request.pk), to_status="withdrawn", text="Settled."
        )
    deliver_all()
    messages: list[dict[str, Any]] = []
    receipts: list[dict[str, Any]] = []
    for state in (cw.w.state_a, cw.w.state_b):
        with state_scope(state.pk):
            for sent in OutboxMessage.objects.order_by("pk"):
                messages.append(envelope.peek(sent.jws)[1])
                receipts.append(envelope.peek(sent.receipt_jws)[1])
    # A parked message's receipt: #9 of a stream that is at #1.
    gap = envelope.build(
        type="note", from_node="hub.test", to_node="hub.test", from_state="AAA", to_state="BBB",
        request_id=request.global_id, seq=9, payload={"text": "too early"},
    )  # fmt: skip
    outcome = inbox.receive(envelope.sign(gap), local=True)
    receipts.append(envelope.peek(outcome.receipt)[1])
    with state_scope(cw.w.state_b.pk):
        assert InboxMessage.objects.filter(status="parked").count() == 1
    return {"messages": messages, "receipts": receipts}


def test_every_message_type_is_produced_and_matches_its_schemas(
    exchanged: dict[str, list[dict[str, Any]]],
) -> None:
    produced = {m["type"] for m in exchanged["messages"]}
    assert produced | {"receipt"} == set(envelope.MESSAGE_TYPES)
    for message in exchanged["messages"]:
        check("envelope", message)
        check(f"payload.{message['type']}", message["payload"])
    submitted = next(m for m in exchanged["messages"] if m["type"] == "request.submitted")
    assert [a["filename"] for a in submitted["attachments"]] == ["request.pdf"]


def test_receipts_match_their_schemas(exchanged: dict[str, list[dict[str, Any]]]) -> None:
    statuses = [r["payload"]["status"] for r in exchanged["receipts"]]
    assert set(statuses) == {"applied", "parked"}
    for receipt in exchanged["receipts"]:
        check("envelope", receipt)
        check("receipt", receipt["payload"])
    assert exchanged["receipts"][-1]["payload"]["reason"] == "sequence_gap"
