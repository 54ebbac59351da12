"""Codes of the directory app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TreatyScope(models.TextChoices):
    """How many States a treaty binds; maps to the legal-basis kind."""

    BILATERAL = "bilateral", _("Bilateral")
    REGIONAL = "regional", _("Regional")
    MULTILATERAL = "multilateral", _("Multilateral")


class TreatySubject(models.TextChoices):
    MLA = "mla", _("Mutual legal assistance")
    EXTRADITION = "extradition", _("Extradition")
    CONFISCATION = "confiscation", _("Confiscation or asset sharing")
    JIT = "jit", _("Joint investigation teams")
    TRANSFER_OF_SENTENCED_PERSONS = "transfer_of_sentenced_persons", _("Transfer of sentenced persons")
    TRANSFER_OF_PROCEEDINGS = "transfer_of_proceedings", _("Transfer of proceedings")
    CORRUPTION = "corruption", _("Corruption (with cooperation articles)")


class ConsentType(models.TextChoices):
    RATIFICATION = "ratification", _("Ratification")
    ACCEPTANCE = "acceptance", _("Acceptance")
    APPROVAL = "approval", _("Approval")
    ACCESSION = "accession", _("Accession")
    SUCCESSION = "succession", _("Succession")
    UNKNOWN = "", _("Not stated")


class PartyStatus(models.TextChoices):
    PARTY = "party", _("Party")
    PARTY_DATE_UNKNOWN = "party_date_unknown", _("Party (date unknown)")
    SIGNATORY = "signatory", _("Signatory only")
    REPORTED_NOT_CONFIRMED = "reported_not_confirmed", _("Reported, not confirmed")


class DeclarationKind(models.TextChoices):
    DECLARATION = "declaration", _("Declaration")
    RESERVATION = "reservation", _("Reservation")
    NOTIFICATION = "notification", _("Notification")


class TriState(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "", _("Not declared or unknown")


class AuthorityFunction(models.TextChoices):
    """What an authority does in the network (resolution 2(a))."""

    CENTRAL_MLA = "central_mla", _("Central authority for mutual legal assistance")
    CENTRAL_EXTRADITION = "central_extradition", _("Central authority for extradition")
    CENTRAL_CONFISCATION = "central_confiscation", _("Central authority for confiscation")
    CENTRAL_TRANSFER_SENTENCED = (
        "central_transfer_sentenced",
        _("Central authority for transfer of sentenced persons"),
    )
    COMPETENT = "competent", _("Competent authority")
    EXECUTING = "executing", _("Executing authority")
    FOCAL_POINT = "focal_point", _("Focal point")


class ExtraditionOfNationals(models.TextChoices):
    YES = "yes", _("Extradites its nationals")
    NO = "no", _("Does not extradite its nationals")
    CONDITIONAL = "conditional", _("Conditionally (16(11): return to serve the sentence)")
    UNKNOWN = "", _("Unknown")


class EvidentiaryStandard(models.TextChoices):
    NONE = "none", _("No evidence required")
    SUMMARY = "summary_of_evidence", _("Summary of evidence")
    PRIMA_FACIE = "prima_facie_case", _("Prima facie case")
    UNKNOWN = "", _("Unknown")


class ChangeStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
