"""Pages of the monitoring reports under /monitoreo/: a programme's IPTT, its downloads (IPTT and logframe as
XLSX / CSV, indicator values as HXL) and the donor report of a reporting period (PDF)."""

from django.urls import URLPattern, path

from reintegra.monitoring import iptt_views

app_name = "monitoring_reports"

urlpatterns: list[URLPattern] = [
    path("programas/<int:pk>/iptt/", iptt_views.iptt, name="iptt"),
    path("programas/<int:pk>/iptt.<str:fmt>", iptt_views.iptt_download, name="iptt-download"),
    path("programas/<int:pk>/marco-logico.<str:fmt>", iptt_views.logframe_download, name="logframe-download"),
    path("programas/<int:pk>/valores.hxl.csv", iptt_views.values_hxl, name="values-hxl"),
    path("periodos/<int:pk>/informe.pdf", iptt_views.donor_report, name="donor-report"),
]
