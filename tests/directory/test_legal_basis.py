"""The legal-basis engine: one table per rule (exact codes, articles and bases), the JSON contract,
query validation and the facts cache. The directory is built with factories (see
test_legal_basis_world.py); CLI and API are in test_legal_basis_api.py, properties in
test_legal_basis_properties.py."""

from __future__ import annotations

from typing import Any

import pytest

from comity.directory.legal_basis import (
    LegalBasisQuery,
    answer,
)
from tests.directory.test_legal_basis_world import D, build_world

TODAY = D(2026, 6, 1)
FULL = {
    "max_penalty_requesting": 10,
    "max_penalty_requested": 8,
    "transnational": True,
    "organized_group": True,
    "date": "2026-01-01",
}
MLA_REMINDERS = [("fiscal_not_a_ground", "18(22)"), ("bank_secrecy_not_a_ground", "18(8)")]
EXTRADITION_REMINDER = [("fiscal_not_a_ground", "16(15)")]
UNTOC = ("untoc", "untoc")
RECIPROCITY = ("reciprocity", None)


@pytest.fixture
def lb(db: Any) -> dict[str, Any]:
    return build_world()


def ask(requesting: str, requested: str, type: str, **fields: Any) -> dict[str, Any]:
    raw = {**FULL, **fields, "requesting": requesting, "requested": requested, "type": type}
    raw = {k: v for k, v in raw.items() if v is not None}
    return answer(LegalBasisQuery.parse(raw), on=TODAY)


def summary(
    result: dict[str, Any],
) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None]], list[str]]:
    return (
        [(w["code"], w["article"]) for w in result["warnings"]],
        [(b["kind"], b["instrument"]) for b in result["bases"]],
        result["untoc_reasons"],
    )


def check(result: dict[str, Any], warnings: list, bases: list, reasons: list) -> None:
    assert summary(result) == (warnings, bases, reasons)
    assert result["untoc_applies"] is (not reasons)


# --- Art. 38: entry into force -------------------------------------------------------------

ENTRY_INTO_FORCE = [
    # both bound long before the date
    (
        ("MEX", "NLD", "mla", {}),
        MLA_REMINDERS,
        [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY],
        [],
    ),
    # NLD deposited on 2004-05-26: bound from the 30th day, 2004-06-25
    (
        ("MEX", "NLD", "mla", {"date": "2004-06-24"}),
        [("untoc_not_in_force_requested", "38")],
        [RECIPROCITY],
        ["untoc_not_in_force_requested"],
    ),
    (("MEX", "NLD", "mla", {"date": "2004-06-25"}), MLA_REMINDERS, [UNTOC, RECIPROCITY], []),
    # before the Convention itself entered into force (2003-09-29)
    (
        ("MEX", "FRA", "mla", {"date": "2003-09-28"}),
        [("untoc_not_in_force_requesting", "38"), ("untoc_not_in_force_requested", "38")],
        [RECIPROCITY],
        ["untoc_not_in_force_requesting", "untoc_not_in_force_requested"],
    ),
    # a signatory, a party reported but not confirmed, a State with no row: not parties
    (
        ("IRN", "MEX", "mla", {}),
        [("untoc_not_in_force_requesting", "38")],
        [RECIPROCITY],
        ["untoc_not_in_force_requesting"],
    ),
    (
        ("SSD", "MEX", "mla", {}),
        [("untoc_not_in_force_requesting", "38")],
        [RECIPROCITY],
        ["untoc_not_in_force_requesting"],
    ),
    (
        ("MEX", "PNG", "mla", {}),
        [("untoc_not_in_force_requested", "38")],
        [RECIPROCITY],
        ["untoc_not_in_force_requested"],
    ),
    # party, date unknown: bound; for a past date a warning, for a future one only an assumption
    (
        ("FRA", "MEX", "mla", {"date": "2020-01-01"}),
        [("in_force_date_unknown", "38"), *MLA_REMINDERS],
        [UNTOC, RECIPROCITY],
        [],
    ),
    (("FRA", "MEX", "mla", {"date": "2026-12-01"}), MLA_REMINDERS, [UNTOC, RECIPROCITY], []),
]


@pytest.mark.parametrize(("q", "warnings", "bases", "reasons"), ENTRY_INTO_FORCE)
def test_entry_into_force_art_38(lb, q, warnings, bases, reasons):
    check(ask(*q[:3], **q[3]), warnings, bases, reasons)


def test_entry_into_force_messages_and_dates(lb):
    result = ask("MEX", "NLD", "mla", date="2004-06-24")
    assert result["warnings"][0]["message"] == (
        "UNTOC is not in force for the requested State, Netherlands (NLD), on 2004-06-24: it binds it from 2004-06-25 (art. 38)."
    )
    assert ask("IRN", "MEX", "mla")["warnings"][0]["message"] == (
        "The requesting State, Iran (IRN), has signed UNTOC but is not a party; signature alone does not bind it (art. 38)."
    )
    unknown = ask("FRA", "MEX", "mla", date="2026-12-01")
    assert unknown["bases"][0]["in_force_since"] is None
    assert unknown["assumptions"][0] == (
        "UNTOC records France (FRA) as a party without the date it became bound; treated as bound on 2026-12-01 (art. 38)."
    )
    # the later of the two States' dates: NLD 2004-06-25 (MEX 2003-09-29)
    assert ask("MEX", "NLD", "mla", date="2004-06-25")["bases"][0]["in_force_since"] == "2004-06-25"
    # in_force_date given explicitly wins over deposit + 30 days
    assert ask("MEX", "BEL", "mla")["bases"][0]["in_force_since"] == "2004-09-10"


# --- Arts 2(b), 3, 16(1), 18(1): scope -----------------------------------------------------

SCOPE = [
    (
        ("mla", {"max_penalty_requesting": 3}),
        [("not_serious_crime", "2(b), 3(1)")],
        [("bilateral_treaty", "mex-nld-test"), RECIPROCITY],
        ["not_serious_crime"],
    ),
    (
        ("mla", {"max_penalty_requesting": 4}),
        MLA_REMINDERS,
        [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY],
        [],
    ),
    (
        ("mla", {"max_penalty_requesting": 3, "offence_article": 6}),
        MLA_REMINDERS,
        [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY],
        [],
    ),
    (
        ("mla", {"transnational": False}),
        [("not_transnational", "3(2), 18(1)")],
        [("bilateral_treaty", "mex-nld-test"), RECIPROCITY],
        ["not_transnational"],
    ),
    (
        ("mla", {"organized_group": False}),
        [("no_organized_group", "3(1), 18(1)")],
        [("bilateral_treaty", "mex-nld-test"), RECIPROCITY],
        ["no_organized_group"],
    ),
    # 16(1): an organized criminal group and the person in the requested State suffice
    (
        ("extradition", {"transnational": False}),
        EXTRADITION_REMINDER,
        [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY],
        [],
    ),
    (
        ("extradition", {"transnational": False, "organized_group": False}),
        [("not_transnational", "3(1), 3(2)"), ("no_organized_group", "3(1)")],
        [("bilateral_treaty", "mex-nld-test"), RECIPROCITY],
        ["not_transnational", "no_organized_group"],
    ),
    (
        ("confiscation", {"transnational": False}),
        [("not_transnational", "3(1), 3(2)"), ("offence_not_covered", "13(7)")],
        [RECIPROCITY],
        ["not_transnational"],
    ),
]


@pytest.mark.parametrize(("q", "warnings", "bases", "reasons"), SCOPE)
def test_scope_arts_2_3(lb, q, warnings, bases, reasons):
    check(ask("MEX", "NLD", q[0], **q[1]), warnings, bases, reasons)


def test_unknown_scope_facts_are_assumed_and_said(lb):
    result = ask("MEX", "NLD", "mla", max_penalty_requesting=None, transnational=None, organized_group=None)
    check(result, MLA_REMINDERS, [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY], [])
    assert result["assumptions"][:3] == [
        "Maximum penalty in the requesting State not given: assumed to be at least four years, or the offence to be one under art. 5, 6, 8 or 23 (arts 2(b), 3(1)).",
        "Transnational element not stated: assumed present (reasonable grounds to suspect it are enough for MLA, art. 18(1)).",
        "Involvement of an organized criminal group not stated: assumed (reasonable grounds to suspect it are enough for MLA, art. 18(1)).",
    ]


# --- Art. 18(7): an MLA treaty or paragraphs 9-29 ------------------------------------------

MLA_18_7 = [
    (
        ("MEX", "NLD"),
        [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY],
        "An MLA treaty is in force between them (mex-nld-test): it governs the request, and paragraphs 9-29 of article 18 apply only if both States agree to use them instead (18(7)). Paragraphs 1-8 apply in any case.",
    ),
    (
        ("BEL", "NLD"),
        [("regional_treaty", "ets030"), UNTOC, RECIPROCITY],
        "An MLA treaty is in force between them (ets030): it governs the request, and paragraphs 9-29 of article 18 apply only if both States agree to use them instead (18(7)). Paragraphs 1-8 apply in any case.",
    ),
    (
        ("MEX", "LTU"),
        [UNTOC, RECIPROCITY],
        "No MLA treaty is in force between them: paragraphs 9-29 of article 18 govern the request (18(7)).",
    ),
]


@pytest.mark.parametrize(("pair", "bases", "note"), MLA_18_7)
def test_mla_treaty_or_paragraphs_9_to_29_art_18_7(lb, pair, bases, note):
    result = ask(*pair, "mla")
    check(result, MLA_REMINDERS, bases, [])
    assert next(b for b in result["bases"] if b["kind"] == "untoc")["note"] == note


def test_treaty_with_unknown_date_is_offered_and_flagged_for_a_past_date(lb):
    past = ask("NLD", "FRA", "mla", date="2020-01-01")
    check(
        past,
        [("in_force_date_unknown", "38"), ("in_force_date_unknown", None), *MLA_REMINDERS],
        [("regional_treaty", "ets030"), UNTOC, RECIPROCITY],
        [],
    )
    assert past["bases"][0]["in_force_since"] is None
    assert past["bases"][0]["note"] == "The date ets030 became binding on France (FRA) is not recorded."
    future = ask("NLD", "FRA", "mla", date="2026-12-01")
    check(future, MLA_REMINDERS, [("regional_treaty", "ets030"), UNTOC, RECIPROCITY], [])


# --- Arts 16(4)-(6): treaty-conditional extradition ----------------------------------------

EXTRADITION_16_4_6 = [
    # LSO needs a treaty and does not take UNTOC: with none in force, no basis but reciprocity
    (
        ("MEX", "LSO", {}),
        [("treaty_required_no_basis", "16(4), 16(5)"), *EXTRADITION_REMINDER],
        [RECIPROCITY],
        [],
    ),
    # ... with a treaty in force, that treaty
    (("BEL", "LSO", {}), EXTRADITION_REMINDER, [("bilateral_treaty", "bel-lso-test"), RECIPROCITY], []),
    # LTU needs a treaty and has not said whether UNTOC serves
    (
        ("MEX", "LTU", {}),
        [("untoc_basis_not_declared", "16(5)"), *EXTRADITION_REMINDER],
        [UNTOC, RECIPROCITY],
        [],
    ),
    # MCO takes UNTOC as the basis
    (("MEX", "MCO", {}), EXTRADITION_REMINDER, [UNTOC, RECIPROCITY], []),
    # BEL made no 16(5) notification: assumed not treaty-conditional (16(6))
    (("MEX", "BEL", {}), EXTRADITION_REMINDER, [UNTOC, RECIPROCITY], []),
    # outside UNTOC: the treaty condition still bites; the undeclared basis is moot
    (
        ("MEX", "LSO", {"max_penalty_requesting": 2}),
        [("not_serious_crime", "2(b), 3(1)"), ("treaty_required_no_basis", "16(4), 16(5)")],
        [RECIPROCITY],
        ["not_serious_crime"],
    ),
    (
        ("MEX", "LTU", {"max_penalty_requesting": 2}),
        [("not_serious_crime", "2(b), 3(1)")],
        [RECIPROCITY],
        ["not_serious_crime"],
    ),
]


@pytest.mark.parametrize(("q", "warnings", "bases", "reasons"), EXTRADITION_16_4_6)
def test_treaty_conditional_extradition_arts_16_4_to_6(lb, q, warnings, bases, reasons):
    check(ask(q[0], q[1], "extradition", **q[2]), warnings, bases, reasons)


def test_extradition_declarations_are_said(lb):
    assert ask("MEX", "MCO", "extradition")["bases"][0]["note"] == (
        "Monaco (MCO) takes UNTOC as the legal basis for extradition with States Parties (16(4), 16(5))."
    )
    bel = ask("MEX", "BEL", "extradition")
    assert bel["bases"][0]["note"] == (
        "No 16(5) notification by Belgium (BEL) on record: assumed it does not require a treaty (16(6))."
    )
    assert (
        "Belgium (BEL) has made no 16(5) notification on record: assumed it does not make extradition conditional on a treaty, so it treats the offences covered as extraditable (16(6))."
        in bel["assumptions"]
    )
    assert ask("MEX", "LSO", "extradition")["bases"][0]["note"].endswith(
        "Lesotho (LSO) has notified that it extradites only under a treaty (16(5)), so reciprocity is unlikely to suffice."
    )
    assert ask("BEL", "LSO", "extradition")["bases"][0]["note"] == (
        "The offences covered by UNTOC are deemed included in it as extraditable offences (UNTOC 16(3))."
    )


# --- Art. 16(7) minimum penalty; 16(10)-(11) nationals --------------------------------------

MINIMUM_PENALTY_16_7 = [
    # NLD requires 12 months
    (
        {"max_penalty_requesting": 0.5, "max_penalty_requested": 0.5, "offence_article": 6},
        [("below_minimum_penalty", "16(7)"), *EXTRADITION_REMINDER],
    ),
    (
        {"max_penalty_requesting": 10, "max_penalty_requested": 0.9},
        [("below_minimum_penalty", "16(7)"), *EXTRADITION_REMINDER],
    ),
    ({"max_penalty_requesting": 1, "max_penalty_requested": 1, "offence_article": 6}, EXTRADITION_REMINDER),
    ({"max_penalty_requested": None}, EXTRADITION_REMINDER),
]


@pytest.mark.parametrize(("fields", "warnings"), MINIMUM_PENALTY_16_7)
def test_minimum_penalty_art_16_7(lb, fields, warnings):
    check(
        ask("MEX", "NLD", "extradition", **fields),
        warnings,
        [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY],
        [],
    )


def test_minimum_penalty_message(lb):
    result = ask("MEX", "NLD", "extradition", max_penalty_requested=0.5)
    assert result["warnings"][0]["message"] == (
        "Netherlands (NLD) extradites only for offences punishable by at least 12 months; the maximum penalty is 0.5 years in Netherlands (NLD) (16(7))."
    )


NATIONALS_16_10 = [
    (("MEX", "NLD", "NLD"), [("national_of_requested_state", "16(10), 16(11)"), *EXTRADITION_REMINDER]),
    (
        ("MEX", "LSO", "LSO"),
        [
            ("treaty_required_no_basis", "16(4), 16(5)"),
            ("national_of_requested_state", "16(10), 16(11)"),
            *EXTRADITION_REMINDER,
        ],
    ),
    (("MEX", "MCO", "MCO"), [("national_of_requested_state", "16(10), 16(11)"), *EXTRADITION_REMINDER]),
    (("MEX", "NLD", "MEX"), EXTRADITION_REMINDER),
]


@pytest.mark.parametrize(("q", "warnings"), NATIONALS_16_10)
def test_nationals_arts_16_10_11(lb, q, warnings):
    result = ask(q[0], q[1], "extradition", person_national_of=q[2])
    assert summary(result)[0] == warnings


def test_nationals_messages_follow_the_profile(lb):
    nld = ask("MEX", "NLD", "extradition", person_national_of="NLD")["warnings"][0]["message"]
    assert nld.startswith(
        "The person is a national of Netherlands (NLD), which surrenders nationals only on condition that they are returned to serve the sentence (16(11))"
    )
    mco = ask("MEX", "MCO", "extradition", person_national_of="MCO")["warnings"][0]["message"]
    assert mco.startswith(
        "The person is a national of Monaco (MCO), which may refuse extradition on that ground;"
    )


# --- Art. 13: confiscation -------------------------------------------------------------------

CONFISCATION_13 = [
    ({}, [], [UNTOC, RECIPROCITY], []),
    (
        {"max_penalty_requesting": 2},
        [("not_serious_crime", "2(b), 3(1)"), ("offence_not_covered", "13(7)")],
        [RECIPROCITY],
        ["not_serious_crime"],
    ),
    (
        {"organized_group": False},
        [("no_organized_group", "3(1)"), ("offence_not_covered", "13(7)")],
        [RECIPROCITY],
        ["no_organized_group"],
    ),
    # not in force is not "offence not covered"
    (
        {"date": "2004-01-01"},
        [("untoc_not_in_force_requested", "38")],
        [RECIPROCITY],
        ["untoc_not_in_force_requested"],
    ),
]


@pytest.mark.parametrize(("fields", "warnings", "bases", "reasons"), CONFISCATION_13)
def test_confiscation_art_13(lb, fields, warnings, bases, reasons):
    result = ask("MEX", "NLD", "confiscation", **fields)
    check(result, warnings, bases, reasons)
    if not reasons:
        assert result["bases"][0]["articles"] == ["13", "14"]


# --- Arts 16(1), 18(9): dual criminality -----------------------------------------------------

DUAL_CRIMINALITY = [
    (
        "extradition",
        [("dual_criminality_absent", "16(1)")],
        [("bilateral_treaty", "mex-nld-test"), RECIPROCITY],
        ["dual_criminality_absent"],
    ),
    (
        "mla",
        [("dual_criminality_absent", "18(9)"), *MLA_REMINDERS],
        [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY],
        [],
    ),
    ("confiscation", [("dual_criminality_absent", "18(9)")], [UNTOC, RECIPROCITY], []),
    ("transfer_of_proceedings", [("dual_criminality_absent", None)], [UNTOC, RECIPROCITY], []),
]


@pytest.mark.parametrize(("type", "warnings", "bases", "reasons"), DUAL_CRIMINALITY)
def test_dual_criminality_arts_16_1_18_9(lb, type, warnings, bases, reasons):
    check(ask("MEX", "NLD", type, max_penalty_requested=0), warnings, bases, reasons)


def test_dual_criminality_mla_says_may_assist_and_the_profile(lb):
    message = ask("MEX", "NLD", "mla", max_penalty_requested=0)["warnings"][0]["message"]
    assert message == (
        "The conduct is not punishable in Netherlands (NLD): Netherlands (NLD) may refuse for absence of dual criminality, but may still assist at its discretion (18(9)). Netherlands (NLD) records that it does not require dual criminality for MLA."
    )


# --- Reminders (16(15), 18(8), 18(22)) and transfers (17, 21) --------------------------------

REMINDERS = [
    ("mla", MLA_REMINDERS),
    ("extradition", EXTRADITION_REMINDER),
    ("confiscation", []),
    ("transfer_of_proceedings", []),
    ("transfer_of_sentenced_persons", []),
]


@pytest.mark.parametrize(("type", "warnings"), REMINDERS)
def test_not_a_ground_reminders_arts_16_15_18_8_18_22(lb, type, warnings):
    assert (
        summary(ask("MEX", "LTU", type))[0]
        == ([("untoc_basis_not_declared", "16(5)")] if type == "extradition" else []) + warnings
    )


def test_transfers_art_17_gives_no_basis_art_21_does(lb):
    sentenced = ask("MEX", "LTU", "transfer_of_sentenced_persons")
    check(sentenced, [], [RECIPROCITY], [])
    assert (
        "Art. 17 only invites States to conclude agreements on the transfer of sentenced persons: UNTOC is not itself a legal basis for it."
        in sentenced["assumptions"]
    )
    proceedings = ask("MEX", "LTU", "transfer_of_proceedings")
    check(proceedings, [], [UNTOC, RECIPROCITY], [])
    assert proceedings["bases"][0]["articles"] == ["21"]


# --- Treaties: kinds, order, subjects, dates ---------------------------------------------------

TREATIES = [
    # UNCAC is a basis for corruption (art. 8) only; NLD bound from 2006-11-30
    (
        ("MEX", "NLD", "mla", {"offence_article": 8}),
        [("bilateral_treaty", "mex-nld-test"), ("multilateral_treaty", "uncac"), UNTOC, RECIPROCITY],
    ),
    (
        ("MEX", "NLD", "mla", {"offence_article": 6}),
        [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY],
    ),
    (("MEX", "NLD", "mla", {"offence_article": 8, "date": "2006-11-29"}), [UNTOC, RECIPROCITY]),
    (
        ("MEX", "NLD", "mla", {"offence_article": 8, "date": "2006-11-30"}),
        [("multilateral_treaty", "uncac"), UNTOC, RECIPROCITY],
    ),
    # subjects must cover the type: ets030 is MLA only; bel-lso-test extradition only
    (("BEL", "NLD", "extradition", {}), [UNTOC, RECIPROCITY]),
    (("BEL", "LSO", "mla", {}), [UNTOC, RECIPROCITY]),
    # a signatory of UNCAC (LSO) is not bound by it
    (("MEX", "LSO", "mla", {"offence_article": 8}), [UNTOC, RECIPROCITY]),
    # the bilateral treaty binds MEX from 2010-03-01 (NLD from 2010-02-01)
    (("MEX", "NLD", "extradition", {"date": "2010-02-28"}), [UNTOC, RECIPROCITY]),
    (
        ("MEX", "NLD", "extradition", {"date": "2010-03-01"}),
        [("bilateral_treaty", "mex-nld-test"), UNTOC, RECIPROCITY],
    ),
]


@pytest.mark.parametrize(("q", "bases"), TREATIES)
def test_treaty_bases_kinds_subjects_and_dates(lb, q, bases):
    assert summary(ask(*q[:3], **q[3]))[1] == bases


def test_uncac_basis_articles_and_date(lb):
    uncac = ask("MEX", "NLD", "mla", offence_article=8)["bases"][1]
    assert uncac == {
        "kind": "multilateral_treaty",
        "instrument": "uncac",
        "title": "United Nations Convention against Corruption",
        "articles": ["46"],
        "in_force_since": "2006-11-30",
        "note": None,
    }


# --- Arts 18(13), 18(14): central authority, languages, channels -------------------------------


def test_languages_and_central_authority_arts_18_13_14(lb):
    to_mex = ask("NLD", "MEX", "mla")["requested_state"]
    assert to_mex == {"code": "MEX", "languages": ["es"], "central_authority": None, "channels": []}
    to_ltu = ask("NLD", "LTU", "mla")["requested_state"]
    assert to_ltu["languages"] == ["en", "ru", "lt"]
    to_lso = ask("MEX", "LSO", "extradition")["requested_state"]
    assert to_lso["languages"] == ["en"]  # declared under 18(14), like its authority's
    # no 18(14) declaration: the central authority's languages; no extradition authority: the MLA one
    to_fra = ask("MEX", "FRA", "extradition")
    assert to_fra["requested_state"]["languages"] == ["fr"]
    assert (
        to_fra["requested_state"]["central_authority"]["name"] == "Bureau de l'entraide pénale internationale"
    )
    assert to_fra["requested_state"]["channels"] == ["diplomatic"]
    assert to_fra["assumptions"][-2:] == [
        "No central authority of France (FRA) is recorded for this cooperation; giving its MLA central authority (18(13)).",
        "France (FRA) has no 18(14) language declaration on record; languages are those its central authority accepts.",
    ]


# --- The JSON contract -------------------------------------------------------------------------


def test_json_contract(lb):
    result = ask("MEX", "NLD", "extradition")
    assert result == {
        "untoc_applies": True,
        "untoc_reasons": [],
        "bases": [
            {
                "kind": "bilateral_treaty",
                "instrument": "mex-nld-test",
                "title": "Mexico-Netherlands treaty (test)",
                "articles": ["2"],
                "in_force_since": "2010-03-01",
                "note": "The offences covered by UNTOC are deemed included in it as extraditable offences (UNTOC 16(3)).",
            },
            {
                "kind": "untoc",
                "instrument": "untoc",
                "title": "United Nations Convention against Transnational Organized Crime",
                "articles": ["16"],
                "in_force_since": "2004-06-25",
                "note": "No 16(5) notification by Netherlands (NLD) on record: assumed it does not require a treaty (16(6)).",
            },
            {
                "kind": "reciprocity",
                "instrument": None,
                "title": "Reciprocity",
                "articles": [],
                "in_force_since": None,
                "note": "Depends on the domestic law of Netherlands (NLD): some States cooperate on an assurance of reciprocity, others only under a treaty.",
            },
        ],
        "warnings": [
            {
                "code": "fiscal_not_a_ground",
                "article": "16(15)",
                "message": "Extradition may not be refused on the sole ground that the offence also involves fiscal matters (16(15)).",
            }
        ],
        "assumptions": [
            "Netherlands (NLD) has no 18(14) language declaration on record; languages are those its central authority accepts."
        ],
        "requested_state": {
            "code": "NLD",
            "languages": ["nl", "en"],
            "central_authority": {
                "code": lb["nld_ca"].code,
                "name": "Ministry of Justice and Security",
                "email": "ibs@example.nl",
                "channels": ["email", "node_exchange"],
            },
            "channels": ["email", "node_exchange"],
        },
        "query": {
            "requesting": "MEX",
            "requested": "NLD",
            "type": "extradition",
            "max_penalty_requesting": 10,
            "max_penalty_requested": 8,
            "offence_article": None,
            "transnational": True,
            "organized_group": True,
            "person_national_of": None,
            "date": "2026-01-01",
        },
    }
