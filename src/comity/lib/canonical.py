"""Canonical JSON: one byte string per value, so hashes and signatures are reproducible.

Keys sorted (recursively), no insignificant whitespace, UTF-8, no NaN/Infinity. Used by the audit
hash chain and by signed exchange envelopes; any change here is a breaking change for both.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson


def canonical_json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise(value: Any) -> Any:
    """Round-trip through JSON, so what we hash is exactly what a JSON column gives back."""
    return orjson.loads(orjson.dumps(value))
