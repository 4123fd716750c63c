"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from reintegra.cases.api import CaseViewSet, ReturneeViewSet

router = SimpleRouter()
router.register("returnees", ReturneeViewSet, basename="returnee")
router.register("cases", CaseViewSet, basename="case")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
