"""`comity seed-demo`: load the demo data (idempotent) and print the demo logins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comity.demo import DEMO_PASSWORD, seed_all


class Command(BaseCommand):
    help = "Load demo States, authorities and one user per role (needs COMITY_DEMO=1); print the logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="do not print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.COMITY_DEMO:
            raise CommandError(
                "Demo data is only loaded with COMITY_DEMO=1 (it creates users with a known password)."
            )
        logins = seed_all()
        if options["quiet"]:
            return
        width = max(len(login.username) for login in logins)
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write("Second factor: add the TOTP secret to an authenticator app, or run")
        self.stdout.write(
            "  .venv/bin/comity totp-code USERNAME     (demo only) to print the current 6-digit code.\n"
        )
        self.stdout.write(f"{'username'.ljust(width)}  {'role'.ljust(26)}  state  TOTP secret")
        for login in logins:
            self.stdout.write(
                f"{login.username.ljust(width)}  {login.role.ljust(26)}  {login.state}    {login.totp_secret}"
            )
        self.stdout.write("")
