"""The completeness checker: golden tests over the examples, one removal at a time, the requested
State's profile, the warnings, and properties over generated documents (hypothesis).

The requested States' requirements are those the demo data defines (`comity.demo.seed_core` and
`comity.directory.demo.seed_directory`), read once per module through `requirements_for` inside a
transaction that is rolled back; the checker itself needs no database.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comity.drafting.checker import check_request
from comity.drafting.checklists import LABELS, ORDER, TABLES, Element, checklist
from comity.drafting.profile import RequestedStateRequirements, SubjectProfile, requirements_for
from comity.drafting.schema import RequestDocument
from comity.vocabulary import Measure, RequestType, WarningCode

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples" / "requests"
EXAMPLES = sorted(p.stem for p in EXAMPLES_DIR.glob("*.json"))
DEMO_STATES = ("EGY", "FRA", "ITA", "MEX", "NLD")
FICTIONAL = ("fictional example", "ejemplo ficticio", "exemple fictif")

# Every test is marked, so that pytest-django sets up the test database before the module-scoped
# `demo` fixture uses it (without a marked test in the session it would not, and the fixture would
# reach the development database).
pytestmark = pytest.mark.django_db


def load(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def doc(data: dict[str, Any]) -> RequestDocument:
    return RequestDocument.model_validate(data)


def seed_demo_directory() -> None:
    """The demo States, authorities and directory (contacts, languages, requirement profiles)."""
    from comity.demo import seed_core
    from comity.directory.demo import seed_directory

    seed_core()
    seed_directory()


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> dict[str, RequestedStateRequirements]:
    """The requirements of the demo States, read from the demo directory (then rolled back)."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo_directory()
        found = {code: requirements_for(code) for code in DEMO_STATES}
        transaction.set_rollback(True)
    assert all(found.values())
    return {code: req for code, req in found.items() if req is not None}


def without(data: dict[str, Any], path: str) -> dict[str, Any]:
    """A deep copy of `data` without the field (or list item) at a dotted path like `a.b[0].c`."""
    data = copy.deepcopy(data)
    parts = path.replace("]", "").replace("[", ".").split(".")
    node: Any = data
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        del node[int(last)]
    else:
        del node[last]
    return data


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return [f["code"] for f in findings]


# --- The examples ------------------------------------------------------------------------------


def test_there_is_an_example_of_every_request_type() -> None:
    types = {load(name)["request_type"] for name in EXAMPLES}
    assert types == set(RequestType.values)
    assert {"mla", "mla_videoconference_hearing", "mla_production_of_stored_data"} <= set(EXAMPLES)
    assert "bank_records" in [m["measure"] for m in load("mla")["measures"]]
    assert [m["measure"] for m in load("mla_service_of_documents")["measures"]] == ["service_of_documents"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_is_complete_for_its_requested_state_and_without_requirements(
    name: str, demo: dict[str, RequestedStateRequirements]
) -> None:
    data = load(name)
    document = doc(data)
    expected = {"complete": True, "missing": [], "warnings": []}
    assert check_request(document, demo[document.requested_state]) == expected
    assert check_request(document, None) == expected


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_persons_are_marked_fictional(name: str) -> None:
    data = load(name)
    assert data["persons"]
    for person in data["persons"]:
        assert any(mark in person["name"] for mark in FICTIONAL), person["name"]


# --- One element removed: exactly that element is missing -------------------------------------

REMOVALS = [
    # MLA with bank records, to France (court order required by the French profile)
    ("mla", "requesting_authority", "requesting_authority", "18(15)(a)"),
    ("mla", "proceeding.subject_and_nature", "subject_and_nature", "18(15)(b)"),
    ("mla", "proceeding.conducting_authority_functions", "subject_and_nature", "18(15)(b)"),
    ("mla", "facts_summary", "facts_summary", "18(15)(c)"),
    ("mla", "measures[1].description", "assistance_description", "18(15)(d)"),
    ("mla", "purpose", "purpose", "18(15)(f)"),
    ("mla", "legal_basis", "legal_basis", None),
    ("mla", "offences[0].legal_provisions", "offence_provisions", None),
    ("mla", "offences[2].max_penalty_years", "offence_provisions", None),
    ("mla", "confidentiality.reasons", "confidentiality_reasons", "18(20)"),
    ("mla", "deadline.reasons", "deadline_reasons", "18(24)"),
    ("mla", "contact", "contact_person", None),
    ("mla", "contact.email", None, None),  # the telephone number is enough
    ("mla", "signature.date", "signature", None),
    ("mla", "statements.dual_criminality", "dual_criminality_statement", "18(9)"),
    ("mla", "statements.court_order", "court_order", None),
    ("mla", "measures[0].bank.account", "bank_details", "18(3)(f)"),
    ("mla", "measures[0].bank.period_to", "bank_details", "18(3)(f)"),
    ("mla_videoconference_hearing", "persons", "person_identity", "18(15)(e)"),
    (
        "mla_videoconference_hearing",
        "measures[0].videoconference.why_not_in_person",
        "videoconference_details",
        "18(18)",
    ),
    ("mla_videoconference_hearing", "statements", "dual_criminality_statement", "18(9)"),
    ("mla_videoconference_hearing", "deadline.reasons", "deadline_reasons", "18(24)"),
    ("mla_production_of_stored_data", "measures[0].data.categories", "data_details", None),
    ("mla_production_of_stored_data", "measures[0].data.provider", "data_details", None),
    ("mla_production_of_stored_data", "statements.court_order", "court_order", None),
    ("mla_service_of_documents", "persons", "person_identity", "18(15)(e)"),
    ("mla_service_of_documents", "measures[0].description", "assistance_description", "18(15)(d)"),
    ("mla_transfer_of_detained_person", "measures[0].transfer.consent", "transfer_conditions", "18(10)-(12)"),
    (
        "mla_transfer_of_detained_person",
        "measures[0].transfer.return_by",
        "transfer_conditions",
        "18(10)-(12)",
    ),
    ("mla_transfer_of_detained_person", "statements", "dual_criminality_statement", "18(9)"),
    # Extradition, to Mexico (summary of evidence and assurances required)
    ("extradition", "requesting_authority", "requesting_authority", None),
    ("extradition", "persons[0].date_of_birth", "person_identity", None),
    ("extradition", "persons[0].location", "person_location", None),
    ("extradition", "offences[1].description", "offence_description", None),
    ("extradition", "offences[0].legal_provisions", "offence_provisions", None),
    ("extradition", "offences[2].max_penalty_years", "penalty", None),
    ("extradition", "extradition.arrest_warrant", "arrest_warrant", None),
    ("extradition", "extradition.limitation_statement", "limitation_statement", None),
    ("extradition", "extradition.evidence_summary", "evidence_summary", None),
    ("extradition", "extradition.assurances", "assurances", None),
    ("extradition", "statements", "dual_criminality_statement", "16(1)"),
    ("extradition", "legal_basis", "legal_basis", None),
    ("extradition", "signature", "signature", None),
    ("extradition", "confidentiality.reasons", "confidentiality_reasons", None),
    # Provisional arrest, to Egypt
    ("provisional_arrest", "persons[0].nationalities", "person_identity", "16(9)"),
    ("provisional_arrest", "offences[0].description", "offence_description", "16(9)"),
    ("provisional_arrest", "offences[1].max_penalty_years", "penalty", "16(9)"),
    ("provisional_arrest", "extradition.arrest_warrant", "arrest_warrant", "16(9)"),
    ("provisional_arrest", "extradition.undertaking_formal_request", "undertaking_formal_request", "16(9)"),
    ("provisional_arrest", "urgency.reasons", "urgency_reasons", "16(9)"),
    ("provisional_arrest", "urgency", "urgency_reasons", "16(9)"),
    ("provisional_arrest", "contact.phone", None, None),
    # Confiscation, 13(3)
    ("confiscation_domestic_order", "property", "property_description", "13(3)(a)"),
    ("confiscation_domestic_order", "confiscation", "facts_statement", "13(3)(a)"),
    ("confiscation_domestic_order", "facts_summary", "facts_summary", "18(15)(c)"),
    ("confiscation_domestic_order", "statements", "dual_criminality_statement", "18(9)"),
    ("confiscation_domestic_order", "persons", None, None),  # 18(15)(e): where possible
    ("confiscation_enforce_order", "confiscation.confiscation_order", "confiscation_order_copy", "13(3)(b)"),
    (
        "confiscation_enforce_order",
        "confiscation.confiscation_order.date",
        "confiscation_order_copy",
        "13(3)(b)",
    ),
    ("confiscation_enforce_order", "confiscation.execution_extent", "execution_extent", "13(3)(b)"),
    ("confiscation_enforce_order", "confiscation.facts_statement", "facts_statement", "13(3)(b)"),
    ("freezing", "confiscation.actions_requested", "actions_requested", "13(3)(c)"),
    ("freezing", "confiscation.facts_statement", "facts_statement", "13(3)(c)"),
    ("freezing", "statements.court_order", "court_order", None),
    ("freezing", "urgency.reasons", "urgency_reasons", None),
    ("freezing", "purpose", "purpose", "18(15)(f)"),
    # Transfers and spontaneous information
    ("transfer_of_proceedings", "persons", "person_identity", None),
    ("transfer_of_proceedings", "statements", "dual_criminality_statement", None),
    ("transfer_of_proceedings", "facts_summary", "facts_summary", None),
    ("transfer_of_sentenced_person", "extradition.conviction_judgment", "conviction_judgment", None),
    ("transfer_of_sentenced_person", "extradition.sentence_remaining", "sentence_remaining", None),
    ("transfer_of_sentenced_person", "persons[0].name", "person_identity", None),
    ("transfer_of_sentenced_person", "offences[0].description", "offence_description", None),
    ("spontaneous_information", "proceeding.subject_and_nature", "subject_and_nature", "18(4)"),
    ("spontaneous_information", "facts_summary", "facts_summary", "18(4)"),
    ("spontaneous_information", "confidentiality.reasons", "confidentiality_reasons", "18(5)"),
    ("spontaneous_information", "contact", "contact_person", None),
    ("spontaneous_information", "legal_basis", None, None),
]


@pytest.mark.parametrize(("name", "path", "code", "article"), REMOVALS)
def test_removing_an_element_reports_exactly_that_element(
    name: str, path: str, code: str | None, article: str | None, demo: dict[str, RequestedStateRequirements]
) -> None:
    data = without(load(name), path)
    result = check_request(doc(data), demo[data["requested_state"]])
    expected = [] if code is None else [(code, article)]
    assert [(m["code"], m["article"]) for m in result["missing"]] == expected
    assert result["complete"] is (code is None)
    for finding in result["missing"]:
        assert finding["message"].endswith(").")
        if article:
            assert f"UNTOC art. {article})" in finding["message"]


def test_removal_table_covers_every_example() -> None:
    assert {name for name, *_ in REMOVALS} == set(EXAMPLES)


def test_missing_is_in_vocabulary_order_once_per_code() -> None:
    result = check_request(doc({"request_type": "mla", "language": "en", "requested_state": "FRA"}), None)
    found = codes(result["missing"])
    assert found == [
        "requesting_authority",
        "subject_and_nature",
        "facts_summary",
        "assistance_description",
        "purpose",
        "legal_basis",
        "offence_provisions",
        "contact_person",
        "signature",
    ]
    data = load("mla")
    for measure in data["measures"]:
        measure.pop("bank", None)
        measure.pop("description")
    data["measures"].append(copy.deepcopy(data["measures"][0]))
    found = codes(check_request(doc(data), None)["missing"])
    assert found == ["assistance_description", "bank_details"]
    assert found == sorted(found, key=ORDER.__getitem__)


# --- Decisions --------------------------------------------------------------------------------


def test_facts_are_not_required_when_only_service_of_documents_is_sought() -> None:
    data = load("mla_service_of_documents")
    assert "facts_summary" not in data
    assert "offences" not in data
    assert check_request(doc(data), None)["complete"] is True
    data["measures"].append({"measure": "taking_evidence", "description": "Hear the witness."})
    assert codes(check_request(doc(data), None)["missing"]) == ["facts_summary", "offence_provisions"]
    assert {c["code"] for c in checklist("mla", ["service_of_documents"])} & {
        "facts_summary",
        "offence_provisions",
    } == set()


def test_person_identity_is_missing_only_when_a_measure_concerns_a_person() -> None:
    data = without(load("mla"), "persons")  # bank records, search, witness hearing, registers
    assert codes(check_request(doc(data), None)["missing"]) == ["person_identity"]
    data["measures"] = [m for m in data["measures"] if m["measure"] != "taking_evidence"]
    assert check_request(doc(data), None)["complete"] is True


def test_a_person_without_location_or_nationality_is_a_warning() -> None:
    data = load("mla")
    del data["persons"][3]["location"]
    data["persons"][1]["nationalities"] = []
    result = check_request(doc(data), None)
    assert result["complete"] is True
    assert [(w["code"], w["article"]) for w in result["warnings"]] == [("person_identity", "18(15)(e)")]
    assert (
        "person 2 (suspect) has no nationality; person 4 (witness) has no location"
        in result["warnings"][0]["message"]
    )


def test_a_court_order_follows_the_requested_states_profile(
    demo: dict[str, RequestedStateRequirements],
) -> None:
    data = without(load("mla"), "statements.court_order")
    document = doc(data)
    assert check_request(document, None)["complete"] is True
    missing = check_request(document, demo["FRA"])["missing"]
    assert [(m["code"], m["article"]) for m in missing] == [("court_order", None)]
    assert missing[0]["message"] == (
        "France (FRA) requires a judicial order for coercive measures such as measure 1 (bank_records), "
        "but the request refers to none (requested State's requirement)."
    )
    no_order = RequestedStateRequirements.build("FRA", name="France", languages=["fr", "en"])
    assert check_request(document, no_order)["complete"] is True
    # The measure's own profile decides, even when the MLA profile does not ask for an order.
    for_banks = RequestedStateRequirements.build(
        "FRA",
        profiles=[
            SubjectProfile("mla", judicial_order_for_coercive="no"),
            SubjectProfile("bank_records", judicial_order_for_coercive="yes"),
        ],
    )
    assert codes(check_request(document, for_banks)["missing"]) == ["court_order"]
    # No coercive measure, no court order.
    assert check_request(doc(load("mla_videoconference_hearing")), demo["FRA"])["complete"] is True


def test_a_dual_criminality_statement_follows_the_profile_or_a_coercive_measure(
    demo: dict[str, RequestedStateRequirements],
) -> None:
    video = doc(without(load("mla_videoconference_hearing"), "statements"))
    assert check_request(video, None)["complete"] is True  # not coercive, no profile
    assert check_request(video, demo["FRA"])["complete"] is True  # France: dual criminality "no"
    missing = check_request(video, demo["EGY"])["missing"]
    assert [(m["code"], m["article"]) for m in missing] == [("dual_criminality_statement", "18(9)")]
    assert missing[0]["message"].startswith("Egypt (EGY) requires dual criminality for mla, but")
    banks = doc(without(load("mla"), "statements.dual_criminality"))
    assert codes(check_request(banks, None)["missing"]) == ["dual_criminality_statement"]  # coercive
    proceedings = doc(without(load("transfer_of_proceedings"), "statements"))
    assert check_request(proceedings, None)["complete"] is True
    assert codes(check_request(proceedings, demo["EGY"])["missing"]) == ["dual_criminality_statement"]


def test_language_and_translation_follow_the_accepted_languages(
    demo: dict[str, RequestedStateRequirements],
) -> None:
    data = load("extradition")
    data["language"] = "en"
    missing = check_request(doc(data), demo["MEX"])["missing"]
    assert [(m["code"], m["article"]) for m in missing] == [("language", None)]
    assert missing[0]["message"] == (
        "The request is in 'en', which Mexico (MEX) does not accept (it accepts es) (requested State's requirement)."
    )
    assert check_request(doc(data), None)["complete"] is True
    assert check_request(doc(data), demo["NLD"])["complete"] is True  # languages not known
    service = load("mla_service_of_documents")
    service["text_language"] = "ar"
    assert [(m["code"], m["article"]) for m in check_request(doc(service), demo["MEX"])["missing"]] == [
        ("translation", "18(14)")
    ]
    service["text_language"] = "es"
    assert check_request(doc(service), demo["MEX"])["complete"] is True
    french_only = RequestedStateRequirements.build("FRA", languages=["fr"], languages_declared=True)
    assert codes(check_request(doc(load("mla")), french_only)["missing"]) == ["language"]


def test_attachment_in_a_language_not_accepted_is_a_warning(
    demo: dict[str, RequestedStateRequirements],
) -> None:
    data = load("mla")
    data["attachments"][0]["language"] = "nl"
    result = check_request(doc(data), demo["FRA"])
    assert result["complete"] is True
    assert [(w["code"], w["article"]) for w in result["warnings"]] == [("language_not_accepted", "18(14)")]
    assert check_request(doc(data), None)["warnings"] == []


def test_enforcement_extradition_asks_for_the_judgment_not_the_warrant() -> None:
    data = without(load("extradition"), "extradition.arrest_warrant")
    data["extradition"]["purpose"] = "enforcement"
    assert codes(check_request(doc(data), None)["missing"]) == ["conviction_judgment", "sentence_remaining"]
    data["extradition"]["conviction_judgment"] = {
        "issued_by": "Tribunal correctionnel de Paris",
        "date": "2025-01-10",
    }
    data["extradition"]["sentence_remaining"] = "four years"
    assert check_request(doc(data), None)["complete"] is True


# --- Warnings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "If bank secrecy prevents disclosure of the records, the requested State may decline this part of the request.",
        "We understand that banking secrecy may be a ground for refusal in France.",
        "Si le secret bancaire s'y oppose, l'État requis pourra refuser l'exécution.",
    ],
)
def test_bank_secrecy_as_a_reason_to_refuse_is_flagged(text: str) -> None:
    data = load("mla")
    data["procedure_wishes"] += " " + text
    result = check_request(doc(data), None)
    assert result["complete"] is True
    assert [(w["code"], w["article"]) for w in result["warnings"]] == [("bank_secrecy_not_a_ground", "18(8)")]
    assert "procedure_wishes" in result["warnings"][0]["message"]


@pytest.mark.parametrize(
    "text",
    [
        "Bank secrecy is not a ground for refusing assistance.",
        "Under art. 18(8), bank secrecy cannot be invoked to decline the request.",
        "Please obtain the order lifting bank secrecy from the competent court.",
    ],
)
def test_bank_secrecy_mentioned_rightly_is_not_flagged(text: str) -> None:
    data = load("mla")
    data["procedure_wishes"] += " " + text
    assert check_request(doc(data), None)["warnings"] == []


def test_fiscal_nature_as_a_reason_to_refuse_is_flagged_with_the_article_of_the_type() -> None:
    text = "As the offence also concerns tax matters, the requested State may refuse to assist."
    mla = load("mla_videoconference_hearing")
    mla["purpose"] += " " + text
    assert [(w["code"], w["article"]) for w in check_request(doc(mla), None)["warnings"]] == [
        ("fiscal_not_a_ground", "18(22)")
    ]
    extradition = load("extradition")
    extradition["procedure_wishes"] += (
        " Si México considera que se trata de una materia fiscal, podrá rechazar la extradición."
    )
    assert [(w["code"], w["article"]) for w in check_request(doc(extradition), None)["warnings"]] == [
        ("fiscal_not_a_ground", "16(15)")
    ]


def test_below_minimum_penalty_and_nationals_are_warnings(
    demo: dict[str, RequestedStateRequirements],
) -> None:
    data = load("extradition")
    data["offences"][0]["max_penalty_years"] = "0.5"
    data["persons"][0]["nationalities"] = ["FRA", "MEX"]
    result = check_request(doc(data), demo["MEX"])
    assert result["complete"] is True
    assert [(w["code"], w["article"]) for w in result["warnings"]] == [
        ("below_minimum_penalty", "16(7)"),
        ("national_of_requested_state", "16(10)"),
    ]
    assert "at least 12 months; offence 1 (0.5 years)" in result["warnings"][0]["message"]
    assert "conditionally" not in result["warnings"][1]["message"]
    assert "only on condition that they return" in result["warnings"][1]["message"]
    assert codes(check_request(doc(data), None)["warnings"]) == ["national_of_requested_state"]


# --- Checklists -------------------------------------------------------------------------------


def test_every_request_type_has_a_table_in_vocabulary_order() -> None:
    assert set(TABLES) == set(RequestType.values)
    for table in TABLES.values():
        order = [ORDER[item.code] for item in table]
        assert order == sorted(order)
        assert len(set(order)) == len(order)
    assert set(LABELS) == set(Element)


def test_checklist_rows_and_labels() -> None:
    rows = checklist("mla", ["bank_records"])
    assert [r["code"] for r in rows][:6] == [
        "requesting_authority",
        "subject_and_nature",
        "facts_summary",
        "assistance_description",
        "person_identity",
        "purpose",
    ]
    assert {"court_order", "bank_details"} <= {r["code"] for r in rows}
    assert "bank_details" not in {r["code"] for r in checklist("mla")}
    assert "court_order" not in {r["code"] for r in checklist("mla", ["taking_evidence"])}
    first = rows[0]
    assert (first["code"], first["article"], str(first["label"])) == (
        "requesting_authority",
        "18(15)(a)",
        "Identity of the authority making the request",
    )
    assert [r["code"] for r in checklist("freezing")][-2:] == ["facts_statement", "actions_requested"]
    assert [r["code"] for r in checklist("provisional_arrest")] == [
        "requesting_authority",
        "person_identity",
        "language",
        "translation",
        "confidentiality_reasons",
        "urgency_reasons",
        "deadline_reasons",
        "contact_person",
        "offence_description",
        "penalty",
        "arrest_warrant",
        "undertaking_formal_request",
    ]


# --- Properties -------------------------------------------------------------------------------

TEXTS = [
    "",
    " ",
    "Short text.",
    "If bank secrecy applies, the requested State may decline.",
    "Bank secrecy is not a ground for refusal.",
    "The offence concerns fiscal matters, so it may be refused.",
    "Texte en français ; secret bancaire.",
    "نص عربي",
]
text = st.none() | st.sampled_from(TEXTS) | st.text(max_size=40)
iso3 = st.sampled_from(["FRA", "MEX", "EGY", "NLD", "XYZ"])
lang = st.sampled_from(["en", "fr", "es", "ar", "de"])
day = st.none() | st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))
tri = st.sampled_from(["yes", "no", ""])


def _opt(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def _obj(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with a random subset of the fields (None values dropped)."""
    return st.fixed_dictionaries({}, optional=fields).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


warrant = _obj(issued_by=text, date=day, reference=st.none() | st.just("ref"))
measure = st.builds(
    lambda m, extra: {"measure": m, **extra},
    st.sampled_from(Measure.values),
    _obj(
        description=text,
        bank=_obj(bank=text, account=st.none() | st.just("FR76"), period_from=day, period_to=day),
        data=_obj(
            provider=text,
            identifiers=st.lists(st.just("x@example.invalid"), max_size=2),
            period_from=day,
            period_to=day,
            categories=st.lists(
                st.sampled_from(["subscriber", "traffic", "content"]), max_size=3, unique=True
            ),
        ),
        videoconference=_obj(person=text, why_not_in_person=text, conducting_authority=text),
        transfer=_obj(person=text, consent=st.none() | st.booleans(), custody_conditions=text, return_by=day),
    ),
)
person = st.builds(
    lambda role, extra: {"role": role, **extra},
    st.sampled_from(
        [
            "suspect",
            "accused",
            "witness",
            "victim",
            "expert",
            "account_holder",
            "person_sought",
            "sentenced_person",
        ]
    ),
    _obj(name=text, date_of_birth=day, nationalities=st.lists(iso3, max_size=2), location=text),
)
offence = _obj(
    description=text,
    legal_provisions=text,
    max_penalty_years=st.none() | st.decimals(min_value=0, max_value=100, places=1).map(str),
    max_penalty_text=text,
)
documents = st.builds(
    lambda required, extra: {**required, **extra},
    st.fixed_dictionaries(
        {"request_type": st.sampled_from(RequestType.values), "language": lang, "requested_state": iso3}
    ),
    _obj(
        text_language=lang,
        requesting_authority=st.fixed_dictionaries(
            {"name": st.sampled_from(["", "Authority"]), "state": iso3}
        ),
        legal_basis=st.lists(st.just({"kind": "untoc", "instrument": "untoc"}), max_size=1),
        proceeding=_obj(
            type=st.sampled_from(["investigation", "prosecution", "enforcement"]),
            subject_and_nature=text,
            conducting_authority=text,
            conducting_authority_functions=text,
        ),
        offences=st.lists(offence, max_size=3),
        facts_summary=text,
        persons=st.lists(person, max_size=3),
        property=st.lists(
            st.fixed_dictionaries({"description": st.sampled_from(["", "A house"])}), max_size=2
        ),
        measures=st.lists(measure, max_size=4),
        purpose=text,
        procedure_wishes=text,
        statements=_obj(dual_criminality=text, court_order=text),
        extradition=_obj(
            purpose=st.sampled_from(["prosecution", "enforcement"]),
            arrest_warrant=warrant,
            conviction_judgment=warrant,
            sentence_remaining=text,
            limitation_statement=text,
            evidence_summary=text,
            assurances=text,
            undertaking_formal_request=text,
        ),
        confiscation=_obj(
            facts_statement=text, confiscation_order=warrant, execution_extent=text, actions_requested=text
        ),
        confidentiality=_obj(required=st.booleans(), reasons=text),
        urgency=_obj(required=st.booleans(), reasons=text),
        deadline=_obj(date=day, reasons=text),
        contact=_obj(name=text, phone=st.none() | st.just("+1"), email=st.none() | st.just("a@b.invalid")),
        signature=_obj(name=text, function=text, date=day),
        attachments=st.lists(st.builds(lambda lg: {"title": "Annex", "language": lg}, lang), max_size=2),
    ),
)
requirements = st.none() | st.builds(
    lambda state, languages, profiles: RequestedStateRequirements.build(
        state, languages=languages, profiles=profiles
    ),
    iso3,
    st.lists(lang, max_size=3),
    st.lists(
        st.builds(
            SubjectProfile,
            subject=st.sampled_from(["mla", "extradition", "provisional_arrest", "bank_records", "freezing"]),
            dual_criminality_required=tri,
            judicial_order_for_coercive=tri,
            minimum_penalty_months=st.none() | st.integers(0, 48),
            extradition_of_nationals=st.sampled_from(["yes", "no", "conditional", ""]),
            evidentiary_standard=st.sampled_from(["none", "summary_of_evidence", "prima_facie_case", ""]),
            assurances_required=st.sampled_from(["", "No death penalty."]),
        ),
        max_size=4,
        unique_by=lambda p: p.subject,
    ),
)
ELEMENT_CODES = {e.value for e in Element}
WARNING_CODES = {WarningCode.LANGUAGE_NOT_ACCEPTED.value, WarningCode.BELOW_MINIMUM_PENALTY.value} | {
    WarningCode.NATIONAL_OF_REQUESTED_STATE.value,
    WarningCode.BANK_SECRECY_NOT_A_GROUND.value,
    WarningCode.FISCAL_NOT_A_GROUND.value,
    Element.PERSON_IDENTITY.value,
}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=documents, req=requirements)
def test_the_checker_never_raises_and_complete_iff_nothing_missing(
    data: dict[str, Any], req: RequestedStateRequirements | None
) -> None:
    document = RequestDocument.model_validate(data)
    result = check_request(document, req)
    assert set(result) == {"complete", "missing", "warnings"}
    assert result["complete"] is (result["missing"] == [])
    found = codes(result["missing"])
    assert set(found) <= ELEMENT_CODES
    assert len(found) == len(set(found))
    assert found == sorted(found, key=ORDER.__getitem__)
    assert set(codes(result["warnings"])) <= WARNING_CODES
    for finding in result["missing"] + result["warnings"]:
        assert set(finding) == {"code", "article", "message"}
        assert finding["message"].endswith(").")
    # Every code the checker can emit for the type is on its checklist.
    listed = {row["code"] for row in checklist(document.request_type, [m.measure for m in document.measures])}
    assert set(found) <= listed
    assert {c for c in codes(result["warnings"]) if c in ELEMENT_CODES} <= listed
    # The result is plain JSON, and the same document gives the same answer.
    assert json.loads(json.dumps(result)) == result
    assert check_request(RequestDocument.model_validate(document.model_dump()), req) == result
