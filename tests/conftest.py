from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connections
from django.test import Client

from comity.accounts.principal import principal_for_session
from comity.cli import main as comity
from tests.factories import World, make_world


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings: Any) -> None:
    # Argon2 is the production hasher (tested in tests/accounts); tests hash with MD5 for speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Commands run Django's system checks, which refuse the development key outside DEBUG.
    settings.SECRET_KEY = "test-secret-key-not-the-development-default-0123456789abcdef"
    cache.clear()


@pytest.fixture
def world(db: Any) -> World:
    return make_world()


def logged_in(user: Any) -> Client:
    """A client whose session has passed password and TOTP (force_login skips the login flow)."""
    client = Client()
    client.force_login(user)
    return client


def principal(user: Any, **session: Any) -> Any:
    return principal_for_session(user, session)


CliRun = Callable[..., tuple[int, str, str]]


@pytest.fixture
def comity_cli(monkeypatch: Any, capsys: Any) -> CliRun:
    """Run `comity SUBCOMMAND ARGS...` in-process; returns (exit code, stdout, stderr)."""
    # `comity` closes the database connections when it ends; the test database must stay open.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args: str) -> tuple[int, str, str]:
        try:
            comity(["comity", *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run
