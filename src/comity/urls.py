from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from comity.api.urls import api_urlpatterns

# The admin logs in through allauth, so operators pass the same MFA as everyone.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Comity operators"

urlpatterns = [
    path("favicon.ico", RedirectView.as_view(url=static("comity/favicon.svg"), permanent=True)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ops/admin/", admin.site.urls),
    *api_urlpatterns,
    path("node/v1/", include("comity.exchange.urls")),
    path("exchange/", include("comity.exchange.urls_ops")),
    path("directory/", include("comity.directory.urls")),
    path("drafting/", include("comity.drafting.urls")),
    path("cases/", include("comity.cases.urls")),
    path("cases/", include("comity.cases.urls_attachments")),
    path("knowledge/", include("comity.knowledge.urls")),
    path("", include("comity.web.urls")),
]

handler400 = "comity.web.views.errors.bad_request"
handler403 = "comity.web.views.errors.forbidden"
handler404 = "comity.web.views.errors.not_found"
handler500 = "comity.web.views.errors.server_error"
