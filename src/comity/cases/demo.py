"""Demo cases and requests between France, Mexico and Egypt (comity.demo), at every stage.

Each story is one request: the requesting State's outgoing copy and, once sent, the requested
State's incoming copy with the same `global_id`, as a hub would deliver it. Everything goes
through the domain services and the lifecycle, so timelines and audit trails are real. Titles,
notes and reasons are written in the language of the State that writes them (fr, es, ar, en).
Idempotent: a story whose case reference exists already at the requesting State is skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from comity.accounts.principal import Principal
from comity.cases import services
from comity.cases.enums import DeadlineKind, RequestStatus
from comity.cases.lifecycle import request_transition
from comity.cases.models import Case, Request
from comity.core.enums import AuthorityKind
from comity.core.models import Authority, Membership, State
from comity.core.tenancy import state_scope

S = RequestStatus


def _principal(username: str) -> Principal:
    user = get_user_model().objects.get(username=username)
    membership = (
        Membership.objects.filter(user=user, ended_at__isnull=True).select_related("authority").first()
    )
    assert membership is not None  # noqa: S101 - seeded by comity.demo.seed_core
    roles = Membership.objects.filter(user=user, authority=membership.authority, ended_at__isnull=True)
    return Principal(
        user=user, authority=membership.authority, roles=frozenset(roles.values_list("role", flat=True))
    )


def _people(code: str) -> dict[str, Principal]:
    short = code.lower()
    return {
        "cao": _principal(f"{short}.cao"),
        "supervisor": _principal(f"{short}.supervisor"),
        "executing": _principal(f"{short}.executing"),
    }


@dataclass
class Story:
    """One request from `requesting` to `requested`, and how far it went on each side."""

    reference: str
    requesting: str
    requested: str
    language: str
    case_title: str
    title: str
    document: dict[str, Any]
    # What happens at the requested State, in order: (action, argument) pairs, see _play_incoming.
    incoming: list[tuple[str, Any]] = field(default_factory=list)
    # The outgoing status reported back at the requesting State (None: left as sent).
    reported: str | None = None
    outgoing_stop: str = S.SENT  # draft, in_review, approved or sent
    received_days_ago: int = 30


def _doc(story: Story, **extra: Any) -> dict[str, Any]:
    return {
        "request_type": "mla",
        "language": story.language,
        "requested_state": story.requested,
        "requesting_authority": {"name": "", "state": story.requesting},
        "reference": story.reference,
        **extra,
    }


STORIES: list[Story] = []


def _story(**kwargs: Any) -> None:
    document = kwargs.pop("document")
    story = Story(document={}, **kwargs)
    story.document = _doc(story, **document)
    STORIES.append(story)


_story(
    reference="PNF-2026-014",
    requesting="FRA",
    requested="MEX",
    language="fr",
    case_title="Blanchiment — réseau ACME",
    title="Relevés bancaires de la société ACME SA de CV",
    document={
        "facts_summary": "Des fonds issus d'une escroquerie en bande organisée ont transité par un compte mexicain.",
        "purpose": "Établir le circuit des fonds.",
        "measures": [
            {"measure": "bank_records", "description": "Relevés 2024-2025 du compte de ACME SA de CV."}
        ],
        "confidentiality": {"required": True, "reasons": "Enquête en cours, suspects non informés."},
    },
    incoming=[
        ("register", "FGR/DGAJI/2026/311"),
        ("info_request", "¿Podrían precisar el número de cuenta y el periodo exacto?"),
        ("info_provide", "Compte n° 0123-4567, période du 1er janvier 2024 au 31 mars 2025."),
        ("forward", None),
        ("note", "Se solicitó la orden judicial al juez de control."),
        ("deadline", (-5, "Plazo interno para obtener los registros")),
        (
            "partially_executed",
            "Se entregan los estados de cuenta de 2024; los de 2025 no existen en el banco.",
        ),
        ("closed", ""),
    ],
    reported=S.PARTIALLY_EXECUTED,
)
_story(
    reference="FEMDO-2026-077",
    requesting="MEX",
    requested="EGY",
    language="es",
    case_title="Tráfico de migrantes — red del Sinaí",
    title="Declaración de testigo en El Cairo",
    document={
        "facts_summary": "Una red organizada trasladó migrantes desde Egipto hacia México.",
        "purpose": "Obtener la declaración de un testigo.",
        "measures": [{"measure": "taking_evidence", "description": "Declaración del testigo H. M."}],
        "urgency": {"required": True, "reasons": "El juicio comienza en tres meses."},
    },
    incoming=[
        ("register", "IC/2026/45"),
        (
            "consultation",
            (
                "تم التشاور مع السلطة المركزية المكسيكية؛ لا يمكن تنفيذ الطلب دون ضمانات.",
                "refusal_maintained",
            ),
        ),
        (
            "refused",
            (
                ["essential_interests", "treaty_ground"],
                "يتعارض تنفيذ الطلب مع المصالح الأساسية للدولة، ولم تُقدَّم الضمانات المطلوبة.",
            ),
        ),
    ],
    reported=S.REFUSED,
)
_story(
    reference="ASJ-2026-009",
    requesting="EGY",
    requested="FRA",
    language="ar",
    case_title="غسل أموال — عقارات في باريس",
    title="تجميد شقة في باريس",
    document={
        "request_type": "freezing",
        "facts_summary": "شراء شقة في باريس بأموال متحصلة من اختلاس المال العام.",
        "confiscation": {
            "facts_statement": "اختلاس أموال عامة بين 2019 و2022.",
            "actions_requested": "تجميد الشقة.",
        },
    },
    incoming=[
        ("register", "BEPI-2026-188"),
        ("forward", None),
        ("deadline", (-12, "Délai demandé par l'État requérant")),
        ("note", "Saisie pénale immobilière en préparation au parquet."),
    ],
    received_days_ago=60,
)
_story(
    reference="PNF-2026-021",
    requesting="FRA",
    requested="EGY",
    language="en",
    case_title="Corruption — port contract",
    title="Company records of Delta Shipping",
    document={
        "measures": [{"measure": "documents_and_records", "description": "Register extract and accounts."}]
    },
    outgoing_stop=S.IN_REVIEW,
)
_story(
    reference="FEMDO-2026-102",
    requesting="MEX",
    requested="FRA",
    language="es",
    case_title="Extorsión — cobro de piso",
    title="Notificación de documentos judiciales en Lyon",
    document={
        "measures": [{"measure": "service_of_documents", "description": "Notificar la citación a J. P."}]
    },
    received_days_ago=3,
)


def _send(story: Story, people: dict[str, Principal]) -> Request:
    cao, supervisor = people["cao"], people["supervisor"]
    case = services.case_create(actor=cao, reference=story.reference, title=story.case_title)
    document = dict(story.document)
    document["requesting_authority"] = {"name": cao.acting_authority().name, "state": story.requesting}
    request = services.request_create_outgoing(actor=cao, case=case, document=document, title=story.title)
    services.request_assign(actor=cao, request=request, officer=cao.user)
    for status, actor in ((S.IN_REVIEW, cao), (S.APPROVED, supervisor), (S.SENT, cao)):
        if story.outgoing_stop == S.DRAFT:
            break
        request = request_transition(actor=actor, request=request, to_status=status)
        if status == story.outgoing_stop:
            break
    return request


def _receive(story: Story, outgoing: Request, people: dict[str, Principal]) -> Request:
    cao = people["cao"]
    request = services.request_register_incoming(
        actor=cao,
        document=outgoing.document,
        their_reference=story.reference,
        received_on=timezone.localdate() - dt.timedelta(days=story.received_days_ago),
        title=story.title,
    )
    # The hub delivers the requesting State's copy: both copies share one global id.
    Request.objects.filter(pk=request.pk).update(global_id=outgoing.global_id)
    request.global_id = outgoing.global_id
    return request


def _play_incoming(story: Story, request: Request, people: dict[str, Principal]) -> Request:
    cao, executing = people["cao"], people["executing"]
    executor = cao
    for action, arg in story.incoming:
        if action == "register":
            request = request_transition(
                actor=cao, request=request, to_status=S.REGISTERED, data={"our_reference": arg}
            )
            request = services.request_assign(actor=cao, request=request, officer=cao.user)
        elif action == "forward":
            authority = Authority.objects.get(
                state_id=request.state_id, kind=AuthorityKind.EXECUTING_AUTHORITY
            )
            request = services.request_assign(actor=cao, request=request, executing_authority=authority)
            request = services.request_assign(actor=cao, request=request, executing_officer=executing.user)
            executor = executing
        elif action == "info_request":
            request = services.request_info_request(actor=cao, request=request, text=arg)
        elif action == "info_provide":
            request = services.request_info_provide(actor=cao, request=request, text=arg)
        elif action == "note":
            services.request_add_note(actor=executor, request=request, text=arg)
        elif action == "consultation":
            services.request_consultation(actor=cao, request=request, text=arg[0], outcome=arg[1])
        elif action == "deadline":
            days, reason = arg
            services.request_set_deadline(
                actor=cao,
                request=request,
                kind=DeadlineKind.REQUESTED,
                due_on=timezone.localdate() + dt.timedelta(days=days),
                reason=reason,
            )
        elif action == "refused":
            grounds, reasons = arg
            request = request_transition(
                actor=cao, request=request, to_status=S.REFUSED, text=reasons, refusal_grounds=grounds
            )
        elif action == "closed":
            request = request_transition(actor=cao, request=request, to_status=S.CLOSED)
        else:
            request = request_transition(actor=executor, request=request, to_status=action, text=arg)
        request.refresh_from_db()
    return request


@transaction.atomic
def seed_cases() -> list[str]:
    """Play every story not played yet; returns the references played."""
    played: list[str] = []
    states = {s.code: s for s in State.objects.filter(code__in={"FRA", "MEX", "EGY"})}
    if len(states) < 3:
        return played
    for story in STORIES:
        requesting, requested = states[story.requesting], states[story.requested]
        with state_scope(requesting.pk):
            if Case.objects.filter(state=requesting, reference=story.reference).exists():
                continue
            outgoing = _send(story, _people(story.requesting))
        if story.outgoing_stop != S.SENT:
            played.append(story.reference)
            continue
        with state_scope(requested.pk):
            incoming = _receive(story, outgoing, _people(story.requested))
            incoming = _play_incoming(story, incoming, _people(story.requested))
        if story.reported:
            with state_scope(requesting.pk):
                cao = _people(story.requesting)["cao"]
                outgoing.refresh_from_db()
                if story.reported == S.REFUSED:
                    request_transition(
                        actor=cao,
                        request=outgoing,
                        to_status=S.REFUSED,
                        text=incoming.refusal_reasons,
                        refusal_grounds=incoming.refusal_grounds,
                    )
                else:
                    request_transition(actor=cao, request=outgoing, to_status=story.reported)
        played.append(story.reference)
    return played
