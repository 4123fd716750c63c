"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from reintegra.cases.api import CaseFileView, CaseViewSet, ReturneeViewSet

router = SimpleRouter()
router.register("returnees", ReturneeViewSet, basename="returnee")
router.register("cases", CaseViewSet, basename="case")

urlpatterns: list[URLPattern | URLResolver] = [
    path("cases/<int:pk>/file.pdf", CaseFileView.as_view(), name="case-file"),
    *router.urls,
]
