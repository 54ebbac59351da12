"""Benchmarks of the public directory pages, each beside a bare Django view in the same run.

`bench_state_page()` measures GET /directory/states/<ISO3>/ in process (django.test.Client, the
full middleware stack) for a State with ~10 authorities, 20 declarations and 50 treaties, and the
same client fetching a bare view that returns a fixed HTML page. It needs a configured Django and
a database it may write to; `main()` provides both (a fresh test database, dropped afterwards):

    python -m comity.directory.bench_pages [--runs N]

Figures are reported, never asserted (DESIGN.md section 5).
"""

from __future__ import annotations

import argparse
import datetime as dt

from comity.bench import _line, _setup, _stats, _time, bench_database

BENCH_STATE = "BNS"


def _seed_state(*, authorities: int, declarations: int, treaties: int) -> str:
    """A State with that many authorities (each with a contact entry), declarations and treaties."""
    from comity.core.enums import AuthorityKind
    from comity.core.models import Authority, State
    from comity.directory.enums import DeclarationKind, PartyStatus, TreatyScope
    from comity.directory.models import AuthorityContact, Declaration, RequirementProfile, Treaty, TreatyParty

    state = State.objects.create(
        code=BENCH_STATE,
        name="Bench State",
        names={"en": "Bench State", "fr": "État de banc", "es": "Estado de banco"},
    )
    untoc, _created = Treaty.objects.get_or_create(
        code="untoc",
        defaults={
            "title": "United Nations Convention against Transnational Organized Crime",
            "scope": TreatyScope.MULTILATERAL,
            "in_force_on": dt.date(2003, 9, 29),
        },
    )
    others = Treaty.objects.bulk_create(
        Treaty(code=f"bench-treaty-{i:03d}", title=f"Bench treaty {i}", scope=TreatyScope.BILATERAL)
        for i in range(treaties - 1)
    )
    TreatyParty.objects.bulk_create(
        TreatyParty(
            treaty=t,
            state=state,
            status=PartyStatus.PARTY if i % 5 else PartyStatus.PARTY_DATE_UNKNOWN,
            signature_date=dt.date(2000, 12, 12),
            consent_date=dt.date(2003, 1, 1),
            in_force_date=dt.date(2003, 9, 29) if i % 5 else None,
        )
        for i, t in enumerate([untoc, *others])
    )
    articles = ["16(5)", "18(13)", "18(14)", "5(3)", "35(2)"]
    Declaration.objects.bulk_create(
        Declaration(
            treaty=untoc,
            state=state,
            article=articles[i % len(articles)],
            kind=DeclarationKind.DECLARATION,
            date=dt.date(2003, 1, 1),
            summary=f"Bench declaration {i}: requests accepted in English and French",
            languages=["en", "fr"],
            source_url="https://treaties.un.org/",
        )
        for i in range(declarations)
    )
    created = Authority.objects.bulk_create(
        Authority(state=state, name=f"Bench authority {i}", kind=AuthorityKind.CENTRAL_AUTHORITY)
        for i in range(authorities)
    )
    AuthorityContact.objects.bulk_create(
        AuthorityContact(
            authority=a,
            functions=["central_mla", "central_extradition"],
            languages=["en", "fr", "es"],
            channels=["email", "diplomatic"],
            email=f"authority{i}@bench.example.org",
            phone="+1 555 0100",
            urgent_contact="+1 555 0199 (24/7)",
            office_hours="Mon-Fri 09:00-17:00",
            time_zone="UTC",
            address="1 Bench Street",
            website="https://bench.example.org/",
            last_verified=dt.date(2020, 1, 1) if i % 3 == 0 else dt.date.today(),
        )
        for i, a in enumerate(created)
    )
    RequirementProfile.objects.bulk_create(
        RequirementProfile(state=state, subject=subject, typical_execution_days=90)
        for subject in ("mla", "extradition", "bank_records")
    )
    return state.code


def bench_state_page(
    runs: int = 500, *, authorities: int = 10, declarations: int = 20, treaties: int = 50
) -> tuple[float, float]:
    """Print the State page's timings beside a bare view's; return (ours p95, bare p95) in seconds."""
    from django.http import HttpRequest, HttpResponse
    from django.test import Client, override_settings
    from django.urls import include, path

    code = _seed_state(authorities=authorities, declarations=declarations, treaties=treaties)
    bare_html = "<!DOCTYPE html><html lang='en'><title>bare</title><main><h1>Bench State</h1></main></html>"

    def bare_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(bare_html)

    urlpatterns = [path("__bench/bare", bare_view), path("", include("comity.urls"))]
    module = type("BenchPageUrls", (), {"urlpatterns": urlpatterns})
    url = f"/directory/states/{code}/"

    with override_settings(ROOT_URLCONF=module, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        response = client.get(url)
        if response.status_code != 200 or b"Bench authority 9" not in response.content:
            raise SystemExit(f"bench setup: {url} answered {response.status_code}")
        for _ in range(30):  # warm-up: templates compiled, translations loaded
            client.get(url)
            client.get("/__bench/bare")
        ours = _time(lambda: client.get(url), runs)
        bare = _time(lambda: client.get("/__bench/bare"), runs)
        if (status := client.get(url).status_code) != 200:  # e.g. a throttle answering 429
            raise SystemExit(f"bench: {url} answered {status} after the timed calls")
    _line(
        f"directory State page GET {url} ({authorities} authorities, {declarations} declarations, "
        f"{treaties} treaties) vs bare Django view, in-process, full middleware ({runs:,} calls)",
        ours,
        bare,
        "\n    goal: same order as a case detail page (DESIGN.md: detail p95 <= 50 ms)",
    )
    return _stats(ours)[2], _stats(bare)[2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args(argv)
    _setup()
    with bench_database() as connection:
        print(f"Comity directory page benchmarks on {connection.vendor}\n")
        bench_state_page(args.runs)


if __name__ == "__main__":
    main()
