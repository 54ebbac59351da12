"""/api/v1/legal-basis: which instrument applies between two States (public read)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["legal basis"])
