"""/api/v1/directory/...: the machine-readable directory (public read)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["directory"])
