"""Public identifiers: random, URL-safe, never integer keys."""

from __future__ import annotations

import secrets

_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"  # no 0/O/1/l: read aloud over the phone


def random_code(length: int = 12) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
