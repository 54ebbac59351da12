"""Pages of the request writer: the drafts list, a new draft, JSON import, delete and exports.
The step-by-step editor, the review and the printable checklist are in views_steps.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comity.accounts.principal import Principal
from comity.core.errors import InvalidInput
from comity.core.rules import can
from comity.directory.selectors import state_choices
from comity.directory.views import ui_language
from comity.drafting.forms import (
    DraftImportForm,
    DraftNewForm,
    ExportForm,
    document_language_choices,
    language_choices,
)
from comity.drafting.selectors import access_draft, drafts_visible
from comity.drafting.services import (
    MAX_IMPORT_BYTES,
    InvalidDocument,
    draft_create,
    draft_delete,
    draft_export,
    draft_import,
)
from comity.drafting.steps import STEPS
from comity.drafting.views_steps import step_url
from comity.web.views import permission_required, principal_of

LIST_LIMIT = 200
IMPORT_ERRORS_SHOWN = 20


def _render_list(
    request: HttpRequest, principal: Principal, *, import_form: DraftImportForm, status: int = 200
) -> HttpResponse:
    language = ui_language()
    rows = [
        {"draft": draft, "state": draft.requested_state.name_in(language), "title": draft.title}
        for draft in drafts_visible(principal)[:LIST_LIMIT]
    ]
    return render(
        request,
        "drafting/list.html",
        {"rows": rows, "import_form": import_form, "can_create": can(principal, "drafting.create_draft")},
        status=status,
    )


@permission_required("drafting.view_drafts")
@require_GET
def draft_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request, principal_of(request), import_form=DraftImportForm())


@permission_required("drafting.create_draft")
@require_http_methods(["GET", "POST"])
def draft_new(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    own = principal.acting_authority().state.code
    language = ui_language()
    form = DraftNewForm(
        request.POST or None,
        states=[(code, name) for code, name in state_choices(language=language) if code != own],
        languages=language_choices(language),
        initial={"language": language.split("-")[0]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            draft = draft_create(
                actor=principal,
                request_type=form.cleaned_data["request_type"],
                requested_state=form.cleaned_data["requested_state"],
                language=form.cleaned_data["language"],
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, _("Draft created. Fill in the steps in any order; nothing leaves Comity.")
            )
            return redirect(step_url(draft, STEPS[0]))
    status = 422 if request.method == "POST" else 200
    return render(request, "drafting/new.html", {"form": form}, status=status)


@permission_required("drafting.create_draft")
@require_POST
def draft_import_view(request: HttpRequest) -> HttpResponse:
    principal = principal_of(request)
    form = DraftImportForm(request.POST, request.FILES)
    if form.is_valid():
        raw = form.cleaned_data["file"].read(MAX_IMPORT_BYTES + 1)
        try:
            draft = draft_import(actor=principal, raw_json=raw)
        except InvalidDocument as exc:
            for path, message in exc.errors[:IMPORT_ERRORS_SHOWN]:
                form.add_error("file", f"{path}: {message}" if path else message)
        except InvalidInput as exc:
            form.add_error("file", exc.message if exc.field == "file" else f"{exc.field}: {exc.message}")
        else:
            messages.success(request, _("Request imported as a new draft."))
            return redirect("drafting:review", code=draft.code)
    return _render_list(request, principal, import_form=form, status=422)


@permission_required("drafting.view_drafts")
@require_http_methods(["GET", "POST"])
def draft_delete_view(request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(request)
    draft = access_draft(principal, code)
    if request.method == "POST":
        draft_delete(actor=principal, draft=draft)
        messages.success(request, _("Draft deleted."))
        return redirect("drafting:list")
    return render(request, "drafting/delete.html", {"draft": draft})


@permission_required("drafting.view_drafts")
@require_POST
def draft_export_view(request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(request)
    draft = access_draft(principal, code)
    form = ExportForm(request.POST, languages=document_language_choices(ui_language()))
    if not form.is_valid():
        messages.error(request, _("Choose a format and a language."))
        return redirect("drafting:review", code=draft.code)
    try:
        export = draft_export(
            actor=principal,
            draft=draft,
            fmt=form.cleaned_data["format"],
            language=form.cleaned_data["language"] or None,
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return redirect("drafting:review", code=draft.code)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
