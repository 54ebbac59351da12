"""`comity audit verify` and `comity audit head`: check and anchor the hash chains."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comity.core.audit import verify_all, verify_chain
from comity.core.models import AuditChainHead, State
from comity.core.tenancy import unscoped


class Command(BaseCommand):
    help = "Verify the audit hash chains (exit 1 where one breaks), or print their heads for anchoring."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute every chain and report where it breaks")
        verify.add_argument("--state", help="ISO3 code of one State (default: all)")
        verify.add_argument("--format", choices=["text", "json"], default="text")
        head = sub.add_parser("head", help="print each chain's last seq and hash, to record out of band")
        head.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "head":
            self.head(options["format"])
            return
        if options["state"]:
            state = State.objects.filter(code=options["state"].upper()).first()
            if state is None:
                raise CommandError(f"unknown State {options['state']!r}")
            reports = [verify_chain(state)]
        else:
            reports = verify_all()
        broken = [r for r in reports if not r.ok]
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "ok": not broken,
                        "chains": [
                            {
                                "state": r.state,
                                "events": r.events,
                                "breaks": [{"seq": b.seq, "problem": b.problem} for b in r.breaks],
                            }
                            for r in reports
                        ],
                    },
                    indent=2,
                )
            )
        else:
            for report in reports:
                if report.ok and report.events:
                    self.stdout.write(f"{report.state}: {report.events} events, chain intact")
                for item in report.breaks:
                    self.stdout.write(self.style.ERROR(str(item)))
            total = sum(r.events for r in reports)
            verdict = f"{len(broken)} broken" if broken else "all intact"
            self.stdout.write(f"{len(reports)} chains, {total} events: {verdict}")
        if broken:
            raise SystemExit(1)

    def head(self, fmt: str) -> None:
        with unscoped(reason="operator command: print every chain head"):
            heads = list(AuditChainHead.objects.select_related("state").order_by("state__code"))
        rows = [{"state": h.state.code, "seq": h.seq, "hash": h.hash} for h in heads]
        if fmt == "json":
            self.stdout.write(json.dumps(rows, indent=2))
        else:
            for row in rows:
                self.stdout.write(f"{row['state']} {row['seq']} {row['hash']}")
