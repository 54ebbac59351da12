"""The guided editor: one page per step, inline validation (htmx), the legal basis from the
engine, and the review with the checker's result and the downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comity.core.errors import InvalidInput
from comity.directory.views import labels, language_names, ui_language
from comity.drafting.documents.language import choose_document_language
from comity.drafting.documents.texts import UN_LANGUAGES
from comity.drafting.forms import ExportForm, document_language_choices, language_choices
from comity.drafting.models import Draft
from comity.drafting.selectors import access_draft, draft_legal_basis
from comity.drafting.services import InvalidDocument, draft_update, draft_use_legal_basis
from comity.drafting.steps import REVIEW, Step, StepEditor, find_step, next_step, steps_for
from comity.drafting.steps_guidance import DraftGuide, draft_guide, state_notes
from comity.knowledge.selectors import related_cases
from comity.vocabulary import CooperationType, LegalBasisKind, WarningCode
from comity.web.views import permission_required, principal_of


def step_url(draft: Draft, step: Step) -> str:
    if step == REVIEW:
        return reverse("drafting:review", args=[draft.code])
    return reverse("drafting:step", args=[draft.code, step.slug])


def _step(draft: Draft, slug: str) -> Step:
    step = find_step(draft.request_type, slug)
    if step is None or step == REVIEW:
        raise Http404("No such step.")
    return step


def _header_context(draft: Draft, guide: DraftGuide) -> dict[str, Any]:
    language = draft.document["language"]
    return {
        "draft": draft,
        "guide": guide,
        "language_name": language_names(ui_language()).get(language, language),
    }


def _page_context(draft: Draft, step: Step, guide: DraftGuide) -> dict[str, Any]:
    """What every page of the editor shows: the steps (with missing counts), the guidance."""
    steps = steps_for(draft.request_type)
    names = language_names(ui_language())
    return {
        **_header_context(draft, guide),
        "step": step,
        "number": steps.index(step) + 1,
        "total": len(steps),
        "step_nav": [
            {"step": s, "url": step_url(draft, s), "current": s == step, "missing": guide.missing_on(s)}
            for s in steps
        ],
        "rows": guide.rows_for(step),
        "notes": state_notes(guide, step, language_names=dict(names)),
        "next": next_step(draft.request_type, step),
        "related_cases": related_cases(
            state=draft.document["requested_state"],
            measures=[m["measure"] for m in draft.document.get("measures", [])],
        ),
    }


def _editor_context(draft: Draft, step: Step, editor: StepEditor) -> dict[str, Any]:
    return {
        "editor": editor,
        "validate_url": reverse("drafting:validate", args=[draft.code, step.slug]),
        "summary": editor.error_summary() if editor.is_bound else [],
    }


def _suggestions(answer: dict[str, Any] | None) -> dict[str, Any]:
    """Prefill the requested authority with the central authority the directory names."""
    authority = (answer or {}).get("requested_state", {}).get("central_authority")
    return {"requested_authority__name": authority["name"]} if authority else {}


@permission_required("drafting.view_drafts")
@require_http_methods(["GET", "POST"])
def draft_step(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    principal = principal_of(request)
    draft = access_draft(principal, code)
    step = _step(draft, slug)
    languages = language_choices(ui_language())
    legal_basis = draft_legal_basis(draft) if step.slug == "parties" else None
    status = 200
    if request.method == "POST":
        editor = StepEditor(step, draft, request.POST, languages=languages)
        if editor.is_valid():
            try:
                draft_update(actor=principal, draft=draft, changes=editor.changes())
            except InvalidDocument as exc:
                editor.add_document_errors(exc.errors)
            except InvalidInput as exc:
                editor.add_document_errors([(exc.field, exc.message)])
            else:
                messages.success(request, _("Saved."))
                after = next_step(draft.request_type, step) if request.POST.get("then") == "next" else None
                return redirect(step_url(draft, after or step))
        status = 422
    else:
        suggestions = _suggestions(legal_basis.answer if legal_basis else None)
        editor = StepEditor(step, draft, languages=languages, suggestions=suggestions)
    context = {**_page_context(draft, step, draft_guide(draft)), **_editor_context(draft, step, editor)}
    if legal_basis is not None:
        language = ui_language()
        context.update(
            labels(language),
            legal_basis=legal_basis.answer,
            legal_basis_error=legal_basis.error,
            cooperation_type=legal_basis.cooperation_type,
            cooperation_labels=dict(CooperationType.choices),
            basis_kind_labels=dict(LegalBasisKind.choices),
            warning_labels=dict(WarningCode.choices),
        )
    return render(request, "drafting/step.html", context, status=status)


@permission_required("drafting.view_drafts")
@require_POST
def draft_step_validate(request: HttpRequest, code: str, slug: str) -> HttpResponse:
    """The step's fields, checked as they would be on save (nothing saved). Always 200, so htmx
    swaps the fields with their errors."""
    draft = access_draft(principal_of(request), code)
    step = _step(draft, slug)
    editor = StepEditor(step, draft, request.POST, languages=language_choices(ui_language()))
    editor.check()
    context = {"draft": draft, "step": step, **_editor_context(draft, step, editor), "summary": []}
    return render(request, "drafting/_step_fields.html", context)


@permission_required("drafting.view_drafts")
@require_POST
def draft_legal_basis_take(request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_of(request)
    draft = access_draft(principal, code)
    result = draft_legal_basis(draft)
    if result.answer is None:
        messages.error(
            request, _("The legal-basis engine could not answer: %(error)s") % {"error": result.error}
        )
    else:
        try:
            draft_use_legal_basis(actor=principal, draft=draft, answer=result.answer)
        except InvalidInput as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The legal bases found by the engine are now in the request."))
    return redirect(f"{reverse('drafting:step', args=[draft.code, 'parties'])}#document-legal-basis")


@permission_required("drafting.view_drafts")
@require_GET
def draft_review(request: HttpRequest, code: str) -> HttpResponse:
    draft = access_draft(principal_of(request), code)
    guide = draft_guide(draft)
    export_form = ExportForm(
        languages=document_language_choices(ui_language()), initial={"language": _default_language(guide)}
    )
    context = {
        **_page_context(draft, REVIEW, guide),
        "checklist_rows": guide.checklist_rows(),
        "export_form": export_form,
    }
    return render(request, "drafting/review.html", context)


def _default_language(guide: DraftGuide) -> str:
    """The request's language if the requested State accepts it, else one of the UN languages it
    accepts (the document generator's own choice)."""
    preferred = guide.draft.document["language"]
    if preferred not in UN_LANGUAGES:
        preferred = "en"
    accepted = list(guide.requirements.languages) if guide.requirements else []
    return choose_document_language(accepted, preferred)[0]


@permission_required("drafting.view_drafts")
@require_GET
def draft_checklist(request: HttpRequest, code: str) -> HttpResponse:
    """The checklist of the draft's type and measures, on a page made for printing."""
    draft = access_draft(principal_of(request), code)
    guide = draft_guide(draft)
    context = {**_header_context(draft, guide), "checklist_rows": guide.checklist_rows()}
    return render(request, "drafting/checklist.html", context)
