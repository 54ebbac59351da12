"""/api/v1/directory/changes: propose and review changes to the directory (token, write scope)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from comity.api.base import require
from comity.directory.changes import (
    access_directory_change,
    directory_change_propose,
    directory_change_review,
    directory_changes_visible,
)
from comity.directory.models import DirectoryChange

router = Router(tags=["directory changes"])


class ChangeOut(Schema):
    code: str
    state: str
    target_type: str
    target_id: str
    payload: dict[str, Any]
    previous: dict[str, Any]
    status: str
    proposed_by: str
    proposed_at: dt.datetime
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_note: str


def _out(change: DirectoryChange) -> dict[str, Any]:
    return {
        "code": change.code,
        "state": change.state.code,
        "target_type": change.target_type,
        "target_id": change.target_id,
        "payload": change.payload,
        "previous": change.previous,
        "status": change.status,
        "proposed_by": change.proposed_by.username,
        "proposed_at": change.proposed_at,
        "reviewed_by": change.reviewed_by.username if change.reviewed_by else None,
        "reviewed_at": change.reviewed_at,
        "review_note": change.review_note,
    }


class ProposeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    target_type: Annotated[str, StringConstraints(max_length=32)]
    target_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    payload: dict[str, Any]


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


@router.get(
    "",
    response=list[ChangeOut],
    summary="Changes visible to the caller (its State's; all for the secretariat)",
)
def list_changes(request: HttpRequest) -> list[dict[str, Any]]:
    principal = require(request, scope="read", permission="directory.view_changes")
    return [_out(c) for c in directory_changes_visible(principal)[:200]]


@router.post("", response={201: ChangeOut}, summary="Propose a change (directory editors)")
def propose_change(request: HttpRequest, body: ProposeIn) -> Status:
    principal = require(request, scope="write")
    change = directory_change_propose(
        actor=principal,
        state=principal.acting_authority().state,
        target_type=body.target_type,
        target_id=body.target_id,
        payload=body.payload,
    )
    return Status(201, _out(change))


@router.post(
    "/{code}/review",
    response=ChangeOut,
    summary="Approve or reject (a supervisor of the State, or the secretariat)",
)
def review_change(request: HttpRequest, code: str, body: ReviewIn) -> dict[str, Any]:
    principal = require(request, scope="write", permission="directory.view_changes")
    change = access_directory_change(principal, code[:16])
    return _out(directory_change_review(actor=principal, change=change, approve=body.approve, note=body.note))
