"""Benchmarks of the legal-basis engine, run by `make bench` (`comity.bench`) on its fresh database.

    bench_legal_basis(max_pairs=50_000)   # in-process answer() across ordered pairs of States
    bench_legal_basis_api(calls=2_000)    # GET /api/v1/legal-basis through the full middleware

Both load the reference data first (`comity.directory.importers`) when the directory is empty,
or a synthetic directory of the same size when the importer is not installed. Each prints min /
median / p95 beside a bare baseline doing the lookup of the same facts, with the ratio; the goals
(DESIGN.md section 5: p95 <= 5 ms in-process, <= 20 ms over the API) are reported, never asserted.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import string
from typing import Any

from comity.bench import _line, _stats, _time

_QUERY: dict[str, Any] = {
    "max_penalty_requesting": 10,
    "max_penalty_requested": 8,
    "transnational": True,
    "organized_group": True,
}


def ensure_directory() -> str:
    """Fill an empty directory: the reference data, else a synthetic one. Says which."""
    from comity.directory.models import Treaty

    if Treaty.objects.filter(code="untoc").exists():
        return "the directory already loaded"
    try:
        from comity.directory.importers import import_reference_data
    except ImportError:
        _synthetic_directory()
        return "synthetic directory (reference importer not installed)"
    import_reference_data()
    return "reference data"


def _synthetic_directory(states: int = 195, seed: int = 0) -> None:
    """About the size of the real one: UNTOC, two regional treaties, a hundred bilateral ones."""
    from comity.core.models import State
    from comity.directory.enums import PartyStatus, TreatyScope, TriState
    from comity.directory.models import Declaration, Treaty, TreatyParty

    rng = random.Random(seed)  # noqa: S311 - benchmark data, not security
    codes = [
        "".join(c) for c in itertools.islice(itertools.product(string.ascii_uppercase, repeat=3), states)
    ]
    rows = State.objects.bulk_create([State(code=c, name=f"Bench {c}") for c in codes])
    untoc = Treaty.objects.create(
        code="untoc",
        title="United Nations Convention against Transnational Organized Crime",
        scope=TreatyScope.MULTILATERAL,
        subjects=["mla", "extradition"],
        in_force_on=dt.date(2003, 9, 29),
        days_after_deposit=30,
    )
    parties, declarations = [], []
    for state in rows:
        status = rng.choice(
            [PartyStatus.PARTY] * 18 + [PartyStatus.PARTY_DATE_UNKNOWN, PartyStatus.SIGNATORY]
        )
        consent = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(8000))
        parties.append(TreatyParty(treaty=untoc, state=state, status=status, consent_date=consent))
        if rng.random() < 0.3:
            basis = rng.choice([TriState.YES, TriState.NO, TriState.UNKNOWN])
            declarations.append(
                Declaration(
                    treaty=untoc,
                    state=state,
                    article="16(5)",
                    kind="declaration",
                    summary="-",
                    untoc_extradition_basis=basis,
                )
            )
        if rng.random() < 0.3:
            declarations.append(
                Declaration(
                    treaty=untoc,
                    state=state,
                    article="18(14)",
                    kind="declaration",
                    summary="-",
                    languages=["en"],
                )
            )
    treaties = [
        Treaty(
            code=f"regional-{s}",
            title=f"Regional {s}",
            scope=TreatyScope.REGIONAL,
            subjects=[s],
            in_force_on=dt.date(1960, 1, 1),
        )
        for s in ("mla", "extradition")
    ] + [
        Treaty(
            code=f"bilateral-{i}",
            title=f"Bilateral {i}",
            scope=TreatyScope.BILATERAL,
            subjects=["mla", "extradition"],
        )
        for i in range(100)
    ]
    Treaty.objects.bulk_create(treaties)
    for treaty in Treaty.objects.exclude(code="untoc"):
        members = rng.sample(rows, 50 if treaty.scope == TreatyScope.REGIONAL else 2)
        since = dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(15000))
        parties += [
            TreatyParty(treaty=treaty, state=s, status=PartyStatus.PARTY, in_force_date=since)
            for s in members
        ]
    TreatyParty.objects.bulk_create(parties)
    Declaration.objects.bulk_create(declarations)


def _queries(max_pairs: int, seed: int) -> tuple[dict[str, list[Any]], int, int]:
    """Queries per cooperation type across ordered pairs of States (a sample beyond max_pairs)."""
    from comity.directory.legal_basis import LegalBasisQuery, load_facts
    from comity.vocabulary import CooperationType

    facts = load_facts()
    codes = sorted(facts.states)
    pairs = [(a, b) for a in codes for b in codes if a != b]
    total = len(pairs)
    if total > max_pairs:
        pairs = random.Random(seed).sample(pairs, max_pairs)  # noqa: S311 - benchmark sample
    today = dt.date.today()
    queries = {
        str(t): [
            LegalBasisQuery(requesting=a, requested=b, type=str(t), date=today, **_QUERY) for a, b in pairs
        ]
        for t in CooperationType.values
    }
    return queries, total, len(codes)


def _bare_table(queries: dict[str, list[Any]]) -> dict[tuple[str, str, str], tuple[bool, tuple[str, ...]]]:
    """The baseline's precomputed facts: per (requesting, requested, type), whether both are
    UNTOC parties and the treaties they share."""
    from comity.directory.legal_basis import load_facts

    facts = load_facts()
    untoc = facts.untoc.bound if facts.untoc else {}
    empty: frozenset[str] = frozenset()
    return {
        (q.requesting, q.requested, q.type): (
            q.requesting in untoc and q.requested in untoc,
            tuple(
                sorted(facts.treaties_of.get(q.requesting, empty) & facts.treaties_of.get(q.requested, empty))
            ),
        )
        for qs in queries.values()
        for q in qs
    }


def bench_legal_basis(max_pairs: int = 50_000, seed: int = 0) -> None:
    """In-process `answer()` for every ordered pair of States (sampled beyond `max_pairs`) and
    each cooperation type, beside a dict lookup of precomputed facts for the same keys."""
    from comity.directory.legal_basis import answer, load_facts

    source = ensure_directory()
    load_facts()  # build the snapshot once, outside the timings
    queries, total, states = _queries(max_pairs, seed)
    table = _bare_table(queries)
    sampled = "all" if total <= max_pairs else f"a sample of {max_pairs:,}"
    everything: list[float] = []
    bare_all: list[float] = []
    for cooperation_type, batch in queries.items():
        answers = iter(batch)
        keys = iter([(q.requesting, q.requested, q.type) for q in batch])
        ours = _time(lambda: answer(next(answers)), len(batch))  # noqa: B023 - consumed in this iteration
        bare = _time(lambda: table[next(keys)], len(batch))  # noqa: B023 - consumed in this iteration
        everything += ours
        bare_all += bare
        _line(f"legal-basis answer in-process, {cooperation_type} ({len(batch):,} pairs)", ours, bare)
    p95 = _stats(everything)[2]
    _line(
        f"legal-basis answer in-process, all types ({len(everything):,} answers; {states} States from {source}, "
        f"{total:,} ordered pairs, {sampled} per type)",
        everything,
        bare_all,
        f"\n    goal: p95 <= 5 ms -> {'met' if p95 <= 0.005 else 'NOT met'} ({p95 * 1000:.2f} ms)",
    )


def bench_legal_basis_api(calls: int = 2_000, seed: int = 0) -> None:
    """GET /api/v1/legal-basis through the full middleware (django.test.Client, no token) for a
    sample of pairs and types, beside a bare Django view answering a dict lookup as JSON."""
    from urllib.parse import urlencode

    from django.http import HttpRequest, JsonResponse
    from django.test import Client, override_settings
    from django.urls import include, path

    from comity.directory.legal_basis import load_facts

    source = ensure_directory()
    load_facts()
    queries, total, states = _queries(max(1, calls // 5), seed)
    table = _bare_table(queries)
    batch = [q for qs in queries.values() for q in qs]
    random.Random(seed).shuffle(batch)  # noqa: S311 - benchmark order
    urls = [
        "/api/v1/legal-basis?"
        + urlencode(
            {k: str(v).lower() if isinstance(v, bool) else v for k, v in q.as_dict().items() if v is not None}
        )
        for q in batch
    ]
    bare_urls = [f"/__bench/legal-basis/{q.requesting}/{q.requested}/{q.type}" for q in batch]

    def bare_view(request: HttpRequest, a: str, b: str, t: str) -> JsonResponse:
        untoc, treaties = table[(a, b, t)]
        return JsonResponse({"untoc": untoc, "treaties": list(treaties)})

    urlpatterns = [
        path("__bench/legal-basis/<str:a>/<str:b>/<str:t>", bare_view),
        path("", include("comity.urls")),
    ]
    module = type("BenchLegalBasisUrls", (), {"urlpatterns": urlpatterns})
    with override_settings(ROOT_URLCONF=module, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        for url in (urls[0], bare_urls[0]):
            status = client.get(url).status_code
            if status != 200:
                raise SystemExit(f"bench setup: {url} answered {status}")
        for url, bare_url in itertools.islice(
            zip(itertools.cycle(urls), itertools.cycle(bare_urls), strict=False), 50
        ):
            client.get(url)  # warm-up
            client.get(bare_url)
        ours_urls, bare_urls_it = iter(urls), iter(bare_urls)
        ours = _time(lambda: client.get(next(ours_urls)), len(urls))
        bare = _time(lambda: client.get(next(bare_urls_it)), len(bare_urls))
        if (status := client.get(urls[-1]).status_code) != 200:  # e.g. a throttle answering 429
            raise SystemExit(f"bench: {urls[-1]} answered {status} after the timed calls")
    p95 = _stats(ours)[2]
    _line(
        f"GET /api/v1/legal-basis vs bare Django view, in-process, full middleware ({len(urls):,} calls; "
        f"{states} States from {source}, pairs sampled from {total:,})",
        ours,
        bare,
        f"\n    goal: p95 <= 20 ms -> {'met' if p95 <= 0.020 else 'NOT met'} ({p95 * 1000:.2f} ms)",
    )
