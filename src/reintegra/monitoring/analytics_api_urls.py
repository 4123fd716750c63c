"""API routes of the M&E release, included by `reintegra.api.urls` under `/api/v1/` (namespace "api"): the
same paths and names they had under `protection`."""

from django.urls import path

from reintegra.monitoring.analytics_api import AggregatesView, PseudonymisedCasesView

urlpatterns = [
    path("analytics/cases/", PseudonymisedCasesView.as_view(), name="analytics-cases"),
    path("analytics/aggregates/", AggregatesView.as_view(), name="analytics-aggregates"),
]
