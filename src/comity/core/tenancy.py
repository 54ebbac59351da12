"""Tenancy that fails closed.

A State-owned model (subclass of `StateOwnedModel`) can only be queried inside an active scope:
`with state_scope(state_id): ...`. Outside one, building any queryset raises `ScopeError`,
including `exclude()`, `exists()`, related managers and forward relations (the scoped manager is
also the base manager). A scope with no States matches nothing. There is no implicit bypass, not
even for superusers: the one escape hatch, `unscoped(reason=...)`, is named, takes a reason and is
only used where the code itself decides the scope (token authentication, `audit head`).

The scope lives in a ContextVar, so it is per thread and per asyncio task. Middleware opens it
for each request (`comity.accounts.middleware.TenancyMiddleware`); background tasks receive ids
and reopen it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models

logger = logging.getLogger(__name__)
T = TypeVar("T")


class ScopeError(RuntimeError):
    """A State-owned model was queried without an active scope."""


@dataclass(frozen=True)
class Scope:
    state_ids: frozenset[int]
    unrestricted: bool = False
    reason: str = ""


_current: ContextVar[Scope | None] = ContextVar("comity_scope", default=None)


def current_scope() -> Scope | None:
    return _current.get()


@contextmanager
def state_scope(state_ids: Iterable[int] | int) -> Iterator[Scope]:
    """Restrict State-owned queries to these States (an empty iterable matches nothing)."""
    ids = frozenset({state_ids}) if isinstance(state_ids, int) else frozenset(state_ids)
    if any(not isinstance(i, int) for i in ids):
        raise TypeError("state_scope() takes State primary keys (int)")
    token = _current.set(Scope(state_ids=ids))
    try:
        yield _current.get()  # type: ignore[misc]
    finally:
        _current.reset(token)


@contextmanager
def unscoped(*, reason: str) -> Iterator[None]:
    """The named escape hatch: State-owned queries see every State. Give the reason."""
    if not reason.strip():
        raise ValueError("unscoped() needs a reason")
    logger.debug("unscoped access: %s", reason)
    token = _current.set(Scope(state_ids=frozenset(), unrestricted=True, reason=reason))
    try:
        yield
    finally:
        _current.reset(token)


def in_state_scope(func: Callable[..., T]) -> Callable[..., T]:
    """For background tasks: the task receives `state_id=` and runs inside that State's scope.

    Tasks never inherit a scope from whoever enqueued them (they run elsewhere, later); they get
    ids and reopen it here, so a task body fails closed like a request does.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, state_id: int, **kwargs: Any) -> T:
        if not isinstance(state_id, int) or isinstance(state_id, bool):
            raise TypeError("in_state_scope tasks take state_id=<State primary key>")
        with state_scope(state_id):
            return func(*args, state_id=state_id, **kwargs)

    return wrapper


class StateScopedManager(models.Manager):
    """Default and base manager of every State-owned model."""

    def get_queryset(self) -> models.QuerySet[Any]:
        scope = _current.get()
        if scope is None:
            raise ScopeError(
                f"{self.model.__name__} is owned by a State: query it inside state_scope() "
                "(requests and tasks open one; see comity.core.tenancy)"
            )
        qs = super().get_queryset()
        if scope.unrestricted:
            return qs
        return qs.filter(state_id__in=scope.state_ids)


class StateOwnedModel(models.Model):
    """Abstract base for every row that belongs to a State."""

    state = models.ForeignKey("core.State", on_delete=models.PROTECT, related_name="+")

    objects = StateScopedManager()

    class Meta:
        abstract = True
        base_manager_name = "objects"
