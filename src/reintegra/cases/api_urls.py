"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from reintegra.cases import export_api
from reintegra.cases.api import CaseFileView, CaseViewSet, ReturneeViewSet

router = SimpleRouter()
router.register("returnees", ReturneeViewSet, basename="returnee")
router.register("cases", CaseViewSet, basename="case")

urlpatterns: list[URLPattern | URLResolver] = [
    *(
        path(f"{prefix}/export.{fmt}", view.as_view(), name=f"{name}-export-{fmt}")
        for prefix, name, views in (
            ("cases", "case", export_api.CASES),
            ("returnees", "returnee", export_api.RETURNEES),
            ("follow-ups", "follow-up", export_api.FOLLOW_UPS),
        )
        for fmt, view in views.items()
    ),
    path("cases/<int:pk>/file.pdf", CaseFileView.as_view(), name="case-file"),
    *router.urls,
]
