"""Production defaults of settings.py (what a deployment gets without setting anything)."""

from __future__ import annotations


def test_production_cookie_and_transport_defaults():
    from comity import settings as s

    assert (s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY) == (True, True, True)
    assert (s.SESSION_COOKIE_SAMESITE, s.SESSION_COOKIE_NAME) == ("Lax", "__Host-comity_session")
    assert s.SECURE_HSTS_SECONDS == 31536000
    assert s.X_FRAME_OPTIONS == "DENY"
