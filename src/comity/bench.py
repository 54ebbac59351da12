"""`make bench`: Comity's performance figures, each beside the bare engine doing the same work.

Runs against a fresh database: a temporary SQLite file by default, or a fresh PostgreSQL test
database when COMITY_DATABASE_URL is set (created and dropped here). Prints min / median / p95
and the ratio to the baseline measured in the same run. Goals come from DESIGN.md section 5;
they are reported, never asserted.

    python -m comity.bench [--audit-events N] [--api-calls N]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any


def _setup() -> None:
    if not (os.environ.get("COMITY_DATABASE_URL") or os.environ.get("DATABASE_URL")):
        os.environ["COMITY_DATA_DIR"] = tempfile.mkdtemp(prefix="comity-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comity.settings")
    os.environ.setdefault("COMITY_SECRET_KEY", "bench-only-key-" + "x" * 40)
    # The benches call pages and the API hundreds of times from one client: they measure the work
    # of a request, not the public throttles (comity.lib.throttle), which would answer 429.
    os.environ.setdefault("COMITY_THROTTLES", "off")
    import django

    django.setup()


@contextlib.contextmanager
def bench_database() -> Iterator[Any]:
    """A fresh database for a bench run (`_setup()` first), removed afterwards; on SQLite a file,
    as in production, rather than Django's default in-memory test database. Yields the connection."""
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = os.path.join(
            os.environ["COMITY_DATA_DIR"], "bench.sqlite3"
        )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _stats(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return ordered[0], statistics.median(ordered), p95


def _time(fn: Callable[[], Any], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def _line(name: str, ours: list[float], bare: list[float], extra: str = "") -> None:
    o_min, o_med, o_p95 = _stats(ours)
    b_min, b_med, b_p95 = _stats(bare)
    print(f"{name}")
    print(f"    comity  min {_fmt_ms(o_min)}  median {_fmt_ms(o_med)}  p95 {_fmt_ms(o_p95)}")
    print(f"    bare    min {_fmt_ms(b_min)}  median {_fmt_ms(b_med)}  p95 {_fmt_ms(b_p95)}")
    print(f"    ratio to bare: median {o_med / b_med:5.2f}x  p95 {o_p95 / b_p95:5.2f}x{extra}")


def bench_audit_verify(events: int, runs: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from comity.core.audit import GENESIS, chain_select_sql, event_digest, verify_chain
    from comity.core.models import AuditChainHead, AuditEvent, State
    from comity.core.tenancy import state_scope

    state = State.objects.create(code="BNC", name="Bench State")
    now = timezone.now()
    prev = GENESIS
    batch: list[AuditEvent] = []
    with state_scope(state.pk):
        for seq in range(1, events + 1):
            data = {"request": f"r{seq % 997}", "status": "registered", "n": seq}
            digest = event_digest(
                state_code=state.code,
                seq=seq,
                created_at=now,
                actor_ref="bench-actor",
                authority_ref="benchauth",
                action="request.status_changed",
                object_type="request",
                object_id=f"r{seq % 997}",
                data=data,
                prev_hash=prev,
            )
            batch.append(
                AuditEvent(
                    state=state,
                    seq=seq,
                    created_at=now,
                    actor_ref="bench-actor",
                    authority_ref="benchauth",
                    action="request.status_changed",
                    object_type="request",
                    object_id=f"r{seq % 997}",
                    data=data,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            prev = digest
            if len(batch) == 5000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
        AuditChainHead.objects.create(state=state, seq=events, hash=prev)

    report = verify_chain(state)
    if not report.ok or report.events != events:
        raise SystemExit(f"bench chain does not verify: {report.breaks[:3]}")

    def bare() -> None:
        # The floor: the same query with a raw cursor, and one SHA-256 per row.
        with connection.cursor() as cursor:
            cursor.execute(chain_select_sql(), [state.pk])
            sha = hashlib.sha256
            while rows := cursor.fetchmany(20_000):
                for row in rows:
                    sha(repr(row).encode()).hexdigest()

    ours = _time(lambda: verify_chain(state), runs)
    base = _time(bare, runs)
    rate = events / statistics.median(ours)
    p95_rate = events / _stats(ours)[2]
    _line(
        f"audit chain verification ({events:,} events, {runs} runs)",
        ours,
        base,
        f"\n    throughput: median {rate:,.0f} events/s, p95 {p95_rate:,.0f} events/s  (goal >= 100,000 events/s)",
    )


def bench_api_call(calls: int) -> None:
    from django.http import HttpRequest, JsonResponse
    from django.test import Client, override_settings
    from django.urls import include, path

    from comity.accounts.models import User
    from comity.accounts.principal import principal_for_session
    from comity.accounts.services import api_token_create
    from comity.core.enums import AuthorityKind, Role
    from comity.core.models import Authority, State
    from comity.core.services import membership_create
    from comity.core.tenancy import state_scope

    state = State.objects.create(code="BNA", name="Bench API State")
    authority = Authority.objects.create(
        state=state, name="Bench central authority", kind=AuthorityKind.CENTRAL_AUTHORITY
    )
    user = User.objects.create_user("bench", password=None)
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, "JBSWY3DPEHPK3PXP")
    membership_create(actor=None, user=user, authority=authority, role=Role.SUPERVISOR)
    actor = principal_for_session(user, {})
    with state_scope(state.pk):
        _token, secret = api_token_create(actor=actor, name="bench", scopes=["read"], days=1)

    def bare_view(request: HttpRequest) -> JsonResponse:
        return JsonResponse({"ok": True})

    urlpatterns = [path("__bench/bare", bare_view), path("", include("comity.urls"))]
    module = type("BenchUrls", (), {"urlpatterns": urlpatterns})

    with override_settings(ROOT_URLCONF=module, ALLOWED_HOSTS=["testserver"]):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        for url in ("/api/v1/me", "/__bench/bare"):
            status = client.get(url).status_code
            if status != 200:
                raise SystemExit(f"bench setup: {url} answered {status}")
        for _ in range(50):  # warm-up
            client.get("/api/v1/me")
            client.get("/__bench/bare")
        ours = _time(lambda: client.get("/api/v1/me"), calls)
        bare = _time(lambda: client.get("/__bench/bare"), calls)
    _line(
        f"authenticated API call GET /api/v1/me vs bare Django view, in-process, full middleware ({calls:,} calls)",
        ours,
        bare,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--audit-events", type=int, default=200_000)
    parser.add_argument("--audit-runs", type=int, default=5)
    parser.add_argument("--api-calls", type=int, default=2_000)
    parser.add_argument(
        "--legal-basis-pairs",
        type=int,
        default=50_000,
        help="ordered pairs per cooperation type (sampled above)",
    )
    parser.add_argument("--page-runs", type=int, default=500)
    parser.add_argument(
        "--exchange-messages", type=int, default=1000, help="signed notes between two node processes"
    )
    parser.add_argument(
        "--requests", type=int, default=500_000, help="requests generated for the case list and detail bench"
    )
    parser.add_argument(
        "--knowledge-entries",
        type=int,
        default=1_000_000,
        help="generated entries for the knowledge search bench",
    )
    parser.add_argument("--knowledge-runs", type=int, default=20, help="searches per query in that bench")
    args = parser.parse_args(argv)
    _setup()
    from comity import __version__

    with bench_database() as connection:
        print(
            f"Comity {__version__} benchmarks on {connection.vendor} ({connection.settings_dict['NAME']})\n"
        )
        from comity.cases.bench import bench_requests
        from comity.directory.bench import bench_legal_basis, bench_legal_basis_api
        from comity.directory.bench_pages import bench_state_page
        from comity.drafting.bench import bench_checker
        from comity.drafting.documents.bench import bench_documents
        from comity.exchange.bench import bench_exchange

        bench_audit_verify(args.audit_events, args.audit_runs)
        print()
        bench_api_call(args.api_calls)
        print()
        bench_legal_basis(max_pairs=args.legal_basis_pairs)
        print()
        bench_legal_basis_api(calls=args.api_calls)
        print()
        bench_state_page(args.page_runs)
        print()
        bench_checker()
        print()
        bench_documents()
        print()
        bench_requests(total=args.requests)
        print()
        bench_exchange(messages=args.exchange_messages)
        print()
        from comity.knowledge.bench import bench_knowledge

        bench_knowledge(total=args.knowledge_entries, runs=args.knowledge_runs)


if __name__ == "__main__":
    main()
