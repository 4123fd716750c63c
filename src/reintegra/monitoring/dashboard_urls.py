"""Pages of the M&E dashboards and the analytics page (namespace "monitoring_dashboard", mounted at
/seguimiento/ by reintegra.urls)."""

from django.urls import path

from reintegra.monitoring import analytics_views, dashboard_views

app_name = "monitoring_dashboard"

urlpatterns = [
    path("panel/", dashboard_views.programme_dashboard, name="programme"),
    path("panel/coordinacion/", dashboard_views.cross_organisation, name="cross_organisation"),
    path("panel/indicadores/<int:pk>/registros/", dashboard_views.drilldown, name="drilldown"),
    path("analitica/", analytics_views.analytics, name="analytics"),
    path("analitica/casos.csv", analytics_views.analytics_export, name="analytics_export"),
]
