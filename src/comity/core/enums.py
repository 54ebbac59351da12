"""Stable codes of the core app. Codes come from shared/domain/vocabulary.md and never change."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StateKind(models.TextChoices):
    STATE = "state", _("State")
    REGIONAL_ORGANIZATION = "regional_organization", _("Regional economic integration organization")
    SECRETARIAT = "secretariat", _("Secretariat")


class UnStatus(models.TextChoices):
    MEMBER = "member", _("UN Member State")
    OBSERVER = "observer", _("Observer State")
    OTHER = "other", _("Other (organization, secretariat)")


class AuthorityKind(models.TextChoices):
    CENTRAL_AUTHORITY = "central_authority", _("Central authority")
    COMPETENT_AUTHORITY = "competent_authority", _("Competent authority")
    EXECUTING_AUTHORITY = "executing_authority", _("Executing authority")
    FOCAL_POINT = "focal_point", _("Focal point")
    SECRETARIAT = "secretariat", _("Secretariat")


class Role(models.TextChoices):
    DRAFTER = "drafter", _("Drafter")
    CENTRAL_AUTHORITY_OFFICER = "central_authority_officer", _("Central authority officer")
    EXECUTING_OFFICER = "executing_officer", _("Executing officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    DIRECTORY_EDITOR = "directory_editor", _("Directory editor")
    SECRETARIAT_EDITOR = "secretariat_editor", _("Secretariat editor")
    AUDITOR = "auditor", _("Auditor")


class AuditAction(models.TextChoices):
    """What an audit event records. Dotted codes: `<object>.<verb>`."""

    LOGIN = "user.logged_in", _("Logged in")
    LOGIN_FAILED = "user.login_failed", _("Login failed")
    LOGOUT = "user.logged_out", _("Logged out")
    MFA_ADDED = "user.mfa_added", _("Added a second factor")
    MFA_REMOVED = "user.mfa_removed", _("Removed a second factor")
    MFA_RESET = "user.mfa_reset", _("Regenerated recovery codes")
    AUTHORITY_SWITCHED = "user.authority_switched", _("Switched active authority")
    PREFERENCES_CHANGED = "user.preferences_changed", _("Changed preferences")
    MEMBERSHIP_CREATED = "membership.created", _("Membership created")
    MEMBERSHIP_ENDED = "membership.ended", _("Membership ended")
    TOKEN_CREATED = "api_token.created", _("API token created")
    TOKEN_REVOKED = "api_token.revoked", _("API token revoked")
    AUDIT_TRAIL_VIEWED = "audit_trail.viewed", _("Viewed an audit trail")
    DIRECTORY_CHANGE_PROPOSED = "directory_change.proposed", _("Proposed a directory change")
    DIRECTORY_CHANGE_APPROVED = "directory_change.approved", _("Approved a directory change")
    DIRECTORY_CHANGE_REJECTED = "directory_change.rejected", _("Rejected a directory change")
    DRAFT_CREATED = "draft.created", _("Created a draft request")
    DRAFT_UPDATED = "draft.updated", _("Updated a draft request")
    DRAFT_IMPORTED = "draft.imported", _("Imported a draft request")
    DRAFT_DELETED = "draft.deleted", _("Deleted a draft request")
    DRAFT_EXPORTED = "draft.exported", _("Exported a draft request")
    REQUESTS_EXPORTED = "requests.exported", _("Exported a list of requests")
    ATTACHMENT_ADDED = "attachment.added", _("Added an attachment")
    ATTACHMENT_DOWNLOADED = "attachment.downloaded", _("Downloaded an attachment")
    CASE_CREATED = "case.created", _("Created a case")
    REQUEST_CREATED = "request.created", _("Created a request")
    REQUEST_RECEIVED = "request.received", _("Registered the arrival of an incoming request")
    REQUEST_STATUS_CHANGED = "request.status_changed", _("Changed the status of a request")
    REQUEST_ASSIGNED = "request.assigned", _("Assigned or forwarded a request")
    REQUEST_NOTE_ADDED = "request.note_added", _("Added a note to a request")
    REQUEST_INFO_REQUESTED = "request.info_requested", _("Recorded a request for additional information")
    REQUEST_INFO_PROVIDED = "request.info_provided", _("Recorded additional information provided")
    REQUEST_CONSULTATION = "request.consultation", _("Recorded a consultation (18(26), 16(16))")
    REQUEST_DEADLINE_SET = "request.deadline_set", _("Set a deadline on a request")
    REQUEST_DEADLINE_MET = "request.deadline_met", _("Marked a deadline as met")
    REQUEST_REMINDER_SENT = "request.reminder_sent", _("Sent a deadline reminder")
    REQUEST_MESSAGE_SENT = "request.message_sent", _("Sent a message to the other State")
    REQUEST_RESULT_SENT = "request.result_sent", _("Transmitted the results of execution")
    REQUEST_REFERENCE_SET = "request.reference_set", _("Recorded the other State's reference")
    EXCHANGE_RECEIVED = "exchange.received", _("Received a message from another State")
    EXCHANGE_PARKED = "exchange.parked", _("Parked a message from another State")
    EXCHANGE_RETRIED = "exchange.retried", _("Retried a message")
    EXCHANGE_DISCARDED = "exchange.discarded", _("Discarded a message")
