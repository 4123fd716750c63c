"""`/api/v1/` routes of monitoring and evaluation (included by reintegra.api.urls, namespace "api"): results
frameworks, indicators and reporting periods; the indicator values, IPTT, HXL and donor-report downloads;
evaluations, recommendations and lessons; the analytics endpoints (the paths and names they had under
`protection`)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from reintegra.monitoring import analytics_api, report_api
from reintegra.monitoring.api import IndicatorViewSet, ReportingPeriodViewSet, ResultsFrameworkViewSet
from reintegra.monitoring.evaluation_api import EvaluationViewSet, LessonViewSet, RecommendationViewSet

router = SimpleRouter()
router.register("results-frameworks", ResultsFrameworkViewSet, basename="results-framework")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("reporting-periods", ReportingPeriodViewSet, basename="reporting-period")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("lessons", LessonViewSet, basename="lesson")

analytics_patterns: list[URLPattern] = [
    path("analytics/cases/", analytics_api.PseudonymisedCasesView.as_view(), name="analytics-cases"),
    path("analytics/aggregates/", analytics_api.AggregatesView.as_view(), name="analytics-aggregates"),
]

report_patterns: list[URLPattern] = [
    path("indicators/<int:pk>/values/", report_api.IndicatorValuesView.as_view(), name="indicator-values"),
    path("indicators/iptt.xlsx", report_api.IpttXlsxView.as_view(), name="indicator-iptt-xlsx"),
    path("indicators/iptt.csv", report_api.IpttCsvView.as_view(), name="indicator-iptt-csv"),
    path("indicators/logframe.xlsx", report_api.LogframeXlsxView.as_view(), name="indicator-logframe-xlsx"),
    path("indicators/values.hxl.csv", report_api.ValuesHxlView.as_view(), name="indicator-values-hxl"),
    path("reporting-periods/<int:pk>/report.pdf", report_api.DonorReportView.as_view(), name="reporting-period-report"),
]

urlpatterns: list[URLPattern | URLResolver] = [*analytics_patterns, *router.urls, *report_patterns]
