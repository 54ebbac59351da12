from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path

from comity.api.base import api
from comity.api.routers.core import router as core_router
from comity.api.routers.directory import router as directory_router
from comity.api.routers.directory_changes import router as directory_changes_router
from comity.api.routers.drafting import router as drafting_router
from comity.api.routers.drafting_documents import router as drafting_documents_router
from comity.api.routers.knowledge import router as knowledge_router
from comity.api.routers.legal_basis import router as legal_basis_router

api.add_router("/", core_router)
api.add_router("/directory/changes", directory_changes_router)
api.add_router("/directory", directory_router)
api.add_router("/", legal_basis_router)
api.add_router("/", drafting_router)
api.add_router("/", drafting_documents_router)
api.add_router("/", knowledge_router)


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return JsonResponse({"code": "not_found", "message": "No such API endpoint."}, status=404)


api_urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
]
