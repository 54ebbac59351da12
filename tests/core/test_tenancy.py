from __future__ import annotations

import pytest

from comity.core.audit import audit_record
from comity.core.models import AuditEvent
from comity.core.tenancy import ScopeError, current_scope, in_state_scope, state_scope, unscoped

pytestmark = pytest.mark.django_db


def _events_in_both(world):
    audit_record(state=world.state_a, action="test.a", authority=world.x)
    audit_record(state=world.state_b, action="test.b", authority=world.z)


@pytest.mark.parametrize(
    "query",
    [
        lambda: list(AuditEvent.objects.all()),
        lambda: AuditEvent.objects.count(),
        lambda: AuditEvent.objects.exists(),
        lambda: list(AuditEvent.objects.exclude(action="x")),
        lambda: AuditEvent.objects.filter(action="test.a").first(),
        lambda: list(AuditEvent.objects.values_list("action", flat=True)),
        lambda: AuditEvent.objects.get(seq=1),
        lambda: AuditEvent.objects.filter(action="x").update(action="y"),
        lambda: list(AuditEvent.objects.raw("SELECT * FROM core_auditevent")),
    ],
    ids=["all", "count", "exists", "exclude", "first", "values_list", "get", "update", "raw"],
)
def test_every_query_without_scope_raises(world, query):
    _events_in_both(world)
    assert current_scope() is None
    with pytest.raises(ScopeError):
        query()


def test_base_manager_is_scoped_too(world):
    _events_in_both(world)
    assert AuditEvent._base_manager is AuditEvent.objects
    with pytest.raises(ScopeError):
        AuditEvent._base_manager.count()


def test_scope_shows_only_its_state(world):
    _events_in_both(world)
    with state_scope(world.state_a.pk):
        assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
            "membership.created",
            "membership.created",
            "membership.created",
            "membership.created",
            "test.a",
        ]
        assert not AuditEvent.objects.filter(action="test.b").exists()


def test_empty_scope_matches_nothing(world):
    _events_in_both(world)
    with state_scope([]):
        assert AuditEvent.objects.count() == 0


def test_scope_rejects_non_integer_ids(world):
    with pytest.raises(TypeError), state_scope([world.state_a]):
        pass


def test_unscoped_needs_a_reason_and_sees_everything(world):
    _events_in_both(world)
    with pytest.raises(ValueError, match="reason"), unscoped(reason="  "):
        pass
    with unscoped(reason="test: count every chain"):
        assert AuditEvent.objects.filter(action__startswith="test.").count() == 2


def test_scope_is_restored_after_the_block(world):
    with state_scope(world.state_a.pk):
        with state_scope(world.state_b.pk):
            assert current_scope().state_ids == frozenset({world.state_b.pk})
        assert current_scope().state_ids == frozenset({world.state_a.pk})
    assert current_scope() is None


@in_state_scope
def _count_events_task(*, state_id):
    return AuditEvent.objects.count(), current_scope().state_ids


def test_tasks_reopen_the_scope_from_ids(world):
    _events_in_both(world)
    with state_scope(world.state_b.pk):  # the enqueuer's scope does not leak into the task
        count, ids = _count_events_task(state_id=world.state_a.pk)
    assert (count, ids) == (5, frozenset({world.state_a.pk}))
    assert current_scope() is None
    with pytest.raises(TypeError):
        _count_events_task(state_id=str(world.state_a.pk))
