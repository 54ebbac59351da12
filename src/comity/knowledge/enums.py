"""Stable codes of the knowledge base. Codes never change; labels are translated.

Cooperation types, request types and measures are the shared vocabulary (comity.vocabulary);
the codes below are the knowledge base's own (offences, obstacles, outcomes, entry kinds).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EntryKind(models.TextChoices):
    CASE = "case", pgettext_lazy("knowledge entry", "Case")
    LEGISLATION = "legislation", _("Legislation")
    GUIDE = "guide", _("Guide")
    MODEL_TEXT = "model_text", _("Model text")  # model law, model treaty or agreement


class Offence(models.TextChoices):
    """Offence families of the cases (UNTOC offences first, with their article)."""

    ORGANIZED_CRIMINAL_GROUP = (
        "organized_criminal_group",
        _("Participation in an organized criminal group (art. 5)"),
    )
    MONEY_LAUNDERING = "money_laundering", _("Laundering of proceeds of crime (art. 6)")
    CORRUPTION = "corruption", _("Corruption (art. 8)")
    OBSTRUCTION_OF_JUSTICE = "obstruction_of_justice", _("Obstruction of justice (art. 23)")
    DRUG_TRAFFICKING = "drug_trafficking", _("Drug trafficking")
    TRAFFICKING_IN_PERSONS = "trafficking_in_persons", _("Trafficking in persons")
    SMUGGLING_OF_MIGRANTS = "smuggling_of_migrants", _("Smuggling of migrants")
    FIREARMS_TRAFFICKING = "firearms_trafficking", _("Trafficking in firearms")
    CYBERCRIME = "cybercrime", _("Cybercrime")
    FRAUD = "fraud", _("Fraud")
    ENVIRONMENTAL_CRIME = "environmental_crime", _("Environmental crime")
    CULTURAL_PROPERTY = "cultural_property", _("Trafficking in cultural property")
    OTHER = "other", _("Other serious crime")


class Obstacle(models.TextChoices):
    """What got in the way of cooperation (the digest counts these, resolution 1(b))."""

    DUAL_CRIMINALITY = "dual_criminality", _("Dual criminality")
    LANGUAGE = "language", _("Language and translation")
    DELAY = "delay", _("Delay in execution")
    INCOMPLETE_REQUEST = "incomplete_request", _("Incomplete or unclear request")
    NO_LEGAL_BASIS = "no_legal_basis", _("No legal basis identified")
    CONTACT_UNKNOWN = "contact_unknown", _("Competent authority or contact unknown")
    LEGAL_SYSTEM_DIFFERENCES = "legal_system_differences", _("Differences between legal systems")
    EVIDENCE_ADMISSIBILITY = "evidence_admissibility", _("Admissibility of evidence obtained abroad")
    BANK_SECRECY = "bank_secrecy", _("Bank secrecy invoked")
    FISCAL_OFFENCE = "fiscal_offence", _("Fiscal-offence exception invoked")
    POLITICAL_OFFENCE = "political_offence", _("Political-offence exception invoked")
    NATIONALITY = "nationality", _("Nationality of the person sought")
    ASSET_MANAGEMENT = "asset_management", _("Management or disposal of seized assets")
    OTHER = "other", _("Other")


class Outcome(models.TextChoices):
    GRANTED = "granted", _("Granted / executed")
    PARTIALLY_GRANTED = "partially_granted", _("Partially granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PENDING = "pending", _("Pending")


# The facets of the search page and API, in display order. `article` is the top-level UNTOC
# article number ("18" for "18(3)(c)"); `state` an ISO 3166-1 alpha-3 code; `year` a string.
FACETS: tuple[str, ...] = (
    "kind",
    "article",
    "state",
    "cooperation_type",
    "measure",
    "offence",
    "obstacle",
    "year",
    "language",
)
