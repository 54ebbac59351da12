from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from comity.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_active", "is_staff"]
    readonly_fields = ["public_id", "last_login", "date_joined"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # audit events point at users: deactivate (is_active) instead of deleting


# Resetting someone's second factor would let an operator take over the account; it is not an
# admin click (a reset procedure with four eyes is future work, see THREAT_MODEL.md).
if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)
