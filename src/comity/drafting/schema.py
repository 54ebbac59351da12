"""The request document: one versioned schema for every request type (published as JSON Schema).

A request is data first; the formal DOCX/PDF, the completeness check and the exchange payload
are all derived from it. Every field is optional unless the *schema* cannot do without it:
whether an element is required is the completeness checker's business (it depends on the request
type, the measures and the requested State), so a half-written draft still validates here.

Limits are deliberate: free text fields are bounded, lists are bounded, codes come from the
vocabulary (comity.vocabulary). Unknown fields are refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from comity.vocabulary import LegalBasisKind, Measure, RequestType

SCHEMA_VERSION: Final = "1.0"
SCHEMA_ID = "https://comity.invalid/schemas/request/1.0/request.json"

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
Iso3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Lang = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True)


class PersonRole(StrEnum):
    SUSPECT = "suspect"
    ACCUSED = "accused"
    WITNESS = "witness"
    VICTIM = "victim"
    EXPERT = "expert"
    ACCOUNT_HOLDER = "account_holder"
    PERSON_SOUGHT = "person_sought"
    SENTENCED_PERSON = "sentenced_person"


class ProceedingType(StrEnum):
    INVESTIGATION = "investigation"
    PROSECUTION = "prosecution"
    TRIAL = "trial"
    ENFORCEMENT = "enforcement"
    CONFISCATION = "confiscation"


class DataCategory(StrEnum):
    SUBSCRIBER = "subscriber"
    TRAFFIC = "traffic"
    CONTENT = "content"


class AuthorityRef(Strict):
    name: Line
    state: Iso3
    directory_code: Annotated[str, StringConstraints(max_length=16)] | None = None
    functions: Line | None = None  # e.g. "investigating judge"
    address: Line | None = None


class LegalBasisRef(Strict):
    kind: LegalBasisKind
    instrument: Short  # e.g. "untoc", or a treaty code
    title: Line | None = None
    articles: list[Short] = Field(default_factory=list, max_length=50)
    source: Literal["engine", "chosen"] = "chosen"


class Proceeding(Strict):
    type: ProceedingType | None = None
    stage: Short | None = None
    reference: Short | None = None
    subject_and_nature: Text | None = None  # 18(15)(b)
    conducting_authority: Line | None = None
    conducting_authority_functions: Line | None = None


class Offence(Strict):
    description: Text | None = None
    legal_provisions: Text | None = None  # the text of the law (or a faithful summary)
    max_penalty_years: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] | None = None
    max_penalty_text: Line | None = None  # e.g. "life imprisonment"
    untoc_article: Literal[5, 6, 8, 23] | None = None


class Person(Strict):
    role: PersonRole
    name: Line | None = None
    other_names: Line | None = None
    date_of_birth: dt.date | None = None
    place_of_birth: Line | None = None
    nationalities: list[Iso3] = Field(default_factory=list, max_length=5)
    identity_documents: Line | None = None
    location: Line | None = None  # address or whereabouts
    description: Text | None = None


class PropertyItem(Strict):
    description: Text
    location: Line | None = None
    value: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)] | None = None
    currency: Currency | None = None


class BankDetails(Strict):
    bank: Line | None = None
    account: Short | None = None  # IBAN or account number
    holder: Line | None = None
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    records: Line | None = None  # statements, opening documents, KYC, ...


class DataDetails(Strict):
    provider: Line | None = None
    identifiers: list[Short] = Field(default_factory=list, max_length=50)
    period_from: dt.date | None = None
    period_to: dt.date | None = None
    categories: list[DataCategory] = Field(default_factory=list, max_length=3)


class VideoconferenceDetails(Strict):
    person: Line | None = None
    why_not_in_person: Text | None = None  # 18(18)
    conducting_authority: Line | None = None
    proposed_dates: Line | None = None


class TransferDetails(Strict):
    person: Line | None = None
    consent: bool | None = None  # 18(10)(a)
    custody_conditions: Text | None = None  # 18(11)(a)
    return_by: dt.date | None = None  # 18(11)(b)


class MeasureRequest(Strict):
    measure: Measure
    description: Text | None = None  # what exactly is asked, and any procedure to follow
    bank: BankDetails | None = None
    data: DataDetails | None = None
    videoconference: VideoconferenceDetails | None = None
    transfer: TransferDetails | None = None


class WarrantRef(Strict):
    issued_by: Line | None = None
    date: dt.date | None = None
    reference: Short | None = None


class ExtraditionDetails(Strict):
    purpose: Literal["prosecution", "enforcement"] | None = None
    arrest_warrant: WarrantRef | None = None  # prosecution
    conviction_judgment: WarrantRef | None = None  # enforcement
    sentence_remaining: Line | None = None
    limitation_statement: Text | None = None
    evidence_summary: Text | None = None
    assurances: Text | None = None
    undertaking_formal_request: Text | None = None  # provisional arrest, 16(9)


class ConfiscationDetails(Strict):
    facts_statement: Text | None = None  # 13(3)(b), (c)
    confiscation_order: WarrantRef | None = None  # 13(3)(b): legally admissible copy
    execution_extent: Text | None = None  # 13(3)(b)
    actions_requested: Text | None = None  # 13(3)(c)


class Reasoned(Strict):
    required: bool = False
    reasons: Text | None = None


class Deadline(Strict):
    date: dt.date | None = None
    reasons: Text | None = None


class Contact(Strict):
    name: Line | None = None
    function: Line | None = None
    phone: Short | None = None
    email: Short | None = None
    languages: list[Lang] = Field(default_factory=list, max_length=10)


class Signature(Strict):
    name: Line | None = None
    function: Line | None = None
    place: Short | None = None
    date: dt.date | None = None


class Attachment(Strict):
    title: Line
    description: Line | None = None
    language: Lang | None = None


class Statements(Strict):
    dual_criminality: Text | None = (
        None  # the conduct is an offence in the requesting State, and why it would be in the requested State
    )
    court_order: Text | None = None  # the judicial order behind a coercive measure, or why none is needed
    use_limitation: Text | None = None  # 18(19): undertaking on the use of what is obtained


class RequestDocument(Strict):
    """One request, of any type."""

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    request_type: RequestType
    language: Lang  # the language the document is written in
    text_language: Lang | None = None  # the language the user typed the free text in, if different
    reference: Short | None = None
    date: dt.date | None = None
    requesting_authority: AuthorityRef | None = None
    requested_state: Iso3
    requested_authority: AuthorityRef | None = None
    legal_basis: list[LegalBasisRef] = Field(default_factory=list, max_length=10)
    proceeding: Proceeding | None = None
    offences: list[Offence] = Field(default_factory=list, max_length=50)
    facts_summary: Text | None = None
    persons: list[Person] = Field(default_factory=list, max_length=100)
    property: list[PropertyItem] = Field(default_factory=list, max_length=100)
    measures: list[MeasureRequest] = Field(default_factory=list, max_length=30)
    purpose: Text | None = None
    procedure_wishes: Text | None = None
    statements: Statements | None = None
    extradition: ExtraditionDetails | None = None
    confiscation: ConfiscationDetails | None = None
    confidentiality: Reasoned | None = None  # 18(20)
    urgency: Reasoned | None = None
    deadline: Deadline | None = None
    contact: Contact | None = None
    signature: Signature | None = None
    attachments: list[Attachment] = Field(default_factory=list, max_length=100)


def request_json_schema() -> dict[str, Any]:
    """The published JSON Schema (draft 2020-12) of the request document."""
    schema = RequestDocument.model_json_schema(mode="validation")
    return {
        **schema,
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Comity request document",
        "description": f"A request for international cooperation in criminal matters, schema version {SCHEMA_VERSION}.",
    }
