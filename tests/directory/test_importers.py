"""The reference import (States, treaties, parties, declarations), the UNTC status import and the
directory demo data, on the real reference files and on broken copies of them.

The real reference data is imported once for the module (`reference`, committed and removed at
the end); each test runs in a transaction on top of it and is rolled back.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comity.cli import main as comity_main
from comity.core.enums import StateKind, UnStatus
from comity.core.models import State
from comity.core.tenancy import unscoped
from comity.directory import states
from comity.directory.demo import ILLUSTRATIVE, seed_directory
from comity.directory.enums import PartyStatus
from comity.directory.importers import (
    REFERENCE_DIR,
    REFERENCE_RETRIEVED_ON,
    FileReport,
    extradition_basis,
    general_entry_into_force,
    import_reference_data,
)
from comity.directory.models import AuthorityContact, Declaration, RequirementProfile, Treaty, TreatyParty
from comity.directory.untc_status import StatusReport, import_untc_status

UNTC_TABLE = REFERENCE_DIR / "untc" / "untoc-participants-untc-table-2015.csv"
STATES_REPORT = "un_members.csv (+ other parties in untoc_parties.csv)"

FIRST_RUN = [
    f"{STATES_REPORT}: read 198, created 198, updated 0, unchanged 0, rejected 0",
    "treaties.csv: read 7, created 7, updated 0, unchanged 0, rejected 0",
    "untoc_parties.csv: read 193, created 193, updated 0, unchanged 0, rejected 0",
    "treaty_uncac.csv: read 178, created 178, updated 0, unchanged 0, rejected 0",
    "treaty_ets024.csv: read 51, created 51, updated 0, unchanged 0, rejected 0",
    "treaty_ets030.csv: read 50, created 50, updated 0, unchanged 0, rejected 0",
    "treaty_oas_a55.csv: read 29, created 29, updated 0, unchanged 0, rejected 0",
    "treaty_asean_mlat.csv: read 10, created 10, updated 0, unchanged 0, rejected 0",
    "untoc_declarations.csv: read 123, created 123, updated 0, unchanged 0, rejected 0",
]
SECOND_RUN = [
    f"{STATES_REPORT}: read 198, created 0, updated 0, unchanged 198, rejected 0",
    "treaties.csv: read 7, created 0, updated 0, unchanged 7, rejected 0",
    "untoc_parties.csv: read 193, created 0, updated 0, unchanged 193, rejected 0",
    "treaty_uncac.csv: read 178, created 0, updated 0, unchanged 178, rejected 0",
    "treaty_ets024.csv: read 51, created 0, updated 0, unchanged 51, rejected 0",
    "treaty_ets030.csv: read 50, created 0, updated 0, unchanged 50, rejected 0",
    "treaty_oas_a55.csv: read 29, created 0, updated 0, unchanged 29, rejected 0",
    "treaty_asean_mlat.csv: read 10, created 0, updated 0, unchanged 10, rejected 0",
    "untoc_declarations.csv: read 123, created 0, updated 0, unchanged 123, rejected 0",
]


@pytest.fixture(scope="module")
def reference(django_db_setup: Any, django_db_blocker: Any) -> Iterator[list[FileReport]]:
    """The real reference data, imported once for this module and removed afterwards."""
    with django_db_blocker.unblock():
        before = set(State.objects.values_list("code", flat=True))
        reports = import_reference_data()
    yield reports
    with django_db_blocker.unblock():
        Declaration.objects.all().delete()
        TreatyParty.objects.all().delete()
        Treaty.objects.all().delete()
        with unscoped(reason="test teardown: delete the States this module imported"):
            State.objects.exclude(code__in=before).delete()


@pytest.fixture
def imported(reference: list[FileReport], db: Any) -> list[FileReport]:
    return reference


def party(treaty: str, code: str) -> TreatyParty:
    return TreatyParty.objects.get(treaty__code=treaty, state__code=code)


def copy_reference(tmp_path: Path) -> Path:
    target = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, target)
    for path in target.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)  # the reference copy is read-only
    return target


def append(path: Path, *lines: str) -> None:
    with path.open("a", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in lines)


def lines_of(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


# -- the UN members file --------------------------------------------------------------------


def test_un_members_file_lists_193_members_and_2_observers() -> None:
    with (REFERENCE_DIR / "un_members.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes = [r["iso3"] for r in rows]
    assert len(codes) == len(set(codes)) == 195
    assert sum(r["un_status"] == "member" for r in rows) == 193
    assert sorted(r["iso3"] for r in rows if r["un_status"] == "observer") == ["PSE", "VAT"]
    assert all(states.is_known_code(code) for code in codes)


# -- the reference import -------------------------------------------------------------------


def test_first_import_counts_per_file(imported: list[FileReport]) -> None:
    assert [r.summary() for r in imported] == FIRST_RUN
    assert [w for r in imported for w in r.warnings] == []


def test_reimport_changes_nothing_and_prints_the_counts(imported: list[FileReport]) -> None:
    out = StringIO()
    call_command("import_reference_data", stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == SECOND_RUN


def test_every_state_is_present_with_its_kind_and_un_status(imported: list[FileReport]) -> None:
    assert State.objects.count() == 198
    assert State.objects.filter(un_status=UnStatus.MEMBER).count() == 193
    assert set(State.objects.filter(un_status=UnStatus.OBSERVER).values_list("code", flat=True)) == {
        "VAT",
        "PSE",
    }
    others = {s.code: s.kind for s in State.objects.filter(un_status=UnStatus.OTHER)}
    assert others == {"EUU": StateKind.REGIONAL_ORGANIZATION, "COK": StateKind.STATE, "NIU": StateKind.STATE}
    assert State.objects.get(code="EUU").name == "European Union"
    assert State.objects.get(code="BOL").name == "Bolivia (Plurinational State of)"


def test_names_in_the_six_un_languages(imported: list[FileReport]) -> None:
    assert State.objects.get(code="FRA").names == {
        "ar": "فرنسا",
        "zh": "法国",
        "en": "France",
        "fr": "France",
        "ru": "Франция",
        "es": "Francia",
    }
    palestine = State.objects.get(code="PSE")
    assert palestine.name == "State of Palestine"
    assert palestine.names["fr"] == "État de Palestine"
    assert State.objects.get(code="VAT").names["es"] == "Santa Sede"
    assert State.objects.get(code="EUU").names["zh"] == "欧盟"
    assert not State.objects.filter(names__en="").exists()


def test_treaties(imported: list[FileReport]) -> None:
    untoc = Treaty.objects.get(code="untoc")
    assert untoc.scope == "multilateral"
    assert untoc.subjects == ["mla", "extradition"]
    assert untoc.articles == {
        "mla": ["18"],
        "extradition": ["16"],
        "confiscation": ["13"],
        "transfer_of_proceedings": ["21"],
        "transfer_of_sentenced_persons": ["17"],
    }
    assert (untoc.adopted_on, untoc.in_force_on, untoc.days_after_deposit) == (
        dt.date(2000, 11, 15),
        dt.date(2003, 9, 29),
        30,
    )
    assert untoc.retrieved_on == REFERENCE_RETRIEVED_ON
    assert untoc.source_url.startswith("http://treaties.un.org/")
    uncac = Treaty.objects.get(code="uncac")
    assert uncac.subjects == ["corruption", "mla", "extradition"]
    assert uncac.articles == {"mla": ["46"], "extradition": ["44"], "confiscation": ["55"]}
    assert {t.code: (t.scope, t.articles) for t in Treaty.objects.exclude(scope="multilateral")} == {
        "ets024": ("regional", {"extradition": []}),
        "ets030": ("regional", {"mla": []}),
        "oas_a55": ("regional", {"mla": []}),
        "oas_b47": ("regional", {"extradition": []}),
        "asean_mlat": ("regional", {"mla": []}),
    }


def test_untoc_parties_by_status(imported: list[FileReport]) -> None:
    by_status = {
        status: sorted(
            TreatyParty.objects.filter(treaty__code="untoc", status=status).values_list(
                "state__code", flat=True
            )
        )
        for status in PartyStatus.values
    }
    assert len(by_status["party"]) == 187
    assert by_status["party_date_unknown"] == ["FJI", "PLW", "PRK", "PSE", "WSM"]
    assert by_status["reported_not_confirmed"] == ["SOM"]
    assert by_status["signatory"] == []
    somalia = party("untoc", "SOM")
    assert (somalia.in_force_date, somalia.consent_date) == (None, None)
    france = party("untoc", "FRA")
    assert (france.signature_date, france.consent_date, france.consent_type) == (
        dt.date(2000, 12, 12),
        dt.date(2002, 10, 29),
        "ratification",
    )
    assert france.source_desc.startswith("UNTC MTDSG XVIII-12")
    assert france.retrieved_on == REFERENCE_RETRIEVED_ON
    assert party("untoc", "AFG").notes == (
        "Second sources: UNTC status page 2024; Trb. 2007, 70; inview.nl EIF consistent; PacLII status 2006."
    )


def test_untoc_entry_into_force_article_38(imported: list[FileReport]) -> None:
    deposits = TreatyParty.objects.filter(treaty__code="untoc", consent_date__isnull=False).exclude(
        state__code="EUU"  # art. 38(1): an organization's instrument is not counted
    )
    fortieth, general = general_entry_into_force(deposits.values_list("consent_date", flat=True), 40)
    assert party("untoc", "ARM").consent_date == fortieth == dt.date(2003, 7, 1)
    assert general == Treaty.objects.get(code="untoc").in_force_on == dt.date(2003, 9, 29)
    # The last instrument whose 30th day falls before the Convention's own entry into force.
    assert max(deposits.filter(in_force_date=general).values_list("consent_date", flat=True)) <= dt.date(
        2003, 8, 30
    )
    assert deposits.filter(in_force_date=general).count() == 41
    expected = {
        "NGA": dt.date(2003, 9, 29),  # 28 Jun 2001, among the first 40
        "ARM": dt.date(2003, 9, 29),  # the 40th
        "CRI": dt.date(2003, 9, 29),  # 24 Jul 2003: the 41st, its 30th day is before 29 Sep 2003
        "CHN": dt.date(2003, 10, 23),  # 23 Sep 2003 + 30 days
        "AUS": dt.date(2004, 6, 26),  # 27 May 2004 + 30 days
        "BHR": dt.date(2004, 7, 7),  # 7 Jun 2004 (accession) + 30 days
        "SSD": dt.date(2023, 11, 19),  # 20 Oct 2023 + 30 days, as the depositary reported
        "PSE": None,  # party, date unknown
    }
    assert {code: party("untoc", code).in_force_date for code in expected} == expected


def test_other_treaties_in_force_dates(imported: list[FileReport]) -> None:
    assert party("uncac", "ECU").consent_date == dt.date(2005, 9, 15)  # the 30th instrument
    assert party("uncac", "ECU").in_force_date == dt.date(2005, 12, 14)
    assert party("uncac", "DEU").in_force_date == dt.date(2014, 12, 12)  # 12 Nov 2014 + 30
    assert party("uncac", "NZL").status == PartyStatus.PARTY_DATE_UNKNOWN
    assert party("ets030", "ALB").in_force_date == dt.date(2000, 7, 3)  # the file's entry_into_force
    assert party("ets030", "AND").in_force_date == dt.date(2005, 7, 25)  # entry_into_force only
    assert party("ets024", "ALB").in_force_date == dt.date(1998, 8, 17)  # 19 May 1998 + 90 days
    assert party("ets024", "AUT").status == PartyStatus.PARTY_DATE_UNKNOWN
    mexico = party("oas_a55", "MEX")
    assert (mexico.consent_date, mexico.in_force_date) == (dt.date(2003, 2, 11), dt.date(2003, 2, 11))
    assert "Domestic ratification instrument dated 2003-01-07." in mexico.notes
    asean = TreatyParty.objects.filter(treaty__code="asean_mlat")
    assert set(asean.values_list("status", flat=True)) == {PartyStatus.PARTY_DATE_UNKNOWN}
    assert party("asean_mlat", "MMR").signature_date is None
    assert not TreatyParty.objects.filter(treaty__code="oas_b47").exists()


def test_declarations(imported: list[FileReport]) -> None:
    basis = dict(
        Declaration.objects.filter(article="16(5)").values_list("state__code", "untoc_extradition_basis")
    )
    assert basis == {
        "BHS": "yes",
        "IND": "yes",
        "LSO": "no",
        "LVA": "yes",
        "MCO": "yes",
        "MEX": "yes",
        "MKD": "yes",
        "NLD": "yes",
        "SVN": "yes",
        "UKR": "yes",
        "VNM": "no",
    }
    assert set(
        Declaration.objects.exclude(article="16(5)").values_list("untoc_extradition_basis", flat=True)
    ) == {""}
    lithuania = Declaration.objects.get(state__code="LTU", article="18(14)")
    assert lithuania.languages == ["en", "ru", "lt"]
    assert lithuania.date == dt.date(2002, 5, 9)
    lesotho = Declaration.objects.get(state__code="LSO", article="18(13)")
    assert (lesotho.kind, lesotho.authority_name) == ("notification", "Office of the Attorney-General")
    assert lesotho.source_url == "https://zaki.ru/pagesnew.php?id=58378&page=26"
    assert lesotho.retrieved_on == REFERENCE_RETRIEVED_ON
    assert Declaration.objects.values("state").distinct().count() == 67


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("takes Convention as legal basis for extradition", "yes"),
        ("Convention is legal basis for extradition when no treaty", "yes"),
        ("extradition conditional on a treaty; does not take Convention as legal basis", "no"),
        ("does not take Convention as direct legal basis for extradition", "no"),
        ("extradition subject to domestic law", ""),
    ],
)
def test_extradition_basis_classification(summary: str, expected: str) -> None:
    assert extradition_basis(summary) == expected


def test_secretariat_row_is_left_alone(imported: list[FileReport]) -> None:
    State.objects.create(code="XUN", name="UNODC secretariat (demo)", kind=StateKind.SECRETARIAT)
    import_reference_data()
    xun = State.objects.get(code="XUN")
    assert (xun.name, xun.kind, xun.names) == ("UNODC secretariat (demo)", StateKind.SECRETARIAT, {})


# -- broken rows and unusable input -----------------------------------------------------------


def test_broken_rows_are_reported_and_the_rest_imported(imported: list[FileReport], tmp_path: Path) -> None:
    directory = copy_reference(tmp_path)
    members = directory / "un_members.csv"
    parties = directory / "untoc_parties.csv"
    declarations = directory / "untoc_declarations.csv"
    url = "https://example.org/source"
    append(members, "ZZZ,member")
    append(
        parties,
        f"Atlantis,XXX,,2004-01-01,ratification,party,{url},,,",
        f"Congo,COG,2000-12-14,2004-13-01,ratification,party,{url},,,",
        f"Iran,IRN,2000-12-12,,ratification,maybe,{url},,,",
        f"Iran,IRN,2000-12-12,,,signatory,{url},,,",
        "Congo,COG,2000-12-14,,,signatory,,,,",
        "Tuvalu,TUV,,2003-02-01",
    )
    n = lines_of(parties)
    append(
        declarations,
        f"MEX,18(14),statement,requests accepted in Spanish,es,,2003-03-04,{url},",
        f"ARG,18(14),declaration,,es,,2002-11-19,{url},",
        f"FRA,18(14),declaration,requests accepted in French,fr;xx,,2002-10-29,{url},",
        f"FRA,18(13),notification,central authority: Ministry of Justice,,Ministry of Justice,2002-10-29,{url},",
    )
    d = lines_of(declarations)
    out = StringIO()
    call_command("import_reference_data", str(directory), stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == [
        f"{STATES_REPORT}: read 199, created 0, updated 0, unchanged 198, rejected 1",
        "  rejected un_members.csv:197: unknown ISO3 code 'ZZZ'",
        *SECOND_RUN[1:2],
        "untoc_parties.csv: read 199, created 1, updated 0, unchanged 193, rejected 5",
        f"  rejected untoc_parties.csv:{n}: 4 fields, header has 10",
        f"  rejected untoc_parties.csv:{n - 5}: unknown ISO3 code 'XXX'",
        f"  rejected untoc_parties.csv:{n - 4}: bad date in consent_date: '2004-13-01' (use YYYY-MM-DD)",
        f"  rejected untoc_parties.csv:{n - 3}: unknown status 'maybe'",
        f"  rejected untoc_parties.csv:{n - 1}: missing required field source_url",
        *SECOND_RUN[3:8],
        "untoc_declarations.csv: read 127, created 1, updated 0, unchanged 123, rejected 3",
        f"  rejected untoc_declarations.csv:{d - 3}: unknown kind 'statement'",
        f"  rejected untoc_declarations.csv:{d - 2}: missing required field summary",
        f"  rejected untoc_declarations.csv:{d - 1}: unknown language code 'xx' (use ISO 639-1)",
    ]
    assert party("untoc", "IRN").status == PartyStatus.SIGNATORY
    assert not TreatyParty.objects.filter(treaty__code="untoc", state__code="COG").exists()
    assert (
        Declaration.objects.get(state__code="FRA", article="18(13)").authority_name == "Ministry of Justice"
    )


def test_a_rejected_row_does_not_stop_an_update(imported: list[FileReport], tmp_path: Path) -> None:
    directory = copy_reference(tmp_path)
    parties = directory / "treaty_oas_a55.csv"
    text = parties.read_text(encoding="utf-8")
    text = text.replace(
        "Mexico,MEX,2001-06-05,2003-01-07,2003-02-11", "Mexico,MEX,2001-06-05,2003-01-07,2003-02-12"
    )
    text = text.replace("Peru,PER,1994-10-28,", "Peru,PER,1994-10-32,")
    parties.write_text(text, encoding="utf-8")
    reports = {r.file: r for r in import_reference_data(directory)}
    assert reports["treaty_oas_a55.csv"].summary() == (
        "treaty_oas_a55.csv: read 29, created 0, updated 1, unchanged 27, rejected 1"
    )
    assert [str(e) for e in reports["treaty_oas_a55.csv"].rejected] == [
        "treaty_oas_a55.csv:25: bad date in signature_date: '1994-10-32' (use YYYY-MM-DD)"
    ]
    assert party("oas_a55", "MEX").in_force_date == dt.date(2003, 2, 12)
    assert party("oas_a55", "PER").consent_date == dt.date(1995, 4, 26)  # kept as it was


def test_unusable_reference_input_exits_2_and_writes_nothing(
    imported: list[FileReport], tmp_path: Path
) -> None:
    directory = copy_reference(tmp_path)
    (directory / "un_members.csv").write_text("iso3,un_status\nZZZ,member\n", encoding="utf-8")
    text = (directory / "untoc_declarations.csv").read_text(encoding="utf-8")
    (directory / "untoc_declarations.csv").write_text(text.replace(",kind,", ",type,", 1), encoding="utf-8")
    with pytest.raises(CommandError, match=r"untoc_declarations.csv: missing column\(s\) kind") as error:
        call_command("import_reference_data", str(directory), stdout=StringIO())
    assert error.value.returncode == 2
    (directory / "untoc_declarations.csv").write_text(text, encoding="utf-8")
    (directory / "treaty_ets030.csv").unlink()
    with pytest.raises(CommandError, match=r"treaty_ets030.csv: file not found") as error:
        call_command("import_reference_data", str(directory), stdout=StringIO())
    assert error.value.returncode == 2
    with pytest.raises(CommandError, match="not a directory") as error:
        call_command("import_reference_data", str(tmp_path / "nowhere"), stdout=StringIO())
    assert error.value.returncode == 2
    assert State.objects.count() == 198


# -- names and the UNTC participant table -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Bolivia (Plurinational State of)", "BOL"),
        ("Iran (Islamic Republic of)", "IRN"),
        ("Côte d'Ivoire", "CIV"),
        ("Côte d\u2019Ivoire", "CIV"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("United Kingdom of Great Britain and Northern Ireland", "GBR"),
        ("Venezuela (Bolivarian Republic of)", "VEN"),
        ("European Union", "EUU"),
        ("State of Palestine", "PSE"),
        ("Holy See", "VAT"),
        ("Republic of Korea", "KOR"),
        ("Democratic People's Republic of Korea", "PRK"),
        ("Republic of Moldova", "MDA"),
        ("United Republic of Tanzania", "TZA"),
        ("Micronesia (Federated States of)", "FSM"),
        ("Lao People's Democratic Republic", "LAO"),
        ("Syrian Arab Republic", "SYR"),
        ("Viet Nam", "VNM"),
        ("Russian Federation", "RUS"),
        ("North Macedonia", "MKD"),
        ("The former Yugoslav Republic of Macedonia", "MKD"),
        ("Czech Republic", "CZE"),
        ("Czechia", "CZE"),
        ("Swaziland", "SWZ"),
        ("Eswatini", "SWZ"),
        ("Cabo Verde", "CPV"),
        ("St. Vincent and the Grenadines", "VCT"),
        ("Belgium 3", "BEL"),
        ("Denmark4, 5", "DNK"),
        ("  Democratic  Republic of the Congo ", "COD"),
        ("Congo", "COG"),
        ("Atlantis", None),
        ("Korea", None),
        ("", None),
    ],
)
def test_participant_names_map_exactly(name: str, code: str | None) -> None:
    assert states.code_for_name(name) == code


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("7 Jun 2004 a", (dt.date(2004, 6, 7), "accession")),
        ("21 May 2004 AA", (dt.date(2004, 5, 21), "approval")),
        ("9 Feb 2006 A", (dt.date(2006, 2, 9), "acceptance")),
        ("23 Oct 2006 d", (dt.date(2006, 10, 23), "succession")),
        ("24 Sep 2003", (dt.date(2003, 9, 24), "ratification")),
        ("24\xa0Sep 2003 3", (dt.date(2003, 9, 24), "ratification")),
        ("", (None, "")),
    ],
)
def test_untc_dates(cell: str, expected: tuple[dt.date | None, str]) -> None:
    assert states.parse_untc_date(cell) == expected


@pytest.mark.parametrize("cell", ["31 Feb 2004", "7 Jux 2004", "2004-06-07", "7 Jun 2004 x"])
def test_untc_bad_dates(cell: str) -> None:
    with pytest.raises(ValueError, match="bad date"):
        states.parse_untc_date(cell)


def test_every_name_of_the_real_untc_table_maps_to_a_distinct_state() -> None:
    table = states.read_participant_table(UNTC_TABLE)
    codes = [states.code_for_name(row.name) for row in table.rows]
    assert len(table.rows) == 185
    assert table.bad_rows == []
    assert None not in codes
    assert len(set(codes)) == 185


UNTC_SUMMARY = (
    "untoc-participants-untc-table-2015.csv: read 185, created 2, updated 0, unchanged 183, rejected 0"
)
UNTC_KEPT = [
    "BRB: the table shows no consent; kept 2014-11-11 (party)",
    "JPN: the table shows no consent; kept 2017-07-11 (party)",
    "KOR: the table shows no consent; kept 2015-11-05 (party)",
    "SLE: the table shows no consent; kept 2014-08-12 (party)",
]
UNTC_MISSING = ["BTN", "ERI", "FJI", "PLW", "PRK", "PSE", "SOM", "SSD", "TON", "WSM"]


def test_untc_status_on_the_real_table(imported: list[FileReport]) -> None:
    report = import_untc_status(UNTC_TABLE, treaty_code="untoc", retrieved_on=dt.date(2026, 11, 27))
    assert report.summary() == UNTC_SUMMARY
    assert [str(c) for c in report.changes] == [
        "COG: added: signature_date - -> 2000-12-14; status - -> signatory",
        "IRN: added: signature_date - -> 2000-12-12; status - -> signatory",
    ]
    assert report.kept == UNTC_KEPT
    assert report.missing == UNTC_MISSING
    assert party("untoc", "COG").status == PartyStatus.SIGNATORY
    # The table agrees with untoc_parties.csv: the dates of these States were left as they were.
    for code, consent, kind in [
        ("BHR", dt.date(2004, 6, 7), "accession"),
        ("EUU", dt.date(2004, 5, 21), "approval"),
        ("MNE", dt.date(2006, 10, 23), "succession"),
        ("MEX", dt.date(2003, 3, 4), "ratification"),
    ]:
        row = party("untoc", code)
        assert (row.consent_date, row.consent_type, row.retrieved_on) == (
            consent,
            kind,
            REFERENCE_RETRIEVED_ON,
        )
    again = import_untc_status(UNTC_TABLE, treaty_code="untoc")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 185)


def test_untc_status_corrects_dates_and_reports_each_change(imported: list[FileReport]) -> None:
    TreatyParty.objects.filter(treaty__code="untoc", state__code="MEX").update(
        consent_date=None, consent_type="", in_force_date=None, status=PartyStatus.PARTY_DATE_UNKNOWN
    )
    TreatyParty.objects.filter(treaty__code="untoc", state__code="BHR").update(
        consent_date=dt.date(2004, 6, 8), in_force_date=dt.date(2004, 7, 8)
    )
    out = StringIO()
    call_command(
        "import_untc_status",
        str(UNTC_TABLE),
        "--treaty",
        "untoc",
        "--retrieved-on",
        "2026-11-28",
        stdout=out,
        stderr=StringIO(),
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "untoc-participants-untc-table-2015.csv: read 185, created 2, updated 2, unchanged 181, rejected 0"
    )
    assert (
        "  BHR: updated: consent_date 2004-06-08 -> 2004-06-07; in_force_date 2004-07-08 -> 2004-07-07"
        in lines
    )
    assert (
        "  MEX: updated: status party_date_unknown -> party; consent_date - -> 2003-03-04; "
        "consent_type - -> ratification; in_force_date - -> 2003-09-29"
    ) in lines
    assert lines[-1] == f"  not in the table (kept, not deleted): 10: {' '.join(UNTC_MISSING)}"
    mexico = party("untoc", "MEX")
    assert (mexico.status, mexico.in_force_date, mexico.retrieved_on) == (
        "party",
        dt.date(2003, 9, 29),
        dt.date(2026, 11, 28),
    )
    assert mexico.source_desc == "Depositary participant table (untoc-participants-untc-table-2015.csv)"


def test_untc_status_dry_run_writes_nothing(imported: list[FileReport]) -> None:
    TreatyParty.objects.filter(treaty__code="untoc", state__code="BHR").update(
        consent_date=dt.date(2004, 6, 8)
    )
    out = StringIO()
    call_command(
        "import_untc_status", str(UNTC_TABLE), "--treaty", "untoc", "--dry-run", stdout=out, stderr=StringIO()
    )
    assert out.getvalue().startswith(
        "(dry run, nothing written) untoc-participants-untc-table-2015.csv: read 185, created 2, updated 1,"
    )
    assert party("untoc", "BHR").consent_date == dt.date(2004, 6, 8)
    assert not TreatyParty.objects.filter(treaty__code="untoc", state__code__in=["COG", "IRN"]).exists()


def untc_html(rows: list[list[str]]) -> str:
    """The real table as the UNTC page shows it: a layout table around it, <th> headers,
    footnote numbers in <sup>, non-breaking spaces."""
    body = "".join(
        "<tr>"
        + f"<td>{name.replace('Belgium', 'Belgium<sup>3</sup>')}</td>"
        + "".join(f"<td>{cell.replace(' ', '&nbsp;')}</td>" for cell in cells)
        + "</tr>\n"
        for name, *cells in rows
    )
    return (
        "<html><body><table class='layout'><tr><td>Status as at 14-03-2015</td></tr><tr><td>"
        "<table><tr><th>Participant</th><th>Signature</th>"
        "<th>Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)</th></tr>\n"
        f"{body}</table></td></tr></table></body></html>"
    )


def test_untc_status_reads_the_html_page(imported: list[FileReport], tmp_path: Path) -> None:
    with UNTC_TABLE.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))[1:]
    page = tmp_path / "untoc.html"
    page.write_text(untc_html(rows), encoding="utf-8")
    report = import_untc_status(page, treaty_code="untoc", dry_run=True)
    assert report.summary() == UNTC_SUMMARY.replace("untoc-participants-untc-table-2015.csv", "untoc.html")
    assert report.kept == UNTC_KEPT
    assert report.missing == UNTC_MISSING


def test_untc_status_reports_rows_it_cannot_use(imported: list[FileReport], tmp_path: Path) -> None:
    table = tmp_path / "table.csv"
    table.write_text(
        'Participant,Signature,"Ratification, Acceptance(A), Approval(AA), Accession(a), Succession(d)"\n'
        "Atlantis,12 Dec 2000,1 Jan 2004\n"
        "Belgium 3,12 Dec 2000,11 Aug 2004\n"
        "Kingdom of Belgium,12 Dec 2000,11 Aug 2004\n"
        "France,12 Dec 2000,31 Oct 2002 x\n"
        "Tuvalu,,\n"
        "Papua New Guinea,,1 Feb 2020 a\n",
        encoding="utf-8",
    )
    report = import_untc_status(table, treaty_code="untoc", retrieved_on=REFERENCE_RETRIEVED_ON)
    assert isinstance(report, StatusReport)
    assert report.summary() == "table.csv: read 6, created 1, updated 0, unchanged 1, rejected 4"
    assert [str(e) for e in report.rejected] == [
        "table.csv:2: cannot map participant name 'Atlantis' to a State code",
        "table.csv:4: 'Kingdom of Belgium' is BEL, already on line 3",
        "table.csv:5: bad date '31 Oct 2002 x' (expected e.g. '7 Jun 2004' with an optional a, A, AA or d)",
        "table.csv:6: TUV: neither a signature nor a consent date",
    ]
    png = party("untoc", "PNG")
    assert (png.status, png.consent_type, png.in_force_date) == ("party", "accession", dt.date(2020, 3, 2))
    assert len(report.missing) == 192  # every other party: never deleted
    assert TreatyParty.objects.filter(treaty__code="untoc").count() == 194


def test_untc_status_unusable_input_exits_2(imported: list[FileReport], tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="unknown treaty code 'nope'") as error:
        call_command("import_untc_status", str(UNTC_TABLE), "--treaty", "nope", stdout=StringIO())
    assert error.value.returncode == 2
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("State,Date\nFrance,29 Oct 2002\n", encoding="utf-8")
    with pytest.raises(CommandError, match="expected the columns Participant, Signature") as error:
        call_command("import_untc_status", str(wrong), "--treaty", "untoc", stdout=StringIO())
    assert error.value.returncode == 2
    page = tmp_path / "page.html"
    page.write_text("<html><table><tr><td>Nothing</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(CommandError, match="no <table> with a Participant column") as error:
        call_command("import_untc_status", str(page), "--treaty", "untoc", stdout=StringIO())
    assert error.value.returncode == 2


def test_the_comity_command_exits_2_with_the_reason_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        comity_main(
            [
                "comity",
                "import-untc-status",
                str(tmp_path / "missing.csv"),
                "--treaty",
                "untoc",
                "--skip-checks",
            ]
        )
    assert exit_.value.code == 2
    assert f"{tmp_path / 'missing.csv'}: file not found" in capsys.readouterr().err


# -- demo data --------------------------------------------------------------------------------


def test_seed_directory(imported: list[FileReport]) -> None:
    from comity.demo import seed_core

    seed_core()
    seed_directory()
    seed_directory()
    contacts = AuthorityContact.objects.select_related("authority__state")
    assert sorted(c.authority.state.code for c in contacts) == ["EGY"] * 3 + ["FRA"] * 3 + ["MEX"] * 3
    assert all(c.email.endswith(".invalid") and ".invalid/" in c.website for c in contacts)
    assert all(c.urgent_contact and c.office_hours and c.time_zone and c.address for c in contacts)
    year_ago = timezone.localdate() - dt.timedelta(days=365)
    assert {c.authority.state.code for c in contacts if c.last_verified < year_ago} == {"EGY"}
    central = contacts.get(authority__state__code="FRA", authority__kind="central_authority")
    assert central.functions == ["central_mla", "central_extradition", "central_confiscation"]
    assert central.languages == ["fr", "en"]
    extradition = {
        p.state.code: (p.extradition_of_nationals, p.formal_request_days, p.minimum_penalty_months)
        for p in RequirementProfile.objects.filter(subject="extradition")
    }
    assert extradition == {"FRA": ("no", 40, 12), "MEX": ("conditional", 60, 12), "EGY": ("no", 60, 12)}
    assert RequirementProfile.objects.count() == 9
    assert set(
        RequirementProfile.objects.filter(subject="bank_records").values_list(
            "judicial_order_for_coercive", flat=True
        )
    ) == {"yes"}
    assert all(p.special_requirements.startswith(ILLUSTRATIVE) for p in RequirementProfile.objects.all())
    assert State.objects.get(code="XUN").name == "UNODC secretariat (demo)"
    assert State.objects.get(code="FRA").names["ru"] == "Франция"
