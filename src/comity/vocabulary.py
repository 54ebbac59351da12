"""Stable codes shared by several apps (shared/domain/vocabulary.md). Use them verbatim.

Adding a code is fine; renaming or removing one is a breaking change for data, API, CLI and the
exchange protocol.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CooperationType(models.TextChoices):
    MLA = "mla", _("Mutual legal assistance")
    EXTRADITION = "extradition", _("Extradition")
    CONFISCATION = "confiscation", _("Confiscation")
    TRANSFER_OF_PROCEEDINGS = "transfer_of_proceedings", _("Transfer of criminal proceedings")
    TRANSFER_OF_SENTENCED_PERSONS = "transfer_of_sentenced_persons", _("Transfer of sentenced persons")


class LegalBasisKind(models.TextChoices):
    """Ordered from most to least specific."""

    BILATERAL_TREATY = "bilateral_treaty", _("Bilateral treaty")
    REGIONAL_TREATY = "regional_treaty", _("Regional treaty")
    MULTILATERAL_TREATY = "multilateral_treaty", _("Multilateral treaty")
    UNTOC = "untoc", _("UN Convention against Transnational Organized Crime")
    RECIPROCITY = "reciprocity", _("Reciprocity")


class RequestType(models.TextChoices):
    MLA = "mla", _("Mutual legal assistance")
    EXTRADITION = "extradition", _("Extradition")
    PROVISIONAL_ARREST = "provisional_arrest", _("Provisional arrest pending extradition")
    CONFISCATION_DOMESTIC_ORDER = (
        "confiscation_domestic_order",
        _("Confiscation: obtain an order in the requested State"),
    )
    CONFISCATION_ENFORCE_ORDER = (
        "confiscation_enforce_order",
        _("Confiscation: give effect to the requesting State's order"),
    )
    FREEZING = "freezing", _("Identify, trace, freeze or seize")
    TRANSFER_OF_PROCEEDINGS = "transfer_of_proceedings", _("Transfer of criminal proceedings")
    TRANSFER_OF_SENTENCED_PERSON = "transfer_of_sentenced_person", _("Transfer of a sentenced person")
    SPONTANEOUS_INFORMATION = "spontaneous_information", _("Spontaneous information")


class Measure(models.TextChoices):
    TAKING_EVIDENCE = "taking_evidence", _("Taking evidence or statements")
    SERVICE_OF_DOCUMENTS = "service_of_documents", _("Service of judicial documents")
    SEARCH_AND_SEIZURE = "search_and_seizure", _("Search and seizure, freezing")
    EXAMINING_OBJECTS_AND_SITES = "examining_objects_and_sites", _("Examining objects and sites")
    INFORMATION_AND_EXPERT_EVALUATIONS = (
        "information_and_expert_evaluations",
        _("Information, evidentiary items and expert evaluations"),
    )
    DOCUMENTS_AND_RECORDS = "documents_and_records", _("Government, financial, corporate or business records")
    BANK_RECORDS = "bank_records", _("Bank account and transaction records")
    IDENTIFY_TRACE_PROCEEDS = "identify_trace_proceeds", _("Identifying or tracing proceeds")
    FACILITATE_APPEARANCE = "facilitate_appearance", _("Facilitating voluntary appearance")
    OTHER_ASSISTANCE = "other_assistance", _("Other assistance")
    VIDEOCONFERENCE_HEARING = "videoconference_hearing", _("Hearing by videoconference")
    TRANSFER_OF_DETAINED_PERSON = "transfer_of_detained_person", _("Temporary transfer of a detained person")
    PRESERVATION_OF_STORED_DATA = (
        "preservation_of_stored_data",
        _("Expedited preservation of stored computer data"),
    )
    PRODUCTION_OF_STORED_DATA = "production_of_stored_data", _("Disclosure of stored computer data")
    REAL_TIME_TRAFFIC_DATA = "real_time_traffic_data", _("Real-time collection of traffic data")
    CONTROLLED_DELIVERY = "controlled_delivery", _("Controlled delivery")


class WarningCode(models.TextChoices):
    UNTOC_NOT_IN_FORCE_REQUESTING = (
        "untoc_not_in_force_requesting",
        _("UNTOC not in force for the requesting State"),
    )
    UNTOC_NOT_IN_FORCE_REQUESTED = (
        "untoc_not_in_force_requested",
        _("UNTOC not in force for the requested State"),
    )
    NOT_SERIOUS_CRIME = "not_serious_crime", _("Not a serious crime")
    NOT_TRANSNATIONAL = "not_transnational", _("No transnational element")
    NO_ORGANIZED_GROUP = "no_organized_group", _("No organized criminal group")
    DUAL_CRIMINALITY_ABSENT = "dual_criminality_absent", _("Dual criminality absent")
    BELOW_MINIMUM_PENALTY = "below_minimum_penalty", _("Below the minimum penalty for extradition")
    TREATY_REQUIRED_NO_BASIS = "treaty_required_no_basis", _("Treaty required, none available")
    UNTOC_BASIS_NOT_DECLARED = "untoc_basis_not_declared", _("Use of UNTOC as a basis not declared")
    NATIONAL_OF_REQUESTED_STATE = "national_of_requested_state", _("National of the requested State")
    OFFENCE_NOT_COVERED = "offence_not_covered", _("Offence not covered by UNTOC")
    LANGUAGE_NOT_ACCEPTED = "language_not_accepted", _("Language not accepted")
    IN_FORCE_DATE_UNKNOWN = "in_force_date_unknown", _("Date of entry into force unknown")
    FISCAL_NOT_A_GROUND = "fiscal_not_a_ground", _("Fiscal matters are not a ground for refusal")
    BANK_SECRECY_NOT_A_GROUND = "bank_secrecy_not_a_ground", _("Bank secrecy is not a ground for refusal")


class Channel(models.TextChoices):
    NODE_EXCHANGE = "node_exchange", _("Comity node exchange")
    EMAIL = "email", _("E-mail")
    POST = "post", _("Post")
    DIPLOMATIC = "diplomatic", _("Diplomatic channels")
    INTERPOL = "interpol", _("INTERPOL")
