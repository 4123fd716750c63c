"""Every page of monitoring and evaluation, under /seguimiento/ (namespace "monitoring"); the public statistics
page is apart, under /estadisticas/ (`public_urls`).

The sub-navigation of the app (templates/monitoring/base.html) links, per programme, to
`monitoring:framework`, `monitoring:indicators`, `monitoring:iptt`, `monitoring:periods`,
`monitoring:dashboard`, `monitoring:evaluations` and `monitoring:lessons`, each taking the programme's id.
"""

from django.urls import path

from reintegra.monitoring import (
    analytics_views,
    dashboard_views,
    evaluation_views,
    framework_views,
    indicator_views,
    iptt_views,
    period_views,
)

app_name = "monitoring"

_programme = "programas/<int:programme>/"

framework_patterns = [
    path("", framework_views.index, name="index"),
    path(_programme, framework_views.framework_page, name="framework"),
    path(f"{_programme}marco/crear/", framework_views.framework_create, name="framework_create"),
    path(f"{_programme}marco/editar/", framework_views.framework_edit, name="framework_edit"),
    path(f"{_programme}marco-logico/", framework_views.logframe, name="logframe"),
    path(f"{_programme}resultados/nuevo/", framework_views.node_create, name="node_create"),
    path("resultados/<int:pk>/editar/", framework_views.node_edit, name="node_edit"),
    path("resultados/<int:pk>/eliminar/", framework_views.node_delete, name="node_delete"),
    path(f"{_programme}indicadores/", indicator_views.indicator_list, name="indicators"),
    path(f"{_programme}indicadores/nuevo/", indicator_views.indicator_create, name="indicator_create"),
    path(f"{_programme}biblioteca/", indicator_views.library, name="library"),
    path(f"{_programme}metas/", indicator_views.targets, name="targets"),
    path("indicadores/<int:pk>/editar/", indicator_views.indicator_edit, name="indicator_edit"),
    path("indicadores/<int:pk>/eliminar/", indicator_views.indicator_delete, name="indicator_delete"),
    path(f"{_programme}periodos/", period_views.periods, name="periods"),
    path(f"{_programme}periodos/trimestres/", period_views.quarters, name="quarters"),
    path("periodos/<int:pk>/editar/", period_views.period_edit, name="period_edit"),
    path("periodos/<int:pk>/presentar/", period_views.submit, name="period_submit"),
    path("periodos/<int:pk>/cambios/", period_views.recompute, name="period_recompute"),
    path("periodos/<int:pk>/indicadores/<int:indicator>/valor/", period_views.reported_value, name="reported_value"),
]

# The IPTT, its downloads (XLSX / CSV, HXL) and the donor report of a reporting period (PDF).
report_patterns = [
    path(f"{_programme}iptt/", iptt_views.iptt, name="iptt"),
    path(f"{_programme}iptt.<str:fmt>", iptt_views.iptt_download, name="iptt-download"),
    path(f"{_programme}marco-logico.<str:fmt>", iptt_views.logframe_download, name="logframe-download"),
    path(f"{_programme}valores.hxl.csv", iptt_views.values_hxl, name="values-hxl"),
    path("periodos/<int:pk>/informe.pdf", iptt_views.donor_report, name="donor-report"),
]

# The dashboards (a programme's, the cross-organisation one), the drill-down, and the analytics page.
dashboard_patterns = [
    path(f"{_programme}panel/", dashboard_views.programme_dashboard, name="dashboard"),
    path("panel/", dashboard_views.programme_dashboard, name="dashboard_home"),
    path("panel/coordinacion/", dashboard_views.cross_organisation, name="cross_organisation"),
    path("panel/indicadores/<int:pk>/registros/", dashboard_views.drilldown, name="drilldown"),
    path("analitica/", analytics_views.analytics, name="analytics"),
    path("analitica/casos.csv", analytics_views.analytics_export, name="analytics_export"),
]

learning_patterns = [
    path("evaluaciones/", evaluation_views.learning_home, name="learning"),
    path(f"{_programme}evaluaciones/", evaluation_views.programme_learning, name="evaluations"),
    path(f"{_programme}evaluaciones/nueva/", evaluation_views.evaluation_create, name="evaluation-create"),
    path(f"{_programme}lecciones/", evaluation_views.programme_lessons, name="lessons"),
    path(f"{_programme}lecciones/nueva/", evaluation_views.lesson_create, name="lesson-create"),
    path("evaluaciones/<int:pk>/", evaluation_views.evaluation_detail, name="evaluation-detail"),
    path("evaluaciones/<int:pk>/editar/", evaluation_views.evaluation_edit, name="evaluation-edit"),
    path("evaluaciones/<int:pk>/informe/", evaluation_views.evaluation_report, name="evaluation-report"),
    path(
        "evaluaciones/<int:pk>/recomendaciones/nueva/",
        evaluation_views.recommendation_create,
        name="recommendation-create",
    ),
    path("recomendaciones/<int:pk>/respuesta/", evaluation_views.recommendation_edit, name="recommendation-edit"),
    path("lecciones/", evaluation_views.lesson_list, name="lesson-search"),
    path("lecciones/<int:pk>/editar/", evaluation_views.lesson_edit, name="lesson-edit"),
]

urlpatterns = framework_patterns + report_patterns + dashboard_patterns + learning_patterns
