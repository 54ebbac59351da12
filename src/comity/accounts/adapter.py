"""allauth adapters: no self sign-up; TOTP secrets encrypted at rest."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Staff accounts are created by operators for known people at known authorities.
        return False


def _fernet() -> Fernet:
    key = hashlib.sha256(b"comity.mfa.v1:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


class MFAAdapter(DefaultMFAAdapter):
    """Encrypts TOTP secrets with a key derived from SECRET_KEY (allauth stores them in clear)."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        return _fernet().decrypt(encrypted_text.encode()).decode()

    def get_public_key_credential_rp_entity(self) -> dict[str, Any]:
        return {"id": settings.ALLOWED_HOSTS[0].strip("[]"), "name": "Comity"}
