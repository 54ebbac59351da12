"""The request lifecycle: the allowed-transitions table and the one function that moves a request.

Every status change of a request goes through `request_transition`. It finds the row of
`TRANSITIONS` for (from status, to status, direction, request type), checks that the actor holds
one of the row's roles *on this request* (comity.cases.rules.roles_on_request: roles at the
holding authority, or `executing_officer` for the officer assigned at the executing authority),
checks the row's conditions, applies the side effects, and writes a `status_changed` timeline
event and a `request.status_changed` audit event in the same transaction. On any error nothing
is written.

Roles: D drafter · CAO central_authority_officer · S supervisor · EO executing_officer (assigned).
"reported" rows of outgoing requests record what the requested State told us (until the exchange
records them itself). Extradition rows apply only to `extradition` and `provisional_arrest`.

Outgoing (we ask)
  draft            -> in_review         D, CAO
  in_review        -> draft             D, CAO, S             (returned for changes)
  in_review        -> approved          CAO, S                four eyes: not who submitted it
  approved         -> draft             CAO, S                (reopened)
  approved         -> sent              CAO                   sets sent_at
  sent, or any reported open status -> any other reported status   CAO   (reported)
      reported: registered, in_execution, info_requested, postponed, in_consultation, executed,
      partially_executed, refused; extradition adds provisional_arrest, in_proceedings,
      surrender_granted, surrendered, submitted_for_prosecution
      refused: refusal rules below, except the prior consultation (the requested State's duty)
      postponed: reasons required (18(25))

Incoming (we are asked)
  received         -> registered        CAO                   their_reference or our reference
                                                              (data={"our_reference": ...} sets it)
  registered       -> in_execution      CAO                   forwarded to an executing authority
  registered, in_execution -> info_requested   CAO, EO
  info_requested   -> registered        CAO, EO               (information provided)
  info_requested   -> in_execution      CAO, EO               forwarded to an executing authority
  registered, in_execution, info_requested, postponed -> in_consultation   CAO, EO  (18(26), 16(16))
  in_consultation  -> registered, in_execution   CAO, EO      (consultation over, execution goes on)
  registered, in_execution, in_consultation -> postponed    CAO, EO
                                                              reasons (18(25)) + prior consultation (18(26))
  postponed        -> in_execution      CAO, EO               forwarded to an executing authority
  in_execution, in_consultation, postponed -> executed, partially_executed   CAO, EO
  received, registered, in_execution, info_requested, in_consultation, postponed -> refused   CAO
                                                              refusal rules below + prior consultation
  Extradition:
  received, registered -> provisional_arrest   CAO            adds the 16(9) legal deadline for the
                                                              formal request (RequirementProfile)
  registered, provisional_arrest, in_execution -> in_proceedings   CAO
  in_proceedings   -> surrender_granted CAO
  in_proceedings, provisional_arrest -> refused   CAO         refusal rules + prior consultation (16(16))
  surrender_granted -> surrendered      CAO
  refused          -> submitted_for_prosecution   CAO        16(10): the refusal was on `nationality`;
                                                              text: the requesting State's request

Both directions
  any open status  -> withdrawn         CAO                   sets closed_at
  executed, partially_executed, refused, surrendered, submitted_for_prosecution -> closed   CAO
                                                              sets closed_at

Refusal rules (18(21)-(23), 18(8), 18(22), 16(15)): at least one refusal ground code, written
reasons (`text`), and never bank_secrecy or fiscal_matters as the only ground(s). Incoming
refusals (and postponements) also need a consultation recorded before (18(26), 16(16)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from comity.accounts.principal import Principal
from comity.cases.deadlines import add_formal_request_deadline
from comity.cases.enums import NEVER_SOLE_GROUNDS, OPEN_STATUSES, Direction, EventKind, RefusalGround
from comity.cases.enums import RequestStatus as S
from comity.cases.models import Request, RequestEvent
from comity.cases.rules import roles_on_request
from comity.core.audit import audit_record
from comity.core.enums import AuditAction, Role
from comity.core.errors import InvalidInput, NotAllowed
from comity.exchange.outbox import exchange_event
from comity.vocabulary import RequestType

D, CAO, SUP, EO = Role.DRAFTER, Role.CENTRAL_AUTHORITY_OFFICER, Role.SUPERVISOR, Role.EXECUTING_OFFICER
OUT, IN = Direction.OUTGOING, Direction.INCOMING
EXTRADITION_TYPES = frozenset({RequestType.EXTRADITION, RequestType.PROVISIONAL_ARREST})
EXTRADITION_STATUSES = frozenset(
    {S.PROVISIONAL_ARREST, S.IN_PROCEEDINGS, S.SURRENDER_GRANTED, S.SURRENDERED, S.SUBMITTED_FOR_PROSECUTION}
)


@dataclass(frozen=True)
class Context:
    """What a condition looks at."""

    actor: Principal
    request: Request
    to_status: str
    text: str
    grounds: tuple[str, ...]
    data: dict[str, Any]


# A condition returns None when satisfied, or (field, message) when not.
Condition = Callable[[Context], tuple[str, str] | None]


def four_eyes(ctx: Context) -> tuple[str, str] | None:
    submitted = (
        RequestEvent.objects.filter(request=ctx.request, kind=EventKind.STATUS_CHANGED, to_status=S.IN_REVIEW)
        .order_by("-created_at", "-pk")
        .first()
    )
    submitter = submitted.actor_id if submitted is not None else ctx.request.created_by_id
    if ctx.actor.user is not None and submitter == ctx.actor.user.pk:
        return ("actor", "Four eyes: the request must be approved by someone other than who submitted it.")
    return None


def has_reference(ctx: Context) -> tuple[str, str] | None:
    if (
        ctx.request.their_reference
        or ctx.request.our_reference
        or str(ctx.data.get("our_reference", "")).strip()
    ):
        return None
    return (
        "our_reference",
        "Registration needs the requesting State's reference or our registration reference.",
    )


def forwarded(ctx: Context) -> tuple[str, str] | None:
    if ctx.request.executing_authority_id is None:
        return (
            "executing_authority",
            "Forward the request to an executing authority first (request_assign).",
        )
    return None


def reasons_required(ctx: Context) -> tuple[str, str] | None:
    if not ctx.text.strip():
        if ctx.to_status == S.POSTPONED:
            return (
                "text",
                "Give the reasons for postponing (18(25)): the ongoing investigation, prosecution or proceeding it would interfere with.",
            )
        return ("text", "Give the reasons in writing.")
    return None


def consultation_held(ctx: Context) -> tuple[str, str] | None:
    if RequestEvent.objects.filter(request=ctx.request, kind=EventKind.CONSULTATION).exists():
        return None
    what = "refusing" if ctx.to_status == S.REFUSED else "postponing"
    return (
        "consultation",
        f"Before {what}, consult the requesting State on whether assistance can be given subject to "
        "conditions (18(26); for extradition, 16(16)) and record the consultation (request_consultation).",
    )


def refusal_grounds(ctx: Context) -> tuple[str, str] | None:
    grounds = set(ctx.grounds)
    unknown = sorted(grounds - set(RefusalGround.values))
    if unknown:
        return ("refusal_grounds", f"Unknown refusal ground(s): {', '.join(unknown)}.")
    if not grounds:
        return ("refusal_grounds", "A refusal needs at least one refusal ground.")
    if grounds <= NEVER_SOLE_GROUNDS:
        return (
            "refusal_grounds",
            "Bank secrecy (18(8)) and fiscal matters (18(22), 16(15)) are never grounds for refusal on "
            "their own: give the ground the refusal actually rests on.",
        )
    if not ctx.text.strip():
        return ("text", "Every refusal must be reasoned (18(23)): give the reasons in writing.")
    return None


def nationality_refusal(ctx: Context) -> tuple[str, str] | None:
    if RefusalGround.NATIONALITY not in (ctx.request.refusal_grounds or []):
        return (
            "to_status",
            "Submission for prosecution (16(10)) follows only a refusal on the ground of nationality.",
        )
    if not ctx.text.strip():
        return ("text", "16(10): record the requesting State's request to submit the case for prosecution.")
    return None


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    direction: str
    roles: frozenset[str]
    conditions: tuple[Condition, ...] = ()
    extradition_only: bool = False


def _rows(
    sources: Iterable[str],
    targets: Iterable[str],
    directions: Iterable[str],
    roles: Iterable[str],
    conditions: tuple[Condition, ...] = (),
) -> list[Transition]:
    return [
        Transition(
            source=s,
            target=t,
            direction=d,
            roles=frozenset(str(r) for r in roles),
            conditions=conditions,
            extradition_only=s in EXTRADITION_STATUSES or t in EXTRADITION_STATUSES,
        )
        for s in sources
        for t in targets
        for d in directions
        if s != t
    ]


REPORTED = (
    S.REGISTERED,
    S.IN_EXECUTION,
    S.INFO_REQUESTED,
    S.POSTPONED,
    S.IN_CONSULTATION,
    S.EXECUTED,
    S.PARTIALLY_EXECUTED,
    S.REFUSED,
    *sorted(EXTRADITION_STATUSES),
)
REPORTED_OPEN = tuple(s for s in REPORTED if s in OPEN_STATUSES)


def _reported_conditions(target: str) -> tuple[Condition, ...]:
    if target == S.REFUSED:
        return (refusal_grounds,)
    if target == S.POSTPONED:
        return (reasons_required,)
    if target == S.SUBMITTED_FOR_PROSECUTION:
        return (nationality_refusal,)
    return ()


def _build() -> list[Transition]:
    rows: list[Transition] = []
    # Outgoing
    rows += _rows([S.DRAFT], [S.IN_REVIEW], [OUT], [D, CAO])
    rows += _rows([S.IN_REVIEW], [S.DRAFT], [OUT], [D, CAO, SUP])
    rows += _rows([S.IN_REVIEW], [S.APPROVED], [OUT], [CAO, SUP], (four_eyes,))
    rows += _rows([S.APPROVED], [S.DRAFT], [OUT], [CAO, SUP])
    rows += _rows([S.APPROVED], [S.SENT], [OUT], [CAO])
    for target in REPORTED:
        rows += _rows([S.SENT, *REPORTED_OPEN], [target], [OUT], [CAO], _reported_conditions(target))
    rows += _rows([S.REFUSED], [S.SUBMITTED_FOR_PROSECUTION], [OUT], [CAO], (nationality_refusal,))
    # Incoming
    rows += _rows([S.RECEIVED], [S.REGISTERED], [IN], [CAO], (has_reference,))
    rows += _rows([S.REGISTERED], [S.IN_EXECUTION], [IN], [CAO], (forwarded,))
    rows += _rows([S.REGISTERED, S.IN_EXECUTION], [S.INFO_REQUESTED], [IN], [CAO, EO])
    rows += _rows([S.INFO_REQUESTED], [S.REGISTERED], [IN], [CAO, EO])
    rows += _rows([S.INFO_REQUESTED, S.POSTPONED], [S.IN_EXECUTION], [IN], [CAO, EO], (forwarded,))
    rows += _rows(
        [S.REGISTERED, S.IN_EXECUTION, S.INFO_REQUESTED, S.POSTPONED], [S.IN_CONSULTATION], [IN], [CAO, EO]
    )
    rows += _rows([S.IN_CONSULTATION], [S.REGISTERED], [IN], [CAO, EO])
    rows += _rows([S.IN_CONSULTATION], [S.IN_EXECUTION], [IN], [CAO, EO], (forwarded,))
    rows += _rows(
        [S.REGISTERED, S.IN_EXECUTION, S.IN_CONSULTATION],
        [S.POSTPONED],
        [IN],
        [CAO, EO],
        (reasons_required, consultation_held),
    )
    rows += _rows(
        [S.IN_EXECUTION, S.IN_CONSULTATION, S.POSTPONED], [S.EXECUTED, S.PARTIALLY_EXECUTED], [IN], [CAO, EO]
    )
    rows += _rows(
        [S.RECEIVED, S.REGISTERED, S.IN_EXECUTION, S.INFO_REQUESTED, S.IN_CONSULTATION, S.POSTPONED],
        [S.REFUSED],
        [IN],
        [CAO],
        (refusal_grounds, consultation_held),
    )
    # Incoming extradition
    rows += _rows([S.RECEIVED, S.REGISTERED], [S.PROVISIONAL_ARREST], [IN], [CAO])
    rows += _rows([S.REGISTERED, S.PROVISIONAL_ARREST, S.IN_EXECUTION], [S.IN_PROCEEDINGS], [IN], [CAO])
    rows += _rows([S.IN_PROCEEDINGS], [S.SURRENDER_GRANTED], [IN], [CAO])
    rows += _rows(
        [S.IN_PROCEEDINGS, S.PROVISIONAL_ARREST],
        [S.REFUSED],
        [IN],
        [CAO],
        (refusal_grounds, consultation_held),
    )
    rows += _rows([S.SURRENDER_GRANTED], [S.SURRENDERED], [IN], [CAO])
    rows += _rows([S.REFUSED], [S.SUBMITTED_FOR_PROSECUTION], [IN], [CAO], (nationality_refusal,))
    # Both directions
    rows += _rows(sorted(OPEN_STATUSES), [S.WITHDRAWN], [OUT, IN], [CAO])
    rows += _rows(
        [S.EXECUTED, S.PARTIALLY_EXECUTED, S.REFUSED, S.SURRENDERED, S.SUBMITTED_FOR_PROSECUTION],
        [S.CLOSED],
        [OUT, IN],
        [CAO],
    )
    table: dict[tuple[str, str, str], Transition] = {}
    for row in rows:
        key = (row.source, row.target, row.direction)
        if key in table:  # a later, more specific row never widens an earlier one silently
            raise AssertionError(f"duplicate transition {key}")
        table[key] = row
    return list(table.values())


TRANSITIONS: tuple[Transition, ...] = tuple(_build())
_BY_KEY: dict[tuple[str, str, str], Transition] = {(t.source, t.target, t.direction): t for t in TRANSITIONS}


def find_transition(request: Request, to_status: str) -> Transition | None:
    """The table row that moves `request` to `to_status`, or None."""
    row = _BY_KEY.get((request.status, to_status, request.direction))
    if row is None or (row.extradition_only and request.request_type not in EXTRADITION_TYPES):
        return None
    return row


def allowed_targets(actor: Principal, request: Request) -> list[str]:
    """The statuses the actor may try to move the request to (roles only; conditions are checked
    when they try). For interfaces: the buttons to show."""
    roles = roles_on_request(actor, request)
    return [
        t.target
        for t in TRANSITIONS
        if t.source == request.status
        and t.direction == request.direction
        and (not t.extradition_only or request.request_type in EXTRADITION_TYPES)
        and roles & t.roles
    ]


def _label(status: str) -> str:
    return str(S(status).label) if status in S.values else status


@transaction.atomic
def request_transition(
    *,
    actor: Principal,
    request: Request,
    to_status: str,
    text: str = "",
    refusal_grounds: Iterable[str] = (),
    data: dict[str, Any] | None = None,
) -> Request:
    """Move `request` to `to_status` (see the table in this module's docstring).

    `text`: the reasons or note recorded on the timeline (required for refusal, postponement and
    16(10)). `refusal_grounds`: RefusalGround codes, for `refused`. `data`: extra facts, stored on
    the timeline event (`our_reference` at registration; `arrested_on` (ISO date) for a provisional
    arrest, default today). Raises NotAllowed (role) or InvalidInput (status, conditions); writes
    nothing then.
    """
    request = (
        Request.objects.select_for_update().select_related("state", "requested_state").get(pk=request.pk)
    )
    if to_status not in S.values:
        raise InvalidInput("to_status", f"Unknown status {to_status!r}.")
    row = find_transition(request, to_status)
    if row is None:
        raise InvalidInput(
            "to_status",
            f"A {request.get_direction_display().lower()} request cannot go from "
            f"{_label(request.status)} to {_label(to_status)}.",
        )
    if not roles_on_request(actor, request) & row.roles:
        raise NotAllowed(
            f"Moving this request to {_label(to_status)} needs one of these roles on it: "
            f"{', '.join(sorted(row.roles))}."
        )
    grounds = tuple(dict.fromkeys(str(g) for g in refusal_grounds))
    extra = dict(data or {})
    ctx = Context(actor=actor, request=request, to_status=to_status, text=text, grounds=grounds, data=extra)
    for condition in row.conditions:
        problem = condition(ctx)
        if problem is not None:
            raise InvalidInput(*problem)

    arrested_on = None
    if to_status == S.PROVISIONAL_ARREST:
        raw = extra.get("arrested_on")
        arrested_on = _parse_day(raw) if raw else timezone.localdate()

    from_status = request.status
    now = timezone.now()
    request.status = to_status
    fields = ["status", "updated_at"]
    if to_status == S.SENT:
        request.sent_at = now
        fields.append("sent_at")
    if to_status in (S.CLOSED, S.WITHDRAWN):
        request.closed_at = now
        fields.append("closed_at")
    if to_status == S.REFUSED:
        request.refusal_grounds = list(grounds)
        request.refusal_reasons = text
        fields += ["refusal_grounds", "refusal_reasons"]
    if to_status == S.REGISTERED and not request.our_reference and extra.get("our_reference"):
        request.our_reference = str(extra["our_reference"]).strip()[:100]
        fields.append("our_reference")
    request.save(update_fields=fields)

    if arrested_on is not None:
        add_formal_request_deadline(
            request=request, arrested_on=arrested_on, actor=actor.user, authority=actor.authority
        )

    event_data: dict[str, Any] = {k: v for k, v in extra.items() if isinstance(v, str | int | float | bool)}
    if grounds:
        event_data["refusal_grounds"] = list(grounds)
    event = RequestEvent.objects.create(
        state_id=request.state_id,
        request=request,
        kind=EventKind.STATUS_CHANGED,
        actor=actor.user,
        authority=actor.authority,
        from_status=from_status,
        to_status=to_status,
        text=text,
        data=event_data,
    )
    exchange_event(event)
    audit_record(
        state=request.state,
        action=AuditAction.REQUEST_STATUS_CHANGED,
        actor=actor.user,
        authority=actor.authority,
        object_type="request",
        object_id=request.code,
        data={
            "from": from_status,
            "to": to_status,
            **({"refusal_grounds": list(grounds)} if grounds else {}),
        },
    )
    return request


def _parse_day(value: Any) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput("arrested_on", f"{value!r} is not an ISO date (YYYY-MM-DD).") from None
