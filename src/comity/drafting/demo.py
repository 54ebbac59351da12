"""Demo drafts for the demo drafters `fra.drafter` and `mex.drafter` (comity.demo).

Each drafter gets the example requests of /examples/requests/ sent by their own State (to a
State the directory knows). Without them (an installed package), each gets one minimal MLA draft.
Idempotent: a draft whose reference (title) already exists at the authority is not made again.
Drafts are made through the services, so the audit trail shows them like any other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from comity.accounts.principal import Principal
from comity.core.enums import Role
from comity.core.models import Membership, State
from comity.core.tenancy import state_scope
from comity.drafting.models import Draft
from comity.drafting.services import draft_create, draft_import
from comity.vocabulary import RequestType

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "requests"
DRAFTERS = ("fra.drafter", "mex.drafter")
# The requested State of the minimal draft, per requesting State.
FALLBACK_REQUESTED = {"FRA": "MEX", "MEX": "FRA"}


def _examples() -> list[dict[str, Any]]:
    if not EXAMPLES.is_dir():
        return []
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES.glob("*.json"))]


def _documents_for(state: str, examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The examples sent by `state` to a State the directory knows."""
    known = set(State.objects.values_list("code", flat=True))
    return [
        e
        for e in examples
        if (e.get("requesting_authority") or {}).get("state") == state and e.get("requested_state") in known
    ]


def _principal(username: str) -> Principal | None:
    user = get_user_model().objects.filter(username=username).first()
    membership = (
        Membership.objects.filter(user=user, role=Role.DRAFTER, ended_at__isnull=True)
        .select_related("authority__state")
        .first()
    )
    if user is None or membership is None:
        return None
    return Principal(user=user, authority=membership.authority, roles=frozenset({Role.DRAFTER.value}))


@transaction.atomic
def seed_drafting() -> None:
    examples = _examples()
    for username in DRAFTERS:
        principal = _principal(username)
        if principal is None:
            continue
        authority = principal.acting_authority()
        with state_scope(authority.state_id):
            titles = set(Draft.objects.filter(authority=authority).values_list("title", flat=True))
            documents = _documents_for(authority.state.code, examples)
            for document in documents:
                if str(document.get("reference") or "")[:200] not in titles:
                    draft_import(actor=principal, raw_json=json.dumps(document).encode())
            if not documents and not titles:
                draft_create(
                    actor=principal,
                    request_type=RequestType.MLA,
                    requested_state=FALLBACK_REQUESTED.get(authority.state.code, "MEX"),
                    language="en",
                )
