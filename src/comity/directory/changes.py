"""Proposed changes to the directory and their review (services and the field rules they check).

A State's directory editor proposes new values for an authority's entry (AuthorityContact) or for
one of the State's requirement profiles; a supervisor of that State or the secretariat approves or
rejects. Approval applies the values, records what they replaced, marks the entry verified today,
and writes the audit event in the same transaction. History = the changes plus the audit chain.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

from babel import Locale, UnknownLocaleError
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from comity.core.audit import audit_record
from comity.core.enums import AuditAction, StateKind
from comity.core.errors import InvalidInput, NotAllowed
from comity.core.models import Authority, State
from comity.core.rules import can
from comity.directory.enums import (
    AuthorityFunction,
    ChangeStatus,
    EvidentiaryStandard,
    ExtraditionOfNationals,
    TriState,
)
from comity.directory.models import AuthorityContact, DirectoryChange, RequirementProfile
from comity.vocabulary import Channel, Measure, RequestType

TARGET_CONTACT = "authority_contact"
TARGET_PROFILE = "requirement_profile"


def _text(max_length: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        value = value.strip()
        if len(value) > max_length:
            raise ValueError(f"at most {max_length} characters")
        return value

    return check


def _codes(allowed: set[str], what: str) -> Callable[[Any], list[str]]:
    def check(value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of codes")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"unknown {what}: {', '.join(unknown)}")
        return sorted(set(value))

    return check


def _languages(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of ISO 639-1 codes")
    for code in value:
        if len(code) != 2 or not code.isalpha() or not code.islower():
            raise ValueError(f"{code!r} is not an ISO 639-1 code")
        try:
            Locale.parse(code)
        except (UnknownLocaleError, ValueError) as exc:
            raise ValueError(f"{code!r} is not a known language") from exc
    return sorted(set(value))


def _email(value: Any) -> str:
    value = _text(254)(value)
    if value:
        try:
            EmailValidator()(value)
        except ValidationError as exc:
            raise ValueError("not a valid e-mail address") from exc
    return value


def _url(value: Any) -> str:
    value = _text(500)(value)
    if value:
        try:
            URLValidator(schemes=["https", "http"])(value)
        except ValidationError as exc:
            raise ValueError("not a valid web address") from exc
    return value


def _time_zone(value: Any) -> str:
    value = _text(64)(value)
    if value and value not in zoneinfo.available_timezones():
        raise ValueError("not an IANA time zone (e.g. Europe/Paris)")
    return value


def _choice(choices: type[Any]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices.values:
            raise ValueError(f"use one of: {', '.join(v or '(empty)' for v in choices.values)}")
        return str(value)

    return check


def _days(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
        raise ValueError("a whole number of days, 0 to 3650")
    return value


def _months(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 1200:
        raise ValueError("a whole number of months, 0 to 1200")
    return value


CONTACT_FIELDS: dict[str, Callable[[Any], Any]] = {
    "functions": _codes(set(AuthorityFunction.values), "functions"),
    "languages": _languages,
    "channels": _codes(set(Channel.values), "channels"),
    "email": _email,
    "phone": _text(60),
    "urgent_contact": _text(300),
    "office_hours": _text(200),
    "time_zone": _time_zone,
    "address": _text(2000),
    "website": _url,
}

PROFILE_FIELDS: dict[str, Callable[[Any], Any]] = {
    "dual_criminality_required": _choice(TriState),
    "judicial_order_for_coercive": _choice(TriState),
    "typical_execution_days": _days,
    "special_requirements": _text(4000),
    "minimum_penalty_months": _months,
    "extradition_of_nationals": _choice(ExtraditionOfNationals),
    "evidentiary_standard": _choice(EvidentiaryStandard),
    "assurances_required": _text(4000),
    "provisional_arrest_channels": _codes(set(Channel.values), "channels"),
    "formal_request_days": _days,
}

PROFILE_SUBJECTS = set(RequestType.values) | set(Measure.values)


def clean_payload(target_type: str, payload: Any) -> dict[str, Any]:
    """The payload with every value checked; InvalidInput names the first bad field."""
    fields = CONTACT_FIELDS if target_type == TARGET_CONTACT else PROFILE_FIELDS
    if not isinstance(payload, dict) or not payload:
        raise InvalidInput("payload", "Give at least one field to change.")
    unknown = sorted(set(payload) - set(fields))
    if unknown:
        raise InvalidInput(unknown[0], f"Unknown field(s): {', '.join(unknown)}.")
    cleaned: dict[str, Any] = {}
    for name, value in payload.items():
        try:
            cleaned[name] = fields[name](value)
        except ValueError as exc:
            raise InvalidInput(name, f"{name}: {exc}.") from exc
    return cleaned


@transaction.atomic
def directory_change_propose(
    *, actor: Any, state: State, target_type: str, target_id: str, payload: Any
) -> DirectoryChange:
    if target_type == TARGET_CONTACT:
        authority = Authority.objects.filter(code=target_id, state=state).first()
        if authority is None:
            raise InvalidInput("target_id", "No such authority in this State.")
    elif target_type == TARGET_PROFILE:
        if target_id not in PROFILE_SUBJECTS:
            raise InvalidInput("target_id", "Use a request type or measure code from the vocabulary.")
    else:
        raise InvalidInput("target_type", f"Use {TARGET_CONTACT} or {TARGET_PROFILE}.")
    if not can(actor, "directory.propose_change", state):
        raise NotAllowed("Only a directory editor of this State can propose changes to its entries.")
    cleaned = clean_payload(target_type, payload)
    change = DirectoryChange.objects.create(
        state=state,
        target_type=target_type,
        target_id=target_id,
        payload=cleaned,
        proposed_by=actor.user,
    )
    audit_record(
        state=state,
        action=AuditAction.DIRECTORY_CHANGE_PROPOSED,
        actor=actor.user,
        authority=actor.authority,
        object_type="directory_change",
        object_id=change.code,
        data={"target_type": target_type, "target_id": target_id, "fields": sorted(cleaned)},
    )
    return change


def _apply(change: DirectoryChange) -> dict[str, Any]:
    """Write the proposed values; return the values they replace."""
    today = timezone.localdate()
    target: AuthorityContact | RequirementProfile
    if change.target_type == TARGET_CONTACT:
        authority = Authority.objects.get(code=change.target_id, state_id=change.state_id)
        target, _ = AuthorityContact.objects.select_for_update().get_or_create(authority=authority)
    else:
        target, _ = RequirementProfile.objects.select_for_update().get_or_create(
            state_id=change.state_id, subject=change.target_id
        )
    previous = {name: getattr(target, name) for name in change.payload}
    for name, value in change.payload.items():
        setattr(target, name, value)
    target.last_verified = today
    target.save()
    return previous


@transaction.atomic
def directory_change_review(
    *, actor: Any, change: DirectoryChange, approve: bool, note: str = ""
) -> DirectoryChange:
    change = DirectoryChange.objects.select_for_update().get(pk=change.pk)
    if not can(actor, "directory.review_change", change):
        raise NotAllowed(
            "Only a supervisor of this State or the secretariat can review, and not their own proposal."
        )
    if change.status != ChangeStatus.PROPOSED:
        raise InvalidInput("status", "This change has already been reviewed.")
    note = note.strip()
    if len(note) > 2000:
        raise InvalidInput("note", "The review note is at most 2000 characters.")
    if not approve and not note:
        raise InvalidInput("note", "Say why the change is rejected.")
    if approve:
        change.previous = _apply(change)
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.reviewed_by = actor.user
    change.reviewed_at = timezone.now()
    change.review_note = note
    change.save()
    audit_record(
        state=change.state,
        action=AuditAction.DIRECTORY_CHANGE_APPROVED if approve else AuditAction.DIRECTORY_CHANGE_REJECTED,
        actor=actor.user,
        authority=actor.authority if actor.authority.state_id == change.state_id else None,
        object_type="directory_change",
        object_id=change.code,
        data={"target_type": change.target_type, "target_id": change.target_id, "note": note},
    )
    return change


def directory_changes_visible(actor: Any) -> QuerySet[DirectoryChange]:
    """Changes the principal may see: its State's, or every State's for the secretariat."""
    if not can(actor, "directory.view_changes"):
        return DirectoryChange.objects.none()
    changes = DirectoryChange.objects.select_related("state", "proposed_by", "reviewed_by")
    if actor.authority.state.kind == StateKind.SECRETARIAT:
        return changes
    return changes.filter(state_id=actor.authority.state_id)


def access_directory_change(actor: Any, code: str) -> DirectoryChange:
    change = directory_changes_visible(actor).filter(code=code).first()
    if change is None:
        raise Http404("No such change.")
    return change
