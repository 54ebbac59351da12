"""`comity totp-code USERNAME`: the current TOTP code of a demo user (only with COMITY_DEMO=1)."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

TOTP_PERIOD = 30


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (demo helper; refuses unless COMITY_DEMO=1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.COMITY_DEMO:
            raise CommandError("totp-code is a demo helper: it only runs with COMITY_DEMO=1.")
        authenticator = (
            Authenticator.objects.filter(user__username=options["username"], type=Authenticator.Type.TOTP)
            .select_related("user")
            .first()
        )
        if authenticator is None or not authenticator.user.email.endswith("@demo.comity.invalid"):
            raise CommandError(f"{options['username']!r} is not a demo user with TOTP.")
        secret = decrypt(authenticator.data["secret"])
        now = int(time.time())
        self.stdout.write(format_hotp_value(hotp_value(secret, now // TOTP_PERIOD)))
        self.stderr.write(f"(valid for about {TOTP_PERIOD - now % TOTP_PERIOD} more seconds)")
