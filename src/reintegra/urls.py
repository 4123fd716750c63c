from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from reintegra.health import healthz, readyz
from reintegra.observability import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("reintegra.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("proteccion/", include("reintegra.access.urls")),
    path("proteccion/", include("reintegra.protection.urls")),
    path("programas/", include("reintegra.access.programme_urls")),
    path("recordatorios/", include("reintegra.reminders.urls")),
    path("exportaciones/", include("reintegra.access.export_job_urls")),
    path("sostenibilidad/", include("reintegra.sustainability.urls")),
    path("derivaciones/", include("reintegra.referrals.urls")),
    path("ninez/", include("reintegra.children.urls")),
    path("estructural/", include("reintegra.structural.urls")),
    path("recepcion/", include("reintegra.reception.urls")),
    path("acciones-regionales/", include("reintegra.regional.urls")),
    path("traspasos/", include("reintegra.handover.urls")),
    path("comunidades/", include("reintegra.community.urls")),
    path("empleo/", include("reintegra.employment.urls")),
    path("seguimiento/", include("reintegra.monitoring.urls")),
    path("recepcion/manifiestos/", include("reintegra.reception.manifest_urls")),
    path("estadisticas/", include("reintegra.monitoring.public_urls")),
    # The public information portal: login-free (docs/public.md); the staff side of feedback needs a login.
    path("info/", include("reintegra.public.urls")),
    path("retroalimentacion/", include("reintegra.public.staff_urls")),
    path("", include("reintegra.access.account_urls")),
    path("", include("reintegra.access.two_factor_urls")),
    path("", include("reintegra.cases.urls", namespace="cases")),
    path("", include("reintegra.web.urls")),
]

# JSON under /api/ (an unknown API path is a JSON 404), the site's translated pages elsewhere.
handler400 = "reintegra.api.error_pages.bad_request"
handler403 = "reintegra.api.error_pages.permission_denied"
handler404 = "reintegra.api.error_pages.page_not_found"
handler500 = "reintegra.api.error_pages.server_error"
