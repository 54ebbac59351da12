"""Benchmarks of case management at scale: the request list and the request detail.

`bench_requests(total=500_000)` fills the bench database with `total` requests of one State (spread
over statuses, types, directions, requested States, authorities and due dates, written with raw
`executemany` in batches), gives ~10 timeline events to a sample of them, then measures through
the real selectors:

- list: `requests_filtered(principal, status=...)` (visible = the principal's authority), first
  25 rows in the list's order plus the total count;
- detail: `access_request(principal, code)` plus its `request_timeline` (~10 events);

each beside the bare SQL returning the same rows with a raw cursor, in the same run. Goals
(DESIGN.md section 5): list p95 <= 100 ms, detail p95 <= 50 ms; reported, never asserted.

    python -m comity.cases.bench [--total N] [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
import uuid
from typing import Any

from comity.bench import _line, _setup, _stats, _time, bench_database

BENCH_STATE = "BNQ"
BATCH = 10_000
DETAIL_SAMPLE = 200
EVENTS_PER_REQUEST = 10

# Weights of a central authority's stock of requests: most are closed or being executed.
STATUS_WEIGHTS = {
    "draft": 3,
    "in_review": 2,
    "approved": 1,
    "sent": 8,
    "received": 2,
    "registered": 4,
    "in_execution": 15,
    "info_requested": 3,
    "postponed": 1,
    "in_consultation": 1,
    "executed": 25,
    "partially_executed": 5,
    "refused": 4,
    "withdrawn": 2,
    "closed": 24,
}
TYPE_WEIGHTS = {
    "mla": 70,
    "extradition": 10,
    "provisional_arrest": 3,
    "freezing": 5,
    "confiscation_enforce_order": 3,
    "spontaneous_information": 4,
    "transfer_of_proceedings": 3,
    "transfer_of_sentenced_person": 2,
}
AUTHORITY_WEIGHTS = [40, 15, 10, 8, 7, 6, 5, 4, 3, 2]  # the central authority holds most
LIST_STATUS = "in_execution"


def _pool(weights: dict[str, int] | list[int], values: list[Any] | None = None) -> list[Any]:
    """A list of 100-ish values repeated by weight: index it with any integer (mod len)."""
    if isinstance(weights, dict):
        return [value for value, w in weights.items() for _ in range(w)]
    assert values is not None  # noqa: S101 - internal helper
    return [value for value, w in zip(values, weights, strict=True) for _ in range(w)]


def _seed(total: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from comity.cases.models import Request, RequestEvent
    from comity.core.enums import AuthorityKind
    from comity.core.models import Authority, State

    home = State.objects.create(code=BENCH_STATE, name="Bench cases State")
    others = State.objects.bulk_create(State(code=f"Q{i:02d}", name=f"Other State {i}") for i in range(40))
    authorities = Authority.objects.bulk_create(
        Authority(
            state=home,
            name=f"Bench authority {i}",
            kind=AuthorityKind.CENTRAL_AUTHORITY if i == 0 else AuthorityKind.EXECUTING_AUTHORITY,
        )
        for i in range(len(AUTHORITY_WEIGHTS))
    )
    users = [get_user_model().objects.create_user(f"bench-cases-{i}", password=None) for i in range(20)]

    pg = connection.vendor == "postgresql"
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    # Pools of ready-made column values (times as the backend stores them: SQLite keeps naive
    # UTC text), so each row is a tuple of look-ups.
    moments = [now - dt.timedelta(minutes=7 * i + 3) for i in range(300_000)]
    times: list[Any] = list(moments)
    if not pg:
        times = [m.replace(tzinfo=None).isoformat(" ") for m in moments]
    dues = [None, None, None, *((now + dt.timedelta(days=d - 60)).date() for d in range(180))]
    statuses = _pool(STATUS_WEIGHTS)
    types = _pool(TYPE_WEIGHTS)
    holders = _pool(AUTHORITY_WEIGHTS, [a.pk for a in authorities])
    executing = [None, None, *(a.pk for a in authorities[1:])]
    requested = [s.pk for s in others]
    user_ids = [u.pk for u in users]
    table = Request._meta.db_table
    columns = (
        "state_id, code, global_id, direction, request_type, status, requesting_state_id, "
        "requested_state_id, authority_id, assigned_officer_id, executing_authority_id, "
        "executing_officer_id, title, our_reference, their_reference, document, urgent, confidential, "
        "use_limitation, refusal_grounds, refusal_reasons, due_on, created_by_id, created_at, updated_at"
    )
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 25)})"  # noqa: S608 - constant names
    home_id = home.pk
    n_t, n_s, n_ty, n_h, n_e, n_r, n_d, n_u = (
        len(times),
        len(statuses),
        len(types),
        len(holders),
        len(executing),
        len(requested),
        len(dues),
        len(user_ids),
    )
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if not pg:
            # Seeding only: a page cache large enough for the table's 15 indexes (the default
            # 2 MiB thrashes on randomly ordered keys); set back to the default before measuring.
            cursor.execute("PRAGMA cache_size = -524288")
        for first in range(0, total, BATCH):
            rows = []
            for i in range(first, min(first + BATCH, total)):
                outgoing = i % 3 == 0
                other = requested[(i * 7) % n_r]
                updated = times[(i * 13) % n_t]
                rows.append(
                    (
                        home_id,
                        f"bq{i:014d}",
                        uuid.UUID(int=i).hex if not pg else str(uuid.UUID(int=i)),
                        "outgoing" if outgoing else "incoming",
                        types[(i * 11) % n_ty],
                        statuses[(i * 17) % n_s],
                        home_id if outgoing else other,
                        other if outgoing else home_id,
                        holders[(i * 19) % n_h],
                        user_ids[i % n_u],
                        executing[(i * 23) % n_e],
                        None,
                        f"Request {i} concerning a transnational organized criminal group",
                        f"OUR/{i}",
                        "",
                        "{}",
                        i % 29 == 0,
                        i % 41 == 0,
                        "",
                        "[]",
                        "",
                        dues[(i * 29) % n_d],
                        user_ids[(i * 3) % n_u],
                        updated,
                        updated,
                    )
                )
            cursor.executemany(sql, rows)
    with connection.cursor() as cursor:
        if not pg:
            cursor.execute("PRAGMA cache_size = -2000")
        # PostgreSQL: what autovacuum does after a bulk load (statistics, and the visibility map
        # that lets the count use an index-only scan).
        cursor.execute(f"VACUUM ANALYZE {table}" if pg else "ANALYZE")
    generation = time.perf_counter() - start

    from comity.core.tenancy import state_scope

    central = authorities[0]
    rng = random.Random(7)  # noqa: S311 - benchmark data
    with state_scope(home_id):
        sample = list(
            Request.objects.filter(authority_id=central.pk)
            .order_by("?")
            .values_list("pk", "code")[:DETAIL_SAMPLE]
        )
        RequestEvent.objects.bulk_create(
            (
                RequestEvent(
                    state_id=home_id,
                    request_id=pk,
                    kind=kind,
                    actor_id=rng.choice(user_ids),
                    authority_id=central.pk,
                    text=f"Event {n} of request {code}",
                )
                for pk, code in sample
                for n, kind in enumerate(["created", "status_changed", "note"] * 3 + ["assigned"])
            ),
            batch_size=5_000,
        )
    return {
        "state": home,
        "central": central,
        "user": users[0],
        "codes": [code for _pk, code in sample],
        "generation": generation,
    }


def bench_requests(total: int = 500_000, runs: int = 300) -> tuple[float, float]:
    """Seed `total` requests, print the list and detail timings beside bare SQL; return the
    (list p95, detail p95) in seconds."""
    from django.db import connection

    from comity.accounts.principal import Principal
    from comity.cases.models import Request, RequestEvent
    from comity.cases.selectors import access_request, request_timeline, requests_filtered
    from comity.core.enums import Role
    from comity.core.tenancy import state_scope

    seeded = _seed(total)
    central = seeded["central"]
    # The principal a list page resolves for a central authority officer of the central authority.
    principal = Principal(
        user=seeded["user"], authority=central, roles=frozenset({str(Role.CENTRAL_AUTHORITY_OFFICER)})
    )
    codes: list[str] = seeded["codes"]
    state_id = seeded["state"].pk
    req = Request._meta.db_table
    ev = RequestEvent._meta.db_table
    list_sql = (
        f"SELECT r.id, r.code, r.title, r.status, r.request_type, r.direction, r.due_on, r.updated_at, "  # noqa: S608 - constant names
        f"rs.code, qs.code, a.name, c.reference, u.username FROM {req} r "
        "JOIN core_state rs ON rs.id = r.requesting_state_id JOIN core_state qs ON qs.id = r.requested_state_id "
        "JOIN core_authority a ON a.id = r.authority_id LEFT JOIN cases_case c ON c.id = r.case_id "
        "LEFT JOIN accounts_user u ON u.id = r.assigned_officer_id "
        "WHERE r.state_id = %s AND r.authority_id = %s AND r.status = %s ORDER BY r.updated_at DESC, r.id LIMIT 25"
    )
    count_sql = f"SELECT COUNT(*) FROM {req} WHERE state_id = %s AND authority_id = %s AND status = %s"  # noqa: S608 - constant names
    detail_sql = f"SELECT * FROM {req} WHERE code = %s AND state_id = %s AND authority_id = %s"  # noqa: S608 - constant names
    events_sql = f"SELECT * FROM {ev} WHERE state_id = %s AND request_id = %s ORDER BY created_at, id"  # noqa: S608 - constant names

    def ours_list() -> tuple[int, int]:
        qs = requests_filtered(principal, status=LIST_STATUS)
        return len(list(qs[:25])), qs.count()

    def bare_list() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(list_sql, [state_id, central.pk, LIST_STATUS])
            rows = cursor.fetchall()
            cursor.execute(count_sql, [state_id, central.pk, LIST_STATUS])
            return len(rows), cursor.fetchone()[0]

    position = {"i": 0}

    def next_code() -> str:
        position["i"] = (position["i"] + 1) % len(codes)
        return codes[position["i"]]

    def ours_detail() -> int:
        request = access_request(principal, next_code())
        return len(list(request_timeline(request)))

    def bare_detail() -> int:
        with connection.cursor() as cursor:
            cursor.execute(detail_sql, [next_code(), state_id, central.pk])
            row = cursor.fetchone()
            cursor.execute(events_sql, [state_id, row[0]])
            return len(cursor.fetchall())

    with state_scope(state_id):
        if ours_list() != bare_list():
            raise SystemExit(f"bench: list differs: {ours_list()} vs {bare_list()}")
        if ours_detail() != EVENTS_PER_REQUEST or bare_detail() != EVENTS_PER_REQUEST:
            raise SystemExit("bench: the detail timeline does not have the expected events")
        matching = bare_list()[1]
        for _ in range(20):  # warm-up
            ours_list(), bare_list(), ours_detail(), bare_detail()
        list_ours = _time(ours_list, runs)
        list_bare = _time(bare_list, runs)
        detail_ours = _time(ours_detail, runs)
        detail_bare = _time(bare_detail, runs)
    print(
        f"seeded {total:,} requests in {seeded['generation']:.1f} s (raw executemany, batches of {BATCH:,})"
    )
    _line(
        f"request list: 25 rows + total count, authority + status={LIST_STATUS} ({matching:,} match), "
        f"requests_filtered vs raw SQL ({runs} runs)",
        list_ours,
        list_bare,
        "\n    goal: p95 <= 100 ms",
    )
    _line(
        f"request detail: access_request + request_timeline ({EVENTS_PER_REQUEST} events) vs raw SQL ({runs} runs)",
        detail_ours,
        detail_bare,
        "\n    goal: p95 <= 50 ms",
    )
    return _stats(list_ours)[2], _stats(detail_ours)[2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--total", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args(argv)
    _setup()
    with bench_database() as connection:
        print(f"Comity case benchmarks on {connection.vendor}\n")
        bench_requests(args.total, args.runs)


if __name__ == "__main__":
    main()
