"""Who is acting, for which authority, with which roles: resolved once per request.

A session user acts for one *active authority* at a time (switchable when they belong to
several) with the roles they hold there. An API client acts for the token's authority, with its
owner's current roles there, limited by the token's scopes. Users without MFA, superusers
without memberships and anonymous visitors act for no authority: their scope matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from allauth.mfa.utils import is_mfa_enabled

from comity.core.enums import Role
from comity.core.errors import NotAllowed
from comity.core.models import Authority, Membership

if TYPE_CHECKING:
    from comity.accounts.models import ApiToken

SESSION_AUTHORITY_KEY = "comity.active_authority"


@dataclass(frozen=True)
class Principal:
    user: Any  # accounts.User or AnonymousUser
    authority: Authority | None = None
    roles: frozenset[str] = frozenset()
    token: ApiToken | None = None
    token_scopes: frozenset[str] = frozenset()
    authorities: tuple[Authority, ...] = field(default=())  # every authority the user may switch to

    @property
    def is_member(self) -> bool:
        return self.authority is not None and bool(self.roles)

    @property
    def state_ids(self) -> frozenset[int]:
        return frozenset({self.authority.state_id}) if self.authority is not None else frozenset()

    def acting_authority(self) -> Authority:
        """The active authority; callers have checked a rule that implies membership."""
        if self.authority is None:
            raise NotAllowed("You do not act for any authority.")
        return self.authority

    def has_role(self, *roles: Role | str) -> bool:
        return any(str(role) in self.roles for role in roles)


ANONYMOUS = Principal(user=None)


def active_memberships(user: Any) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user, ended_at__isnull=True)
        .select_related("authority__state")
        .order_by("created_at", "pk")
    )


def principal_for_session(user: Any, session: Any) -> Principal:
    if user is None or not user.is_authenticated:
        return Principal(user=user)
    if not is_mfa_enabled(user):
        # No second factor yet: no authority, no scope (RequireMFAMiddleware sends them to set one up).
        return Principal(user=user)
    memberships = active_memberships(user)
    if not memberships:
        return Principal(user=user)
    authorities: dict[str, Authority] = {}
    for membership in memberships:
        authorities.setdefault(membership.authority.code, membership.authority)
    wanted = session.get(SESSION_AUTHORITY_KEY)
    active = authorities.get(wanted) if wanted else None
    if active is None:
        active = memberships[0].authority
    roles = frozenset(m.role for m in memberships if m.authority_id == active.pk)
    return Principal(user=user, authority=active, roles=roles, authorities=tuple(authorities.values()))


def principal_for_token(token: ApiToken) -> Principal:
    if not is_mfa_enabled(token.user):
        return Principal(user=token.user)  # the owner removed their second factor: no access
    roles = frozenset(
        Membership.objects.filter(
            user_id=token.user_id, authority_id=token.authority_id, ended_at__isnull=True
        ).values_list("role", flat=True)
    )
    if not roles:
        return Principal(user=token.user)
    return Principal(
        user=token.user,
        authority=token.authority,
        roles=roles,
        token=token,
        token_scopes=frozenset(token.scopes),
        authorities=(token.authority,),
    )
