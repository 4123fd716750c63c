"""Pages of monitoring and evaluation under /seguimiento/.

The sub-navigation of the app (templates/monitoring/base.html) links, per programme, to
`monitoring:framework`, `monitoring:indicators`, `monitoring:iptt`, `monitoring:periods`,
`monitoring:dashboard`, `monitoring:evaluations` and `monitoring:lessons` (each taking the programme's id).
"""

from django.urls import path

from reintegra.monitoring import framework_views, indicator_views, period_views

app_name = "monitoring"

urlpatterns = [
    path("", framework_views.index, name="index"),
    path("programas/<int:programme>/", framework_views.framework_page, name="framework"),
    path("programas/<int:programme>/marco/crear/", framework_views.framework_create, name="framework_create"),
    path("programas/<int:programme>/marco/editar/", framework_views.framework_edit, name="framework_edit"),
    path("programas/<int:programme>/marco-logico/", framework_views.logframe, name="logframe"),
    path("programas/<int:programme>/resultados/nuevo/", framework_views.node_create, name="node_create"),
    path("resultados/<int:pk>/editar/", framework_views.node_edit, name="node_edit"),
    path("resultados/<int:pk>/eliminar/", framework_views.node_delete, name="node_delete"),
    path("programas/<int:programme>/indicadores/", indicator_views.indicator_list, name="indicators"),
    path("programas/<int:programme>/indicadores/nuevo/", indicator_views.indicator_create, name="indicator_create"),
    path("programas/<int:programme>/biblioteca/", indicator_views.library, name="library"),
    path("programas/<int:programme>/metas/", indicator_views.targets, name="targets"),
    path("indicadores/<int:pk>/editar/", indicator_views.indicator_edit, name="indicator_edit"),
    path("indicadores/<int:pk>/eliminar/", indicator_views.indicator_delete, name="indicator_delete"),
    path("programas/<int:programme>/periodos/", period_views.periods, name="periods"),
    path("programas/<int:programme>/periodos/trimestres/", period_views.quarters, name="quarters"),
    path("periodos/<int:pk>/editar/", period_views.period_edit, name="period_edit"),
    path("periodos/<int:pk>/presentar/", period_views.submit, name="period_submit"),
    path("periodos/<int:pk>/cambios/", period_views.recompute, name="period_recompute"),
    path("periodos/<int:pk>/indicadores/<int:indicator>/valor/", period_views.reported_value, name="reported_value"),
]
