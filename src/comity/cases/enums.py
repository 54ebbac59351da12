"""Codes of case management: statuses, directions, refusal grounds, event kinds.

Status and refusal-ground codes come from shared/domain/vocabulary.md (verbatim). The allowed
transitions (who may move a request from which status to which) are a table in
`comity.cases.lifecycle`, next to the one transition function.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing")
    INCOMING = "incoming", _("Incoming")


class RequestStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("request status", "Draft")
    IN_REVIEW = "in_review", pgettext_lazy("request status", "In review")
    APPROVED = "approved", pgettext_lazy("request status", "Approved")
    SENT = "sent", pgettext_lazy("request status", "Sent")
    RECEIVED = "received", pgettext_lazy("request status", "Received")
    REGISTERED = "registered", pgettext_lazy("request status", "Registered")
    IN_EXECUTION = "in_execution", pgettext_lazy("request status", "In execution")
    INFO_REQUESTED = "info_requested", pgettext_lazy("request status", "Additional information requested")
    POSTPONED = "postponed", pgettext_lazy("request status", "Postponed (18(25))")
    IN_CONSULTATION = "in_consultation", pgettext_lazy("request status", "In consultation (18(26), 16(16))")
    EXECUTED = "executed", pgettext_lazy("request status", "Executed")
    PARTIALLY_EXECUTED = "partially_executed", pgettext_lazy("request status", "Partially executed")
    REFUSED = "refused", pgettext_lazy("request status", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("request status", "Withdrawn")
    CLOSED = "closed", pgettext_lazy("request status", "Closed")
    # Extradition
    PROVISIONAL_ARREST = "provisional_arrest", pgettext_lazy("request status", "Provisional arrest (16(9))")
    IN_PROCEEDINGS = "in_proceedings", pgettext_lazy("request status", "In judicial proceedings")
    SURRENDER_GRANTED = "surrender_granted", pgettext_lazy("request status", "Surrender granted")
    SURRENDERED = "surrendered", pgettext_lazy("request status", "Surrendered")
    SUBMITTED_FOR_PROSECUTION = (
        "submitted_for_prosecution",
        pgettext_lazy("request status", "Submitted for prosecution (16(10))"),
    )


OPEN_STATUSES = frozenset(
    {
        RequestStatus.IN_REVIEW,
        RequestStatus.APPROVED,
        RequestStatus.SENT,
        RequestStatus.RECEIVED,
        RequestStatus.REGISTERED,
        RequestStatus.IN_EXECUTION,
        RequestStatus.INFO_REQUESTED,
        RequestStatus.POSTPONED,
        RequestStatus.IN_CONSULTATION,
        RequestStatus.PROVISIONAL_ARREST,
        RequestStatus.IN_PROCEEDINGS,
        RequestStatus.SURRENDER_GRANTED,
    }
)


class RefusalGround(models.TextChoices):
    NOT_IN_CONFORMITY = "not_in_conformity", _("Request not in conformity with art. 18 (18(21)(a))")
    ESSENTIAL_INTERESTS = (
        "essential_interests",
        _("Sovereignty, security, ordre public or other essential interests (18(21)(b))"),
    )
    DOMESTIC_PROHIBITION = (
        "domestic_prohibition",
        _("Action prohibited for a similar domestic offence (18(21)(c))"),
    )
    CONTRARY_TO_LEGAL_SYSTEM = "contrary_to_legal_system", _("Contrary to the legal system (18(21)(d))")
    NO_DUAL_CRIMINALITY = "no_dual_criminality", _("No dual criminality (18(9), 16(1))")
    DISCRIMINATION = "discrimination", _("Discrimination (16(14))")
    NATIONALITY = "nationality", _("Nationality of the person sought (16(10))")
    MINIMUM_PENALTY = "minimum_penalty", _("Below the minimum penalty (16(7))")
    TREATY_GROUND = "treaty_ground", _("A ground in the applicable treaty or domestic law (16(7))")
    # Never accepted as the sole ground: recorded only beside another ground.
    BANK_SECRECY = "bank_secrecy", _("Bank secrecy (never a ground on its own, 18(8))")
    FISCAL_MATTERS = "fiscal_matters", _("Fiscal matters (never the sole ground, 18(22), 16(15))")


NEVER_SOLE_GROUNDS = frozenset({RefusalGround.BANK_SECRECY, RefusalGround.FISCAL_MATTERS})


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    FORWARDED = "forwarded", _("Forwarded for execution")
    NOTE = "note", _("Note")
    INFO_REQUESTED = "info_requested", _("Additional information requested")
    INFO_PROVIDED = "info_provided", _("Additional information provided")
    CONSULTATION = "consultation", _("Consultation")
    DEADLINE_SET = "deadline_set", _("Deadline set")
    REMINDER_SENT = "reminder_sent", _("Reminder sent")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    ATTACHMENT_DOWNLOADED = "attachment_downloaded", _("Attachment downloaded")
    MESSAGE = "message", _("Message to or from the other State")
    RESULT = "result", _("Results of execution transmitted")


class DeadlineKind(models.TextChoices):
    REQUESTED = "requested", _("Asked for by the requesting State")
    LEGAL = "legal", _("Time limit in the treaty or law")
    INTERNAL = "internal", _("Internal target")


class AttachmentKind(models.TextChoices):
    ORIGINAL = "original", _("Original (scanned) request")
    EVIDENCE = "evidence", _("Evidence")
    ORDER = "order", _("Order or decision")
    TRANSLATION = "translation", _("Translation")
    RESULT = "result", _("Result of execution")
    OTHER = "other", _("Other")


class ConsultationOutcome(models.TextChoices):
    """What a consultation before refusing or postponing (18(26), 16(16)) came to."""

    CONDITIONS_AGREED = "conditions_agreed", _("Assistance granted subject to conditions")
    POSTPONEMENT_AGREED = "postponement_agreed", _("Postponement agreed")
    REFUSAL_MAINTAINED = "refusal_maintained", _("Refusal maintained after consultation")
    INFORMATION_EXPECTED = "information_expected", _("More information expected")
    OTHER = "other", _("Other")


# Statuses that end a request (nothing is open, no reminders). `draft` is neither open nor ended.
ENDED_STATUSES = frozenset(
    {
        RequestStatus.EXECUTED,
        RequestStatus.PARTIALLY_EXECUTED,
        RequestStatus.REFUSED,
        RequestStatus.WITHDRAWN,
        RequestStatus.CLOSED,
        RequestStatus.SURRENDERED,
        RequestStatus.SUBMITTED_FOR_PROSECUTION,
    }
)
