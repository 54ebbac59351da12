"""Demo data: three States with authorities and one user per role, plus the secretariat.

Idempotent: running it again changes nothing and prints the same logins. Later capabilities add
their own demo data by appending a seeding function to `SEEDERS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model
from django.db import transaction

from comity.core.enums import AuthorityKind, Role, StateKind
from comity.core.services import authority_ensure, membership_create, state_ensure

DEMO_PASSWORD = "comity-demo-2026"  # noqa: S105 - printed for the demo; demo users only

# code, name, kind, {authority kind: name}
STATES: list[tuple[str, str, StateKind, dict[AuthorityKind, str]]] = [
    (
        "FRA",
        "France",
        StateKind.STATE,
        {
            AuthorityKind.CENTRAL_AUTHORITY: "Ministère de la Justice — Bureau de l'entraide pénale internationale",
            AuthorityKind.COMPETENT_AUTHORITY: "Parquet national financier",
            AuthorityKind.EXECUTING_AUTHORITY: "Tribunal judiciaire de Paris — juge d'instruction",
        },
    ),
    (
        "MEX",
        "Mexico",
        StateKind.STATE,
        {
            AuthorityKind.CENTRAL_AUTHORITY: "Fiscalía General de la República — Dirección General de Asuntos Jurídicos Internacionales",
            AuthorityKind.COMPETENT_AUTHORITY: "Fiscalía Especializada en Delincuencia Organizada",
            AuthorityKind.EXECUTING_AUTHORITY: "Fiscalía Federal en la Ciudad de México",
        },
    ),
    (
        "EGY",
        "Egypt",
        StateKind.STATE,
        {
            AuthorityKind.CENTRAL_AUTHORITY: "مكتب النائب العام — إدارة التعاون الدولي",
            AuthorityKind.COMPETENT_AUTHORITY: "نيابة الأموال العامة العليا",
            AuthorityKind.EXECUTING_AUTHORITY: "نيابة استئناف القاهرة",
        },
    ),
]

# Which authority kind each role works at.
ROLE_AUTHORITY: dict[Role, AuthorityKind] = {
    Role.DRAFTER: AuthorityKind.COMPETENT_AUTHORITY,
    Role.CENTRAL_AUTHORITY_OFFICER: AuthorityKind.CENTRAL_AUTHORITY,
    Role.EXECUTING_OFFICER: AuthorityKind.EXECUTING_AUTHORITY,
    Role.SUPERVISOR: AuthorityKind.CENTRAL_AUTHORITY,
    Role.DIRECTORY_EDITOR: AuthorityKind.CENTRAL_AUTHORITY,
    Role.SECRETARIAT_EDITOR: AuthorityKind.CENTRAL_AUTHORITY,
    Role.AUDITOR: AuthorityKind.CENTRAL_AUTHORITY,
}

SHORT = {
    Role.DRAFTER: "drafter",
    Role.CENTRAL_AUTHORITY_OFFICER: "cao",
    Role.EXECUTING_OFFICER: "executing",
    Role.SUPERVISOR: "supervisor",
    Role.DIRECTORY_EDITOR: "directory",
    Role.SECRETARIAT_EDITOR: "secretariat",
    Role.AUDITOR: "auditor",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    authority: str
    state: str
    totp_secret: str


def _demo_totp_secret(username: str) -> str:
    """A fixed secret per demo user, so the printed table stays valid across runs."""
    import base64
    import hashlib

    return base64.b32encode(hashlib.sha256(f"comity-demo:{username}".encode()).digest()[:20]).decode()


def _ensure_user(username: str, email: str, first: str, last: str) -> tuple[Any, str]:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"email": email, "first_name": first, "last_name": last}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None:
        secret = _demo_totp_secret(username)
        TOTP.activate(user, secret)
        RecoveryCodes.activate(user)
    else:
        secret = decrypt(totp.data["secret"])
    return user, secret


@transaction.atomic
def seed_core() -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    for code, name, kind, authorities in STATES:
        state = state_ensure(code=code, name=name, kind=kind)
        by_kind = {k: authority_ensure(state=state, name=n, kind=k) for k, n in authorities.items()}
        for role, short in SHORT.items():
            if role == Role.SECRETARIAT_EDITOR:
                continue  # the secretariat is its own tenant, below
            username = f"{code.lower()}.{short}"
            user, secret = _ensure_user(username, f"{username}@demo.comity.invalid", short.title(), code)
            authority = by_kind[ROLE_AUTHORITY[role]]
            membership_create(actor=None, user=user, authority=authority, role=role)
            logins.append(DemoLogin(username, role, authority.name, code, secret))
    secretariat_state = state_ensure(code="XUN", name="UNODC secretariat (demo)", kind=StateKind.SECRETARIAT)
    secretariat = authority_ensure(
        state=secretariat_state, name="UNODC — Conference support section", kind=AuthorityKind.SECRETARIAT
    )
    for role, short in ((Role.SECRETARIAT_EDITOR, "editor"), (Role.AUDITOR, "auditor")):
        username = f"xun.{short}"
        user, secret = _ensure_user(username, f"{username}@demo.comity.invalid", short.title(), "UNODC")
        membership_create(actor=None, user=user, authority=secretariat, role=role)
        logins.append(DemoLogin(username, role, secretariat.name, "XUN", secret))
    return logins


SEEDERS: list[Callable[[], object]] = []


def seed_all() -> list[DemoLogin]:
    logins = seed_core()
    for seeder in SEEDERS:
        seeder()
    return logins


from comity.directory.demo import seed_directory  # noqa: E402 - the directory registers its seeder last

SEEDERS.append(seed_directory)
from comity.drafting.demo import seed_drafting  # noqa: E402 - after the directory: drafts need its States

SEEDERS.append(seed_drafting)
from comity.cases.demo import seed_cases  # noqa: E402 - after the core: cases need the demo users

SEEDERS.append(seed_cases)
from comity.knowledge.demo import seed_knowledge  # noqa: E402 - public reference content, needs nothing else

SEEDERS.append(seed_knowledge)
from comity.exchange.demo import seed_exchange  # noqa: E402 - last: the stories above stay on paper

SEEDERS.append(seed_exchange)
