from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from comity.core.audit import GENESIS, audit_record, event_digest, verify_all, verify_chain
from comity.core.models import AuditChainHead, AuditEvent
from comity.core.tenancy import state_scope
from tests.factories import StateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    state = StateFactory(code="CHN", name="Chain State")
    for i in range(1, 6):
        audit_record(
            state=state, action="test.event", object_type="thing", object_id=f"t{i}", data={"n": i, "é": "ü"}
        )
    return state


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_events_are_chained(chain):
    with state_scope(chain.pk):
        events = list(AuditEvent.objects.order_by("seq"))
        head = AuditChainHead.objects.get()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert (head.seq, head.hash) == (5, events[-1].hash)
    first = events[0]
    assert first.hash == event_digest(
        state_code="CHN",
        seq=1,
        created_at=first.created_at,
        actor_ref="",
        authority_ref="",
        action="test.event",
        object_type="thing",
        object_id="t1",
        data={"n": 1, "é": "ü"},
        prev_hash=GENESIS,
    )


def test_intact_chain_verifies(chain):
    report = verify_chain(chain)
    assert (report.ok, report.events, report.breaks) == (True, 5, [])


def test_model_refuses_update_and_delete(chain):
    with state_scope(chain.pk):
        event = AuditEvent.objects.get(seq=2)
        event.action = "tampered"
        with pytest.raises(RuntimeError, match="append-only"):
            event.save()
        with pytest.raises(RuntimeError, match="append-only"):
            event.delete()


def test_detects_modified_event(chain):
    _sql("UPDATE core_auditevent SET object_id = 'forged' WHERE seq = 3 AND state_id = %s", [chain.pk])
    report = verify_chain(chain)
    assert [(b.seq, b.problem) for b in report.breaks] == [(3, "content does not match its hash (modified)")]


def test_detects_modified_data(chain):
    _sql(
        "UPDATE core_auditevent SET data = %s WHERE seq = 2 AND state_id = %s",
        ['{"n": 99, "é": "ü"}', chain.pk],
    )
    assert [b.seq for b in verify_chain(chain).breaks] == [2]


def test_detects_deleted_event(chain):
    _sql("DELETE FROM core_auditevent WHERE seq = 3 AND state_id = %s", [chain.pk])
    report = verify_chain(chain)
    assert [(b.seq, b.problem) for b in report.breaks] == [(4, "expected seq 3: events missing or reordered")]


def test_detects_deleted_tail(chain):
    _sql("DELETE FROM core_auditevent WHERE seq = 5 AND state_id = %s", [chain.pk])
    report = verify_chain(chain)
    assert [b.seq for b in report.breaks] == [5]
    assert "last event is seq 4" in report.breaks[0].problem


def test_detects_reordered_events(chain):
    # Swap the contents of events 2 and 4 by swapping their sequence numbers.
    _sql("UPDATE core_auditevent SET seq = 1002 WHERE seq = 2 AND state_id = %s", [chain.pk])
    _sql("UPDATE core_auditevent SET seq = 2 WHERE seq = 4 AND state_id = %s", [chain.pk])
    _sql("UPDATE core_auditevent SET seq = 4 WHERE seq = 1002 AND state_id = %s", [chain.pk])
    breaks = verify_chain(chain).breaks
    assert sorted({b.seq for b in breaks}) == [2, 3, 4, 5]
    assert any("modified" in b.problem for b in breaks)


def test_detects_inserted_event(chain):
    # Shift 4 and 5 up and insert a well-formed-looking event at 4 (the attacker cannot forge the
    # hashes that follow without rewriting the rest of the chain and the head).
    _sql("UPDATE core_auditevent SET seq = seq + 100 WHERE seq >= 4 AND state_id = %s", [chain.pk])
    _sql("UPDATE core_auditevent SET seq = seq - 99 WHERE seq >= 100 AND state_id = %s", [chain.pk])
    with state_scope(chain.pk):
        third = AuditEvent.objects.get(seq=3)
    forged_hash = event_digest(
        state_code="CHN",
        seq=4,
        created_at=third.created_at,
        actor_ref="",
        authority_ref="",
        action="test.forged",
        object_type="",
        object_id="",
        data={},
        prev_hash=third.hash,
    )
    _sql(
        "INSERT INTO core_auditevent (state_id, seq, created_at, actor_ref, authority_ref, action, object_type, object_id, data, prev_hash, hash)"
        " VALUES (%s, 4, %s, '', '', 'test.forged', '', '', %s, %s, %s)",
        [chain.pk, third.created_at, "{}", third.hash, forged_hash],
    )
    breaks = verify_chain(chain).breaks
    assert [b.seq for b in breaks][:2] == [5, 5]  # old event 4 now at 5: link broken and hash mismatch
    assert breaks[-1].problem.startswith("chain head says seq 5 but the last event is seq 6")


def test_chains_are_per_state(chain):
    other = StateFactory(code="OTH", name="Other")
    audit_record(state=other, action="test.other")
    _sql("UPDATE core_auditevent SET action = 'x' WHERE seq = 1 AND state_id = %s", [chain.pk])
    reports = {r.state: r for r in verify_all()}
    assert reports["OTH"].ok
    assert not reports["CHN"].ok


def test_verify_command_prints_where_the_chain_breaks(chain, capsys):
    call_command("audit", "verify")
    assert "CHN: 5 events, chain intact" in capsys.readouterr().out
    _sql("UPDATE core_auditevent SET action = 'forged' WHERE seq = 2 AND state_id = %s", [chain.pk])
    with pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code == 1
    assert "CHN: chain breaks at seq 2: content does not match its hash (modified)" in capsys.readouterr().out


def test_verify_command_json(chain, capsys):
    import json

    call_command("audit", "verify", "--state", "chn", "--format", "json")
    assert json.loads(capsys.readouterr().out) == {
        "ok": True,
        "chains": [{"state": "CHN", "events": 5, "breaks": []}],
    }


def test_event_rolls_back_with_the_change(chain):
    def change_that_fails() -> None:
        with transaction.atomic():
            audit_record(state=chain, action="test.rolled_back")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        change_that_fails()
    with state_scope(chain.pk):
        assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
        assert AuditChainHead.objects.get().seq == 5
    assert verify_chain(chain).ok


def test_data_must_be_small(chain):
    with pytest.raises(ValueError, match="too large"):
        audit_record(state=chain, action="test.big", data={"x": "a" * 70_000})


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need a server database; SQLite serialises writers with BEGIN IMMEDIATE",
)
def test_concurrent_writers_keep_one_chain():
    state = StateFactory(code="CON", name="Concurrent")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                audit_record(state=state, action="test.concurrent", data={"w": n, "i": i})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify_chain(state)
    assert (report.ok, report.events) == (True, 40)


def test_verify_command_unknown_state_is_a_clear_error(chain):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="unknown State 'ZZZ'"):
        call_command("audit", "verify", "--state", "ZZZ")


def test_head_command_prints_each_chain(chain, capsys):
    call_command("audit", "head")
    with state_scope(chain.pk):
        head = AuditChainHead.objects.get()
    assert f"CHN 5 {head.hash}" in capsys.readouterr().out
