"""`/api/v1/` routes of the monitoring reports (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, path

from reintegra.monitoring import report_api

urlpatterns: list[URLPattern] = [
    path("indicators/<int:pk>/values/", report_api.IndicatorValuesView.as_view(), name="indicator-values"),
    path("indicators/iptt.xlsx", report_api.IpttXlsxView.as_view(), name="indicator-iptt-xlsx"),
    path("indicators/iptt.csv", report_api.IpttCsvView.as_view(), name="indicator-iptt-csv"),
    path("indicators/logframe.xlsx", report_api.LogframeXlsxView.as_view(), name="indicator-logframe-xlsx"),
    path("indicators/values.hxl.csv", report_api.ValuesHxlView.as_view(), name="indicator-values-hxl"),
    path("reporting-periods/<int:pk>/report.pdf", report_api.DonorReportView.as_view(), name="reporting-period-report"),
]
