"""System checks: refuse to run in production with development defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=False)
def check_secret_key(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.DEBUG:
        return []
    if settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY or len(settings.SECRET_KEY) < 40:
        return [
            Error(
                "DEBUG is off and COMITY_SECRET_KEY is the development default (or shorter than 40 characters).",
                hint="Set COMITY_SECRET_KEY or COMITY_SECRET_KEY_FILE to a long random value.",
                id="comity.E001",
            )
        ]
    return []


def refuse_unsafe_start() -> None:
    """Run from wsgi.py/asgi.py: management commands run checks, application servers do not."""
    from django.core.exceptions import ImproperlyConfigured

    errors = check_secret_key(None)
    if errors:
        raise ImproperlyConfigured(f"{errors[0].msg} {errors[0].hint}")


@register(Tags.security, deploy=False)
def check_demo_on_production_database(app_configs: Any, **kwargs: Any) -> list[Warning]:
    engine = settings.DATABASES["default"]["ENGINE"]
    if settings.COMITY_DEMO and "sqlite" not in engine:
        return [
            Warning(
                "COMITY_DEMO is on with a non-SQLite database: demo helpers (TOTP codes on the command line) are enabled.",
                hint="Unset COMITY_DEMO outside demonstrations.",
                id="comity.W001",
            )
        ]
    return []


@register(Tags.security, deploy=False)
def check_attachment_keys(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.DEBUG or not getattr(settings, "COMITY_ATTACHMENT_KEYS_DERIVED", False):
        return []
    return [
        Warning(
            "DEBUG is off and COMITY_ATTACHMENT_KEYS is unset: attachments are encrypted with a key derived from SECRET_KEY.",
            hint="Set COMITY_ATTACHMENT_KEYS (or COMITY_ATTACHMENT_KEYS_FILE) to `keyid:base64key` with a random 32-byte key, and keep it apart from SECRET_KEY.",
            id="comity.W002",
        )
    ]
