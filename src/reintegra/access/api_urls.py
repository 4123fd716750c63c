"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api"): API tokens, the audit
trail, background exports, programmes."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from reintegra.access.account_api import TokenDetailView, TokenListView
from reintegra.access.api import AuditTrailView
from reintegra.access.export_job_api import ExportDetailView, ExportDownloadView, ExportListView
from reintegra.access.programme_api import ProgrammeViewSet
from reintegra.api.auth import ObtainTokenView

router = SimpleRouter()
router.register("programmes", ProgrammeViewSet, basename="programme")

urlpatterns: list[URLPattern | URLResolver] = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("auth/tokens/", TokenListView.as_view(), name="auth-token-list"),
    path("auth/tokens/<int:pk>/", TokenDetailView.as_view(), name="auth-token-detail"),
    path("audit/", AuditTrailView.as_view(), name="audit"),
    path("exports/", ExportListView.as_view(), name="export-list"),
    path("exports/<int:pk>/", ExportDetailView.as_view(), name="export-detail"),
    path("exports/<int:pk>/download/", ExportDownloadView.as_view(), name="export-download"),
    *router.urls,
]
