"""HTML interface. Views parse input, call selectors and services, render; no business rules."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comity.accounts.principal import Principal
from comity.accounts.selectors import access_api_token, api_tokens_visible
from comity.accounts.services import (
    api_token_create,
    api_token_revoke,
    principal_switch_authority,
    user_set_preferences,
)
from comity.core.audit import audit_record
from comity.core.enums import AuditAction
from comity.core.errors import ComityError, InvalidInput
from comity.core.rules import can
from comity.core.selectors import audit_events_visible
from comity.web.forms import AuditFilterForm, PreferencesForm, TokenCreateForm

AUDIT_PAGE = 50


def principal_of(request: HttpRequest) -> Principal:
    return request.principal  # type: ignore[attr-defined]


def permission_required(
    permission: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Login, then the rule; a logged-in user without it gets a 403 page."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(principal_of(request), permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html")


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    return render(request, "web/dashboard.html", {"is_member": principal.is_member})


@login_required
@require_POST
def switch_authority(request: HttpRequest) -> HttpResponse:
    try:
        principal_switch_authority(
            actor=principal_of(request),
            session=request.session,
            authority_code=request.POST.get("authority", "")[:16],
        )
    except ComityError as exc:
        messages.error(request, exc.message)
    return redirect("web:dashboard")


@permission_required("accounts.manage_own_tokens")
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    form = TokenCreateForm(request.POST or None)
    created_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, created_secret = api_token_create(
                actor=principal,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                days=form.cleaned_data["days"],
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = TokenCreateForm()
    status = 422 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "web/tokens.html",
        {"form": form, "tokens": api_tokens_visible(principal), "created_secret": created_secret},
        status=status,
    )


@permission_required("accounts.manage_own_tokens")
@require_POST
def token_revoke(request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(request)
    token = access_api_token(principal, code)
    api_token_revoke(actor=principal, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("web:tokens")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    user = principal.user
    form = PreferencesForm(
        request.POST or None, initial={"language": user.language, "time_zone": user.time_zone}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_set_preferences(
                actor=principal,
                language=form.cleaned_data["language"] or None,
                time_zone=form.cleaned_data["time_zone"] or None,
            )
        except InvalidInput as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, _("Preferences saved."))
            return redirect("web:preferences")
    status = 422 if request.method == "POST" and form.errors else 200
    return render(request, "web/preferences.html", {"form": form}, status=status)


@permission_required("core.view_audit_trail")
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    form = AuditFilterForm(request.GET or None)
    events = audit_events_visible(principal)
    filters: dict[str, str] = {}
    if form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
        events = events.filter(**filters)
    rows = list(events[:AUDIT_PAGE])
    authority = principal.acting_authority()
    audit_record(
        state=authority.state,
        action=AuditAction.AUDIT_TRAIL_VIEWED,
        actor=principal.user,
        authority=authority,
        object_type=filters.get("object_type", ""),
        object_id=filters.get("object_id", ""),
        data={"via": "web", "count": len(rows)},
    )
    template = "web/_audit_rows.html" if request.htmx else "web/audit.html"  # type: ignore[attr-defined]
    status = 422 if form.errors else 200
    return render(request, template, {"form": form, "events": rows}, status=status)
