"""Multi-process exchange tests: nodes as separate processes (comity.exchange.testing)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def random_file(path: Path, size: int) -> str:
    """Write `size` random bytes to `path` in 1 MiB pieces; their SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        left = size
        while left:
            chunk = os.urandom(min(left, 1024 * 1024))
            digest.update(chunk)
            handle.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()
