"""Factories and the alice/bob/charlie world used across the suite."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import factory
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model

from comity.core.enums import AuthorityKind, Role
from comity.core.models import Authority, State
from comity.core.services import membership_create

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: "Q" + chr(65 + (n // 26) % 26) + chr(65 + n % 26))
    name = factory.LazyAttribute(lambda o: f"State {o.code}")


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority

    state = factory.SubFactory(StateFactory)
    name = factory.Sequence(lambda n: f"Authority {n}")
    kind = AuthorityKind.CENTRAL_AUTHORITY


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def mfa(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        obj.save()
        if create and extracted is not False and not obj.authenticator_set.filter(type="totp").exists():
            TOTP.activate(obj, TOTP_SECRET)


def member(username: str, authority: Authority, *roles: Role, mfa: bool = True) -> Any:
    user = get_user_model().objects.filter(username=username).first() or UserFactory(
        username=username, mfa=mfa
    )
    for role in roles:
        membership_create(actor=None, user=user, authority=authority, role=role)
    return user


@dataclass
class World:
    """alice: State A, authority X. bob: State A, authority Y. charlie: State B, authority Z."""

    state_a: State
    state_b: State
    x: Authority
    y: Authority
    z: Authority
    alice: Any
    bob: Any
    charlie: Any


def make_world(*roles: Role) -> World:
    roles = roles or (Role.AUDITOR, Role.SUPERVISOR)
    state_a = StateFactory(code="AAA", name="State A")
    state_b = StateFactory(code="BBB", name="State B")
    x = AuthorityFactory(state=state_a, name="Authority X")
    y = AuthorityFactory(state=state_a, name="Authority Y", kind=AuthorityKind.EXECUTING_AUTHORITY)
    z = AuthorityFactory(state=state_b, name="Authority Z")
    return World(
        state_a=state_a,
        state_b=state_b,
        x=x,
        y=y,
        z=z,
        alice=member("alice", x, *roles),
        bob=member("bob", y, *roles),
        charlie=member("charlie", z, *roles),
    )


def secret_events(world: World) -> None:
    """One audit event at each of X (State A), Y (State A) and Z (State B), about "case-of-<x|y|z>"."""
    from comity.core.audit import audit_record

    for state, authority, name in (
        (world.state_a, world.x, "x"),
        (world.state_a, world.y, "y"),
        (world.state_b, world.z, "z"),
    ):
        audit_record(
            state=state,
            action="test.secret",
            authority=authority,
            object_type="case",
            object_id=f"case-of-{name}",
        )
