"""The public statistics page under /estadisticas/ (no login): the programmes that publish, each one's
opted-in indicators, and their values as CSV and HXL."""

from django.urls import URLPattern, path

from reintegra.monitoring import public_views

app_name = "statistics"

urlpatterns: list[URLPattern] = [
    path("", public_views.statistics_home, name="home"),
    path("<int:pk>/", public_views.statistics, name="programme"),
    path("<int:pk>/valores.csv", public_views.statistics_download, {"fmt": "csv"}, name="download-csv"),
    path("<int:pk>/valores.hxl.csv", public_views.statistics_download, {"fmt": "hxl"}, name="download-hxl"),
]
