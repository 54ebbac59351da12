"""The append-only, hash-chained audit log: writing and verifying.

One chain per State. Each event's hash is SHA-256 over the canonical JSON (comity.lib.canonical)
of its content and the previous event's hash; the chain head row records the last sequence
number and hash, and writers lock it, so concurrent writers append one after the other.
`verify_chain` recomputes everything and reports each place where the chain breaks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from comity.core.models import AuditChainHead, AuditEvent, Authority, State
from comity.core.tenancy import state_scope
from comity.lib.canonical import canonical_json, normalise, sha256_hex

GENESIS = "0" * 64
FORMAT_VERSION = 1
MAX_DATA_BYTES = 64 * 1024


def format_time(value: dt.datetime) -> str:
    """UTC, microseconds always present: 2026-01-31T09:05:00.000000Z."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds") + "Z"


def event_digest(*, created_at: dt.datetime, **fields: Any) -> str:
    """SHA-256 of an event's canonical JSON (content plus the previous event's hash)."""
    return _digest(created=format_time(created_at), **fields)


def _digest(
    *,
    state_code: str,
    seq: int,
    created: str,
    actor_ref: str,
    authority_ref: str,
    action: str,
    object_type: str,
    object_id: str,
    data: Any,
    prev_hash: str,
) -> str:
    return sha256_hex(
        canonical_json(
            {
                "v": FORMAT_VERSION,
                "state": state_code,
                "seq": seq,
                "created": created,
                "actor": actor_ref,
                "authority": authority_ref,
                "action": action,
                "object_type": object_type,
                "object_id": object_id,
                "data": data,
                "prev": prev_hash,
            }
        )
    )


def _lock_head(state: State) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(state_id=state.pk).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(state=state, seq=0, hash=GENESIS)
    except IntegrityError:
        pass  # another writer created it first; lock theirs
    return AuditChainHead.objects.select_for_update().get(state_id=state.pk)


def audit_record(
    *,
    state: State,
    action: str,
    actor: Any = None,
    authority: Authority | None = None,
    object_type: str = "",
    object_id: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to `state`'s chain, in the caller's transaction.

    Call it inside the transaction of the change it records, so both commit or neither does.
    """
    payload = normalise(data or {})
    if len(canonical_json(payload)) > MAX_DATA_BYTES:
        raise ValueError("audit data is too large")
    actor_ref = str(actor.public_id) if actor is not None and getattr(actor, "pk", None) else ""
    authority_ref = authority.code if authority is not None else ""
    # The audit writer appends to the chain of the State the event belongs to, whatever scope
    # the caller is in: it is the one place that writes audit rows.
    with transaction.atomic(), state_scope(state.pk):
        head = _lock_head(state)
        seq = head.seq + 1
        created_at = timezone.now()
        digest = event_digest(
            state_code=state.code,
            seq=seq,
            created_at=created_at,
            actor_ref=actor_ref,
            authority_ref=authority_ref,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=payload,
            prev_hash=head.hash,
        )
        event = AuditEvent(
            state=state,
            seq=seq,
            created_at=created_at,
            actor=actor if actor_ref else None,
            actor_ref=actor_ref,
            authority=authority,
            authority_ref=authority_ref,
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=payload,
            prev_hash=head.hash,
            hash=digest,
        )
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=head.pk).update(seq=seq, hash=digest)
    return event


@dataclass(frozen=True)
class ChainBreak:
    state: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"{self.state}: chain breaks at seq {self.seq}: {self.problem}"


@dataclass(frozen=True)
class ChainReport:
    state: str
    events: int
    breaks: list[ChainBreak]

    @property
    def ok(self) -> bool:
        return not self.breaks


_COLUMNS = "seq, {created}, actor_ref, authority_ref, action, object_type, object_id, {data}, prev_hash, hash"
# On PostgreSQL the server formats the time and hands jsonb over as text: converting 200k rows to
# datetime and dict objects in the driver costs more than hashing them.
_PG_CREATED = "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"


def chain_select_sql() -> str:
    """The query verification runs (also the bare baseline of `make bench`): one chain, in order."""
    if connection.vendor == "postgresql":
        columns = _COLUMNS.format(created=_PG_CREATED, data="data::text")
    else:
        columns = _COLUMNS.format(created="created_at", data="data")
    return f"SELECT {columns} FROM {AuditEvent._meta.db_table} WHERE state_id = %s ORDER BY seq"  # noqa: S608 - constant names


def _created_text(value: Any) -> str:
    """The canonical time of a row read with a raw cursor: a datetime (naive ones are UTC, as
    Django stores them on SQLite), SQLite's UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', or the
    already canonical text formatted by PostgreSQL."""
    if isinstance(value, dt.datetime):
        return format_time(value)
    if value.endswith("Z"):
        return value
    return f"{value[:10]}T{value[11:19]}.{value[20:26] or '000000'}Z"


def _rows(state: State, chunk_size: int) -> Iterator[tuple[Any, ...]]:
    """Raw rows of one chain in order: verification reads millions, so it skips the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(chain_select_sql(), [state.pk])
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def verify_chain(state: State, *, chunk_size: int = 20_000) -> ChainReport:
    """Recompute `state`'s chain. Each break is reported once, then checking resumes after it.

    Catches a modified event (its hash no longer matches its content), a deleted one (a gap in
    the sequence and a broken link), an inserted or reordered one (a broken link or hash), and a
    truncated or extended tail (the chain head no longer matches the last event).
    """
    breaks: list[ChainBreak] = []
    code = state.code
    expected_seq = 1
    last_hash = GENESIS
    count = 0
    with state_scope(state.pk):
        head = AuditChainHead.objects.filter(state_id=state.pk).first()
        for seq, created_at, actor, authority, action, otype, oid, data, prev, stored in _rows(
            state, chunk_size
        ):
            count += 1
            if isinstance(data, str | bytes):
                data = orjson.loads(data)
            if seq != expected_seq:
                breaks.append(
                    ChainBreak(code, seq, f"expected seq {expected_seq}: events missing or reordered")
                )
            elif prev != last_hash:
                breaks.append(
                    ChainBreak(
                        code, seq, "link to the previous event broken (inserted, deleted or reordered)"
                    )
                )
            digest = _digest(
                state_code=code,
                seq=seq,
                created=_created_text(created_at),
                actor_ref=actor,
                authority_ref=authority,
                action=action,
                object_type=otype,
                object_id=oid,
                data=data,
                prev_hash=prev,
            )
            if digest != stored:
                breaks.append(ChainBreak(code, seq, "content does not match its hash (modified)"))
            expected_seq = seq + 1
            last_hash = stored
        head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
        if (head_seq, head_hash) != (expected_seq - 1, last_hash):
            breaks.append(
                ChainBreak(
                    code,
                    head_seq,
                    f"chain head says seq {head_seq} but the last event is seq {expected_seq - 1} (events removed or added at the end)",
                )
            )
    return ChainReport(state=code, events=count, breaks=breaks)


def verify_all() -> list[ChainReport]:
    return [verify_chain(state) for state in State.objects.order_by("code")]
