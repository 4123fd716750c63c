"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from reintegra.monitoring.api import IndicatorViewSet, ReportingPeriodViewSet, ResultsFrameworkViewSet

router = SimpleRouter()
router.register("results-frameworks", ResultsFrameworkViewSet, basename="results-framework")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("reporting-periods", ReportingPeriodViewSet, basename="reporting-period")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
