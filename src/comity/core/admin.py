"""Operators' admin: the public directory of States and authorities, and memberships.

State-owned data (audit events, tokens, and later cases) is deliberately not registered here:
operators run the installation, they do not read States' case data (THREAT_MODEL.md).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from comity.core.models import Authority, Membership, State
from comity.core.services import membership_create, membership_end


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind"]
    search_fields = ["code", "name"]
    list_filter = ["kind"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "kind", "code"]
    search_fields = ["name", "state__code"]
    list_filter = ["kind"]
    list_select_related = ["state"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "authority", "role", "created_at", "ended_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "authority__name"]
    list_select_related = ["user", "authority__state"]
    fields = ["user", "authority", "role"]

    actions = ["end_memberships"]

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # end a membership and create another: history stays in the audit chain

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    @admin.action(description="End the selected memberships")
    def end_memberships(self, request: Any, queryset: Any) -> None:
        for membership in queryset.select_related("authority__state"):
            membership_end(actor=request.user, membership=membership)

    def save_model(self, request: Any, obj: Membership, form: Any, change: bool) -> None:
        created = membership_create(actor=request.user, user=obj.user, authority=obj.authority, role=obj.role)
        obj.pk = created.pk
